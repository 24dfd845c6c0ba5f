import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Knex } from 'knex';
import { adminOf, testEnv, type TestEnv } from '../support/env';
import { createLedgerActivities } from '../../activities/ledger';
import { systemClock } from '../../activities/clock';
import { allocateBudget, reserveBudget } from '../../db/ledger';
import { projectRoot } from '../../config';
import { createFundFixture, privateDb, uniqueKey } from './helpers';

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), [path.join(projectRoot, 'scripts', 'ledger-verify.ts'), ...args], { cwd: projectRoot }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the ledger-sealing activity and the verify CLI', function () {
  this.timeout(60_000);
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  it('the sealing activity chains what has committed since the last seal, once', async () => {
    const acts = createLedgerActivities({ db: env.db, clock: systemClock });
    const { fund } = await createFundFixture(env.db);
    await allocateBudget(env.adminDb, { fundId: fund.id, amount: '100.00', postedOn: '2027-01-03', idempotencyKey: uniqueKey('wf-1:allocate') });
    const sealed = await acts.ledgerSeal();
    expect(sealed.entries).to.be.greaterThan(0);
    expect(sealed.headHash).to.match(/^[0-9a-f]{64}$/);
    const again = await acts.ledgerSeal();
    expect(again).to.deep.include({ entries: 0, headHash: sealed.headHash });
  });

  describe('scripts/ledger-verify.ts (private database)', () => {
    let db: Knex;
    let url: string;
    before(async () => {
      db = await privateDb(env, 'ledger_cli');
      url = (db.client.config.connection as { connectionString: string }).connectionString;
      const { fund } = await createFundFixture(db);
      await allocateBudget(adminOf(db), { fundId: fund.id, amount: '10.00', postedOn: '2027-01-03', idempotencyKey: uniqueKey('a') });
      await reserveBudget(db, { fundId: fund.id, amount: '4.00', postedOn: '2027-01-04', idempotencyKey: uniqueKey('b') });
    });
    after(async () => {
      await db?.destroy();
    });

    it('seals, verifies, and exits 0 when intact; exits 1 naming the entry after tampering', async () => {
      const clean = await runCli(['--url', url, '--seal']);
      expect(clean.code, clean.stderr).to.equal(0);
      const report = JSON.parse(clean.stdout);
      expect(report).to.deep.include({ ok: true, entries: 2, sealed: 2, unsealed: 0, sealedNow: 2 });

      const headOk = await runCli(['--url', url, '--expect-head', report.headHash]);
      expect(headOk.code).to.equal(0);
      expect(JSON.parse(headOk.stdout).headMatches).to.equal(true);

      const victim = (await db('ledger_entries').orderBy('id').first('id')).id;
      await adminOf(db).transaction(async (trx) => {
        await trx.raw('set local session_replication_role = replica');
        await trx.raw(`update ledger_entries set description = 'rewritten' where id = ?`, [victim]);
      });
      const tampered = await runCli(['--url', url]);
      expect(tampered.code).to.equal(1);
      expect(JSON.parse(tampered.stdout)).to.deep.include({ ok: false, chainIntact: false, firstBadEntry: victim });
    });
  });
});
