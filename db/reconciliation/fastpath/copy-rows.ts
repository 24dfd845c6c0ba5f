import { once } from 'node:events';
import { DaysSince } from './line-batch';

const FLUSH_AT = 256 * 1024;
/** PostgreSQL's binary COPY: signature, flags, header extension length. */
const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);
const TWO_32 = 0x1_0000_0000;

/**
 * Writes rows in COPY's binary format, straight from the bytes the statement was read from, in
 * pieces of ~256 KB handed to the COPY stream (waiting whenever the socket is full). Binary rather
 * than text: PostgreSQL takes integers, dates and amounts as they are instead of parsing their
 * digits, and free text needs no escaping; at a million lines PostgreSQL's side of the COPY is the
 * slower one (docs/benchmarks.md).
 */
export class CopyRows {
  private buf = Buffer.allocUnsafe(FLUSH_AT * 2);
  private at = 0;
  private readonly finished: Promise<void>;
  /** PostgreSQL's date: days since 2000-01-01. */
  private readonly days = new DaysSince('2000-01-01');

  constructor(private readonly copy: NodeJS.WritableStream & { destroy(e?: Error): void }) {
    this.finished = new Promise<void>((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', reject);
    });
    this.finished.catch(() => undefined);
    this.raw(HEADER);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  /** Big-endian 32-bit at the write position (written byte by byte: cheaper per call than Buffer's methods). */
  private put32(n: number): void {
    const b = this.buf;
    b[this.at] = n >>> 24;
    b[this.at + 1] = n >>> 16;
    b[this.at + 2] = n >>> 8;
    b[this.at + 3] = n;
    this.at += 4;
  }

  private put16(n: number): void {
    this.buf[this.at] = n >>> 8;
    this.buf[this.at + 1] = n;
    this.at += 2;
  }

  private raw(src: Uint8Array): void {
    this.room(src.length);
    for (let i = 0; i < src.length; i++) this.buf[this.at++] = src[i]!;
  }

  /** Starts a row of `fields` columns. */
  row(fields: number): this {
    this.room(2);
    this.put16(fields);
    return this;
  }

  int4(n: number): this {
    this.room(8);
    this.put32(4);
    this.put32(n);
    return this;
  }

  /** A non-negative integer below 2^53 as bigint. */
  int8(n: number): this {
    this.room(12);
    this.put32(8);
    this.put32(Math.floor(n / TWO_32));
    this.put32(n % TWO_32);
    return this;
  }

  /** SQL NULL. */
  nul(): this {
    this.room(4);
    this.put32(-1);
    return this;
  }

  /** Text: its UTF-8 bytes [start, end) as they are. */
  text(src: Uint8Array, start = 0, end = src.length): this {
    this.room(4 + end - start);
    this.put32(end - start);
    const b = this.buf;
    let at = this.at;
    for (let i = start; i < end; i++) b[at++] = src[i]!;
    this.at = at;
    return this;
  }

  /** A date from its 10 ASCII bytes YYYY-MM-DD at `start` (already proven real). */
  date(src: Uint8Array, start: number): this {
    return this.int4(this.days.at(src, start));
  }

  /**
   * An amount from its ASCII bytes [start, end) in moneyString's form, as NUMERIC's binary form:
   * base-10000 digits from the point outwards, the weight of the first, and the decimals given
   * (the column's NUMERIC(18,2) then scales it as it would the text).
   */
  numeric(src: Uint8Array, start: number, end: number): this {
    let dot = end;
    for (let i = start; i < end; i++) if (src[i] === 46) dot = i;
    let first = start;
    while (first < dot && src[first] === 48) first++;
    const intDigits = dot - first;
    const decimals = dot < end ? end - dot - 1 : 0;
    const intGroups = Math.ceil(intDigits / 4);
    const groups = intGroups + (decimals > 0 ? 1 : 0);
    this.room(12 + 2 * groups);
    this.put32(8 + 2 * groups);
    this.put16(groups);
    this.put16(intGroups - 1); // the weight: -1 below 1 (two's complement, as put16 writes it)
    this.put16(0); // positive
    this.put16(decimals);
    let i = first;
    for (let g = 0; g < intGroups; g++) {
      const width = g === 0 ? intDigits - 4 * (intGroups - 1) : 4;
      let v = 0;
      for (let k = 0; k < width; k++) v = v * 10 + (src[i++]! - 48);
      this.put16(v);
    }
    if (decimals > 0) {
      let v = 0;
      for (let k = 0; k < 4; k++) v = v * 10 + (k < decimals ? src[dot + 1 + k]! - 48 : 0);
      this.put16(v);
    }
    return this;
  }

  /** Whether enough has gathered to flush (kept synchronous: it is asked once per row). */
  full(): boolean {
    return this.at >= FLUSH_AT;
  }

  async flush(): Promise<void> {
    if (this.at === 0) return;
    // The stream may hold on to what it was given until the socket takes it: a new buffer each time.
    const ok = this.copy.write(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(FLUSH_AT * 2);
    this.at = 0;
    if (!ok) await once(this.copy, 'drain');
  }

  async close(): Promise<void> {
    this.raw(TRAILER);
    await this.flush();
    this.copy.end();
    await this.finished;
  }

  /** Abandons the COPY (the server gets CopyFail), so the transaction rolls back with nothing written. */
  abort(e: Error): void {
    // The reason goes to PostgreSQL as the COPY's CopyFail message, which it takes only up to
    // 10,000 bytes (a longer one ends the connection): the caller keeps the whole error.
    this.copy.destroy(new Error(e.message.slice(0, 1000)));
  }
}
