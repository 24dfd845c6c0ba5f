import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { testEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';

const run = promisify(execFile);
const redocly = path.join(__dirname, '../../node_modules/.bin/redocly');

describe('OpenAPI document: Redocly lint and operation ids', () => {
  let h: ApiHarness;
  let doc: any;
  let dir: string;
  before(async () => {
    h = await startApi(await testEnv(), { runWorker: false });
    doc = (await h.call('GET', '/openapi.json')).body;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-openapi-'));
  });
  after(async () => {
    await h?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes the recommended ruleset with no errors', async () => {
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    // Exit code 1 on errors; the JSON report is on stdout either way.
    const out = await run(redocly, ['lint', file, '--extends', 'recommended', '--format', 'json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 64 << 20,
    }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(out.stdout);
    const errors = report.problems.filter((p: { severity: string }) => p.severity === 'error');
    expect(errors.map((p: { ruleId: string; message: string; location: Array<{ pointer: string }> }) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).to.deep.equal([]);
    expect(report.totals.errors).to.equal(0);
  });

  it('names a server and gives every operation a unique operationId', () => {
    expect(doc.servers).to.be.an('array').that.is.not.empty;
    const ids: string[] = [];
    for (const [p, item] of Object.entries<Record<string, { operationId?: string }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${p}`).to.be.a('string').and.match(/^[a-z][A-Za-z0-9]+$/);
        ids.push(op.operationId!);
      }
    }
    expect(ids.length).to.be.greaterThan(50);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(doc.paths['/v1/applications/{id}'].get.operationId).to.equal('getApplicationsById');
    expect(doc.paths['/v1/periods/{quarter}/reopen-requests/{requestId}/decision'].post.operationId).to.equal(
      'postPeriodsByQuarterReopenRequestsByRequestIdDecision',
    );
  });
});
