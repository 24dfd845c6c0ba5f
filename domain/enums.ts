import { z } from 'zod';

// Each vocabulary is one const tuple; the zod enum and the TS type derive from it so the
// three can never drift apart.

export const targetGroups = ['unemployed', 'college_graduate', 'returning_migrant_worker', 'veteran', 'disabled', 'other'] as const;
export const targetGroupSchema = z.enum(targetGroups);
export type TargetGroup = z.infer<typeof targetGroupSchema>;

export const repaymentMethods = ['monthly_interest_bullet', 'equal_instalment'] as const;
export const repaymentMethodSchema = z.enum(repaymentMethods);
export type RepaymentMethod = z.infer<typeof repaymentMethodSchema>;

export const courses = ['SYB', 'GYB', 'IYB'] as const;
export const courseSchema = z.enum(courses);
export type Course = z.infer<typeof courseSchema>;

export const organisationTypes = ['training_institution', 'community', 'guarantee_company', 'bank', 'finance_bureau'] as const;
export const organisationTypeSchema = z.enum(organisationTypes);
export type OrganisationType = z.infer<typeof organisationTypeSchema>;

export const roles = [
  'applicant',
  'training_officer',
  'community_officer',
  'guarantee_reviewer',
  'guarantee_approver',
  'bank_officer',
  'finance_officer',
  'finance_approver',
  'auditor',
  'admin',
] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const applicationStatuses = [
  'SUBMITTED',
  'AWAITING_COUNTER_GUARANTEE',
  'AWAITING_GUARANTEE_REVIEW',
  'AWAITING_GUARANTEE_APPROVAL',
  'AWAITING_DISBURSAL',
  'REPAYING',
  'REPAID',
  'REJECTED',
  'WITHDRAWN',
  'EXPIRED',
  'DEFAULTED',
] as const;
export const applicationStatusSchema = z.enum(applicationStatuses);
export type ApplicationStatus = z.infer<typeof applicationStatusSchema>;

/** Statuses no decision can leave; a workflow in one of them has finished. */
export const finalApplicationStatuses: readonly ApplicationStatus[] = [
  'REPAID',
  'REJECTED',
  'WITHDRAWN',
  'EXPIRED',
  'DEFAULTED',
];

export function isFinalApplicationStatus(s: ApplicationStatus): boolean {
  return finalApplicationStatuses.includes(s);
}

export const counterGuaranteeTypes = ['credit_community', 'guarantor', 'collateral'] as const;
export const counterGuaranteeTypeSchema = z.enum(counterGuaranteeTypes);
export type CounterGuaranteeType = z.infer<typeof counterGuaranteeTypeSchema>;

export const subsidyModes = ['share_of_interest', 'above_borrower_rate'] as const;
export const subsidyModeSchema = z.enum(subsidyModes);
export type SubsidyMode = z.infer<typeof subsidyModeSchema>;

export const decisions = ['approve', 'reject'] as const;
export const decisionSchema = z.enum(decisions);
export type Decision = z.infer<typeof decisionSchema>;
