import { expect } from 'chai';
import { testEnv } from '../support/env';
import { startApi, type ApiHarness } from '../support/api';

describe('OpenAPI document and docs', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApi(await testEnv(), { runWorker: false });
  });
  after(async () => {
    await h?.close();
  });

  it('describes every route of API.md with its schemas', async () => {
    const r = await h.call('GET', '/openapi.json');
    expect(r.status).to.equal(200);
    expect(r.body.openapi).to.match(/^3\.1/);
    const paths = Object.keys(r.body.paths);
    for (const p of [
      '/v1/auth/login', '/v1/auth/register', '/v1/users', '/v1/organisations', '/v1/certificates',
      '/v1/certificates/{no}/revocation', '/v1/applications', '/v1/applications/{id}', '/v1/applications/{id}/withdrawal',
      '/v1/applications/{id}/counter-guarantee', '/v1/applications/{id}/guarantee-review', '/v1/applications/{id}/guarantee-approval',
      '/v1/applications/{id}/disbursal', '/v1/policies', '/healthz', '/v1/loans/{id}', '/v1/loans/{id}/repayments',
      '/v1/integrity-records/{idNumber}', '/v1/subsidy-claims', '/v1/subsidy-claims/{id}/check', '/v1/subsidy-claims/{id}/approval',
      '/v1/funds/{id}', '/v1/reconciliations', '/v1/periods/{quarter}/close', '/v1/ledger/entries', '/v1/ledger/verify', '/v1/reports/kpi',
    ]) {
      expect(paths, p).to.include(p);
    }
    const post = r.body.paths['/v1/applications'].post;
    expect(post.requestBody.content['application/json'].schema.$ref).to.equal('#/components/schemas/NewApplication');
    const newApp = r.body.components.schemas.NewApplication;
    expect(newApp.additionalProperties).to.equal(false);
    expect(newApp.required).to.include.members(['idNumber', 'requestedAmount', 'termMonths']);
    expect(post.parameters.map((p: { name: string }) => p.name)).to.include('idempotency-key');
  });

  it('renders Swagger UI at /docs', async () => {
    const res = await fetch(`${h.url}/docs/`);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.contain('swagger-ui');
  });
});
