import { expect } from 'chai';
import { testEnv, TEST_APP_ROLE, type TestEnv } from '../support/env';
import { OWNER_ONLY_EXECUTE, READ_ONLY_TABLES, describeRole, ensureAppRole, refusedByTriggers } from '../../db/app-role';
import { createDb } from '../../db/knex';

/**
 * The application connects as a role of its own (db/app-role.ts): it reads and writes rows and
 * cannot get around the rules the database enforces. The rest of the suite runs as that role, which
 * shows it can do its whole job; here, what it must not be able to do.
 */
describe("the application's database role", () => {
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  const refused = (sql: string) => env.db.raw(sql).then(() => undefined, (e: { code?: string; message: string }) => e);

  it('is no superuser and owns no table', async () => {
    expect(await describeRole(env.db)).to.deep.equal({ name: TEST_APP_ROLE.name, superuser: false, ownsTables: 0 });
    const owner = await describeRole(env.adminDb);
    expect(owner.superuser).to.equal(true);
  });

  it('cannot switch the ledger’s triggers off, change the schema, or rewrite the migrations’ record', async () => {
    const attempts: Array<[string, RegExp]> = [
      ['alter table ledger_entries disable trigger all', /must be owner of table ledger_entries/],
      ['set session_replication_role = replica', /permission denied to set parameter "session_replication_role"/],
      ['create table evil (x int)', /permission denied for schema public/],
      ['drop trigger ledger_entries_append_only on ledger_entries', /must be owner of (table|relation) ledger_entries/],
      ['create or replace function ledger_refuse_change() returns trigger language plpgsql as $$ begin return null; end $$', /must be owner of function ledger_refuse_change|permission denied for schema public/],
      ['truncate audit_log', /permission denied for table audit_log/],
      ["delete from knex_migrations where name like '%ledger%'", /permission denied for table knex_migrations/],
      ['alter role loanflow_app superuser', /permission denied|must be superuser/],
    ];
    for (const [sql, message] of attempts) {
      const err = await refused(sql);
      expect(err, sql).to.not.equal(undefined);
      expect(err!.code, `${sql}: ${err!.message}`).to.equal('42501');
      expect(err!.message, sql).to.match(message);
    }
  });

  it('lacks INSERT, UPDATE and DELETE exactly where a trigger refuses them, and has every row privilege elsewhere', async () => {
    const refusedTables = await refusedByTriggers(env.adminDb);
    // The audit trail and every ledger table are among them: read from the triggers, not a list.
    expect(refusedTables.map((r) => r.table)).to.include.members(['audit_log', 'ledger_entries', 'ledger_lines', 'ledger_balances', 'ledger_seals', 'statement_lines']);
    // The ledger is written by its posting function only (which runs as the owner).
    for (const t of ['ledger_entries', 'ledger_lines', 'ledger_accounts', 'ledger_balances']) {
      expect(refusedTables.find((r) => r.table === t)?.operations, t).to.include('insert');
    }
    // Seals by ledger_seal, a quarter's events by period_close and period_reopen, and keys deleted
    // by idempotency_key_release and idempotency_keys_purge only (each runs as the owner).
    expect(refusedTables.find((r) => r.table === 'ledger_seals')?.operations).to.include('insert');
    expect(refusedTables.find((r) => r.table === 'accounting_period_events')?.operations).to.include('insert');
    expect(refusedTables.find((r) => r.table === 'idempotency_keys')?.operations).to.deep.equal(['delete']);
    const { rows } = await env.adminDb.raw(
      `select c.relname as table, c.relispartition as partition,
              has_table_privilege(?, c.oid, 'SELECT') as s, has_table_privilege(?, c.oid, 'INSERT') as i,
              has_table_privilege(?, c.oid, 'UPDATE') as u, has_table_privilege(?, c.oid, 'DELETE') as d,
              has_table_privilege(?, c.oid, 'TRUNCATE') as t
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname`,
      Array(5).fill(TEST_APP_ROLE.name),
    );
    const refusedOps = new Map(refusedTables.map((r) => [r.table, new Set<string>(r.operations)]));
    for (const r of rows as Array<{ table: string; partition: boolean; s: boolean; i: boolean; u: boolean; d: boolean; t: boolean }>) {
      // Read-only to the application: the migrator's records (knex's, the SQL files') and the chart.
      const migrations = READ_ONLY_TABLES.includes(r.table);
      // A statement's partition is read and written through statement_lines only.
      const direct = !r.partition;
      const ops = refusedOps.get(r.table) ?? new Set<string>();
      const may = (op: string) => direct && !migrations && !ops.has(op);
      const expected = { s: direct, i: may('insert'), u: may('update'), d: may('delete'), t: false };
      expect({ s: r.s, i: r.i, u: r.u, d: r.d, t: r.t }, r.table).to.deep.equal(expected);
    }
  });

  it('may not execute the owner\'s own functions, even after someone granted them all', async () => {
    const executable = async () =>
      (
        await env.adminDb.raw(
          `select p.proname as f, has_function_privilege(?, p.oid, 'EXECUTE') as x from pg_proc p
            where p.pronamespace = 'public'::regnamespace and p.proname = any(?) order by p.proname`,
          [TEST_APP_ROLE.name, OWNER_ONLY_EXECUTE],
        )
      ).rows;
    expect(await executable()).to.deep.equal([...OWNER_ONLY_EXECUTE].sort().map((f) => ({ f, x: false })));
    await env.adminDb.raw(`grant execute on all functions in schema public to ${TEST_APP_ROLE.name}`);
    await ensureAppRole(env.adminDb, TEST_APP_ROLE);
    expect((await executable()).map((r: { x: boolean }) => r.x)).to.deep.equal(OWNER_ONLY_EXECUTE.map(() => false));
  });

  it('is granted again, idempotently, after every migration; a bad name or the owner itself is refused', async () => {
    await ensureAppRole(env.adminDb, TEST_APP_ROLE);
    const app = createDb(env.databaseUrl, { max: 1 });
    try {
      expect((await app.raw('select count(*)::integer as n from organisations')).rows[0].n).to.be.greaterThan(0);
    } finally {
      await app.destroy();
    }
    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e.message);
    expect(await err(ensureAppRole(env.adminDb, { name: 'Robert"); drop table users; --', password: 'long enough' }))).to.match(/lower-case letters, digits and _/);
    expect(await err(ensureAppRole(env.adminDb, { name: 'loanflow_app', password: 'short' }))).to.match(/at least 8 characters/);
    expect(await err(ensureAppRole(env.adminDb, { name: 'postgres', password: 'long enough' }))).to.match(/is the migrating role itself/);
  });
});
