/**
 * Builds the web console (web/ → web/dist) when its sources changed since the last build: a
 * SHA-256 over every source file, kept in web/dist/.stamp. `npm start` and the browser tests call
 * it; a second call with nothing changed costs a hash of a few hundred kilobytes.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '../..');
const WEB = path.join(ROOT, 'web');
const DIST = path.join(WEB, 'dist');
const STAMP = path.join(DIST, '.stamp');
/** What the build reads: the console's sources and config, and the shared rule it bundles. */
const INPUTS = ['web/src', 'web/index.html', 'web/package.json', 'web/vite.config.ts', 'web/tsconfig.json', 'domain/id-number.ts', 'domain/dates.ts', 'domain/business-day.ts'];

function files(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs.readdirSync(abs).sort().flatMap((n) => files(path.join(rel, n)));
}

export function webSourceHash(): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap(files)) h.update(f).update('\0').update(fs.readFileSync(path.join(ROOT, f))).update('\0');
  return h.digest('hex');
}

/** Builds when the stamp differs from the sources' hash; says whether it built. */
export async function ensureWebBuilt(log: (m: string) => void = () => undefined): Promise<boolean> {
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
