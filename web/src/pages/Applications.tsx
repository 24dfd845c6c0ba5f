import { Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { QueryView } from '../components/States';
import { formatMoney } from '../lib/money';
import { short } from '../lib/url-state';
import { usePagedList } from '../lib/paged-list';
import { useSession } from '../session';

type Summary = components['schemas']['ApplicationSummary'];
const STATUSES = [
  'AWAITING_COUNTER_GUARANTEE', 'AWAITING_GUARANTEE_REVIEW', 'AWAITING_GUARANTEE_APPROVAL', 'AWAITING_DISBURSAL', 'REPAYING', 'REPAID',
  'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DEFAULTED',
] as const;
type Status = (typeof STATUSES)[number];

export default function ApplicationsPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { values, page, pageSize, set, q } = usePagedList('applications', ['q', 'status'] as const, (v, p) =>
    ok(api.GET('/v1/applications', { params: { query: { q: v.q, status: v.status as Status | undefined, ...p } } })),
  );
  const title = me?.role === 'applicant' ? t('nav.myApplication') : me?.role === 'community_officer' ? t('nav.community') : t('apps.title');
  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>{title}</Typography.Title>}>
      <Space wrap style={{ marginBottom: 16 }}>
        {me?.role !== 'applicant' && (
          <Input.Search
            key={values.q ?? ''}
            defaultValue={values.q}
            aria-label={t('apps.search')}
            placeholder={t('apps.search')}
            allowClear
            style={{ width: 320 }}
            onSearch={(v) => set({ q: v.trim() || undefined })}
          />
        )}
        <Select
          aria-label={t('apps.filterStatus')}
          value={values.status ?? ''}
          style={{ width: 180 }}
          onChange={(v) => set({ status: v || undefined })}
          options={[{ value: '', label: t('common.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
        />
      </Space>
      <QueryView q={q} empty={(d) => d.total === 0}>
        {(d) => (
          <Table<Summary>
            rowKey="id"
            dataSource={d.items}
            scroll={{ x: 800 }}
            pagination={{ current: page, pageSize, total: d.total, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
            columns={[
              { title: t('apps.number'), dataIndex: 'id', render: (id: string) => <Link to={`/applications/${id}`}>{short(id)}</Link> },
              { title: t('common.name'), dataIndex: 'name' },
              { title: t('apps.idNumber'), dataIndex: 'idNumber' },
              { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag>{t(`status.${s}`)}</Tag> },
              { title: t('apps.requested'), dataIndex: 'requestedAmount', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
              { title: t('apps.approved'), dataIndex: 'approvedAmount', align: 'right', render: (v: string | null) => formatMoney(v, i18n.language) },
              { title: t('apps.submittedOn'), dataIndex: 'submittedOn' },
            ]}
          />
        )}
      </QueryView>
    </Card>
  );
}
