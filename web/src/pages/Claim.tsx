import { Descriptions, Form, Input, Radio, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatMoney } from '../lib/money';
import { short, useUrlState } from '../lib/url-state';
import { useSession } from '../session';
import { useOrganisations } from '../lib/organisations';
import { CLAIM_COLOUR } from '../lib/colours';

type D = components['schemas']['SubsidyClaimDecision'];
type Claim = components['schemas']['SubsidyClaim'];

/** A quarterly subsidy claim (季度贴息申请): its lines, who filed, checked and approved it, and the step the caller may take. */
export default function ClaimPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  // A claim can have hundreds of thousands of lines: the server pages them.
  const { page, pageSize, set } = useUrlState([] as const);
  const q = useQuery({
    queryKey: ['claim', id, page, pageSize],
    queryFn: () => ok(api.GET('/v1/subsidy-claims/{id}', { params: { path: { id }, query: { page, pageSize } } })),
  });
  const orgs = useOrganisations();
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  const who = (name: string | null, reason: string | null) => (name ? `${name}${reason ? `：${reason}` : ''}` : '—');
  return (
    <QueryView q={q}>
      {(c) => (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <PageCard title={`${t('claims.one')} ${c.quarter} · ${short(c.id)}`}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label={t('common.status')}>
                <Tag color={CLAIM_COLOUR[c.status]}>{t(`claims.status.${c.status}`)}</Tag>{c.late && <Tag color="orange">{t('claims.late')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('claims.bank')}>{orgs.name(c.bankId)}</Descriptions.Item>
              <Descriptions.Item label={t('claims.total')}>{money(c.total)}</Descriptions.Item>
              <Descriptions.Item label={t('claims.filedOn')}>{c.filedOn}（{c.usernames.filedBy ?? '—'}）</Descriptions.Item>
              <Descriptions.Item label={t('claims.checkedBy')}>{who(c.usernames.checkedBy, c.checkReason)}</Descriptions.Item>
              <Descriptions.Item label={t('claims.approvedBy')}>{who(c.usernames.approvedBy, c.approvalReason)}</Descriptions.Item>
              {c.rejectionReason && <Descriptions.Item label={t('claims.rejectedBy')}>{who(c.usernames.rejectedBy, c.rejectionReason)}</Descriptions.Item>}
              {c.paidOn && <Descriptions.Item label={t('claims.paidOn')}>{c.paidOn}</Descriptions.Item>}
            </Descriptions>
          </PageCard>
          <Step c={c} />
          <PageCard level={2} title={t('claims.lines')}>
            <Table rowKey={(r) => `${r.loanId}-${r.period}`} size="small" dataSource={c.lines}
              pagination={{ current: c.linesPage, pageSize: c.linesPageSize, total: c.lineCount, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }} scroll={{ x: 800 }}
              columns={[
                { title: t('nav.loans'), dataIndex: 'loanId', render: (v: string) => <Link to={`/loans/${v}`}>{short(v)}</Link> },
                { title: t('loan.period'), dataIndex: 'period' },
                { title: t('loan.dueOn'), dataIndex: 'dueOn' },
                { title: t('claims.balanceAtStart'), dataIndex: 'balanceAtStart', align: 'right', render: money },
                { title: t('claims.balanceAtEnd'), dataIndex: 'balanceAtEnd', align: 'right', render: money },
                { title: t('loan.subsidy'), dataIndex: 'amount', align: 'right', render: money },
              ]} />
          </PageCard>
        </Space>
      )}
    </QueryView>
  );
}

/** The one step the signed-in person may take on this claim now, if any. */
function Step({ c }: { c: Claim }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const navigate = useNavigate();
  const path = { params: { path: { id: c.id } } };
  const decide = (title: string, note: string | null, send: (b: D, key: string) => Promise<unknown>) => (
    <PageCard level={2} title={title}>
      {note && <p>{note}</p>}
      <DecisionForm<D> submitLabel={t('common.submit')} initialValues={{ decision: 'approve' }} send={send}>
        <Form.Item label={t('forms.decision')} name="decision" rules={[{ required: true }]}>
          <Radio.Group><Radio value="approve">{t('decision.approve')}</Radio><Radio value="reject">{t('decision.reject')}</Radio></Radio.Group>
        </Form.Item>
        <Form.Item label={t('common.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input.TextArea rows={2} /></Form.Item>
      </DecisionForm>
    </PageCard>
  );
  const role = me?.role;
  if (role === 'finance_officer' && c.status === 'SUBMITTED') {
    return decide(t('claims.check'), null, (body, key) => ok(api.POST('/v1/subsidy-claims/{id}/check', { ...path, body, ...idempotent(key) })));
  }
  if (role === 'finance_approver' && c.status === 'CHECKED') {
    return decide(t('claims.approve'), t('claims.checkerNote', { name: c.usernames.checkedBy ?? '—' }), (body, key) => ok(api.POST('/v1/subsidy-claims/{id}/approval', { ...path, body, ...idempotent(key) })));
  }
  if ((role === 'finance_officer' || role === 'finance_approver') && c.status === 'PENDING_BUDGET') {
    return (
      <PageCard level={2} title={t('claims.pendingBudget')}>
        <p>{t('claims.pendingBudgetNote')} <Link to="/funds">{t('funds.title')}</Link></p>
        <DecisionForm<Record<string, never>> submitLabel={t('claims.retryPayment')} send={(_v, key) => ok(api.POST('/v1/subsidy-claims/{id}/payment', { ...path, ...idempotent(key) }))}>
          <span />
        </DecisionForm>
      </PageCard>
    );
  }
  if (role === 'finance_approver' && c.status === 'PAYOUT_REVERSED') {
    return (
      <PageCard level={2} title={t('claims.payAgain')}>
        <DecisionForm<{ reason: string }> submitLabel={t('claims.payAgain')} send={(body, key) => ok(api.POST('/v1/subsidy-claims/{id}/payout', { ...path, body, ...idempotent(key) }))}>
          <Form.Item label={t('common.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
        </DecisionForm>
      </PageCard>
    );
  }
  if (role === 'bank_officer' && c.status === 'REJECTED') {
    return (
      <PageCard level={2} title={t('claims.refile')}>
        <p>{t('claims.refileNote', { quarter: c.quarter })}</p>
        <DecisionForm<Record<string, never>>
          submitLabel={t('claims.refile')}
          send={(_v, key) => ok(api.POST('/v1/subsidy-claims', { body: { quarter: c.quarter }, ...idempotent(key) }))}
          onDone={(r) => navigate(`/claims/${(r as { id: string }).id}`)}
        >
          <span />
        </DecisionForm>
      </PageCard>
    );
  }
  return null;
}
