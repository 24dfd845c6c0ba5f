import { once } from 'node:events';

const FLUSH_AT = 256 * 1024;
const BACKSLASH = 92;
const ESCAPES: Record<number, number> = { 9: 116, 10: 110, 13: 114, 92: 92 }; // \t \n \r \\

/**
 * Writes COPY text-format rows straight as bytes, into pieces of ~256 KB handed to the COPY stream
 * (waiting whenever the socket is full). Fields are appended from the bytes they were read from,
 * so a million-line statement makes no string per line on its way into Postgres.
 */
export class CopyRows {
  private buf = Buffer.allocUnsafe(FLUSH_AT * 2);
  private at = 0;
  private readonly finished: Promise<void>;

  constructor(private readonly copy: NodeJS.WritableStream & { destroy(e?: Error): void }) {
    this.finished = new Promise<void>((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', reject);
    });
    this.finished.catch(() => undefined);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  /** Bytes as they are (text known to need no escaping: ids, dates, amounts, outcomes). */
  raw(src: Uint8Array, start = 0, end = src.length): this {
    this.room(end - start);
    for (let i = start; i < end; i++) this.buf[this.at++] = src[i]!;
    return this;
  }

  /** Bytes of free text: backslash, tab and line breaks escaped as COPY's text format wants. */
  text(src: Uint8Array, start: number, end: number): this {
    this.room(2 * (end - start));
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (c === 9 || c === 10 || c === 13 || c === BACKSLASH) {
        this.buf[this.at++] = BACKSLASH;
        this.buf[this.at++] = ESCAPES[c]!;
      } else this.buf[this.at++] = c;
    }
    return this;
  }

  /** A non-negative integer below 2^53, in decimal. */
  int(n: number): this {
    this.room(16);
    const from = this.at;
    do {
      this.buf[this.at++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    this.buf.subarray(from, this.at).reverse();
    return this;
  }

  /** A field separator (tab). */
  tab(): this {
    this.room(1);
    this.buf[this.at++] = 9;
    return this;
  }

  /** SQL NULL. */
  nul(): this {
    this.room(2);
    this.buf[this.at++] = BACKSLASH;
    this.buf[this.at++] = 78;
    return this;
  }

  /** Ends the row; true when enough has gathered to flush (kept synchronous: it runs once per line). */
  end(): boolean {
    this.room(1);
    this.buf[this.at++] = 10;
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
    await this.flush();
    this.copy.end();
    await this.finished;
  }

  /** Abandons the COPY (the server gets CopyFail), so the transaction rolls back with nothing written. */
  abort(e: Error): void {
    this.copy.destroy(e);
  }
}
