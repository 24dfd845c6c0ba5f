import { expect } from 'chai';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import {
  Money,
  MONEY_FORMAT_MESSAGE,
  RATE_FORMAT_MESSAGE,
  formatMoney,
  isCanonicalMoney,
  MAX_INTEGER_DIGITS,
  normaliseMoney,
  roundFen,
  sumMoney,
  toMoney,
} from '../../domain/money';
import { moneyString, normalisedMoneyString, positiveMoneyAtMost, positiveMoneyString, positiveRateString, rateString } from '../../domain/money-schemas';

function issues(schema: { safeParse(x: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, x: unknown) {
  const r = schema.safeParse(x);
  return r.success ? [] : r.error!.issues.map((i) => i.message);
}

describe('domain/money', () => {
  describe('roundFen', () => {
    it('rounds half-up to the fen', () => {
      expect(roundFen('1.005').toFixed(2)).to.equal('1.01');
      expect(roundFen('1.004999').toFixed(2)).to.equal('1.00');
      expect(roundFen('270.666666').toFixed(2)).to.equal('270.67');
      expect(roundFen('2.345').toFixed(2)).to.equal('2.35');
    });

    it('rounds negative halves away from zero, so reversals mirror the original entry', () => {
      expect(roundFen('-1.005').toFixed(2)).to.equal('-1.01');
    });

    it('is not affected by the global Decimal configuration', () => {
      const saved = Decimal.rounding;
      Decimal.set({ rounding: Decimal.ROUND_DOWN });
      try {
        expect(roundFen(new Decimal('0.125')).toFixed(2)).to.equal('0.13');
      } finally {
        Decimal.set({ rounding: saved });
      }
    });

    it('is idempotent', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), (n, scale) => {
          const d = new Money(n.toString()).dividedBy(new Money(10).pow(scale));
          expect(roundFen(roundFen(d)).equals(roundFen(d))).to.equal(true);
          expect(roundFen(d).minus(d).abs().lessThanOrEqualTo('0.005')).to.equal(true);
        }),
      );
    });
  });

  describe('toMoney', () => {
    it('keeps every digit', () => {
      expect(toMoney('0.000000001').toString()).to.equal('0.000000001');
      expect(toMoney('12345678901234567.123456').toFixed()).to.equal('12345678901234567.123456');
    });

    it('refuses numbers disguised as anything else, and non-decimal strings', () => {
      expect(() => toMoney('1e5')).to.throw(TypeError);
      expect(() => toMoney('abc')).to.throw(TypeError);
      expect(() => toMoney('')).to.throw(TypeError);
      expect(() => toMoney(new Decimal(NaN))).to.throw(TypeError);
      expect(() => toMoney(1 as unknown as string)).to.throw(TypeError);
    });
  });

  describe('formatMoney', () => {
    it('always writes two decimals', () => {
      expect(formatMoney('80000')).to.equal('80000.00');
      expect(formatMoney('80000.5')).to.equal('80000.50');
      expect(formatMoney(new Money('0'))).to.equal('0.00');
      expect(formatMoney('-12.3')).to.equal('-12.30');
    });

    it('never writes negative zero', () => {
      expect(formatMoney(new Money('-0'))).to.equal('0.00');
    });

    it('writes large amounts without an exponent', () => {
      expect(formatMoney('9999999999999999.99')).to.equal('9999999999999999.99');
    });

    it('refuses an amount that has not been rounded to the fen', () => {
      expect(() => formatMoney('1.005')).to.throw(RangeError, /roundFen/);
    });
  });

  describe('isCanonicalMoney', () => {
    it('holds exactly for what formatMoney writes of a non-negative amount within the digit limit', () => {
      const amounts = fc.oneof(
        fc.bigInt({ min: 0n, max: 10n ** BigInt(MAX_INTEGER_DIGITS + 2) - 1n }).map((fen) => new Money(fen.toString()).dividedBy(100).toFixed()),
        fc.stringMatching(/^-?\d{1,3}(\.\d{0,3})?$/),
      );
      fc.assert(
        fc.property(amounts, (s) => {
          let canonical = false;
          try {
            canonical = formatMoney(s) === s && !s.startsWith('-') && s.split('.')[0]!.length <= MAX_INTEGER_DIGITS;
          } catch {
            canonical = false;
          }
          expect(isCanonicalMoney(s)).to.equal(canonical);
        }),
      );
      for (const s of [80000, '80000', '80000.0', '080000.00', '-1.00', '1e3', ' 1.00', '1.00 ']) expect(isCanonicalMoney(s), String(s)).to.equal(false);
      for (const s of ['0.00', '80000.00', '9999999999999999.99']) expect(isCanonicalMoney(s), s).to.equal(true);
    });
  });

  describe('sumMoney', () => {
    it('adds exactly', () => {
      expect(formatMoney(sumMoney(['0.10', '0.20', new Money('0.30')]))).to.equal('0.60');
      expect(formatMoney(sumMoney([]))).to.equal('0.00');
    });

    it('is the exact integer sum of fen', () => {
      fc.assert(
        fc.property(fc.array(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n })), (fens) => {
          const expected = fens.reduce((a, b) => a + b, 0n);
          const total = sumMoney(fens.map((f) => new Money(f.toString()).dividedBy(100)));
          expect(total.times(100).toFixed()).to.equal(expected.toString());
        }),
      );
    });
  });

  describe('moneyString', () => {
    it('accepts canonical and short forms', () => {
      for (const s of ['80000.00', '80000', '80000.5', '0', '0.01', '9999999999999999.99']) {
        expect(moneyString.safeParse(s).success, s).to.equal(true);
      }
    });

    it('refuses signs, exponents, blanks, leading zeros, 3 decimals, numbers', () => {
      for (const s of ['-1.00', '+1.00', '1e5', '', ' 1.00', '1.00 ', '01.00', '1.', '.5', '1.005', '1,000.00', 'NaN', 'Infinity']) {
        expect(issues(moneyString, s), s).to.deep.equal(['must be a decimal string with at most 2 decimals, e.g. "80000.00"']);
      }
      expect(issues(moneyString, 80000)).to.deep.equal(['must be a decimal string with at most 2 decimals, e.g. "80000.00"']);
    });

    it('refuses more than 16 integer digits, saying so', () => {
      expect(issues(moneyString, '12345678901234567.00')).to.deep.equal([
        'must have at most 16 digits before the decimal point',
      ]);
    });

    it('positiveMoneyString refuses zero', () => {
      expect(issues(positiveMoneyString, '0.00')).to.deep.equal(['must be greater than 0.00']);
      expect(positiveMoneyString.safeParse('0.01').success).to.equal(true);
      expect(issues(positiveMoneyString, '-5')).to.deep.equal([
        'must be a decimal string with at most 2 decimals, e.g. "80000.00"',
      ]);
    });

    it('normalises to two decimals', () => {
      expect(normaliseMoney('80000')).to.equal('80000.00');
      expect(normaliseMoney('80000.0')).to.equal('80000.00');
      expect(normaliseMoney('80000.5')).to.equal('80000.50');
      expect(normalisedMoneyString.parse('7')).to.equal('7.00');
      expect(() => normaliseMoney('1.005')).to.throw();
    });

    it('normalising keeps the value and is idempotent', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }), fc.constantFrom(0, 1, 2), (fen, decimals) => {
          const s = decimals === 0 ? (fen / 100n).toString() : formatMoney(new Money(fen.toString()).dividedBy(100)).slice(0, decimals === 1 ? -1 : undefined);
          const n = normaliseMoney(s);
          expect(n).to.match(/^\d+\.\d{2}$/);
          expect(new Money(n).equals(new Money(s))).to.equal(true);
          expect(normaliseMoney(n)).to.equal(n);
        }),
      );
    });
  });

  describe('rateString', () => {
    it('accepts fractions within [0, 1] with up to 6 decimals', () => {
      for (const s of ['0', '1', '0.0435', '0.0600', '0.015', '1.000000', '0.123456']) {
        expect(rateString.safeParse(s).success, s).to.equal(true);
      }
    });

    it('refuses percentages, more than 6 decimals, signs and numbers', () => {
      for (const s of ['4.35', '1.000001', '0.1234567', '-0.01', '+0.01', '.5', '10', '', '1e-2']) {
        expect(rateString.safeParse(s).success, s).to.equal(false);
      }
      expect(issues(rateString, '4.35')[0]).to.contain('between 0 and 1');
      expect(rateString.safeParse(0.0435).success).to.equal(false);
    });

    it('positiveRateString gives one issue, and throws nothing, for any malformed rate', () => {
      for (const s of ['abc', '4.35%', '', 'NaN', 'Infinity', '0x1', ' 0.04', '1e-2']) {
        expect(issues(positiveRateString, s), s).to.deep.equal([RATE_FORMAT_MESSAGE]);
      }
      expect(issues(positiveRateString, '0.000000')).to.deep.equal(['must be greater than 0']);
      expect(positiveRateString.safeParse('0.0435').success).to.equal(true);
      fc.assert(fc.property(fc.string(), (s) => void positiveRateString.safeParse(s)));
    });
  });

  describe('positiveMoneyAtMost', () => {
    const upTo = positiveMoneyAtMost('1000.00', 'a test cap');
    it('accepts up to the bound, in canonical form, and says the bound past it', () => {
      expect(upTo.parse('1000')).to.equal('1000.00');
      expect(issues(upTo, '1000.01')).to.deep.equal(['must be at most 1000.00 (a test cap)']);
      expect(issues(upTo, '9999999999999999.99')).to.deep.equal(['must be at most 1000.00 (a test cap)']);
      expect(issues(upTo, '0.00')).to.deep.equal(['must be greater than 0.00']);
      expect(issues(upTo, 'abc')).to.deep.equal([MONEY_FORMAT_MESSAGE]);
      fc.assert(fc.property(fc.string(), (s) => void upTo.safeParse(s)));
    });
  });
});
