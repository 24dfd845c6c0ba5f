/**
 * Typed refusals of the ledger. The database raises them with SQLSTATE LFxxx and a JSON detail
 * (see the ledger migration); toLedgerError turns a driver error into one of these classes.
 */
import { CodedError, type ErrorDetail } from '../../domain/errors';

export type LedgerErrorDetail = ErrorDetail;

/** Its code is the ledger's own (UNBALANCED_ENTRY, PERIOD_CLOSED, …), which api/errors.ts maps. */
export class LedgerError extends CodedError {}

/** Input that can never be posted (bad amount, unknown side, fewer than two lines...). */
export class LedgerValidationError extends LedgerError {
  constructor(message: string, details: LedgerErrorDetail[] = []) {
    super('LEDGER_VALIDATION', message, details);
  }
}

/** Debits and credits differ (or fewer than two lines) — refused before or at commit. */
export class UnbalancedEntryError extends LedgerError {
  constructor(message: string) {
    super('UNBALANCED_ENTRY', message);
  }
}

/** The idempotency key was used before for an entry with other content. */
export class IdempotencyConflictError extends LedgerError {
  constructor(
    readonly idempotencyKey: string,
    readonly entryId: number,
    readonly differences: string[],
  ) {
    super(
      'IDEMPOTENCY_CONFLICT',
      `idempotency key ${JSON.stringify(idempotencyKey)} already posted entry ${entryId} with other content (${differences.join(', ')})`,
      differences.map((d) => ({ path: d, message: 'differs from the entry first posted with this key' })),
    );
  }
}

/** The posting date falls in a closed quarter. */
export class PeriodClosedError extends LedgerError {
  constructor(
    readonly quarter: string,
    message = `period ${quarter} is closed`,
  ) {
    super('PERIOD_CLOSED', message);
  }
}

/** An account that may not go negative would. */
export class InsufficientBalanceError extends LedgerError {
  constructor(
    readonly account: string,
    readonly balance: string,
    readonly required: string,
    message = `insufficient balance on ${account}: balance ${balance}, this posting takes ${required}`,
    code = 'INSUFFICIENT_BALANCE',
  ) {
    super(code, message);
  }
}

/** The special fund's available (or reserved) budget would be overspent. */
export class InsufficientBudgetError extends InsufficientBalanceError {
  constructor(
    account: string,
    balance: string,
    required: string,
    readonly fundId: string,
  ) {
    const what = account.endsWith(':reserved') ? 'reserved budget' : 'available budget';
    super(account, balance, required, `insufficient budget in fund ${fundId}: ${what} ${balance}, needs ${required}`, 'INSUFFICIENT_BUDGET');
  }
}

export class UnknownAccountError extends LedgerError {
  constructor(
    readonly account: string | undefined,
    message: string,
  ) {
    super('UNKNOWN_ACCOUNT', message);
  }
}

export class EntryNotFoundError extends LedgerError {
  constructor(readonly entryId: number) {
    super('ENTRY_NOT_FOUND', `ledger entry ${entryId} not found`);
  }
}

export class FundNotFoundError extends LedgerError {
  constructor(readonly fundId: string) {
    super('FUND_NOT_FOUND', `fund ${fundId} not found`);
  }
}

/** The entry was reversed already, or the reversal does not mirror it. */
export class ReversalError extends LedgerError {
  constructor(
    readonly entryId: number | undefined,
    message: string,
  ) {
    super('REVERSAL_REFUSED', message);
  }
}

/**
 * A posting that would put money into a special fund other than by an approved top-up (a line on
 * its budget, or more into its available and reserved accounts than out, outside a reversal).
 */
export class FundMoneyRefusedError extends LedgerError {
  constructor(
    readonly account: string | undefined,
    message: string,
  ) {
    super('FUND_MONEY_REFUSED', message);
  }
}

/**
 * A posting that would take money out of a special fund other than as docs/ledger.md maps it: a
 * kind that is no fund outflow, or a payout with no approved, unpaid claim of its amount behind it,
 * or a second one of a claim while the first stands.
 */
export class FundOutflowRefusedError extends LedgerError {
  constructor(
    readonly account: string | undefined,
    message: string,
  ) {
    super('FUND_OUTFLOW_REFUSED', message);
  }
}

/**
 * A posting inside a REPEATABLE READ or SERIALIZABLE transaction: its snapshot could predate a
 * quarter's close, so the ledger is written only in READ COMMITTED (docs/ledger.md).
 */
export class PostingIsolationError extends LedgerError {
  constructor(message: string) {
    super('POSTING_ISOLATION', message);
  }
}

/** UPDATE / DELETE / TRUNCATE on an append-only ledger table. */
export class AppendOnlyError extends LedgerError {
  constructor(message: string) {
    super('APPEND_ONLY', message);
  }
}

interface PgErrorLike {
  code?: string;
  detail?: string;
  constraint?: string;
  message?: string;
}

function parseDetail(e: PgErrorLike): Record<string, unknown> {
  try {
    const d = JSON.parse(e.detail ?? '{}');
    return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Maps a database error raised by the ledger's rules to its typed error; anything else is returned as is. */
export function toLedgerError(err: unknown): unknown {
  if (err instanceof LedgerError || !err || typeof err !== 'object') return err;
  const e = err as PgErrorLike;
  const d = parseDetail(e);
  const message = str(d.message) ?? e.message ?? 'ledger error';
  switch (e.code) {
    case 'LF002':
      return new PeriodClosedError(str(d.quarter) ?? '?', message);
    case 'LF003':
      return new UnbalancedEntryError(message);
    case 'LF004':
      return new ReversalError(typeof d.reversesEntryId === 'number' ? d.reversesEntryId : undefined, message);
    case 'LF005':
      return new UnknownAccountError(str(d.account), message);
    case 'LF006':
      return new AppendOnlyError(message);
    case 'LF007':
      return new IdempotencyConflictError(str(d.idempotencyKey) ?? '?', typeof d.entryId === 'number' ? d.entryId : Number(d.entryId), Array.isArray(d.differences) ? d.differences.map(String) : []);
    case 'LF010': {
      const account = str(d.account) ?? '?';
      const balance = str(d.balance) ?? '?';
      const required = str(d.required) ?? '?';
      const fund = /^fund:([0-9a-f-]{36}):/.exec(account);
      return fund ? new InsufficientBudgetError(account, balance, required, fund[1]!) : new InsufficientBalanceError(account, balance, required);
    }
    case 'LF011':
      return new FundMoneyRefusedError(str(d.account), message);
    case 'LF013':
      return new FundOutflowRefusedError(str(d.account), message);
    case 'LF012':
      return new PostingIsolationError(message);
    case '23505':
      if (e.constraint === 'ledger_entries_reverses_once') return new ReversalError(undefined, 'this entry has been reversed already (an entry is reversed at most once)');
      return err;
    case '23514':
      if (e.constraint === 'ledger_balances_non_negative') return new InsufficientBalanceError('?', '?', '?', 'an account that may not go negative would');
      return err;
    default:
      return err;
  }
}
