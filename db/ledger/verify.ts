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

interface SealRow {
  id: number;
  first_seq: number;
  last_seq: number;
  entries: number;
  prev_hash: string;
  head_hash: string;
}

interface ChainRow {
  seq: number;
  entry_id: number;
  seal_id: number;
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

  // 1. Walk the chain, seal by seal in sequence: each entry's hash over the hash before it and
  // its canonical content, as rebuilt here.
  const seals = (await trx.raw('select id, first_seq, last_seq, entries, prev_hash, head_hash from ledger_seals order by first_seq, id')).rows as SealRow[];
  let prev = GENESIS;
  let expectFirst = 1;
  let sealed = 0;
  for (let i = 0; i < seals.length; ) {
    // A page of whole seals, about PAGE entries (a seal bigger than that is a page of its own).
    const page: SealRow[] = [];
    for (let count = 0; i < seals.length && (page.length === 0 || count + seals[i]!.entries <= PAGE); i++) {
      page.push(seals[i]!);
      count += seals[i]!.entries;
    }
    const { rows } = (await trx.raw(
      `select s.id as seal_id, s.first_seq + t.ord - 1 as seq, t.entry_id, t.hash,
              e.id as e_id, e.idempotency_key, to_char(e.posted_on, 'YYYY-MM-DD') as posted_on, e.kind, e.description,
              e.reverses_entry_id::text as reverses, e.metadata::text as metadata,
              to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at
         from ledger_seals s
        cross join lateral unnest(s.entry_ids, s.hashes) with ordinality as t(entry_id, hash, ord)
         left join lateral (select e.* from ledger_entries e where e.id = t.entry_id offset 0) e on true
        where s.id = any(?::bigint[])
        order by s.first_seq, s.id, t.ord`,
      [page.map((x) => x.id)],
    )) as { rows: ChainRow[] };
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
    const rowsOf = new Map<number, ChainRow[]>();
    for (const r of rows) {
      let list = rowsOf.get(r.seal_id);
      if (!list) rowsOf.set(r.seal_id, (list = []));
      list.push(r);
    }
    for (const seal of page) {
      if (seal.first_seq !== expectFirst) {
        chainIntact = false;
        problem(`chain: seal ${seal.id} starts at seq ${seal.first_seq}, but the chain before it ends at ${expectFirst - 1} (a sealed link is missing)`);
      }
      if (seal.prev_hash !== prev) {
        chainIntact = false;
        problem(`chain: seal ${seal.id} (seq ${seal.first_seq}..${seal.last_seq}) does not link to the hash before it`);
      }
      const sealRows = rowsOf.get(seal.id) ?? [];
      let link = seal.prev_hash;
      for (const r of sealRows) {
        sealed += 1;
        if (r.e_id === null) {
          chainIntact = false;
          balanced = false;
          problem(`entry ${r.entry_id} (seq ${r.seq}) was sealed but is gone`, r.entry_id);
        } else {
          const lines = linesOf.get(r.entry_id) ?? [];
          const hash = createHash('sha256').update(link + canonicalEntry(r, lines), 'utf8').digest('hex');
          if (hash !== r.hash) {
            chainIntact = false;
            problem(`entry ${r.entry_id} (seq ${r.seq}) differs from what was sealed: its hash no longer matches`, r.entry_id);
          }
          if (!entryBalances(lines)) {
            balanced = false;
            problem(`entry ${r.entry_id} does not balance or has fewer than 2 lines`, r.entry_id);
          }
        }
        link = r.hash;
      }
      if (sealRows.length !== seal.entries || link !== seal.head_hash) {
        chainIntact = false;
        problem(`seal ${seal.id} (seq ${seal.first_seq}..${seal.last_seq}) does not match the chain it holds`);
      }
      prev = link;
      expectFirst = seal.last_seq + 1;
    }
  }

  // 2. Entries chained twice (the seals' trigger refuses that; a rewrite behind its back would
  // not be), and entries not sealed yet, which are checked for balance only.
  const {
    rows: [rest],
  } = (await trx.raw(
    `with sealed as materialized (select unnest(entry_ids) as id from ledger_seals),
          unsealed as materialized (select e.id from ledger_entries e where not exists (select 1 from sealed s where s.id = e.id))
     select (select count(*) from unsealed)::bigint as unsealed,
            array(select x.id from sealed x group by x.id having count(*) > 1 order by x.id limit ${MAX_LISTED}) as twice,
            array(select u.id from unsealed u
                    left join ledger_lines l on l.entry_id = u.id
                    left join ledger_accounts a on a.id = l.account_id
                   group by u.id
                  having count(l.entry_id) < 2
                      or coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type is distinct from 'memo'), 0) <> 0
                      or coalesce(sum(case when l.side = 'debit' then l.amount else -l.amount end) filter (where a.type = 'memo'), 0) <> 0
                   order by u.id limit ${MAX_LISTED}) as unbalanced`,
  )) as { rows: Array<{ unsealed: number; twice: string[]; unbalanced: string[] }> };
  for (const id of rest!.twice.map(Number)) {
    chainIntact = false;
    problem(`entry ${id} is sealed more than once`, id);
  }
  const unsealed = Number(rest!.unsealed);
  for (const id of rest!.unbalanced.map(Number)) {
    balanced = false;
    problem(`entry ${id} (not sealed yet) does not balance or has fewer than 2 lines`, id);
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
