import { Alert, Button, Descriptions, List } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { PageCard } from '../components/PageCard';
import { Failed } from '../components/States';

export default function LedgerPage() {
  const { t } = useTranslation();
  const verify = useMutation({ mutationFn: () => ok(api.GET('/v1/ledger/verify')) });
  const v = verify.data;
  return (
    <PageCard title={t('nav.ledger')}>
      <Button type="primary" onClick={() => verify.mutate()} loading={verify.isPending}>{t('audit.verify')}</Button>
      {verify.isError && <Failed error={verify.error} />}
      {v && (
        <div style={{ marginTop: 16 }}>
          <Alert type={v.ok ? 'success' : 'error'} showIcon role="status" title={v.ok ? t('audit.verified') : t('audit.broken')} />
          <Descriptions size="small" style={{ marginTop: 16 }} column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('audit.entries')}>{v.entries}</Descriptions.Item>
            <Descriptions.Item label={t('audit.sealed')}>{v.sealed}</Descriptions.Item>
            <Descriptions.Item label={t('audit.unsealed')}>{v.unsealed}</Descriptions.Item>
            <Descriptions.Item label={t('audit.balanced')}>{v.balanced ? t('common.yes') : t('common.no')}</Descriptions.Item>
            <Descriptions.Item label={t('audit.chain')}>{v.chainIntact ? t('common.yes') : t('common.no')}</Descriptions.Item>
            <Descriptions.Item label={t('audit.head')}>{v.headHash.slice(0, 16)}…</Descriptions.Item>
          </Descriptions>
          {v.problems.length > 0 && <List dataSource={v.problems} renderItem={(p) => <List.Item>{p}</List.Item>} />}
        </div>
      )}
    </PageCard>
  );
}
