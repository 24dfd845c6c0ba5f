import express from 'express';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './errors';
import { storableInput, utf8JsonOnly, utf8Only } from './input-rules';
import { healthRoutes, registerHealthDoc } from './routes/health';
import { ApiRouter } from './route';
import { openApiDocument, openApiRoutes } from './openapi';
import { authRoutes } from './routes/auth';
import { userRoutes } from './routes/users';
import { organisationRoutes } from './routes/organisations';
import { policyRoutes } from './routes/policies';
import { certificateRoutes } from './routes/certificates';
import { applicationRoutes } from './routes/applications';
import { reconciliationRoutes } from './routes/reconciliations';
import { periodRoutes } from './routes/periods';
import { reportRoutes } from './routes/reports';
import { forecastRoutes } from './routes/forecasts';
import { loanRoutes } from './routes/loans';
import { followUpRoutes } from './routes/follow-up';
import { integrityRoutes } from './routes/integrity';
import { subsidyClaimRoutes } from './routes/subsidy-claims';
import { programmeRoutes } from './routes/programmes';
import { ledgerRoutes } from './routes/ledger';
import { requestLogger } from './request-log';
import { taskRoutes } from './routes/tasks';
import { auditRoutes } from './routes/audit';
import { webConsole } from './web';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Sign-in limits count per client address (docs/security.md): behind a proxy it is the one the
  // trusted proxy reports, not the proxy's own, which every client would share.
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.use(requestLogger(deps.logger));
  // Answers under /v1 hold personal data or a session's: none stays in a browser's or a proxy's
  // cache after sign-out, errors and downloads included (docs/security.md, "The API"). Set before
  // anything can answer, so every error of the body parsers carries it too.
  app.use('/v1', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(utf8JsonOnly);
  app.use(express.json({ limit: '1mb', verify: utf8Only }));
  app.use(storableInput);

  app.use(healthRoutes(deps));

  const api = new ApiRouter(deps, new OpenAPIRegistry());
  registerRoutes(api);
  app.use(api.router);
  app.use(openApiRoutes(openApiDocument(api.registry)));
  app.use(webConsole());

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/** Every route of the API, on `api` (its `routes` then lists them). */
export function registerRoutes(api: ApiRouter): void {
  registerHealthDoc(api.registry);
  authRoutes(api);
  userRoutes(api);
  organisationRoutes(api);
  policyRoutes(api);
  certificateRoutes(api);
  applicationRoutes(api);
  reconciliationRoutes(api);
  periodRoutes(api);
  reportRoutes(api);
  forecastRoutes(api);
  loanRoutes(api);
  followUpRoutes(api);
  integrityRoutes(api);
  subsidyClaimRoutes(api);
  programmeRoutes(api);
  ledgerRoutes(api);
  taskRoutes(api);
  auditRoutes(api);
}
