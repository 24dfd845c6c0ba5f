import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import compression from 'compression';

/** Where `vite build` puts the console (scripts/lib/web-build.ts builds it when its sources change). */
export const WEB_DIST = path.join(__dirname, '../web/dist');

/** Paths that belong to the API (or are a missing asset): never answered with the console's page. */
const API_PATHS = /^\/(v1|openapi\.json|docs|healthz|assets)(\/|$)/;

/**
 * The web console as static files, and its page for any other GET (the console routes in the
 * browser, so /tasks or /applications/… must load it). Hashed assets are cached for good; the
 * page never is, so a new build is picked up at once. Without a build, nothing is served.
 */
export function webConsole(root = WEB_DIST): Router {
  const r = Router();
  const index = path.join(root, 'index.html');
  // Gzipped on the way out (the API's own answers are left as they are): the first load is about a
  // third of the bytes (README, "Web console", Speed).
  const gzip = compression();
  r.use((req, res, next) => (API_PATHS.test(req.path) && !req.path.startsWith('/assets/') ? next() : gzip(req, res, next)));
  r.use('/assets', express.static(path.join(root, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  r.get(/.*/, (req, res, next) => {
    if (API_PATHS.test(req.path) || !fs.existsSync(index)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
