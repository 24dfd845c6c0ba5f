import { Money } from '../money';

/**
 * The observed rates a forecast multiplies by (docs/forecast.md): on-time by bank and loan age,
 * default by loan age, conversion by pipeline step. Each is a Beta posterior: the portfolio's own
 * counts on top of a prior, and each cell's counts on top of the portfolio's posterior, so a bank or
 * an age with few periods leans on the whole portfolio rather than on its own noise.
 */

/** A loan's age is the number of its period; comparable periods share a bucket. */
export const AGE_BUCKETS = [
  { key: '1-3', last: 3 },
  { key: '4-6', last: 6 },
  { key: '7-12', last: 12 },
  { key: '13-24', last: 24 },
  { key: '25+', last: Number.MAX_SAFE_INTEGER },
] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number]['key'];

export function ageBucketOf(period: number): AgeBucket {
  return AGE_BUCKETS.find((b) => period <= b.last)!.key;
}

/** Beta(alpha, beta) over a probability; Decimal so the band's arithmetic stays exact until it rounds. */
export interface Beta {
  alpha: Money;
  beta: Money;
}

/** A prior of `weight` pseudo-observations with mean `mean`. */
export function betaPrior(mean: Money | string, weight: Money | string | number): Beta {
  const w = new Money(weight);
  const m = new Money(mean);
  return { alpha: m.times(w), beta: new Money(1).minus(m).times(w) };
}

export function betaUpdate(prior: Beta, successes: number, failures: number): Beta {
  return { alpha: prior.alpha.plus(successes), beta: prior.beta.plus(failures) };
}

export function betaMean(b: Beta): Money {
  return b.alpha.dividedBy(b.alpha.plus(b.beta));
}

/** Var(p) = αβ / ((α+β)²(α+β+1)). */
export function betaVariance(b: Beta): Money {
  const n = b.alpha.plus(b.beta);
  return b.alpha.times(b.beta).dividedBy(n.times(n).times(n.plus(1)));
}

/** E[p(1−p)] = αβ / ((α+β)(α+β+1)): the mean Bernoulli variance of one period. */
export function betaMeanBernoulliVariance(b: Beta): Money {
  const n = b.alpha.plus(b.beta);
  return b.alpha.times(b.beta).dividedBy(n.times(n.plus(1)));
}

/**
 * The priors, stated once. On time: 95 % worth 10 periods (a portfolio without history is budgeted
 * as if nearly every period will be paid on time, not at a coin toss). Default: 0.5 % a period worth
 * 10 periods. Conversion: 50 % worth 2 applications. Cells shrink to the portfolio's posterior with
 * the weight of CELL_PRIOR_WEIGHT periods.
 */
export const PRIORS = {
  onTime: { mean: '0.95', weight: 10 },
  default: { mean: '0.005', weight: 10 },
  conversion: { mean: '0.5', weight: 2 },
} as const;
export const CELL_PRIOR_WEIGHT = 10;

export interface Counts {
  /** Periods (or applications) whose outcome was known. */
  n: number;
  /** Of them, the successes (on time; defaulted; disbursed). */
  k: number;
}

/**
 * The portfolio's posterior from all cells, then each cell's posterior shrunk towards it. Keys
 * without counts get the portfolio's posterior itself.
 */
export function cellPosteriors<K extends string>(prior: { mean: string; weight: number }, cells: ReadonlyMap<K, Counts>): { portfolio: Beta; of(key: K): Beta } {
  let n = 0;
  let k = 0;
  for (const c of cells.values()) {
    n += c.n;
    k += c.k;
  }
  const portfolio = betaUpdate(betaPrior(prior.mean, prior.weight), k, n - k);
  const cellPrior = betaPrior(betaMean(portfolio), CELL_PRIOR_WEIGHT);
  const memo = new Map<K, Beta>();
  return {
    portfolio,
    of(key: K): Beta {
      let b = memo.get(key);
      if (!b) {
        const c = cells.get(key);
        b = c ? betaUpdate(cellPrior, c.k, c.n - c.k) : cellPrior;
        memo.set(key, b);
      }
      return b;
    },
  };
}
