import { Select, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatMoney, formatRate } from '../lib/money';
import { short, useUrlState } from '../lib/url-state';
import { useSession } from '../session';

export default function LoansPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { values, page, pageSize, set } = useUrlState(['status'] as const);
  const q = useQuery({
    queryKey: ['loans', values.status, page, pageSize],
    queryFn: () => ok(api.GET('/v1/loans', { params: { query: { status: values.status as 'REPAYING' | undefined, page, pageSize } } })),
  });
  return (
    <PageCard title={me?.role === 'applicant' ? t('loan.mine') : t('loan.title')}>
      <Space style={{ marginBottom: 16 }}>
        <Select aria-label={t('common.status')} value={values.status ?? ''} style={{ width: 180 }} onChange={(v) => set({ status: v || undefined })}
          options={[{ value: '', label: t('common.all') }, ...(['REPAYING', 'REPAID', 'DEFAULTED'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))]} />
      </Space>
      <QueryView q={q} empty={(d) => d.total === 0}>
        {(d) => (
          <Table rowKey="id" dataSource={d.items} scroll={{ x: 900 }}
            pagination={{ current: page, pageSize, total: d.total, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
            columns={[
              { title: t('loan.contract'), dataIndex: 'contractNo', render: (v: string, r) => <Link to={`/loans/${r.id}`}>{v || short(r.id)}</Link> },
              { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'DEFAULTED' ? 'red' : undefined}>{t(`status.${s}`)}</Tag> },
              { title: t('loan.principal'), dataIndex: 'principal', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
              { title: t('loan.outstanding'), dataIndex: 'outstanding', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
              { title: t('loan.rate'), dataIndex: 'annualRate', render: (v: string) => formatRate(v) },
              { title: t('loan.disbursedOn'), dataIndex: 'disbursedOn' },
              { title: t('loan.maturity'), dataIndex: 'maturityOn' },
              { title: t('loan.subsidyEarned'), dataIndex: 'subsidyEarned', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
            ]} />
        )}
      </QueryView>
    </PageCard>
  );
}
