/** Which organisation type each officer's role belongs to, as the server checks it (none for the admin). */
export const ORG_TYPE_OF_ROLE: Record<string, string | null> = {
  training_officer: 'training_institution',
  community_officer: 'community',
  guarantee_reviewer: 'guarantee_company',
  guarantee_approver: 'guarantee_company',
  bank_officer: 'bank',
  finance_officer: 'finance_bureau',
  finance_approver: 'finance_bureau',
  auditor: 'finance_bureau',
  admin: null,
};
export const OFFICER_ROLES = Object.keys(ORG_TYPE_OF_ROLE);
export const ORG_TYPES = ['training_institution', 'community', 'guarantee_company', 'bank', 'finance_bureau'] as const;
