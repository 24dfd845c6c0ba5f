/**
 * `npm run bench:web`: the gzipped JavaScript the console's first screens (login and my tasks,
 * both in the entry chunk; every other screen is a chunk of its own) make the browser load, read
 * from the built index.html: the entry script and the chunks it preloads. Goal ≤ 250 KB.
 *
 * Not measured yet: the time to a usable my-tasks screen with 10,000 applications against the API
 * list call behind it (docs/console.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureWebBuilt } from '../scripts/lib/web-build';
import { WEB_DIST } from '../api/web';
import { printResult } from './result';

async function main() {
  await ensureWebBuilt((m) => console.log(m));
  const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  let js = 0;
  let css = 0;
  for (const f of new Set(first)) {
    const size = gzipSync(fs.readFileSync(path.join(WEB_DIST, f))).length;
    if (f.endsWith('.js')) js += size;
    else css += size;
    console.log(`  ${f.padEnd(48)} ${(size / 1024).toFixed(1).padStart(7)} KB gzipped`);
  }
  const all = fs.readdirSync(path.join(WEB_DIST, 'assets')).filter((f) => f.endsWith('.js'));
  const total = all.reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(WEB_DIST, 'assets', f))).length, 0);
  console.log(`login + my tasks: ${(js / 1024).toFixed(1)} KB of JavaScript gzipped (goal ≤ 250 KB), ${(css / 1024).toFixed(1)} KB CSS`);
  console.log(`all screens: ${(total / 1024).toFixed(1)} KB of JavaScript gzipped in ${all.length} chunks`);
  printResult([
    { name: 'web: JavaScript of login + my tasks (gzipped)', baseline: '—', subject: `${(js / 1024).toFixed(1)} KB`, ratio: '—', goal: '≤ 250 KB', met: js <= 250 * 1024 },
  ]);
}

void main();
