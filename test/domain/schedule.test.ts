import { expect } from 'chai';
import fc from 'fast-check';
import { fenString } from '../support/arbitraries';
import { bulletInput as bullet } from '../support/schedules';
import { Money, formatMoney, sumMoney } from '../../domain/money';
import { addDays, compareDates, daysBetween, fromEpochDay, toEpochDay } from '../../domain/dates';
import {
  type ScheduleInput,
  buildSchedule,
  dueDates,
  earlyRepaymentSchedule,
  equalInstalment,
  scheduleTotals,
  subsidyByQuarter,
} from '../../domain/schedule';
import type { SubsidyPolicy } from '../../domain/subsidy';


const policyArb: fc.Arbitrary<SubsidyPolicy> = fc.oneof(
  fc.record({
    subsidyMode: fc.constant('share_of_interest' as const),
    subsidyShare: fc.constantFrom('1', '0.5', '0', '0.333333', '0.8'),
  }),
  fc.record({
    subsidyMode: fc.constant('above_borrower_rate' as const),
    borrowerRateFloor: fc.constantFrom('0.015', '0.0150', '0', '0.05', '0.2'),
  }),
);

/** Realistic loans and odd ones: a single fen, 10^12 yuan, zero and extreme rates, month-end disbursals. */
const inputArb: fc.Arbitrary<ScheduleInput> = fc.record({
  repaymentMethod: fc.constantFrom('monthly_interest_bullet' as const, 'equal_instalment' as const),
  amount: fc.oneof(fenString(5_000_000n, 30_000_000n), fenString(1n, 100_000_000_000_000n)),
  annualRate: fc.oneof(
    fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Money(n).dividedBy(1_000_000).toFixed()),
    fc.constantFrom('0', '0.0435', '0.0600', '0.015', '1'),
  ),
  disbursedOn: fc.oneof(
    fc.integer({ min: toEpochDay('2020-01-01'), max: toEpochDay('2040-12-31') }).map(fromEpochDay),
    fc.constantFrom('2027-01-31', '2028-02-29', '2027-08-31', '2027-12-31', '2027-03-30'),
  ),
  termMonths: fc.integer({ min: 1, max: 60 }),
  policy: policyArb,
});

describe('domain/schedule', () => {
  describe('properties', () => {
    it('principal parts add up exactly to the amount, and the last period leaves 0.00', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          const s = buildSchedule(input);
          expect(formatMoney(sumMoney(s.map((l) => l.principal)))).to.equal(formatMoney(input.amount));
          expect(s[s.length - 1]!.outstandingAfter).to.equal('0.00');
        }),
      );
    });

    it('has no negative amount, and every amount is a two-decimal string', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          for (const l of buildSchedule(input)) {
            for (const k of ['principal', 'interest', 'subsidy', 'outstandingAfter'] as const) {
              expect(l[k], `${k} of period ${l.period}`).to.match(/^\d+\.\d{2}$/);
            }
          }
        }),
      );
    });

    it('never subsidises more than the interest', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          for (const l of buildSchedule(input)) expect(new Money(l.subsidy).lessThanOrEqualTo(l.interest)).to.equal(true);
        }),
      );
    });

    it('gives the same schedule for the same inputs', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          expect(buildSchedule(structuredClone(input))).to.deep.equal(buildSchedule(input));
        }),
      );
    });

    it('has one period a month with strictly increasing due dates, each in its own quarter', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          const s = buildSchedule(input);
          expect(s.map((l) => l.period)).to.deep.equal(Array.from({ length: input.termMonths }, (_, i) => i + 1));
          let previous = input.disbursedOn;
          for (const l of s) {
            expect(compareDates(previous, l.dueOn), `${previous} < ${l.dueOn}`).to.equal(-1);
            expect(daysBetween(previous, l.dueOn)).to.be.within(28, 31);
            expect(l.quarter).to.equal(`${l.dueOn.slice(0, 4)}Q${Math.ceil(Number(l.dueOn.slice(5, 7)) / 3)}`);
            previous = l.dueOn;
          }
        }),
      );
    });

    it('keeps outstanding balances consistent with the principal paid', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          let outstanding = new Money(input.amount);
          for (const l of buildSchedule(input)) {
            outstanding = outstanding.minus(l.principal);
            expect(formatMoney(outstanding)).to.equal(l.outstandingAfter);
          }
        }),
      );
    });

    it('charges bullet interest on the whole amount by actual days / 360, principal only at the end', () => {
      fc.assert(
        fc.property(inputArb, (raw) => {
          const input = { ...raw, repaymentMethod: 'monthly_interest_bullet' as const };
          const s = buildSchedule(input);
          let previous = input.disbursedOn;
          for (const l of s) {
            const exact = new Money(input.amount).times(input.annualRate).times(daysBetween(previous, l.dueOn)).dividedBy(360);
            expect(new Money(l.interest).minus(exact).abs().lessThanOrEqualTo('0.005')).to.equal(true);
            expect(l.principal).to.equal(l.period === s.length ? formatMoney(input.amount) : '0.00');
            previous = l.dueOn;
          }
        }),
      );
    });

    it('gives equal instalments the same total payment in every period but the last', () => {
      fc.assert(
        fc.property(inputArb, (raw) => {
          const input = { ...raw, repaymentMethod: 'equal_instalment' as const, amount: '80000.00' };
          const s = buildSchedule(input);
          const payments = s.map((l) => formatMoney(new Money(l.principal).plus(l.interest)));
          const instalment = formatMoney(equalInstalment(input.amount, new Money(input.annualRate).dividedBy(12), s.length));
          for (const p of payments.slice(0, -1)) expect(p).to.equal(instalment);
          // The last period absorbs the rounding: at most a fen per period, grown at the
          // monthly rate like any balance, away from the others.
          const r = new Money(input.annualRate).dividedBy(12);
          const growth = r.isZero() ? new Money(s.length) : r.plus(1).pow(s.length).minus(1).dividedBy(r);
          const drift = new Money(payments[payments.length - 1]!).minus(instalment).abs();
          expect(drift.lessThanOrEqualTo(growth.times('0.01')), `drift ${drift}`).to.equal(true);
        }),
      );
    });

    it('pays zero interest and zero subsidy at a zero rate', () => {
      fc.assert(
        fc.property(inputArb, (raw) => {
          for (const l of buildSchedule({ ...raw, annualRate: '0' })) {
            expect([l.interest, l.subsidy]).to.deep.equal(['0.00', '0.00']);
          }
        }),
      );
    });
  });

  describe('examples', () => {
    it('clamps due dates to the month end, counted from the disbursal', () => {
      expect(dueDates('2027-01-31', 4)).to.deep.equal(['2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31']);
      expect(dueDates('2028-02-29', 13).slice(-2)).to.deep.equal(['2029-02-28', '2029-03-29']);
    });

    it('computes the textbook equal instalment', () => {
      expect(formatMoney(equalInstalment('50000.00', new Money('0.0435').dividedBy(12), 12))).to.equal('4265.50');
      expect(formatMoney(equalInstalment('100.00', '0', 3))).to.equal('33.33');
    });

    it('handles a one-month loan', () => {
      expect(buildSchedule(bullet({ termMonths: 1 }))).to.deep.equal([
        {
          period: 1,
          dueOn: '2027-02-28',
          quarter: '2027Q1',
          principal: '80000.00',
          interest: '270.67',
          subsidy: '270.67',
          outstandingAfter: '0.00',
        },
      ]);
    });

    it('gives no subsidy when the rate is at or below the borrower floor', () => {
      const policy: SubsidyPolicy = { subsidyMode: 'above_borrower_rate', borrowerRateFloor: '0.0150' };
      for (const annualRate of ['0.0150', '0.0100']) {
        const s = buildSchedule(bullet({ annualRate, policy }));
        expect(scheduleTotals(s).subsidy).to.equal('0.00');
        expect(scheduleTotals(s).interest).to.not.equal('0.00');
      }
    });

    it('refuses inputs that cannot make a schedule', () => {
      expect(() => buildSchedule(bullet({ amount: '0.00' }))).to.throw(RangeError, /amount/);
      expect(() => buildSchedule(bullet({ amount: '1.005' }))).to.throw(RangeError, /amount/);
      expect(() => buildSchedule(bullet({ annualRate: '1.5' }))).to.throw(RangeError, /annualRate/);
      expect(() => buildSchedule(bullet({ termMonths: 0 }))).to.throw(RangeError, /termMonths/);
      expect(() => buildSchedule(bullet({ termMonths: 1.5 }))).to.throw(RangeError, /termMonths/);
      expect(() => buildSchedule(bullet({ disbursedOn: '2027-02-30' }))).to.throw(RangeError, /disbursedOn/);
      expect(() => buildSchedule(bullet({ repaymentMethod: 'balloon' as never }))).to.throw(RangeError, /repaymentMethod/);
      expect(() => buildSchedule(bullet({ policy: { subsidyMode: 'share_of_interest' } }))).to.throw(TypeError, /subsidyShare/);
    });

    it('sums subsidy per quarter in calendar order', () => {
      const s = buildSchedule(bullet());
      expect(Object.keys(subsidyByQuarter(s))).to.deep.equal(['2027Q1', '2027Q2', '2027Q3', '2027Q4', '2028Q1']);
    });
  });

  describe('earlyRepaymentSchedule', () => {
    it('settles a bullet loan mid-period with interest for the actual days', () => {
      const s = earlyRepaymentSchedule(bullet(), '2027-04-15');
      expect(s.map((l) => l.dueOn)).to.deep.equal(['2027-02-28', '2027-03-31', '2027-04-15']);
      // 80000 × 0.0435 × 15 / 360 = 145.00
      expect(s[2]).to.deep.equal({
        period: 3,
        dueOn: '2027-04-15',
        quarter: '2027Q2',
        principal: '80000.00',
        interest: '145.00',
        subsidy: '145.00',
        outstandingAfter: '0.00',
      });
    });

    it('settles an equal-instalment loan on the outstanding after the last paid period', () => {
      const input: ScheduleInput = { ...bullet(), repaymentMethod: 'equal_instalment', amount: '50000.00', disbursedOn: '2027-05-10' };
      const full = buildSchedule(input);
      const s = earlyRepaymentSchedule(input, '2027-07-20');
      expect(s.slice(0, 2)).to.deep.equal(full.slice(0, 2));
      // 41816.69 (after period 2) × 0.0435 × 10 / 360 = 50.5285… → 50.53
      expect(full[1]!.outstandingAfter).to.equal('41816.69');
      expect(s[2]).to.include({ period: 3, principal: '41816.69', interest: '50.53', subsidy: '50.53', outstandingAfter: '0.00' });
    });

    it('keeps the scheduled interest when the repayment falls exactly on a due date', () => {
      const input: ScheduleInput = { ...bullet(), repaymentMethod: 'equal_instalment' };
      const full = buildSchedule(input);
      const s = earlyRepaymentSchedule(input, full[3]!.dueOn);
      expect(s).to.have.length(4);
      expect(s[3]!.interest).to.equal(full[3]!.interest);
      expect(s[3]!.principal).to.equal(full[2]!.outstandingAfter);
    });

    it('refuses a date that is not early', () => {
      expect(() => earlyRepaymentSchedule(bullet(), '2028-01-31')).to.throw(RangeError, /not before the last due date/);
      expect(() => earlyRepaymentSchedule(bullet(), '2027-01-31')).to.throw(RangeError, /after the disbursal/);
    });

    it('always repays the amount exactly, ends at 0.00 on the repayment day, and never charges more interest than the full schedule', () => {
      fc.assert(
        fc.property(inputArb.filter((i) => i.termMonths > 1), fc.nat(), (input, pick) => {
          const full = buildSchedule(input);
          const lastDue = full[full.length - 1]!.dueOn;
          const span = daysBetween(input.disbursedOn, lastDue) - 1;
          const repaidOn = addDays(input.disbursedOn, 1 + (pick % span));
          const s = earlyRepaymentSchedule(input, repaidOn);
          const last = s[s.length - 1]!;
          expect(last.dueOn).to.equal(repaidOn);
          expect(last.outstandingAfter).to.equal('0.00');
          expect(formatMoney(sumMoney(s.map((l) => l.principal)))).to.equal(formatMoney(input.amount));
          for (const l of s) expect(new Money(l.subsidy).lessThanOrEqualTo(l.interest)).to.equal(true);
          if (input.repaymentMethod === 'monthly_interest_bullet') {
            expect(new Money(scheduleTotals(s).interest).lessThanOrEqualTo(scheduleTotals(full).interest)).to.equal(true);
          }
        }),
      );
    });
  });
});
