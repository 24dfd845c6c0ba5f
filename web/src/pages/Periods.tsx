import { Alert, Descriptions, Form, Input, List, Space, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { ProposalTable } from '../components/ProposalTable';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatDateTime, quarterBefore, todayInChina } from '../lib/dates';
import { useUrlState } from '../lib/url-state';
import { useSession } from '../session';


/** Quarter close (季度结账): what blocks it, the close, and reopening by maker–checker (反结账). */
export default function PeriodsPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { values, set } = useUrlState(['quarter'] as const);
  const quarter = values.quarter ?? quarterBefore(todayInChina());
  const q = useQuery({ queryKey: ['period', quarter], queryFn: () => ok(api.GET('/v1/periods/{quarter}', { params: { path: { quarter } } })) });
  const path = { params: { path: { quarter } } };
  const finance = me?.role === 'finance_officer' || me?.role === 'finance_approver';
  return (
    <PageCard title={t('periods.title')}>
      <Input.Search key={quarter} aria-label={t('claims.quarter')} defaultValue={quarter} enterButton={t('common.view')} style={{ width: 260, marginBottom: 16 }} onSearch={(v) => set({ quarter: v.trim().toUpperCase() || undefined })} />
      <QueryView q={q}>
        {(p) => {
          const pending = p.reopenRequests.find((r) => r.status === 'pending');
          return (
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                <Descriptions.Item label={t('claims.quarter')}>{p.quarter}</Descriptions.Item>
                <Descriptions.Item label={t('common.status')}><Tag color={p.status === 'closed' ? 'green' : 'blue'}>{t(`periods.${p.status}`)}</Tag></Descriptions.Item>
                {p.closedAt && <Descriptions.Item label={t('periods.closedAt')}>{formatDateTime(p.closedAt)}（{p.closedBy}）</Descriptions.Item>}
              </Descriptions>
              {p.status === 'open' && (
                p.blockers.length > 0 ? (
                  <PageCard level={2} title={t('periods.blockers')}>
                    <List size="small" dataSource={p.blockers} renderItem={(b) => <List.Item>{b.message}</List.Item>} />
                  </PageCard>
                ) : (
                  <Alert type="success" showIcon title={t('periods.closable')} />
                )
              )}
              {p.reconciliations.length > 0 && (
                <PageCard level={2} title={t('recon.title')}>
                  <List size="small" dataSource={p.reconciliations}
                    renderItem={(r) => (
                      <List.Item>
                        <Link to={`/reconciliations?quarter=${p.quarter}&id=${r.id}`}>{r.id.slice(0, 8).toUpperCase()}</Link>
                        <Tag color={r.unresolved ? 'red' : 'green'}>{t('recon.unresolvedCount', { count: r.unresolved })}</Tag>
                      </List.Item>
                    )} />
                </PageCard>
              )}
              {p.status === 'open' && me?.role === 'finance_approver' && (
                <PageCard level={2} title={t('periods.close')}>
                  <DecisionForm<{ reason?: string }> submitLabel={t('periods.closeSubmit', { quarter: p.quarter })} send={(body, key) => ok(api.POST('/v1/periods/{quarter}/close', { ...path, body: { reason: body.reason?.trim() || undefined }, ...idempotent(key) }))}>
                    <Form.Item name="reason" label={t('periods.closeNote')}><Input /></Form.Item>
                  </DecisionForm>
                </PageCard>
              )}
              {p.status === 'closed' && finance && !pending && (
                <PageCard level={2} title={t('periods.reopen')}>
                  <p className="lf-muted">{t('periods.reopenNote')}</p>
                  <DecisionForm<{ reason: string }> submitLabel={t('periods.reopen')} send={(body, key) => ok(api.POST('/v1/periods/{quarter}/reopen', { ...path, body, ...idempotent(key) }))}>
                    <Form.Item name="reason" label={t('common.reason')} rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
                  </DecisionForm>
                </PageCard>
              )}
              <PageCard level={2} title={t('periods.requests')}>
                <ProposalTable proposals={p.reopenRequests} submitLabel={t('periods.decide')} expanded={pending ? [pending.id] : []}
                  decide={(r, body, key) => ok(api.POST('/v1/periods/{quarter}/reopen-requests/{requestId}/decision', { params: { path: { quarter, requestId: r.id } }, body, ...idempotent(key) }))} />
              </PageCard>
              {p.history.length > 0 && (
                <PageCard level={2} title={t('periods.history')}>
                  <List size="small" dataSource={p.history}
                    renderItem={(h) => (
                      <List.Item>
                        {formatDateTime(h.at)} · {t(`periods.action.${h.action}`)} · {h.by}（{t(`role.${h.role}`, { defaultValue: h.role })}）{h.requestedBy ? ` · ${t('periods.requestedBy', { name: h.requestedBy })}` : ''}{h.reason ? ` · ${h.reason}` : ''}
                      </List.Item>
                    )} />
                </PageCard>
              )}
            </Space>
          );
        }}
      </QueryView>
    </PageCard>
  );
}
