import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { newIdNumber, startApi, type ApiHarness } from '../support/api';

/**
 * The labour officer's "adjust" drops the trainees who do not match the registry and recomputes the
 * amount (docs/programmes.md). A class none of whose trainees match is adjusted to nothing: a
 * CHECKED claim of 0.00, which no approval can pay (the ledger refuses a payout of 0.00) and which
 * holds the class's one live claim until a finance approver rejects it.
 */
describe('attack: a training claim whose every trainee is dropped at the check', function () {
  let db: Knex;
  let h: ApiHarness;

  before(async function () {
    this.timeout(120_000);
    const env = await testEnv();
    db = (await env.newDatabase('attack_zero_claims', { seed: true })).db;
    h = await startApi({ ...env, db }, { deps: { db } });
  });
  after(async () => {
    await h?.close();
    await db?.destroy();
  });

  it('is refused with the field named, the claim left FILED for a refusal, never CHECKED at 0.00', async function () {
    this.timeout(60_000);
    const filed = await h.call('POST', '/v1/training-claims', {
      token: await h.login('trainer'),
      body: {
        part: 'base', course: 'SYB', classRef: `NONE-${randomUUID().slice(0, 8)}`, enrolled: 2,
        trainees: [
          { certificateNo: 'NO-SUCH-0001', idNumber: newIdNumber(), name: '张三' },
          { certificateNo: 'NO-SUCH-0002', idNumber: newIdNumber(), name: '李四' },
        ],
      },
    });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    expect(filed.body.trainees.every((t: { mismatch: string | null }) => t.mismatch !== null)).to.equal(true);

    const labour = await h.login('labour');
    const adjusted = await h.call('POST', `/v1/training-claims/${filed.body.id}/check`, { token: labour, body: { decision: 'adjust', reason: 'none match' } });
    const row = await db('training_claims').where({ id: filed.body.id }).first('status', 'amount');
    expect({ status: adjusted.status, paths: (adjusted.body.error?.details ?? []).map((d: { path: string }) => d.path), claim: row }).to.deep.equal({
      status: 400,
      paths: ['decision'],
      claim: { status: 'FILED', amount: '1200.00' },
    });

    const refused = await h.call('POST', `/v1/training-claims/${filed.body.id}/check`, { token: labour, body: { decision: 'refuse', reason: 'no trainee matches the registry' } });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(200);
    expect(refused.body.status).to.equal('REFUSED');
  });
});
