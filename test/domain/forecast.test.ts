import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Money, formatMoney, sumMoney } from '../../domain/money';
import { type IsoDate, addDays, compareDates, quarterBounds } from '../../domain/dates';
import { type PolicyParams, defaultPolicyParams } from '../../domain/policy';
import { type ScheduleInput, buildSchedule } from '../../domain/schedule';
import { seededRandom } from '../support/random';
import {
  type ForecastSnapshot,
  type FutureCell,
  type FutureLine,
  type PipelineApplication,
  PIPELINE_DISBURSAL_LAG_DAYS,
  RepricedCells,
  UNCHANGED,
  ageBucketOf,
  backtest,
  forecast,
  forecastQuarters,
  whatIf,
} from '../../domain/forecast';

const { vectors } = JSON.parse(readFileSync(path.resolve(__dirname, '..', 'fixtures', 'schedules.json'), 'utf8')) as { vectors: Array<{ input: ScheduleInput }> };

const BANKS = ['bank-a', 'bank-b'];
const COMPANY = 'company-1';

interface Loan {
  input: ScheduleInput;
  bankId: string;
  policyId: string;
}

/** The periods of the loans due after asOf, one line each, as the database's rows are. */
function linesOf(loans: Loan[], asOf: IsoDate): Array<FutureLine & { subsidy: string }> {
  const out: Array<FutureLine & { subsidy: string }> = [];
  for (const loan of loans) {
    let outstanding = new Money(loan.input.amount);
    for (const l of buildSchedule(loan.input)) {
      const atRisk = outstanding.plus(l.interest);
      outstanding = new Money(l.outstandingAfter);
      if (compareDates(l.dueOn, asOf) <= 0) continue;
      out.push({
        quarter: l.quarter, bankId: loan.bankId, companyId: COMPANY, ageBucket: ageBucketOf(l.period), policyId: loan.policyId,
        interest: l.interest, annualRate: loan.input.annualRate, count: 1, principal: l.principal, atRisk, subsidy: l.subsidy,
      });
    }
  }
  return out;
}

/** Cells summed the plain way, as the repository's SQL sums them. */
function cellsOf(lines: Array<FutureLine & { subsidy: string }>): FutureCell[] {
  const m = new Map<string, FutureCell & { s: Money; q: Money; p: Money; r: Money }>();
  for (const l of lines) {
    const k = [l.quarter, l.bankId, l.companyId, l.ageBucket, l.policyId].join('|');
    const c = m.get(k) ?? { ...l, subsidy: '0', subsidySq: '0', s: new Money(0), q: new Money(0), p: new Money(0), r: new Money(0) };
    c.s = c.s.plus(l.subsidy);
    c.q = c.q.plus(new Money(l.subsidy).pow(2));
    c.p = c.p.plus(l.principal);
    c.r = c.r.plus(l.atRisk);
    m.set(k, c);
  }
  return [...m.values()].map((c) => ({ quarter: c.quarter, bankId: c.bankId, companyId: c.companyId, ageBucket: c.ageBucket, policyId: c.policyId, subsidy: c.s, subsidySq: c.q, principal: c.p, atRisk: c.r }));
}

function snapshot(o: { loans: Loan[]; asOf: IsoDate; quarters: number; policies: Record<string, PolicyParams>; pipeline?: PipelineApplication[]; onTime?: ForecastSnapshot['onTime']; accrued?: ForecastSnapshot['accrued'] }): ForecastSnapshot {
  const lines = linesOf(o.loans, o.asOf);
  return {
    asOf: o.asOf,
    quarters: forecastQuarters(o.asOf, o.quarters),
    future: cellsOf(lines),
    outstanding: [{ companyId: COMPANY, principal: sumMoney(lines.map((l) => l.principal as string)) }],
    onTime: o.onTime ?? [
      { bankId: 'bank-a', ageBucket: '1-3', due: 120, onTime: 110 },
      { bankId: 'bank-b', ageBucket: '4-6', due: 40, onTime: 30 },
    ],
    defaults: [{ ageBucket: '1-3', due: 300, defaults: 2 }],
    conversion: [{ step: 'AWAITING_DISBURSAL', decided: 20, converted: 18 }],
    pipeline: o.pipeline ?? [],
    accrued: o.accrued ?? [],
    policies: o.policies,
    currentPolicyId: Object.keys(o.policies)[0]!,
    companies: [{ id: COMPANY, name: 'Guarantee Co', deposit: '2000000.00' }],
    banks: BANKS.map((id) => ({ id, name: id })),
  };
}

const policies = { p1: { ...defaultPolicyParams }, half: { ...defaultPolicyParams, subsidyShare: '0.5' } };
const asOfArb = fc.constantFrom<IsoDate>('2026-12-31', '2027-01-15', '2027-03-31', '2027-06-30', '2027-09-30', '2028-02-10');
const portfolioArb = fc.array(
  fc.record({ v: fc.nat({ max: vectors.length - 1 }), bank: fc.constantFrom(...BANKS), shift: fc.integer({ min: -40, max: 40 }) }),
  { minLength: 1, maxLength: 12 },
);
const loansOf = (picks: Array<{ v: number; bank: string; shift: number }>): Loan[] =>
  picks.map((p) => {
    const input = vectors[p.v]!.input;
    return { input: { ...input, disbursedOn: addDays(input.disbursedOn, p.shift), policy: policies.p1 }, bankId: p.bank, policyId: 'p1' };
  });

describe('domain/forecast (property tests)', () => {
  it('scheduled subsidy is the sum of the schedules’ subsidy to the fen, per quarter, bank and budget year', () => {
    fc.assert(
      fc.property(portfolioArb, asOfArb, fc.integer({ min: 1, max: 12 }), (picks, asOf, n) => {
        const loans = loansOf(picks);
        const s = snapshot({ loans, asOf, quarters: n, policies });
        const f = forecast(s);
        const last = quarterBounds(s.quarters[s.quarters.length - 1]!).end;
        const due = loans.flatMap((l) => buildSchedule(l.input).map((line) => ({ ...line, bankId: l.bankId }))).filter((l) => compareDates(l.dueOn, asOf) > 0 && compareDates(l.dueOn, last) <= 0);
        for (const q of f.byQuarter) {
          expect(q.scheduled, q.quarter).to.equal(formatMoney(sumMoney(due.filter((l) => l.quarter === q.quarter).map((l) => l.subsidy))));
        }
        for (const r of f.rows) {
          expect(r.scheduled).to.equal(formatMoney(sumMoney(due.filter((l) => l.quarter === r.quarter && l.bankId === r.bankId).map((l) => l.subsidy))));
        }
        expect(formatMoney(sumMoney(f.byBudgetYear.map((y) => y.scheduled)))).to.equal(formatMoney(sumMoney(due.map((l) => l.subsidy))));
        // The band holds the mean, within what can be earned.
        for (const q of f.byQuarter) {
          expect(new Money(q.p10).lte(q.expected) && new Money(q.expected).lte(q.p90) && new Money(q.p90).lte(q.scheduled)).to.equal(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a what-if that changes nothing is the forecast, exactly', () => {
    fc.assert(
      fc.property(portfolioArb, asOfArb, fc.array(fc.record({ amount: fc.constantFrom('50000.00', '80000.00', '100000.00', '150000.00'), term: fc.constantFrom(6, 12, 24, 36) }), { maxLength: 5 }), (picks, asOf, apps) => {
        const s = snapshot({ loans: loansOf(picks), asOf, quarters: 8, policies, pipeline: pipelineOf(apps, 'p1') });
        const w = whatIf(s, UNCHANGED);
        expect(w.changed).to.deep.equal(forecast(s));
        expect(w.today).to.deep.equal(w.changed);
        for (const q of w.byQuarter) expect(q.expected.difference).to.equal('0.00');
        expect(w.pipeline.becomeEligible + w.pipeline.becomeIneligible).to.equal(0);
      }),
      { numRuns: 40 },
    );
  });

  it('re-pricing open loans under their own rules gives back their cells, through the same subsidy code', () => {
    fc.assert(
      fc.property(portfolioArb, asOfArb, (picks, asOf) => {
        const loans = loansOf(picks);
        const lines = linesOf(loans, asOf);
        const repriced = new RepricedCells();
        for (const l of lines) repriced.add(l, policies[l.policyId as keyof typeof policies]);
        const s = snapshot({ loans, asOf, quarters: 8, policies });
        expect(forecast(s, { params: {}, scope: 'reprice_open_loans' }, repriced.result()).byQuarter).to.deep.equal(forecast(s).byQuarter);
      }),
      { numRuns: 40 },
    );
  });

  it('raising the subsidy share from 0.5 to 1 doubles the new loans’ scheduled subsidy, within a fen per period', () => {
    fc.assert(
      fc.property(
        portfolioArb,
        asOfArb,
        fc.array(fc.record({ amount: fc.constantFrom('50000.00', '66666.67', '80000.00', '100000.00'), term: fc.constantFrom(6, 12, 18, 24) }), { minLength: 1, maxLength: 6 }),
        (picks, asOf, apps) => {
          const loans = loansOf(picks).map((l) => ({ ...l, input: { ...l.input, policy: policies.half }, policyId: 'half' }));
          const pipeline = pipelineOf(apps, 'half');
          const s = snapshot({ loans, asOf, quarters: 8, policies, pipeline });
          const w = whatIf(s, { params: { subsidyShare: '1' }, scope: 'new_loans_only' });
          const last = quarterBounds(s.quarters[s.quarters.length - 1]!).end;
          const periods = new Map<string, number>();
          for (const a of pipeline) {
            const lines = buildSchedule({ repaymentMethod: a.repaymentMethod, amount: a.amount, annualRate: policies.half.rateCap, disbursedOn: addDays(asOf, PIPELINE_DISBURSAL_LAG_DAYS), termMonths: a.termMonths, policy: policies.half });
            for (const l of lines) if (compareDates(l.dueOn, last) <= 0) periods.set(l.quarter, (periods.get(l.quarter) ?? 0) + 1);
          }
          w.today.byQuarter.forEach((t, i) => {
            const c = w.changed.byQuarter[i]!;
            // Open loans keep their own rules; the new loans' subsidy doubles.
            expect(c.scheduled).to.equal(t.scheduled);
            const gap = new Money(c.pipelineScheduled).minus(new Money(t.pipelineScheduled).times(2)).abs();
            expect(gap.lte(new Money('0.01').times(periods.get(t.quarter) ?? 0)), `${t.quarter}: ${t.pipelineScheduled} → ${c.pipelineScheduled}`).to.equal(true);
          });
          expect(new Money(sumMoney(w.changed.byQuarter.map((q) => q.pipelineScheduled))).gt(0)).to.equal(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('puts subsidy accrued and unpaid in the budget year its claim is paid, owed in full', () => {
    // On 2027-11-15 (2027Q4): 2027Q3's claim is filed and paid now, in 2027; 2027Q4's next quarter, in 2028;
    // 2027Q1's, filed late, is paid now too.
    const s = snapshot({ loans: loansOf([{ v: 0, bank: 'bank-a', shift: 0 }]), asOf: '2027-11-15', quarters: 4, policies, accrued: [
      { quarter: '2027Q1', bankId: 'bank-a', amount: '10.00' },
      { quarter: '2027Q3', bankId: 'bank-a', amount: '100.00' },
      { quarter: '2027Q4', bankId: 'bank-b', amount: '1000.00' },
    ] });
    const f = forecast(s);
    const year = (y: number) => f.byBudgetYear.find((r) => r.year === y)!;
    expect(year(2027)).to.include({ accrued: '110.00', scheduled: '0.00' });
    expect(year(2027).total).to.deep.equal({ expected: '110.00', p10: '110.00', p90: '110.00' });
    expect(year(2028).accrued).to.equal('1000.00');
    expect(new Money(year(2028).total.expected).minus(year(2028).expected).minus(year(2028).pipelineExpected).toFixed(2)).to.equal('1000.00');
    expect(new Money(year(2028).total.p10).gte('1000.00')).to.equal(true);
  });

  it('the backtest band covers the truth at its nominal rate on generated history (seeded)', () => {
    // Each trial: a portfolio with a true on-time rate p; its history (what the forecast sees) and
    // its future (the truth) are drawn with p; the band is P10–P90, so it should hold ~80 % of truths.
    const rng = seededRandom(20261207); // the same coverage trial on every run
    const trials = 400;
    let covered = 0;
    let apes = 0;
    for (let t = 0; t < trials; t++) {
      const p = 0.75 + rng() * 0.23;
      const history = 100 + Math.floor(rng() * 900);
      let onTime = 0;
      for (let i = 0; i < history; i++) if (rng() < p) onTime += 1;
      const future: FutureCell[] = [];
      let truth = new Money(0);
      let s = new Money(0);
      let q = new Money(0);
      const periods = 40 + Math.floor(rng() * 200);
      for (let i = 0; i < periods; i++) {
        const subsidy = new Money(Math.floor(100 + rng() * 400_00)).dividedBy(100);
        s = s.plus(subsidy);
        q = q.plus(subsidy.times(subsidy));
        if (rng() < p) truth = truth.plus(subsidy);
      }
      future.push({ quarter: '2027Q3', bankId: 'bank-a', companyId: COMPANY, ageBucket: '4-6', policyId: 'p1', subsidy: s, subsidySq: q, principal: '0', atRisk: '0' });
      const snap: ForecastSnapshot = { ...snapshot({ loans: [], asOf: '2027-06-30', quarters: 1, policies }), future, onTime: [{ bankId: 'bank-a', ageBucket: '4-6', due: history, onTime }] };
      const b = backtest(forecast(snap), new Map([['2027Q3', formatMoney(truth)]]));
      if (b.rows[0]!.withinBand) covered += 1;
      apes += Number(b.mape);
    }
    const rate = covered / trials;
    expect(rate, `covered ${covered} of ${trials}`).to.be.within(0.74, 0.86);
    expect(apes / trials).to.be.lessThan(0.1);
  });
});

function pipelineOf(apps: Array<{ amount: string; term: number }>, policyId: string): PipelineApplication[] {
  return apps.map((a, i) => ({
    id: `app-${i}`, step: 'AWAITING_DISBURSAL', bankId: BANKS[i % 2]!, companyId: COMPANY, policyId,
    requestedAmount: a.amount, amount: a.amount, termMonths: a.term, repaymentMethod: i % 2 ? 'equal_instalment' : 'monthly_interest_bullet',
  }));
}
