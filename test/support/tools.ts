import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';

/** The binaries scripts/tools.sh caches; tests refuse to run without them rather than download anything. */
export const temporalCliPath = path.join(projectRoot, '.tools', 'bin', 'temporal');
export const timeSkippingServerPath = path.join(projectRoot, '.tools', 'bin', 'temporal-test-server');

export function requireTool(p: string): string {
  if (!fs.existsSync(p)) {
    throw new Error(`${p} is missing: run \`npm run tools\` (npm test runs it first).`);
  }
  return p;
}
