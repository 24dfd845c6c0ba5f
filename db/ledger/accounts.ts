/**
 * Account codes of the chart (chart.ts, the one definition of it; an account comes into being the
 * first time an entry names its code).
 *
 * How the money movements of docs/domain.md §1 post (Dr = debit, Cr = credit):
 *
 * | movement | lines |
 * |---|---|
 * | budget allocation | Dr fund:F:available / Cr fund:F:budget |
 * | guarantee commitment (memo) | Dr guarantor:G:commitments / Cr guarantor:G:commitments_contra (released by the opposite entry) |
 * | disbursal | Dr bank:B:loans_receivable / Cr bank:B:cash |
 * | repayment | Dr bank:B:cash / Cr bank:B:loans_receivable (principal), Cr bank:B:interest_income (interest) |
 * | subsidy accrual (on-time period) | Dr program:subsidy_expense / Cr bank:B:subsidy_payable |
 * | claim approved | Dr fund:F:reserved / Cr fund:F:available (fails when the budget is short) |
 * | payout | Dr bank:B:subsidy_payable / Cr fund:F:reserved |
 * | reservation released | Dr fund:F:available / Cr fund:F:reserved |
 * | training subsidy / incubator reward paid | Dr program:training_subsidy_expense or program:incubator_reward_expense / Cr fund:F:reserved |
 * | fund lapsed at its year's end | Dr treasury:T:cash / Cr fund:F:available |
 * | guarantee fund deposit | Dr guarantor:G:guarantee_fund / Cr guarantor:G:capital (or Cr treasury:T:cash) |
 * | compensation (default) | Dr guarantor:G:compensation_receivable / Cr guarantor:G:guarantee_fund; Dr bank:B:cash / Cr bank:B:loans_receivable; bank's share: Dr bank:B:loan_losses / Cr bank:B:loans_receivable |
 * | recovery | Dr guarantor:G:guarantee_fund / Cr guarantor:G:compensation_receivable (beyond it: Cr guarantor:G:recoveries) |
 * | write-off | Dr guarantor:G:compensation_losses / Cr guarantor:G:compensation_receivable |
 * | company's share of a default, and of a recovery | Cr / Dr guarantor:G:own_funds |
 */
import type { AccountOf } from './chart';

export type { AccountType, Side } from './chart';

export const ACCOUNT_CODE = /^[a-z_]+(:[A-Za-z0-9_-]+)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function id(x: string, what: string): string {
  const v = x.toLowerCase();
  if (!UUID.test(v)) throw new TypeError(`${what} must be a uuid: ${JSON.stringify(x)}`);
  return v;
}

export type FundAccount = AccountOf<'fund'>;
export type BankAccount = AccountOf<'bank'>;
export type GuarantorAccount = AccountOf<'guarantor'>;
export type TreasuryAccount = AccountOf<'treasury'>;
export type ProgramAccount = AccountOf<'program'>;

const program = (which: ProgramAccount) => `program:${which}`;

export const accountCode = {
  fund: (fundId: string, which: FundAccount) => `fund:${id(fundId, 'fund id')}:${which}`,
  bank: (bankOrgId: string, which: BankAccount) => `bank:${id(bankOrgId, 'bank organisation id')}:${which}`,
  guarantor: (orgId: string, which: GuarantorAccount) => `guarantor:${id(orgId, 'guarantee company id')}:${which}`,
  treasury: (financeBureauOrgId: string, which: TreasuryAccount = 'cash') => `treasury:${id(financeBureauOrgId, 'finance bureau id')}:${which}`,
  program,
  subsidyExpense: () => program('subsidy_expense'),
} as const;
