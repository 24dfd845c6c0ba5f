import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { addDays } from '../../domain/dates';
import { checkCharFor } from '../../domain/id-number';
import { fixedClock } from '../../usecases/clock';
import type { Caller } from '../../usecases/deps';
import { createFund, decideTopUpProposal, proposeTopUp } from '../../usecases/funds';
import { registerCertificate } from '../../usecases/registry';
import { registerEnterprise, registerIncubator } from '../../usecases/programme-claims';
import { programmeClaimSteps } from '../../usecases/programme-claim-steps';
import { programmeCheckerRole, programmeClaimWorkflowId, type ProgrammeClaimInput } from '../../workflows/definitions';

/** The training and incubator funds' budgets for the current year. */
export const DEMO_TRAINING_BUDGET = '200000.00';
export const DEMO_INCUBATOR_BUDGET = '1000000.00';
export const DEMO_CLASS_REF = 'SYB-2026-CC-01';

/** Two more trainees of the demo class, with valid ID numbers (check digits computed). */
const TRAINEES = [
  { first17: '22010219920512002', name: 'Li Na', certificateNo: 'SYB-2026-0002' },
  { first17: '22010419950830003', name: 'Wang Fang', certificateNo: 'SYB-2026-0003' },
].map((t) => ({ ...t, idNumber: t.first17 + checkCharFor(t.first17) }));

/**
 * The money programmes of the demo (docs/programmes.md), made through the use cases and the claim
 * workflow's own steps, as finance and the training institution would: the training and incubator
 * funds with their budgets (maker–checker), a training class whose base part is paid, and an
 * incubator with a graduated enterprise whose high-tech reward is paid. The class's outcome part
 * needs a trainee's loan: the demo applicant is one of its trainees.
 */
export async function seedDemoProgrammes(
  trx: Knex.Transaction,
  today: string,
  p: { applicant: { idNumber: string; name: string; certificateNo: string } },
): Promise<void> {
  const db = trx as unknown as Knex;
  const user = async (username: string): Promise<Caller> => {
    const u = await trx('users').where({ username }).first();
    return { id: u.id, username, role: u.role, orgId: u.org_id, idNumber: null };
  };
  const [trainer, labour, officer, approver] = [await user('trainer'), await user('labour'), await user('fin-officer'), await user('fin-approver')];
  const actor = (c: Caller) => ({ userId: c.id, username: c.username, role: c.role, orgId: c.orgId });
  const deps = { db, now: () => new Date(`${today}T04:00:00Z`) };
  const request = { requestId: 'demo-seed', clientRequestId: null };
  const year = Number(today.slice(0, 4));

  for (const [programme, name, budget] of [
    ['training_subsidy', `Entrepreneurship training subsidy ${year}`, DEMO_TRAINING_BUDGET],
    ['incubator_rewards', `Incubator rewards ${year}`, DEMO_INCUBATOR_BUDGET],
  ] as const) {
    const fund = await createFund(deps, { programme, year, name, actor: actor(officer), requestId: null });
    const proposal = await proposeTopUp(deps, { fundId: fund.id, amount: budget, reason: `Budget ${year}`, actor: actor(officer), requestId: null });
    await decideTopUpProposal(deps, { fundId: fund.id, proposalId: proposal.id, decision: 'approve', actor: actor(approver), requestId: null, today });
  }

  const issuedOn = addDays(today, -60);
  for (const t of TRAINEES) {
    await registerCertificate(deps, trainer, { certificateNo: t.certificateNo, holderIdNumber: t.idNumber, holderName: t.name, course: 'SYB', issuedOn }, request);
  }

  const steps = programmeClaimSteps({ db, clock: fixedClock(`${today}T04:00:00Z`) });
  const run = async (input: ProgrammeClaimInput, checkedBy: Caller, decidedBy: Caller) => {
    const workflowId = programmeClaimWorkflowId(input.programme, input.claimId);
    const filed = await steps.fileProgrammeClaim({ input, workflowId, filedOn: today, checkerRole: programmeCheckerRole(input.programme, true) });
    if (!filed.ok) throw new Error(`demo ${input.programme} claim refused: ${filed.message}`);
    const decision = (c: Caller) => ({ programme: input.programme, claimId: input.claimId, actor: actor(c), requestId: 'demo-seed', clientRequestId: null, today });
    await steps.checkProgrammeClaim({ ...decision(checkedBy), decision: 'accept', reason: 'demo' });
    const paid = await steps.approveProgrammeClaim({ ...decision(decidedBy), decision: 'approve', attempt: 1 });
    if (paid.status !== 'PAID') throw new Error(`demo ${input.programme} claim not paid: ${paid.status} ${paid.note}`);
  };

  const trainees = [
    { certificateNo: p.applicant.certificateNo, idNumber: p.applicant.idNumber, name: p.applicant.name },
    ...TRAINEES.map((t) => ({ certificateNo: t.certificateNo, idNumber: t.idNumber, name: t.name })),
  ];
  await run(
    {
      programme: 'training_subsidy',
      claimId: randomUUID(),
      filing: { programme: 'training_subsidy', training: { part: 'base', course: 'SYB', classRef: DEMO_CLASS_REF, enrolled: 4, trainees } },
      meta: { actor: actor(trainer), requestId: 'demo-seed' },
    },
    labour,
    approver,
  );

  const incubator = await registerIncubator(
    deps,
    officer,
    { name: '长春市小企业创业基地', operatorName: '长春创业服务有限公司', operatorCreditCode: '91220101MA0000001Y', region: 'Changchun' },
    request,
  );
  const enterprise = await registerEnterprise(
    deps,
    officer,
    incubator.id,
    { name: '吉林智造科技有限公司', creditCode: '91220101MA00000021', enteredOn: addDays(today, -900), graduatedOn: addDays(today, -200) },
    request,
  );
  await registerEnterprise(deps, officer, incubator.id, { name: '长春云帆软件有限公司', creditCode: '91220101MA00000031', enteredOn: addDays(today, -120) }, request);
  await run(
    {
      programme: 'incubator_rewards',
      claimId: randomUUID(),
      filing: { programme: 'incubator_rewards', reward: { enterpriseId: enterprise.id, kind: 'high_tech', exchange: null, documentNo: 'GR202622000123', eventOn: addDays(today, -30) } },
      meta: { actor: actor(officer), requestId: 'demo-seed' },
    },
    officer,
    approver,
  );
}
