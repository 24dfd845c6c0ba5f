import fs from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ConnectionPlugin } from '@temporalio/client';
import { answersHealthCheck } from '../../scripts/lib/temporal-dev-server';
import { ServiceStartError, startServiceProcess, type ServiceProcess } from '../../scripts/lib/service-process';

/**
 * The Java time-skipping test server, started by us rather than by the SDK: the SDK gives it a
 * fixed 5 s to answer (a JVM on a busy machine may need more) and, when it fails, reports a
 * refused connection instead of what the server printed.
 */
export async function startTimeSkippingServer(opts: { executable: string; port: number; timeoutMs?: number }): Promise<{ address: string; process: ServiceProcess }> {
  const service = 'Temporal time-skipping test server';
  if (!fs.existsSync(opts.executable)) {
    throw new ServiceStartError(`${service}: ${opts.executable} is missing: run \`npm run tools\` (npm test runs it first)`);
  }
  const address = `127.0.0.1:${opts.port}`;
  const server = await startServiceProcess({
    service,
    command: opts.executable,
    // As the SDK starts an `existing-path` test server: the port alone (time skipping is its default).
    args: [String(opts.port)],
    ready: () => answersHealthCheck(address),
    readyMeans: `answer on ${address}`,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  return { address, process: server };
}

/**
 * The SDK's time-skipping environment on a server already running: what createTimeSkipping builds
 * after starting its own (a TimeSkippingClient, connections that reach the test service), with
 * `plugins` configuring its connections. The SDK has no public call for this (createFromExistingServer
 * never skips time, createTimeSkipping always starts its own server), so it goes through the factory
 * both use, which the SDK's types keep private; the option names are the public ones.
 */
export function timeSkippingEnvironmentOn(address: string, plugins: ConnectionPlugin[] = []): Promise<TestWorkflowEnvironment> {
  const factory = TestWorkflowEnvironment as unknown as {
    create(opts: { server: { type: 'existing' }; address: string; namespace: string; supportsTimeSkipping: true; plugins: ConnectionPlugin[] }): Promise<TestWorkflowEnvironment>;
  };
  return factory.create({ server: { type: 'existing' }, address, namespace: 'default', supportsTimeSkipping: true, plugins });
}
