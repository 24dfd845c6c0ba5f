/**
 * Requests exactly as given: any bytes as the body, any header (fetch would refuse or rewrite some),
 * and a path sent as it is, percent-escapes and all. For tests that play a hostile client.
 */
import http from 'node:http';

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: any;
}

export interface RawRequest {
  method: string;
  /** Sent as given: `/v1/certificates/%00` stays percent-encoded. */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** The client's own address (any of 127.0.0.0/8 on Linux): a caller from elsewhere. */
  localAddress?: string;
}

export function rawRequest(baseUrl: string, r: RawRequest): Promise<RawReply> {
  const url = new URL(baseUrl);
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
  const headers: Record<string, string | string[] | number> = { ...(r.headers ?? {}) };
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding')) {
    headers['content-length'] = body.length;
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, timeout: r.timeoutMs ?? 30_000, agent: false, localAddress: r.localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${r.timeoutMs ?? 30_000} ms: ${r.method} ${r.path}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
