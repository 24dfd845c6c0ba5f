import { expect } from 'chai';
import { usePrivateSuite } from '../support/api';
import { AUDIT_ENTITY_TYPES } from '../../usecases/audit';

/**
 * GET /v1/audit-log as the auditor (demo-seeded: a paid training class, its certificates).
 */
describe('attack: the audit trail as the auditor', function () {
  const s = usePrivateSuite('attack_audit', { runWorker: false, logins: ['auditor'] });

  it('does not hand out in full the ID numbers that the training claim and the certificate show the auditor masked', async () => {
    const listed = (await s.h.call('GET', '/v1/training-claims', { token: s.tokens.auditor })).body.items[0];
    expect(listed, 'the demo’s training claim').to.not.equal(undefined);
    // The list counts a claim's trainees; the claim itself lists them.
    const claim = (await s.h.call('GET', `/v1/training-claims/${listed.id}`, { token: s.tokens.auditor })).body;
    const masked = claim.trainees.map((t: { idNumber: string }) => t.idNumber);
    // As the claim shows them to the auditor: masked (docs/security.md, ID numbers).
    const full = (await s.db('training_claim_lines').where({ claim_id: claim.id }).pluck('holder_id_number')) as string[];
    expect(masked).to.not.include.members(full);

    const trail = await s.h.call('GET', '/v1/audit-log?action=certificate&pageSize=200', { token: s.tokens.auditor });
    expect(trail.status).to.equal(200);
    const text = JSON.stringify(trail.body.items);
    const inFull = full.filter((n) => text.includes(n));
    expect(inFull, 'trainees’ ID numbers in full in the audit trail’s payloads').to.deep.equal([]);
  });

  it('filters by the new records’ entity types (training claims, incubator rewards)', async () => {
    const statuses: Record<string, number> = {};
    for (const t of ['training_claim', 'incubator_reward', 'incubator', 'incubated_enterprise']) {
      statuses[t] = (await s.h.call('GET', `/v1/audit-log?entityType=${t}`, { token: s.tokens.auditor })).status;
    }
    expect(statuses).to.deep.equal({ training_claim: 200, incubator_reward: 200, incubator: 200, incubated_enterprise: 200 });
  });

  it('offers every entity type the demo’s writers recorded (the filter’s list is the writers’ own)', async () => {
    const written = (await s.db('audit_log').distinct('entity_type').pluck('entity_type')) as string[];
    expect(written.length, 'the demo wrote audit rows').to.be.greaterThan(5);
    expect([...AUDIT_ENTITY_TYPES]).to.include.members(written);
  });
});
