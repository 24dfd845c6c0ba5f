import { Descriptions, Form, Input, List, Radio, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, idempotent, ok } from '../api/client';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatDateTime, dayjs, ZONE } from '../lib/dates';
import { useUrlState } from '../lib/url-state';
import { useSession } from '../session';

function previousQuarter(): string {
  const d = dayjs().tz(ZONE).subtract(3, 'month');
  return `${d.year()}Q${Math.floor(d.month() / 3) + 1}`;
}

export default function PeriodsPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { values, set } = useUrlState(['quarter'] as const);
  const quarter = values.quarter ?? previousQuarter();
  const q = useQuery({ queryKey: ['period', quarter], queryFn: () => ok(api.GET('/v1/periods/{quarter}', { params: { path: { quarter } } })) });
  const path = { params: { path: { quarter } } };
  const finance = me?.role === 'finance_officer' || me?.role === 'finance_approver';
  return (
    <PageCard title={t('periods.title')}>
      <Input.Search aria-label={t('claims.quarter')} defaultValue={quarter} style={{ width: 200, marginBottom: 16 }} onSearch={(v) => set({ quarter: v.trim() || undefined })} />
      <QueryView q={q}>
        {(p) => (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Descriptions size="small" column={{ xs: 1, md: 3 }}>
              <Descriptions.Item label={t('claims.quarter')}>{p.quarter}</Descriptions.Item>
              <Descriptions.Item label={t('common.status')}><Tag color={p.status === 'closed' ? 'green' : 'blue'}>{t(`periods.${p.status}`)}</Tag></Descriptions.Item>
              <Descriptions.Item label={t('common.date')}>{formatDateTime(p.closedAt)} {p.closedBy ?? ''}</Descriptions.Item>
            </Descriptions>
            {p.status === 'open' && p.blockers.length > 0 && (
              <PageCard level={2} title={t('periods.blockers')}>
                <List size="small" dataSource={p.blockers} renderItem={(b) => <List.Item>{b.message}</List.Item>} />
              </PageCard>
            )}
            {p.status === 'open' && me?.role === 'finance_approver' && (
              <DecisionForm<{ reason?: string }> submitLabel={t('periods.close')} send={(_v, key) => ok(api.POST('/v1/periods/{quarter}/close', { ...path, ...idempotent(key) }))}>
                <span />
              </DecisionForm>
            )}
            {p.status === 'closed' && finance && (
              <PageCard level={2} title={t('periods.reopen')}>
                <DecisionForm<{ reason: string }> submitLabel={t('periods.reopen')} send={(body, key) => ok(api.POST('/v1/periods/{quarter}/reopen', { ...path, body, ...idempotent(key) }))}>
                  <Form.Item name="reason" label={t('common.reason')} rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
                </DecisionForm>
              </PageCard>
            )}
            <PageCard level={2} title={t('periods.requests')}>
              <Table rowKey="id" size="small" pagination={false} dataSource={p.reopenRequests} scroll={{ x: 700 }}
                expandable={me?.role === 'finance_approver' ? {
                  rowExpandable: (r) => r.status === 'pending',
                  expandedRowRender: (r) => (
                    <DecisionForm<{ decision: 'approve' | 'reject'; reason: string }> submitLabel={t('periods.decide')} initialValues={{ decision: 'approve' }}
                      send={(body, key) => ok(api.POST('/v1/periods/{quarter}/reopen-requests/{requestId}/decision', { params: { path: { quarter, requestId: r.id } }, body, ...idempotent(key) }))}>
                      <Form.Item name="decision" label={t('periods.decide')}><Radio.Group><Radio value="approve">{t('decision.approve')}</Radio><Radio value="reject">{t('decision.reject')}</Radio></Radio.Group></Form.Item>
                      <Form.Item name="reason" label={t('common.reason')} rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
                    </DecisionForm>
                  ),
                } : undefined}
                columns={[
                  { title: t('funds.proposedBy'), dataIndex: 'proposedBy' },
                  { title: t('common.reason'), dataIndex: 'reason' },
                  { title: t('common.date'), dataIndex: 'proposedAt', render: formatDateTime },
                  { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag>{s}</Tag> },
                  { title: t('claims.approvedBy'), dataIndex: 'decidedBy' },
                ]} />
            </PageCard>
          </Space>
        )}
      </QueryView>
    </PageCard>
  );
}
