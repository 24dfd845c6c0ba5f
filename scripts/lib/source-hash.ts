import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');

function files(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs.readdirSync(abs).sort().flatMap((n) => files(path.join(rel, n)));
}

/**
 * A SHA-256 over the names and contents of every file under `inputs` (paths from the repository's
 * root), in a fixed order: what a build stamps its output with, to rebuild only when it changed.
 * `skip` leaves out files the build does not read.
 */
export function sourceHash(inputs: readonly string[], skip: (rel: string) => boolean = () => false): string {
  const h = createHash('sha256');
  for (const f of inputs.flatMap(files)) {
    if (!skip(f)) h.update(f).update('\0').update(fs.readFileSync(path.join(ROOT, f))).update('\0');
  }
  return h.digest('hex');
}
