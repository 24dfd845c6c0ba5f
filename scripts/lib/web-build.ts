/**
 * Builds the web console (web/ → web/dist) when its sources changed since the last build: a
 * SHA-256 over every source file, kept in web/dist/.stamp. `npm start` and the browser tests call
 * it; a second call with nothing changed costs a hash of a few hundred kilobytes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sourceHash } from './source-hash';
import { CLIENT_TYPES } from './client-types-file';

const ROOT = path.join(__dirname, '../..');
const WEB = path.join(ROOT, 'web');
const DIST = path.join(WEB, 'dist');
const STAMP = path.join(DIST, '.stamp');
/** What the build reads: the console's sources and config, and the shared rule it bundles. */
const INPUTS = ['web/src', 'web/index.html', 'web/package.json', 'web/vite.config.ts', 'web/tsconfig.json', 'domain/id-number.ts', 'domain/dates.ts', 'domain/business-day.ts'];

export function webSourceHash(): string {
  // Without the generated client types: the build erases type-only imports, so they change nothing in it.
  return sourceHash(INPUTS, (f) => f === CLIENT_TYPES);
}

/** Builds when the stamp differs from the sources' hash; says whether it built. */
export async function ensureWebBuilt(log: (m: string) => void = () => undefined): Promise<boolean> {
  // Not read by the build, but by whoever opens web/ after `npm start`: written once when missing
  // (loaded here only then, as it loads the whole API to build its OpenAPI document).
  if (!fs.existsSync(path.join(ROOT, CLIENT_TYPES))) await (await import('./web-client.js')).writeClientTypes();
  const hash = webSourceHash();
  const built = fs.existsSync(path.join(DIST, 'index.html')) && fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8').trim() : null;
  if (built === hash) return false;
  log('building the web console (web/ changed)');
  const vite = path.join(ROOT, 'node_modules/.bin/vite');
  await promisify(execFile)(vite, ['build', '--config', path.join(WEB, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: WEB, maxBuffer: 16 << 20 });
  fs.writeFileSync(STAMP, hash + '\n');
  return true;
}

if (require.main === module) {
  ensureWebBuilt(console.log).then(
    (built) => console.log(built ? 'web console built' : 'web console up to date'),
    (e) => {
      console.error(`web console build failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
