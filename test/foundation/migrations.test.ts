import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { testEnv, type TestEnv } from '../support/env';
import { createHash, randomUUID } from 'node:crypto';
import { createDb, migrateLatest, migrationConfig, migrationsDir, MigrationError } from '../../db/knex';
import { urlAs } from '../../db/app-role';
import { applySqlFiles, readSqlFiles, SqlFileError, SQL_FILES_TABLE, type SqlFile } from '../../db/sql-files';
import { accountCode, postEntries, sealLedger, verifyLedger } from '../../db/ledger';

/** A file of db/sql as a test database sees it: the same path with other content, or one of its own. */
function sqlFile(p: string, text: string): SqlFile {
  return { path: p, text, sha256: createHash('sha256').update(text).digest('hex') };
}

const probe = (name: string, body = `select 1`) =>
  `create or replace function public.${name}() returns integer language sql stable set search_path = pg_catalog, public, pg_temp as $$ ${body} $$;\n`;

describe('migrations: the baseline, then db/sql (real PostgreSQL)', () => {
  let env: TestEnv;
  const migrationFiles = fs.readdirSync(migrationsDir).filter((f) => /\.(ts|js)$/.test(f));
  const sqlFiles = readSqlFiles();
  before(async () => {
    env = await testEnv();
  });

  /** A database of its own, not migrated, as its owner: rolling back never disturbs the other tests' tables. */
  let made = 0;
  async function emptyDatabase(prefix: string): Promise<Knex> {
    const name = `${prefix}_${process.pid}_${++made}`;
    await env.pg.createDatabase(name);
    return createDb(env.pg.urlFor(name));
  }
  /** Runs `test` on an empty database of its own, closed after. */
  async function inEmptyDatabase(prefix: string, test: (db: Knex) => Promise<void>): Promise<void> {
    const db = await emptyDatabase(prefix);
    try {
      await test(db);
    } finally {
      await db.destroy();
    }
  }

  // Ours only: knex's bookkeeping tables, and the functions of extensions (kept on the way down,
  // since other objects may use them), are not the migrations' to make or remove.
  const schema = async (db: Knex) => ({
    tables: (await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename')).filter((t: string) => !t.startsWith('knex_')).sort(),
    functions: (
      await db.raw(`select pg_get_functiondef(p.oid) as d from pg_proc p
                     where p.pronamespace = 'public'::regnamespace
                       and not exists (select 1 from pg_depend e where e.objid = p.oid and e.deptype = 'e') order by 1`)
    ).rows,
    constraints: (await db.raw(`select conrelid::regclass::text as t, conname, pg_get_constraintdef(oid) as d from pg_constraint where connamespace = 'public'::regnamespace and conrelid::regclass::text not like 'knex\\_%' order by 1, 2`)).rows,
    indexes: (await db.raw(`select indexdef from pg_indexes where schemaname = 'public' and tablename not like 'knex\\_%' order by 1`)).rows,
    triggers: (await db.raw(`select pg_get_triggerdef(oid) as d from pg_trigger where not tgisinternal order by 1`)).rows,
  });
  const records = async (db: Knex) =>
    (await db(SQL_FILES_TABLE).orderBy('path').select('path', 'sha256', 'objects', 'applied_at')) as Array<{ path: string; sha256: string; objects: string[]; applied_at: Date }>;
  const functionDef = async (db: Knex, name: string) =>
    (await db.raw(`select pg_get_functiondef(p.oid) as d from pg_proc p where p.proname = ? and p.pronamespace = 'public'::regnamespace`, [name])).rows[0]?.d as string | undefined;

  it('the baseline goes up, all the way down to an empty schema, and up again to the same schema', async () => {
    await inEmptyDatabase('migrations', async (db) => {
      const applied = await migrateLatest(db);
      expect(applied).to.deep.equal([...migrationFiles.sort(), ...sqlFiles.map((f) => `db/sql/${f.path}`)]);
      const afterUp = await schema(db);
      expect(afterUp.tables).to.include.members(['organisations', 'users', 'ledger_entries', SQL_FILES_TABLE]);
      expect(afterUp.functions.length).to.be.greaterThan(30);

      await db.migrate.rollback(migrationConfig, true);
      expect(await schema(db)).to.deep.equal({ tables: [], functions: [], constraints: [], indexes: [], triggers: [] });

      expect(await migrateLatest(db)).to.have.length(migrationFiles.length + sqlFiles.length);
      expect(await schema(db)).to.deep.equal(afterUp);
    });
  });

  it("each migration's down() leaves the schema as it was before its up() (a baseline table brought back as the baseline made it)", async () => {
    await inEmptyDatabase('migration_downs', async (db) => {
      for (const file of [...migrationFiles].sort()) {
        const before = await schema(db);
        await db.migrate.up(migrationConfig);
        const after = await schema(db);
        await db.migrate.down(migrationConfig);
        expect(await schema(db), `${file} down`).to.deep.equal(before);
        await db.migrate.up(migrationConfig);
        expect(await schema(db), `${file} up again`).to.deep.equal(after);
      }
    });
  });

  it('applies nothing again while no file changed; a changed file alone is applied, its checksum recorded', async () => {
    await inEmptyDatabase('migrations_repeat', async (db) => {
      await migrateLatest(db);
      const first = await records(db);
      expect(first.map((r) => r.path)).to.deep.equal(sqlFiles.map((f) => f.path));
      expect(first.map((r) => r.sha256)).to.deep.equal(sqlFiles.map((f) => f.sha256));
      expect(await migrateLatest(db), 'a second run').to.deep.equal([]);
      expect(await records(db)).to.deep.equal(first);

      // The same tree, one file edited (as a developer would edit it).
      const target = 'finance/finance_quarter_open.sql';
      const edited = sqlFiles.map((f) => (f.path === target ? sqlFile(f.path, f.text.replace('(reopen it first)', '(reopen the quarter first)')) : f));
      expect(edited.find((f) => f.path === target)!.text).to.not.equal(sqlFiles.find((f) => f.path === target)!.text);
      expect(await applySqlFiles(db, edited)).to.deep.equal([`db/sql/${target}`]);
      const second = await records(db);
      for (const [i, r] of second.entries()) {
        if (r.path === target) {
          expect(r.sha256).to.equal(edited[i]!.sha256).and.not.equal(first[i]!.sha256);
          expect(r.applied_at.getTime()).to.be.greaterThan(first[i]!.applied_at.getTime());
        } else expect(r, r.path).to.deep.equal(first[i]);
      }
      expect(await functionDef(db, 'finance_quarter_open')).to.include('(reopen the quarter first)');

      // Back to the tree's own text: that file again, and only it.
      expect(await migrateLatest(db)).to.deep.equal([`db/sql/${target}`]);
      const third = await records(db);
      for (const [i, r] of third.entries()) {
        if (r.path === target) expect(r.sha256).to.equal(first[i]!.sha256);
        else expect(r, r.path).to.deep.equal(second[i]);
      }
      expect(await functionDef(db, 'finance_quarter_open')).to.include('(reopen it first)');
    });
  });

  it('drops what no file makes any more: a removed file’s function and triggers, a renamed function’s old name', async () => {
    await inEmptyDatabase('migrations_drop', async (db) => {
      await migrateLatest(db);
      const removed = 'api/idempotency_keys_guard.sql';
      // The file's trigger (the table has another, of the direct-write guard's file).
      const triggerOf = async () =>
        (await db.raw(`select tgname from pg_trigger where tgrelid = 'idempotency_keys'::regclass and not tgisinternal and tgname = 'idempotency_keys_guard'`)).rows;
      expect(await triggerOf()).to.deep.equal([{ tgname: 'idempotency_keys_guard' }]);
      expect(await applySqlFiles(db, sqlFiles.filter((f) => f.path !== removed))).to.deep.equal([]);
      expect(await functionDef(db, 'idempotency_keys_guard')).to.equal(undefined);
      expect(await triggerOf()).to.deep.equal([]);
      expect((await records(db)).map((r) => r.path)).to.not.include(removed);
      expect(await migrateLatest(db), 'the file back').to.deep.equal([`db/sql/${removed}`]);
      expect(await triggerOf()).to.deep.equal([{ tgname: 'idempotency_keys_guard' }]);

      // A file of its own: a function renamed in it leaves no function of the old name behind.
      const withProbe = (text: string) => [...sqlFiles, sqlFile('zz_test/probe.sql', text)];
      await applySqlFiles(db, withProbe(probe('test_probe_a')));
      expect(await db.raw('select public.test_probe_a() as n').then((r) => r.rows[0].n)).to.equal(1);
      expect(await applySqlFiles(db, withProbe(probe('test_probe_b')))).to.deep.equal(['db/sql/zz_test/probe.sql']);
      expect(await functionDef(db, 'test_probe_a')).to.equal(undefined);
      expect(await functionDef(db, 'test_probe_b')).to.be.a('string');
      expect((await records(db)).find((r) => r.path === 'zz_test/probe.sql')!.objects).to.deep.equal(['function test_probe_b()']);
      await applySqlFiles(db, sqlFiles);
      expect(await functionDef(db, 'test_probe_b')).to.equal(undefined);
    });
  });

  it('refuses a function made by two files, a file PostgreSQL refuses, and a body that does not parse, naming the file; nothing of the run stays', async () => {
    await inEmptyDatabase('migrations_refuse', async (db) => {
      await migrateLatest(db);
      const before = await records(db);
      const run = (extra: SqlFile[]) => applySqlFiles(db, [...sqlFiles, ...extra]).then(() => 'applied', (e: Error) => e);

      const twice = await run([sqlFile('zz_test/a.sql', probe('test_twice')), sqlFile('zz_test/b.sql', probe('test_twice'))]);
      expect(twice).to.be.instanceOf(SqlFileError);
      expect((twice as Error).message).to.equal('db/sql/zz_test/b.sql: function test_twice() is made by db/sql/zz_test/a.sql too: each object lives in one file');

      const broken = await run([sqlFile('zz_test/a.sql', probe('test_fine')), sqlFile('zz_test/broken.sql', `-- a comment\n\ncreate or replace functio public.test_broken() returns integer language sql as $$ select 1 $$;\n`)]);
      expect((broken as Error).message).to.match(/^db\/sql\/zz_test\/broken\.sql:3: syntax error at or near "functio"$/);

      const body = await run([
        sqlFile('zz_test/body.sql', `create or replace function public.test_body() returns integer language plpgsql set search_path = pg_catalog, public, pg_temp as $$\nbegin\n  retrun 1;\nend\n$$;\n`),
      ]);
      expect((body as Error).message).to.match(/^db\/sql\/zz_test\/body\.sql: function test_body\(\): syntax error at or near "retrun"/);

      expect(await records(db), 'the record as it was').to.deep.equal(before);
      for (const name of ['test_twice', 'test_fine', 'test_broken', 'test_body']) expect(await functionDef(db, name), name).to.equal(undefined);
    });
  });

  it('every function and trigger of a migrated schema is made by exactly one file of db/sql; the application only reads the record', async () => {
    const { admin, db } = await env.newDatabase('migrations_one_file');
    const made = (await records(admin)).flatMap((r) => r.objects.map((o) => ({ o, path: r.path })));
    const objects = made.map((m) => m.o);
    expect(new Set(objects).size, 'no object in two files').to.equal(objects.length);
    const { rows: functions } = await admin.raw(`select 'function ' || p.oid::regprocedure::text as o from pg_proc p
      where p.pronamespace = 'public'::regnamespace and not exists (select 1 from pg_depend e where e.objid = p.oid and e.deptype = 'e')`);
    const { rows: triggers } = await admin.raw(`select format('trigger %I on public.%I', t.tgname, c.relname) as o from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where c.relnamespace = 'public'::regnamespace and not t.tgisinternal and t.tgparentid = 0 and not c.relispartition`);
    expect(objects.sort()).to.deep.equal([...functions, ...triggers].map((r: { o: string }) => r.o).sort());
    // Each file holds the function it is named for.
    for (const f of sqlFiles) {
      const named = `function ${path.basename(f.path, '.sql')}(`;
      expect(made.some((m) => m.path === f.path && m.o.startsWith(named)), `${f.path} makes ${named}…)`).to.equal(true);
    }

    expect(await db(SQL_FILES_TABLE).count({ n: '*' }).first()).to.deep.equal({ n: sqlFiles.length });
    const write = await db(SQL_FILES_TABLE).update({ sha256: '0'.repeat(64) }).then(() => 'updated', (e: Error) => e.message);
    expect(write).to.match(/permission denied for table loanflow_sql_files/);
  });

  it('a database made by the pre-baseline migrations fails with one line saying what to do', async () => {
    await inEmptyDatabase('migrations_old', async (db) => {
      // What knex recorded in such a database (its tables are beside the point).
      await db.schema.createTable('knex_migrations', (t) => {
        t.increments('id');
        t.string('name');
        t.integer('batch');
        t.timestamp('migration_time');
      });
      await db('knex_migrations').insert([{ name: '20261123000001_foundation.ts', batch: 1 }, { name: '20261123000010_applications.ts', batch: 1 }]);
      const e = await migrateLatest(db).catch((x: Error) => x);
      expect(e).to.be.instanceOf(MigrationError);
      expect((e as Error).message).to.equal(
        'this database was made by the pre-baseline migrations: delete .data (npm start makes it again) or drop its schema (drop schema public cascade; create schema public), then migrate',
      );

      // `npm run migrate` prints that line and nothing else.
      const url = env.pg.urlFor((await db.raw('select current_database() as d')).rows[0].d);
      const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../scripts/migrate.ts')], {
        env: { ...process.env, DATABASE_URL: url, MIGRATION_DATABASE_URL: '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(out.status).to.equal(1);
      expect(out.stderr.trim()).to.equal((e as Error).message);
    });
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
      // pgcrypto is trusted: the database's owner may create it.
      expect(await migrateLatest(db)).to.have.length(migrationFiles.length + sqlFiles.length);
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
