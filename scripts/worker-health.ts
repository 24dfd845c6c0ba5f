/**
 * The worker's container health check (docker-compose.yml): exits 0 when the worker renewed its
 * health file (WORKER_HEALTH_FILE) within three periods, else 1. It imports nothing heavy, as it
 * runs every few seconds beside the worker.
 */
import fs from 'node:fs';

/** How often the worker renews its health file (scripts/lib/health-file.ts). */
export const HEALTH_PERIOD_MS = 10_000;

export function healthFileIsFresh(file: string, now = Date.now()): boolean {
  try {
    return now - fs.statSync(file).mtimeMs < 3 * HEALTH_PERIOD_MS;
  } catch {
    return false;
  }
}

if (require.main === module) {
  const file = process.env.WORKER_HEALTH_FILE;
  process.exit(file && healthFileIsFresh(file) ? 0 : 1);
}
