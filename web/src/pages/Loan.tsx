import { useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ApiFailure, api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { Failed, QueryView } from '../components/States';
import { QueryCard } from '../components/QueryCard';
import { formatMoney, formatRate } from '../lib/money';
import { todayInChina } from '../lib/dates';
import { useSession } from '../session';

type Loan = components['schemas']['Loan'];
type Period = Loan['schedule'][number];
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STATUS_COLOUR: Record<string, string | undefined> = { paid_on_time: 'green', paid_late: 'orange', overdue: 'red', defaulted: 'red', partially_paid: 'gold' };

/** A loan: its schedule (on time or not, the subsidy each period earned), repayments and, after a default, its 代偿 and recoveries. */
export default function LoanPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const q = useQuery({ queryKey: ['loan', id], queryFn: () => ok(api.GET('/v1/loans/{id}', { params: { path: { id } } })) });
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  const guarantor = me?.role === 'guarantee_reviewer' || me?.role === 'guarantee_approver';
  return (
    <QueryView q={q}>
      {(l) => (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <PageCard title={`${me?.role === 'applicant' ? t('loan.mine') : t('loan.title')} ${l.contractNo}`}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label={t('common.status')}><Tag color={l.status === 'DEFAULTED' ? 'red' : undefined}>{t(`status.${l.status}`)}</Tag></Descriptions.Item>
              <Descriptions.Item label={t('loan.principal')}>{money(l.principal)}</Descriptions.Item>
              <Descriptions.Item label={t('loan.outstanding')}>{money(l.outstanding)}</Descriptions.Item>
              <Descriptions.Item label={t('loan.rate')}>{formatRate(l.annualRate)}</Descriptions.Item>
              <Descriptions.Item label={t('detail.method')}>{t(`method.${l.repaymentMethod}`)}</Descriptions.Item>
              <Descriptions.Item label={t('loan.disbursedOn')}>{l.disbursedOn}</Descriptions.Item>
              <Descriptions.Item label={t('loan.maturity')}>{l.maturityOn ?? '—'}{l.extendedMonths > 0 ? `（${t('loan.extended', { count: l.extendedMonths })}）` : ''}</Descriptions.Item>
              <Descriptions.Item label={t('loan.subsidyEarned')}>{money(l.subsidyEarned)}</Descriptions.Item>
              <Descriptions.Item label={t('loan.onTimeCount')}>{t('loan.onTimeOf', { on: l.schedule.filter((p) => p.onTime === true).length, late: l.schedule.filter((p) => p.onTime === false).length })}</Descriptions.Item>
              {l.endReason && <Descriptions.Item label={t('detail.endReason')}>{l.endedOn} {l.endReason}</Descriptions.Item>}
              <Descriptions.Item label={t('detail.title')}><Link to={`/applications/${l.applicationId}`}>{t('loan.application')}</Link></Descriptions.Item>
            </Descriptions>
          </PageCard>
          {l.default && <DefaultCard l={l} />}
          {me?.role === 'bank_officer' && l.status === 'REPAYING' && <BankActions loan={l} />}
          {guarantor && l.status === 'DEFAULTED' && l.default && <Recovery loan={l} />}
          {me && FOLLOW_UP_READERS.includes(me.role) && <FollowUp loan={l} canRecord={me.role === 'community_officer' || guarantor} />}
          <PageCard level={2} title={t('loan.schedule')}>
            <Table<Period> rowKey="period" size="small" pagination={false} dataSource={l.schedule} scroll={{ x: 900 }}
              columns={[
                { title: t('loan.period'), dataIndex: 'period' },
                { title: t('loan.dueOn'), dataIndex: 'dueOn' },
                { title: t('loan.due'), dataIndex: 'amountDue', align: 'right', render: money },
                { title: t('loan.interest'), dataIndex: 'interest', align: 'right', render: money },
                { title: t('loan.paid'), dataIndex: 'paid', align: 'right', render: money },
                { title: t('loan.paidOn'), dataIndex: 'paidOn', render: (v: string | null) => v ?? '—' },
                {
                  title: t('common.status'), dataIndex: 'status',
                  render: (s: string, r) => <Tag color={STATUS_COLOUR[s]}>{t(`loan.periodStatus.${s}`, { defaultValue: s })}{r.extended ? ` · ${t('loan.extension')}` : ''}</Tag>,
                },
                { title: t('loan.subsidy'), dataIndex: 'subsidy', align: 'right', render: money },
              ]} />
          </PageCard>
          <PageCard level={2} title={t('loan.repayments')}>
            <Table rowKey={(r) => `${r.period}-${r.bankReference}`} size="small" pagination={false} dataSource={l.repayments} scroll={{ x: 700 }}
              locale={{ emptyText: t('common.empty') }}
              columns={[
                { title: t('loan.period'), dataIndex: 'period' },
                { title: t('loan.paidOn'), dataIndex: 'paidOn' },
                { title: t('common.kind'), dataIndex: 'kind', render: (k: string) => t(`loan.repaymentKind.${k}`, { defaultValue: k }) },
                { title: t('common.amount'), dataIndex: 'amount', align: 'right', render: money },
                { title: t('forms.bankReference'), dataIndex: 'bankReference' },
              ]} />
          </PageCard>
        </Space>
      )}
    </QueryView>
  );
}

function DefaultCard({ l }: { l: Loan }) {
  const { t, i18n } = useTranslation();
  const d = l.default!;
  const money = (v: string) => formatMoney(v, i18n.language);
  return (
    <PageCard level={2} title={t('loan.default')}>
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
        <Descriptions.Item label={t('loan.defaultedOn')}>{d.on}</Descriptions.Item>
        <Descriptions.Item label={t('loan.lossPrincipal')}>{money(d.lossPrincipal)}</Descriptions.Item>
        <Descriptions.Item label={t('loan.lossInterest')}>{money(d.lossInterest)}</Descriptions.Item>
        <Descriptions.Item label={t('loan.byFund')}>{money(d.compensatedByFund)}</Descriptions.Item>
        <Descriptions.Item label={t('loan.byCompany')}>{money(d.compensatedByCompany)}</Descriptions.Item>
        <Descriptions.Item label={t('loan.byBank')}>{money(d.borneByBank)}</Descriptions.Item>
        <Descriptions.Item label={t('loan.recovered')}>{money(d.recovered)}</Descriptions.Item>
      </Descriptions>
    </PageCard>
  );
}

/** The bank's controls on a loan being repaid: a repayment, an early full repayment (提前还款), the one extension (展期). */
function BankActions({ loan }: { loan: Loan }) {
  const { t } = useTranslation();
  const next = loan.schedule.find((s) => s.status !== 'paid_on_time' && s.status !== 'paid_late' && s.paid !== s.amountDue) ?? loan.schedule[0];
  type V = components['schemas']['Repayment'];
  type E = components['schemas']['Extension'];
  const path = { params: { path: { id: loan.id } } };
  return (
    <Space align="start" wrap style={{ width: '100%' }}>
      <PageCard level={2} title={t('loan.repay')}>
        <DecisionForm<V>
          key={`${next?.period}-${next?.paid}`}
          submitLabel={t('common.submit')}
          // The amount still due of the first period not paid in full, as the server sent it.
          initialValues={{ period: next?.period, amount: next?.amountDue, paidOn: todayInChina() }}
          send={(body, key) => ok(api.POST('/v1/loans/{id}/repayments', { ...path, body, ...idempotent(key) }))}
        >
          <Form.Item label={t('loan.period')} name="period" rules={[{ required: true, message: t('forms.required') }]}><InputNumber min={1} precision={0} /></Form.Item>
          <Form.Item label={t('common.amount')} name="amount" rules={[{ required: true, pattern: MONEY, message: t('forms.amountFormat') }]}><Input inputMode="decimal" /></Form.Item>
          <Form.Item label={t('loan.paidOn')} name="paidOn" rules={[{ required: true, pattern: DATE, message: 'YYYY-MM-DD' }]}><Input /></Form.Item>
          <Form.Item label={t('forms.bankReference')} name="bankReference" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
        </DecisionForm>
      </PageCard>
      <EarlyRepayment loan={loan} />
      {loan.extendedMonths === 0 && (
        <PageCard level={2} title={t('loan.extension')}>
          <DecisionForm<E> submitLabel={t('loan.extend')} send={(body, key) => ok(api.POST('/v1/loans/{id}/extension', { ...path, body, ...idempotent(key) }))}>
            <Form.Item label={t('loan.months')} name="months" rules={[{ required: true, message: t('forms.required') }]}><InputNumber min={1} precision={0} /></Form.Item>
            <Form.Item label={t('common.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
          </DecisionForm>
        </PageCard>
      )}
    </Space>
  );
}

/**
 * Early full repayment: the server quotes what repays the loan on the chosen day (its own rule:
 * principal outstanding plus the broken period's interest for the actual days); the bank sends
 * exactly that, with its reference.
 */
function EarlyRepayment({ loan }: { loan: Loan }) {
  const { t, i18n } = useTranslation();
  const [on, setOn] = useState<string | undefined>(undefined);
  const [typed, setTyped] = useState('');
  const quote = useQuery({
    queryKey: ['payoff', loan.id, on ?? 'today', loan.outstanding],
    queryFn: () => ok(api.GET('/v1/loans/{id}/payoff', { params: { path: { id: loan.id }, query: on ? { paidOn: on } : {} } })),
    retry: false,
  });
  const money = (v: string) => formatMoney(v, i18n.language);
  const q = quote.data;
  return (
    <PageCard level={2} title={t('loan.early')}>
      <Space.Compact style={{ marginBottom: 12 }}>
        <Input aria-label={t('loan.earlyOn')} placeholder={t('loan.earlyOnToday')} value={typed} onChange={(e) => setTyped(e.target.value)} style={{ width: 180 }} />
        <Button onClick={() => setOn(DATE.test(typed.trim()) ? typed.trim() : undefined)}>{t('loan.quote')}</Button>
      </Space.Compact>
      {quote.isError && (quote.error instanceof ApiFailure && quote.error.status === 409 ? <Alert type="info" showIcon title={quote.error.message} /> : <Failed error={quote.error} />)}
      {q && (
        <>
          <Alert type="info" showIcon role="status" style={{ marginBottom: 12 }}
            title={t('loan.quoteAmount', { amount: money(q.amount), on: q.paidOn })}
            description={t('loan.quoteParts', { principal: money(q.principal), interest: money(q.interest), subsidy: money(q.subsidy) })} />
          <DecisionForm<{ bankReference: string }>
            key={`${q.paidOn}-${q.amount}`}
            danger
            submitLabel={t('loan.earlySubmit')}
            send={(v, key) => ok(api.POST('/v1/loans/{id}/repayments', { params: { path: { id: loan.id } }, body: { period: q.period, amount: q.amount, paidOn: q.paidOn, bankReference: v.bankReference }, ...idempotent(key) }))}
          >
            <Form.Item label={t('forms.bankReference')} name="bankReference" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
          </DecisionForm>
        </>
      )}
    </PageCard>
  );
}

/** Money the guarantee company recovered from the borrower after the 代偿 (追偿). */
function Recovery({ loan }: { loan: Loan }) {
  const { t, i18n } = useTranslation();
  const d = loan.default!;
  type R = components['schemas']['Recovery'];
  return (
    <PageCard level={2} title={t('loan.recovery')}>
      <p>{t('loan.toRecover', { compensated: formatMoney(d.compensatedByFund, i18n.language), company: formatMoney(d.compensatedByCompany, i18n.language), recovered: formatMoney(d.recovered, i18n.language) })}</p>
      <DecisionForm<R>
        submitLabel={t('loan.recordRecovery')}
        initialValues={{ receivedOn: todayInChina() }}
        send={(body, key) => ok(api.POST('/v1/loans/{id}/recoveries', { params: { path: { id: loan.id } }, body, ...idempotent(key) }))}
      >
        <Space wrap align="start">
          <Form.Item label={t('common.amount')} name="amount" rules={[{ required: true, pattern: MONEY, message: t('forms.amountFormat') }]}><Input inputMode="decimal" /></Form.Item>
          <Form.Item label={t('loan.receivedOn')} name="receivedOn" rules={[{ required: true, pattern: DATE, message: 'YYYY-MM-DD' }]}><Input /></Form.Item>
          <Form.Item label={t('loan.reference')} name="reference" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
        </Space>
        <Form.Item label={t('loan.note')} name="note"><Input /></Form.Item>
      </DecisionForm>
    </PageCard>
  );
}

type FollowUpView = components['schemas']['LoanFollowUp'];
type VisitRow = FollowUpView['visits'][number];
type VisitBody = components['schemas']['FollowUpVisit'];
const FOLLOW_UP_READERS = ['community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor'];
const STATE_COLOUR: Record<string, string | undefined> = { recorded: 'green', due: 'gold', overdue: 'red' };
const STATUSES = ['operating', 'suspended', 'closed', 'moved'] as const;

/**
 * The business's follow-up visits (跟踪回访, docs/programmes.md): each one due, and what was found.
 * The borrower's community officer and the guarantee company's officers record a visit that is due;
 * my tasks open this screen with that visit chosen (`?visit=`).
 */
function FollowUp({ loan, canRecord }: { loan: Loan; canRecord: boolean }) {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const q = useQuery({ queryKey: ['follow-up', loan.id], queryFn: () => ok(api.GET('/v1/loans/{id}/follow-up', { params: { path: { id: loan.id } } })) });
  const open = (q.data?.visits ?? []).filter((v) => v.state === 'due' || v.state === 'overdue');
  const asked = Number(search.get('visit'));
  const chosen = open.find((v) => v.months === asked) ?? open[0];
  return (
    <QueryCard level={2} title={t('followUp.title')} q={q} empty={(d) => d.visits.length === 0} emptyText={t('followUp.none')}>
      {(f) => (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Table<VisitRow> rowKey="months" size="small" pagination={false} dataSource={f.visits} scroll={{ x: 900 }}
            columns={[
              { title: t('followUp.months'), dataIndex: 'months', render: (m: number) => t('followUp.monthsOf', { count: m }) },
              { title: t('followUp.dueOn'), dataIndex: 'dueOn' },
              { title: t('followUp.overdueOn'), dataIndex: 'overdueOn' },
              { title: t('followUp.state'), dataIndex: 'state', render: (s: string, r) => <Tag color={STATE_COLOUR[s]}>{t(`followUp.states.${s}`)}{r.visit?.late ? ` · ${t('followUp.late')}` : ''}</Tag> },
              { title: t('followUp.visitedOn'), key: 'visitedOn', render: (_: unknown, r) => r.visit?.visitedOn ?? '—' },
              { title: t('followUp.operatingStatus'), key: 'status', render: (_: unknown, r) => (r.visit ? t(`followUp.statuses.${r.visit.operatingStatus}`) : '—') },
              { title: t('followUp.employees'), key: 'employees', align: 'right', render: (_: unknown, r) => r.visit?.employees ?? '—' },
              { title: t('followUp.registrationNo'), key: 'reg', render: (_: unknown, r) => r.visit?.businessRegistrationNo ?? '—' },
              { title: t('followUp.note'), key: 'note', render: (_: unknown, r) => r.visit?.note || '—' },
              { title: t('followUp.recordedBy'), key: 'by', render: (_: unknown, r) => r.visit?.recordedBy ?? '—' },
            ]} />
          {canRecord && chosen && <VisitForm loanId={loan.id} open={open} chosen={chosen} />}
        </Space>
      )}
    </QueryCard>
  );
}

function VisitForm({ loanId, open, chosen }: { loanId: string; open: VisitRow[]; chosen: VisitRow }) {
  const { t } = useTranslation();
  return (
    <DecisionForm<VisitBody>
      key={chosen.months}
      submitLabel={t('followUp.record')}
      initialValues={{ months: chosen.months, visitedOn: todayInChina(), operatingStatus: 'operating' }}
      // An empty registration number means "not registered".
      send={(v, key) => ok(api.POST('/v1/loans/{id}/follow-up-visits', { params: { path: { id: loanId } }, body: { ...v, businessRegistrationNo: v.businessRegistrationNo?.trim() || null, note: v.note ?? '' }, ...idempotent(key) }))}
    >
      <Space wrap align="start">
        <Form.Item label={t('followUp.months')} name="months" rules={[{ required: true, message: t('forms.required') }]}>
          <Select style={{ width: 200 }} options={open.map((v) => ({ value: v.months, label: `${t('followUp.monthsOf', { count: v.months })}（${v.dueOn}）` }))} />
        </Form.Item>
        <Form.Item label={t('followUp.visitedOn')} name="visitedOn" rules={[{ required: true, pattern: DATE, message: 'YYYY-MM-DD' }]}><Input style={{ width: 160 }} /></Form.Item>
        <Form.Item label={t('followUp.operatingStatus')} name="operatingStatus" rules={[{ required: true, message: t('forms.required') }]}>
          <Select style={{ width: 160 }} options={STATUSES.map((s) => ({ value: s, label: t(`followUp.statuses.${s}`) }))} />
        </Form.Item>
        <Form.Item label={t('followUp.employees')} name="employees" rules={[{ required: true, message: t('forms.required') }]}><InputNumber min={0} precision={0} style={{ width: 160 }} /></Form.Item>
      </Space>
      <Form.Item label={t('followUp.registrationNo')} name="businessRegistrationNo" extra={t('followUp.registrationHelp')}><Input maxLength={18} style={{ width: 260 }} /></Form.Item>
      <Form.Item label={t('followUp.note')} name="note"><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
    </DecisionForm>
  );
}
