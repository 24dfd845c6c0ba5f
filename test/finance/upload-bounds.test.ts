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
});
