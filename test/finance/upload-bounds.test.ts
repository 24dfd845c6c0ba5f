import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Knex } from 'knex';
import type { ApiHarness } from '../support/api';
import { financeSuite, type People } from './helpers';

const HEADER = 'date,reference,amount,description';

/**
 * Hostile statement files (docs/reconciliation.md "Limits"): each is refused with a 400 naming the
 * line, row or part of the file, nothing is written, and the API keeps answering.
 */
describe('finance API: statement uploads within bounds', function () {
  const suite = financeSuite('finbounds', { api: true });
  let db: Knex, h: ApiHarness, p: People, officer: string;

  before(async function () {
    ({ db, h, p } = suite);
    officer = await h.login('fin-officer');
  });

  const count = async () => Number((await db('reconciliations').count<{ n: string }[]>('* as n').first())!.n);

  async function upload(body: Blob, fields: Record<string, string> = {}, fileName = 'statement.csv') {
    const form = new FormData();
    for (const [k, v] of Object.entries({ quarter: '2026Q2', bankId: p.bankA, ...fields })) form.append(k, v);
    form.append('file', body, fileName);
    const res = await fetch(`${h.url}/v1/reconciliations`, { method: 'POST', headers: { authorization: `Bearer ${officer}` }, body: form });
    return { status: res.status, body: (await res.json()) as any };
  }

  /** A refusal: 400, the details asked for, nothing written, and the API still answering. */
  async function refused(body: Blob, fields: Record<string, string> = {}, fileName?: string) {
    const before = await count();
    const r = await upload(body, fields, fileName);
    expect(r.status, JSON.stringify(r.body).slice(0, 2000)).to.equal(400);
    expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    expect(await count(), 'nothing imported').to.equal(before);
    expect((await h.call('GET', '/v1/reconciliations?quarter=2026Q2', { token: officer })).status).to.equal(200);
    return r.body.error as { message: string; details: Array<{ path: string; message: string }> };
  }

  const good = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `2026-04-15,R${from + i},1.00,`);

  describe('CSV lines and quotes', function () {
    it('refuses a stray quote followed by 50,000 lines, naming the line where the quote opened', async function () {
      const text = [HEADER, '2026-04-15,R-1,100.00,Monitor 27" LED', ...good(50_000)].join('\n') + '\n';
      const e = await refused(new Blob([text]));
      expect(e.details).to.have.length(1);
      expect(e.details[0]!.path).to.equal('line 2');
      expect(e.details[0]!.message).to.match(/^a quote opened on this line is not closed within 65536 characters/);
    });

    it('still reads quoted cells, over several lines and with doubled quotes', async function () {
      const text = [HEADER, '2026-04-15,R-1,100.00,"two', 'lines"', ...good(3), '2026-04-15,R-2,1.00,"a ""quoted"" word"'].join('\r\n') + '\r\n';
      const r = await upload(new Blob([text]));
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      expect(r.body.lineCount).to.equal(5);
      const lines = (await h.call('GET', `/v1/reconciliations/${r.body.id}/lines`, { token: officer })).body;
      expect(lines.map((l: any) => [l.lineNo, l.description])).to.deep.equal([
        [2, 'two\nlines'],
        [4, ''],
        [5, ''],
        [6, ''],
        [7, 'a "quoted" word'],
      ]);
    });

    it('refuses a line longer than 65536 bytes with its number, in UTF-8 and in GB18030', async function () {
      const text = [HEADER, ...good(3), `2026-04-15,R-long,1.00,${'x'.repeat(100_000)}`, ...good(3, 10)].join('\n') + '\n';
      for (const encoding of ['utf-8', 'gb18030']) {
        const e = await refused(new Blob([text]), { encoding });
        expect(e.details, encoding).to.deep.equal([{ path: 'line 5', message: 'longer than 65536 bytes: a statement line is a few hundred at most (save the file with LF or CRLF line breaks)' }]);
      }
    });

    it('refuses a file whose line breaks are CR only (one endless line) as a line too long', async function () {
      const text = [HEADER, ...good(5_000)].join('\r') + '\r';
      for (const encoding of ['utf-8', 'gb18030']) {
        const e = await refused(new Blob([text]), { encoding });
        expect(e.details, encoding).to.deep.equal([{ path: 'line 1', message: 'longer than 65536 bytes: a statement line is a few hundred at most (save the file with LF or CRLF line breaks)' }]);
      }
    });
  });

  /** A workbook as exceljs writes it (header and `n` lines), with its first sheet's XML changed by `edit`. */
  async function xlsx(n: number, edit: (sheet: string) => string = (x) => x): Promise<Blob> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Statement');
    ws.addRow(['date', 'reference', 'amount', 'description']);
    for (let i = 0; i < n; i++) ws.addRow(['2026-04-15', `X${i}`, '1.00', `line ${i}`]);
    const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
    const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
    zip.file('xl/worksheets/sheet1.xml', edit(sheet));
    return new Blob([await zip.generateAsync({ type: 'arraybuffer', compression: 'DEFLATE' })]);
  }

  describe('XLSX row numbers', function () {
    it('refuses rows without r (which exceljs cannot place) as an unreadable workbook, not a 500', async function () {
      const e = await refused(await xlsx(3, (x) => x.replace(/<row r="\d+"/g, '<row')), {}, 'statement.xlsx');
      expect(e.details).to.have.length(1);
      expect(e.details[0]!.path).to.equal('(file)');
      expect(e.details[0]!.message).to.match(/^not readable as XLSX: /);
    });

    it('leaves no worksheet behind in a temporary file when a workbook is refused at its header', async function () {
      // exceljs spools a worksheet that comes before the shared strings (Excel's order) to a file
      // of the tmp package, named tmp-<pid>-…, and removes it once it has read it through.
      const mine = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`));
      const before = mine();
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Statement');
      ws.addRow(['date', 'ref', 'amount']);
      for (let i = 0; i < 5_000; i++) ws.addRow(['2026-04-15', `X${i}`, '1.00']);
      const src = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
      const out = new JSZip();
      const names = Object.keys(src.files).filter((n) => !src.files[n]!.dir);
      names.sort((a, b) => Number(b === 'xl/worksheets/sheet1.xml') - Number(a === 'xl/worksheets/sheet1.xml'));
      for (const n of names) out.file(n, await src.file(n)!.async('uint8array'));
      const e = await refused(new Blob([await out.generateAsync({ type: 'arraybuffer', compression: 'DEFLATE' })]), {}, 'statement.xlsx');
      expect(e.details[0]!.path).to.equal('row 1, cell B1 (ref)');
      expect(mine().filter((f) => !before.includes(f))).to.deep.equal([]);
    });

    it('refuses a row number that repeats or goes back, naming it', async function () {
      const e = await refused(await xlsx(3, (x) => x.replace('<row r="4"', '<row r="3"')), {}, 'statement.xlsx');
      expect(e.details).to.deep.equal([{ path: 'row 3', message: 'numbered 3 after row 3: the rows of a worksheet are numbered upwards, from 1 to 1048576' }]);
    });

    it('refuses a row number beyond 1048576 (where a 32-bit line number would wrap around)', async function () {
      const e = await refused(await xlsx(3, (x) => x.replace('<row r="4"', '<row r="4294967299"')), {}, 'statement.xlsx');
      expect(e.details).to.deep.equal([{ path: 'row 4294967299', message: 'numbered 4294967299 after row 3: the rows of a worksheet are numbered upwards, from 1 to 1048576' }]);
    });
  });

  describe('problems quote cells clipped', function () {
    const h60 = 'h'.repeat(60);
    it('clips an unknown header cell to 60 characters in the path and the message', async function () {
      const e = await refused(new Blob([`${HEADER},${'h'.repeat(20_000)}\n2026-04-15,R,1.00,\n`]));
      expect(e.details).to.deep.equal([
        { path: `line 1, column 5 (${h60}…)`, message: `unknown column "${h60}…": expected the columns date,reference,amount,description (description optional)` },
      ]);
      expect(e.message.length).to.be.below(400);
    });

    it('clips date and amount cells quoted in problems', async function () {
      const e = await refused(new Blob([`${HEADER}\n${'9'.repeat(20_000)},R,${'1'.repeat(20_000)},\n`]));
      expect(e.details.map((d) => d.path)).to.deep.equal(['line 2, column 1 (date)', 'line 2, column 3 (amount)']);
      expect(e.details[0]!.message).to.equal(`must be a date YYYY-MM-DD, got "${'9'.repeat(60)}…"`);
      expect(e.details[1]!.message).to.match(new RegExp(`, got "${'1'.repeat(60)}…"$`));
    });

    it('clips an XLSX header cell too', async function () {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('Statement').addRow(['date', 'reference', 'amount', 'h'.repeat(100_000)]);
      const e = await refused(new Blob([await wb.xlsx.writeBuffer()]), {}, 'statement.xlsx');
      expect(e.details).to.deep.equal([
        { path: `row 1, cell D1 (${h60}…)`, message: `unknown column "${h60}…": expected the columns date,reference,amount,description (description optional)` },
      ]);
    });
  });

  describe('XLSX zip bombs', function () {
    interface Part {
      name: string;
      deflated: Buffer;
      /** The uncompressed size the zip declares (true or not). */
      declared: number;
    }

    /** Deflates the pieces as one part, streaming (a gigabyte of padding never sits in memory). */
    async function deflated(pieces: Iterable<Buffer>): Promise<Buffer> {
      const z = zlib.createDeflateRaw();
      const out: Buffer[] = [];
      z.on('data', (c: Buffer) => out.push(c));
      const done = new Promise((resolve) => z.on('end', resolve));
      for (const p of pieces) if (!z.write(p)) await new Promise((r) => z.once('drain', r));
      z.end();
      await done;
      return Buffer.concat(out);
    }

    /** A zip written by hand (local headers, central directory, end record), so sizes can lie; CRCs are 0 (nothing here checks them). */
    function zipOf(parts: Part[]): Uint8Array<ArrayBuffer> {
      const locals: Buffer[] = [];
      const central: Buffer[] = [];
      let offset = 0;
      for (const p of parts) {
        const name = Buffer.from(p.name);
        const h = Buffer.alloc(30);
        h.writeUInt32LE(0x04034b50, 0);
        h.writeUInt16LE(20, 4);
        h.writeUInt16LE(8, 8); // deflate
        h.writeUInt32LE(p.deflated.length, 18);
        h.writeUInt32LE(p.declared, 22);
        h.writeUInt16LE(name.length, 26);
        const c = Buffer.alloc(46);
        c.writeUInt32LE(0x02014b50, 0);
        c.writeUInt16LE(20, 4);
        c.writeUInt16LE(20, 6);
        c.writeUInt16LE(8, 10);
        c.writeUInt32LE(p.deflated.length, 20);
        c.writeUInt32LE(p.declared, 24);
        c.writeUInt16LE(name.length, 28);
        c.writeUInt32LE(offset, 42);
        locals.push(h, name, p.deflated);
        central.push(c, name);
        offset += 30 + name.length + p.deflated.length;
      }
      const cd = Buffer.concat(central);
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(parts.length, 8);
      end.writeUInt16LE(parts.length, 10);
      end.writeUInt32LE(cd.length, 12);
      end.writeUInt32LE(offset, 16);
      return new Uint8Array(Buffer.concat([...locals, cd, end]));
    }

    /** A good statement workbook's parts (as exceljs writes them), its worksheet first as Excel writes it, each changed by `edit`. */
    async function parts(edit: (name: string, xml: Buffer) => Promise<Part | undefined> = async () => undefined): Promise<Part[]> {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Statement');
      ws.addRow(['date', 'reference', 'amount', 'description']);
      ws.addRow(['2026-04-15', 'BOMB-1', '1.00', 'a line']);
      const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
      const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
      names.sort((a, b) => Number(b === 'xl/worksheets/sheet1.xml') - Number(a === 'xl/worksheets/sheet1.xml'));
      const out: Part[] = [];
      for (const name of names) {
        const xml = Buffer.from(await zip.file(name)!.async('uint8array'));
        out.push((await edit(name, xml)) ?? { name, deflated: zlib.deflateRawSync(xml), declared: xml.length });
      }
      return out;
    }

    const bigTmpFiles = () =>
      fs.readdirSync(os.tmpdir()).filter((f) => {
        try {
          return fs.statSync(path.join(os.tmpdir(), f)).size > 100 * 1024 * 1024;
        } catch {
          return false;
        }
      });

    it('imports the hand-made workbook when nothing in it lies (the zip writer of these tests is sound)', async function () {
      const r = await upload(new Blob([zipOf(await parts())]), {}, 'statement.xlsx');
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      expect(r.body.lineCount).to.equal(1);
    });

    it('refuses a worksheet that unpacks past 1 GiB while declaring 1 KB, writing nothing to disk', async function () {
      this.timeout(300_000);
      const before = bigTmpFiles();
      const padding = Buffer.alloc(1024 * 1024, ' ');
      const zip = zipOf(
        await parts(async (name, xml) => {
          if (name !== 'xl/worksheets/sheet1.xml') return undefined;
          return { name, declared: 1024, deflated: await deflated([xml, ...Array.from({ length: 1100 }, () => padding)]) };
        }),
      );
      expect(zip.length).to.be.below(5 * 1024 * 1024);
      const e = await refused(new Blob([zip]), {}, 'statement.xlsx');
      expect(e.details).to.deep.equal([{ path: '(file)', message: 'the workbook part "xl/worksheets/sheet1.xml" unpacks to more than 1073741824 bytes, more than any statement needs' }]);
      expect(bigTmpFiles().filter((f) => !before.includes(f)), 'no worksheet spooled to a temporary file').to.deep.equal([]);
    });

    it('refuses a part that declares more than it may unpack to, without unpacking it', async function () {
      const zip = zipOf(await parts(async (name, xml) => (name === 'xl/worksheets/sheet1.xml' ? { name, declared: 0xfffffff0, deflated: zlib.deflateRawSync(xml) } : undefined)));
      const e = await refused(new Blob([zip]), {}, 'statement.xlsx');
      expect(e.details).to.deep.equal([{ path: '(file)', message: 'the workbook part "xl/worksheets/sheet1.xml" unpacks to more than 1073741824 bytes, more than any statement needs' }]);
    });

    it('refuses more than 5,000,000 shared strings (each held in memory)', async function () {
      this.timeout(300_000);
      const zip = zipOf(
        await parts(async (name, xml) => {
          if (name !== 'xl/sharedStrings.xml') return undefined;
          const text = xml.toString();
          const at = text.lastIndexOf('</sst>');
          const filler = Buffer.from('<si><t>a</t></si>'.repeat(10_000));
          const pieces = [Buffer.from(text.slice(0, at)), ...Array.from({ length: 501 }, () => filler), Buffer.from(text.slice(at))];
          return { name, declared: pieces.reduce((n, b) => n + b.length, 0), deflated: await deflated(pieces) };
        }),
      );
      const e = await refused(new Blob([zip]), {}, 'statement.xlsx');
      expect(e.details).to.deep.equal([{ path: '(file)', message: 'the workbook has more than 5000000 shared strings, more than any statement needs' }]);
    });

    it('refuses a workbook of more than 1000 parts', async function () {
      const extra = Array.from({ length: 1000 }, (_, i) => ({ name: `xl/media/image${i}.png`, deflated: zlib.deflateRawSync(Buffer.from('x')), declared: 1 }));
      const e = await refused(new Blob([zipOf([...(await parts()), ...extra])]), {}, 'statement.xlsx');
      expect(e.details).to.deep.equal([{ path: '(file)', message: 'the workbook has more than 1000 parts; a statement has a few dozen' }]);
    });
  });

  describe('the upload itself', function () {
    /** A body of `mib` MiB of statement-like lines, made as it is sent. */
    function endless(mib: number): ReadableStream<Uint8Array> {
      const chunk = new TextEncoder().encode(`2026-04-15,R,1.00,${'x'.repeat(1024 * 1024 - 19)}\n`);
      let sent = 0;
      return new ReadableStream({
        pull(c) {
          if (sent++ < mib) c.enqueue(chunk);
          else c.close();
        },
      });
    }

    it('answers 413 to a body over 512 MiB, as a response and not a reset connection', async function () {
      this.timeout(300_000);
      const before = await count();
      const res = await fetch(`${h.url}/v1/reconciliations?quarter=2026Q2&bankId=${p.bankA}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv' },
        body: endless(520),
        duplex: 'half',
      } as RequestInit);
      expect(res.status).to.equal(413);
      const body = (await res.json()) as any;
      expect(body.error.details).to.deep.equal([{ path: 'file', message: 'at most 536870912 bytes' }]);
      expect(await count()).to.equal(before);
      expect((await h.call('GET', '/v1/reconciliations?quarter=2026Q2', { token: officer })).status).to.equal(200);
    });

    it('answers 413 to a form whose file is over 512 MiB', async function () {
      this.timeout(300_000);
      const before = await count();
      const boundary = 'bounds-test-boundary';
      const enc = new TextEncoder();
      const head = enc.encode(
        `--${boundary}\r\ncontent-disposition: form-data; name="quarter"\r\n\r\n2026Q2\r\n--${boundary}\r\ncontent-disposition: form-data; name="bankId"\r\n\r\n${p.bankA}\r\n` +
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.csv"\r\ncontent-type: text/csv\r\n\r\n`,
      );
      const tail = enc.encode(`\r\n--${boundary}--\r\n`);
      const file = endless(520).getReader();
      let stage = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          if (stage === 0) {
            stage = 1;
            return c.enqueue(head);
          }
          if (stage === 1) {
            const r = await file.read();
            if (!r.done) return c.enqueue(r.value);
            stage = 2;
            return c.enqueue(tail);
          }
          c.close();
        },
      });
      const res = await fetch(`${h.url}/v1/reconciliations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officer}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).to.equal(413);
      expect(((await res.json()) as any).error.details).to.deep.equal([{ path: 'file', message: 'at most 536870912 bytes' }]);
      expect(await count()).to.equal(before);
    });

    it('reads a bare body in the charset its Content-Type names', async function () {
      // 利息补贴 in GB18030 (two bytes each): not UTF-8.
      const gb = Buffer.concat([Buffer.from(`${HEADER}\n2026-04-15,GB-1,1.00,`), Buffer.from([0xc0, 0xfb, 0xcf, 0xa2, 0xb2, 0xb9, 0xcc, 0xf9]), Buffer.from('\n')]);
      const res = await fetch(`${h.url}/v1/reconciliations?quarter=2026Q2&bankId=${p.bankA}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv; charset=gb18030' },
        body: new Uint8Array(gb),
      });
      const body = (await res.json()) as any;
      expect(res.status, JSON.stringify(body)).to.equal(201);
      const lines = (await h.call('GET', `/v1/reconciliations/${body.id}/lines`, { token: officer })).body;
      expect(lines.map((l: any) => l.description)).to.deep.equal(['利息补贴']);
      const before = await count();
      const both = await fetch(`${h.url}/v1/reconciliations?quarter=2026Q2&bankId=${p.bankA}&encoding=utf-8`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv; charset=gb18030' },
        body: new Uint8Array(gb),
      });
      expect(both.status).to.equal(400);
      expect(((await both.json()) as any).error.details).to.deep.equal([{ path: 'encoding', message: 'charset "gb18030" and encoding "utf-8" disagree: say the file\'s encoding once' }]);
      expect(await count()).to.equal(before);
    });
  });
});
