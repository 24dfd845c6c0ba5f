import type { OrganisationType, Role } from './enums';

/**
 * Which organisation type each officer's role belongs to, as the server checks it and the console
 * offers it (docs/domain.md); the admin and the applicant belong to none. Pure and free of zod, so
 * the console bundles it as it is.
 */
export const orgTypeOfRole: Partial<Record<Role, OrganisationType>> = {
  training_officer: 'training_institution',
  community_officer: 'community',
  guarantee_reviewer: 'guarantee_company',
  guarantee_approver: 'guarantee_company',
  bank_officer: 'bank',
  finance_officer: 'finance_bureau',
  finance_approver: 'finance_bureau',
  auditor: 'finance_bureau',
  labour_officer: 'labour_bureau',
};
