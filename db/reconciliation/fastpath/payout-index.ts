import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { RECEIPT_WINDOW_DAYS, type LineOutcome } from '../../../domain/reconciliation';
import { payoutsSql } from '../payouts';
import { DaysSince, Field, type LineBatch } from './line-batch';
import { MoneyTotal } from './money-total';

/** Hex digit values by character code; -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = HEX[65 + c] = 10 + c;
const HEX_DIGITS = '0123456789abcdef';
/** The rule's window, read once: an imported binding is a property lookup on every line. */
const WINDOW = RECEIPT_WINDOW_DAYS;
/** Where a UUID's text has its dashes; every other character is a hex digit. */
const isDash = (k: number) => k === 8 || k === 13 || k === 18 || k === 23;
/** Bytes kept per amount: NUMERIC(18,2) prints as at most 16 digits, a point and 2 decimals. */
const AMOUNT_WIDTH = 20;
const EMPTY = Buffer.alloc(0);
/** A binary COPY begins with this signature, 4 bytes of flags and the length of an extension. */
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const COPY_HEADER = 19;

/**
 * One payout's record, in bytes: all a line's match reads of it is in the same 48 bytes, so a
 * lookup waits on two cache misses (the hash slot, then the record) instead of one per field.
 */
const REC = 48;
const ID = 0; // 16 bytes: the claim id
const AMOUNT = 16; // AMOUNT_WIDTH bytes: the amount as Postgres printed it
const AMOUNT_LENGTH = 36;
const SEEN = 37; // 1 once a line named it
const DAY = 38; // int16: days after the quarter's start
const ENTRY = 40; // two uint32 (low, high): the ledger entry id, an integer below 2^53 (never money)

/**
 * The bank's payouts of the quarter, indexed by claim id, as the statement is matched against them
 * line by line while it streams: domain/reconciliation.ts `reconcile` on bytes. Its size is the
 * ledger's (payouts of one bank and quarter), never the file's; a payout's `seen` mark says a line
 * has named it, so a second line naming it is a duplicate and a payout no line named is missing in
 * the statement.
 *
 * A million payouts must not cost a million JavaScript strings and a Map of them (garbage
 * collection would dominate; docs/benchmarks.md), so the index is one byte array of fixed-size
 * records (REC) and an open-addressing hash table over them: each claim id as its 16 bytes, each
 * amount as the ASCII text PostgreSQL printed (compared byte for byte with the statement's amount
 * in the same form — never a number), each date as days after the quarter's start. Rows are read
 * straight from COPY's binary bytes.
 */
export class PayoutIndex {
  private n = 0;
  private cap = 0;
  /** REC bytes per payout (see REC): what a line's match reads of a payout sits together. */
  private rec = new Uint8Array(0);
  private u32 = new Uint32Array(0);
  private i16 = new Int16Array(0);
  private table = new Int32Array(0); // payout index + 1 per slot; 0 = empty
  private readonly key = new Uint8Array(16);
  private carry: Buffer = EMPTY;
  /**
   * The payout the last classify() named (-1: none). A field, not a returned pair: classify runs
   * once per line, and a million short-lived objects cost more in garbage collection than the
   * lookup itself.
   */
  lastPayout = -1;
  /** Days after the quarter's start of the statement's dates. */
  private readonly dayOf: DaysSince;
  private readonly sum = new MoneyTotal();

  private constructor(origin: string) {
    this.dayOf = new DaysSince(origin);
  }

  /** Streams the payouts with COPY … TO STDOUT (the fastest way out of PostgreSQL), in the caller's transaction. */
  static async load(trx: Knex.Transaction, conn: PoolClient, where: { bankId: string; from: string; to: string }): Promise<PayoutIndex> {
    const q = payoutsSql(where);
    // COPY takes no parameters: knex inlines the (validated) values with its own quoting.
    const sql = trx.raw(q.sql, q.bindings).toQuery();
    // Rows stream out as PostgreSQL finds them, while this process indexes them and sums their
    // amounts (exactly, in fen: one scan of the claims instead of two). In binary: the claim id
    // arrives as its 16 bytes and the numbers as numbers, so neither side writes or reads digits.
    const copy = `COPY (select claim_id, entry_id::bigint, (posted_on - date '${where.from}')::integer, amount::numeric(18,2) from (${sql}) p) TO STDOUT (FORMAT binary)`;
    return PayoutIndex.fromCopy(where.from, conn.query(copyTo(copy)));
  }

  /**
   * The index of the rows of a binary COPY (claim_id uuid, entry_id int8, day int4 after `origin`,
   * amount numeric), as they arrive in chunks.
   */
  static async fromCopy(origin: string, chunks: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>): Promise<PayoutIndex> {
    const index = new PayoutIndex(origin);
    for await (const chunk of chunks) index.feed(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    if (!index.ended) throw new Error('payouts: the COPY from PostgreSQL ended early');
    index.buildTable();
    return index;
  }

  get size(): number {
    return this.n;
  }

  /** The payouts' total, as formatMoney writes it. */
  get total(): string {
    return this.sum.toString();
  }

  /** The payout's ledger entry id. */
  entryId(i: number): number {
    const w = (i * REC + ENTRY) >> 2;
    return this.u32[w + 1]! * 0x1_0000_0000 + this.u32[w]!;
  }

  /** The payout's claim id, as Postgres writes a UUID. */
  claimId(i: number): string {
    let s = '';
    for (let b = 0; b < 16; b++) {
      if (b === 4 || b === 6 || b === 8 || b === 10) s += '-';
      const v = this.rec[i * REC + ID + b]!;
      s += HEX_DIGITS[v >> 4]! + HEX_DIGITS[v & 15]!;
    }
    return s;
  }

  /** Past the binary COPY's header; its trailer seen. */
  private started = false;
  ended = false;

  /** Takes the binary COPY's bytes as they come, every complete row at once (a row may span chunks). */
  private feed(chunk: Buffer): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let p = 0;
    if (!this.started) {
      if (buf.length < COPY_HEADER) {
        this.carry = Buffer.from(buf);
        return;
      }
      if (!buf.subarray(0, 11).equals(COPY_SIGNATURE)) throw new Error('payouts: not a binary COPY from Postgres');
      p = COPY_HEADER + buf.readUInt32BE(15);
      this.started = true;
    }
    for (;;) {
      const end = this.rowEnd(buf, p);
      if (end < 0) break;
      if (buf.readInt16BE(p) === -1) {
        this.ended = true;
        p = end;
        break;
      }
      this.row(buf, p + 2);
      p = end;
    }
    this.carry = p < buf.length ? Buffer.from(buf.subarray(p)) : EMPTY;
  }

  /** Where the row (or trailer) at p ends, or -1 when its bytes have not all arrived. */
  private rowEnd(buf: Buffer, p: number): number {
    if (p + 2 > buf.length) return -1;
    const fields = buf.readInt16BE(p);
    if (fields === -1) return p + 2;
    if (fields !== 4) throw new Error(`payouts: a row of ${fields} fields`);
    let q = p + 2;
    for (let f = 0; f < 4; f++) {
      if (q + 4 > buf.length) return -1;
      const len = buf.readInt32BE(q);
      if (len < 0) throw new Error('payouts: a NULL field');
      q += 4 + len;
    }
    return q > buf.length ? -1 : q;
  }

  /**
   * One row's fields from p: claim_id (uuid, 16 bytes), entry_id (int8), day (int4), amount
   * (numeric: digit count, weight, sign, scale, then base-10000 digits), each after its length.
   */
  private row(buf: Buffer, p: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n;
    const at = i * REC;
    const rec = this.rec;
    for (let b = 0; b < 16; b++) rec[at + ID + b] = buf[p + 4 + b]!;
    p += 20;
    const entry = buf.readUInt32BE(p + 4) * 0x1_0000_0000 + buf.readUInt32BE(p + 8);
    p += 12;
    const day = buf.readInt32BE(p + 4);
    p += 8;
    // The amount as NUMERIC(18,2) prints it: the integer part's groups (the first without leading
    // zeros), a point, the first two decimals.
    const ndigits = buf.readInt16BE(p + 4);
    const weight = buf.readInt16BE(p + 6);
    if (buf.readUInt16BE(p + 8) !== 0) throw new Error('payouts: an amount that is not positive');
    if (weight > 3) throw new Error(`payouts: an amount wider than ${AMOUNT_WIDTH} characters`);
    const digits = p + 12;
    const a = at + AMOUNT;
    let len = 0;
    if (weight < 0) rec[a + len++] = 48;
    for (let g = 0; g <= weight; g++) {
      const v = g < ndigits ? buf.readInt16BE(digits + 2 * g) : 0;
      if (g > 0 || v >= 1000) rec[a + len++] = 48 + ((v / 1000) | 0);
      if (g > 0 || v >= 100) rec[a + len++] = 48 + (((v / 100) | 0) % 10);
      if (g > 0 || v >= 10) rec[a + len++] = 48 + (((v / 10) | 0) % 10);
      rec[a + len++] = 48 + (v % 10);
    }
    const f = weight + 1; // the group holding the first four decimals
    const cents = f >= 0 && f < ndigits ? (buf.readInt16BE(digits + 2 * f) / 100) | 0 : 0;
    rec[a + len++] = 46;
    rec[a + len++] = 48 + ((cents / 10) | 0);
    rec[a + len++] = 48 + (cents % 10);
    rec[at + AMOUNT_LENGTH] = len;
    this.sum.addAscii(rec, at + AMOUNT, at + AMOUNT + len);
    const w = (at + ENTRY) >> 2;
    this.u32[w] = entry % 0x1_0000_0000;
    this.u32[w + 1] = Math.floor(entry / 0x1_0000_0000);
    this.i16[(at + DAY) >> 1] = day;
    this.n++;
  }

  private grow(): void {
    this.cap = Math.max(1024, this.cap * 2);
    const rec = new Uint8Array(this.cap * REC);
    rec.set(this.rec);
    this.rec = rec;
    this.u32 = new Uint32Array(rec.buffer);
    this.i16 = new Int16Array(rec.buffer);
  }

  /** Claim ids are random (v4), so their first four bytes spread them well over the table. */
  private slotOf(ids: Uint8Array, at: number): number {
    const h = ids[at]! | (ids[at + 1]! << 8) | (ids[at + 2]! << 16) | (ids[at + 3]! << 24);
    return Math.imul(h, 0x9e3779b1) >>> 0;
  }

  private buildTable(): void {
    let size = 16;
    while (size < this.n * 2) size *= 2;
    this.table = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.n; i++) {
      let slot = this.slotOf(this.rec, i * REC + ID) & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = i + 1;
    }
  }

  /** The payout whose claim id the reference — bytes [s, e) of buf — is (any case), or -1. */
  private find(buf: Uint8Array, s: number, e: number): number {
    if (e - s !== 36) return -1;
    const key = this.key;
    for (let k = 0, b = 0; k < 36; k++) {
      const c = buf[s + k]!;
      if (isDash(k)) {
        if (c !== 45) return -1;
        continue;
      }
      const hi = c < 128 ? HEX[c]! : -1;
      const c2 = buf[s + ++k]!;
      const lo = c2 < 128 ? HEX[c2]! : -1;
      if (hi < 0 || lo < 0) return -1;
      key[b++] = (hi << 4) | lo;
    }
    const mask = this.table.length - 1;
    for (let slot = this.slotOf(key, 0) & mask; ; slot = (slot + 1) & mask) {
      const t = this.table[slot]!;
      if (t === 0) return -1;
      const at = (t - 1) * REC + ID;
      let same = true;
      for (let b = 0; b < 16 && same; b++) same = this.rec[at + b] === key[b];
      if (same) return t - 1;
    }
  }

  /**
   * Whether the payout's amount is the line's, bytes [s, e) of buf in moneyString's form: compared
   * as NUMERIC prints it, so "500" and "500.5" are read as "500.00" and "500.50".
   */
  private amountIs(i: number, buf: Uint8Array, s: number, e: number): boolean {
    let dot = -1;
    for (let k = s; k < e; k++) if (buf[k] === 46) dot = k;
    const pad = dot < 0 ? 3 : 3 - (e - dot);
    const len = this.rec[i * REC + AMOUNT_LENGTH]!;
    if (e - s + pad !== len) return false;
    const at = i * REC + AMOUNT;
    for (let k = 0; k < e - s; k++) if (this.rec[at + k] !== buf[s + k]) return false;
    for (let k = e - s; k < len; k++) if (this.rec[at + k] !== (k === e - s && dot < 0 ? 46 : 48)) return false;
    return true;
  }

  /**
   * Line k of the batch. The first line naming a claim is compared with its payout (amount, then
   * date); any later line naming it again is `duplicated`; a line naming no payout of this bank
   * and quarter is `missing_in_ledger`.
   */
  classify(batch: LineBatch, k: number): LineOutcome {
    const buf = batch.buf;
    const i = this.n ? this.find(buf, batch.start(k, Field.ref), batch.end(k, Field.ref)) : -1;
    this.lastPayout = i;
    if (i < 0) return 'missing_in_ledger';
    const seen = i * REC + SEEN;
    if (this.rec[seen]) return 'duplicated';
    this.rec[seen] = 1;
    if (!this.amountIs(i, buf, batch.start(k, Field.amount), batch.end(k, Field.amount))) return 'amount_differs';
    const late = this.dayOf.at(buf, batch.start(k, Field.date)) - this.i16[(i * REC + DAY) >> 1]!;
    if (late < 0 || late > WINDOW) return 'date_differs';
    return 'matched';
  }

  /** Payouts no line named, in payout order (date, then entry). */
  unseen(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (!this.rec[i * REC + SEEN]) out.push(i);
    const day = (i: number) => this.i16[(i * REC + DAY) >> 1]!;
    return out.sort((a, b) => day(a) - day(b) || this.entryId(a) - this.entryId(b));
  }
}
