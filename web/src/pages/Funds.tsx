import { Descriptions, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { ProposalTable } from '../components/ProposalTable';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { QueryCard } from '../components/QueryCard';
import { formatMoney } from '../lib/money';
import { useUrlState } from '../lib/url-state';
import { useLocalPage } from '../lib/paged-list';
import { useSession } from '../session';

type Fund = components['schemas']['Fund'];
type Proposal = components['schemas']['FinanceProposal'];
const MONEY = /^\d{1,15}(\.\d{1,2})?$/;

/** The special fund (专项资金) by year: its budget, and top-ups proposed by one person and decided by another. */
export default function FundsPage() {
  const { me } = useSession();
  const q = useQuery({ queryKey: ['funds'], queryFn: () => ok(api.GET('/v1/funds', { params: { query: {} } })) });
  const finance = me?.role === 'finance_officer' || me?.role === 'finance_approver';
  return (
    <>
      {finance && <OpenFund />}
      <YearEnd />
      <QueryView q={q} empty={(d) => d.length === 0}>
        {(funds) => <>{[...funds].sort((a, b) => b.year - a.year).map((f) => <FundCard key={f.id} f={f} />)}</>}
      </QueryView>
    </>
  );
}

const PROGRAMMES = ['interest_subsidy', 'training_subsidy', 'incubator_rewards'] as const;
const thisYear = () => Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));

/** Finance opens a programme's fund for a year; its budget then comes by top-ups. */
function OpenFund() {
  const { t } = useTranslation();
  return (
    <PageCard title={t('funds.open')}>
      <DecisionForm<components['schemas']['FundCreate']> submitLabel={t('funds.open')} initialValues={{ programme: 'training_subsidy', year: thisYear() }}
        send={(body, key) => ok(api.POST('/v1/funds', { body, ...idempotent(key) }))}>
        <Space wrap align="start">
          <Form.Item label={t('funds.programmeLabel')} name="programme" rules={[{ required: true, message: t('forms.required') }]}>
            <Select style={{ width: 200 }} options={PROGRAMMES.map((p) => ({ value: p, label: t(`funds.programme.${p}`) }))} />
          </Form.Item>
          <Form.Item label={t('funds.year')} name="year" rules={[{ required: true, message: t('forms.required') }]}><InputNumber min={2000} max={2200} precision={0} /></Form.Item>
          <Form.Item label={t('funds.name')} name="name" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input style={{ width: 280 }} /></Form.Item>
        </Space>
      </DecisionForm>
    </PageCard>
  );
}

/** The year-end view: per fund of a year, budget, reserved, paid and lapsed; the approver lapses an ended year's fund. */
function YearEnd() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const [year, setYear] = useState(thisYear() - 1);
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  const q = useQuery({ queryKey: ['year-end', year], queryFn: () => ok(api.GET('/v1/funds/year-end', { params: { query: { year } } })) });
  type Row = components['schemas']['FundYearEnd'];
  return (
    <PageCard title={t('funds.yearEnd')} extra={<InputNumber aria-label={t('funds.year')} controls={false} min={2000} max={2200} precision={0} value={year} onChange={(v) => v && setYear(v)} />}>
      {me?.role === 'finance_approver' && <p className="lf-muted">{t('funds.lapseNote')}</p>}
      <QueryView q={q} empty={(d) => d.length === 0}>
        {(rows) => (
          <Table<Row> rowKey="id" size="small" dataSource={rows} pagination={false} scroll={{ x: 900 }}
            columns={[
              { title: t('funds.programmeLabel'), dataIndex: 'programme', render: (p: string) => t(`funds.programme.${p}`) },
              { title: t('funds.name'), dataIndex: 'name' },
              { title: t('funds.budget'), dataIndex: 'budget', align: 'right', render: money },
              { title: t('funds.reserved'), dataIndex: 'reserved', align: 'right', render: money },
              { title: t('funds.paid'), dataIndex: 'paid', align: 'right', render: money },
              { title: t('funds.lapsed'), dataIndex: 'lapsed', align: 'right', render: money },
              { title: t('funds.available'), dataIndex: 'available', align: 'right', render: money },
              {
                title: t('common.status'), dataIndex: 'yearEnded',
                render: (ended: boolean, r) =>
                  ended && me?.role === 'finance_approver' && r.available !== '0.00' ? (
                    <DecisionForm<Record<string, never>> submitLabel={t('funds.lapse')} send={(_b, key) => ok(api.POST('/v1/funds/{id}/lapse', { params: { path: { id: r.id } }, ...idempotent(key) }))}>
                      <span />
                    </DecisionForm>
                  ) : (
                    <Tag color={ended ? 'default' : 'blue'}>{t(ended ? 'funds.yearEnded' : 'funds.yearOpen')}</Tag>
                  ),
              },
            ]} />
        )}
      </QueryView>
    </PageCard>
  );
}

function FundCard({ f }: { f: Fund }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { values } = useUrlState(['fund', 'proposal'] as const);
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  const amountColumn: ColumnsType<Proposal> = [{ title: t('common.amount'), dataIndex: 'amount', align: 'right', render: money }];
  const path = { params: { path: { id: f.id } } };
  const paging = useLocalPage((n) => t('common.total', { count: n }));
  const proposals = useQuery({
    queryKey: ['top-ups', f.id, paging.page, paging.pageSize],
    queryFn: () => ok(api.GET('/v1/funds/{id}/top-ups', { params: { path: { id: f.id }, query: { page: paging.page, pageSize: paging.pageSize } } })),
  });
  const finance = me?.role === 'finance_officer' || me?.role === 'finance_approver';
  const decides = (p: Proposal) => me?.role === 'finance_approver' && p.status === 'pending';
  // A task's link names its fund and proposal; a proposal not on this page is fetched and shown above the list.
  const linkedId = values.fund === f.id ? values.proposal : undefined;
  const linkedOnPage = proposals.data?.items.some((p) => p.id === linkedId) ?? false;
  const linked = useQuery({
    queryKey: ['top-up', f.id, linkedId],
    enabled: linkedId !== undefined && proposals.isSuccess && !linkedOnPage,
    queryFn: () => ok(api.GET('/v1/funds/{id}/top-ups/{proposalId}', { params: { path: { id: f.id, proposalId: linkedId! } } })),
  });
  const decide = (r: Proposal, body: { decision: 'approve' | 'reject'; reason: string }, key: string) =>
    ok(api.POST('/v1/funds/{id}/top-ups/{proposalId}/decision', { params: { path: { id: f.id, proposalId: r.id } }, body, ...idempotent(key) }));
  return (
    <PageCard title={`${t(`funds.programme.${f.programme}`)} · ${f.name} · ${f.year}`}>
      <Descriptions size="small" column={{ xs: 1, md: 5 }}
        items={(['budget', 'reserved', 'paid', 'available', 'lapsed'] as const).map((k) => ({ key: k, label: t(`funds.${k}`), children: money(f[k]) }))} />
      {finance && (
        <PageCard level={2} title={t('funds.topUp')}>
          <p className="lf-muted">{t('funds.topUpNote')}</p>
          <DecisionForm<components['schemas']['FundTopUp']> submitLabel={t('funds.propose')} send={(body, key) => ok(api.POST('/v1/funds/{id}/top-ups', { ...path, body, ...idempotent(key) }))}>
            <Space wrap align="start">
              <Form.Item label={t('funds.topUpAmount')} name="amount" rules={[{ required: true, pattern: MONEY, message: t('forms.amountFormat') }]}><Input inputMode="decimal" /></Form.Item>
              <Form.Item label={t('common.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input style={{ width: 320 }} /></Form.Item>
            </Space>
          </DecisionForm>
        </PageCard>
      )}
      {linked.data && !linkedOnPage && (
        <PageCard level={2} title={t('funds.linkedProposal')}>
          <ProposalTable proposals={[linked.data]} submitLabel={t('funds.decide')} expanded={[linked.data.id]} leading={amountColumn} decide={decide} />
        </PageCard>
      )}
      <QueryCard level={2} title={t('funds.proposals')} q={proposals} empty={(d) => d.total === 0}>
        {({ items: list, total }) => (
          <ProposalTable key={paging.page} proposals={list} submitLabel={t('funds.decide')} pagination={paging.pagination(total)}
            expanded={values.proposal ? [values.proposal] : list.filter(decides).map((p) => p.id)}
            leading={amountColumn} decide={decide} />
        )}
      </QueryCard>
    </PageCard>
  );
}
