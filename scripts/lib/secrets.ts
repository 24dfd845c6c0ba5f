import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A secret for local runs, generated once and kept in the data folder (readable by its owner
 * only), so it survives a restart of `npm start` without anyone choosing it.
 */
export function localSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** The JWT secret: JWT_SECRET when given, else a local one (tokens survive a restart). */
export function localJwtSecret(dataDir: string, given?: string): string {
  return given || localSecret(dataDir, 'jwt-secret');
}
