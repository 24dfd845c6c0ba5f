import { Money, moneyStringProblem } from './money';
import { type IsoDate, addMonthsClamped, compareDates, parseIsoDate } from './dates';
import { ageOn, idNumberProblem, normaliseIdNumber } from './id-number';
import { targetGroups } from './vocabularies';
import type { PolicyParams } from './policy';

/**
 * One reason a request cannot go ahead. `path` names the request field it concerns (as in
 * the API's error details), `rule` is a stable code for statistics on rejection reasons,
 * `message` is for people.
 */
export interface Violation {
  path: string;
  rule: string;
  message: string;
}

export interface EligibilityInput {
  idNumber: string;
  targetGroup: string;
  requestedAmount: string;
  termMonths: number;
  /** The person's other guaranteed loans still being repaid or in progress. */
  activeLoans: number;
  /** Loans the person has ever had, this one not included. */
  lifetimeLoans: number;
  unresolvedDefault: boolean;
}

type EligibilityPolicy = Pick<
  PolicyParams,
  'guaranteeMin' | 'guaranteeMax' | 'termMonthsMin' | 'termMonthsMax' | 'maxActiveLoans' | 'maxLifetimeLoans' | 'ageMin' | 'ageMax'
>;

function assertDay(today: IsoDate): void {
  // A bad "today" is a programming error, not something to tell the applicant.
  parseIsoDate(today);
}

/** Amount band check shared by intake and guarantee decisions; undefined when within. */
function bandViolation(path: string, amount: Money, policy: Pick<PolicyParams, 'guaranteeMin' | 'guaranteeMax'>): Violation | undefined {
  if (amount.lessThan(policy.guaranteeMin) || amount.greaterThan(policy.guaranteeMax)) {
    return {
      path,
      rule: 'amount_band',
      message: `must be between ${policy.guaranteeMin} and ${policy.guaranteeMax}`,
    };
  }
  return undefined;
}

function moneyViolation(path: string, value: unknown): Violation | undefined {
  const message = moneyStringProblem(value);
  return message === undefined ? undefined : { path, rule: 'money_format', message };
}

/**
 * The product limits a request must keep (amount band, term range): rules about the request
 * itself, so the API refuses a breach as bad input before anything is written, and intake
 * applies them again under the application's own policy version.
 */
export function checkRequestLimits(
  input: Pick<EligibilityInput, 'requestedAmount' | 'termMonths'>,
  policy: Pick<PolicyParams, 'guaranteeMin' | 'guaranteeMax' | 'termMonthsMin' | 'termMonthsMax'>,
): Violation[] {
  const out: Violation[] = [];
  const badMoney = moneyViolation('requestedAmount', input.requestedAmount);
  if (badMoney) out.push(badMoney);
  else {
    const band = bandViolation('requestedAmount', new Money(input.requestedAmount), policy);
    if (band) out.push(band);
  }
  if (!Number.isSafeInteger(input.termMonths) || input.termMonths < policy.termMonthsMin || input.termMonths > policy.termMonthsMax) {
    out.push({
      path: 'termMonths',
      rule: 'term_range',
      message: `must be a whole number of months from ${policy.termMonthsMin} to ${policy.termMonthsMax}`,
    });
  }
  return out;
}

/**
 * Every reason the applicant is not eligible under `policy` on `today` (docs/domain.md §1.2);
 * empty when eligible. All rules are checked, so the applicant learns everything at once.
 */
export function checkEligibility(input: EligibilityInput, policy: EligibilityPolicy, today: IsoDate): Violation[] {
  assertDay(today);
  const out: Violation[] = [];

  if (!(targetGroups as readonly unknown[]).includes(input.targetGroup)) {
    out.push({ path: 'targetGroup', rule: 'target_group', message: `must be one of ${targetGroups.join(', ')}` });
  }

  const idProblem = idNumberProblem(normaliseIdNumber(input.idNumber));
  if (idProblem) {
    out.push({ path: 'idNumber', rule: 'id_number', message: idProblem });
  } else {
    const age = ageOn(input.idNumber, today);
    if (age < policy.ageMin || age > policy.ageMax) {
      out.push({
        path: 'idNumber',
        rule: 'age',
        message: `applicant is ${age} on ${today}; the policy requires an age from ${policy.ageMin} to ${policy.ageMax}`,
      });
    }
  }

  out.push(...checkRequestLimits(input, policy));

  if (input.activeLoans >= policy.maxActiveLoans) {
    out.push({
      path: 'idNumber',
      rule: 'active_loans',
      message: `applicant already has ${input.activeLoans} active guaranteed loan(s); the policy allows ${policy.maxActiveLoans} at a time`,
    });
  }
  if (input.lifetimeLoans >= policy.maxLifetimeLoans) {
    out.push({
      path: 'idNumber',
      rule: 'lifetime_loans',
      message: `applicant has already had ${input.lifetimeLoans} guaranteed loan(s); the policy allows ${policy.maxLifetimeLoans} in a lifetime`,
    });
  }
  if (input.unresolvedDefault) {
    out.push({ path: 'idNumber', rule: 'unresolved_default', message: 'applicant has an unresolved default on an earlier guaranteed loan' });
  }
  return out;
}

/** A registry certificate as the check needs it. */
export interface CertificateFacts {
  certificateNo?: string;
  holderIdNumber: string;
  issuedOn: IsoDate;
  revoked: boolean;
}

/**
 * Certificate rules of docs/domain.md §1.1: registered, not revoked, the applicant's own, and
 * recent enough. A certificate is still recent on the day `maxAgeMonths` after issue
 * (the clamped anniversary) and too old the day after.
 */
export function checkCertificate(
  cert: CertificateFacts | undefined,
  ctx: { holderIdNumber: string; today: IsoDate; maxAgeMonths: number },
): Violation[] {
  assertDay(ctx.today);
  const path = 'certificateNo';
  if (!cert) return [{ path, rule: 'certificate_not_found', message: 'no certificate with this number is registered' }];
  const out: Violation[] = [];
  if (cert.revoked) out.push({ path, rule: 'certificate_revoked', message: 'the certificate has been revoked' });
  if (normaliseIdNumber(cert.holderIdNumber) !== normaliseIdNumber(ctx.holderIdNumber)) {
    out.push({ path, rule: 'certificate_holder_mismatch', message: "the certificate belongs to someone else than the applicant's ID number" });
  }
  if (compareDates(cert.issuedOn, ctx.today) > 0) {
    out.push({ path, rule: 'certificate_issued_in_future', message: `the certificate's issue date ${cert.issuedOn} is after ${ctx.today}` });
  } else if (compareDates(addMonthsClamped(cert.issuedOn, ctx.maxAgeMonths), ctx.today) < 0) {
    out.push({
      path,
      rule: 'certificate_too_old',
      message: `the certificate was issued on ${cert.issuedOn}, more than ${ctx.maxAgeMonths} months before ${ctx.today}`,
    });
  }
  return out;
}

/**
 * A guarantee decision's amount (docs/domain.md §1.4): it may be lower than requested, never
 * higher, and never outside the policy band.
 */
export function checkApprovedAmount(
  amount: string,
  requested: string,
  policy: Pick<PolicyParams, 'guaranteeMin' | 'guaranteeMax'>,
): Violation[] {
  const badMoney = moneyViolation('amount', amount);
  if (badMoney) return [badMoney];
  const a = new Money(amount);
  const out: Violation[] = [];
  if (a.greaterThan(requested)) {
    out.push({ path: 'amount', rule: 'above_requested', message: `must not exceed the requested amount of ${requested}` });
  }
  const band = bandViolation('amount', a, policy);
  if (band) out.push(band);
  return out;
}
