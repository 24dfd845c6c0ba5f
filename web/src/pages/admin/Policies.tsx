import { Alert, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, idempotent, ok } from '../../api/client';
import type { components } from '../../api/schema';
import { DecisionForm } from '../../components/DecisionForm';
import { PageCard } from '../../components/PageCard';
import { QueryView } from '../../components/States';
import { todayInChina } from '../../lib/dates';
import { everyPage } from '../../lib/every-page';

type Version = components['schemas']['PolicyVersion'];
type Params = Version['params'];
type Flat = Record<string, string | number | undefined>;

/** Every parameter, as the form shows it: money and rates as text (never a JS number), counts as whole numbers. */
const REWARD_KINDS = ['high_tech', 'listing', 'neeq_transfer'] as const;
const FIELDS: Array<{ key: string; kind: 'money' | 'rate' | 'int' | 'mode' | 'months' | 'rewardMoney' | 'rewardMonths' }> = [
  { key: 'guaranteeMin', kind: 'money' }, { key: 'guaranteeMax', kind: 'money' },
  { key: 'termMonthsMin', kind: 'int' }, { key: 'termMonthsMax', kind: 'int' }, { key: 'extensionMaxMonths', kind: 'int' },
  { key: 'rateCap', kind: 'rate' }, { key: 'subsidyMode', kind: 'mode' }, { key: 'subsidyShare', kind: 'rate' }, { key: 'borrowerRateFloor', kind: 'rate' },
  { key: 'graceDays', kind: 'int' }, { key: 'defaultAfterDays', kind: 'int' },
  { key: 'lossSharing.guaranteeFund', kind: 'rate' }, { key: 'lossSharing.bank', kind: 'rate' }, { key: 'lossSharing.guaranteeCompany', kind: 'rate' },
  { key: 'leverageCap', kind: 'int' }, { key: 'guaranteeFeeRate', kind: 'rate' }, { key: 'maxActiveLoans', kind: 'int' }, { key: 'maxLifetimeLoans', kind: 'int' },
  { key: 'certificateMaxAgeMonths', kind: 'int' }, { key: 'counterGuaranteeDays', kind: 'int' }, { key: 'guaranteeDecisionDays', kind: 'int' },
  { key: 'disbursalDays', kind: 'int' }, { key: 'backdatingWindowDays', kind: 'int' }, { key: 'ageMin', kind: 'int' }, { key: 'ageMax', kind: 'int' },
  { key: 'followUpMonths', kind: 'months' }, { key: 'followUpVisitDays', kind: 'int' },
  // The programmes' (docs/programmes.md): a reward left blank is not paid; a blank window has no limit.
  { key: 'trainingSubsidy.basePerPassed', kind: 'money' }, { key: 'trainingSubsidy.outcomePerStarted', kind: 'money' }, { key: 'trainingSubsidy.outcomeMonths', kind: 'int' },
  ...REWARD_KINDS.flatMap((k) => [{ key: `incubatorRewards.${k}.amountEach`, kind: 'rewardMoney' as const }, { key: `incubatorRewards.${k}.monthsAfterGraduation`, kind: 'rewardMonths' as const }]),
];
/** Months after disbursal, as typed: whole numbers separated by commas. */
const MONTHS = /^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$/;
const DECIMAL = /^\d{1,12}(\.\d{1,6})?$/;

/** The form's names are flat (`lossSharing.bank` → `lossSharing__bank`): Ant Design reads a dot as nesting. */
const fieldName = (key: string) => key.replaceAll('.', '__');

function flatten(p: Params): Flat {
  const { lossSharing, followUpMonths, trainingSubsidy, incubatorRewards, ...rest } = p;
  const rewards: Flat = {};
  for (const k of REWARD_KINDS) {
    const rule = incubatorRewards[k];
    rewards[`incubatorRewards.${k}.amountEach`] = rule?.amountEach ?? '';
    rewards[`incubatorRewards.${k}.monthsAfterGraduation`] = rule?.monthsAfterGraduation ?? '';
  }
  return {
    ...rest, 'lossSharing.guaranteeFund': lossSharing.guaranteeFund, 'lossSharing.bank': lossSharing.bank, 'lossSharing.guaranteeCompany': lossSharing.guaranteeCompany,
    followUpMonths: followUpMonths.join(','),
    'trainingSubsidy.basePerPassed': trainingSubsidy.basePerPassed, 'trainingSubsidy.outcomePerStarted': trainingSubsidy.outcomePerStarted, 'trainingSubsidy.outcomeMonths': trainingSubsidy.outcomeMonths,
    ...rewards,
  };
}

/** A decimal's text without trailing zeros, so 0.06 and 0.0600 compare equal; text only, no arithmetic. */
function canonical(v: string | number | undefined): string {
  if (v === undefined || v === null) return '';
  const s = String(v).trim();
  if (!/^\d+\.\d+$/.test(s)) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** The version a new one effective on `day` follows: the latest with an effective date on or before it. */
function versionBefore(all: Version[], day: string): Version | undefined {
  return [...all].filter((v) => v.effectiveFrom <= day).sort((a, b) => (a.effectiveFrom === b.effectiveFrom ? (a.createdAt < b.createdAt ? 1 : -1) : a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
}

function diff(before: Flat | undefined, after: Flat): Array<{ key: string; before: string; after: string }> {
  if (!before) return [];
  return FIELDS.filter((f) => canonical(before[f.key]) !== canonical(after[f.key])).map((f) => ({ key: f.key, before: String(before[f.key] ?? '—'), after: String(after[f.key] ?? '—') }));
}

/** Policy versions (政策版本): each effective from a date; a new one shows what it changes from the version it follows. */
export default function PoliciesPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['policies'], queryFn: () => everyPage((p) => ok(api.GET('/v1/policies', { params: { query: p } }))) });
  return (
    <QueryView q={q} empty={(d) => d.length === 0}>
      {(all) => {
        const sorted = [...all].sort((a, b) => (a.effectiveFrom === b.effectiveFrom ? (a.createdAt < b.createdAt ? -1 : 1) : a.effectiveFrom < b.effectiveFrom ? -1 : 1));
        const rows = sorted.map((p, i) => ({ ...p, diff: diff(sorted[i - 1] ? flatten(sorted[i - 1]!.params) : undefined, flatten(p.params)) })).reverse();
        return (
          <>
            <NewVersion all={all} />
            <PageCard level={2} title={t('admin.policies')}>
              <Table rowKey="id" size="small" dataSource={rows} pagination={{ pageSize: 20, hideOnSinglePage: true }} scroll={{ x: 700 }}
                columns={[
                  { title: t('admin.effectiveFrom'), dataIndex: 'effectiveFrom', width: 140 },
                  {
                    title: t('admin.changes'), dataIndex: 'diff',
                    render: (d: ReturnType<typeof diff>, r) => (d.length === 0 && r.id === sorted[0]?.id ? t('admin.first') : d.length === 0 ? t('admin.noChange') : d.map((x) => <Tag key={x.key}>{t(`policy.${x.key}`)}：{x.before} → {x.after}</Tag>)),
                  },
                ]} />
            </PageCard>
          </>
        );
      }}
    </QueryView>
  );
}

function NewVersion({ all }: { all: Version[] }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Flat & { effectiveFrom: string }>();
  const latest = versionBefore(all, '9999-12-31')!;
  const initial: Record<string, string | number | undefined> & { effectiveFrom: string } = { effectiveFrom: todayInChina(), ...Object.fromEntries(Object.entries(flatten(latest.params)).map(([k, v]) => [fieldName(k), v])) };
  const values = Form.useWatch([], form) as Record<string, string | number | undefined> | undefined;
  const day: string = (values?.effectiveFrom as string | undefined) ?? initial.effectiveFrom;
  const before = /^\d{4}-\d{2}-\d{2}$/.test(day) ? versionBefore(all, day) : undefined;
  const current: Flat = Object.fromEntries(FIELDS.map((f) => [f.key, (values ?? initial)[fieldName(f.key)]]));
  const changes = diff(before ? flatten(before.params) : undefined, current);
  const toBody = (v: Record<string, string | number | undefined>): components['schemas']['NewPolicyVersion'] => {
    const get = (k: string) => v[fieldName(k)];
    const params = Object.fromEntries(FIELDS.filter((f) => !f.key.includes('.')).map((f) => [
      f.key,
      f.kind === 'int' ? get(f.key) : f.kind === 'months' ? String(get(f.key) ?? '').split(',').map((m) => Number(m.trim())) : String(get(f.key) ?? '').trim(),
    ]));
    return {
      effectiveFrom: String(v.effectiveFrom),
      params: {
        ...params,
        trainingSubsidy: {
          basePerPassed: String(get('trainingSubsidy.basePerPassed') ?? '').trim(),
          outcomePerStarted: String(get('trainingSubsidy.outcomePerStarted') ?? '').trim(),
          outcomeMonths: get('trainingSubsidy.outcomeMonths'),
        },
        // A kind whose amount is blank is left out: not rewarded.
        incubatorRewards: Object.fromEntries(REWARD_KINDS.flatMap((k) => {
          const amount = String(get(`incubatorRewards.${k}.amountEach`) ?? '').trim();
          const window = get(`incubatorRewards.${k}.monthsAfterGraduation`);
          return amount ? [[k, { amountEach: amount, monthsAfterGraduation: window === undefined || window === null || window === '' ? null : window }]] : [];
        })),
        lossSharing: { guaranteeFund: String(get('lossSharing.guaranteeFund')).trim(), bank: String(get('lossSharing.bank')).trim(), guaranteeCompany: String(get('lossSharing.guaranteeCompany')).trim() },
      } as components['schemas']['NewPolicyVersion']['params'],
    };
  };
  return (
    <PageCard title={t('admin.newPolicy')}>
      <DecisionForm<Record<string, string | number | undefined>>
        form={form as never}
        submitLabel={t('admin.publish')}
        initialValues={initial}
        send={(v, key) => ok(api.POST('/v1/policies', { body: toBody(v), ...idempotent(key) }))}
      >
        <Form.Item label={t('admin.effectiveFrom')} name="effectiveFrom" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]} extra={t('admin.effectiveNote')}>
          <Input style={{ width: 160 }} />
        </Form.Item>
        <Alert
          type={changes.length ? 'warning' : 'info'}
          showIcon
          role="status"
          style={{ marginBottom: 16 }}
          title={before ? t('admin.changesFrom', { date: before.effectiveFrom, count: changes.length }) : t('admin.first')}
          description={changes.length ? <ul style={{ margin: 0, paddingInlineStart: 20 }}>{changes.map((c) => <li key={c.key}>{t(`policy.${c.key}`)}：{c.before} → <strong>{c.after}</strong></li>)}</ul> : undefined}
        />
        <Space wrap align="start">
          {FIELDS.map((f) => (
            <Form.Item key={f.key} label={t(`policy.${f.key}`)} name={fieldName(f.key)}
              extra={f.kind === 'rewardMoney' ? t('policy.rewardBlank') : f.kind === 'rewardMonths' ? t('policy.windowBlank') : undefined}
              rules={[
                ...(f.kind === 'rewardMoney' || f.kind === 'rewardMonths' ? [] : [{ required: true, message: t('forms.required') }]),
                ...(f.kind === 'money' || f.kind === 'rate' || f.kind === 'rewardMoney' ? [{ pattern: DECIMAL, message: t('forms.amountFormat') }] : f.kind === 'months' ? [{ pattern: MONTHS, message: '3,6,12' }] : []),
              ]}>
              {f.kind === 'int' || f.kind === 'rewardMonths' ? <InputNumber min={0} precision={0} style={{ width: 140 }} />
                : f.kind === 'mode' ? <Select style={{ width: 220 }} options={(['share_of_interest', 'above_borrower_rate'] as const).map((m) => ({ value: m, label: t(`policy.modes.${m}`) }))} />
                : <Input style={{ width: 140 }} inputMode="decimal" />}
            </Form.Item>
          ))}
        </Space>
      </DecisionForm>
    </PageCard>
  );
}
