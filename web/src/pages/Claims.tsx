import { Form, Input, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatMoney } from '../lib/money';
import { short } from '../lib/url-state';
import { usePagedList } from '../lib/paged-list';
import { useSession } from '../session';
import { useOrganisations } from '../lib/organisations';
import { CLAIM_COLOUR } from '../lib/colours';

const STATUSES = ['SUBMITTED', 'CHECKED', 'PENDING_BUDGET', 'PAID', 'PAYOUT_REVERSED', 'REJECTED'] as const;

export default function ClaimsPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const navigate = useNavigate();
  const orgs = useOrganisations();
  const { values, page, pageSize, set, q } = usePagedList('claims', ['status', 'quarter'] as const, (v, p) =>
    ok(api.GET('/v1/subsidy-claims', { params: { query: { status: v.status as (typeof STATUSES)[number] | undefined, quarter: v.quarter, ...p } } })),
  );
  return (
    <>
      {me?.role === 'bank_officer' && (
        <PageCard title={t('claims.file')}>
          <DecisionForm<components['schemas']['NewSubsidyClaim']>
            submitLabel={t('common.submit')}
            send={(body, key) => ok(api.POST('/v1/subsidy-claims', { body, ...idempotent(key) }))}
            onDone={(r) => navigate(`/claims/${(r as { id: string }).id}`)}
          >
            <Form.Item label={t('claims.quarter')} name="quarter" rules={[{ required: true, pattern: /^\d{4}Q[1-4]$/, message: '2027Q1' }]}><Input placeholder="2027Q1" style={{ width: 160 }} /></Form.Item>
          </DecisionForm>
        </PageCard>
      )}
      <PageCard title={t('claims.title')} level={me?.role === 'bank_officer' ? 2 : 1}>
        <Space wrap style={{ marginBottom: 16 }}>
          <Select aria-label={t('common.status')} value={values.status ?? ''} style={{ width: 160 }} onChange={(v) => set({ status: v || undefined })}
            options={[{ value: '', label: t('common.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`claims.status.${s}`) }))]} />
          <Input.Search aria-label={t('claims.quarter')} placeholder="2027Q1" defaultValue={values.quarter} style={{ width: 160 }} onSearch={(v) => set({ quarter: v.trim() || undefined })} />
        </Space>
        <QueryView q={q} empty={(d) => d.total === 0}>
          {(d) => (
            <Table rowKey="id" dataSource={d.items} scroll={{ x: 800 }}
              pagination={{ current: page, pageSize, total: d.total, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
              columns={[
                { title: '#', dataIndex: 'id', render: (id: string) => <Link to={`/claims/${id}`}>{short(id)}</Link> },
                { title: t('claims.quarter'), dataIndex: 'quarter' },
                ...(me?.role === 'bank_officer' ? [] : [{ title: t('claims.bank'), dataIndex: 'bankId', render: (b: string) => orgs.name(b) }]),
                { title: t('common.status'), dataIndex: 'status', render: (s: string, r) => <Space><Tag color={CLAIM_COLOUR[s]}>{t(`claims.status.${s}`)}</Tag>{r.late && <Tag color="orange">{t('claims.late')}</Tag>}</Space> },
                { title: t('claims.total'), dataIndex: 'total', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
                { title: t('claims.filedOn'), dataIndex: 'filedOn' },
              ]} />
          )}
        </QueryView>
      </PageCard>
    </>
  );
}
