import { useState } from 'react';
import { Form, Input, Select, Space, Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { ClaimDecision, ClaimStatusTag, claimStep, ProgrammeClaimsCard } from '../components/ProgrammeClaims';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { QueryCard } from '../components/QueryCard';
import { everyPage } from '../lib/every-page';
import { formatMoney } from '../lib/money';
import { useSession } from '../session';

type Incubator = components['schemas']['Incubator'];
type Enterprise = components['schemas']['IncubatedEnterprise'];
type Reward = components['schemas']['IncubatorRewardClaim'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Incubator rewards (创业孵化奖励): the incubators and their enterprises; a finance officer files a
 * qualifying event with its evidence and checks it; a finance approver who did not check it approves.
 */
export default function IncubatorsPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  // Every incubator: the reward form chooses among them all, not the first page.
  const incubators = useQuery({ queryKey: ['incubators'], queryFn: async () => ({ items: await everyPage((p) => ok(api.GET('/v1/incubators', { params: { query: p } }))) }) });
  const rewards = useQuery({ queryKey: ['incubator-rewards'], queryFn: () => ok(api.GET('/v1/incubator-rewards', { params: { query: {} } })) });
  const officer = me?.role === 'finance_officer';
  return (
    <>
      <QueryCard title={t('programmes.incubators')} q={incubators} empty={(d) => d.items.length === 0}>
        {(page) => <IncubatorTable list={page.items} />}
      </QueryCard>
      {officer && (
        <QueryView q={incubators} empty={() => false}>
          {(page) => <FileReward list={page.items} />}
        </QueryView>
      )}
      <ProgrammeClaimsCard<Reward> title={t('programmes.rewards')} q={rewards} width={1600} openOnlyActed
        acts={(r) => claimStep(me?.role, r, 'finance_officer') !== undefined}
        detail={(r) => <RewardDecision r={r} />}
        columns={[
          { title: t('programmes.enterprise'), dataIndex: 'enterpriseName' },
          { title: t('programmes.operator'), dataIndex: 'operatorName' },
          { title: t('programmes.kind'), dataIndex: 'kind', render: (k: string, r) => `${t(`programmes.kinds.${k}`)}${r.exchange ? `（${t(`programmes.exchanges.${r.exchange}`)}）` : ''}` },
          { title: t('programmes.documentNo'), dataIndex: 'documentNo' },
          { title: t('programmes.eventOn'), dataIndex: 'eventOn' },
          { title: t('programmes.amountEach'), dataIndex: 'amountEach', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
          { title: t('common.status'), dataIndex: 'status', render: (s: string) => <ClaimStatusTag status={s} /> },
          { title: t('programmes.checkedBy'), dataIndex: 'checkedBy', render: (v: string | null) => v ?? '—' },
          // What the bureau's transfers must carry, so its statement matches them (docs/reconciliation.md).
          { title: t('programmes.operatorPaymentRef'), dataIndex: 'operatorPaymentRef', render: (v: string) => <Typography.Text code copyable>{v}</Typography.Text> },
          { title: t('programmes.enterprisePaymentRef'), dataIndex: 'enterprisePaymentRef', render: (v: string) => <Typography.Text code copyable>{v}</Typography.Text> },
        ]} />
    </>
  );
}

/** The incubators with their counts; a row opens its enterprises, a page at a time. */
function IncubatorTable({ list }: { list: Incubator[] }) {
  const { t } = useTranslation();
  return (
    <Table<Incubator> rowKey="id" size="small" dataSource={list} pagination={false} scroll={{ x: 800 }}
      expandable={{ rowExpandable: (i) => i.enterpriseCount > 0, expandedRowRender: (i) => <EnterpriseTable incubator={i} /> }}
      columns={[
        { title: t('programmes.incubator'), dataIndex: 'name' },
        { title: t('programmes.operator'), dataIndex: 'operatorName' },
        { title: t('programmes.region'), dataIndex: 'region' },
        { title: t('programmes.enterpriseCount'), dataIndex: 'enterpriseCount', align: 'right' },
        { title: t('programmes.incubatingCount'), dataIndex: 'incubatingCount', align: 'right' },
      ]} />
  );
}

function EnterpriseTable({ incubator }: { incubator: Incubator }) {
  const { t } = useTranslation();
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  const q = useQuery({
    queryKey: ['incubator', incubator.id, paging],
    queryFn: () => ok(api.GET('/v1/incubators/{id}', { params: { path: { id: incubator.id }, query: paging } })),
  });
  return (
    <QueryView q={q} empty={(d) => d.enterprises.length === 0}>
      {(d) => (
        <Table<Enterprise> rowKey="id" size="small" dataSource={d.enterprises} scroll={{ x: 700 }}
          pagination={{ current: d.enterprisesPage, pageSize: d.enterprisesPageSize, total: d.enterpriseCount, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }), onChange: (page, pageSize) => setPaging({ page, pageSize }) }}
          columns={[
            { title: t('programmes.enterprise'), dataIndex: 'name' },
            { title: t('programmes.creditCode'), dataIndex: 'creditCode' },
            { title: t('programmes.enteredOn'), dataIndex: 'enteredOn' },
            { title: t('programmes.graduatedOn'), dataIndex: 'graduatedOn', render: (v: string | null) => v ?? '—' },
          ]} />
      )}
    </QueryView>
  );
}

/** The enterprises of one incubator to choose from, all of them (the incubator counts them). */
function useEnterprises(incubatorId: string | undefined) {
  return useQuery({
    queryKey: ['incubator', incubatorId, 'choices'],
    enabled: Boolean(incubatorId),
    queryFn: () =>
      everyPage(async (p) => {
        const r = await ok(api.GET('/v1/incubators/{id}', { params: { path: { id: incubatorId! }, query: p } }));
        return { items: r.enterprises, total: r.enterpriseCount };
      }),
  });
}

function FileReward({ list }: { list: Incubator[] }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<components['schemas']['NewIncubatorRewardClaim']>();
  const kind = Form.useWatch('kind', form);
  const [incubatorId, setIncubatorId] = useState<string>();
  const enterprises = useEnterprises(incubatorId);
  return (
    <PageCard title={t('programmes.fileReward')}>
      <DecisionForm<components['schemas']['NewIncubatorRewardClaim']> form={form} submitLabel={t('common.submit')} initialValues={{ kind: 'high_tech' }}
        send={(body, key) => ok(api.POST('/v1/incubator-rewards', { body: { ...body, exchange: body.kind === 'listing' ? body.exchange : undefined }, ...idempotent(key) }))}>
        <Space wrap align="start">
          <Form.Item label={t('programmes.incubator')} htmlFor="reward-incubator" required>
            <Select id="reward-incubator" style={{ width: 280 }} value={incubatorId} options={list.map((i) => ({ value: i.id, label: i.name }))}
              onChange={(id: string) => { setIncubatorId(id); form.setFieldValue('enterpriseId', undefined); }} />
          </Form.Item>
          <Form.Item label={t('programmes.enterprise')} name="enterpriseId" rules={[{ required: true, message: t('forms.required') }]}>
            <Select style={{ width: 320 }} disabled={!incubatorId} loading={enterprises.isFetching}
              options={(enterprises.data ?? []).map((e) => ({ value: e.id, label: e.name }))} />
          </Form.Item>
          <Form.Item label={t('programmes.kind')} name="kind" rules={[{ required: true, message: t('forms.required') }]}>
            <Select style={{ width: 220 }} options={(['high_tech', 'listing', 'neeq_transfer'] as const).map((k) => ({ value: k, label: t(`programmes.kinds.${k}`) }))} />
          </Form.Item>
          {kind === 'listing' && (
            <Form.Item label={t('programmes.exchange')} name="exchange" rules={[{ required: true, message: t('forms.required') }]}>
              <Select style={{ width: 280 }} options={(['regional', 'neeq'] as const).map((x) => ({ value: x, label: t(`programmes.exchanges.${x}`) }))} />
            </Form.Item>
          )}
          <Form.Item label={t('programmes.documentNo')} name="documentNo" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input style={{ width: 220 }} /></Form.Item>
          <Form.Item label={t('programmes.eventOn')} name="eventOn" rules={[{ required: true, pattern: DATE, message: 'YYYY-MM-DD' }]}><Input style={{ width: 160 }} /></Form.Item>
        </Space>
      </DecisionForm>
    </PageCard>
  );
}

function RewardDecision({ r }: { r: Reward }) {
  const { me } = useSession();
  const path = { params: { path: { id: r.id } } };
  return (
    <ClaimDecision step={claimStep(me?.role, r, 'finance_officer')} checkChoices={['accept', 'refuse'] as const} initialCheck="accept"
      check={(body, key) => ok(api.POST('/v1/incubator-rewards/{id}/check', { ...path, body, ...idempotent(key) }))}
      approve={(body, key) => ok(api.POST('/v1/incubator-rewards/{id}/approval', { ...path, body, ...idempotent(key) }))} />
  );
}
