import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { ApiHarness } from '../support/api';
import { financeSuite, paidClaim, type People, type PaidClaim } from './helpers';
import { getEntry } from '../../db/ledger';

const HEADER = 'date,reference,amount,description';

describe('finance API: statement upload, mismatches and their resolution', function () {
  const suite = financeSuite('finapi', { api: true });
  let db: Knex, h: ApiHarness, p: People, paid: PaidClaim[], officer: string, approver: string;

  before(async function () {
    ({ db, h, p } = suite);
    officer = await h.login('fin-officer');
    approver = await h.login('fin-approver');
    paid = [];
    for (const [amount, paidOn] of [
      ['1200.50', '2026-04-15'],
      ['830.00', '2026-05-15'],
      ['99.99', '2026-06-15'],
    ] as const) {
      paid.push(await paidClaim(db, p, { bankId: p.bankA, amount, paidOn }));
    }
  });

  const statement = () => [HEADER, `2026-04-15,${paid[0]!.claimId},1200.50,Q1 subsidy`, `2026-05-16,${paid[1]!.claimId},803.00,typo at the bank`].join('\n') + '\n';

  async function upload(o: { token: string; body: Blob; fileName?: string; fields?: Record<string, string>; key?: string }) {
    const form = new FormData();
    for (const [k, v] of Object.entries(o.fields ?? { quarter: '2026Q2', bankId: p.bankA })) form.append(k, v);
    form.append('file', o.body, o.fileName ?? 'statement.csv');
    const res = await fetch(`${h.url}/v1/reconciliations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.token}`, ...(o.key ? { 'idempotency-key': o.key } : {}) },
      body: form,
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  }

  it('imports a CSV sent as a form, and answers with the counts and the mismatches', async function () {
    const r = await upload({ token: officer, body: new Blob([statement()], { type: 'text/csv' }) });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body).to.include({ bankId: p.bankA, quarter: '2026Q2', sourceFormat: 'csv', fileName: 'statement.csv', lineCount: 2, matched: 1, mismatchCount: 2, unresolved: 2, current: true });
    expect(r.body.statementTotal).to.equal('2003.50');
    expect(r.body.payoutTotal).to.equal('2130.49');
    expect(r.body.counts).to.deep.equal({ missing_in_ledger: 0, missing_in_statement: 1, amount_differs: 1, date_differs: 0, duplicated: 0 });
    expect(r.body.mismatches.map((m: any) => [m.itemNo, m.kind, m.lineNo, m.statementAmount, m.ledgerAmount, m.claimId])).to.deep.equal([
      [1, 'amount_differs', 3, '803.00', '830.00', paid[1]!.claimId],
      [2, 'missing_in_statement', null, null, '99.99', paid[2]!.claimId],
    ]);
  });

  it('imports the same statement as XLSX, and as a bare CSV body, with the same outcome', async function () {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Statement');
    ws.addRow(['date', 'reference', 'amount', 'description']);
    ws.addRow([new Date(Date.UTC(2026, 3, 15)), paid[0]!.claimId, '1200.50', 'Q1 subsidy']);
    ws.addRow(['2026-05-16', paid[1]!.claimId, 803, 'a number cell']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const x = await upload({ token: officer, body: new Blob([xlsx]), fileName: 'statement.xlsx' });
    expect(x.status, JSON.stringify(x.body)).to.equal(201);
    expect(x.body).to.include({ sourceFormat: 'xlsx', lineCount: 2, matched: 1, statementTotal: '2003.50' });
    expect(x.body.mismatches.map((m: any) => m.kind)).to.deep.equal(['amount_differs', 'missing_in_statement']);

    const res = await fetch(`${h.url}/v1/reconciliations?quarter=2026Q2&bankId=${p.bankA}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv', 'x-file-name': 'bare.csv' },
      body: statement(),
    });
    const raw = (await res.json()) as any;
    expect(res.status, JSON.stringify(raw)).to.equal(201);
    expect(raw).to.include({ fileName: 'bare.csv', matched: 1, lineCount: 2 });
    // The newest import is the one that counts; the older ones say which superseded them.
    const list = await h.call('GET', `/v1/reconciliations?quarter=2026Q2&bankId=${p.bankA}`, { token: await h.login('auditor') });
    expect(list.body.items.map((r: any) => r.current)).to.deep.equal([true, false, false]);
    expect(list.body.items[1].supersededBy).to.equal(raw.id);
  });

  it('refuses a bad file with its line and column, importing nothing', async function () {
    const before = await db('reconciliations').count<{ n: number }[]>('* as n').first();
    const r = await upload({ token: officer, body: new Blob([`${HEADER}\n2026-04-15,A,12.345,\n2026-13-01,B,1.00,\n`]) });
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    expect(r.body.error.details).to.deep.equal([
      { path: 'line 2, column 3 (amount)', message: 'must be a decimal string with at most 2 decimals, e.g. "80000.00", got "12.345"' },
      { path: 'line 3, column 1 (date)', message: 'must be a date YYYY-MM-DD, got "2026-13-01"' },
    ]);
    const after = await db('reconciliations').count<{ n: number }[]>('* as n').first();
    expect(after!.n).to.equal(before!.n);
  });

  it('names a missing field or file, and refuses other roles', async function () {
    const noQuarter = await upload({ token: officer, body: new Blob([statement()]), fields: { bankId: p.bankA } });
    expect(noQuarter.status).to.equal(400);
    expect(noQuarter.body.error.details[0].path).to.equal('quarter');
    // A training institution is no bank, nor the officer's bureau (whose own account's statement is accepted).
    const training = (await db('organisations').where({ type: 'training_institution' }).first('id')).id as string;
    const notBank = await upload({ token: officer, body: new Blob([statement()]), fields: { quarter: '2026Q2', bankId: training } });
    expect(notBank.status).to.equal(400);
    expect(notBank.body.error.details).to.deep.equal([{ path: 'bankId', message: 'no bank organisation with this id, nor your own finance bureau' }]);
    const json = await h.call('POST', '/v1/reconciliations', { token: officer, body: { quarter: '2026Q2', bankId: p.bankA } });
    expect(json.status).to.equal(400);
    expect(json.body.error.details[0].path).to.equal('file');
    expect((await upload({ token: await h.login('bank-a'), body: new Blob([statement()]) })).status).to.equal(403);
    expect((await upload({ token: await h.login('auditor'), body: new Blob([statement()]) })).status).to.equal(403);
  });

  it('replays an upload with the same Idempotency-Key and file, and refuses the key with another file', async function () {
    const key = `upload-${Date.now()}`;
    const first = await upload({ token: officer, body: new Blob([statement()]), key });
    const again = await upload({ token: officer, body: new Blob([statement()]), key });
    expect(again.status).to.equal(201);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.body.id).to.equal(first.body.id);
    const other = await upload({ token: officer, body: new Blob([statement().replace('803.00', '830.00')]), key });
    expect(other.status).to.equal(409);
  });

  it('resolves by explanation (officer) or by a correcting reversal (approver only), once each, never editing', async function () {
    const r = await upload({ token: officer, body: new Blob([statement()]) });
    const [typo, unseen] = r.body.mismatches;
    const path = (n: number) => `/v1/reconciliations/${r.body.id}/mismatches/${n}/resolution`;

    const explained = await h.call('POST', path(typo.itemNo), { token: officer, body: { resolution: 'explanation', reason: 'bank keyed 803.00; its correction arrives next quarter' } });
    expect(explained.status, JSON.stringify(explained.body)).to.equal(200);
    expect(explained.body.resolution).to.include({ kind: 'explanation', by: 'fin-officer', role: 'finance_officer', reversalEntryId: null });
    const twice = await h.call('POST', path(typo.itemNo), { token: approver, body: { resolution: 'explanation', reason: 'again' } });
    expect(twice.status).to.equal(409);

    const byOfficer = await h.call('POST', path(unseen.itemNo), { token: officer, body: { resolution: 'reversal', reason: 'the bank never received it' } });
    expect(byOfficer.status).to.equal(403);
    const reversed = await h.call('POST', path(unseen.itemNo), { token: approver, body: { resolution: 'reversal', reason: 'the bank never received it' } });
    expect(reversed.status, JSON.stringify(reversed.body)).to.equal(200);
    const entry = await getEntry(db, reversed.body.resolution.reversalEntryId);
    expect(entry.reversesEntryId).to.equal(paid[2]!.entryId);
    expect(entry.kind).to.equal('reversal');

    const open = await h.call('GET', `/v1/reconciliations/${r.body.id}/mismatches?unresolved=true`, { token: officer });
    expect(open.body.total).to.equal(0);
    const audits = await db('audit_log').where({ entity_type: 'reconciliation', entity_id: r.body.id }).orderBy('id').pluck('action');
    expect(audits).to.deep.equal(['reconciliation.import', 'reconciliation.mismatch.explanation', 'reconciliation.mismatch.reversal']);

    // An older import of the same bank and quarter is superseded: its mismatches are not resolved any more.
    const older = (await h.call('GET', `/v1/reconciliations?quarter=2026Q2&bankId=${p.bankA}`, { token: officer })).body.items[1];
    const stale = await h.call('POST', `/v1/reconciliations/${older.id}/mismatches/1/resolution`, { token: officer, body: { resolution: 'explanation', reason: 'late' } });
    expect(stale.status).to.equal(409);
    expect(stale.body.error.message).to.match(/superseded/);
  });

  it('lists the statement lines with their outcome, in keyset pages', async function () {
    const list = await h.call('GET', `/v1/reconciliations?quarter=2026Q2&bankId=${p.bankA}`, { token: officer });
    const id = list.body.items[0].id;
    const page1 = await h.call('GET', `/v1/reconciliations/${id}/lines?limit=1`, { token: officer });
    expect(page1.body).to.deep.equal([{ lineNo: 2, date: '2026-04-15', reference: paid[0]!.claimId, amount: '1200.50', description: 'Q1 subsidy', outcome: 'matched', payoutEntryId: paid[0]!.entryId }]);
    const page2 = await h.call('GET', `/v1/reconciliations/${id}/lines?limit=1&after=2`, { token: officer });
    expect(page2.body.map((l: any) => [l.lineNo, l.outcome])).to.deep.equal([[3, 'amount_differs']]);
    expect((await h.call('GET', `/v1/reconciliations/${id}/lines`, { token: await h.login('bank-a') })).status).to.equal(403);
  });

  it('documents the upload, the finance routes and the report files in /openapi.json', async function () {
    const doc = (await h.call('GET', '/openapi.json')).body;
    const upload = doc.paths['/v1/reconciliations'].post;
    expect(Object.keys(upload.requestBody.content)).to.deep.equal(['multipart/form-data', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    expect(doc.components.schemas.StatementUpload.required).to.deep.equal(['quarter', 'bankId', 'file']);
    for (const p of ['/v1/reconciliations/{id}/mismatches/{itemNo}/resolution', '/v1/periods/{quarter}/close', '/v1/periods/{quarter}/reopen', '/v1/reports/kpi']) {
      expect(Object.keys(doc.paths), p).to.include(p);
    }
    expect(Object.keys(doc.paths['/v1/reports/kpi'].get.responses['200'].content)).to.include.members(['application/json', 'text/csv']);
  });
});
