import { z } from 'zod';
import { DEFAULT_FOLLOW_UP_MONTHS, DEFAULT_FOLLOW_UP_VISIT_DAYS } from './follow-up';
import { MAX_LOAN_AMOUNT, Money } from './money';
import { positiveMoneyString, rateString } from './money-schemas';
import { subsidyModeSchema } from './enums';
import { type IsoDate, compareDates } from './dates';

/**
 * Every parameter has a ceiling far above what a policy would set and far below what would break
 * date arithmetic or a counter: an unbounded day count once made every deadline an invalid date.
 * Each bound is in the field's description, so /openapi.json shows it.
 */
const whole = (unit: 'days' | 'months' | 'years' | '', min: number, max: number, what: string) => {
  const kind = unit ? `a whole number of ${unit}` : 'a whole number';
  return z
    .number({ error: `must be ${kind}` })
    .int(`must be ${kind}`)
    .min(min, `must be ${min === 0 ? '0 or more' : `at least ${min}`}`)
    .max(max, `must be at most ${max}`)
    .meta({ description: `${what}: ${kind}, at least ${min} and at most ${max}` });
};
export const POLICY_BOUNDS = { days: 3650, months: 600, count: 500, leverage: 100, age: 150 } as const;
const days = (what: string) => whole('days', 0, POLICY_BOUNDS.days, what);
const months = (what: string) => whole('months', 1, POLICY_BOUNDS.months, what);
const monthsOrNone = (what: string) => whole('months', 0, POLICY_BOUNDS.months, what);
const count = (what: string) => whole('', 0, POLICY_BOUNDS.count, what);
const age = (what: string) => whole('years', 0, POLICY_BOUNDS.age, what);
/** An amount of a loan or of a programme's payment: more than 0.00, at most the largest loan. */
const amount = (what: string) =>
  positiveMoneyString
    .refine((s) => new Money(s).lessThanOrEqualTo(MAX_LOAN_AMOUNT), { message: `must be at most ${MAX_LOAN_AMOUNT}`, when: (p) => positiveMoneyString.safeParse(p.value).success })
    .meta({ description: `${what}: a decimal string greater than 0.00 and at most ${MAX_LOAN_AMOUNT}` });

export const lossSharingSchema = z
  .object({
    guaranteeFund: rateString,
    bank: rateString,
    guaranteeCompany: rateString,
  })
  .strict();

/** The training subsidy's rates (docs/programmes.md); the defaults are the demo's, not a regulation's. */
export const trainingSubsidyParamsSchema = z
  .object({
    basePerPassed: amount('paid per trainee who passed (certificate issued)'),
    outcomePerStarted: amount('paid per trainee who started a business within outcomeMonths of the certificate'),
    outcomeMonths: months('months after the certificate within which a business counts; the outcome part is claimable after them'),
  })
  .strict();

const incubatorRewardRuleSchema = z
  .object({
    amountEach: amount('paid to the operator and again to the enterprise'),
    monthsAfterGraduation: whole('months', 0, POLICY_BOUNDS.months, 'the event counts while incubated and up to this many months after graduation').nullable(),
  })
  .strict();

/** The incubator rewards by kind of event (docs/programmes.md); a kind left out is not rewarded. */
export const incubatorRewardParamsSchema = z
  .object({
    high_tech: incubatorRewardRuleSchema.optional(),
    listing: incubatorRewardRuleSchema.optional(),
    neeq_transfer: incubatorRewardRuleSchema.optional(),
  })
  .strict();

export const defaultTrainingSubsidy = Object.freeze({ basePerPassed: '600.00', outcomePerStarted: '400.00', outcomeMonths: 6 });
export const defaultIncubatorRewards = Object.freeze({
  high_tech: Object.freeze({ amountEach: '100000.00', monthsAfterGraduation: 12 }),
  listing: Object.freeze({ amountEach: '200000.00', monthsAfterGraduation: 24 }),
  neeq_transfer: Object.freeze({ amountEach: '100000.00', monthsAfterGraduation: null }),
});

/**
 * Product and policy parameters (docs/domain.md §3.5), effective-dated so an application
 * keeps the rules in force when it was submitted. Strict: a misspelt key must fail loudly,
 * not leave the default silently in force.
 */
export const policyParamsSchema = z
  .object({
    guaranteeMin: amount('the smallest guarantee'),
    guaranteeMax: amount('the largest guarantee, and so the largest loan'),
    termMonthsMin: months('the shortest term'),
    termMonthsMax: months('the longest term'),
    extensionMaxMonths: monthsOrNone('the longest extension'),
    rateCap: rateString,
    subsidyMode: subsidyModeSchema,
    subsidyShare: rateString,
    borrowerRateFloor: rateString,
    graceDays: days('days after a due date a payment still counts as on time'),
    defaultAfterDays: days('days overdue before a loan defaults'),
    lossSharing: lossSharingSchema,
    leverageCap: whole('', 0, POLICY_BOUNDS.leverage, "the guarantee company's leverage cap (times its fund)"),
    guaranteeFeeRate: rateString,
    maxActiveLoans: count('loans one person may have at once'),
    maxLifetimeLoans: count('loans one person may ever have'),
    certificateMaxAgeMonths: monthsOrNone('the oldest a training certificate may be'),
    counterGuaranteeDays: days("days the community has for its counter-guarantee decision"),
    guaranteeDecisionDays: days("days the guarantee company has for its decision"),
    disbursalDays: days('days the bank has to disburse'),
    backdatingWindowDays: days('how many days back a repayment may be dated'),
    ageMin: age('the youngest applicant').default(18),
    ageMax: age('the oldest applicant').default(60),
    // Follow-up visits (docs/programmes.md): versions stored before these existed get the defaults.
    followUpMonths: z
      .array(months('a follow-up visit, in months after disbursal'), { error: 'must be a list of whole numbers of months' })
      .min(1, 'must name at least one visit')
      .max(24, 'must name at most 24 visits')
      .default([...DEFAULT_FOLLOW_UP_MONTHS])
      .meta({ description: 'when follow-up visits are due, in months after disbursal: 1 to 24 distinct values in increasing order' }),
    followUpVisitDays: days('days after its due date a follow-up visit may still be recorded before it is overdue').default(DEFAULT_FOLLOW_UP_VISIT_DAYS),
    trainingSubsidy: trainingSubsidyParamsSchema.default(defaultTrainingSubsidy),
    incubatorRewards: incubatorRewardParamsSchema.default(defaultIncubatorRewards),
  })
  .strict()
  .superRefine(
    (p, ctx) => {
      const fail = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      // These rules also run when other fields are malformed, so one answer lists every
      // problem; each rule looks only at fields that are well-formed on their own (a
      // malformed field already has its own issue).
      const raw = p as Record<string, unknown>;
      const money = (k: string) => (positiveMoneyString.safeParse(raw[k]).success ? new Money(raw[k] as string) : undefined);
      const rate = (v: unknown) => (rateString.safeParse(v).success ? new Money(v as string) : undefined);
      const int = (k: string) => (Number.isSafeInteger(raw[k]) ? (raw[k] as number) : undefined);
      const lessOrEqual = (lo: string, hi: string, a: Money | number | undefined, b: Money | number | undefined) => {
        if (a !== undefined && b !== undefined && new Money(a).greaterThan(b)) fail([lo], `must not be greater than ${hi}`);
      };
      lessOrEqual('guaranteeMin', 'guaranteeMax', money('guaranteeMin'), money('guaranteeMax'));
      lessOrEqual('termMonthsMin', 'termMonthsMax', int('termMonthsMin'), int('termMonthsMax'));
      lessOrEqual('ageMin', 'ageMax', int('ageMin'), int('ageMax'));
      lessOrEqual('maxActiveLoans', 'maxLifetimeLoans', int('maxActiveLoans'), int('maxLifetimeLoans'));
      if (rate(raw.rateCap)?.isZero()) fail(['rateCap'], 'must be greater than 0');
      const visits = raw.followUpMonths;
      if (Array.isArray(visits) && visits.every((m) => Number.isSafeInteger(m)) && visits.some((m, i) => i > 0 && m <= visits[i - 1])) {
        fail(['followUpMonths'], 'must be in increasing order, each month once');
      }
      const sharing = raw.lossSharing as Record<string, unknown> | undefined;
      if (sharing && typeof sharing === 'object') {
        const parts = [rate(sharing.guaranteeFund), rate(sharing.bank), rate(sharing.guaranteeCompany)];
        if (parts.every((x) => x !== undefined) && !parts.reduce((a, b) => a!.plus(b!), new Money(0))!.equals(1)) {
          fail(['lossSharing'], 'guaranteeFund + bank + guaranteeCompany must add up to exactly 1');
        }
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type PolicyParams = z.output<typeof policyParamsSchema>;
/** What an admin may send: ageMin, ageMax, the follow-up and the programmes' parameters may be left out. */
export type PolicyParamsInput = z.input<typeof policyParamsSchema>;
export type LossSharing = z.output<typeof lossSharingSchema>;

/** The seed-era product (the defaults of docs/domain.md §3.5). */
export const defaultPolicyParams: Readonly<PolicyParams> = Object.freeze({
  guaranteeMin: '50000.00',
  guaranteeMax: '100000.00',
  termMonthsMin: 6,
  termMonthsMax: 24,
  extensionMaxMonths: 12,
  rateCap: '0.0600',
  subsidyMode: 'share_of_interest',
  subsidyShare: '1',
  borrowerRateFloor: '0.0150',
  graceDays: 0,
  defaultAfterDays: 90,
  lossSharing: Object.freeze({ guaranteeFund: '1', bank: '0', guaranteeCompany: '0' }),
  leverageCap: 5,
  guaranteeFeeRate: '0',
  maxActiveLoans: 1,
  maxLifetimeLoans: 3,
  certificateMaxAgeMonths: 24,
  counterGuaranteeDays: 10,
  guaranteeDecisionDays: 15,
  disbursalDays: 30,
  backdatingWindowDays: 90,
  ageMin: 18,
  ageMax: 60,
  followUpMonths: DEFAULT_FOLLOW_UP_MONTHS as number[],
  followUpVisitDays: DEFAULT_FOLLOW_UP_VISIT_DAYS,
  trainingSubsidy: defaultTrainingSubsidy,
  incubatorRewards: defaultIncubatorRewards,
});

/** A stored policy version; createdSeq (or createdAt) orders versions sharing an effectiveFrom. */
export interface PolicyVersionRef {
  effectiveFrom: IsoDate;
  createdSeq?: number | bigint | string;
  createdAt?: string | Date;
}

function creationOrder(a: PolicyVersionRef, b: PolicyVersionRef): number {
  if (a.createdSeq !== undefined && b.createdSeq !== undefined) {
    const x = BigInt(a.createdSeq);
    const y = BigInt(b.createdSeq);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.createdAt !== undefined && b.createdAt !== undefined) {
    const x = new Date(a.createdAt).getTime();
    const y = new Date(b.createdAt).getTime();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return 0;
}

/**
 * The version in force on a day: latest effectiveFrom on or before it, the newest among
 * equals. When creation order cannot tell two versions apart, the later one in the list
 * wins, so the answer never depends on sort stability.
 */
export function policyInForce<T extends PolicyVersionRef>(versions: readonly T[], day: IsoDate): T | undefined {
  let best: T | undefined;
  for (const v of versions) {
    if (compareDates(v.effectiveFrom, day) > 0) continue;
    if (best === undefined) {
      best = v;
      continue;
    }
    const byDate = compareDates(v.effectiveFrom, best.effectiveFrom);
    if (byDate > 0 || (byDate === 0 && creationOrder(v, best) >= 0)) best = v;
  }
  return best;
}
