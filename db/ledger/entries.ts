import type { Knex } from 'knex';
import { ACCOUNT_CODE, type Side } from './accounts';
import { EntryNotFoundError, LedgerValidationError, ReversalError, UnbalancedEntryError, toLedgerError, type LedgerErrorDetail } from './errors';
import { formatMoney, isCanonicalMoney, MAX_INTEGER_DIGITS, sumMoney, toMoney, type MoneyLike } from '../../domain/money';
import { isIsoDate } from '../../domain/dates';

/** Anything that runs queries: the pool, or the caller's transaction (postings join it). */
export type Db = Knex | Knex.Transaction;

export interface LineInput {
  /** Account code, e.g. `fund:<fundId>:available`; the account is created on first use. */
  account: string;
  side: Side;
  /** Decimal string ("80000.00") or Decimal; > 0, at most 2 decimals. Never a number. */
  amount: MoneyLike;
}

export interface PostEntryInput {
  /** Unique per entry: the same key with the same content returns the first entry. */
  idempotencyKey: string;
  /** Business date, YYYY-MM-DD; its quarter must be open. */
  postedOn: string;
  /** What happened, e.g. `fund.payout`; lower case, dots and underscores. */
  kind: string;
  description?: string;
  lines: LineInput[];
  metadata?: Record<string, unknown>;
  /** Set by reverseEntry. */
  reversesEntryId?: number | null;
}

export interface LedgerLine {
  lineNo: number;
  account: string;
  side: Side;
  amount: string;
}

export interface LedgerEntry {
  id: number;
  idempotencyKey: string;
  postedOn: string;
  kind: string;
  description: string;
  metadata: Record<string, unknown>;
  reversesEntryId: number | null;
  /** When it was written (ISO timestamp), as opposed to postedOn, the business date. */
  createdAt: string;
  lines: LedgerLine[];
}

export interface PostedEntry extends LedgerEntry {
  /** true when the key had been posted before and this is that first entry. */
  replayed: boolean;
}

const KIND = /^[a-z][a-z0-9_.]{0,63}$/;

interface NormalisedEntry {
  idempotencyKey: string;
  postedOn: string;
  kind: string;
  description: string;
  metadata: Record<string, unknown>;
  /** The metadata as sent to the database (stringified once). */
  metadataJson: string;
  reversesEntryId: number | null;
  lines: Array<{ account: string; side: Side; amount: string }>;
}

function normaliseAmount(x: unknown): string {
  if (isCanonicalMoney(x)) {
    if (x === '0.00') throw new TypeError('must be greater than 0.00');
    return x;
  }
  if (typeof x === 'number') throw new TypeError('amounts are decimal strings, never numbers');
  const m = toMoney(x as MoneyLike);
  const s = formatMoney(m); // refuses more than 2 decimals rather than rounding
  if (!m.greaterThan(0)) throw new TypeError('must be greater than 0.00');
  if (s.split('.')[0]!.replace('-', '').length > MAX_INTEGER_DIGITS) throw new TypeError(`at most ${MAX_INTEGER_DIGITS} digits before the decimal point`);
  return s;
}

/** Debits = credits; the common entry of one debit and one credit line compares canonical strings. */
function balances(lines: NormalisedEntry['lines']): { debits: string; credits: string; balanced: boolean } {
  if (lines.length === 2 && lines[0]!.side !== lines[1]!.side) {
    const [debits, credits] = lines[0]!.side === 'debit' ? [lines[0]!.amount, lines[1]!.amount] : [lines[1]!.amount, lines[0]!.amount];
    return { debits, credits, balanced: debits === credits };
  }
  const debits = sumMoney(lines.filter((l) => l.side === 'debit').map((l) => l.amount));
  const credits = sumMoney(lines.filter((l) => l.side === 'credit').map((l) => l.amount));
  return { debits: formatMoney(debits), credits: formatMoney(credits), balanced: debits.equals(credits) };
}

/** Checks and canonicalises an entry before it reaches the database (which checks again). */
export function normaliseEntry(input: PostEntryInput): NormalisedEntry {
  const details: LedgerErrorDetail[] = [];
  const fail = (path: string, message: string) => details.push({ path, message });
  if (typeof input.idempotencyKey !== 'string' || input.idempotencyKey.length < 1 || input.idempotencyKey.length > 255) {
    fail('idempotencyKey', 'must be a string of 1 to 255 characters');
  }
  if (!isIsoDate(input.postedOn)) fail('postedOn', 'must be a date YYYY-MM-DD');
  if (typeof input.kind !== 'string' || !KIND.test(input.kind)) fail('kind', 'must match ^[a-z][a-z0-9_.]{0,63}$');
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 1000) fail('description', 'must be a string of at most 1000 characters');
  const metadata = input.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) fail('metadata', 'must be an object');
  const reverses = input.reversesEntryId ?? null;
  if (reverses !== null && !(Number.isSafeInteger(reverses) && reverses > 0)) fail('reversesEntryId', 'must be an entry id');
  const lines: NormalisedEntry['lines'] = [];
  if (!Array.isArray(input.lines) || input.lines.length < 2) fail('lines', 'an entry needs at least 2 lines');
  (Array.isArray(input.lines) ? input.lines : []).forEach((l, i) => {
    const account = typeof l?.account === 'string' ? l.account.toLowerCase() : '';
    if (!ACCOUNT_CODE.test(account) || account.length > 200) fail(`lines.${i}.account`, 'must be an account code like fund:<id>:available');
    if (l?.side !== 'debit' && l?.side !== 'credit') fail(`lines.${i}.side`, 'must be debit or credit');
    let amount = '';
    try {
      amount = normaliseAmount(l?.amount);
    } catch (e) {
      fail(`lines.${i}.amount`, e instanceof Error ? e.message : String(e));
    }
    lines.push({ account, side: l?.side, amount });
  });
  if (details.length) throw new LedgerValidationError(`invalid ledger entry: ${details[0]!.path} ${details[0]!.message}`, details);
  const b = balances(lines);
  if (!b.balanced) throw new UnbalancedEntryError(`entry does not balance: debits ${b.debits} ≠ credits ${b.credits}`);
  // Metadata is stored as JSON: sent as this text, returned as the database will give it back.
  const metadataJson = JSON.stringify(metadata);
  const meta = JSON.parse(metadataJson) as Record<string, unknown>;
  return { idempotencyKey: input.idempotencyKey, postedOn: input.postedOn, kind: input.kind, description, metadata: meta, metadataJson, reversesEntryId: reverses, lines };
}

const toIso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

interface BatchRow {
  ord: number;
  posted_id: number;
  was_replayed: boolean;
  posted_at: Date;
}

/** One call of the database function `ledger_post_batch`: one round trip, whatever the number of entries. */
async function postBatch(db: Db, entries: NormalisedEntry[]): Promise<BatchRow[]> {
  const lineEntry: number[] = [];
  const lineNo: number[] = [];
  const accounts: string[] = [];
  const sides: string[] = [];
  const amounts: string[] = [];
  entries.forEach((e, i) => {
    for (const [k, l] of e.lines.entries()) {
      lineEntry.push(i + 1);
      lineNo.push(k + 1);
      accounts.push(l.account);
      sides.push(l.side);
      amounts.push(l.amount);
    }
  });
  try {
    const r = await db.raw(
      `select ord, posted_id, was_replayed, posted_at
         from ledger_post_batch(?::text[], ?::date[], ?::text[], ?::text[], ?::jsonb[], ?::bigint[], ?::integer[], ?::integer[], ?::text[], ?::text[], ?::numeric[])`,
      [
        entries.map((e) => e.idempotencyKey),
        entries.map((e) => e.postedOn),
        entries.map((e) => e.kind),
        entries.map((e) => e.description),
        entries.map((e) => e.metadataJson),
        entries.map((e) => e.reversesEntryId) as unknown as string[],
        lineEntry,
        lineNo,
        accounts,
        sides,
        amounts,
      ],
    );
    return (r.rows as BatchRow[]).sort((a, b) => a.ord - b.ord);
  } catch (e) {
    throw toLedgerError(e);
  }
}

/** Results in input order; a replay returns the entry first posted with its key (whose content the database compared). */
async function resolveReplays(db: Db, entries: NormalisedEntry[], rows: BatchRow[]): Promise<PostedEntry[]> {
  const replayedIds = rows.filter((r) => r.was_replayed).map((r) => r.posted_id);
  const originals = new Map((await loadEntries(db, [...new Set(replayedIds)])).map((e) => [e.id, e]));
  return rows.map((row, i) => {
    const n = entries[i]!;
    if (!row.was_replayed) {
      return {
        id: row.posted_id,
        idempotencyKey: n.idempotencyKey,
        postedOn: n.postedOn,
        kind: n.kind,
        description: n.description,
        metadata: n.metadata,
        reversesEntryId: n.reversesEntryId,
        createdAt: toIso(row.posted_at),
        lines: n.lines.map((l, k) => ({ lineNo: k + 1, ...l })),
        replayed: false,
      };
    }
    const original = originals.get(row.posted_id);
    if (!original) throw new EntryNotFoundError(row.posted_id);
    return { ...original, replayed: true };
  });
}

/**
 * Posts one balanced entry in ONE round trip (the database function `ledger_post_batch`), inside
 * the caller's transaction when given one: the read model, the audit row and the entry commit
 * together.
 *
 * - same idempotency key + same content → the first entry (`replayed: true`), nothing written;
 * - same key + other content → IdempotencyConflictError (the database compares, naming what differs);
 * - refusals are typed: UnbalancedEntryError, PeriodClosedError, InsufficientBalanceError /
 *   InsufficientBudgetError, UnknownAccountError, LedgerValidationError, ReversalError.
 *
 * A refusal raised by the database aborts the caller's transaction, as any SQL error does; to carry
 * on after one, post inside a savepoint (`trx.transaction(sp => postEntry(sp, ...))`).
 */
export async function postEntry(db: Db, input: PostEntryInput): Promise<PostedEntry> {
  const n = normaliseEntry(input);
  const rows = await postBatch(db, [n]);
  return (await resolveReplays(db, [n], rows))[0]!;
}

/**
 * Posts many entries in one round trip, as one statement: all or none, inside the caller's
 * transaction when given one. Same rules as postEntry, per entry; a key repeated within the batch
 * is posted once and its later occurrences are replays (with the same content, or the whole batch
 * is refused). The balance rules (non-negative accounts) apply to the batch's total effect.
 * Results come back in input order.
 */
export async function postEntries(db: Db, inputs: PostEntryInput[]): Promise<PostedEntry[]> {
  if (inputs.length === 0) return [];
  const entries = inputs.map((input, i) => {
    try {
      return normaliseEntry(input);
    } catch (e) {
      if (e instanceof LedgerValidationError) {
        const details = e.details.map((d) => ({ path: `entries.${i}.${d.path}`, message: d.message }));
        throw new LedgerValidationError(`entries.${i}: ${e.message}`, details);
      }
      if (e instanceof UnbalancedEntryError) throw new UnbalancedEntryError(`entries.${i}: ${e.message}`);
      throw e;
    }
  });
  return resolveReplays(db, entries, await postBatch(db, entries));
}

export interface ReverseEntryInput {
  entryId: number;
  idempotencyKey: string;
  /** The correction's own date: an open period (the original's may be closed). */
  postedOn: string;
  description?: string;
  metadata?: Record<string, unknown>;
}

/**
 * A correction: a new entry with every line of the original on the other side, linked by
 * `reversesEntryId`. An entry is reversed at most once (ReversalError otherwise).
 */
export async function reverseEntry(db: Db, input: ReverseEntryInput): Promise<PostedEntry> {
  const original = await getEntry(db, input.entryId);
  const posting = postEntry(db, {
    idempotencyKey: input.idempotencyKey,
    postedOn: input.postedOn,
    kind: 'reversal',
    description: input.description ?? `Reversal of entry ${original.id}${original.description ? `: ${original.description}` : ''}`.slice(0, 1000),
    metadata: input.metadata ?? {},
    reversesEntryId: original.id,
    lines: original.lines.map((l) => ({ account: l.account, side: l.side === 'debit' ? 'credit' : 'debit', amount: l.amount })),
  });
  return posting.catch((e: unknown) => {
    if (e instanceof ReversalError && e.entryId === undefined) {
      throw new ReversalError(original.id, `entry ${original.id} has been reversed already (an entry is reversed at most once)`);
    }
    throw e;
  });
}

interface EntryRow {
  id: number;
  idempotency_key: string;
  posted_on: string;
  kind: string;
  description: string;
  metadata: Record<string, unknown>;
  reverses_entry_id: number | null;
  created_at: Date;
}

/** Entries with their lines, in the order of `ids`. */
export async function loadEntries(db: Db, ids: number[]): Promise<LedgerEntry[]> {
  if (ids.length === 0) return [];
  const rows: EntryRow[] = await db('ledger_entries').whereIn('id', ids).select('id', 'idempotency_key', 'posted_on', 'kind', 'description', 'metadata', 'reverses_entry_id', 'created_at');
  const lines: Array<{ entry_id: number; line_no: number; code: string; side: Side; amount: string }> = await db('ledger_lines as l')
    .join('ledger_accounts as a', 'a.id', 'l.account_id')
    .whereIn('l.entry_id', ids)
    .orderBy([{ column: 'l.entry_id' }, { column: 'l.line_no' }])
    .select('l.entry_id', 'l.line_no', 'a.code', 'l.side', 'l.amount');
  const byEntry = new Map<number, LedgerLine[]>();
  for (const l of lines) {
    let list = byEntry.get(l.entry_id);
    if (!list) byEntry.set(l.entry_id, (list = []));
    list.push({ lineNo: l.line_no, account: l.code, side: l.side, amount: l.amount });
  }
  const byId = new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        idempotencyKey: r.idempotency_key,
        postedOn: r.posted_on,
        kind: r.kind,
        description: r.description,
        metadata: r.metadata,
        reversesEntryId: r.reverses_entry_id,
        createdAt: toIso(r.created_at),
        lines: byEntry.get(r.id) ?? [],
      } satisfies LedgerEntry,
    ]),
  );
  return ids.map((id) => byId.get(id)).filter((e): e is LedgerEntry => e !== undefined);
}

export async function getEntry(db: Db, id: number): Promise<LedgerEntry> {
  const [entry] = await loadEntries(db, [id]);
  if (!entry) throw new EntryNotFoundError(id);
  return entry;
}

export async function findEntryByKey(db: Db, idempotencyKey: string): Promise<LedgerEntry | undefined> {
  const row = await db('ledger_entries').where({ idempotency_key: idempotencyKey }).first('id');
  return row ? getEntry(db, row.id) : undefined;
}

/** The entry that reversed this one, if any. */
export async function findReversal(db: Db, entryId: number): Promise<LedgerEntry | undefined> {
  const row = await db('ledger_entries').where({ reverses_entry_id: entryId }).first('id');
  return row ? getEntry(db, row.id) : undefined;
}
