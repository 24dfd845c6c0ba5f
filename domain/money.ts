import Decimal from 'decimal.js';

// No zod here: workflows import this file, and each cached workflow would carry zod's code.
// The wire schemas built on these rules are in money-schemas.ts.

/**
 * Our own Decimal constructor, so nobody else's global Decimal settings can change how
 * money behaves. 40 significant digits keeps 16 integer digits times rates and day
 * fractions exact well past the fen before anything is rounded.
 */
export const Money = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Money = Decimal;

/** What callers may hand to money functions: a Decimal of any flavour, or a decimal string. */
export type MoneyLike = string | Decimal;

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;

/**
 * Converts without rounding: intermediate values (interest before rounding, shares)
 * must keep every digit until the one place that rounds. Numbers are refused on purpose,
 * so a float can never slip into a money computation.
 */
export function toMoney(x: MoneyLike): Money {
  if (typeof x === 'string') {
    if (!DECIMAL_STRING.test(x)) throw new TypeError(`not a decimal string: ${JSON.stringify(x)}`);
    return new Money(x);
  }
  if (!Decimal.isDecimal(x) || !x.isFinite()) throw new TypeError(`not a finite Decimal: ${String(x)}`);
  return new Money(x);
}

/** THE rounding rule: half-up (away from zero on .5) to the fen. Nothing else rounds money. */
export function roundFen(d: MoneyLike): Money {
  return toMoney(d).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/**
 * Always two decimals. Refuses amounts that are not already whole fen rather than
 * rounding them, so a forgotten roundFen shows up as an error instead of a hidden
 * second rounding.
 */
export function formatMoney(d: MoneyLike): string {
  const m = toMoney(d);
  if (m.decimalPlaces() > 2) {
    throw new RangeError(`${m.toString()} is not a whole number of fen; round it with roundFen where it is computed`);
  }
  // -0 must not reach the wire as "-0.00".
  return (m.isZero() ? new Money(0) : m).toFixed(2);
}

/** Exact sum, no rounding: the parts are expected to be fen amounts already. */
export function sumMoney(xs: Iterable<MoneyLike>): Money {
  let total = new Money(0);
  for (const x of xs) total = total.plus(toMoney(x));
  return total;
}

export const MAX_INTEGER_DIGITS = 16;

const CANONICAL_MONEY = new RegExp(`^(0|[1-9]\\d{0,${MAX_INTEGER_DIGITS - 1}})\\.\\d{2}$`);

/**
 * A string already in the form formatMoney gives ("80000.00", at most MAX_INTEGER_DIGITS before
 * the point, never negative). Two such strings are equal exactly when the amounts are, so hot
 * paths may check and compare them without building Decimals.
 */
export function isCanonicalMoney(x: unknown): x is string {
  return typeof x === 'string' && CANONICAL_MONEY.test(x);
}

export const MONEY_FORMAT_MESSAGE = 'must be a decimal string with at most 2 decimals, e.g. "80000.00"';
export const MONEY_DIGITS_MESSAGE = `must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`;
export const MONEY_STRING = /^(0|[1-9]\d*)(\.\d{1,2})?$/;

/** Digits before the decimal point of a well-formed amount. */
export function integerDigits(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? s.length : dot;
}

/**
 * Why `value` is not an amount as it travels on the wire (moneyString's rules, money-schemas.ts),
 * or undefined when it is one.
 */
export function moneyStringProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !MONEY_STRING.test(value)) return MONEY_FORMAT_MESSAGE;
  if (integerDigits(value) > MAX_INTEGER_DIGITS) return MONEY_DIGITS_MESSAGE;
  return undefined;
}

/** "80000" and "80000.0" become "80000.00", so equal amounts compare equal as strings. */
export function normaliseMoney(s: string): string {
  const problem = moneyStringProblem(s);
  if (problem) throw new TypeError(`${JSON.stringify(s)} ${problem}`);
  return formatMoney(toMoney(s));
}

/**
 * What an amount on the wire can mean. The database's NUMERIC(18,2) holds 16 integer digits, and
 * a stored balance is a sum of amounts: bounding each amount far below that keeps every sum the
 * business can make storable, and refuses the rest as bad input rather than as a database error.
 */
/** One loan: the largest guaranteeMax a policy may set (a hundred million yuan). */
export const MAX_LOAN_AMOUNT = '100000000.00';
/** One repayment or recovery: a loan's principal and its interest, with room to spare. */
export const MAX_PAYMENT_AMOUNT = '1000000000.00';
/** A special fund's budget, and so any one top-up of it: a trillion yuan. */
export const MAX_BUDGET_AMOUNT = '1000000000000.00';

export const RATE_FORMAT_MESSAGE = 'must be a fraction between 0 and 1 with at most 6 decimals, e.g. "0.0435" for 4.35%';
export const RATE_STRING = /^\d(\.\d{1,6})?$/;
