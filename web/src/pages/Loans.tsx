import { Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatMoney, formatRate } from '../lib/money';
import { short } from '../lib/url-state';
import { usePagedList } from '../lib/paged-list';
import { useSession } from '../session';

type Loan = components['schemas']['LoanSummary'];
type Bucket = Loan['overdueBucket'];
const BUCKETS: Bucket[] = ['current', 'd1_30', 'd31_90', 'd90'];
const BUCKET_COLOUR: Record<Bucket, string | undefined> = { current: 'green', d1_30: 'gold', d31_90: 'orange', d90: 'red' };

/** Loans as visible: the borrower's own, a bank's, a guarantor's, everything for finance and audit; by overdue bucket. */
export default function LoansPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { values, page, pageSize, set, q } = usePagedList('loans', ['status', 'bucket'] as const, (v, p) =>
    ok(api.GET('/v1/loans', { params: { query: { status: v.status as Loan['status'] | undefined, bucket: v.bucket as Bucket | undefined, ...p } } })),
  );
  const applicant = me?.role === 'applicant';
  const money = (v: string | null) => formatMoney(v, i18n.language);
  return (
    <PageCard title={applicant ? t('loan.mine') : t('loan.title')}>
      {!applicant && (
        <Space wrap style={{ marginBottom: 16 }}>
          <Select aria-label={t('common.status')} value={values.status ?? ''} style={{ width: 180 }} onChange={(v) => set({ status: v || undefined })}
            options={[{ value: '', label: `${t('common.status')}：${t('common.all')}` }, ...(['REPAYING', 'REPAID', 'DEFAULTED'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))]} />
          <Select aria-label={t('loan.bucket')} value={values.bucket ?? ''} style={{ width: 200 }} onChange={(v) => set({ bucket: v || undefined })}
            options={[{ value: '', label: `${t('loan.bucket')}：${t('common.all')}` }, ...BUCKETS.map((b) => ({ value: b, label: t(`loan.buckets.${b}`) }))]} />
        </Space>
      )}
      <QueryView q={q} empty={(d) => d.total === 0} emptyText={applicant ? t('loan.none') : undefined}>
        {(d) => (
          <Table<Loan> rowKey="id" dataSource={d.items} scroll={{ x: 1000 }}
            pagination={{ current: page, pageSize, total: d.total, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
            columns={[
              { title: t('loan.contract'), dataIndex: 'contractNo', render: (v: string, r) => <Link to={`/loans/${r.id}`}>{v || short(r.id)}</Link> },
              { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'DEFAULTED' ? 'red' : undefined}>{t(`status.${s}`)}</Tag> },
              {
                title: t('loan.bucket'), dataIndex: 'overdueBucket',
                render: (b: Bucket, r) => (r.status === 'REPAYING' ? <Tag color={BUCKET_COLOUR[b]}>{t(`loan.buckets.${b}`)}{r.overdueDays > 0 ? `（${t('loan.days', { count: r.overdueDays })}）` : ''}</Tag> : '—'),
              },
              { title: t('loan.principal'), dataIndex: 'principal', align: 'right', render: money },
              { title: t('loan.outstanding'), dataIndex: 'outstanding', align: 'right', render: money },
              { title: t('loan.rate'), dataIndex: 'annualRate', render: (v: string) => formatRate(v) },
              { title: t('loan.disbursedOn'), dataIndex: 'disbursedOn' },
              { title: t('loan.maturity'), dataIndex: 'maturityOn' },
              { title: t('loan.subsidyEarned'), dataIndex: 'subsidyEarned', align: 'right', render: money },
            ]} />
        )}
      </QueryView>
    </PageCard>
  );
}
