import type { Knex } from 'knex';
import { AGE_BUCKETS, PIPELINE_STEPS, ageBucketOf, type AgeBucket, type ForecastSnapshot, type FutureLine, type PipelineStep, type ScenarioParams, type ScenarioScope } from '../../domain/forecast';
import { type IsoDate, type Quarter, addDays } from '../../domain/dates';
import { type PolicyParams, policyInForce } from '../../domain/policy';
import type { RepaymentMethod } from '../../domain/enums';
import { sumMoney } from '../../domain/money';

type Db = Knex | Knex.Transaction;

/**
 * The records a forecast reads (docs/forecast.md), summed by PostgreSQL so that memory stays
 * bounded whatever the portfolio's size. The use case runs them in one REPEATABLE READ, read-only
 * transaction (usecases/forecasts.ts), so they all see the same moment.
 */

/** `case` of a period's number into its age bucket, from the one list of buckets (domain/forecast/rates.ts). */
function bucketSql(column: string): { sql: string; bindings: Array<string | number> } {
  return {
    sql: `case ${AGE_BUCKETS.map(() => `when ${column} <= ? then ?`).join(' ')} end`,
    bindings: AGE_BUCKETS.flatMap((b) => [Math.min(b.last, 2_000_000_000), b.key]),
  };
}

/** A loan is open on a day when it was disbursed by then and had neither ended nor defaulted (binds the day three times). */
const OPEN_ON = `l.disbursed_on <= ?::date and (l.ended_on is null or l.ended_on > ?::date) and (l.defaulted_on is null or l.defaulted_on > ?::date)`;

type PeriodSumRow = {
  quarter: Quarter;
  bank_id: string;
  company_id: string;
  period: number;
  policy_id: string;
  future: boolean;
  subsidy: string;
  subsidy_sq: string;
  principal: string;
  at_risk: string;
  due: number;
  on_time: number;
};

/**
 * One pass over the periods, summed per quarter, bank, guarantor, period number and policy
 * version: those of loans open on asOf due after it (future: the subsidy, its square for the band,
 * the principal and what is at risk), and those whose outcome was known on asOf (due on or before
 * `knownBy`: how many, how many on time). Extended periods earn nothing and are no history of
 * paying on time. Grouped by raw columns, so the per-row work is the aggregate's alone; the loan
 * age buckets are made from the period numbers afterwards. The sum of squares is a statistic of the
 * band's width, not an amount: summed in double precision, cheaper than NUMERIC, with a relative
 * error near 1e-15, which moves no band by a fen.
 */
async function periodSums(db: Db, asOf: IsoDate, knownBy: IsoDate): Promise<PeriodSumRow[]> {
  const { rows } = await db.raw(
    `select quarter, bank_id::text as bank_id, coalesce(company_id::text, '') as company_id, period, policy_id::text as policy_id, future,
            coalesce(sum(subsidy) filter (where future), 0)::text as subsidy,
            coalesce(sum(subsidy::float8 * subsidy::float8) filter (where future), 0)::numeric::text as subsidy_sq,
            coalesce(sum(principal) filter (where future), 0)::text as principal,
            coalesce(sum(principal + outstanding_after + interest) filter (where future), 0)::text as at_risk,
            (count(*) filter (where not future))::integer as due,
            (count(*) filter (where not future and status = 'paid_on_time'))::integer as on_time
       from (select p.quarter, l.bank_id, l.guarantee_company_id as company_id, p.period, l.policy_id, p.due_on > ?::date as future,
                    p.subsidy, p.principal, p.outstanding_after, p.interest, p.status
               from public.loan_periods p
               join public.loans l on l.id = p.loan_id
              where l.disbursed_on <= ?::date
                and ((p.due_on > ?::date and ${OPEN_ON}) or (not p.extended and p.due_on <= ?::date))) s
      group by quarter, bank_id, company_id, period, policy_id, future`,
    [asOf, asOf, asOf, asOf, asOf, asOf, knownBy],
  );
  return rows;
}

/** Defaults by the age of the first period left unpaid, for loans that defaulted by asOf. */
async function defaultCounts(db: Db, asOf: IsoDate): Promise<Map<AgeBucket, number>> {
  const bucket = bucketSql('first_unpaid');
  const { rows } = await db.raw(
    `select ${bucket.sql} as age_bucket, count(*)::integer as defaults
       from (select min(p.period) as first_unpaid
               from public.loans l join public.loan_periods p on p.loan_id = l.id
              where l.defaulted_on <= ?::date and p.status not in ('paid_on_time', 'paid_late') and not p.extended
              group by l.id) d
      group by 1`,
    [...bucket.bindings, asOf],
  );
  return new Map(rows.map((r: { age_bucket: AgeBucket; defaults: number }) => [r.age_bucket, r.defaults]));
}

/**
 * Conversion by step: of the applications submitted by asOf that are decided (no longer in the
 * pipeline) and had reached the step, how many were disbursed. A step is known to have been reached
 * by what it leaves behind: a counter-guarantee kind, a recommended amount, an approved amount.
 */
async function conversionCounts(db: Db, asOf: IsoDate): Promise<ForecastSnapshot['conversion']> {
  const reached: Record<PipelineStep, string> = {
    SUBMITTED: 'true',
    AWAITING_COUNTER_GUARANTEE: 'true',
    AWAITING_GUARANTEE_REVIEW: 'counter_guarantee_type is not null',
    AWAITING_GUARANTEE_APPROVAL: 'recommended_amount is not null',
    AWAITING_DISBURSAL: 'approved_amount is not null',
  };
  const cols = PIPELINE_STEPS.map((s, i) => `(count(*) filter (where ${reached[s]}))::integer as n${i}, (count(*) filter (where ${reached[s]} and loan_id is not null))::integer as k${i}`);
  const { rows } = await db.raw(`select ${cols.join(', ')} from public.applications where submitted_on <= ?::date and not (status = any(?))`, [asOf, [...PIPELINE_STEPS]]);
  const r = rows[0] as Record<string, number>;
  return PIPELINE_STEPS.map((step, i) => ({ step, decided: r[`n${i}`] ?? 0, converted: r[`k${i}`] ?? 0 }));
}

async function pipeline(db: Db, asOf: IsoDate): Promise<ForecastSnapshot['pipeline']> {
  const rows = await db('applications')
    .whereIn('status', [...PIPELINE_STEPS])
    .andWhere('submitted_on', '<=', asOf)
    .orderBy('id')
    .select(
      'id',
      'status',
      'bank_id',
      'guarantee_company_id',
      'policy_id',
      db.raw('requested_amount::text as requested_amount'),
      db.raw('coalesce(approved_amount, recommended_amount, requested_amount)::text as amount'),
      'term_months',
      'repayment_method',
    );
  return rows.map((r: { id: string; status: PipelineStep; bank_id: string | null; guarantee_company_id: string; policy_id: string; requested_amount: string; amount: string; term_months: number; repayment_method: RepaymentMethod }) => ({
    id: r.id,
    step: r.status,
    bankId: r.bank_id,
    companyId: r.guarantee_company_id,
    policyId: r.policy_id,
    requestedAmount: r.requested_amount,
    amount: r.amount,
    termMonths: r.term_months,
    repaymentMethod: r.repayment_method,
  }));
}

/**
 * Subsidy accrued by asOf whose claim line was not paid by then, per quarter of its due dates and
 * bank: owed, and paid from the budget of the year its claim is paid in.
 */
export async function accruedUnpaid(db: Db, asOf: IsoDate): Promise<ForecastSnapshot['accrued']> {
  const { rows } = await db.raw(
    `select a.quarter, a.bank_id::text as bank_id, sum(a.amount)::text as amount
       from public.subsidy_accruals a
      where a.accrued_on <= ?::date
        and not exists (select 1 from public.subsidy_claims c
                         where c.bank_id = a.bank_id and c.quarter = a.quarter and c.seqs @> a.seq
                           and c.status in ('PAID', 'PAYOUT_REVERSED') and c.paid_on <= ?::date)
      group by a.quarter, a.bank_id
      order by a.quarter, a.bank_id`,
    [asOf, asOf],
  );
  return rows.map((r: { quarter: Quarter; bank_id: string; amount: string }) => ({ quarter: r.quarter, bankId: r.bank_id, amount: r.amount }));
}

/** Guarantee companies with their guarantee fund deposit (the ledger's balance today). */
async function companies(db: Db): Promise<ForecastSnapshot['companies']> {
  const { rows } = await db.raw(
    `select o.id::text, o.name, coalesce(b.debit_total - b.credit_total, 0)::text as deposit
       from public.organisations o
       left join public.ledger_accounts a on a.code = 'guarantor:' || o.id::text || ':guarantee_fund'
       left join public.ledger_balances b on b.account_id = a.id
      where o.type = 'guarantee_company'
      order by o.name, o.id`,
  );
  return rows;
}

export interface SnapshotQuery {
  asOf: IsoDate;
  quarters: Quarter[];
  /** The pipeline as it is now; a backtest (asOf in the past) leaves it out (docs/forecast.md). */
  withPipeline: boolean;
}

/** Everything a forecast needs, read in the caller's transaction. */
export async function readForecastSnapshot(db: Db, q: SnapshotQuery): Promise<ForecastSnapshot> {
  const policyRows: Array<{ id: string; effective_from: string; seq: string; params: PolicyParams }> = await db('policies').select('id', db.raw(`to_char(effective_from, 'YYYY-MM-DD') as effective_from`), 'seq', 'params');
  // A period's outcome is known once it is past its grace days; the longest grace of any version
  // serves for all, so the hot query needs no policy per row (a few recent periods wait a little longer).
  const knownBy = addDays(q.asOf, -Math.max(0, ...policyRows.map((p) => p.params.graceDays ?? 0)));
  const sums = await periodSums(db, q.asOf, knownBy);
  const horizon = new Set(q.quarters);
  const cells = new Map<string, ForecastSnapshot['future'][number] & { parts: string[][] }>();
  const outstanding = new Map<string, string[]>();
  const history = new Map<string, { bankId: string; ageBucket: AgeBucket; due: number; onTime: number }>();
  const historyByBucket = new Map<AgeBucket, number>();
  for (const r of sums) {
    const ageBucket = ageBucketOf(r.period);
    if (!r.future) {
      const k = `${r.bank_id}|${ageBucket}`;
      const h = history.get(k) ?? { bankId: r.bank_id, ageBucket, due: 0, onTime: 0 };
      h.due += r.due;
      h.onTime += r.on_time;
      history.set(k, h);
      historyByBucket.set(ageBucket, (historyByBucket.get(ageBucket) ?? 0) + r.due);
      continue;
    }
    if (r.company_id) outstanding.set(r.company_id, [...(outstanding.get(r.company_id) ?? []), r.principal]);
    if (!horizon.has(r.quarter)) continue;
    const k = [r.quarter, r.bank_id, r.company_id, ageBucket, r.policy_id].join('|');
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { quarter: r.quarter, bankId: r.bank_id, companyId: r.company_id, ageBucket, policyId: r.policy_id, subsidy: '0', subsidySq: '0', principal: '0', atRisk: '0', parts: [[], [], [], []] }));
    c.parts[0]!.push(r.subsidy);
    c.parts[1]!.push(r.subsidy_sq);
    c.parts[2]!.push(r.principal);
    c.parts[3]!.push(r.at_risk);
  }
  const future: ForecastSnapshot['future'] = [...cells.values()].map(({ parts, ...c }) => ({ ...c, subsidy: sumExact(parts[0]!), subsidySq: sumExact(parts[1]!), principal: sumExact(parts[2]!), atRisk: sumExact(parts[3]!) }));
  const onTime: ForecastSnapshot['onTime'] = [...history.values()];
  const defaults = await defaultCounts(db, q.asOf);
  const current = policyInForce(policyRows.map((p) => ({ ...p, effectiveFrom: p.effective_from, createdSeq: p.seq })), q.asOf) ?? policyRows[0];
  if (!current) throw new Error('no policy version exists');
  const banks = await db('organisations').where({ type: 'bank' }).orderBy('name').select('id', 'name');
  return {
    asOf: q.asOf,
    quarters: q.quarters,
    future,
    outstanding: [...outstanding.entries()].map(([companyId, parts]) => ({ companyId, principal: sumExact(parts) })),
    onTime,
    defaults: [...new Set([...historyByBucket.keys(), ...defaults.keys()])].sort().map((b) => ({ ageBucket: b, due: historyByBucket.get(b) ?? 0, defaults: defaults.get(b) ?? 0 })),
    conversion: await conversionCounts(db, q.asOf),
    pipeline: q.withPipeline ? await pipeline(db, q.asOf) : [],
    accrued: await accruedUnpaid(db, q.asOf),
    policies: Object.fromEntries(policyRows.map((p) => [p.id, p.params])),
    currentPolicyId: current.id,
    companies: await companies(db),
    banks,
  };
}

/** An exact sum of NUMERIC strings (a square of fen has four decimals). */
function sumExact(parts: string[]): string {
  return sumMoney(parts).toFixed();
}

/**
 * The open loans' periods in the horizon, grouped so that periods with the same interest and rate
 * (and so the same subsidy under any rule) come once with their count, read through a cursor in
 * batches: a re-pricing what-if holds one batch at a time. Must run inside a transaction.
 */
export async function* futureLines(trx: Knex.Transaction, asOf: IsoDate, last: IsoDate, batch = 5000): AsyncGenerator<FutureLine[]> {
  await trx.raw(
    `declare forecast_lines no scroll cursor for
     select p.quarter, l.bank_id::text as bank_id, coalesce(l.guarantee_company_id::text, '') as company_id, p.period,
            l.policy_id::text as policy_id, p.interest::text as interest, l.annual_rate::text as annual_rate, count(*)::integer as count,
            sum(p.principal)::text as principal, sum(p.principal + p.outstanding_after + p.interest)::text as at_risk
       from public.loan_periods p join public.loans l on l.id = p.loan_id
      where p.due_on > ?::date and p.due_on <= ?::date and ${OPEN_ON}
      group by p.quarter, l.bank_id, l.guarantee_company_id, p.period, l.policy_id, p.interest, l.annual_rate`,
    [asOf, last, asOf, asOf, asOf],
  );
  try {
    for (;;) {
      const { rows } = await trx.raw(`fetch ${Number(batch)} from forecast_lines`);
      if (!rows.length) return;
      yield rows.map((r: { quarter: Quarter; bank_id: string; company_id: string; period: number; policy_id: string; interest: string; annual_rate: string; count: number; principal: string; at_risk: string }) => ({
        quarter: r.quarter,
        bankId: r.bank_id,
        companyId: r.company_id,
        ageBucket: ageBucketOf(r.period),
        policyId: r.policy_id,
        interest: r.interest,
        annualRate: r.annual_rate,
        count: r.count,
        principal: r.principal,
        atRisk: r.at_risk,
      }));
    }
  } finally {
    await trx.raw('close forecast_lines');
  }
}

/** What the loans open on asOf actually accrued, per quarter of due date, for the quarters up to `until`. */
export async function accruedSince(db: Db, asOf: IsoDate, until: IsoDate): Promise<Map<Quarter, string>> {
  const { rows } = await db.raw(
    `select a.quarter, sum(a.amount)::text as amount
       from public.subsidy_accruals a join public.loans l on l.id = a.loan_id
      where a.due_on > ?::date and a.due_on <= ?::date and ${OPEN_ON}
      group by a.quarter`,
    [asOf, until, asOf, asOf, asOf],
  );
  return new Map(rows.map((r: { quarter: Quarter; amount: string }) => [r.quarter, r.amount]));
}

// ---- saved scenarios -------------------------------------------------------------------------

export interface SavedScenario {
  id: string;
  name: string;
  params: ScenarioParams;
  scope: ScenarioScope;
  savedBy: { id: string; username: string };
  savedAt: string;
}

type ScenarioRow = { id: string; name: string; params: ScenarioParams; scope: ScenarioScope; saved_by: string; username: string; at: Date };
const toScenario = (r: ScenarioRow): SavedScenario => ({ id: r.id, name: r.name, params: r.params, scope: r.scope, savedBy: { id: r.saved_by, username: r.username }, savedAt: r.at.toISOString() });

/** Saves a scenario; undefined when the name is taken (names are unique, scenarios never change). */
export async function insertScenario(db: Db, s: { name: string; params: ScenarioParams; scope: ScenarioScope; savedBy: string }): Promise<SavedScenario | undefined> {
  const [row] = await db('forecast_scenarios')
    .insert({ name: s.name, params: JSON.stringify(s.params), scope: s.scope, saved_by: s.savedBy })
    .onConflict('name')
    .ignore()
    .returning('id');
  if (!row) return undefined;
  return getScenario(db, row.id);
}

export async function getScenario(db: Db, id: string): Promise<SavedScenario | undefined> {
  const row = await db('forecast_scenarios as s').join('users as u', 'u.id', 's.saved_by').where('s.id', id).first('s.id', 's.name', 's.params', 's.scope', 's.saved_by', 'u.username', 's.at');
  return row ? toScenario(row) : undefined;
}

/** A page of the saved scenarios, newest first, and how many there are. */
export async function listScenarios(db: Db, p: { page: number; pageSize: number }): Promise<{ items: SavedScenario[]; total: number }> {
  const counted = await db('forecast_scenarios').count<{ count: number }[]>('* as count');
  const rows = await db('forecast_scenarios as s')
    .join('users as u', 'u.id', 's.saved_by')
    .orderBy([{ column: 's.at', order: 'desc' }, { column: 's.id' }])
    .limit(p.pageSize)
    .offset((p.page - 1) * p.pageSize)
    .select('s.id', 's.name', 's.params', 's.scope', 's.saved_by', 'u.username', 's.at');
  return { items: rows.map(toScenario), total: Number(counted[0]?.count ?? 0) };
}
