import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { newApplicant, usePrivateSuite } from '../support/api';
import { login, newOrg } from '../subsidy/helpers';

/**
 * The training subsidy as a hostile training institution (docs/programmes.md "Training subsidy tied
 * to results"): it may file what it likes about its own classes, but not decide what another
 * institution may claim.
 */
describe('attack: a training institution and another institution’s trainees', function () {
  const s = usePrivateSuite('attack_training');

  it('another institution listing our trainee (a mismatch it cannot be paid for) does not block our own claim for them', async () => {
    // Our trainee: certificate issued today by the demo institution (the `trainer`).
    const trainee = await newApplicant(s.h);
    const trainer = await s.h.login('trainer');
    // A rival institution with an officer of its own.
    const rival = await newOrg(s.h, s.db, 'training_institution' as 'bank', ['training_officer']);
    const rivalToken = await login(s.h, rival.users.training_officer!);

    const squat = await s.h.call('POST', '/v1/training-claims', {
      token: rivalToken,
      body: { part: 'base', course: 'SYB', classRef: `RIVAL-${randomUUID().slice(0, 8)}`, enrolled: 1, trainees: [{ certificateNo: trainee.certificateNo, idNumber: trainee.idNumber, name: trainee.name }] },
    });
    expect(squat.status, JSON.stringify(squat.body)).to.equal(201);
    expect(squat.body.trainees[0].mismatch).to.equal('issued by another institution');

    const ours = await s.h.call('POST', '/v1/training-claims', {
      token: trainer,
      body: { part: 'base', course: 'SYB', classRef: `OURS-${randomUUID().slice(0, 8)}`, enrolled: 1, trainees: [{ certificateNo: trainee.certificateNo, idNumber: trainee.idNumber, name: trainee.name }] },
    });
    expect(ours.status, `the issuing institution's own claim: ${JSON.stringify(ours.body)}`).to.equal(201);
  });
});
