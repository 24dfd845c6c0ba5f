import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { testEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';
import { clientTypesFor, SCHEMA_FILE, writeClientTypes } from '../../scripts/lib/web-client';
import { buildOpenApiDocument } from '../../scripts/openapi';
import { projectRoot } from '../../config';
import { ensureWebBuilt } from '../../scripts/lib/web-build';

describe('Web console: generated client and static serving', () => {
  let h: ApiHarness;
  before(async function () {
    this.timeout(300_000);
    await ensureWebBuilt();
    h = await startApi(await testEnv(), { runWorker: false });
  });
  after(async () => {
    await h?.close();
  });

  it("the console type-checks against the client types the API's /openapi.json generates", async function () {
    this.timeout(120_000);
    const doc = (await h.call('GET', '/openapi.json')).body;
    const served = await clientTypesFor(doc);
    // What `npm run gen:api` (and so `npm run check`) writes is the contract the API serves.
    expect(served === (await clientTypesFor(await buildOpenApiDocument())), 'the route specs and /openapi.json disagree').to.equal(true);
    await writeClientTypes(doc);
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).to.equal(served);
    const tsc = spawnSync(path.join(projectRoot, 'node_modules/.bin/tsc'), ['-p', path.join(projectRoot, 'web/tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr, 'the console calls the API as its contract says').to.equal('');
    expect(tsc.status).to.equal(0);
  });

  it('serves the console at / and for its routes, and leaves /v1, /openapi.json, /docs and /healthz alone', async () => {
    for (const p of ['/', '/tasks', '/applications/00000000-0000-4000-8000-000000000000?x=1']) {
      const r = await fetch(h.url + p);
      expect(r.status, p).to.equal(200);
      expect(r.headers.get('content-type'), p).to.match(/text\/html/);
      expect(await r.text(), p).to.contain('<div id="root">');
    }
    const page = await (await fetch(h.url + '/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)![1]!;
    const asset = await fetch(h.url + script);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('cache-control')).to.match(/immutable/);
    expect(asset.headers.get('content-encoding'), 'the console is gzipped').to.equal('gzip');
    expect((await fetch(h.url + '/tasks')).headers.get('content-encoding')).to.equal('gzip');
    expect((await fetch(h.url + '/openapi.json')).headers.get('content-encoding'), "the API's answers are not").to.equal(null);
    expect((await fetch(h.url + '/assets/nope.js')).status).to.equal(404);
    // The first screens (frame, login, my tasks) load no component library (docs/console.md,
    // "Speed"): Ant Design's components all take a prefixCls, and none is in what index.html loads.
    const first = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    for (const js of first) expect(await (await fetch(h.url + js)).text(), js).to.not.contain('prefixCls');

    const missing = await h.call('GET', '/v1/no-such-route');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('NOT_FOUND');
    expect((await h.call('GET', '/openapi.json')).body.openapi).to.match(/^3\.1/);
    expect((await h.call('GET', '/healthz')).headers.get('content-type')).to.match(/json/);
    expect((await h.call('POST', '/tasks')).status).to.equal(404);
  });
});
