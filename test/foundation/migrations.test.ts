import { expect } from 'chai';
import fs from 'node:fs';
import { testEnv, type TestEnv } from '../support/env';
import { createDb, migrateLatest, migrationConfig, migrationsDir } from '../../db/knex';

describe('knex migrations (real PostgreSQL)', () => {
  let env: TestEnv;
  before(async () => {
    env = await testEnv();
  });

  it('go up, all the way down, and up again on an empty database', async () => {
    // A database of its own, so rolling back never disturbs the other tests' tables.
    const name = `migrations_${Date.now()}`;
    await env.pg.createDatabase(name);
    const db = createDb(env.pg.urlFor(name));
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
    const name = `migrations_exact_${Date.now()}`;
    await env.pg.createDatabase(name);
    const db = createDb(env.pg.urlFor(name));
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
});
