import { expect } from 'chai';
import fc from 'fast-check';
import { addDays, compareDates, fromEpochDay, toEpochDay } from '../../domain/dates';
import { Money } from '../../domain/money';
import {
  dayAfterYearEnd,
  inRewardWindow,
  outcomeClaimableFrom,
  outcomeWindowEnd,
  rewardWindowEnd,
  startedWithinWindow,
  trainingClaimAmount,
  yearHasEnded,
} from '../../domain/programmes';

const day = fc.integer({ min: toEpochDay('2000-01-01'), max: toEpochDay('2099-12-31') }).map(fromEpochDay);
const rule = fc.record({
  amountEach: fc.constant('100000.00'),
  monthsAfterGraduation: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
});

describe('domain/programmes', () => {
  it('a year has ended exactly from 1 January of the next', () => {
    fc.assert(
      fc.property(day, (d) => {
        const year = Number(d.slice(0, 4));
        expect(yearHasEnded(year, d)).to.equal(false);
        expect(yearHasEnded(year - 1, d)).to.equal(true);
        expect(yearHasEnded(year, dayAfterYearEnd(year))).to.equal(true);
        expect(yearHasEnded(year, addDays(dayAfterYearEnd(year), -1))).to.equal(false);
      }),
    );
  });

  it('a business counts from the certificate to the end of the window, inclusive, and not a day outside', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 24 }), (issued, months) => {
        const end = outcomeWindowEnd(issued, months);
        expect(startedWithinWindow(issued, issued, months)).to.equal(true);
        expect(startedWithinWindow(issued, end, months)).to.equal(true);
        expect(startedWithinWindow(issued, addDays(issued, -1), months)).to.equal(false);
        expect(startedWithinWindow(issued, addDays(end, 1), months)).to.equal(false);
      }),
    );
    expect(outcomeWindowEnd('2026-08-31', 6)).to.equal('2027-02-28');
    expect(outcomeWindowEnd('2027-08-31', 6)).to.equal('2028-02-29');
  });

  it('the outcome part is claimable the day after the last trainee’s window ends', () => {
    fc.assert(
      fc.property(fc.array(day, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 24 }), (issued, months) => {
        const from = outcomeClaimableFrom(issued, months);
        for (const i of issued) expect(compareDates(from, outcomeWindowEnd(i, months))).to.equal(1);
        expect(issued.some((i) => addDays(outcomeWindowEnd(i, months), 1) === from)).to.equal(true);
      }),
    );
  });

  it('a claim is the rate times the trainees, exact to the fen', () => {
    const cents = fc.integer({ min: 1, max: 10_000_000 }).map((c) => new Money(c).dividedBy(100).toFixed(2));
    fc.assert(
      fc.property(cents, cents, fc.integer({ min: 0, max: 1000 }), (base, outcome, n) => {
        const p = { basePerPassed: base, outcomePerStarted: outcome, outcomeMonths: 6 };
        // Adding the rate n times, in integer fen, is the independent figure.
        const fen = (s: string) => BigInt(s.replace('.', ''));
        const times = (s: string) => {
          const total = fen(s) * BigInt(n);
          return `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
        };
        expect(trainingClaimAmount('base', n, p)).to.equal(times(base));
        expect(trainingClaimAmount('outcome', n, p)).to.equal(times(outcome));
      }),
    );
  });

  it('a reward window runs from entry to the months after graduation; no graduation or no limit leaves it open', () => {
    fc.assert(
      fc.property(rule, day, fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }), fc.integer({ min: -400, max: 4000 }), (r, entered, stay, offset) => {
        const graduated = stay === null ? null : addDays(entered, stay);
        const event = addDays(entered, offset);
        const end = rewardWindowEnd(r, graduated);
        const expected = offset >= 0 && (end === null || compareDates(event, end) <= 0);
        expect(inRewardWindow(r, entered, graduated, event)).to.equal(expected);
        expect(inRewardWindow(r, entered, graduated, addDays(entered, -1))).to.equal(false);
        if (end !== null) {
          expect(inRewardWindow(r, entered, graduated, end)).to.equal(true);
          expect(inRewardWindow(r, entered, graduated, addDays(end, 1))).to.equal(false);
        }
      }),
    );
    expect(rewardWindowEnd({ amountEach: '1.00', monthsAfterGraduation: 12 }, '2024-02-29')).to.equal('2025-02-28');
    expect(rewardWindowEnd({ amountEach: '1.00', monthsAfterGraduation: 24 }, '2024-02-29')).to.equal('2026-02-28');
  });
});
