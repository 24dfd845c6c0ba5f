import { expect } from 'chai';
import fs from 'node:fs';
import type { Knex } from 'knex';
import { testEnv, type TestEnv } from '../support/env';
import { randomUUID } from 'node:crypto';
import { createDb, migrateLatest, migrationConfig, migrationsDir } from '../../db/knex';
import { urlAs } from '../../db/app-role';
import { seedDemoData } from '../../scripts/lib/demo-seed';
import { accountCode, postEntries, sealLedger, verifyLedger } from '../../db/ledger';

describe('knex migrations (real PostgreSQL)', () => {
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  /** A database of its own, not migrated, as its owner: rolling back never disturbs the other tests' tables. */
  async function emptyDatabase(prefix: string): Promise<Knex> {
    const name = `${prefix}_${Date.now()}`;
    await env.pg.createDatabase(name);
    return createDb(env.pg.urlFor(name));
  }

  it('go up, all the way down, and up again on an empty database', async () => {
    const db = await emptyDatabase('migrations');
    try {
      const files = fs.readdirSync(migrationsDir).filter((f) => /\.(ts|js)$/.test(f));
      const tables = async () =>
        (await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename')).filter((t: string) => !t.startsWith('knex_')).sort();

      const applied = await migrateLatest(db);
      expect(applied).to.have.length(files.length);
      const afterUp = await tables();
      expect(afterUp).to.include.members(['organisations', 'users']);

      await db.migrate.rollback(migrationConfig, true);
      expect(await tables()).to.deep.equal([]);

      await migrateLatest(db);
      expect(await tables()).to.deep.equal(afterUp);
    } finally {
      await db.destroy();
    }
  });

  it('each migration going down leaves the schema exactly as it found it (functions, constraints, indexes, triggers)', async () => {
    const db = await emptyDatabase('migrations_exact');
    // Ours only: knex's bookkeeping tables, and the functions of extensions (kept on the way down,
    // since other objects may use them), are not the migrations' to restore.
    const schema = async () => ({
      functions: (
        await db.raw(`select pg_get_functiondef(p.oid) as d from pg_proc p
                       where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
                         and not exists (select 1 from pg_depend e where e.objid = p.oid and e.deptype = 'e') order by 1`)
      ).rows,
      constraints: (await db.raw(`select conrelid::regclass::text as t, conname, pg_get_constraintdef(oid) as d from pg_constraint where connamespace = 'public'::regnamespace and conrelid::regclass::text not like 'knex\\_%' order by 1, 2`)).rows,
      indexes: (await db.raw(`select indexdef from pg_indexes where schemaname = 'public' and tablename not like 'knex\\_%' order by 1`)).rows,
      triggers: (await db.raw(`select pg_get_triggerdef(oid) as d from pg_trigger where not tgisinternal order by 1`)).rows,
    });
    try {
      const before: unknown[] = [];
      for (;;) {
        before.push(await schema());
        const [, applied] = await db.migrate.up(migrationConfig);
        if (applied.length === 0) break;
      }
      before.pop(); // the schema after the last migration
      while (before.length) {
        const expected = before.pop();
        const [, undone] = await db.migrate.down(migrationConfig);
        expect(await schema(), `after undoing ${undone.join(', ')}`).to.deep.equal(expected);
      }
    } finally {
      await db.destroy();
    }
  });

  it('moves statements imported before partitioning each into a partition of its own, and back on the way down', async () => {
    const db = await emptyDatabase('migrations_partitions');
    try {
      const files = fs.readdirSync(migrationsDir).filter((f) => /\.(ts|js)$/.test(f)).sort();
      const target = files.findIndex((f) => f.includes('statement_partitions'));
      while ((await db.migrate.list(migrationConfig))[0].length < target) await db.migrate.up(migrationConfig);
      await seedDemoData(db);
      const bank = (await db('organisations').where({ type: 'bank' }).first('id')).id;
      const officer = (await db('users').where({ username: 'fin-officer' }).first('id')).id;
      const ids = [randomUUID(), randomUUID()];
      for (const [k, id] of ids.entries()) {
        await db('reconciliations').insert({ id, bank_id: bank, quarter: '2026Q1', source_format: 'csv', file_name: 'old.csv', file_sha256: '0'.repeat(64), status: 'importing', imported_by: officer });
        await db('statement_lines').insert(
          Array.from({ length: 3 + k }, (_, i) => ({ reconciliation_id: id, line_no: i + 2, value_date: '2026-02-01', reference: `R${k}-${i}`, amount: '1.50', outcome: 'missing_in_ledger' })),
        );
      }
      const lines = async () => db('statement_lines').orderBy(['reconciliation_id', 'line_no']).select();
      const old = await lines();

      await db.migrate.up(migrationConfig);
      expect(await lines(), 'the same rows, read through the parent').to.deep.equal(old);
      const { rows: parts } = await db.raw(`select inhrelid::regclass::text as t from pg_inherits where inhparent = 'statement_lines'::regclass order by 1`);
      expect(parts.map((p: { t: string }) => p.t)).to.deep.equal(ids.map((id) => `statement_lines_${id.replace(/-/g, '')}`).sort());
      const dup = await db('statement_lines').insert({ reconciliation_id: ids[0], line_no: 2, value_date: '2026-02-01', reference: 'again', amount: '1.00', outcome: 'missing_in_ledger' }).then(() => 'inserted', (e: Error) => e.message);
      expect(dup, "each partition has the parent's primary key").to.match(/duplicate key/);
      await db.raw(`update reconciliations set status = 'imported', line_count = 3, statement_total = 4.5, payout_count = 0, payout_total = 0, matched = 0,
                    missing_in_ledger = 3, missing_in_statement = 0, amount_differs = 0, date_differs = 0, duplicated = 0 where id = ?`, [ids[0]!]);
      const late = await db(`statement_lines_${ids[0]!.replace(/-/g, '')}`).insert({ reconciliation_id: ids[0], line_no: 90, value_date: '2026-02-01', reference: 'late', amount: '1.00', outcome: 'missing_in_ledger' }).then(() => 'inserted', (e: Error) => e.message);
      expect(late).to.match(/only while their reconciliation is importing/);

      await db.migrate.down(migrationConfig);
      expect(await lines(), 'the same rows in one table again').to.deep.equal(old);
      expect((await db.raw(`select count(*)::integer as n from pg_inherits where inhparent = 'statement_lines'::regclass`)).rows[0].n).to.equal(0);
    } finally {
      await db.destroy();
    }
  });
  it('moves the hash chain into its seals with every link kept, and back on the way down', async () => {
    const db = await emptyDatabase('migrations_chain');
    try {
      const files = fs.readdirSync(migrationsDir).filter((f) => /\.(ts|js)$/.test(f)).sort();
      const target = files.findIndex((f) => f.includes('ledger_chain_in_seals'));
      while ((await db.migrate.list(migrationConfig))[0].length < target) await db.migrate.up(migrationConfig);
      // A ledger sealed the old way: one chain row per entry, three seals.
      const bank = randomUUID();
      await db('organisations').insert({ id: bank, type: 'bank', name: 'chain move bank', region: 'test' });
      const posting = (i: number) => ({
        idempotencyKey: `move:${i}`,
        postedOn: '2027-04-15',
        kind: 'test.move',
        lines: [
          { account: accountCode.bank(bank, 'cash'), side: 'debit' as const, amount: `${i + 1}.00` },
          { account: accountCode.bank(bank, 'interest_income'), side: 'credit' as const, amount: `${i + 1}.00` },
        ],
      });
      await postEntries(db, Array.from({ length: 25 }, (_, i) => posting(i)));
      expect((await sealLedger(db, { batchSize: 10 })).seals).to.equal(3);
      const chain = async () => (await db.raw('select seq, entry_id, seal_id, prev_hash, hash from ledger_chain order by seq')).rows;
      const old = await chain();
      expect(old).to.have.length(25);

      await db.migrate.up(migrationConfig);
      const moved = await verifyLedger(db);
      expect(moved).to.deep.include({ ok: true, sealed: 25, unsealed: 0, chainIntact: true, headHash: old[24].hash });
      // Sealing carries on from where the old chain ended.
      await postEntries(db, [posting(25)]);
      await sealLedger(db);
      expect(await verifyLedger(db)).to.deep.include({ ok: true, sealed: 26, chainIntact: true });

      await db.migrate.down(migrationConfig);
      const back = await chain();
      expect(back.slice(0, 25)).to.deep.equal(old);
      expect(back[25]).to.deep.include({ seq: 26, prev_hash: old[24].hash });
    } finally {
      await db.destroy();
    }
  });
  it('runs as a schema owner that is no superuser (as on a managed PostgreSQL), and the ledger works', async () => {
    const stamp = Date.now();
    const role = { name: `owner_${stamp}`, password: 'owner-password-1' };
    const name = `migrations_owner_${stamp}`;
    await env.adminDb.raw(`create role ${role.name} login nosuperuser password '${role.password}'`);
    await env.adminDb.raw(`create database ${name} owner ${role.name}`);
    const db = createDb(urlAs(env.pg.urlFor(name), role));
    try {
      expect((await db.raw('select rolsuper from pg_roles where rolname = current_user')).rows[0].rolsuper).to.equal(false);
      const files = fs.readdirSync(migrationsDir).filter((f) => /\.(ts|js)$/.test(f));
      expect(await migrateLatest(db)).to.have.length(files.length);
      const bank = randomUUID();
      await db('organisations').insert({ id: bank, type: 'bank', name: 'owner test bank', region: 'test' });
      const [posted] = await postEntries(db, [
        {
          idempotencyKey: 'owner:1',
          postedOn: '2027-04-15',
          kind: 'test.owner',
          lines: [
            { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '1.00' },
            { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '1.00' },
          ],
        },
      ]);
      expect(posted!.replayed).to.equal(false);
      // The guard is closed again once the posting function has returned, for its owner too.
      const direct = await db.raw(`insert into ledger_entries (idempotency_key, posted_on, kind) values ('owner:2', '2027-04-15', 'test.owner')`).catch((e) => e);
      expect(direct.code).to.equal('LF006');
      await sealLedger(db);
      expect(await verifyLedger(db)).to.deep.include({ ok: true, entries: 1, sealed: 1 });
    } finally {
      await db.destroy();
    }
  });
});
