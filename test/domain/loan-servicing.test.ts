import { expect } from 'chai';
import fc from 'fast-check';
import { fenString } from '../support/arbitraries';
import { bulletInput } from '../support/schedules';
import { Money, formatMoney, sumMoney } from '../../domain/money';
import { addDays, daysBetween, fromEpochDay, toEpochDay } from '../../domain/dates';
import { type ScheduleInput, buildSchedule, earlyRepaymentSchedule } from '../../domain/schedule';
import { planPeriods } from '../../domain/loan-plan';
import {
  type LoanPeriod,
  type LoanTerms,
  applyRepayment,
  openPeriods,
  outstandingPrincipal,
  planRepayment,
  quotePayoff,
} from '../../domain/repayment';
import { planExtension } from '../../domain/extension';
import { businessDayStartMs, dueCheckpoints, nextCheckpoint } from '../../domain/loan-calendar';
import { allocateRecovery, defaultLoss, splitLoss } from '../../domain/default';
import { claimDueBy, claimIsLate, quarterHasEnded } from '../../domain/claim-rules';
import { businessDateOf } from '../../domain/business-day';


const inputArb: fc.Arbitrary<ScheduleInput> = fc.record({
  repaymentMethod: fc.constantFrom('monthly_interest_bullet' as const, 'equal_instalment' as const),
  // Large enough that every period has interest to pay: a period with nothing due is settled from the start.
  amount: fc.oneof(fenString(5_000_000n, 30_000_000n), fenString(1_000_000n, 10_000_000_000n)),
  annualRate: fc.oneof(
    fc.integer({ min: 100, max: 200_000 }).map((n) => new Money(n).dividedBy(1_000_000).toFixed()),
    fc.constantFrom('0.0435', '0.0600', '0.015'),
  ),
  disbursedOn: fc.oneof(
    fc.integer({ min: toEpochDay('2024-01-01'), max: toEpochDay('2035-12-31') }).map(fromEpochDay),
    fc.constantFrom('2027-01-31', '2028-02-29', '2027-08-31', '2027-12-31'),
  ),
  termMonths: fc.integer({ min: 1, max: 36 }),
  policy: fc.oneof(
    fc.record({ subsidyMode: fc.constant('share_of_interest' as const), subsidyShare: fc.constantFrom('1', '0.5', '0.8') }),
    fc.record({ subsidyMode: fc.constant('above_borrower_rate' as const), borrowerRateFloor: fc.constantFrom('0.015', '0.05') }),
  ),
});

function termsOf(input: ScheduleInput): LoanTerms {
  return {
    repaymentMethod: input.repaymentMethod,
    principal: formatMoney(new Money(input.amount)),
    annualRate: String(input.annualRate),
    disbursedOn: input.disbursedOn,
    termMonths: input.termMonths,
    policy: { ...input.policy, graceDays: 0, backdatingWindowDays: 90 },
  };
}

function loanOf(input: ScheduleInput): { terms: LoanTerms; periods: LoanPeriod[] } {
  return { terms: termsOf(input), periods: openPeriods(buildSchedule(input).map((l) => ({ ...l, extended: false }))) };
}

/** Pays every period from the first up to `upTo` in full on its due date. */
function payOnDueDates(terms: LoanTerms, periods: LoanPeriod[], upTo: number): LoanPeriod[] {
  let ps = periods;
  for (let i = 1; i <= upTo; i++) {
    const p = ps.find((x) => x.period === i)!;
    const amount = formatMoney(new Money(p.principal).plus(p.interest));
    const r = planRepayment(terms, ps, { period: i, amount, paidOn: p.dueOn, bankReference: `R${i}` }, { today: p.dueOn, knownReferences: [] });
    if (!r.ok) throw new Error(JSON.stringify(r.refusals));
    ps = applyRepayment(terms, ps, r.plan, p.dueOn).periods;
  }
  return ps;
}

describe('domain/loan-plan', () => {
  it('planned from period 1 over the original term, gives exactly buildSchedule', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const planned = planPeriods({
          repaymentMethod: input.repaymentMethod,
          annualRate: input.annualRate,
          disbursedOn: input.disbursedOn,
          firstPeriod: 1,
          periodStart: input.disbursedOn,
          outstanding: input.amount,
          lastPeriod: input.termMonths,
          subsidisedUntil: input.termMonths,
          policy: input.policy,
        });
        expect(planned.map(({ extended, ...l }) => l)).to.deep.equal(buildSchedule(input));
        expect(planned.every((l) => !l.extended)).to.equal(true);
      }),
    );
  });
});

describe('domain/repayment', () => {
  it('pays on the due date: on time, subsidy as scheduled, and the loan repaid after the last period', () => {
    const { terms, periods } = loanOf(bulletInput());
    const ps = payOnDueDates(terms, periods, 12);
    expect(ps.every((p) => p.status === 'paid_on_time')).to.equal(true);
    expect(outstandingPrincipal(terms.principal, ps).isZero()).to.equal(true);
  });

  it('records a partial payment, interest first, and settles the period on time when the rest arrives by the due date', () => {
    const { terms, periods } = loanOf(bulletInput());
    const r1 = planRepayment(terms, periods, { period: 1, amount: '100.00', paidOn: '2027-02-10', bankReference: 'a' }, { today: '2027-02-10', knownReferences: [] });
    expect(r1.ok && r1.plan).to.deep.equal({ kind: 'scheduled', period: 1, interestPart: '100.00', principalPart: '0.00' });
    const a1 = applyRepayment(terms, periods, (r1 as any).plan, '2027-02-10');
    expect(a1.settled).to.equal(null);
    expect(a1.periods[0]!.status).to.equal('partially_paid');
    const r2 = planRepayment(terms, a1.periods, { period: 1, amount: '170.67', paidOn: '2027-02-28', bankReference: 'b' }, { today: '2027-03-01', knownReferences: ['a'] });
    const a2 = applyRepayment(terms, a1.periods, (r2 as any).plan, '2027-02-28');
    expect(a2.settled).to.deep.equal({ period: 1, onTime: true, subsidy: '270.67', dueOn: '2027-02-28', quarter: '2027Q1' });
  });

  it('marks a period paid after its due date (plus grace) late, without subsidy', () => {
    const input = bulletInput();
    const { terms, periods } = loanOf(input);
    const r = planRepayment(terms, periods, { period: 1, amount: '270.67', paidOn: '2027-03-01', bankReference: 'x' }, { today: '2027-03-01', knownReferences: [] });
    expect(applyRepayment(terms, periods, (r as any).plan, '2027-03-01').settled).to.deep.include({ onTime: false, subsidy: '0.00' });
    const graced = { ...terms, policy: { ...terms.policy, graceDays: 3 } };
    expect(applyRepayment(graced, periods, (r as any).plan, '2027-03-01').settled).to.deep.include({ onTime: true, subsidy: '270.67' });
  });

  it('refuses, naming the field: future, too old, before disbursal, unknown period, out of order, over-payment, reused reference', () => {
    const { terms, periods } = loanOf(bulletInput());
    const ctx = { today: '2027-03-05', knownReferences: ['USED'] };
    const refusal = (over: Record<string, unknown>, c = ctx) => {
      const r = planRepayment(terms, periods, { period: 1, amount: '270.67', paidOn: '2027-02-28', bankReference: 'R', ...over }, c);
      return r.ok ? undefined : r.refusals[0];
    };
    expect(refusal({ paidOn: '2027-03-06' })).to.include({ kind: 'validation', path: 'paidOn' });
    expect(refusal({ paidOn: '2027-02-01' }, { today: '2027-06-01', knownReferences: [] })).to.include({ path: 'paidOn' });
    expect(refusal({ paidOn: '2027-01-30' })).to.include({ path: 'paidOn' });
    expect(refusal({ period: 13 })).to.include({ kind: 'validation', path: 'period' });
    expect(refusal({ period: 2 })).to.include({ kind: 'state', path: 'period' });
    expect(refusal({ amount: '270.68' })).to.include({ kind: 'validation', path: 'amount' });
    expect(refusal({ bankReference: 'USED' })).to.include({ kind: 'conflict', path: 'bankReference' });
    expect(refusal({})).to.equal(undefined);
  });

  it('refuses a second payment for a period paid in full', () => {
    const { terms, periods } = loanOf(bulletInput());
    const ps = payOnDueDates(terms, periods, 1);
    const r = planRepayment(terms, ps, { period: 1, amount: '1.00', paidOn: '2027-03-01', bankReference: 'z' }, { today: '2027-03-01', knownReferences: [] });
    expect(r.ok).to.equal(false);
    expect((r as any).refusals[0]).to.include({ kind: 'conflict', path: 'period' });
  });

  it('quotes the same early full repayment as earlyRepaymentSchedule, and applying it ends the loan', () => {
    fc.assert(
      fc.property(inputArb.filter((i) => i.termMonths > 1), fc.nat(), (input, pick) => {
        const { terms, periods } = loanOf(input);
        const full = buildSchedule(input);
        const span = daysBetween(input.disbursedOn, full[full.length - 1]!.dueOn) - 1;
        const repaidOn = addDays(input.disbursedOn, 1 + (pick % span));
        const expected = earlyRepaymentSchedule(input, repaidOn);
        const broken = expected[expected.length - 1]!;
        const ps = payOnDueDates(terms, periods, broken.period - 1);
        const quote = quotePayoff(terms, ps, repaidOn)!;
        expect(quote).to.deep.include({ period: broken.period, principal: broken.principal, interest: broken.interest, subsidy: broken.subsidy });
        // When the broken period's interest rounds to the scheduled one, the payoff is the period's
        // ordinary instalment paid early: recorded as such, due date unchanged (a case of its own below).
        const scheduled = ps.find((p) => p.period === broken.period)!;
        fc.pre(quote.amount !== formatMoney(new Money(scheduled.principal).plus(scheduled.interest)));
        const plan = planRepayment(terms, ps, { period: broken.period, amount: quote.amount, paidOn: repaidOn, bankReference: 'P' }, { today: repaidOn, knownReferences: [] });
        expect(plan.ok).to.equal(true);
        const applied = applyRepayment(terms, ps, (plan as any).plan, repaidOn);
        expect(applied.repaidInFull).to.equal(true);
        expect(applied.periods.map(({ extended, paid, lastPaidOn, status, ...l }) => l)).to.deep.equal(expected);
        expect(formatMoney(outstandingPrincipal(terms.principal, applied.periods))).to.equal('0.00');
      }),
    );
  });

  it('records a payoff equal to the last instalment as that instalment paid early, due date unchanged', () => {
    // 10,000 at 0.0108% a year: the broken period's interest for 25 days and the scheduled one both round to 0.01.
    const input: ScheduleInput = { ...bulletInput(), repaymentMethod: 'equal_instalment', amount: '10000.00', annualRate: '0.000108', disbursedOn: '2025-05-01', termMonths: 15 };
    const { terms, periods } = loanOf(input);
    const ps = payOnDueDates(terms, periods, 14);
    const quote = quotePayoff(terms, ps, '2026-07-26')!;
    expect(quote.amount).to.equal('666.78');
    const plan = planRepayment(terms, ps, { period: 15, amount: quote.amount, paidOn: '2026-07-26', bankReference: 'P' }, { today: '2026-07-26', knownReferences: [] });
    if (!plan.ok) throw new Error(JSON.stringify(plan.refusals));
    const applied = applyRepayment(terms, ps, plan.plan, '2026-07-26');
    expect(applied.repaidInFull).to.equal(true);
    const last = applied.periods.at(-1)!;
    expect(last).to.deep.include({ dueOn: '2026-08-01', principal: '666.77', interest: '0.01', subsidy: '0.01', status: 'paid_on_time' });
  });

  it('offers the payoff amount in the refusal of an over-payment', () => {
    const { terms, periods } = loanOf(bulletInput());
    const r = planRepayment(terms, periods, { period: 1, amount: '90000.00', paidOn: '2027-02-15', bankReference: 'q' }, { today: '2027-02-15', knownReferences: [] });
    // 80000 × 0.0435 × 15 / 360 = 145.00
    expect((r as any).refusals[0].message).to.contain('80145.00');
  });
});

describe('domain/extension', () => {
  it('re-plans the periods not yet due over the longer term; extended periods earn no subsidy', () => {
    const input = bulletInput();
    const { terms, periods } = loanOf(input);
    const paid = payOnDueDates(terms, periods, 3);
    const r = planExtension(terms, paid, { months: 6 }, { today: '2027-04-30', extendedBefore: false, extensionMaxMonths: 12 });
    if (!r.ok) throw new Error(JSON.stringify(r.refusals));
    expect(r.firstReplanned).to.equal(4);
    expect(r.periods).to.have.length(18);
    expect(r.periods.slice(0, 3)).to.deep.equal(paid.slice(0, 3));
    expect(r.periods.filter((p) => p.extended).map((p) => p.period)).to.deep.equal([13, 14, 15, 16, 17, 18]);
    for (const p of r.periods.filter((x) => x.extended)) expect(p.subsidy).to.equal('0.00');
    expect(r.periods[11]!.principal).to.equal('0.00');
    expect(r.periods[17]!).to.include({ dueOn: '2028-07-31', principal: '80000.00' });
    expect(formatMoney(sumMoney(r.periods.map((p) => p.principal)))).to.equal('80000.00');
    // Periods 4..12 of a bullet loan keep their interest and subsidy: same days, same principal.
    expect(r.periods.slice(3, 12).map((p) => p.subsidy)).to.deep.equal(buildSchedule(input).slice(3, 12).map((l) => l.subsidy));
  });

  it('re-amortises an equal-instalment loan and keeps the principal exact', () => {
    fc.assert(
      fc.property(inputArb.filter((i) => i.termMonths > 2), fc.integer({ min: 1, max: 12 }), fc.nat(), (input, months, pick) => {
        const { terms, periods } = loanOf(input);
        const paidUpTo = pick % (input.termMonths - 1);
        const ps = payOnDueDates(terms, periods, paidUpTo);
        const today = paidUpTo === 0 ? input.disbursedOn : ps[paidUpTo - 1]!.dueOn;
        const r = planExtension(terms, ps, { months }, { today, extendedBefore: false, extensionMaxMonths: 12 });
        if (!r.ok) throw new Error(JSON.stringify(r.refusals));
        expect(r.periods).to.have.length(input.termMonths + months);
        expect(formatMoney(sumMoney(r.periods.map((p) => p.principal)))).to.equal(formatMoney(new Money(input.amount)));
        for (const p of r.periods) {
          expect(new Money(p.principal).isNegative()).to.equal(false);
          expect(new Money(p.subsidy).lessThanOrEqualTo(p.interest)).to.equal(true);
          if (p.period > input.termMonths) expect(p.subsidy).to.equal('0.00');
        }
      }),
    );
  });

  it('allows one extension within the policy, before maturity, only over unpaid periods', () => {
    const { terms, periods } = loanOf(bulletInput());
    const ctx = { today: '2027-04-30', extendedBefore: false, extensionMaxMonths: 12 };
    const kind = (r: ReturnType<typeof planExtension>) => (r.ok ? 'ok' : `${r.refusals[0]!.kind}:${r.refusals[0]!.path}`);
    expect(kind(planExtension(terms, periods, { months: 13 }, ctx))).to.equal('validation:months');
    expect(kind(planExtension(terms, periods, { months: 3 }, { ...ctx, extendedBefore: true }))).to.equal('state:months');
    expect(kind(planExtension(terms, periods, { months: 3 }, { ...ctx, extensionMaxMonths: 0 }))).to.equal('state:months');
    expect(kind(planExtension(terms, periods, { months: 3 }, { ...ctx, today: '2028-01-31' }))).to.equal('state:months');
    expect(kind(planExtension(terms, periods, { months: 12 }, ctx))).to.equal('ok');
  });
});

describe('domain/loan-calendar', () => {
  it('starts a business day at midnight UTC+8', () => {
    expect(new Date(businessDayStartMs('2027-03-01')).toISOString()).to.equal('2027-02-28T16:00:00.000Z');
    expect(businessDateOf(businessDayStartMs('2027-03-01'))).to.equal('2027-03-01');
    expect(businessDateOf(businessDayStartMs('2027-03-01') - 1)).to.equal('2027-02-28');
  });

  it('marks an unpaid period overdue the day after its grace, and the loan in default past the threshold', () => {
    const { periods } = loanOf(bulletInput());
    const pol = { graceDays: 2, defaultAfterDays: 90 };
    expect(nextCheckpoint(periods, pol)).to.equal('2027-03-03');
    expect(dueCheckpoints(periods, '2027-03-02', pol)).to.deep.equal({ overdue: [], defaultPeriod: null });
    expect(dueCheckpoints(periods, '2027-03-03', pol)).to.deep.equal({ overdue: [1], defaultPeriod: null });
    const marked = periods.map((p) => (p.period === 1 ? { ...p, status: 'overdue' as const } : p));
    expect(nextCheckpoint(marked, pol)).to.equal('2027-04-03'); // period 2 is due 03-31, grace 2
    // 2027-02-28 + 91 days
    expect(dueCheckpoints(marked, '2027-05-29', pol).defaultPeriod).to.equal(null);
    expect(dueCheckpoints(marked, '2027-05-30', pol).defaultPeriod).to.equal(1);
  });
});

describe('domain/default', () => {
  const sharing = (guaranteeFund: string, bank: string, guaranteeCompany: string) => ({ guaranteeFund, bank, guaranteeCompany });

  it('owes the outstanding principal and the unpaid interest of the periods due', () => {
    const { terms, periods } = loanOf(bulletInput());
    const ps = payOnDueDates(terms, periods, 2);
    // periods 3 (290.00), 4 (299.67), 5 (290.00) due by 2027-07-01 and unpaid
    expect(defaultLoss(terms.principal, ps, '2027-07-01')).to.deep.equal({ principal: '80000.00', interest: '879.67', total: '80879.67' });
  });

  it('splits the loss by the policy, the parts always adding up to it exactly', () => {
    expect(splitLoss('80879.67', sharing('1', '0', '0'))).to.deep.equal({ guaranteeFund: '80879.67', bank: '0.00', guaranteeCompany: '0.00' });
    expect(splitLoss('80879.67', sharing('0.8', '0.2', '0'))).to.deep.equal({ guaranteeFund: '64703.74', bank: '16175.93', guaranteeCompany: '0.00' });
    expect(splitLoss('80879.67', sharing('0.7', '0.25', '0.05'))).to.deep.equal({ guaranteeFund: '56615.77', bank: '20219.92', guaranteeCompany: '4043.98' });
    fc.assert(
      fc.property(
        fenString(1n, 10_000_000_000n),
        fc.constantFrom(sharing('1', '0', '0'), sharing('0.8', '0.2', '0'), sharing('0.7', '0.25', '0.05'), sharing('0.5', '0', '0.5'), sharing('0.333333', '0.333333', '0.333334')),
        (loss, s) => {
          const parts = splitLoss(loss, s);
          expect(formatMoney(sumMoney(Object.values(parts)))).to.equal(loss);
          for (const v of Object.values(parts)) expect(new Money(v).isNegative()).to.equal(false);
        },
      ),
    );
  });

  it('shares recoveries pro rata between the fund and the company, exactly by the end', () => {
    fc.assert(
      fc.property(fenString(1n, 1_000_000_000n), fenString(0n, 1_000_000_000n), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }), (f, c, weights) => {
        const compensated = { guaranteeFund: f, guaranteeCompany: c };
        const total = new Money(f).plus(c);
        const w = weights.reduce((a, b) => a + b, 0);
        let recovered = new Money(0);
        let fund = new Money(0);
        weights.forEach((x, i) => {
          const amount = i === weights.length - 1 ? total.minus(recovered) : total.times(x).dividedBy(w).toDecimalPlaces(2, Money.ROUND_DOWN);
          if (!amount.greaterThan(0)) return;
          const part = allocateRecovery(compensated, formatMoney(recovered), formatMoney(amount));
          expect(new Money(part.guaranteeFund).isNegative() || new Money(part.guaranteeCompany).isNegative()).to.equal(false);
          expect(new Money(part.guaranteeFund).plus(part.guaranteeCompany).equals(amount)).to.equal(true);
          fund = fund.plus(part.guaranteeFund);
          recovered = recovered.plus(amount);
        });
        expect(formatMoney(fund)).to.equal(f);
      }),
    );
  });
});

describe('domain/claim-rules', () => {
  it('opens a quarter for claims the day after it ends and marks claims after its first following month late', () => {
    expect(quarterHasEnded('2027Q1', '2027-03-31')).to.equal(false);
    expect(quarterHasEnded('2027Q1', '2027-04-01')).to.equal(true);
    expect(claimDueBy('2027Q1')).to.equal('2027-04-30');
    expect(claimDueBy('2027Q4')).to.equal('2028-01-31');
    expect(claimIsLate('2027Q1', '2027-04-30')).to.equal(false);
    expect(claimIsLate('2027Q1', '2027-05-01')).to.equal(true);
  });
});
