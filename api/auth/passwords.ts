import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

// Argon2id through @node-rs/argon2: prebuilt binaries (no compiler, no install script) and the
// OWASP-recommended algorithm; its defaults (19 MiB, t=2) follow the OWASP cheat sheet.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Checks a password against an account's hash, or, when there is no such account, against a
 * hash of a random password made with the same parameters: an unknown username then costs the
 * same Argon2 work as a wrong password, so response times do not tell which usernames exist.
 */
export async function verifyPasswordOrDummy(stored: string | undefined, password: string): Promise<boolean> {
  if (stored !== undefined) return verifyPassword(stored, password);
  dummy ??= hashPassword(randomBytes(32).toString('hex'));
  await verifyPassword(await dummy, password);
  return false;
}
