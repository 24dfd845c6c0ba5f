import type { Knex } from 'knex';
import Decimal from 'decimal.js';
import { Money, formatMoney, sumMoney } from '../../domain/money';
import { getFundStatus } from '../ledger';
import { KPI_COLUMNS, NOT_COMPUTABLE, REJECTING_STEPS, STEPS, TARGETS } from './columns';

/**
 * The indicators of docs/domain.md §5 for a date range, per region, credit community, bank or training
 * institution, straight from the records (read model, loan servicing, claims, the fund's ledger).
 *
 * Where a group comes from: an application belongs to its credit community, that community's
 * region, its bank (the loan's, else the preferred one) and the institution of its certificate;
 * loans, periods and claim lines follow their application. Certificates belong to their institution
 * (and its region) only. What counts in the range: applications submitted in it (with their
 * decisions and step times), loans disbursed in it, periods due in it (up to today), loans active
 * in it and defaults in it, claims filed in it (paid: paid in it), certificates issued in it;
 * businesses whose first year after disbursal ended in it (up to today), with the first follow-up
 * visit on or after that anniversary; businesses visited in it, with their latest visit in it.
 */
export const GROUP_BY = ['region', 'community', 'bank', 'training_institution'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export type KpiValue = number | string | boolean | null;
export interface KpiRow {
  key: string;
  name: string;
  values: Record<string, KpiValue>;
}
export interface KpiReport {
  from: string;
  to: string;
  groupBy: GroupBy;
  columns: typeof KPI_COLUMNS;
  rows: KpiRow[];
  total: KpiRow;
  notComputable: ReadonlyArray<{ key: string; why: string }>;
}

const TOTAL = '__total__';

const appGroupExpr: Record<GroupBy, string> = {
  region: 'co.region',
  community: 'a.community_id::text',
  bank: 'coalesce(l.bank_id, a.bank_id)::text',
  training_institution: 'cert.institution_id::text',
};

/** The group of every application (one row each), as a CTE. */
const appGroups = (expr: string) => `app_groups as (
  select a.id as application_id, ${expr} as g
    from applications a
    join organisations co on co.id = a.community_id
    left join loans l on l.application_id = a.id
    left join certificates cert on cert.certificate_no = a.certificate_no)`;

/** A fraction with 4 decimals (half-up), exact; null when there is nothing to divide by. */
export function rate(part: Decimal.Value, whole: Decimal.Value): string | null {
  const w = new Money(whole);
  if (w.isZero()) return null;
  return new Money(part).dividedBy(w).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}

type Acc = Map<string, Record<string, KpiValue>>;

async function collect(db: Knex, expr: string, from: string, to: string, today: string, acc: Acc): Promise<void> {
  const put = (g: string | null, k: string, v: KpiValue) => {
    const key = g ?? '';
    let r = acc.get(key);
    if (!r) acc.set(key, (r = {}));
    r[k] = v;
  };
  const q = async (sql: string, bindings: Knex.RawBinding[]) => (await db.raw(`with ${appGroups(expr)} ${sql}`, bindings)).rows as Array<Record<string, any>>;

  for (const r of await q(
    `select g.g, a.status, count(*)::integer as n from applications a join app_groups g on g.application_id = a.id
      where a.submitted_on between ? and ? group by 1, 2`,
    [from, to],
  )) {
    const row = acc.get(r.g ?? '') ?? {};
    put(r.g, 'applications', Number(row.applications ?? 0) + r.n);
    put(r.g, `applications_${String(r.status).toLowerCase()}`, r.n);
  }

  // Time from the previous event of the application to the decision that ended each step.
  for (const r of await q(
    `select g.g, x.step, round(avg(extract(epoch from (x.at - x.prev_at)) / 86400)::numeric, 2)::text as days
       from (select h.application_id, h.step, h.at, lag(h.at) over (partition by h.application_id order by h.id) as prev_at
               from application_history h where h.step not like '%\\_reminder') x
       join applications a on a.id = x.application_id
       join app_groups g on g.application_id = x.application_id
      where x.prev_at is not null and a.submitted_on between ? and ? and x.step = any(?)
      group by 1, 2`,
    [from, to, [...STEPS]],
  )) {
    put(r.g, `days_${r.step}`, r.days);
  }

  for (const r of await q(
    `select g.g,
            count(*) filter (where d.approved)::integer as approved,
            count(*) filter (where d.rejected)::integer as rejected
       from (select h.application_id,
                    bool_or(h.step = 'guarantee_approval' and h.decision = 'approved') as approved,
                    bool_or(h.decision = 'rejected') as rejected
               from application_history h group by h.application_id) d
       join applications a on a.id = d.application_id
       join app_groups g on g.application_id = d.application_id
      where a.submitted_on between ? and ? and (d.approved or d.rejected)
      group by 1`,
    [from, to],
  )) {
    put(r.g, 'approved', r.approved);
    put(r.g, 'rejected', r.rejected);
    put(r.g, 'decided', r.approved + r.rejected);
    put(r.g, 'approval_rate', rate(r.approved, r.approved + r.rejected));
    put(r.g, 'rejection_rate', rate(r.rejected, r.approved + r.rejected));
  }
  // Rejections counted per step, never their reasons (see REJECTING_STEPS' columns).
  for (const r of await q(
    `select g.g, h.step, count(*)::integer as n
       from application_history h join applications a on a.id = h.application_id join app_groups g on g.application_id = h.application_id
      where h.decision = 'rejected' and a.submitted_on between ? and ? and h.step = any(?)
      group by 1, 2`,
    [from, to, [...REJECTING_STEPS]],
  )) {
    put(r.g, `rejected_${r.step}`, r.n);
  }

  for (const r of await q(
    `select g.g, coalesce(sum(a.approved_amount), 0)::numeric(20,2)::text as guaranteed from applications a join app_groups g on g.application_id = a.id
      where a.submitted_on between ? and ? and a.approved_amount is not null group by 1`,
    [from, to],
  )) {
    put(r.g, 'amount_guaranteed', r.guaranteed);
  }

  for (const r of await q(
    `select g.g, count(*)::integer as n, sum(l.principal)::numeric(20,2)::text as principal,
            (count(*) filter (where a.counter_guarantee_type = 'credit_community'))::integer as community
       from loans l join applications a on a.id = l.application_id join app_groups g on g.application_id = l.application_id
      where l.disbursed_on between ? and ? group by 1`,
    [from, to],
  )) {
    put(r.g, 'loans_disbursed', r.n);
    put(r.g, 'amount_disbursed', r.principal);
    put(r.g, 'loans_community_guaranteed', r.community);
    put(r.g, 'community_guarantee_share', rate(r.community, r.n));
  }

  const dueTo = to < today ? to : today;
  for (const r of await q(
    `select g.g, count(*)::integer as due, (count(*) filter (where p.status = 'paid_on_time'))::integer as on_time
       from loan_periods p join loans l on l.id = p.loan_id join app_groups g on g.application_id = l.application_id
      where p.due_on between ? and ? group by 1`,
    [from, dueTo],
  )) {
    put(r.g, 'periods_due', r.due);
    put(r.g, 'periods_on_time', r.on_time);
    put(r.g, 'on_time_rate', rate(r.on_time, r.due));
  }

  for (const r of await q(
    `select g.g, count(*)::integer as active, sum(l.principal)::numeric(20,2)::text as principal,
            (count(*) filter (where l.defaulted_on between ? and ?))::integer as defaults,
            coalesce(sum(coalesce(l.compensated_by_fund, 0) + coalesce(l.compensated_by_company, 0)) filter (where l.defaulted_on between ? and ?), 0)::numeric(20,2)::text as compensation,
            coalesce(sum(l.recovered) filter (where l.defaulted_on <= ?), 0)::numeric(20,2)::text as recovered,
            coalesce(sum(coalesce(l.compensated_by_fund, 0) + coalesce(l.compensated_by_company, 0)) filter (where l.defaulted_on <= ?), 0)::numeric(20,2)::text as compensated_to_date
       from loans l join app_groups g on g.application_id = l.application_id
      where l.disbursed_on <= ? and (l.ended_on is null or l.ended_on >= ?) group by 1`,
    [from, to, from, to, to, to, to, from],
  )) {
    put(r.g, 'loans_active', r.active);
    put(r.g, 'defaults', r.defaults);
    put(r.g, 'default_rate', rate(r.defaults, r.active));
    put(r.g, 'compensation', r.compensation);
    put(r.g, 'compensation_rate', rate(r.compensation, r.principal));
    put(r.g, 'recovered', r.recovered);
    put(r.g, 'recovery_rate', rate(r.recovered, r.compensated_to_date));
  }

  for (const r of await q(
    `select g.g,
            coalesce(sum(cl.amount) filter (where c.filed_on between ? and ?), 0)::numeric(20,2)::text as claimed,
            coalesce(sum(cl.amount) filter (where c.filed_on between ? and ? and c.approved_by is not null and c.status <> 'REJECTED'), 0)::numeric(20,2)::text as approved,
            coalesce(sum(cl.amount) filter (where c.status = 'PAID' and c.paid_on between ? and ?), 0)::numeric(20,2)::text as paid
       from subsidy_claims c join subsidy_accruals cl on cl.bank_id = c.bank_id and cl.quarter = c.quarter and cl.seq <@ c.seqs
       join loans l on l.id = cl.loan_id join app_groups g on g.application_id = l.application_id
      where c.filed_on between ? and ? or c.paid_on between ? and ?
      group by 1`,
    [from, to, from, to, from, to, from, to, from, to],
  )) {
    put(r.g, 'subsidy_claimed', r.claimed);
    put(r.g, 'subsidy_approved', r.approved);
    put(r.g, 'subsidy_paid', r.paid);
  }

  await followUps(q, put, from, to, today);
}

/** Jobs per business: two decimals, half-up, exact; null with no business. */
export function ratio(part: Decimal.Value, whole: Decimal.Value): string | null {
  const w = new Money(whole);
  if (w.isZero()) return null;
  return new Money(part).dividedBy(w).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

/** The follow-up indicators (docs/reports.md): survival one year after disbursal, and jobs per business. */
async function followUps(q: (sql: string, b: Knex.RawBinding[]) => Promise<Array<Record<string, any>>>, put: (g: string | null, k: string, v: KpiValue) => void, from: string, to: string, today: string) {
  const upTo = to < today ? to : today;
  for (const r of await q(
    `select g.g, count(*)::integer as reaching, count(y.operating_status)::integer as visited,
            (count(*) filter (where y.operating_status = 'operating'))::integer as operating
       from loans l join app_groups g on g.application_id = l.application_id
       left join lateral (select v.operating_status from follow_up_visits v
                           where v.loan_id = l.id and v.visited_on >= (l.disbursed_on + interval '12 months')::date
                           order by v.visited_on, v.months limit 1) y on true
      where (l.disbursed_on + interval '12 months')::date between ? and ?
      group by 1`,
    [from, upTo],
  )) {
    put(r.g, 'businesses_one_year', r.reaching);
    put(r.g, 'businesses_visited_one_year', r.visited);
    put(r.g, 'businesses_operating_one_year', r.operating);
    put(r.g, 'businesses_operating_after_one_year', rate(r.operating, r.visited));
  }
  for (const r of await q(
    `select g.g, count(*)::integer as businesses, sum(x.employees)::integer as jobs
       from (select distinct on (v.loan_id) v.loan_id, v.employees from follow_up_visits v
              where v.visited_on between ? and ? order by v.loan_id, v.visited_on desc, v.months desc) x
       join loans l on l.id = x.loan_id join app_groups g on g.application_id = l.application_id
      group by 1`,
    [from, to],
  )) {
    put(r.g, 'businesses_visited', r.businesses);
    put(r.g, 'jobs', r.jobs);
    put(r.g, 'jobs_per_business', ratio(r.jobs, r.businesses));
  }
}

async function certificates(db: Knex, groupBy: GroupBy | null, from: string, to: string, acc: Acc): Promise<void> {
  // Certificates belong to an institution: by community or bank they have no group.
  if (groupBy === 'community' || groupBy === 'bank') return;
  const expr = groupBy === 'region' ? 'ti.region' : groupBy === 'training_institution' ? 'c.institution_id::text' : `'${TOTAL}'`;
  const { rows } = await db.raw(
    `select ${expr} as g, count(*)::integer as n,
            (count(*) filter (where exists (select 1 from loans l where l.borrower_id_number = c.holder_id_number)))::integer as with_loan
       from certificates c join organisations ti on ti.id = c.institution_id
      where c.issued_on between ? and ? and c.revoked_at is null group by 1`,
    [from, to],
  );
  for (const r of rows) {
    const row = acc.get(r.g) ?? {};
    acc.set(r.g, { ...row, trainees_certified: r.n, certified_with_loan: r.with_loan, certified_loan_share: rate(r.with_loan, r.n) });
  }
}

/** The interest subsidy's special funds of the years the range touches: budget, paid and what remains, from the ledger. */
async function funds(db: Knex, from: string, to: string): Promise<Record<string, KpiValue>> {
  const rows = await db('funds').where({ programme: 'interest_subsidy' }).whereBetween('year', [Number(from.slice(0, 4)), Number(to.slice(0, 4))]).select('id');
  const st = await Promise.all(rows.map((r) => getFundStatus(db, r.id)));
  const sum = (k: 'budget' | 'paid' | 'available') => formatMoney(sumMoney(st.map((s) => s[k])));
  return { fund_budget: sum('budget'), fund_paid: sum('paid'), fund_available: sum('available') };
}

function complete(values: Record<string, KpiValue>): Record<string, KpiValue> {
  const out: Record<string, KpiValue> = {};
  for (const c of KPI_COLUMNS) {
    const v = values[c.key];
    if (v !== undefined) out[c.key] = v;
    else if (NOT_COMPUTABLE.some((n) => n.key === c.key) || c.key.startsWith('fund_') || ['rate', 'days', 'ratio', 'text', 'flag'].includes(c.kind)) out[c.key] = null;
    else if (c.kind === 'money') out[c.key] = '0.00';
    else out[c.key] = 0;
  }
  // Each target beside its indicator, and whether the indicator reaches it (null: nothing to judge).
  for (const [key, t] of Object.entries(TARGETS)) {
    const v = out[key];
    out[`${key}_target`] = t.min;
    out[`${key}_met`] = v === null || v === undefined || typeof v === 'boolean' ? null : new Money(v).greaterThanOrEqualTo(t.min);
  }
  return out;
}

async function groupNames(db: Knex, groupBy: GroupBy, keys: string[]): Promise<Map<string, string>> {
  if (groupBy === 'region') return new Map(keys.map((k) => [k, k]));
  const ids = keys.filter((k) => /^[0-9a-f-]{36}$/.test(k));
  const rows = ids.length ? await db('organisations').whereIn('id', ids).select('id', 'name') : [];
  return new Map(rows.map((r) => [r.id as string, r.name as string]));
}

export async function kpiReport(db: Knex, input: { from: string; to: string; groupBy: GroupBy; today: string }): Promise<KpiReport> {
  const { from, to, groupBy, today } = input;
  const acc: Acc = new Map();
  await collect(db, appGroupExpr[groupBy], from, to, today, acc);
  await certificates(db, groupBy, from, to, acc);
  const totals: Acc = new Map();
  await collect(db, `'${TOTAL}'`, from, to, today, totals);
  await certificates(db, null, from, to, totals);
  const names = await groupNames(db, groupBy, [...acc.keys()]);
  // Certificates belong to institutions: by community or bank their columns do not apply.
  const noCertificates: Record<string, KpiValue> = groupBy === 'community' || groupBy === 'bank' ? { trainees_certified: null, certified_with_loan: null } : {};
  const rows = [...acc.entries()]
    .map(([key, values]) => ({ key: key || '(none)', name: key ? (names.get(key) ?? key) : '(none)', values: complete({ ...values, ...noCertificates }) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const totalValues = { ...(totals.get(TOTAL) ?? {}), ...(await funds(db, from, to)) };
  return {
    from,
    to,
    groupBy,
    columns: KPI_COLUMNS,
    rows,
    total: { key: 'total', name: 'Total', values: complete(totalValues) },
    notComputable: NOT_COMPUTABLE,
  };
}


