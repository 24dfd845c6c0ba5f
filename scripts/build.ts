/**
 * `npm run build`: the server's TypeScript compiled to JavaScript in dist/ (tsconfig.build.json),
 * with the files it reads beside its modules at run time: the migrations' SQL, db/sql, and the
 * built console when there is one (web/dist). The production image runs dist/ with plain node
 * (docs/scaling.md says why tsc and not a bundler).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const out = path.resolve(root, process.env.BUILD_OUT_DIR ?? 'dist');

fs.rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });
for (const f of fs.readdirSync(path.join(root, 'db/migrations')).filter((f) => f.endsWith('.sql'))) {
  fs.copyFileSync(path.join(root, 'db/migrations', f), path.join(out, 'db/migrations', f));
}
fs.cpSync(path.join(root, 'db/sql'), path.join(out, 'db/sql'), { recursive: true });
if (fs.existsSync(path.join(root, 'web/dist'))) fs.cpSync(path.join(root, 'web/dist'), path.join(out, 'web/dist'), { recursive: true });
console.log(`built ${path.relative(root, out) || '.'}`);
