/**
 * Amounts and rates as the API and imports accept them: zod schemas built on money.ts's rules.
 * Kept apart from money.ts so that workflow code, which needs the arithmetic, does not bundle zod
 * (test/workflows/bundle.test.ts).
 */
import { z } from 'zod';
import {
  MAX_INTEGER_DIGITS,
  MONEY_DIGITS_MESSAGE,
  MONEY_FORMAT_MESSAGE,
  MONEY_STRING,
  Money,
  RATE_FORMAT_MESSAGE,
  RATE_STRING,
  integerDigits,
  normaliseMoney,
} from './money';

/**
 * Later checks are gated with `when` on the format rather than `abort`, because an
 * aborting issue would also silence the cross-field rules of any object embedding this.
 */
const wellFormedMoney = (p: { value: unknown }) => typeof p.value === 'string' && MONEY_STRING.test(p.value);

/** A non-negative amount as it travels on the wire; canonical form comes from normaliseMoney. */
export const moneyString = z
  .string({ error: MONEY_FORMAT_MESSAGE })
  .regex(MONEY_STRING, MONEY_FORMAT_MESSAGE)
  .refine((s) => integerDigits(s) <= MAX_INTEGER_DIGITS, {
    message: MONEY_DIGITS_MESSAGE,
    when: wellFormedMoney,
  });

export const positiveMoneyString = moneyString.refine((s) => new Money(s).greaterThan(0), {
  message: 'must be greater than 0.00',
  when: wellFormedMoney,
});

/** A positive amount of at most `max`, in canonical two-decimal form once parsed. */
export function positiveMoneyAtMost(max: string, what: string) {
  const message = `must be at most ${max} (${what})`;
  return positiveMoneyString
    .refine((s) => new Money(s).lessThanOrEqualTo(max), { message, when: wellFormedMoney })
    .transform(normaliseMoney)
    .meta({ description: `a decimal string with at most 2 decimals, greater than 0.00 and at most ${max} (${what})`, example: '80000.00' });
}

/** Like moneyString, but the parsed value is already in canonical two-decimal form. */
export const normalisedMoneyString = moneyString.transform(normaliseMoney);
export const normalisedPositiveMoneyString = positiveMoneyString.transform(normaliseMoney);

/** Annual rates, shares and fees as fractions: "0.0435" is 4.35%. */
export const rateString = z
  .string({ error: RATE_FORMAT_MESSAGE })
  .regex(RATE_STRING, RATE_FORMAT_MESSAGE)
  .refine((s) => new Money(s).lessThanOrEqualTo(1), {
    message: RATE_FORMAT_MESSAGE,
    when: (p) => typeof p.value === 'string' && RATE_STRING.test(p.value),
  });

/** A rate that must not be zero (a loan's interest rate). Gated like the rest: "abc" gets one issue, no exception. */
export const positiveRateString = rateString.refine((s) => new Money(s).greaterThan(0), {
  message: 'must be greater than 0',
  when: (p) => typeof p.value === 'string' && RATE_STRING.test(p.value),
});
