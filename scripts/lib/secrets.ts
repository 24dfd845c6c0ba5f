import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The JWT secret for local runs: JWT_SECRET when given, else one generated once and kept in the
 * data folder, so tokens survive a restart of `npm start` without anyone choosing a secret.
 */
export function localJwtSecret(dataDir: string, given?: string): string {
  if (given) return given;
  const file = path.join(dataDir, 'jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
