import { hash, verify } from '@node-rs/argon2';

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
