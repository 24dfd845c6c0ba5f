/**
 * Recomputes the ledger's evidence and prints the report as JSON; exit code 0 when ok, 1 when not,
 * 2 on a usage or connection error.
 *
 *   tsx scripts/ledger-verify.ts [--url postgres://...] [--seal] [--expect-head <hash>]
 *
 * --url defaults to DATABASE_URL (or, when unset, the embedded database of `npm start`, if it runs
 * on PG_PORT). --seal first chains what has committed since the last seal (a write: leave it out
 * for a read-only audit). --expect-head compares the chain's last hash with one recorded elsewhere
 * (a rewritten chain then shows even if it is internally consistent).
 */
import { loadConfig, ConfigError } from '../config';
import { createDb } from '../db/knex';
import { databaseUrls } from './lib/databases';
import { sealLedger, verifyLedger } from '../db/ledger';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const url = option('--url') ?? databaseUrls(config).app;
  const db = createDb(url, { max: 2 });
  try {
    const sealed = process.argv.includes('--seal') ? await sealLedger(db) : undefined;
    const report = await verifyLedger(db);
    const expected = option('--expect-head');
    const headMatches = expected === undefined ? undefined : expected === report.headHash;
    console.log(JSON.stringify({ ...report, ...(sealed ? { sealedNow: sealed.entries } : {}), ...(expected ? { headMatches } : {}) }, null, 2));
    return report.ok && headMatches !== false ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof ConfigError ? e.message : e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
