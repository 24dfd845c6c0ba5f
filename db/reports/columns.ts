/**
 * The indicator columns of the KPI report (docs/domain.md §5), in the order every export shows them. Values
 * travel as: counts → integers; money, rates and days → decimal strings computed exactly
 * (Postgres NUMERIC or decimal.js), never floats; ratios (jobs per business) → decimal strings with
 * two decimals; text → strings; flags (a target met) → booleans; null → not applicable to the group
 * or no denominator (e.g. a rate over zero cases).
 */
export type ColumnKind = 'count' | 'money' | 'rate' | 'days' | 'ratio' | 'text' | 'flag';

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

/** The steps that can reject an application (the workflow's decisions; the rest end it otherwise). */
export const REJECTING_STEPS = ['intake_check', 'counter_guarantee', 'guarantee_review', 'guarantee_approval'] as const;

/**
 * The programme's targets (docs/reports.md): each indicator is met when it reaches its minimum.
 * One place for them; the report shows each beside its indicator with a met / not met flag.
 */
export const TARGETS: Readonly<Record<string, { min: string; label: string }>> = {
  // The documents set ≥ 50 % for trained people starting a business within six months; a loan is
  // the start this system records (docs/reports.md).
  certified_loan_share: { min: '0.5000', label: '≥ 50%' },
  community_guarantee_share: { min: '0.5000', label: '≥ 50%' },
  businesses_operating_after_one_year: { min: '0.8000', label: '≥ 80%' },
  // 1:5: each business gives work to five people, its owner included.
  jobs_per_business: { min: '5.00', label: '≥ 5 (1:5)' },
};

/** An indicator with a target: the indicator, its target, and whether it is met. */
function withTarget(c: KpiColumn): KpiColumn[] {
  const t = TARGETS[c.key]!;
  return [
    { ...c, label: `${c.label} (target ${t.label})` },
    { key: `${c.key}_target`, label: `${c.label}: target`, kind: c.kind },
    { key: `${c.key}_met`, label: `${c.label}: target met`, kind: 'flag' },
  ];
}

export const KPI_COLUMNS: KpiColumn[] = [
  { key: 'applications', label: 'Applications submitted', kind: 'count' },
  ...APPLICATION_STATUSES.map((s) => ({ key: `applications_${s.toLowerCase()}`, label: `Applications now ${s}`, kind: 'count' as const })),
  ...STEPS.map((s) => ({ key: `days_${s}`, label: `Average days to decide: ${s.replace(/_/g, ' ')}`, kind: 'days' as const })),
  { key: 'decided', label: 'Applications decided (approved or rejected)', kind: 'count' },
  { key: 'approved', label: 'Guarantees approved', kind: 'count' },
  { key: 'rejected', label: 'Applications rejected', kind: 'count' },
  { key: 'approval_rate', label: 'Approval rate', kind: 'rate' },
  { key: 'rejection_rate', label: 'Rejection rate', kind: 'rate' },
  // Why each was rejected is the deciding officer's free text about the applicant, and the report
  // goes to every officer: it stays on the application (docs/reports.md, docs/security.md).
  ...REJECTING_STEPS.map((s) => ({ key: `rejected_${s}`, label: `Rejected at: ${s.replace(/_/g, ' ')}`, kind: 'count' as const })),
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
  ...withTarget({ key: 'certified_loan_share', label: 'Share of certified trainees with a loan', kind: 'rate' }),
  { key: 'loans_community_guaranteed', label: 'Loans counter-guaranteed by a credit community', kind: 'count' },
  ...withTarget({ key: 'community_guarantee_share', label: 'Share counter-guaranteed by credit communities', kind: 'rate' }),
  { key: 'businesses_one_year', label: 'Businesses reaching one year after disbursal', kind: 'count' },
  { key: 'businesses_visited_one_year', label: 'of which visited at one year or later', kind: 'count' },
  { key: 'businesses_operating_one_year', label: 'of which operating at that visit', kind: 'count' },
  ...withTarget({ key: 'businesses_operating_after_one_year', label: 'Share of businesses operating one year after disbursal', kind: 'rate' }),
  { key: 'businesses_visited', label: 'Businesses visited in the period', kind: 'count' },
  { key: 'jobs', label: 'Jobs at their latest visit (owners included)', kind: 'count' },
  ...withTarget({ key: 'jobs_per_business', label: 'Jobs created per business', kind: 'ratio' }),
];

/** Indicators the records cannot give, and why (docs/reports.md): none since follow-up visits are recorded. */
export const NOT_COMPUTABLE: ReadonlyArray<{ key: string; why: string }> = [];
