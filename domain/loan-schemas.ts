/**
 * Request bodies of the loan and subsidy-claim API, shared by the HTTP layer (validation,
 * OpenAPI) and the workflows (update arguments). Strict: an unknown field is an error.
 */
import { z } from 'zod';
import { optionalReason, reason } from './reason-schemas';
import { isoDateSchema, quarterSchema } from './date-schemas';
import { MAX_PAYMENT_AMOUNT } from './money';
import { positiveMoneyAtMost } from './money-schemas';
import { visibleText } from './text-schemas';

/** A bank's own reference for a money movement (a disbursal, a repayment, a recovery). */
export const bankReference = visibleText(z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters'));
const wholeNumber = (what: string) => z.number({ error: `must be a whole number of ${what}` }).int(`must be a whole number of ${what}`);
const payment = positiveMoneyAtMost(MAX_PAYMENT_AMOUNT, 'a loan and its interest, with room to spare');

export const repaymentSchema = z
  .object({
    period: wholeNumber('periods').min(1, 'must be 1 or more').max(1200, 'must be at most 1200').meta({ description: 'the period number, 1 to 1200' }),
    amount: payment,
    paidOn: isoDateSchema,
    bankReference,
  })
  .strict()
  .meta({ id: 'Repayment' });
export type RepaymentBody = z.output<typeof repaymentSchema>;

export const extensionSchema = z
  .object({
    months: wholeNumber('months').min(1, 'must be at least 1').max(600, 'must be at most 600').meta({ description: 'whole months, 1 to 600 (the policy in force bounds it further)' }),
    reason,
  })
  .strict()
  .meta({ id: 'Extension' });
export type ExtensionBody = z.output<typeof extensionSchema>;

export const recoverySchema = z
  .object({
    amount: payment,
    receivedOn: isoDateSchema,
    reference: bankReference,
    note: optionalReason,
  })
  .strict()
  .meta({ id: 'Recovery' });
export type RecoveryBody = z.output<typeof recoverySchema>;

export const newSubsidyClaimSchema = z.object({ quarter: quarterSchema }).strict().meta({ id: 'NewSubsidyClaim' });
export type NewSubsidyClaim = z.output<typeof newSubsidyClaimSchema>;

export const claimDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    reason: optionalReason,
  })
  .strict()
  .refine((b) => b.decision === 'approve' || b.reason.length > 0, { path: ['reason'], message: 'is required when rejecting' })
  .meta({ id: 'SubsidyClaimDecision' });
export type ClaimDecision = z.output<typeof claimDecisionSchema>;
