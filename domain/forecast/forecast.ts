import { type MoneyLike, Money, formatMoney, roundFen, toMoney } from '../money';
import { type IsoDate, type Quarter, addDays, compareDates, nextQuarter, previousQuarter, quarterBounds, quarterOf } from '../dates';
import type { PolicyParams } from '../policy';
import type { RepaymentMethod } from '../enums';
import { pendingApplicationStatuses } from '../vocabularies';
import { buildSchedule } from '../schedule';
import { subsidyFor } from '../subsidy';
import { type AgeBucket, type Counts, PRIORS, ageBucketOf, betaMean, cellPosteriors } from './rates';
import { type BandResult, type PipelineSums, BandSum, addLine, addPipeline, emptySums, mergeSums } from './band';
import { type Scenario, UNCHANGED, changesSubsidy, requestFits, withScenario } from './scenario';

/**
 * The budget forecast (docs/forecast.md): pure, over a snapshot the records were read into. The
 * same function answers the forecast and both sides of a what-if, so a what-if that changes nothing
 * is the forecast, exactly.
 */

interface PipelineLine {
  quarter: Quarter;
  bucket: AgeBucket;
  subsidy: Money;
  principal: Money;
  /** Outstanding before the period plus its interest. */
  atRisk: Money;
}

/** Pipeline applications are assumed disbursed this many days after the forecast's day. */
export const PIPELINE_DISBURSAL_LAG_DAYS = 30;
/** Decimal places a rate keeps where it multiplies money in the pipeline's and the loss's sums. */
export const RATE_PLACES = 12;
/** Utilisation of the leverage cap from which the forecast warns. */
export const EXPOSURE_WARNING = new Money('0.8');

/** The pipeline's steps are the statuses an application passes before disbursal. */
export const PIPELINE_STEPS = pendingApplicationStatuses;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** Scheduled periods of open loans, summed per quarter, bank, guarantor, loan age and policy version. */
export interface FutureCell {
  quarter: Quarter;
  bankId: string;
  companyId: string;
  ageBucket: AgeBucket;
  policyId: string;
  /** Σ subsidy, and Σ subsidy² (for the band). */
  subsidy: MoneyLike;
  subsidySq: MoneyLike;
  /** Σ principal due (it leaves the guarantee exposure when paid). */
  principal: MoneyLike;
  /** Σ (outstanding before the period + its interest): the loss if the loan defaults at it. */
  atRisk: MoneyLike;
}

/**
 * Scheduled periods as the what-if re-prices them: `count` periods of one cell with the same
 * interest and rate (so the same subsidy); `principal` and `atRisk` are their sums.
 */
export interface FutureLine extends Omit<FutureCell, 'subsidy' | 'subsidySq'> {
  interest: MoneyLike;
  annualRate: MoneyLike;
  count: number;
}

export interface PipelineApplication {
  id: string;
  step: PipelineStep;
  bankId: string | null;
  companyId: string;
  policyId: string;
  requestedAmount: string;
  /** The amount it would be lent: approved, else recommended, else requested. */
  amount: string;
  termMonths: number;
  repaymentMethod: RepaymentMethod;
}

export interface ForecastSnapshot {
  asOf: IsoDate;
  quarters: Quarter[];
  future: FutureCell[];
  /** Per company: principal of open loans still to be repaid after asOf (the exposure on that day). */
  outstanding: Array<{ companyId: string; principal: MoneyLike }>;
  onTime: Array<{ bankId: string; ageBucket: AgeBucket; due: number; onTime: number }>;
  defaults: Array<{ ageBucket: AgeBucket; due: number; defaults: number }>;
  conversion: Array<{ step: PipelineStep; decided: number; converted: number }>;
  pipeline: PipelineApplication[];
  /** Subsidy accrued by asOf and not paid by then, by the quarter of its due dates and bank. */
  accrued: Array<{ quarter: Quarter; bankId: string; amount: MoneyLike }>;
  policies: Record<string, PolicyParams>;
  /** The policy version in force on asOf: the leverage cap's. */
  currentPolicyId: string;
  companies: Array<{ id: string; name: string; deposit: MoneyLike }>;
  banks: Array<{ id: string; name: string }>;
}

export interface ForecastRow extends BandResult {
  quarter: Quarter;
  bankId: string | null;
  bankName: string | null;
}

export interface Compensation {
  guaranteeFund: string;
  bank: string;
  guaranteeCompany: string;
  /** 代偿: what the guarantee side pays, the fund's and the company's parts. */
  compensation: string;
}

export interface QuarterRow extends BandResult {
  quarter: Quarter;
  expectedLoss: Compensation;
}

export interface BudgetYearRow extends BandResult {
  year: number;
  /** The due quarters whose claims are paid in this year (filed and paid the quarter after). */
  dueQuarters: Quarter[];
  /** Subsidy accrued by asOf and not yet paid whose claim is paid in this year; in `total`. */
  accrued: string;
}

export interface ExposurePoint {
  on: IsoDate;
  outstanding: string;
  /** outstanding / cap, 4 decimals; null when the cap is 0. */
  utilisation: string | null;
  warning: boolean;
}

export interface ExposureRow {
  companyId: string;
  name: string;
  deposit: string;
  leverageCap: number;
  cap: string;
  now: ExposurePoint;
  byQuarter: Array<ExposurePoint & { quarter: Quarter }>;
}

export interface ForecastResult {
  asOf: IsoDate;
  quarters: Quarter[];
  scope: Scenario['scope'];
  band: { method: 'beta-binomial'; low: 'P10'; high: 'P90' };
  rows: ForecastRow[];
  byQuarter: QuarterRow[];
  byBudgetYear: BudgetYearRow[];
  exposure: ExposureRow[];
  pipeline: { applications: number; eligible: number; expectedLoans: string };
  rates: {
    onTime: Array<{ bankId: string; ageBucket: AgeBucket; periods: number; onTime: number; rate: string }>;
    default: Array<{ ageBucket: AgeBucket; periods: number; defaults: number; rate: string }>;
    conversion: Array<{ step: PipelineStep; decided: number; converted: number; rate: string }>;
  };
}

const rate4 = (m: Money) => m.toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4);
const key = (...parts: Array<string | null>) => parts.map((p) => p ?? '').join('|');

/** Claims are filed the quarter after the due quarter and paid on approval (docs/domain.md §1.7). */
export function budgetYearOf(dueQuarter: Quarter): number {
  return Number(nextQuarter(dueQuarter).slice(0, 4));
}

/**
 * Re-prices open loans' periods under other subsidy rules, through the same subsidyFor the
 * schedules use, and sums them into cells. Lines arrive in any grouping; each is one period, or
 * `count` identical ones.
 */
export class RepricedCells {
  private readonly cells = new Map<string, { cell: FutureCell; subsidy: Money; subsidySq: Money; principal: Money; atRisk: Money }>();

  add(line: FutureLine, policy: PolicyParams): void {
    const s = subsidyFor(line.interest, line.annualRate, policy);
    const k = key(line.quarter, line.bankId, line.companyId, line.ageBucket, line.policyId);
    let c = this.cells.get(k);
    if (!c) {
      c = { cell: { ...line, subsidy: '0', subsidySq: '0' }, subsidy: new Money(0), subsidySq: new Money(0), principal: new Money(0), atRisk: new Money(0) };
      this.cells.set(k, c);
    }
    c.subsidy = c.subsidy.plus(s.times(line.count));
    c.subsidySq = c.subsidySq.plus(s.times(s).times(line.count));
    c.principal = c.principal.plus(line.principal);
    c.atRisk = c.atRisk.plus(line.atRisk);
  }

  result(): FutureCell[] {
    return [...this.cells.values()].map(({ cell, subsidy, subsidySq, principal, atRisk }) => ({
      quarter: cell.quarter,
      bankId: cell.bankId,
      companyId: cell.companyId,
      ageBucket: cell.ageBucket,
      policyId: cell.policyId,
      subsidy,
      subsidySq,
      principal,
      atRisk,
    }));
  }
}

/** The quarters a forecast of `n` quarters covers: the one after asOf's day, and the next n − 1. */
export function forecastQuarters(asOf: IsoDate, n: number): Quarter[] {
  const out: Quarter[] = [quarterOf(addDays(asOf, 1))];
  while (out.length < n) out.push(nextQuarter(out[out.length - 1]!));
  return out;
}

function utilisation(outstanding: Money, cap: Money): { utilisation: string | null; warning: boolean } {
  if (cap.isZero()) return { utilisation: null, warning: outstanding.greaterThan(0) };
  const u = outstanding.dividedBy(cap);
  return { utilisation: rate4(u), warning: u.greaterThanOrEqualTo(EXPOSURE_WARNING) };
}

/**
 * The forecast under a scenario (UNCHANGED: the rules in force). With reprice_open_loans and a
 * change to the subsidy rules, `repriced` must hold the open loans' periods re-priced (RepricedCells).
 */
export function forecast(s: ForecastSnapshot, scenario: Scenario = UNCHANGED, repriced?: FutureCell[]): ForecastResult {
  const reprice = scenario.scope === 'reprice_open_loans';
  if (reprice && changesSubsidy(scenario.params) && !repriced) throw new TypeError('re-pricing open loans needs their periods re-priced (RepricedCells)');
  const policyOf = (id: string): PolicyParams => {
    const p = s.policies[id];
    if (!p) throw new TypeError(`policy ${id} is not in the snapshot`);
    return p;
  };
  const forLoans = (id: string) => (reprice ? withScenario(policyOf(id), scenario.params) : policyOf(id));
  const forNew = (id: string) => withScenario(policyOf(id), scenario.params);
  const horizon = new Set(s.quarters);
  const lastDay = quarterBounds(s.quarters[s.quarters.length - 1]!).end;

  const onTime = cellPosteriors(PRIORS.onTime, new Map(s.onTime.map((c) => [key(c.bankId, c.ageBucket), { n: c.due, k: c.onTime } as Counts])));
  const defaults = cellPosteriors(PRIORS.default, new Map(s.defaults.map((c) => [c.ageBucket as string, { n: c.due, k: c.defaults } as Counts])));
  const conversion = cellPosteriors(PRIORS.conversion, new Map(s.conversion.map((c) => [c.step as string, { n: c.decided, k: c.converted } as Counts])));
  const onTimeOf = (bankId: string | null, bucket: AgeBucket) => (bankId === null ? onTime.portfolio : onTime.of(key(bankId, bucket)));
  // Rates are held to RATE_PLACES decimals where they multiply money, which keeps the arithmetic cheap
  // and changes no fen of a forecast.
  const means = new Map<string, Money>();
  const memo = (k: string, f: () => Money) => means.get(k) ?? (means.set(k, f().toDecimalPlaces(RATE_PLACES)), means.get(k)!);
  const onTimeMean = (bankId: string | null, bucket: AgeBucket) => memo(key('on-time', bankId, bucket), () => betaMean(onTimeOf(bankId, bucket)));
  const hazard = (bucket: AgeBucket) => memo(key('default', bucket), () => betaMean(defaults.of(bucket)));

  const rows = new Map<string, { quarter: Quarter; bankId: string | null; sum: BandSum }>();
  const quarters = new Map<Quarter, BandSum>(s.quarters.map((q) => [q, new BandSum()]));
  const years = new Map<number, { dueQuarters: Quarter[]; sum: BandSum }>();
  for (const q of s.quarters) {
    const y = budgetYearOf(q);
    if (!years.has(y)) years.set(y, { dueQuarters: [], sum: new BandSum() });
    years.get(y)!.dueQuarters.push(q);
  }
  // New loans' schedules, by the same buildSchedule the loans use; applications with the same terms share one.
  const schedules = new Map<string, PipelineLine[]>();
  const disbursedOnNew = addDays(s.asOf, PIPELINE_DISBURSAL_LAG_DAYS);
  const scheduleOf = (method: RepaymentMethod, amount: Money, policy: PolicyParams, termMonths: number): PipelineLine[] => {
    const k = key(method, amount.toFixed(2), policy.rateCap, String(termMonths), policy.subsidyMode, policy.subsidyShare, policy.borrowerRateFloor);
    let lines = schedules.get(k);
    if (!lines) {
      let outstanding = amount;
      lines = buildSchedule({ repaymentMethod: method, amount: formatMoney(amount), annualRate: policy.rateCap, disbursedOn: disbursedOnNew, termMonths, policy })
        .filter((l) => compareDates(l.dueOn, lastDay) <= 0)
        .map((l) => {
          const atRisk = outstanding.plus(l.interest);
          outstanding = toMoney(l.outstandingAfter);
          return { quarter: l.quarter, bucket: ageBucketOf(l.period), subsidy: toMoney(l.subsidy), principal: toMoney(l.principal), atRisk };
        });
      schedules.set(k, lines);
    }
    return lines;
  };
  /**
   * Per quarter of the horizon, one new loan's Σ s, Σ s·μ, Σ s²·μ(1−μ) (for its band), Σ atRisk·h (its
   * expected loss) and Σ principal (leaving the exposure); the same for every application with
   * these terms and this bank.
   */
  const quarterSums = new Map<string, Map<Quarter, { sums: PipelineSums; lossBase: Money; principal: Money }>>();
  const quarterSumsOf = (method: RepaymentMethod, amount: Money, policy: PolicyParams, termMonths: number, bankId: string | null) => {
    const k = key(method, amount.toFixed(2), policy.rateCap, String(termMonths), policy.subsidyMode, policy.subsidyShare, policy.borrowerRateFloor, bankId);
    let out = quarterSums.get(k);
    if (!out) {
      out = new Map();
      for (const l of scheduleOf(method, amount, policy, termMonths)) {
        if (!horizon.has(l.quarter)) continue;
        const x = out.get(l.quarter) ?? { sums: emptySums(), lossBase: new Money(0), principal: new Money(0) };
        out.set(l.quarter, {
          sums: addLine(x.sums, l.subsidy, onTimeMean(bankId, l.bucket)),
          lossBase: x.lossBase.plus(l.atRisk.times(hazard(l.bucket))),
          principal: x.principal.plus(l.principal),
        });
      }
      quarterSums.set(k, out);
    }
    return out;
  };
  const rowOf = (quarter: Quarter, bankId: string | null) => {
    const k = key(quarter, bankId);
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { quarter, bankId, sum: new BandSum() }));
    return r.sum;
  };
  const zero = () => ({ guaranteeFund: new Money(0), bank: new Money(0), guaranteeCompany: new Money(0) });
  const loss = new Map<Quarter, ReturnType<typeof zero>>(s.quarters.map((q) => [q, zero()]));
  const addLoss = (quarter: Quarter, amount: Money, sharing: PolicyParams['lossSharing']) => {
    const l = loss.get(quarter)!;
    l.guaranteeFund = l.guaranteeFund.plus(amount.times(sharing.guaranteeFund));
    l.bank = l.bank.plus(amount.times(sharing.bank));
    l.guaranteeCompany = l.guaranteeCompany.plus(amount.times(sharing.guaranteeCompany));
  };
  /** Principal leaving (or, for the pipeline, entering) each company's exposure, per quarter. */
  const exposureMoves = new Map<string, Money>();
  const move = (companyId: string, quarter: Quarter | 'now', amount: Money) => {
    const k = key(companyId, quarter);
    exposureMoves.set(k, (exposureMoves.get(k) ?? new Money(0)).plus(amount));
  };

  // Open loans.
  for (const c of repriced ?? s.future) {
    if (!horizon.has(c.quarter)) continue;
    const posterior = onTime.of(key(c.bankId, c.ageBucket));
    const cellKey = key(c.bankId, c.ageBucket);
    const subsidy = toMoney(c.subsidy);
    const subsidySq = toMoney(c.subsidySq);
    rowOf(c.quarter, c.bankId).addLoans(cellKey, posterior, subsidy, subsidySq);
    quarters.get(c.quarter)!.addLoans(cellKey, posterior, subsidy, subsidySq);
    years.get(budgetYearOf(c.quarter))!.sum.addLoans(cellKey, posterior, subsidy, subsidySq);
    addLoss(c.quarter, toMoney(c.atRisk).times(hazard(c.ageBucket)), forLoans(c.policyId).lossSharing);
    move(c.companyId, c.quarter, toMoney(c.principal).negated());
  }

  // The pipeline: each application, if its request fits the rules it would be lent under, as a
  // loan disbursed PIPELINE_DISBURSAL_LAG_DAYS from now at the rate cap, times its step's conversion.
  // Applications alike in everything the forecast reads are one group of n independent ones: their
  // means and variances are n times one's.
  const alike = new Map<string, { a: PipelineApplication; n: number }>();
  for (const a of s.pipeline) {
    const k = key(a.step, a.bankId, a.companyId, a.policyId, a.requestedAmount, a.amount, String(a.termMonths), a.repaymentMethod);
    const g = alike.get(k);
    if (g) g.n += 1;
    else alike.set(k, { a, n: 1 });
  }
  let eligible = 0;
  let expectedLoans = new Money(0);
  for (const { a, n } of alike.values()) {
    const policy = forNew(a.policyId);
    if (!requestFits(policy, a.requestedAmount, a.termMonths)) continue;
    eligible += n;
    const amount = Money.min(a.amount, policy.guaranteeMax);
    const pi = memo(key('conversion', a.step), () => betaMean(conversion.of(a.step)));
    const piN = pi.times(n);
    expectedLoans = expectedLoans.plus(amount.times(piN));
    move(a.companyId, 'now', amount.times(piN));
    const perQuarter = quarterSumsOf(a.repaymentMethod, amount, policy, a.termMonths, a.bankId);
    for (const [q, x] of perQuarter) {
      addLoss(q, x.lossBase.times(piN), policy.lossSharing);
      move(a.companyId, q, x.principal.times(piN).negated());
    }
    // One application's quarters share its conversion, so a year's variance comes from the year's sums.
    const perYear = new Map<number, PipelineSums>();
    for (const [q, { sums }] of perQuarter) {
      for (const target of [rowOf(q, a.bankId), quarters.get(q)!]) addPipeline(target, pi, n, sums);
      const y = budgetYearOf(q);
      perYear.set(y, mergeSums(perYear.get(y) ?? emptySums(), sums));
    }
    for (const [y, sums] of perYear) addPipeline(years.get(y)!.sum, pi, n, sums);
  }

  // Accrued and unpaid: claimed the quarter after its due quarter, or now if that quarter has come.
  const thisQuarter = quarterOf(s.asOf);
  for (const a of s.accrued) {
    const next = nextQuarter(a.quarter);
    const y = budgetYearOf(next < thisQuarter ? previousQuarter(thisQuarter) : a.quarter);
    if (!years.has(y)) years.set(y, { dueQuarters: [], sum: new BandSum() });
    years.get(y)!.sum.addAccrued(toMoney(a.amount));
  }

  // Exposure against the leverage cap, now and at each quarter's end.
  const current = forNew(s.currentPolicyId);
  const outstandingNow = new Map(s.outstanding.map((o) => [o.companyId, toMoney(o.principal)]));
  const exposure: ExposureRow[] = s.companies.map((co) => {
    const deposit = toMoney(co.deposit);
    const cap = deposit.times(current.leverageCap);
    let out = (outstandingNow.get(co.id) ?? new Money(0)).plus(exposureMoves.get(key(co.id, 'now')) ?? 0);
    const now = { on: s.asOf, outstanding: formatMoney(roundFen(out)), ...utilisation(out, cap) };
    const byQuarter = s.quarters.map((q) => {
      out = out.plus(exposureMoves.get(key(co.id, q)) ?? 0);
      const on = quarterBounds(q).end;
      return { quarter: q, on, outstanding: formatMoney(roundFen(out)), ...utilisation(out, cap) };
    });
    return { companyId: co.id, name: co.name, deposit: formatMoney(deposit), leverageCap: current.leverageCap, cap: formatMoney(roundFen(cap)), now, byQuarter };
  });

  const bankName = new Map(s.banks.map((b) => [b.id, b.name]));
  const fen = (m: Money) => formatMoney(roundFen(m));
  return {
    asOf: s.asOf,
    quarters: s.quarters,
    scope: scenario.scope,
    band: { method: 'beta-binomial', low: 'P10', high: 'P90' },
    rows: [...rows.values()]
      .sort((a, b) => (a.quarter < b.quarter ? -1 : a.quarter > b.quarter ? 1 : (a.bankId ?? '~') < (b.bankId ?? '~') ? -1 : 1))
      .map((r) => ({ quarter: r.quarter, bankId: r.bankId, bankName: r.bankId === null ? null : (bankName.get(r.bankId) ?? null), ...r.sum.result() })),
    byQuarter: s.quarters.map((q) => {
      const l = loss.get(q)!;
      return {
        quarter: q,
        ...quarters.get(q)!.result(),
        expectedLoss: { guaranteeFund: fen(l.guaranteeFund), bank: fen(l.bank), guaranteeCompany: fen(l.guaranteeCompany), compensation: fen(l.guaranteeFund.plus(l.guaranteeCompany)) },
      };
    }),
    byBudgetYear: [...years.entries()].sort(([a], [b]) => a - b).map(([year, y]) => ({ year, dueQuarters: y.dueQuarters, ...y.sum.result(), accrued: formatMoney(y.sum.accrued) })),
    exposure,
    pipeline: { applications: s.pipeline.length, eligible, expectedLoans: fen(expectedLoans) },
    rates: {
      onTime: s.onTime.map((c) => ({ bankId: c.bankId, ageBucket: c.ageBucket, periods: c.due, onTime: c.onTime, rate: rate4(betaMean(onTime.of(key(c.bankId, c.ageBucket)))) })),
      default: s.defaults.map((c) => ({ ageBucket: c.ageBucket, periods: c.due, defaults: c.defaults, rate: rate4(hazard(c.ageBucket)) })),
      conversion: s.conversion.map((c) => ({ step: c.step, decided: c.decided, converted: c.converted, rate: rate4(betaMean(conversion.of(c.step))) })),
    },
  };
}
