import { Card, Descriptions, Input, Radio, Select, Space, Tag, Timeline, Typography, Form, Alert, Button } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { QueryView } from '../components/States';
import { DecisionForm } from '../components/DecisionForm';
import { Countdown } from '../components/Countdown';
import { formatMoney, formatRate } from '../lib/money';
import { formatDateTime, todayInChina } from '../lib/dates';
import { short } from '../lib/url-state';
import { useSession } from '../session';
import { everyPage } from '../lib/every-page';

type App = components['schemas']['Application'];
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

function usePolicy(id: string | undefined) {
  return useQuery({
    queryKey: ['policies'],
    queryFn: () => everyPage((p) => ok(api.GET('/v1/policies', { params: { query: p } }))),
    enabled: Boolean(id),
    select: (all) => (Array.isArray(all) ? all : []).find((p) => p.id === id),
  });
}

function useOrgNames() {
  return useQuery({ queryKey: ['organisations'], queryFn: () => everyPage((p) => ok(api.GET('/v1/organisations', { params: { query: p } }))), staleTime: 300_000 });
}

export default function ApplicationPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ['application', id], queryFn: () => ok(api.GET('/v1/applications/{id}', { params: { path: { id } } })) });
  const orgs = useOrgNames();
  const orgName = (oid: string | null) => (oid ? (orgs.data ?? []).find((o) => o.id === oid)?.name ?? short(oid) : '—');
  const money = (v: string | null) => formatMoney(v, i18n.language);
  return (
    <QueryView q={q}>
      {(a) => (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>{t('detail.title')} {short(a.id)} <Tag>{t(`status.${a.status}`)}</Tag></Typography.Title>}>
            <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
              <Descriptions.Item label={t('common.name')}>{a.name}</Descriptions.Item>
              <Descriptions.Item label={t('apps.idNumber')}>{a.idNumber}</Descriptions.Item>
              <Descriptions.Item label={t('detail.targetGroup')}>{t(`targetGroup.${a.targetGroup}`)}</Descriptions.Item>
              <Descriptions.Item label={t('detail.certificate')}>{a.certificateNo}</Descriptions.Item>
              <Descriptions.Item label={t('apps.requested')}>{money(a.requestedAmount)}</Descriptions.Item>
              <Descriptions.Item label={t('apps.recommended')}>{money(a.recommendedAmount)}</Descriptions.Item>
              <Descriptions.Item label={t('apps.approved')}>{money(a.approvedAmount)}</Descriptions.Item>
              <Descriptions.Item label={t('apps.term')}>{a.termMonths}</Descriptions.Item>
              <Descriptions.Item label={t('detail.method')}>{t(`method.${a.repaymentMethod}`)}</Descriptions.Item>
              <Descriptions.Item label={t('detail.community')}>{orgName(a.communityId)}</Descriptions.Item>
              <Descriptions.Item label={t('detail.bank')}>{orgName(a.bankId)}</Descriptions.Item>
              <Descriptions.Item label={t('apps.submittedOn')}>{a.submittedOn}</Descriptions.Item>
              {a.stepDeadline && (
                <Descriptions.Item label={t('detail.deadline')}>
                  {formatDateTime(a.stepDeadline)} <Countdown deadline={a.stepDeadline} />
                </Descriptions.Item>
              )}
              {a.endReason && <Descriptions.Item label={t('detail.endReason')}>{a.endReason}</Descriptions.Item>}
              {a.loanId && (
                <Descriptions.Item label={t('nav.loans')}>
                  <Link to={`/loans/${a.loanId}`}>{t('detail.loan')}</Link>
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Decide a={a} />
          <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('detail.timeline')}</Typography.Title>}>
            <Timeline
              items={a.history.map((h) => ({
                color: h.decision === 'reject' || h.decision === 'rejected' || h.decision === 'expired' ? 'red' : h.decision === 'reminded' ? 'orange' : 'blue',
                content: (
                  <div>
                    <Typography.Text strong>{t(`step.${h.step}`, { defaultValue: h.step })}</Typography.Text>{' '}
                    <Tag>{t(`decision.${h.decision}`, { defaultValue: h.decision })}</Tag>
                    {h.amount && money(h.amount)}
                    <div>
                      {t('detail.when')}: {formatDateTime(h.at)} · {t('detail.who')}: {h.by ?? '—'}
                      {h.role ? `（${t(`role.${h.role}`, { defaultValue: h.role })}）` : ''}
                    </div>
                    {h.reason && <div>{t('detail.why')}: {h.reason}</div>}
                  </div>
                ),
              }))}
            />
          </Card>
        </Space>
      )}
    </QueryView>
  );
}

const reasonRule = (t: (k: string) => string) => [{ required: true, whitespace: true, message: t('forms.required') }];

/** The decision the signed-in user's role may take at the application's current step, if any. */
function Decide({ a }: { a: App }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const policy = usePolicy(a.policyId);
  const path = { params: { path: { id: a.id } } };
  const card = (title: string, body: React.ReactNode) => (
    <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{title}</Typography.Title>}>{body}</Card>
  );
  const moneyRules = [{ required: true, message: t('forms.required') }, { pattern: MONEY, message: t('forms.amountFormat') }];
  const decisionRadio = (
    <Radio.Group>
      <Radio value="approve">{t('decision.approve')}</Radio>
      <Radio value="reject">{t('decision.reject')}</Radio>
    </Radio.Group>
  );
  const reasonField = <Form.Item label={t('common.reason')} name="reason" rules={reasonRule(t)}><Input.TextArea rows={2} /></Form.Item>;
  const role = me?.role;

  if (role === 'community_officer' && a.status === 'AWAITING_COUNTER_GUARANTEE') {
    type V = components['schemas']['CounterGuaranteeDecision'];
    return card(
      t('forms.counterGuarantee'),
      <DecisionForm<V>
        initialValues={{ decision: 'approve', type: 'credit_community' }}
        send={(body, key) => ok(api.POST('/v1/applications/{id}/counter-guarantee', { ...path, body, ...idempotent(key) }))}
      >
        <Form.Item label={t('common.status')} name="decision" rules={[{ required: true }]}>{decisionRadio}</Form.Item>
        <Form.Item label={t('forms.type')} name="type" rules={[{ required: true }]}>
          <Select options={(['credit_community', 'guarantor', 'collateral'] as const).map((v) => ({ value: v, label: t(`counterType.${v}`) }))} />
        </Form.Item>
        {reasonField}
      </DecisionForm>,
    );
  }
  if (role === 'guarantee_reviewer' && a.status === 'AWAITING_GUARANTEE_REVIEW') {
    type V = components['schemas']['GuaranteeReview'];
    return card(
      t('forms.review'),
      <DecisionForm<V>
        initialValues={{ recommendation: 'approve', amount: a.requestedAmount }}
        send={(v, key) => ok(api.POST('/v1/applications/{id}/guarantee-review', { ...path, body: v.recommendation === 'approve' ? v : { recommendation: v.recommendation, reason: v.reason }, ...idempotent(key) }))}
      >
        <Form.Item label={t('forms.recommendation')} name="recommendation" rules={[{ required: true }]}>{decisionRadio}</Form.Item>
        <Form.Item label={t('forms.recommendedAmount')} name="amount" rules={moneyRules}><Input inputMode="decimal" /></Form.Item>
        {reasonField}
      </DecisionForm>,
    );
  }
  if (role === 'guarantee_approver' && a.status === 'AWAITING_GUARANTEE_APPROVAL') {
    type V = components['schemas']['GuaranteeApproval'];
    const reviewer = [...a.history].reverse().find((h) => h.step === 'guarantee_review')?.by ?? '—';
    return card(
      t('forms.approval'),
      <>
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('forms.reviewerNote', { name: reviewer })} />
        <DecisionForm<V>
            initialValues={{ decision: 'approve', amount: a.recommendedAmount ?? a.requestedAmount }}
          send={(v, key) => ok(api.POST('/v1/applications/{id}/guarantee-approval', { ...path, body: v.decision === 'approve' ? v : { decision: v.decision, reason: v.reason }, ...idempotent(key) }))}
        >
          <Form.Item label={t('common.status')} name="decision" rules={[{ required: true }]}>{decisionRadio}</Form.Item>
          <Form.Item label={t('apps.approved')} name="amount" rules={moneyRules}><Input inputMode="decimal" /></Form.Item>
          {reasonField}
        </DecisionForm>
      </>,
    );
  }
  if (role === 'bank_officer' && a.status === 'AWAITING_DISBURSAL') {
    type V = components['schemas']['Disbursal'];
    const cap = policy.data?.params.rateCap;
    return card(
      t('forms.disbursal'),
      <DecisionForm<V>
        initialValues={{ amount: a.approvedAmount ?? '', disbursedOn: todayInChina() }}
        send={(body, key) => ok(api.POST('/v1/applications/{id}/disbursal', { ...path, body, ...idempotent(key) }))}
      >
        <Form.Item label={t('forms.contractNo')} name="contractNo" rules={reasonRule(t)}><Input /></Form.Item>
        <Form.Item label={t('common.amount')} name="amount" rules={moneyRules}><Input inputMode="decimal" /></Form.Item>
        <Form.Item
          label={t('forms.annualRate')}
          name="annualRate"
          extra={cap ? t('forms.rateCap', { cap: formatRate(cap) }) : undefined}
          rules={[{ required: true, message: t('forms.required') }, { pattern: /^0(\.\d{1,6})?$/, message: t('forms.annualRate') }]}
        >
          <Input inputMode="decimal" />
        </Form.Item>
        <Form.Item label={t('forms.disbursedOn')} name="disbursedOn" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}><Input placeholder="YYYY-MM-DD" /></Form.Item>
        <Form.Item label={t('forms.bankReference')} name="bankReference" rules={reasonRule(t)}><Input /></Form.Item>
      </DecisionForm>,
    );
  }
  if (role === 'applicant' && ['AWAITING_COUNTER_GUARANTEE', 'AWAITING_GUARANTEE_REVIEW', 'AWAITING_GUARANTEE_APPROVAL', 'AWAITING_DISBURSAL'].includes(a.status)) {
    type V = components['schemas']['Withdrawal'];
    return card(
      t('detail.withdraw'),
      <DecisionForm<V> danger submitLabel={t('detail.withdraw')} send={(body, key) => ok(api.POST('/v1/applications/{id}/withdrawal', { ...path, body, ...idempotent(key) }))}>
        <Form.Item label={t('detail.withdrawReason')} name="reason" rules={reasonRule(t)}><Input /></Form.Item>
      </DecisionForm>,
    );
  }
  void Button;
  return null;
}
