/** What each role's menu offers; the API decides what each may actually do. */
export type NavKey =
  | 'tasks' | 'applications' | 'apply' | 'loans' | 'claims' | 'funds' | 'reconciliations' | 'periods' | 'reports' | 'audit'
  | 'ledger' | 'users' | 'organisations' | 'policies' | 'certificates' | 'training' | 'incubators' | 'forecast';

const FINANCE: NavKey[] = ['tasks', 'claims', 'funds', 'training', 'incubators', 'reconciliations', 'periods', 'reports', 'forecast', 'applications', 'loans'];

export const MENU: Record<string, NavKey[]> = {
  applicant: ['apply', 'applications', 'loans'],
  training_officer: ['certificates', 'training', 'applications'],
  community_officer: ['tasks', 'applications', 'reports'],
  guarantee_reviewer: ['tasks', 'applications', 'loans', 'reports'],
  guarantee_approver: ['tasks', 'applications', 'loans', 'reports'],
  bank_officer: ['tasks', 'applications', 'loans', 'claims', 'reports'],
  finance_officer: FINANCE,
  finance_approver: FINANCE,
  labour_officer: ['tasks', 'training'],
  auditor: ['applications', 'loans', 'claims', 'funds', 'training', 'incubators', 'reconciliations', 'periods', 'reports', 'forecast', 'audit', 'ledger'],
  admin: ['users', 'organisations', 'policies'],
};

export const PATHS: Record<NavKey, string> = {
  tasks: '/tasks', applications: '/applications', apply: '/apply', loans: '/loans', claims: '/claims', funds: '/funds',
  reconciliations: '/reconciliations', periods: '/periods', reports: '/reports', audit: '/audit', ledger: '/ledger',
  users: '/admin/users', organisations: '/admin/organisations', policies: '/admin/policies', certificates: '/certificates',
  training: '/training-claims', incubators: '/incubators', forecast: '/forecast',
};

export function homeOf(role: string): string {
  return PATHS[MENU[role]?.[0] ?? 'tasks'];
}

export const canSearch = (role: string) => MENU[role]?.includes('applications') && role !== 'applicant';
