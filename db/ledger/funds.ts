import { accountCode } from './accounts';
import { getEntry, normaliseEntry, postEntry, type Db, type PostedEntry } from './entries';
import { FundNotFoundError, LedgerError, LedgerValidationError, toLedgerError } from './errors';
import type { MoneyLike } from '../../domain/money';
import type { Programme } from '../../domain/programmes';

/**
 * The special funds: one per finance bureau, programme and year (docs/programmes.md). Its budget
 * lives in three accounts — `budget` (allocated), `available` and `reserved` — and what has left it
 * is either `lapsed` (given back to the treasury when its year ended: entries of kind fund.lapse)
 * or `paid` (budget − available − reserved − lapsed). `available` and `reserved` may never go
 * negative: the database refuses the posting (InsufficientBudgetError), under row locks, however
 * many run at once.
 */

export type { Programme } from '../../domain/programmes';

export interface Fund {
  id: string;
  programme: Programme;
  year: number;
  financeBureauOrgId: string;
  name: string;
  createdAt: string;
}

export interface FundStatus {
  id: string;
  year: number;
  budget: string;
  reserved: string;
  paid: string;
  available: string;
  lapsed: string;
}

interface FundRow {
  id: string;
  programme: Programme;
  year: number;
  finance_bureau_org_id: string;
  name: string;
  created_at: Date;
}

const toFund = (r: FundRow): Fund => ({
  id: r.id,
  programme: r.programme,
  year: r.year,
  financeBureauOrgId: r.finance_bureau_org_id,
  name: r.name,
  createdAt: r.created_at.toISOString(),
});

/** A second fund for the same bureau, programme and year: the database's unique key refused it. */
export class DuplicateFundError extends LedgerError {
  constructor(readonly programme: string, readonly year: number) {
    super('DUPLICATE_FUND', `the bureau already has a ${programme} fund for ${year}`, [{ path: 'year', message: `a ${programme} fund for ${year} exists` }]);
  }
}

/**
 * Inserts a fund's row (the repository of usecases/funds.ts `createFund`, which checks who asks and
 * writes the audit row in the same transaction). Refuses a second one for the same bureau,
 * programme and year (DuplicateFundError, from the database's unique key).
 */
export async function insertFund(db: Db, input: { programme: Programme; year: number; financeBureauOrgId: string; name: string }): Promise<Fund> {
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2200) {
    throw new LedgerValidationError('year must be between 2000 and 2200', [{ path: 'year', message: 'must be between 2000 and 2200' }]);
  }
  try {
    const [row] = await db('funds')
      .insert({ programme: input.programme, year: input.year, finance_bureau_org_id: input.financeBureauOrgId, name: input.name })
      .returning('*');
    return toFund(row);
  } catch (e) {
    const err = e as { code?: string; constraint?: string };
    if (err.code === '23505' && err.constraint === 'funds_bureau_programme_year_key') throw new DuplicateFundError(input.programme, input.year);
    throw e;
  }
}

export async function getFund(db: Db, fundId: string): Promise<Fund | undefined> {
  if (!UUID.test(fundId)) return undefined;
  const row: FundRow | undefined = await db('funds').where({ id: fundId }).first();
  return row ? toFund(row) : undefined;
}

/** The bureau's fund of a programme for a year (the interest subsidy's unless named). */
export async function findFund(db: Db, financeBureauOrgId: string, year: number, programme: Programme = 'interest_subsidy'): Promise<Fund | undefined> {
  const row: FundRow | undefined = await db('funds').where({ finance_bureau_org_id: financeBureauOrgId, year, programme }).first();
  return row ? toFund(row) : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `{id, year, budget, reserved, paid, available, lapsed}`, money as strings (SQL function ledger_fund_status). */
export async function getFundStatus(db: Db, fundId: string): Promise<FundStatus> {
  if (!UUID.test(fundId)) throw new FundNotFoundError(fundId);
  const { rows } = await db.raw('select id, year, budget, reserved, paid, available, lapsed from ledger_fund_status(?::uuid)', [fundId]);
  const r = rows[0];
  if (!r) throw new FundNotFoundError(fundId);
  return { id: r.id, year: r.year, budget: r.budget, reserved: r.reserved, paid: r.paid, available: r.available, lapsed: r.lapsed };
}

export interface FundPostingInput {
  fundId: string;
  amount: MoneyLike;
  postedOn: string;
  idempotencyKey: string;
  description?: string;
  metadata?: Record<string, unknown>;
}

type FundAccount = Parameters<typeof accountCode.fund>[1];

/** A two-line entry: Dr `debit` / Cr `credit` for the amount, keyed; the caller's description, else the entry's. */
function transfer(
  db: Db,
  i: { idempotencyKey: string; postedOn: string; amount: MoneyLike; description?: string; metadata?: Record<string, unknown> },
  entry: { kind: string; description: string; metadata: Record<string, unknown>; debit: string; credit: string },
): Promise<PostedEntry> {
  return postEntry(db, {
    idempotencyKey: i.idempotencyKey,
    postedOn: i.postedOn,
    kind: entry.kind,
    description: i.description ?? entry.description,
    metadata: { ...entry.metadata, ...i.metadata },
    lines: [
      { account: entry.debit, side: 'debit', amount: i.amount },
      { account: entry.credit, side: 'credit', amount: i.amount },
    ],
  });
}

/** A move between two of a fund's own accounts: Dr `debit` / Cr `credit`. */
function fundMove(db: Db, i: FundPostingInput, kind: string, description: string, debit: FundAccount, credit: FundAccount): Promise<PostedEntry> {
  const fund = (a: FundAccount) => accountCode.fund(i.fundId, a);
  return transfer(db, i, { kind, description, metadata: { fundId: i.fundId }, debit: fund(debit), credit: fund(credit) });
}

/**
 * Budget allocation: Dr available / Cr budget, by the database's `fund_allocate`, which only the
 * schema's owner may run (the demo seed, tests, benches): the application's role is refused
 * (42501). The application allocates only by an approved top-up (`fund_top_up_approve`, called by
 * usecases/funds.ts), and its posting function refuses any line on a fund's budget
 * (docs/security.md, "Maker–checker").
 */
export async function allocateBudget(db: Db, i: FundPostingInput): Promise<PostedEntry> {
  const n = normaliseEntry({
    idempotencyKey: i.idempotencyKey,
    postedOn: i.postedOn,
    kind: 'fund.allocation',
    description: i.description ?? 'Budget allocation',
    metadata: { fundId: i.fundId, ...i.metadata },
    lines: [
      { account: accountCode.fund(i.fundId, 'available'), side: 'debit', amount: i.amount },
      { account: accountCode.fund(i.fundId, 'budget'), side: 'credit', amount: i.amount },
    ],
  });
  let row: { posted_id: number; was_replayed: boolean };
  try {
    const { rows } = await db.raw('select posted_id, was_replayed from fund_allocate(?::uuid, ?::numeric, ?::date, ?, ?, ?::jsonb)', [
      i.fundId, n.lines[0]!.amount, n.postedOn, n.idempotencyKey, n.description, n.metadataJson,
    ]);
    row = rows[0];
  } catch (e) {
    throw toLedgerError(e);
  }
  return { ...(await getEntry(db, Number(row.posted_id))), replayed: row.was_replayed };
}

/** A claim approved: the amount is held out of the available budget (Dr reserved / Cr available). */
export function reserveBudget(db: Db, i: FundPostingInput): Promise<PostedEntry> {
  return fundMove(db, i, 'fund.reservation', 'Budget reserved for an approved claim', 'reserved', 'available');
}

/** A reservation no longer needed goes back to available (Dr available / Cr reserved). */
export function releaseReservation(db: Db, i: FundPostingInput): Promise<PostedEntry> {
  return fundMove(db, i, 'fund.release', 'Reservation released', 'available', 'reserved');
}

export interface PayoutInput extends FundPostingInput {
  bankOrgId: string;
  /** true (default): pay what was reserved; false: pay straight from the available budget. */
  fromReservation?: boolean;
}

/** Subsidy paid to a bank: Dr bank:B:subsidy_payable / Cr fund:F:reserved (or :available). */
export function payOut(db: Db, i: PayoutInput): Promise<PostedEntry> {
  const from = i.fromReservation === false ? 'available' : 'reserved';
  return transfer(db, i, {
    kind: 'fund.payout',
    description: 'Interest subsidy paid to bank',
    metadata: { fundId: i.fundId, bankOrgId: i.bankOrgId },
    debit: accountCode.bank(i.bankOrgId, 'subsidy_payable'),
    credit: accountCode.fund(i.fundId, from),
  });
}

/** Subsidy earned by an on-time period: Dr program:subsidy_expense / Cr bank:B:subsidy_payable. */
export function accrueSubsidy(
  db: Db,
  i: { bankOrgId: string; amount: MoneyLike; postedOn: string; idempotencyKey: string; description?: string; metadata?: Record<string, unknown> },
): Promise<PostedEntry> {
  return transfer(db, i, {
    kind: 'subsidy.accrual',
    description: 'Interest subsidy earned',
    metadata: { bankOrgId: i.bankOrgId },
    debit: accountCode.subsidyExpense(),
    credit: accountCode.bank(i.bankOrgId, 'subsidy_payable'),
  });
}

/** The key of a fund's lapse: one per fund, so a retry posts it once. */
export const lapseLedgerKey = (fundId: string) => `fund-lapse:${fundId}`;

/**
 * A fund's year has ended: what is still available goes back to the bureau's treasury
 * (Dr treasury:T:cash / Cr fund:F:available), keyed on the fund, so it lapses once.
 */
export function lapseFund(db: Db, i: { fundId: string; financeBureauOrgId: string; amount: MoneyLike; postedOn: string; metadata?: Record<string, unknown> }): Promise<PostedEntry> {
  return transfer(db, { ...i, idempotencyKey: lapseLedgerKey(i.fundId) }, {
    kind: 'fund.lapse',
    description: 'Unspent budget lapsed at the end of the fund\'s year',
    metadata: { fundId: i.fundId },
    debit: accountCode.treasury(i.financeBureauOrgId, 'cash'),
    credit: accountCode.fund(i.fundId, 'available'),
  });
}

/**
 * A programme's payment out of its fund to someone outside the programme (a training institution,
 * an incubator's operator or enterprise): Dr program:<expense> / Cr fund:F:reserved, after the
 * amount was reserved (reserveBudget) in the same savepoint.
 */
export function payProgrammeExpense(
  db: Db,
  i: FundPostingInput & { expense: 'training_subsidy_expense' | 'incubator_reward_expense'; kind: string },
): Promise<PostedEntry> {
  return transfer(db, i, {
    kind: i.kind,
    description: 'Programme payment',
    metadata: { fundId: i.fundId },
    debit: accountCode.program(i.expense),
    credit: accountCode.fund(i.fundId, 'reserved'),
  });
}
