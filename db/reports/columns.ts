/**
 * The indicator columns of the KPI report (docs/domain.md §5), in the order every export shows them. Values
 * travel as: counts → integers; money, rates and days → decimal strings computed exactly
 * (Postgres NUMERIC or decimal.js), never floats; text → strings; null → not applicable to the group
 * or no denominator (e.g. a rate over zero cases).
 */
export type ColumnKind = 'count' | 'money' | 'rate' | 'days' | 'text';

export interface KpiColumn {
  key: string;
  label: string;
  kind: ColumnKind;
}

export const APPLICATION_STATUSES = [
  'SUBMITTED', 'AWAITING_COUNTER_GUARANTEE', 'AWAITING_GUARANTEE_REVIEW', 'AWAITING_GUARANTEE_APPROVAL', 'AWAITING_DISBURSAL',
  'REPAYING', 'REPAID', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DEFAULTED',
] as const;

export const STEPS = ['intake_check', 'counter_guarantee', 'guarantee_review', 'guarantee_approval', 'disbursal'] as const;

export const KPI_COLUMNS: KpiColumn[] = [
  { key: 'applications', label: 'Applications submitted', kind: 'count' },
  ...APPLICATION_STATUSES.map((s) => ({ key: `applications_${s.toLowerCase()}`, label: `Applications now ${s}`, kind: 'count' as const })),
  ...STEPS.map((s) => ({ key: `days_${s}`, label: `Average days to decide: ${s.replace(/_/g, ' ')}`, kind: 'days' as const })),
  { key: 'decided', label: 'Applications decided (approved or rejected)', kind: 'count' },
  { key: 'approved', label: 'Guarantees approved', kind: 'count' },
  { key: 'rejected', label: 'Applications rejected', kind: 'count' },
  { key: 'approval_rate', label: 'Approval rate', kind: 'rate' },
  { key: 'rejection_rate', label: 'Rejection rate', kind: 'rate' },
  { key: 'rejection_reasons', label: 'Rejection reasons (count)', kind: 'text' },
  { key: 'amount_guaranteed', label: 'Amount guaranteed', kind: 'money' },
  { key: 'loans_disbursed', label: 'Loans disbursed', kind: 'count' },
  { key: 'amount_disbursed', label: 'Amount disbursed', kind: 'money' },
  { key: 'periods_due', label: 'Repayment periods due', kind: 'count' },
  { key: 'periods_on_time', label: 'Periods repaid on time', kind: 'count' },
  { key: 'on_time_rate', label: 'On-time repayment rate', kind: 'rate' },
  { key: 'loans_active', label: 'Loans active in the period', kind: 'count' },
  { key: 'defaults', label: 'Defaults', kind: 'count' },
  { key: 'default_rate', label: 'Default rate', kind: 'rate' },
  { key: 'compensation', label: 'Compensation paid (代偿)', kind: 'money' },
  { key: 'compensation_rate', label: 'Compensation rate (of principal active)', kind: 'rate' },
  { key: 'recovered', label: 'Recovered', kind: 'money' },
  { key: 'recovery_rate', label: 'Recovery rate (of compensation)', kind: 'rate' },
  { key: 'subsidy_claimed', label: 'Subsidy claimed', kind: 'money' },
  { key: 'subsidy_approved', label: 'Subsidy approved', kind: 'money' },
  { key: 'subsidy_paid', label: 'Subsidy paid', kind: 'money' },
  { key: 'fund_budget', label: 'Special fund budget (total row only)', kind: 'money' },
  { key: 'fund_paid', label: 'Special fund paid out (total row only)', kind: 'money' },
  { key: 'fund_available', label: 'Special fund remaining budget (total row only)', kind: 'money' },
  { key: 'trainees_certified', label: 'Trainees certified', kind: 'count' },
  { key: 'certified_with_loan', label: 'Certified trainees who obtained a loan', kind: 'count' },
  { key: 'certified_loan_share', label: 'Share of certified trainees with a loan', kind: 'rate' },
  { key: 'loans_community_guaranteed', label: 'Loans counter-guaranteed by a credit community', kind: 'count' },
  { key: 'community_guarantee_share', label: 'Share counter-guaranteed by credit communities (target ≥ 50%)', kind: 'rate' },
  { key: 'businesses_operating_after_one_year', label: 'Businesses operating after one year (target ≥ 80%)', kind: 'rate' },
  { key: 'jobs_per_business', label: 'Jobs created per business (target 1:5)', kind: 'days' },
];

/** Indicators of docs/domain.md §5 that the records cannot give, and why (also in docs/reports.md). */
export const NOT_COMPUTABLE = [
  {
    key: 'businesses_operating_after_one_year',
    why: 'no record of the businesses themselves is kept: survival needs follow-up visits (or a business-registry feed) that the system does not capture; a repaid or current loan is not the same fact',
  },
  {
    key: 'jobs_per_business',
    why: 'no employment figures are captured (the application has a free-text business plan only); it needs a follow-up field for jobs created',
  },
] as const;
