// Each vocabulary is one const tuple; the TS type and the zod enum (enums.ts) derive from it so
// the three can never drift apart. No zod here: workflows import these.

export const targetGroups = ['unemployed', 'college_graduate', 'returning_migrant_worker', 'veteran', 'disabled', 'other'] as const;
export type TargetGroup = (typeof targetGroups)[number];

export const repaymentMethods = ['monthly_interest_bullet', 'equal_instalment'] as const;
export type RepaymentMethod = (typeof repaymentMethods)[number];

export const courses = ['SYB', 'GYB', 'IYB'] as const;
export type Course = (typeof courses)[number];

export const organisationTypes = ['training_institution', 'community', 'guarantee_company', 'bank', 'finance_bureau', 'labour_bureau'] as const;
export type OrganisationType = (typeof organisationTypes)[number];

export const roles = [
  'applicant',
  'training_officer',
  'community_officer',
  'guarantee_reviewer',
  'guarantee_approver',
  'bank_officer',
  'finance_officer',
  'finance_approver',
  'labour_officer',
  'auditor',
  'admin',
] as const;
export type Role = (typeof roles)[number];

/** An application's statuses before its loan is disbursed, in the order it passes them. */
export const pendingApplicationStatuses = ['SUBMITTED', 'AWAITING_COUNTER_GUARANTEE', 'AWAITING_GUARANTEE_REVIEW', 'AWAITING_GUARANTEE_APPROVAL', 'AWAITING_DISBURSAL'] as const;

export const applicationStatuses = [...pendingApplicationStatuses, 'REPAYING', 'REPAID', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DEFAULTED'] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];

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
export type CounterGuaranteeType = (typeof counterGuaranteeTypes)[number];

export const subsidyModes = ['share_of_interest', 'above_borrower_rate'] as const;
export type SubsidyMode = (typeof subsidyModes)[number];

export const decisions = ['approve', 'reject'] as const;
export type Decision = (typeof decisions)[number];
