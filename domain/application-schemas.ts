/**
 * Request bodies of the application API, shared by the HTTP layer (validation, OpenAPI) and the
 * workflow (update arguments). `.strict()` everywhere: an unknown field is an error, not ignored.
 */
import { z } from 'zod';
import { optionalReason, reason } from './reason-schemas';
import { idNumberSchema } from './id-number-schema';
import { isoDateSchema } from './date-schemas';
import { MAX_LOAN_AMOUNT } from './money';
import { positiveMoneyAtMost, positiveRateString } from './money-schemas';
import { bankReference } from './loan-schemas';
import { counterGuaranteeTypeSchema, courseSchema, repaymentMethodSchema, targetGroupSchema } from './enums';
import { visibleText } from './text-schemas';

const uuid = z.uuid({ message: 'must be a UUID' });
const phone = z.string().regex(/^1\d{10}$/, 'must be an 11-digit mainland mobile number starting with 1');
const personName = visibleText(z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'));
/** A loan's amount: never above the largest cap a policy may set (the policy in force bounds it further). */
const loanAmount = positiveMoneyAtMost(MAX_LOAN_AMOUNT, "the most any policy's guaranteeMax can be");

export const newApplicationSchema = z
  .object({
    idNumber: idNumberSchema,
    name: personName,
    phone,
    targetGroup: targetGroupSchema,
    certificateNo: visibleText(z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters')),
    communityId: uuid,
    /** Optional: the partner bank the applicant prefers; without it any partner bank may disburse. */
    bankId: uuid.optional(),
    requestedAmount: loanAmount,
    termMonths: z
      .number({ error: 'must be a whole number of months' })
      .int('must be a whole number of months')
      .positive('must be positive')
      .max(600, 'must be at most 600')
      .meta({ description: 'whole months, 1 to 600 (the policy in force bounds it further)' }),
    repaymentMethod: repaymentMethodSchema,
    businessPlan: visibleText(z.string().trim().min(20, 'must describe the business in at least 20 characters').max(20000, 'must be at most 20000 characters'), { lines: true }),
  })
  .strict()
  .meta({ id: 'NewApplication' });
export type NewApplication = z.output<typeof newApplicationSchema>;

export const counterGuaranteeDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    type: counterGuaranteeTypeSchema,
    reason,
  })
  .strict()
  .meta({ id: 'CounterGuaranteeDecision' });
export type CounterGuaranteeDecision = z.output<typeof counterGuaranteeDecisionSchema>;

const approveOrReject = z.enum(['approve', 'reject']);

/**
 * A step of the guarantee company (the review, then the approval): `key` approves or rejects;
 * approving names the amount, rejecting does not need one; a reason either way.
 */
function guaranteeStep<K extends 'recommendation' | 'decision'>(key: K, when: string, id: string) {
  const choice = { [key]: approveOrReject } as { [P in K]: typeof approveOrReject };
  return z
    .object({ ...choice, amount: loanAmount.optional(), reason })
    .strict()
    .refine((b) => (b as Record<string, unknown>)[key] === 'reject' || (b as { amount?: string }).amount !== undefined, { path: ['amount'], message: `is required ${when}` })
    .meta({ id });
}

export const guaranteeReviewSchema = guaranteeStep('recommendation', 'when recommending approval', 'GuaranteeReview');
export type GuaranteeReview = z.output<typeof guaranteeReviewSchema>;

export const guaranteeApprovalSchema = guaranteeStep('decision', 'when approving', 'GuaranteeApproval');
export type GuaranteeApproval = z.output<typeof guaranteeApprovalSchema>;

export const disbursalSchema = z
  .object({
    contractNo: visibleText(z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters')),
    amount: loanAmount,
    annualRate: positiveRateString,
    disbursedOn: isoDateSchema,
    bankReference,
  })
  .strict()
  .meta({ id: 'Disbursal' });
export type Disbursal = z.output<typeof disbursalSchema>;

export const withdrawalSchema = z.object({ reason: optionalReason }).strict().meta({ id: 'Withdrawal' });
export type Withdrawal = z.output<typeof withdrawalSchema>;

export const newCertificateSchema = z
  .object({
    certificateNo: z.string().trim().regex(/^[A-Za-z0-9\-]{4,64}$/, 'must be 4–64 letters, digits or dashes'),
    holderIdNumber: idNumberSchema,
    holderName: personName,
    course: courseSchema,
    issuedOn: isoDateSchema,
  })
  .strict()
  .meta({ id: 'NewCertificate' });
export type NewCertificate = z.output<typeof newCertificateSchema>;

export const revocationSchema = z.object({ reason }).strict().meta({ id: 'Revocation' });
