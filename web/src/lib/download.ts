import { ok } from '../api/client';

/** What openapi-fetch answers a request made with `parseAs: 'blob'`. */
export type FileReply = Promise<{ data?: Blob; error?: unknown; response: Response }>;

/**
 * Saves a file the API answers with, as `name`. The request goes through the API client, so its
 * token is sent and a 401 ends the session like any other request (the sign-in page, then back
 * here). Only a successful answer is saved: a refusal throws its ApiFailure (ok()), so an error's
 * JSON is never saved as a broken .csv or .xlsx.
 */
export async function saveFile(reply: FileReply, name: string): Promise<void> {
  const blob = await ok(reply);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}
