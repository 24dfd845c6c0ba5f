import type { AccountType, Side } from './accounts';
import { loadEntries, type Db, type LedgerEntry } from './entries';
import { LedgerValidationError, UnknownAccountError } from './errors';
import { formatMoney, sumMoney } from '../../domain/money';
import { isIsoDate } from '../../domain/dates';

export interface EntryFilter {
  /** Only entries with a line on this account code. */
  account?: string;
  /** posted_on ≥ from (inclusive). */
  from?: string;
  /** posted_on ≤ to (inclusive). */
  to?: string;
  page?: number;
  pageSize?: number;
}

export interface EntryPage {
  items: LedgerEntry[];
  page: number;
  pageSize: number;
  total: number;
}

export const MAX_PAGE_SIZE = 500;

function checkDate(v: string | undefined, path: string): void {
  if (v !== undefined && !isIsoDate(v)) throw new LedgerValidationError(`${path} must be a date YYYY-MM-DD`, [{ path, message: 'must be a date YYYY-MM-DD' }]);
}

/** Journal entries with their lines, by business date then id. */
export async function listEntries(db: Db, filter: EntryFilter = {}): Promise<EntryPage> {
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? 50;
  if (!Number.isSafeInteger(page) || page < 1) throw new LedgerValidationError('page must be an integer ≥ 1', [{ path: 'page', message: 'must be ≥ 1' }]);
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new LedgerValidationError(`pageSize must be 1..${MAX_PAGE_SIZE}`, [{ path: 'pageSize', message: `must be 1..${MAX_PAGE_SIZE}` }]);
  }
  checkDate(filter.from, 'from');
  checkDate(filter.to, 'to');
  const q = db('ledger_entries as e');
  if (filter.account !== undefined) {
    const acc = await db('ledger_accounts').where({ code: filter.account.toLowerCase() }).first('id');
    if (!acc) return { items: [], page, pageSize, total: 0 };
    q.whereIn('e.id', db('ledger_lines').where({ account_id: acc.id }).select('entry_id'));
  }
  if (filter.from) q.where('e.posted_on', '>=', filter.from);
  if (filter.to) q.where('e.posted_on', '<=', filter.to);
  const counted = await q.clone().count<{ total: number }[]>({ total: '*' });
  const ids: number[] = await q
    .orderBy([{ column: 'e.posted_on' }, { column: 'e.id' }])
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .pluck('e.id');
  return { items: await loadEntries(db, ids), page, pageSize, total: Number(counted[0]?.total ?? 0) };
}

export interface AccountBalance {
  account: string;
  name: string;
  kind: string;
  type: AccountType;
  normalSide: Side;
  /** null: everything posted so far (any business date). */
  asOf: string | null;
  debits: string;
  credits: string;
  /** On the account's normal side: debits − credits for debit-normal accounts, else credits − debits. */
  balance: string;
}

const SUMS = `
  coalesce(sum(l.amount) filter (where l.side = 'debit'), 0)::numeric(20,2) as debits,
  coalesce(sum(l.amount) filter (where l.side = 'credit'), 0)::numeric(20,2) as credits`;

function normalBalance(side: Side, debits: string, credits: string): string {
  const d = sumMoney([debits]);
  const c = sumMoney([credits]);
  return formatMoney(side === 'debit' ? d.minus(c) : c.minus(d));
}

/** An account's balance, now or as of the end of a business date. */
export async function accountBalance(db: Db, code: string, asOf?: string): Promise<AccountBalance> {
  checkDate(asOf, 'asOf');
  const acc = await db('ledger_accounts').where({ code: code.toLowerCase() }).first('id', 'code', 'name', 'kind', 'type', 'normal_side');
  if (!acc) throw new UnknownAccountError(code, `no ledger account ${code} (an account exists once an entry has used it)`);
  let debits: string;
  let credits: string;
  if (asOf === undefined) {
    const b = await db('ledger_balances').where({ account_id: acc.id }).first('debit_total', 'credit_total');
    debits = b.debit_total;
    credits = b.credit_total;
  } else {
    const { rows } = await db.raw(
      `select ${SUMS} from ledger_lines l join ledger_entries e on e.id = l.entry_id where l.account_id = ? and e.posted_on <= ?::date`,
      [acc.id, asOf],
    );
    debits = rows[0].debits;
    credits = rows[0].credits;
  }
  return {
    account: acc.code,
    name: acc.name,
    kind: acc.kind,
    type: acc.type,
    normalSide: acc.normal_side,
    asOf: asOf ?? null,
    debits,
    credits,
    balance: normalBalance(acc.normal_side, debits, credits),
  };
}

export interface TrialBalanceRow {
  account: string;
  name: string;
  type: AccountType;
  normalSide: Side;
  debits: string;
  credits: string;
  balance: string;
  /** The net balance in the debit column (or "0.00"). */
  debitBalance: string;
  /** The net balance in the credit column (or "0.00"). */
  creditBalance: string;
}

export interface TrialBalance {
  asOf: string | null;
  accounts: TrialBalanceRow[];
  totalDebits: string;
  totalCredits: string;
  /** Debit balances = credit balances: what double entry guarantees. */
  balanced: boolean;
}

/** Every account's net balance in a debit or credit column; the two columns must be equal. */
export async function trialBalance(db: Db, asOf?: string): Promise<TrialBalance> {
  checkDate(asOf, 'asOf');
  const sums =
    asOf === undefined
      ? `select account_id, debit_total as debits, credit_total as credits from ledger_balances`
      : `select l.account_id, ${SUMS} from ledger_lines l join ledger_entries e on e.id = l.entry_id where e.posted_on <= ?::date group by l.account_id`;
  const { rows } = await db.raw(
    `select a.code, a.name, a.type, a.normal_side,
            coalesce(s.debits, 0)::numeric(20,2) as debits, coalesce(s.credits, 0)::numeric(20,2) as credits,
            greatest(coalesce(s.debits, 0) - coalesce(s.credits, 0), 0)::numeric(20,2) as debit_balance,
            greatest(coalesce(s.credits, 0) - coalesce(s.debits, 0), 0)::numeric(20,2) as credit_balance
       from ledger_accounts a left join (${sums}) s on s.account_id = a.id
      order by a.code`,
    asOf === undefined ? [] : [asOf],
  );
  const accounts: TrialBalanceRow[] = rows.map((r: Record<string, string>) => ({
    account: r.code,
    name: r.name,
    type: r.type as AccountType,
    normalSide: r.normal_side as Side,
    debits: r.debits,
    credits: r.credits,
    balance: normalBalance(r.normal_side as Side, r.debits!, r.credits!),
    debitBalance: r.debit_balance,
    creditBalance: r.credit_balance,
  }));
  const totalDebits = sumMoney(accounts.map((a) => a.debitBalance));
  const totalCredits = sumMoney(accounts.map((a) => a.creditBalance));
  return {
    asOf: asOf ?? null,
    accounts,
    totalDebits: formatMoney(totalDebits),
    totalCredits: formatMoney(totalCredits),
    balanced: totalDebits.equals(totalCredits),
  };
}
