import { Button, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { components, paths } from '../api/schema';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatDateTime } from '../lib/dates';
import { short } from '../lib/url-state';
import { usePagedList } from '../lib/paged-list';

type Entry = components['schemas']['AuditEntry'];
type EntityType = NonNullable<paths['/v1/audit-log']['get']['parameters']['query']>['entityType'];
const ENTITY_TYPES = ['application', 'loan', 'subsidy_claim', 'fund', 'reconciliation', 'accounting_period', 'certificate', 'policy', 'organisation', 'user'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FILTERS = ['entityType', 'entityId', 'actor', 'action', 'from', 'to'] as const;

/** Where a record of the trail is shown in the console, if anywhere. */
function linkOf(e: Entry): string | null {
  switch (e.entityType) {
    case 'application': return `/applications/${e.entityId}`;
    case 'loan': return `/loans/${e.entityId}`;
    case 'subsidy_claim': return `/claims/${e.entityId}`;
    case 'accounting_period': return `/periods?quarter=${e.entityId}`;
    case 'reconciliation': return `/reconciliations?id=${e.entityId}`;
    case 'fund': return '/funds';
    default: return null;
  }
}

/** The audit trail (审计日志): who did what to which record, when and why; read-only, filtered, paged. */
export default function AuditPage() {
  const { t } = useTranslation();
  const { values, page, pageSize, set, q } = usePagedList('audit', FILTERS, (v, p) =>
    ok(api.GET('/v1/audit-log', { params: { query: { ...v, entityType: v.entityType as EntityType, ...p } } })),
  );
  const [form] = Form.useForm<Record<(typeof FILTERS)[number], string | undefined>>();
  const apply = (v: Record<string, string | undefined>) =>
    set(Object.fromEntries(FILTERS.map((k) => [k, v[k]?.trim() || undefined])) as Record<(typeof FILTERS)[number], string | undefined>);
  const dateRule = { pattern: DATE, message: 'YYYY-MM-DD' };
  return (
    <PageCard title={t('audit.title')} extra={<Link to="/ledger">{t('audit.verify')}</Link>}>
      <Form form={form} layout="inline" initialValues={values} onFinish={apply} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item name="entityType" label={t('audit.entityType')}>
          <Select allowClear style={{ width: 160 }} options={ENTITY_TYPES.map((e) => ({ value: e, label: t(`audit.entities.${e}`) }))} />
        </Form.Item>
        <Form.Item name="entityId" label={t('audit.entityId')}><Input style={{ width: 200 }} /></Form.Item>
        <Form.Item name="actor" label={t('audit.actor')}><Input style={{ width: 140 }} /></Form.Item>
        <Form.Item name="action" label={t('audit.action')}><Input style={{ width: 180 }} placeholder="subsidy_claim" /></Form.Item>
        <Form.Item name="from" label={t('reports.from')} rules={[dateRule]}><Input style={{ width: 130 }} placeholder="YYYY-MM-DD" /></Form.Item>
        <Form.Item name="to" label={t('reports.to')} rules={[dateRule]}><Input style={{ width: 130 }} placeholder="YYYY-MM-DD" /></Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">{t('common.search')}</Button>
          <Button onClick={() => { form.setFieldsValue(Object.fromEntries(FILTERS.map((k) => [k, undefined]))); apply({}); }}>{t('common.reset')}</Button>
        </Space>
      </Form>
      <QueryView q={q} empty={(d) => d.total === 0}>
        {(d) => (
          <Table<Entry> rowKey="id" size="small" dataSource={d.items} scroll={{ x: 1000 }}
            pagination={{ current: page, pageSize, total: d.total, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
            expandable={{
              rowExpandable: (e) => e.payload !== null || e.requestId !== null,
              expandedRowRender: (e) => (
                <div>
                  {e.requestId && <div>{t('audit.requestId')}：<Typography.Text code>{e.requestId}</Typography.Text>{e.clientRequestId ? ` · ${e.clientRequestId}` : ''}</div>}
                  {e.payload !== null && <pre style={{ whiteSpace: 'pre-wrap', margin: '8px 0 0' }}>{JSON.stringify(e.payload, null, 2)}</pre>}
                </div>
              ),
            }}
            columns={[
              { title: t('audit.at'), dataIndex: 'at', render: formatDateTime, width: 150 },
              { title: t('audit.actor'), dataIndex: 'actor', render: (a: Entry['actor']) => `${a.username}（${t(`role.${a.role}`, { defaultValue: a.role === 'system' ? t('audit.system') : a.role })}）` },
              { title: t('audit.action'), dataIndex: 'action', render: (a: string) => <Typography.Text code>{a}</Typography.Text> },
              {
                title: t('audit.entity'), dataIndex: 'entityId',
                render: (id: string, e) => {
                  const to = linkOf(e);
                  const label = `${t(`audit.entities.${e.entityType}`, { defaultValue: e.entityType })} ${/^[0-9a-f-]{36}$/.test(id) ? short(id) : id}`;
                  return to ? <Link to={to}>{label}</Link> : label;
                },
              },
              { title: t('common.reason'), dataIndex: 'reason', render: (r: string | null) => r ?? '' },
            ]} />
        )}
      </QueryView>
    </PageCard>
  );
}
