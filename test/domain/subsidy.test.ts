import { expect } from 'chai';
import fc from 'fast-check';
import { Money, formatMoney } from '../../domain/money';
import { brokenPeriodInterest, subsidyFor } from '../../domain/subsidy';
import { addDays } from '../../domain/dates';

const fen = fc.bigInt({ min: 0n, max: 10n ** 12n }).map((f) => formatMoney(new Money(f.toString()).dividedBy(100)));
const rate = fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Money(n).dividedBy(1_000_000).toFixed());

describe('domain/subsidy', () => {
  describe('subsidyFor', () => {
    it('pays the policy share of the interest, rounded half-up once', () => {
      const share = (s: string) => ({ subsidyMode: 'share_of_interest' as const, subsidyShare: s });
      expect(formatMoney(subsidyFor('297.08', '0.0345', share('0.5')))).to.equal('148.54');
      expect(formatMoney(subsidyFor('287.49', '0.0345', share('0.5')))).to.equal('143.75'); // 143.745 rounds up
      expect(formatMoney(subsidyFor('270.67', '0.0435', share('1')))).to.equal('270.67');
      expect(formatMoney(subsidyFor('270.67', '0.0435', share('0')))).to.equal('0.00');
    });

    it('pays the part of the rate above the borrower floor', () => {
      const above = { subsidyMode: 'above_borrower_rate' as const, borrowerRateFloor: '0.015' };
      // 387.50 × (0.0465 − 0.015) / 0.0465 = 262.50
      expect(formatMoney(subsidyFor('387.50', '0.0465', above))).to.equal('262.50');
      // 316.26 × 0.045 / 0.06 = 237.195 → 237.20
      expect(formatMoney(subsidyFor('316.26', '0.0600', above))).to.equal('237.20');
      expect(formatMoney(subsidyFor('100.00', '0.015', above))).to.equal('0.00');
      expect(formatMoney(subsidyFor('100.00', '0.010', above))).to.equal('0.00');
      expect(formatMoney(subsidyFor('0.00', '0', above))).to.equal('0.00');
    });

    it('ignores the share in above_borrower_rate mode and the floor in share mode', () => {
      expect(formatMoney(subsidyFor('100.00', '0.06', { subsidyMode: 'above_borrower_rate', borrowerRateFloor: '0.03', subsidyShare: '0.1' }))).to.equal('50.00');
      expect(formatMoney(subsidyFor('100.00', '0.06', { subsidyMode: 'share_of_interest', subsidyShare: '0.1', borrowerRateFloor: '0.07' }))).to.equal('10.00');
    });

    it('insists on the parameter its mode needs', () => {
      expect(() => subsidyFor('1.00', '0.05', { subsidyMode: 'share_of_interest' })).to.throw(TypeError, /subsidyShare/);
      expect(() => subsidyFor('1.00', '0.05', { subsidyMode: 'above_borrower_rate' })).to.throw(TypeError, /borrowerRateFloor/);
    });

    it('is never negative and never more than the interest', () => {
      fc.assert(
        fc.property(fen, rate, rate, fc.boolean(), (interest, annualRate, param, byShare) => {
          const policy = byShare
            ? { subsidyMode: 'share_of_interest' as const, subsidyShare: param }
            : { subsidyMode: 'above_borrower_rate' as const, borrowerRateFloor: param };
          const s = subsidyFor(interest, annualRate, policy);
          expect(s.isNegative()).to.equal(false);
          expect(s.lessThanOrEqualTo(interest)).to.equal(true);
          expect(s.decimalPlaces()).to.be.at.most(2);
        }),
      );
    });
  });

  describe('brokenPeriodInterest', () => {
    it('accrues by actual days / 360', () => {
      expect(formatMoney(brokenPeriodInterest('80000.00', '0.0435', '2027-01-31', '2027-02-28'))).to.equal('270.67');
      expect(formatMoney(brokenPeriodInterest('80000.00', '0.0435', '2027-03-31', '2027-04-15'))).to.equal('145.00');
      expect(formatMoney(brokenPeriodInterest('80000.00', '0.0435', '2027-03-31', '2027-03-31'))).to.equal('0.00');
      // Across a leap day: 29 days.
      expect(formatMoney(brokenPeriodInterest('36000.00', '0.0360', '2028-02-01', '2028-03-01'))).to.equal('104.40');
    });

    it('refuses a period that ends before it starts', () => {
      expect(() => brokenPeriodInterest('1.00', '0.05', '2027-03-02', '2027-03-01')).to.throw(RangeError);
    });

    it('grows with the days and is additive to within a fen', () => {
      fc.assert(
        fc.property(fen, rate, fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), (o, r, a, b) => {
          const start = '2027-01-01';
          const mid = addDays(start, a);
          const end = addDays(mid, b);
          const whole = brokenPeriodInterest(o, r, start, end);
          const first = brokenPeriodInterest(o, r, start, mid);
          expect(whole.greaterThanOrEqualTo(first)).to.equal(true);
          const parts = first.plus(brokenPeriodInterest(o, r, mid, end));
          expect(parts.minus(whole).abs().lessThanOrEqualTo('0.01')).to.equal(true);
        }),
      );
    });
  });
});
