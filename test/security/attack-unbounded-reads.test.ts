import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { usePrivateSuite } from '../support/api';
import { expectAtMostAPage } from './pages';

/**
 * Reads a caller can make grow without bound (the house rule: a page size with a cap, no list of
 * everything). The registries and saved scenarios grow by the API's own writes; here the rows are
 * written straight as the application role, 250 of each, to be quick.
 */
describe('attack: lists with no page', function () {
  const s = usePrivateSuite('attack_unbounded', { runWorker: false });

  it('GET /v1/incubators answers at most a page, whatever the registry holds', async () => {
    const officer = await s.db('users').where({ username: 'fin-officer' }).first();
    const code = (i: number) => `91220101MB${String(i).padStart(8, '0')}`;
    await s.db('incubators').insert(
      Array.from({ length: 250 }, (_, i) => ({ name: `Attack incubator ${i}`, operator_name: 'op', operator_credit_code: code(i), region: 'Changchun', registered_by: officer.id })),
    );
    await expectAtMostAPage(s.h, '/v1/incubators', 'incubators');
  });

  it('GET /v1/forecasts/scenarios answers at most a page, whatever was saved', async () => {
    const admin = await s.db('users').where({ username: 'admin' }).first();
    await s.db('forecast_scenarios').insert(Array.from({ length: 250 }, (_, i) => ({ name: `Attack scenario ${i}`, params: {}, scope: 'new_loans_only', saved_by: admin.id })));
    await expectAtMostAPage(s.h, '/v1/forecasts/scenarios', 'scenarios');
  });

  it('GET /v1/training-claims: a page of 200 claims of 1000 trainees each is not one answer of tens of megabytes', async function () {
    this.timeout(300_000);
    // What one training institution can file through the API: 200 base claims of 1000 trainees each
    // (the body's maximum), trainees that match no certificate being filed as mismatches. Written
    // here straight as the application role, as the filing step writes them, to be quick.
    const demo = await s.db('training_claims').first();
    for (let c = 0; c < 200; c++) {
      const id = randomUUID();
      await s.db('training_claims').insert({
        ...demo, id, workflow_id: `training-claim-${id}`, class_ref: `ATTACK-${c}`, status: 'FILED', enrolled: 1000, amount: '600000.00',
        checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, payout_entry_id: null,
      });
      await s.db('training_claim_lines').insert(
        Array.from({ length: 1000 }, (_, i) => ({
          claim_id: id, certificate_no: `ATT-${c}-${i}`, holder_id_number: `${c}-${i}-${id}`, holder_name: '某某某', course: 'SYB', part: 'base',
          mismatch: 'no such certificate in the registry', amount: '600.00',
        })),
      );
    }
    const res = await fetch(`${s.h.url}/v1/training-claims?pageSize=200`, { headers: { authorization: `Bearer ${await s.h.login('fin-officer')}` } });
    expect(res.status).to.equal(200);
    const bytes = (await res.text()).length;
    expect(bytes, `one page of the list: ${(bytes / 1e6).toFixed(1)} MB`).to.be.at.most(2_000_000);
  });
});
