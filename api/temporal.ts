import { Client, Connection } from '@temporalio/client';

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

/**
 * A real round trip to the frontend: it answers iff the server is serving. The deadline also
 * ends the client's own retries, so nothing keeps knocking after the probe has given up.
 */
export async function pingTemporal(client: Client, timeoutMs = 2000): Promise<void> {
  await client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
}
