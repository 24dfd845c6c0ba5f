/**
 * The benchmarks' server process, as `npm start` runs it: the worker (every workflow and activity,
 * plus the baselines' no-op workflows) and the API in one Node process; beside them, on a port of
 * its own, bench:api-post's baseline (bare Express, the same zod schema, update-with-start of a
 * no-op workflow with one activity). Started by stack.ts; prints one line when ready.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { createDb } from '../../db/knex';
import { createActivities } from '../../activities';
import { systemClock } from '../../activities/clock';
import { connectTemporalClient } from '../../api/temporal';
import { listen } from '../../scripts/lib/api-server';
import { newApplicationSchema } from '../../domain/application-schemas';
import { intakeUpdate } from '../../workflows/definitions';
import { PRELOADED_WORKFLOW_MODULES } from '../../scripts/lib/workflow-bundle';
import { benchActivities } from './activities';

import { READY } from './ready';

async function main() {
  const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
  const address = env('BENCH_TEMPORAL_ADDRESS');
  const taskQueue = env('BENCH_TASK_QUEUE');
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const db = createDb(env('BENCH_DATABASE_URL'));
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), preloadModules: PRELOADED_WORKFLOW_MODULES, logger: new DefaultLogger('WARN') }),
    activities: { ...createActivities({ db, clock: systemClock }), ...benchActivities },
  });
  const running = worker.run();
  const temporal = await connectTemporalClient(address, 'default');
  // Logs as in production (info, a line per request), written nowhere.
  const logger = pino({ level: 'info' }, pino.destination('/dev/null'));
  const api = await listen({ db, temporal, taskQueue, logger, jwtSecret: env('BENCH_JWT_SECRET'), tokenTtlSeconds: 24 * 3600 }, 0, '127.0.0.1');

  const baseline = express();
  baseline.use(express.json({ limit: '1mb' }));
  baseline.post('/v1/applications', async (req, res) => {
    const parsed = newApplicationSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues[0]?.message });
      return;
    }
    const id = randomUUID();
    const start = new WithStartWorkflowOperation('noopIntake', {
      taskQueue, workflowId: `bench-noop-intake-${id}`, args: [id], workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    });
    try {
      res.status(201).json(await temporal.workflow.executeUpdateWithStart(intakeUpdate, { startWorkflowOperation: start }));
    } catch (e) {
      res.status(500).json({ error: String(e) });
    }
  });
  const server = http.createServer(baseline);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baselineUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    await api.close();
    worker.shutdown();
    await running;
    await temporal.connection.close();
    await connection.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  console.log(READY + JSON.stringify({ api: api.url.replace('localhost', '127.0.0.1'), baseline: baselineUrl }));
}

main().catch((e) => {
  console.error(`bench server: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
