import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { clientRequestIdOf, requestIdFor } from './request-id';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The caller's own X-Request-Id, sanitised (request-id.ts); null when none was sent. */
      clientRequestId?: string | null;
    }
  }
}

/**
 * Never written to the logs: bearer tokens, cookies and passwords, wherever they would appear
 * (request headers, a response's Set-Cookie, any object with a `password` field up to three levels
 * down, such as a logged request body). pino's own redaction, so it holds for every line the
 * request's logger writes, not only the access log.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  '*.password',
  '*.*.password',
  '*.*.*.password',
];

/** The access log: one line per request, with the request id (request-id.ts) and no secret. */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger: logger.child({}, { redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }),
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      (req as { clientRequestId?: string | null }).clientRequestId = clientRequestIdOf(given);
      const id = requestIdFor(given);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => req.url === '/healthz' },
  });
}
