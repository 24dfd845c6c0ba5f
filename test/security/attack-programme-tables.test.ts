import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { accountBalance, accountCode } from '../../db/ledger';
import { fixedClock } from '../../usecases/clock';
import { programmeClaimSteps } from '../../usecases/programme-claim-steps';
import { programmeClaimWorkflowId, type Actor, type ProgrammeClaimInput } from '../../workflows/definitions';
import { DEMO_CLASS_REF } from '../../scripts/lib/demo-programmes';
import { useOwnDatabase } from './own-database';

/**
 * docs/security.md ("Limits") promises: "The database's unique keys hold a trainee to one payment per
 * course type and part, and an enterprise to one reward per kind of event, whoever writes the
 * rows." Here the hostile application role writes one row of a PAID claim, then the
 * application's own claim steps (what the programmeClaim workflow runs) file, check and pay the
 * same trainees, the same event, again. Demo-seeded: a paid training class and a paid high-tech
 * reward exist.
 */
describe('attack: paying a trainee or an incubator reward twice, as the application role', function () {
  let db: Knex;
  let today: string;
  const actor = async (username: string): Promise<Actor> => {
    const u = await db('users').where({ username }).first();
    return { userId: u.id, username, role: u.role, orgId: u.org_id };
  };
  const refused = (p: Promise<unknown>) => p.then(() => 'allowed', () => 'refused');

  useOwnDatabase('attack_programmes', (d) => (db = d));

  /** File, check and approve through the application's own steps, on the demo's business date. */
  async function fileCheckApprove(input: ProgrammeClaimInput) {
    const steps = programmeClaimSteps({ db, clock: fixedClock(`${today}T04:00:00Z`) });
    // Filed as today's workflow files them: a training claim is the labour officer's to check.
    const training = input.programme === 'training_subsidy';
    const filed = await steps.fileProgrammeClaim({
      input, workflowId: programmeClaimWorkflowId(input.programme, input.claimId), filedOn: today, checkerRole: training ? 'labour_officer' : undefined,
    });
    if (!filed.ok) return { filed: filed.type, status: null };
    const decision = async (username: string) => ({ programme: input.programme, claimId: input.claimId, actor: await actor(username), requestId: 'attack', clientRequestId: null, today });
    await steps.checkProgrammeClaim({ ...(await decision(training ? 'labour' : 'fin-officer')), decision: 'accept' });
    const paid = await steps.approveProgrammeClaim({ ...(await decision('fin-approver')), decision: 'approve', attempt: 1 });
    return { filed: 'FILED', status: paid.status };
  }

  it('a paid class’s trainees, freed by one UPDATE of their lines’ live flag, are filed and paid again', async () => {
    const paid = await db('training_claims').where({ class_ref: DEMO_CLASS_REF, part: 'base', status: 'PAID' }).first();
    expect(paid, 'the demo’s paid class').to.not.equal(undefined);
    today = paid.paid_on;
    const lines = await db('training_claim_lines').where({ claim_id: paid.id, live: true }).orderBy('certificate_no');
    const expense = async () => (await accountBalance(db, accountCode.program('training_subsidy_expense'))).balance;
    const before = await expense();

    const update = await refused(db('training_claim_lines').where({ claim_id: paid.id }).update({ live: false }));
    const again = await fileCheckApprove({
      programme: 'training_subsidy',
      claimId: randomUUID(),
      filing: {
        programme: 'training_subsidy',
        training: {
          part: 'base', course: 'SYB', classRef: `${DEMO_CLASS_REF}-again`, enrolled: lines.length,
          trainees: lines.map((l) => ({ certificateNo: l.certificate_no, idNumber: l.holder_id_number, name: l.holder_name })),
        },
      },
      meta: { actor: await actor('trainer'), requestId: 'attack' },
    });
    expect(
      { update, again, expensePaidAgain: (await expense()) !== before },
      'the lines of a paid claim keep their trainees; the same trainees are never paid twice',
    ).to.deep.equal({ update: 'refused', again: { filed: 'CONFLICT', status: null }, expensePaidAgain: false });
  });

  it('a paid reward, marked REJECTED by one UPDATE, is filed and paid again for the same event', async () => {
    const paid = await db('incubator_reward_claims').where({ status: 'PAID', kind: 'high_tech' }).first();
    expect(paid, 'the demo’s paid reward').to.not.equal(undefined);
    today = paid.paid_on;
    const expense = async () => (await accountBalance(db, accountCode.program('incubator_reward_expense'))).balance;
    const before = await expense();

    const update = await refused(
      db('incubator_reward_claims').where({ id: paid.id }).update({ status: 'REJECTED', operator_entry_id: null, enterprise_entry_id: null, decision_reason: 'rewritten' }),
    );
    const again = await fileCheckApprove({
      programme: 'incubator_rewards',
      claimId: randomUUID(),
      filing: { programme: 'incubator_rewards', reward: { enterpriseId: paid.enterprise_id, kind: 'high_tech', exchange: null, documentNo: paid.document_no, eventOn: paid.event_on } },
      meta: { actor: await actor('fin-officer'), requestId: 'attack' },
    });
    expect(
      { update, again, expensePaidAgain: (await expense()) !== before },
      'a paid reward stays paid; one event of one enterprise is rewarded once',
    ).to.deep.equal({ update: 'refused', again: { filed: 'CONFLICT', status: null }, expensePaidAgain: false });
  });
});
