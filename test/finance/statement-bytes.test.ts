import { Readable } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import { LineBatch, LineBytesCheck } from '../../db/reconciliation/fastpath';
import { readCsvStatement } from '../../db/reconciliation/read-csv';
import { checkLine, readHeader, type Header, type StatementLine } from '../../db/reconciliation/statement-format';

const ctx = { quarterStart: '2026-04-01', quarterEnd: '2026-06-30', today: '2026-06-20' };
const locate = (line: number, col: number, name: string) => `line ${line}, column ${col + 1} (${name})`;

function headerOf(names: readonly string[]): Header {
  const h = readHeader([...names], 1, locate);
  if ('problems' in h) throw new Error(JSON.stringify(h.problems));
  return h;
}

/** Cells as a bank's program might write them: mostly good, with every kind of near miss. */
const cell = {
  date: fc.oneof(
    { arbitrary: fc.date({ min: new Date('2026-04-01'), max: new Date('2026-06-20'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), weight: 4 },
    fc.constantFrom('2026-04-01', '2026-05-31', '2026-06-20', '2026-06-21', '2026-03-31', '2026-02-30', '2026-04-31', '2026-4-01', '20260401', ' 2026-04-02', '2026-04-02 ', '２０２６-04-02', ''),
    fc.date({ min: new Date('2026-03-25'), max: new Date('2026-07-05'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  ),
  reference: fc.oneof(
    { arbitrary: fc.uuid(), weight: 4 },
    fc.uuid().map((u) => u.toUpperCase()),
    fc.constantFrom('', ' ', 'abc', 'C-1\\2', 'tab\there', 'bell\u0007', 'del\u007f', '\u3000padded', 'padded\u00a0', '利息补贴参考号', 'x'.repeat(100), 'x'.repeat(101), '贴'.repeat(40), '贴'.repeat(101)),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
  ),
  amount: fc.oneof(
    { arbitrary: fc.tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 99 })).map(([y, f]) => `${y}.${String(f).padStart(2, '0')}`), weight: 4 },
    fc.constantFrom('0', '0.00', '0.0', '00.10', '01', '1', '1.5', '1.50', '1.234', '12.', '.5', '1e3', '-5', '+5', ' 5', '5 ', '80000.00', '9999999999999999.99', '10000000000000000.00', '١٢'),
    fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 17n }), fc.constantFrom('', '.', '.0', '.05', '.5', '.123')).map(([n, d]) => `${n}${d}`),
  ),
  description: fc.oneof(
    { arbitrary: fc.constantFrom('interest subsidy', '利息补贴', ''), weight: 3 },
    fc.constantFrom('', 'interest subsidy', '利息补贴', ' leading', 'trailing ', 'trailing\u3000', '\ufeffbom', 'back\\slash', 'a\tb', 'cr\rinside', 'nul\u0000inside', 'd'.repeat(500), 'd'.repeat(501), '贴'.repeat(200), '贴'.repeat(501), '😀'.repeat(125), '😀'.repeat(251)),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
  ),
};
const noSeparators = (s: string) => !/[,"\n]/.test(s);

describe('finance: statement lines read as bytes', () => {
  it('takes a line only when checkLine takes it, with the same fields', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(['date', 'reference', 'amount', 'description'], ['reference', 'amount', 'date'], ['description', 'amount', 'date', 'reference', '']),
        cell.date,
        cell.reference,
        cell.amount,
        cell.description,
        fc.constantFrom('', ',', ',,', ',x'),
        (names, date, reference, amount, description, tail) => {
          fc.pre([date, reference, amount, description].every(noSeparators));
          runs += 1;
          const header = headerOf(names);
          const values: Record<string, string> = { date, reference, amount, description, '': '' };
          const text = names.map((n) => values[n]).join(',') + tail;
          const bytes = Buffer.from(text, 'utf8');
          const batch = new LineBatch(bytes);
          const took = new LineBytesCheck(header, ctx).accept(bytes, 0, bytes.length, 7, batch);
          const expected = checkLine(text.split(','), 7, header, ctx, locate);
          if (!took) {
            expect(batch.count).to.equal(0);
            return;
          }
          taken += 1;
          expect(expected, text).to.not.be.an('array');
          expect(batch.count).to.equal(1);
          expect(batch.line(0), text).to.deep.equal(expected as StatementLine);
        },
      ),
      { numRuns: 3000 },
    );
    // The check must also say yes often, or it would prove nothing.
    expect(taken).to.be.greaterThan(runs / 20);
  });

  it('reads a file of mixed lines in order, with their numbers: BOM, CRLF, blank lines, quoted cells over several lines, Chinese', async () => {
    const csv = [
      '\ufeffdate,reference,amount,description',
      '2026-04-02,20ee9795-b281-42f1-9dba-437839865cde,10.00,利息补贴',
      '',
      '2026-04-03,"quoted, with a comma",5,"two',
      'lines"',
      '2026-04-04, padded ,7.5,x',
      '2026-04-05,ref-5,8,back\\slash\ttab',
      '2026-04-06,ref-6,9,last line without a break',
    ].join('\r\n');
    const read: StatementLine[] = [];
    // One byte at a time, so every line and character is split across chunks somewhere.
    const bytes = Buffer.from(csv, 'utf8');
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    for await (const batch of readCsvStatement(Readable.from(chunks), ctx)) for (let k = 0; k < batch.count; k++) read.push(batch.line(k));
    expect(read).to.deep.equal([
      { lineNo: 2, valueDate: '2026-04-02', reference: '20ee9795-b281-42f1-9dba-437839865cde', amount: '10.00', description: '利息补贴' },
      { lineNo: 4, valueDate: '2026-04-03', reference: 'quoted, with a comma', amount: '5', description: 'two\nlines' },
      { lineNo: 6, valueDate: '2026-04-04', reference: 'padded', amount: '7.5', description: 'x' },
      { lineNo: 7, valueDate: '2026-04-05', reference: 'ref-5', amount: '8', description: 'back\\slash\ttab' },
      { lineNo: 8, valueDate: '2026-04-06', reference: 'ref-6', amount: '9', description: 'last line without a break' },
    ]);
  });

  it('reads a GB18030 file (decoded, every line through checkLine) into the same batches', async () => {
    const text = 'date,reference,amount,description\n2026-04-02,参考-1,10.00,利息补贴\n2026-04-03,ref-2,5,"引号, 逗号"\n';
    const gb = Buffer.from(new Uint8Array([...Buffer.from('date,reference,amount,description\n2026-04-02,', 'latin1'), 0xb2, 0xce, 0xbf, 0xbc, ...Buffer.from('-1,10.00,', 'latin1'), 0xc0, 0xfb, 0xcf, 0xa2, 0xb2, 0xb9, 0xcc, 0xf9, ...Buffer.from('\n2026-04-03,ref-2,5,"', 'latin1'), 0xd2, 0xfd, 0xba, 0xc5, ...Buffer.from(', ', 'latin1'), 0xb6, 0xba, 0xba, 0xc5, ...Buffer.from('"\n', 'latin1')]));
    expect(new TextDecoder('gb18030').decode(gb)).to.equal(text);
    const read: StatementLine[] = [];
    for await (const batch of readCsvStatement(Readable.from([gb]), ctx, 'gb18030')) for (let k = 0; k < batch.count; k++) read.push(batch.line(k));
    expect(read).to.deep.equal([
      { lineNo: 2, valueDate: '2026-04-02', reference: '参考-1', amount: '10.00', description: '利息补贴' },
      { lineNo: 3, valueDate: '2026-04-03', reference: 'ref-2', amount: '5', description: '引号, 逗号' },
    ]);
  });

  it('names the line of bytes that are not UTF-8 however the file was cut into chunks', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `2026-04-02,ref-${i},1.00,ok`);
    const bytes = Buffer.concat([Buffer.from(`date,reference,amount,description\n${lines.join('\n')}\n2026-04-02,bad,1.00,`), Buffer.from([0xff, 0x0a])]);
    for (const size of [7, 4096, bytes.length]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
      let error: unknown;
      try {
        for await (const _ of readCsvStatement(Readable.from(chunks), ctx)) void _;
      } catch (e) {
        error = e;
      }
      expect((error as { details: unknown[] }).details, `chunks of ${size}`).to.deep.equal([{ path: 'line 5002', message: 'bytes that are not UTF-8: save the file as UTF-8 (or say encoding=gb18030)' }]);
    }
  });

  it('refuses a NUL character in a description with its line and column (PostgreSQL text cannot hold it)', async () => {
    const bytes = Buffer.from('date,reference,amount,description\n2026-04-02,ref-1,1.00,ok\n2026-04-03,ref-2,2.00,a\u0000b\n');
    let error: unknown;
    try {
      for await (const _ of readCsvStatement(Readable.from([bytes]), ctx)) void _;
    } catch (e) {
      error = e;
    }
    expect((error as { details: unknown[] }).details).to.deep.equal([{ path: 'line 3, column 4 (description)', message: 'must not contain the NUL character (U+0000)' }]);
  });

  it('refuses a statement of more than 2,000,000 lines at the line past them', async function () {
    this.timeout(120_000);
    const block = Buffer.from('2026-04-02,ref,1.00,\n'.repeat(10_000));
    function* chunks() {
      yield Buffer.from('date,reference,amount,description\n');
      for (let i = 0; i < 200; i++) yield block;
      yield Buffer.from('2026-04-02,one-more,1.00,\n');
    }
    let error: unknown;
    try {
      for await (const _ of readCsvStatement(Readable.from(chunks()), ctx)) void _;
    } catch (e) {
      error = e;
    }
    expect((error as { details: unknown[] }).details).to.deep.equal([{ path: 'line 2000002', message: 'more than 2000000 lines: split the statement (e.g. by month) and import each part' }]);
  });
});
