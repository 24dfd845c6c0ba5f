import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { Readable } from 'node:stream';
import { adminOf } from '../support/env';
import ExcelJS from 'exceljs';
import { financeSuite, paidClaim, paidClaims, csv, bytes, type People, type PaidClaim } from './helpers';
import { importStatement, StatementFileError, type ImportResult } from '../../db/reconciliation';
import { businessDateOf } from '../../domain/business-day';
import { addDays } from '../../domain/dates';
import { refusalOf } from '../support/refusal';

const HEADER = 'date,reference,amount,description';
const today = businessDateOf(new Date());

describe('finance: statement reconciliation', function () {
  const suite = financeSuite('recon');
  let db: Knex, p: People;
  before(() => {
    ({ db, p } = suite);
  });

  const run = (bankId: string, quarter: string, lines: string[], fileName = 'statement.csv'): Promise<ImportResult> =>
    importStatement(db, { bankId, quarter, fileName, open: csv([HEADER, ...lines]), actor: p.officer, today });

  const items = (id: string) =>
    db('reconciliation_items as i')
      .leftJoin('statement_lines as l', function () {
        this.on('l.reconciliation_id', 'i.reconciliation_id').andOn('l.line_no', 'i.line_no');
      })
      .where('i.reconciliation_id', id)
      .orderBy('i.item_no')
      .select('i.item_no', 'i.kind', 'i.line_no', 'i.payout_entry_id', 'i.claim_id', 'i.note', 'l.reference', 'l.amount');

  it('reports every kind of mismatch, each once, and keeps the statement as it came', async function () {
    const pay = (amount: string, paidOn: string, bankId = p.bankA) => paidClaim(db, p, { bankId, amount, paidOn });
    const exact = await pay('100.00', '2026-04-10');
    const short = await pay('200.00', '2026-05-04');
    const late = await pay('300.00', '2026-05-11');
    const unseen = await pay('400.00', '2026-06-01');
    const twice = await pay('500.00', '2026-06-10');
    const lastQuarter = await pay('600.00', '2026-03-20');
    const otherBank = await pay('700.00', '2026-04-20', p.bankB);

    const r = await run(p.bankA, '2026Q2', [
      `2026-04-11,${exact.claimId.toUpperCase()},100.00,subsidy Q1`, // line 2: matched, reference case aside, a day later
      `2026-05-04,${short.claimId},210.00,`, // line 3: amount differs
      `2026-05-30,${late.claimId},300.00,`, // line 4: 19 days after the payout: date differs
      `2026-06-10,${twice.claimId},500,"booked, then booked again"`, // line 5: matched ("500" is 500.00)
      `2026-06-11,${twice.claimId},500.00,`, // line 6: duplicated
      `2026-04-02,${lastQuarter.claimId},600.00,`, // line 7: paid in 2026Q1
      `2026-04-21,${otherBank.claimId},700.00,`, // line 8: another bank's claim
      `2026-06-15,NOT-A-CLAIM,12.34,unknown transfer`, // line 9: missing in ledger
    ]);

    expect(r).to.include({
      lineCount: 8,
      statementTotal: '2922.34',
      payoutCount: 5,
      payoutTotal: '1500.00',
      matched: 2,
      missingInLedger: 3,
      missingInStatement: 1,
      amountDiffers: 1,
      dateDiffers: 1,
      duplicated: 1,
    });
    const got = await items(r.id);
    expect(got.map((i) => [i.kind, i.line_no, i.claim_id])).to.deep.equal([
      ['amount_differs', 3, short.claimId],
      ['date_differs', 4, late.claimId],
      ['duplicated', 6, twice.claimId],
      ['missing_in_ledger', 7, lastQuarter.claimId],
      ['missing_in_ledger', 8, otherBank.claimId],
      ['missing_in_ledger', 9, null],
      ['missing_in_statement', null, unseen.claimId],
    ]);
    expect(got[3].note).to.equal(`claim ${lastQuarter.claimId} was paid on 2026-03-20 (entry ${lastQuarter.entryId}), outside this quarter`);
    expect(got[4].note).to.equal(`claim ${otherBank.claimId} belongs to another bank`);
    expect(got[6].payout_entry_id).to.equal(unseen.entryId);

    const lines = await db('statement_lines').where({ reconciliation_id: r.id }).orderBy('line_no');
    expect(lines.map((l) => [l.line_no, l.amount, l.outcome])).to.deep.equal([
      [2, '100.00', 'matched'],
      [3, '210.00', 'amount_differs'],
      [4, '300.00', 'date_differs'],
      [5, '500.00', 'matched'],
      [6, '500.00', 'duplicated'],
      [7, '600.00', 'missing_in_ledger'],
      [8, '700.00', 'missing_in_ledger'],
      [9, '12.34', 'missing_in_ledger'],
    ]);
    expect(lines[0].reference).to.equal(exact.claimId.toUpperCase());
    expect(lines[3].description).to.equal('booked, then booked again');
    const auditRow = await db('audit_log').where({ entity_type: 'reconciliation', entity_id: r.id }).first();
    expect(auditRow).to.include({ action: 'reconciliation.import', actor_username: 'fin-officer' });
  });

  it('stores every line exactly as the file wrote it: amounts of every shape, dates, any text', async function () {
    const amounts = ['0.05', '0.5', '1', '10000', '10000.01', '12345678.9', '9999999999999999.99', '100.10', '7.07', '1234'];
    const texts = ['tab\there', 'back\\slash', '利息补贴', '😀 emoji', '\\N', ''];
    const lines = amounts.map((a, i) => `2026-0${4 + (i % 3)}-${String(1 + i).padStart(2, '0')},REF-${i}${i === 3 ? '\\x' : ''},${a},${texts[i % texts.length]}`);
    const r = await run(p.bankA, '2026Q2', lines.map((l) => (l.includes('\t') ? l.replace(/,([^,]*)$/, ',"$1"') : l)));
    const stored = await db('statement_lines').where({ reconciliation_id: r.id }).orderBy('line_no').select(db.raw('line_no, value_date::text as d, reference, amount::text as amount, description'));
    expect(stored).to.deep.equal(
      amounts.map((a, i) => ({
        line_no: i + 2,
        d: `2026-0${4 + (i % 3)}-${String(1 + i).padStart(2, '0')}`,
        reference: `REF-${i}${i === 3 ? '\\x' : ''}`,
        amount: a.includes('.') ? (a.split('.')[1]!.length === 1 ? `${a}0` : a) : `${a}.00`,
        description: texts[i % texts.length],
      })),
    );
    expect(r.statementTotal).to.equal('10000000012367021.62');
  });

  it('reads every payout amount exactly as the ledger holds it (cents, whole yuan, long amounts)', async function () {
    const amounts = ['0.05', '0.50', '1.00', '10000.00', '10000.01', '12345678.90', '100000000.01', '7.07'];
    const claims = await paidClaims(db, p, amounts.map((amount, i) => ({ bankId: p.bankB, amount, paidOn: `2025-10-${String(10 + i).padStart(2, '0')}` })));
    const r = await run(
      p.bankB,
      '2025Q4',
      claims.map((c, i) => `2025-10-${String(10 + i).padStart(2, '0')},${c.claimId},${amounts[i]!.replace(/\.00$/, '').replace(/(\.\d)0$/, '$1')},`),
    );
    // The statement writes them as banks do ("1", "0.5"); the ledger holds "1.00", "0.50".
    expect(r).to.include({ lineCount: amounts.length, matched: amounts.length, payoutCount: amounts.length, payoutTotal: '112365687.54', statementTotal: '112365687.54' });
  });

  it('refuses to change a reconciliation, its lines or its mismatches afterwards', async function () {
    const c = await paidClaim(db, p, { bankId: p.bankB, amount: '10.00', paidOn: '2026-04-01' });
    const r = await run(p.bankB, '2026Q2', [`2026-04-01,${c.claimId},10.01,`]);
    // The application's role lacks the privilege; the owner is stopped by the tables' triggers.
    expect(await refusalOf(db('statement_lines').where({ reconciliation_id: r.id }).update({ amount: '10.00' }))).to.match(/permission denied for table statement_lines/);
    expect(await refusalOf(db('reconciliation_items').where({ reconciliation_id: r.id }).delete())).to.match(/permission denied for table reconciliation_items/);
    const owner = adminOf(db);
    expect(await refusalOf(owner('statement_lines').where({ reconciliation_id: r.id }).update({ amount: '10.00' }))).to.match(/append-only/);
    expect(await refusalOf(owner('reconciliation_items').where({ reconciliation_id: r.id }).delete())).to.match(/append-only/);
    expect(await refusalOf(db('reconciliations').where({ id: r.id }).update({ matched: 1 }))).to.match(/final once imported/);
    expect(await refusalOf(db('statement_lines').insert({ reconciliation_id: r.id, line_no: 99, value_date: '2026-04-02', reference: 'x', amount: '1.00', outcome: 'missing_in_ledger' }))).to.match(
      /only while their reconciliation is importing/,
    );
    // The lines live in the reconciliation's own partition: closed to the application, and to the
    // owner too once the import has ended; no new one for a reconciliation that is not importing.
    const partition = `statement_lines_${r.id.replace(/-/g, '')}`;
    const line = { reconciliation_id: r.id, line_no: 99, value_date: '2026-04-02', reference: 'x', amount: '1.00', outcome: 'missing_in_ledger' };
    expect(await refusalOf(db(partition).insert(line))).to.match(new RegExp(`permission denied for table ${partition}`));
    expect(await refusalOf(owner(partition).insert(line))).to.match(/only while their reconciliation is importing/);
    expect(await refusalOf(owner(partition).truncate())).to.match(/append-only/);
    expect(await refusalOf(db.raw('select statement_lines_begin(?::uuid)', [r.id]))).to.match(/is not importing/);
    expect(await refusalOf(db.raw('select statement_lines_new_partition(gen_random_uuid())'))).to.match(/permission denied for schema public/);
    expect((await db('statement_lines').where({ reconciliation_id: r.id }).count<{ count: number }[]>())[0]!.count).to.equal(1);
  });

  it('matches generated statements exactly as a simple model says (every kind, random mixes)', async function () {
    this.timeout(300_000);
    type Fate = 'matched' | 'amount_differs' | 'date_differs' | 'missing_in_statement' | 'duplicated';
    const fate = fc.constantFrom<Fate>('matched', 'amount_differs', 'date_differs', 'missing_in_statement', 'duplicated');
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ fate, fen: fc.integer({ min: 1, max: 10_000_000 }), day: fc.integer({ min: 0, max: 60 }), extra: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 4 }),
        async (specs, unknown) => {
          // Each round its own bank, so rounds never see each other's payouts.
          round += 1;
          const [bank] = await db('organisations').insert({ type: 'bank', name: `model bank ${round} ${Date.now()}`, region: 'Changchun' }).returning('id');
          const amount = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
          const claims: PaidClaim[] = await paidClaims(
            db,
            p,
            specs.map((s) => ({ bankId: bank.id, amount: amount(s.fen), paidOn: addDays('2026-07-01', s.day) })),
          );
          const lines: string[] = [];
          const expected = { matched: 0, amountDiffers: 0, dateDiffers: 0, missingInStatement: 0, duplicated: 0, missingInLedger: unknown };
          specs.forEach((s, i) => {
            const c = claims[i]!;
            const onTime = addDays(c.paidOn, s.day % 8); // within the receipt window
            switch (s.fate) {
              case 'missing_in_statement':
                expected.missingInStatement += 1;
                break;
              case 'matched':
                lines.push(`${onTime},${c.claimId},${c.amount},`);
                expected.matched += 1;
                break;
              case 'amount_differs':
                lines.push(`${onTime},${c.claimId},${amount(s.fen + 1)},`);
                expected.amountDiffers += 1;
                break;
              case 'date_differs':
                lines.push(`${addDays(c.paidOn, 8 + (s.day % 5))},${c.claimId},${c.amount},`); // after the receipt window
                expected.dateDiffers += 1;
                break;
              case 'duplicated':
                for (let k = 0; k <= s.extra; k++) lines.push(`${onTime},${c.claimId},${c.amount},copy ${k}`);
                expected.matched += 1;
                expected.duplicated += s.extra;
                break;
            }
          });
          for (let k = 0; k < unknown; k++) lines.push(`2026-08-01,UNKNOWN-${round}-${k},1.00,`);
          if (lines.length === 0) {
            lines.push(`2026-08-01,UNKNOWN-${round}-x,1.00,`);
            expected.missingInLedger += 1;
          }
          // Shuffle deterministically so that order never decides the outcome.
          lines.sort();
          const r = await run(bank.id, '2026Q3', lines);
          expect(r).to.include(expected);
          expect(r.lineCount).to.equal(lines.length);
        },
      ),
      { numRuns: 15 },
    );
  });

  describe('bad files: a clear error naming line and column, and nothing imported', function () {
    const refused = async (open: () => Readable) => {
      const before = await db('reconciliations').count<{ n: number }[]>('* as n').first();
      try {
        await importStatement(db, { bankId: p.bankA, quarter: '2026Q2', fileName: 'bad.csv', open, actor: p.officer, today });
      } catch (e) {
        expect(e).to.be.instanceOf(StatementFileError);
        const after = await db('reconciliations').count<{ n: number }[]>('* as n').first();
        expect(after!.n).to.equal(before!.n);
        return e as StatementFileError;
      }
      throw new Error('the file was accepted');
    };

    it('wrong columns', async function () {
      const e = await refused(csv(['date,ref,amount', '2026-04-01,x,1.00']));
      expect(e.details).to.deep.include({ path: 'line 1, column 2 (ref)', message: 'unknown column "ref": expected the columns date,reference,amount,description (description optional)' });
      expect(e.details).to.deep.include({ path: 'line 1 (header)', message: 'missing column reference: expected the columns date,reference,amount,description (description optional)' });
    });

    it('bad amounts, dates and references, each with its line and column', async function () {
      const e = await refused(
        csv([HEADER, '2026-04-01,A,1.00,', '2026-04-02,B,1.005,', '2026-04-03,C,-5.00,', '2026-04-31,D,1.00,', '2026-07-01,E,1.00,', '2026-04-04,,1.00,', '2026-04-05,F,"80,000.00",', '2026-04-06,G,0.00,']),
      );
      expect(e.details.map((d) => d.path)).to.deep.equal([
        'line 3, column 3 (amount)',
        'line 4, column 3 (amount)',
        'line 5, column 1 (date)',
        'line 6, column 1 (date)',
        'line 7, column 2 (reference)',
        'line 8, column 3 (amount)',
        'line 9, column 3 (amount)',
      ]);
      expect(e.details[0]!.message).to.equal('must be a decimal string with at most 2 decimals, e.g. "80000.00", got "1.005"');
      expect(e.details[3]!.message).to.equal('2026-07-01 is outside the quarter (2026-04-01 to 2026-06-30)');
      expect(e.details[6]!.message).to.equal('must be greater than 0.00, got "0.00"');
      expect(e.message).to.match(/^The statement cannot be imported: line 3, column 3 \(amount\) — .*; nothing was imported$/);
    });

    it('bad encoding', async function () {
      const gbk = Buffer.concat([Buffer.from(`${HEADER}\n2026-04-01,A,1.00,ok\n2026-04-02,B,2.00,`), Buffer.from([0xb2, 0xb9, 0xcc, 0xf9]), Buffer.from('\n')]);
      const e = await refused(() => Readable.from([gbk]));
      expect(e.details).to.deep.equal([{ path: 'line 3', message: 'bytes that are not UTF-8: save the file as UTF-8 (or say encoding=gb18030)' }]);
    });

    it('empty files, and a header without lines', async function () {
      expect((await refused(csv([]))).details[0]).to.deep.equal({ path: 'line 1', message: 'the file is empty: expected a header line date,reference,amount,description' });
      expect((await refused(csv([HEADER]))).details[0]).to.deep.equal({ path: 'line 2', message: 'the statement has a header but no lines' });
    });

    it('broken quoting and stray columns', async function () {
      expect((await refused(csv([HEADER, '2026-04-01,"A,1.00,']))).details[0]!.message).to.match(/^not readable as CSV \(a quote is never closed\): Quote Not Closed/);
      expect((await refused(csv([HEADER, '2026-04-01,A,1.00,,surprise']))).details[0]).to.deep.equal({ path: 'line 2, column 5 ((no header))', message: 'a value in a column the header does not name' });
    });

    it('XLSX: positions as row and cell, formula noise refused, a broken workbook named as such', async function () {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Statement');
      ws.addRow(['Date', 'Reference', 'Amount']);
      ws.addRow(['2026-04-01', 'A', '1.00']);
      ws.addRow(['2026-04-02', 'B', 0.1 + 0.2]);
      ws.addRow([new Date(Date.UTC(2026, 6, 1)), 'C', '2.00']);
      const e = await refused(bytes(Buffer.from(await wb.xlsx.writeBuffer())));
      expect(e.details).to.deep.equal([
        { path: 'row 3, cell C3 (amount)', message: 'must be a decimal string with at most 2 decimals, e.g. "80000.00", got "0.30000000000000004"' },
        { path: 'row 4, cell A4 (date)', message: '2026-07-01 is outside the quarter (2026-04-01 to 2026-06-30)' },
      ]);
      const broken = await refused(bytes(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)])));
      expect(broken.details[0]!.path).to.equal('(file)');
      expect(broken.details[0]!.message).to.match(/^not readable as XLSX/);
    });

    it('a bad line after 10,000 good ones still imports nothing', async function () {
      const good = Array.from({ length: 10_000 }, (_, i) => `2026-04-01,R${i},1.00,`);
      const tables = async () => Number((await db.raw(`select count(*) from pg_tables where tablename like 'statement\\_lines\\_%'`)).rows[0].count);
      const before = await tables();
      const e = await refused(csv([HEADER, ...good, '2026-04-01,LAST,abc,']));
      expect(e.details).to.deep.equal([{ path: 'line 10002, column 3 (amount)', message: 'must be a decimal string with at most 2 decimals, e.g. "80000.00", got "abc"' }]);
      expect(await db('statement_lines').where({ reference: 'R1' }).first()).to.equal(undefined);
      expect(await tables(), "the import's own table went with its transaction").to.equal(before);
    });
  });
});
