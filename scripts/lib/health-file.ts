import fs from 'node:fs';
import type { Knex } from 'knex';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { pingDb } from '../../db/knex';
import { HEALTH_PERIOD_MS } from '../worker-health';

/**
 * The worker serves no port, so it proves its health through a file (WORKER_HEALTH_FILE): every
 * period its time is set anew when the SDK's worker is RUNNING and PostgreSQL and Temporal's
 * frontend both answer. A file older than three periods means one of those is not so, or the
 * process's event loop is stuck (docker-compose.yml's check; docs/scaling.md).
 */
export function keepHealthFile(file: string, worker: Worker, connection: NativeConnection, db: Knex): () => void {
  const beat = async () => {
    try {
      if (worker.getState() !== 'RUNNING') return;
      await pingDb(db);
      await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}));
      fs.writeFileSync(file, new Date().toISOString());
    } catch {
      // Not healthy this period: the file grows old and the check says so.
    }
  };
  const timer = setInterval(() => void beat(), HEALTH_PERIOD_MS);
  void beat();
  return () => {
    clearInterval(timer);
    fs.rmSync(file, { force: true });
  };
}
