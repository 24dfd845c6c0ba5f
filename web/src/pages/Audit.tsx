import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageCard } from '../components/PageCard';
import LedgerPage from './Ledger';

export default function AuditPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageCard title={t('audit.title')}>
        <Alert type="info" showIcon title={t('audit.notYet')} />
      </PageCard>
      <LedgerPage />
    </>
  );
}
