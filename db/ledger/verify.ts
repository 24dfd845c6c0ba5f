import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { sumMoney } from '../../domain/money';

/**
 * Recomputes the ledger's evidence from the rows themselves. The canonical form is rebuilt here in
 * TypeScript, independently of the SQL that sealed it (`ledger_entry_canonical`), so a bug or a
 * change in either shows up as a broken chain rather than passing silently.
 */

export interface VerifyReport {
  /** balanced && chainIntact && balancesMatch. */
  ok: boolean;
  /** Entries in the ledger. */
  entries: number;
  /** Entries in the hash chain; the rest wait for the next seal. */
  sealed: number;
  unsealed: number;
  /** Every entry has ≥ 2 lines and its debits equal its credits (balance sheet and memo apart). */
  balanced: boolean;
  /** Every sealed entry hashes to what was sealed, the links and seals agree. */
  chainIntact: boolean;
  /** The kept balances equal the sums of the lines. */
  balancesMatch: boolean;
  /** The first entry (in chain order, then unsealed by id) found wrong; null when none. */
  firstBadEntry: number | null;
  badEntries: number[];
  /** The chain's last hash: compare with one recorded elsewhere to detect a rewritten chain. */
  headHash: string;
  problems: string[];
}

const GENESIS = '0'.repeat(64);
const PAGE = 2000;
const MAX_LISTED = 100;

function field(v: string | null): string {
  return v === null ? '~' : `${Buffer.byteLength(v, 'utf8')}:${v}`;
}

interface ChainRow {
  seq: number;
  entry_id: number;
  seal_id: number;
  prev_hash: string;
  hash: string;
  e_id: number | null;
  idempotency_key: string | null;
  posted_on: string | null;
  kind: string | null;
  description: string | null;
  reverses: string | null;
  metadata: string | null;
  created_at: string | null;
}

interface LineRow {
  entry_id: number;
  line_no: number;
  code: string | null;
  type: string | null;
  side: string;
  amount: string;
}

/** The same bytes as SQL `ledger_entry_canonical(id)`. */
export function canonicalEntry(e: ChainRow, lines: LineRow[]): string {
  let s =
    'E' +
    field(String(e.e_id)) +
    field(e.idempotency_key) +
    field(e.posted_on) +
    field(e.kind) +
    field(e.description) +
    field(e.reverses) +
    field(e.metadata) +
    field(e.created_at);
  for (const l of lines) {
    if (l.code === null) continue; // an inner join in SQL drops a line whose account is gone
    s += 'L' + field(String(l.line_no)) + field(l.code) + field(l.side) + field(l.amount);
  }
  return s;
}

function entryBalances(lines: LineRow[]): boolean {
  if (lines.length < 2) return false;
  const net = (memo: boolean) =>
    sumMoney(lines.filter((l) => (l.type === 'memo') === memo && l.side === 'debit').map((l) => l.amount)).minus(
      sumMoney(lines.filter((l) => (l.type === 'memo') === memo && l.side === 'credit').map((l) => l.amount)),
    );
  return net(false).isZero() && net(true).isZero();
}

export async function verifyLedger(db: Knex): Promise<VerifyReport> {
  // One snapshot for every query, so concurrent postings cannot make the report inconsistent.
  return db.transaction(async (trx) => verifyInSnapshot(trx), { isolationLevel: 'repeatable read', readOnly: true });
}

async function verifyInSnapshot(trx: Knex.Transaction): Promise<VerifyReport> {
  const problems: string[] = [];
  const bad: number[] = [];
  const problem = (msg: string, entryId?: number) => {
    if (problems.length < MAX_LISTED) problems.push(msg);
    if (entryId !== undefined && !bad.includes(entryId) && bad.length < MAX_LISTED) bad.push(entryId);
  };
  let balanced = true;
  let chainIntact = true;

  const [{ n: entries }] = (await trx.raw('select count(*)::bigint as n from ledger_entries')).rows;

  // 1. Walk the chain in sequence.
  let prev = GENESIS;
  let lastSeq = 0;
  let sealed = 0;
  const hashAt = new Map<number, { prev: string; hash: string }>();
  for (;;) {
    const { rows } = (await trx.raw(
      `select c.seq, c.entry_id, c.seal_id, c.prev_hash, c.hash,
              e.id as e_id, e.idempotency_key, to_char(e.posted_on, 'YYYY-MM-DD') as posted_on, e.kind, e.description,
              e.reverses_entry_id::text as reverses, e.metadata::text as metadata,
              to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at
         from ledger_chain c left join ledger_entries e on e.id = c.entry_id
        where c.seq > ? order by c.seq limit ?`,
      [lastSeq, PAGE],
    )) as { rows: ChainRow[] };
    if (rows.length === 0) break;
    const ids = rows.map((r) => r.entry_id);
    const { rows: lineRows } = (await trx.raw(
      `select l.entry_id, l.line_no, a.code, a.type, l.side, l.amount
         from ledger_lines l left join ledger_accounts a on a.id = l.account_id
        where l.entry_id = any(?::bigint[]) order by l.entry_id, l.line_no`,
      [ids],
    )) as { rows: LineRow[] };
    const linesOf = new Map<number, LineRow[]>();
    for (const l of lineRows) {
      let list = linesOf.get(l.entry_id);
      if (!list) linesOf.set(l.entry_id, (list = []));
      list.push(l);
    }
    for (const r of rows) {
      sealed += 1;
      if (r.seq !== lastSeq + 1) {
        chainIntact = false;
        problem(`chain: sequence jumps from ${lastSeq} to ${r.seq} (a sealed link is missing)`, r.entry_id);
      }
      if (r.prev_hash !== prev) {
        chainIntact = false;
        problem(`chain: entry ${r.entry_id} (seq ${r.seq}) does not link to the hash before it`, r.entry_id);
      }
      if (r.e_id === null) {
        chainIntact = false;
        balanced = false;
        problem(`entry ${r.entry_id} (seq ${r.seq}) was sealed but is gone`, r.entry_id);
      } else {
        const lines = linesOf.get(r.entry_id) ?? [];
        const hash = createHash('sha256').update(r.prev_hash + canonicalEntry(r, lines), 'utf8').digest('hex');
        if (hash !== r.hash) {
          chainIntact = false;
          problem(`entry ${r.entry_id} (seq ${r.seq}) differs from what was sealed: its hash no longer matches`, r.entry_id);
        }
        if (!entryBalances(lines)) {
          balanced = false;
          problem(`entry ${r.entry_id} does not balance or has fewer than 2 lines`, r.entry_id);
        }
      }
      hashAt.set(r.seq, { prev: r.prev_hash, hash: r.hash });
      prev = r.hash;
      lastSeq = r.seq;
    }
  }

  // 2. Seals agree with the chain they close.
  const seals = (await trx.raw('select id, first_seq, last_seq, entries, prev_hash, head_hash from ledger_seals order by id')).rows as Array<{
    id: number;
    first_seq: number;
    last_seq: number;
    entries: number;
    prev_hash: string;
    head_hash: string;
  }>;
  let expectFirst = 1;
  for (const s of seals) {
    const first = hashAt.get(s.first_seq);
    const last = hashAt.get(s.last_seq);
    if (s.first_seq !== expectFirst || !first || !last || first.prev !== s.prev_hash || last.hash !== s.head_hash) {
      chainIntact = false;
      problem(`seal ${s.id} (seq ${s.first_seq}..${s.last_seq}) does not match the chain`);
    }
    expectFirst = s.last_seq + 1;
  }
  if (expectFirst !== lastSeq + 1) {
    chainIntact = false;
    problem(`seals cover seq 1..${expectFirst - 1} but the chain runs to ${lastSeq}`);
  }

  // 3. Entries not sealed yet: balance only.
  const { rows: unsealedRows } = await trx.raw(
    `select count(*)::bigint as n from ledger_entries e where not exists (select 1 from ledger_chain c where c.entry_id = e.id)`,
  );
  const unsealed = Number(unsealedRows[0].n);
  const { rows: unbalanced } = await trx.raw(
    `select e.id from ledger_entries e
       left join ledger_lines l on l.entry_id = e.id
       left join ledger_accounts a on a.id = l.account_id
      where not exists (select 1 from ledger_chain c where c.entry_id = e.id)
      group by e.id
     having count(l.entry_id) < 2
         or coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type is distinct from 'memo'), 0) <> 0
         or coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type = 'memo'), 0) <> 0
      order by e.id limit ${MAX_LISTED}`,
  );
  for (const r of unbalanced as Array<{ id: number }>) {
    balanced = false;
    problem(`entry ${r.id} (not sealed yet) does not balance or has fewer than 2 lines`, r.id);
  }

  // 4. Kept balances = sums of lines.
  const { rows: drift } = await trx.raw(
    `select a.code from ledger_accounts a
       left join ledger_balances b on b.account_id = a.id
       left join (select account_id,
                         coalesce(sum(amount) filter (where side = 'debit'), 0) as d,
                         coalesce(sum(amount) filter (where side = 'credit'), 0) as c
                    from ledger_lines group by account_id) s on s.account_id = a.id
      where b.account_id is null or b.debit_total <> coalesce(s.d, 0) or b.credit_total <> coalesce(s.c, 0)
      order by a.code limit ${MAX_LISTED}`,
  );
  const balancesMatch = drift.length === 0;
  for (const r of drift as Array<{ code: string }>) problem(`balance of ${r.code} differs from the sum of its lines`);

  return {
    ok: balanced && chainIntact && balancesMatch,
    entries: Number(entries),
    sealed,
    unsealed,
    balanced,
    chainIntact,
    balancesMatch,
    firstBadEntry: bad[0] ?? null,
    badEntries: bad,
    headHash: prev,
    problems,
  };
}
