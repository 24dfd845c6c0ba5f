import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createDb } from '../../db/knex';
import { testEnv, TEST_APP_ROLE, withOwner, type TestEnv } from '../support/env';
import { urlAs } from '../../db/app-role';
import { people, paidClaim } from './helpers';
import type { Knex } from 'knex';

const root = path.resolve(__dirname, '../..');

/** The owner of this test's database: `demo seed` migrates as it (MIGRATION_DATABASE_URL). */
let ownerUrl: string;

/**
 * Runs the real CLI (`tsx scripts/cli.ts`) against this test's own database, as the application's
 * role; a command with `--as` gets the demo users' password through LOANFLOW_PASSWORD (stdin is
 * no terminal here), unless `password` says otherwise (null: none at all).
 */
function cli(url: string, args: string[], password: string | null = 'demo'): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const { LOANFLOW_PASSWORD: _, ...rest } = process.env;
    const env = { ...rest, DATABASE_URL: url, MIGRATION_DATABASE_URL: ownerUrl, ...(password === null ? {} : { LOANFLOW_PASSWORD: password }) };
    execFile(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/cli.ts'), ...args], { cwd: root, env }, (e, out, err) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: String(out), err: String(err) }),
    );
  });
}

describe('loanflow CLI', function () {
  this.timeout(180_000);
  let env: TestEnv;
  let url: string;
  let db: Knex;
  let owner: Knex | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanflow-cli-'));

  before(async function () {
    env = await testEnv();
    const name = `cli_${Date.now()}`;
    await env.pg.createDatabase(name);
    ownerUrl = env.pg.urlFor(name);
    url = urlAs(ownerUrl, TEST_APP_ROLE);
  });
  after(async () => {
    await db?.destroy();
    await owner?.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('seeds the demo data into an empty database, once', async function () {
    const first = await cli(url, ['demo', 'seed']);
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.match(/demo data seeded; users \(password "demo"\): trainer, /);
    const again = await cli(url, ['demo', 'seed']);
    expect(again.out).to.match(/nothing seeded/);
    // The owner too: the test's fund gets its budget from the owner, as the demo's does.
    owner = createDb(ownerUrl, { max: 1 });
    db = withOwner(createDb(url), owner);
  });

  it('imports a statement with a summary, refuses a bad one with line and column, and shows the mismatches', async function () {
    const p = await people(db);
    const c = await paidClaim(db, p, { bankId: p.bankA, amount: '321.00', paidOn: '2026-05-05' });
    const file = path.join(tmp, 'statement.csv');
    fs.writeFileSync(file, `date,reference,amount,description\n2026-05-05,${c.claimId},321.00,ok\n2026-05-06,SOMETHING-ELSE,5.00,\n`);
    const r = await cli(url, ['reconcile', 'import', file, '--bank', 'Changchun Rural Commercial Bank', '--quarter', '2026Q2', '--as', 'fin-officer']);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.match(/matched\s+1\n/);
    expect(r.out).to.match(/missing in ledger\s+1\n/);
    const id = /reconciliation ([0-9a-f-]{36})/.exec(r.out)![1]!;

    const shown = await cli(url, ['reconcile', 'mismatches', id]);
    expect(shown.out).to.match(/#1 {2}missing_in_ledger {2}line 3 {2}ref SOMETHING-ELSE .* UNRESOLVED/);

    fs.writeFileSync(file, 'date,reference,amount\n2026-05-05,X,1,5\n');
    const bad = await cli(url, ['reconcile', 'import', file, '--bank', 'Changchun Rural Commercial Bank', '--quarter', '2026Q2', '--as', 'fin-officer']);
    expect(bad.code).to.equal(1);
    expect(bad.err).to.contain('line 2, column 4 ((no header)): a value in a column the header does not name');

    const wrongRole = await cli(url, ['reconcile', 'import', file, '--bank', 'Changchun Rural Commercial Bank', '--quarter', '2026Q2', '--as', 'bank-a']);
    expect(wrongRole.code).to.equal(1);
    expect(wrongRole.err).to.contain('refused (FORBIDDEN): importing a statement needs a finance officer or approver (role bank_officer)');
    const nobody = await cli(url, ['reconcile', 'import', file, '--bank', 'Changchun Rural Commercial Bank', '--quarter', '2026Q2']);
    expect(nobody.code).to.equal(2);
  });

  it('acts as a user only with that user\'s password: refused in one line without it, or with a wrong one', async function () {
    const none = await cli(url, ['period', 'close', '2025Q3', '--as', 'fin-approver'], null);
    expect(none.code).to.equal(2);
    expect(none.err.trim()).to.equal("--as fin-approver needs fin-approver's password: type it at a terminal, or set LOANFLOW_PASSWORD for a script");
    const wrong = await cli(url, ['period', 'close', '2025Q3', '--as', 'fin-approver'], 'not-the-password');
    expect(wrong.code).to.equal(1);
    expect(wrong.err.trim()).to.equal('refused (UNAUTHENTICATED): --as fin-approver: wrong password, or no active user of that name');
    const nobody = await cli(url, ['period', 'close', '2025Q3', '--as', 'no-such-user']);
    expect(nobody.err.trim()).to.equal('refused (UNAUTHENTICATED): --as no-such-user: wrong password, or no active user of that name');
    expect(await db('accounting_periods').where({ quarter: '2025Q3' }).first()).to.equal(undefined);
    expect(await db('audit_log').where({ action: 'period.close', entity_id: '2025Q3' })).to.have.length(0);
  });

  it('closes and reopens quarters through the same rules as the API', async function () {
    const blocked = await cli(url, ['period', 'close', '2026Q2', '--as', 'fin-approver']);
    expect(blocked.code).to.equal(1);
    expect(blocked.err).to.match(/refused \(INVALID_STATE\): 2026Q2 cannot close: unresolved missing_in_ledger/);
    const officer = await cli(url, ['period', 'close', '2025Q4', '--as', 'fin-officer']);
    expect(officer.err).to.contain('closing a quarter needs the finance approver');
    const closed = await cli(url, ['period', 'close', '2025Q4', '--as', 'fin-approver']);
    expect(closed.code, closed.err).to.equal(0);
    expect(closed.out).to.match(/^2025Q4: closed \(closed .* by fin-approver\)/);
    const asked = await cli(url, ['period', 'reopen', '2025Q4', '--as', 'fin-officer', '--reason', 'late bank correction']);
    expect(asked.code, asked.err).to.equal(0);
    expect(asked.out).to.match(/^2025Q4: closed/);
    const id = /reopen-approve 2025Q4 ([0-9a-f-]{36})/.exec(asked.out)?.[1];
    expect(id, asked.out).to.be.a('string');
    const reopened = await cli(url, ['period', 'reopen-approve', '2025Q4', id!, '--as', 'fin-approver']);
    expect(reopened.code, reopened.err).to.equal(0);
    expect(reopened.out).to.match(/^2025Q4: open/);
    expect(reopened.out).to.contain('reopen by fin-approver (asked by fin-officer): late bank correction');
  });

  it('writes the KPI report as XLSX and verifies the ledger', async function () {
    const out = path.join(tmp, 'kpi.xlsx');
    const r = await cli(url, ['report', 'kpi', '--from', '2026-01-01', '--to', '2026-12-31', '--group-by', 'bank', '--format', 'xlsx', '--out', out]);
    expect(r.code, r.err).to.equal(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.getWorksheet('KPI')!.getRow(1).getCell(1).value).to.equal('Group');
    const bad = await cli(url, ['report', 'kpi', '--from', '2026-01-01', '--to', '2026-12-31', '--group-by', 'street']);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.contain('--group-by is one of region, community, bank, training_institution');

    const v = await cli(url, ['ledger', 'verify']);
    expect(v.code, v.out + v.err).to.equal(0);
    expect(v.out).to.contain('ledger OK');
  });
});
