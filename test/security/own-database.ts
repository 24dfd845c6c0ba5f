import type { Knex } from 'knex';
import { testEnv } from '../support/env';

/**
 * A demo-seeded database of the describe block's own, reached as the application's role, for
 * attacks that write straight to its tables: opened in before() and handed to `use`, closed in
 * after().
 */
export function useOwnDatabase(name: string, use: (db: Knex) => void): void {
  let db: Knex | undefined;
  before(async function () {
    this.timeout(120_000);
    db = (await (await testEnv()).newDatabase(name, { seed: true })).db;
    use(db);
  });
  after(async () => db?.destroy());
}

/** What a write answered: null when it went through, else its error. */
export const refusal = (p: Promise<unknown>): Promise<{ code?: string; message: string } | null> =>
  p.then(() => null, (e: { code?: string; message: string }) => e);
