import { expect } from 'chai';
import fs from 'node:fs';
import { testEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';
import { clientTypesFor, SCHEMA_FILE } from '../../scripts/lib/web-client';
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

  it("the committed client types are what the API's /openapi.json generates (npm run gen:api)", async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    const fresh = await clientTypesFor(doc);
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === fresh, 'web/src/api/schema.d.ts is stale: run `npm run gen:api` and commit it').to.equal(true);
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

    const missing = await h.call('GET', '/v1/no-such-route');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('NOT_FOUND');
    expect((await h.call('GET', '/openapi.json')).body.openapi).to.match(/^3\.1/);
    expect((await h.call('GET', '/healthz')).headers.get('content-type')).to.match(/json/);
    expect((await h.call('POST', '/tasks')).status).to.equal(404);
  });
});
