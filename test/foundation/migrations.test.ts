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
});
