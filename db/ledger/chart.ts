/**
 * The chart of accounts: one row per kind of account, the one definition of it. The database's
 * `ledger_chart` is seeded from it (seedChart, run by migrateLatest), and the account code types
 * and builders of accounts.ts are derived from it; test/ledger/chart.test.ts checks that the
 * database's chart equals this one.
 *
 * A code is `<owner>:<uuid>:<account>` (`program:<account>` for the programme's own accounts);
 * `entity` names what the uuid must be (a fund, or an organisation of that type). Memo accounts
 * (type 'memo') hold off-balance quantities such as guarantee commitments and must balance among
 * themselves. Accounts that may go negative stand for money outside the programme.
 */
export type AccountType = 'asset' | 'liability' | 'equity' | 'income' | 'expense' | 'memo';
export type Side = 'debit' | 'credit';

export interface ChartKind {
  kind: string;
  owner: 'fund' | 'treasury' | 'bank' | 'guarantor' | 'program';
  account: string;
  entity: 'fund' | 'finance_bureau' | 'bank' | 'guarantee_company' | null;
  type: AccountType;
  side: Side;
  allowNegative: boolean;
  name: string;
}

export const CHART = [
  // The special funds: one per finance bureau, programme and year (docs/programmes.md).
  { kind: 'fund_budget', owner: 'fund', account: 'budget', entity: 'fund', type: 'equity', side: 'credit', allowNegative: false, name: 'Special fund: budget allocated' },
  { kind: 'fund_available', owner: 'fund', account: 'available', entity: 'fund', type: 'asset', side: 'debit', allowNegative: false, name: 'Special fund: available budget' },
  { kind: 'fund_reserved', owner: 'fund', account: 'reserved', entity: 'fund', type: 'asset', side: 'debit', allowNegative: false, name: 'Special fund: reserved for approved claims' },
  // The finance bureau's treasury: where public money comes from; may go negative (an outside source).
  { kind: 'treasury_cash', owner: 'treasury', account: 'cash', entity: 'finance_bureau', type: 'asset', side: 'debit', allowNegative: true, name: 'Treasury cash' },
  // Interest subsidy: expense when earned (on-time periods), owed to the lending bank until paid.
  { kind: 'subsidy_expense', owner: 'program', account: 'subsidy_expense', entity: null, type: 'expense', side: 'debit', allowNegative: false, name: 'Interest subsidy expense' },
  // Training subsidy and incubator rewards: expense when paid out of their fund (docs/programmes.md).
  { kind: 'training_subsidy_expense', owner: 'program', account: 'training_subsidy_expense', entity: null, type: 'expense', side: 'debit', allowNegative: false, name: 'Training subsidy paid to training institutions' },
  { kind: 'incubator_reward_expense', owner: 'program', account: 'incubator_reward_expense', entity: null, type: 'expense', side: 'debit', allowNegative: false, name: 'Incubator rewards paid to operators and enterprises' },
  { kind: 'bank_subsidy_payable', owner: 'bank', account: 'subsidy_payable', entity: 'bank', type: 'liability', side: 'credit', allowNegative: false, name: 'Interest subsidy payable to bank' },
  // Banks: guaranteed loans, their cash (outside the programme, may go negative), income, losses.
  { kind: 'bank_loans_receivable', owner: 'bank', account: 'loans_receivable', entity: 'bank', type: 'asset', side: 'debit', allowNegative: false, name: 'Guaranteed loans receivable' },
  { kind: 'bank_cash', owner: 'bank', account: 'cash', entity: 'bank', type: 'asset', side: 'debit', allowNegative: true, name: 'Bank cash' },
  { kind: 'bank_interest_income', owner: 'bank', account: 'interest_income', entity: 'bank', type: 'income', side: 'credit', allowNegative: false, name: 'Loan interest income' },
  { kind: 'bank_loan_losses', owner: 'bank', account: 'loan_losses', entity: 'bank', type: 'expense', side: 'debit', allowNegative: false, name: 'Bank share of default losses' },
  // Guarantee company: its guarantee fund, the capital behind it, compensation and recovery.
  { kind: 'guarantee_fund', owner: 'guarantor', account: 'guarantee_fund', entity: 'guarantee_company', type: 'asset', side: 'debit', allowNegative: false, name: 'Guarantee fund deposit' },
  { kind: 'guarantee_capital', owner: 'guarantor', account: 'capital', entity: 'guarantee_company', type: 'equity', side: 'credit', allowNegative: false, name: 'Guarantee fund capital contributed' },
  { kind: 'compensation_receivable', owner: 'guarantor', account: 'compensation_receivable', entity: 'guarantee_company', type: 'asset', side: 'debit', allowNegative: false, name: 'Compensation paid, recoverable from borrowers' },
  { kind: 'recoveries', owner: 'guarantor', account: 'recoveries', entity: 'guarantee_company', type: 'income', side: 'credit', allowNegative: false, name: 'Recoveries beyond the receivable' },
  { kind: 'compensation_losses', owner: 'guarantor', account: 'compensation_losses', entity: 'guarantee_company', type: 'expense', side: 'debit', allowNegative: false, name: 'Compensation written off' },
  // Off-balance memo pair: guarantees outstanding.
  { kind: 'guarantee_commitments', owner: 'guarantor', account: 'commitments', entity: 'guarantee_company', type: 'memo', side: 'debit', allowNegative: false, name: 'Guarantee commitments outstanding (memo)' },
  { kind: 'guarantee_commitments_contra', owner: 'guarantor', account: 'commitments_contra', entity: 'guarantee_company', type: 'memo', side: 'credit', allowNegative: false, name: 'Guarantee commitments contra (memo)' },
  // The guarantee company's own money, outside the programme like a bank's cash: what it pays
  // when the loss sharing gives it a share of a default (e.g. fund 70% / bank 25% / company 5%).
  { kind: 'guarantor_own_funds', owner: 'guarantor', account: 'own_funds', entity: 'guarantee_company', type: 'asset', side: 'debit', allowNegative: true, name: 'Guarantee company own funds' },
] as const satisfies readonly ChartKind[];

/** The accounts an owner has, e.g. AccountOf<'bank'> = 'subsidy_payable' | 'loans_receivable' | …. */
export type AccountOf<O extends ChartKind['owner']> = Extract<(typeof CHART)[number], { owner: O }>['account'];

const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The regular expression (PostgreSQL's and JavaScript's alike) that the codes of a kind match. */
export function codePattern(k: ChartKind): string {
  return k.entity === null ? `^${k.owner}:${k.account}$` : `^${k.owner}:${UUID_PATTERN}:${k.account}$`;
}

/** The chart as `ledger_chart` holds it. */
export function chartRows() {
  return CHART.map((k) => ({
    kind: k.kind,
    code_pattern: codePattern(k),
    entity: k.entity,
    type: k.type,
    normal_side: k.side,
    allow_negative: k.allowNegative,
    name: k.name,
  }));
}
