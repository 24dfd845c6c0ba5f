import { Descriptions, Form, Input, Radio, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatMoney } from '../lib/money';
import { short } from '../lib/url-state';
import { useSession } from '../session';

type D = components['schemas']['SubsidyClaimDecision'];

export default function ClaimPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const q = useQuery({ queryKey: ['claim', id], queryFn: () => ok(api.GET('/v1/subsidy-claims/{id}', { params: { path: { id } } })) });
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  const path = { params: { path: { id } } };
  const decide = (title: string, send: (b: D, key: string) => Promise<unknown>) => (
    <PageCard level={2} title={title}>
      <DecisionForm<D> submitLabel={t('common.submit')} initialValues={{ decision: 'approve' }} send={send}>
        <Form.Item label={t('common.status')} name="decision" rules={[{ required: true }]}>
          <Radio.Group><Radio value="approve">{t('decision.approve')}</Radio><Radio value="reject">{t('decision.reject')}</Radio></Radio.Group>
        </Form.Item>
        <Form.Item label={t('common.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input.TextArea rows={2} /></Form.Item>
      </DecisionForm>
    </PageCard>
  );
  return (
    <QueryView q={q}>
      {(c) => (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <PageCard title={`${t('claims.title')} ${c.quarter} · ${short(c.id)}`}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label={t('common.status')}><Tag>{t(`claims.status.${c.status}`)}</Tag></Descriptions.Item>
              <Descriptions.Item label={t('claims.total')}>{money(c.total)}</Descriptions.Item>
              <Descriptions.Item label={t('claims.filedOn')}>{c.filedOn}</Descriptions.Item>
              <Descriptions.Item label={t('claims.checkedBy')}>{c.checkedBy ?? '—'}{c.checkReason ? `：${c.checkReason}` : ''}</Descriptions.Item>
              <Descriptions.Item label={t('claims.approvedBy')}>{c.approvedBy ?? '—'}{c.approvalReason ? `：${c.approvalReason}` : ''}</Descriptions.Item>
              {c.rejectionReason && <Descriptions.Item label={t('common.reason')}>{c.rejectedBy}：{c.rejectionReason}</Descriptions.Item>}
            </Descriptions>
          </PageCard>
          {me?.role === 'finance_officer' && c.status === 'SUBMITTED' && decide(t('claims.check'), (body, key) => ok(api.POST('/v1/subsidy-claims/{id}/check', { ...path, body, ...idempotent(key) })))}
          {me?.role === 'finance_approver' && c.status === 'CHECKED' && decide(t('claims.approve'), (body, key) => ok(api.POST('/v1/subsidy-claims/{id}/approval', { ...path, body, ...idempotent(key) })))}
          {me?.role === 'bank_officer' && c.status === 'REJECTED' && <Link to="/claims">{t('claims.refile')}</Link>}
          <PageCard level={2} title={t('claims.lines')}>
            <Table rowKey={(r) => `${r.loanId}-${r.period}`} size="small" dataSource={c.lines} pagination={{ pageSize: 50 }} scroll={{ x: 700 }}
              columns={[
                { title: t('nav.loans'), dataIndex: 'loanId', render: (v: string) => <Link to={`/loans/${v}`}>{short(v)}</Link> },
                { title: t('loan.period'), dataIndex: 'period' },
                { title: t('loan.dueOn'), dataIndex: 'dueOn' },
                { title: t('loan.subsidy'), dataIndex: 'amount', align: 'right', render: money },
              ]} />
          </PageCard>
        </Space>
      )}
    </QueryView>
  );
}
