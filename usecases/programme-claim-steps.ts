import type { Knex } from 'knex';
import type { StepDeps } from './deps';
import type {
  Actor,
  ProgrammeApproval,
  ProgrammeCheck,
  ProgrammeCheckerRole,
  ProgrammeClaimInput,
  ProgrammeClaimProgramme,
  ProgrammeClaimState,
  ProgrammeClaimStatus,
  RewardFiling,
  TrainingFiling,
} from '../workflows/definitions';
import { audit } from '../db/repositories/audit';
import { loadPolicy, loadPolicyInForce } from '../db/repositories/policies';
import { InsufficientBudgetError, findFund, payProgrammeExpense, reserveBudget } from '../db/ledger';
import { compareDates } from '../domain/dates';
import { Money, formatMoney } from '../domain/money';
import { inRewardWindow, outcomeClaimableFrom, outcomeWindowEnd, rewardWindowEnd, trainingClaimAmount, type IncubatorRewardRule } from '../domain/programmes';
import { startedBusiness } from './business-outcomes';

type Trx = Knex.Transaction;
type Detail = { path: string; message: string };

export type ProgrammeFilingOutcome =
  | { ok: true; claim: ProgrammeClaimState }
  | { ok: false; type: 'CONFLICT' | 'UNPROCESSABLE' | 'VALIDATION_FAILED' | 'NOT_FOUND'; message: string; details: Detail[] };

export interface ProgrammeDecisionRecord {
  programme: ProgrammeClaimProgramme;
  claimId: string;
  actor: Actor;
  requestId: string;
  clientRequestId?: string | null;
  today: string;
}

/** Where each programme keeps its claims, and how its claims are paid. */
const TABLE = { training_subsidy: 'training_claims', incubator_rewards: 'incubator_reward_claims' } as const;
const ENTITY = { training_subsidy: 'training_claim', incubator_rewards: 'incubator_reward' } as const;

const refusal = (type: Exclude<ProgrammeFilingOutcome, { ok: true }>['type'], path: string, message: string): ProgrammeFilingOutcome => ({
  ok: false, type, message, details: [{ path, message }],
});

/** Rolls a refused filing's transaction back, carrying the refusal out of it. */
class FilingRefused extends Error {
  constructor(readonly outcome: ProgrammeFilingOutcome) {
    super('filing refused');
  }
}

function isUniqueViolation(e: unknown, constraint: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && err.constraint === constraint;
}

/** A line matching its certificate whose trainee a matching line of another claim holds already. */
const ALREADY_CLAIMED = 'claimed already in another claim for this course';

/** What the certificate registry says of a listed trainee: null when it matches, else why not. */
async function certificateMismatch(db: Knex | Trx, institutionId: string, course: string, t: { certificateNo: string; idNumber: string }): Promise<{ mismatch: string | null; issuedOn: string | null }> {
  const c = await db('certificates').where({ certificate_no: t.certificateNo }).first();
  if (!c) return { mismatch: 'no such certificate in the registry', issuedOn: null };
  const issuedOn = c.issued_on as string;
  if (c.institution_id !== institutionId) return { mismatch: 'issued by another institution', issuedOn };
  if (c.course !== course) return { mismatch: `a ${c.course} certificate, not ${course}`, issuedOn };
  if (c.holder_id_number !== t.idNumber) return { mismatch: 'the certificate names another person', issuedOn };
  if (c.revoked_at) return { mismatch: 'the certificate was revoked', issuedOn };
  return { mismatch: null, issuedOn };
}

export async function programmeClaimState(db: Knex | Trx, programme: ProgrammeClaimProgramme, id: string, note: string | null = null): Promise<ProgrammeClaimState> {
  const row = await db(TABLE[programme]).where({ id }).first();
  let amount: string;
  let mismatches = 0;
  let trainees: number | undefined;
  if (programme === 'training_subsidy') {
    amount = row.amount;
    const [n] = await db('training_claim_lines')
      .where({ claim_id: id, live: true })
      .select(db.raw('count(*) as trainees'), db.raw('count(*) filter (where mismatch is not null) as mismatches'));
    mismatches = Number(n?.mismatches ?? 0);
    trainees = Number(n?.trainees ?? 0);
  } else {
    amount = formatMoney(new Money(row.amount_each).times(2));
  }
  const refusedOrRejected = row.status === 'REFUSED' ? row.check_reason : row.status === 'REJECTED' ? row.decision_reason : null;
  return {
    id, programme, status: row.status as ProgrammeClaimStatus, amount, mismatches, ...(trainees === undefined ? {} : { trainees }),
    checkedBy: row.checked_by, note: note ?? refusedOrRejected ?? null,
  };
}

/**
 * The steps of a programme claim's workflow (training subsidy, incubator reward), each run by an
 * activity (activities/programmes.ts). Each step owns its transaction and its audit row, keyed so a
 * retried activity writes nothing twice.
 */
export function programmeClaimSteps({ db, clock }: StepDeps) {
  async function move(trx: Trx, programme: ProgrammeClaimProgramme, id: string, from: ProgrammeClaimStatus[], set: Record<string, unknown>): Promise<boolean> {
    return (await trx(TABLE[programme]).where({ id }).whereIn('status', from).update({ ...set, updated_at: clock.now() })) > 0;
  }

  // ---- filing ---------------------------------------------------------------------------------

  async function fileTraining(trx: Trx, input: ProgrammeClaimInput, f: TrainingFiling, workflowId: string, filedOn: string, checkerRole: ProgrammeCheckerRole): Promise<ProgrammeFilingOutcome> {
    const actor = input.meta.actor;
    const institutionId = actor.orgId!;
    if (f.part === 'base') {
      const policy = await loadPolicyInForce(trx, filedOn);
      if (!policy) return refusal('UNPROCESSABLE', 'part', `no policy version is in force on ${filedOn}`);
      if (f.trainees.length > f.enrolled) return refusal('VALIDATION_FAILED', 'enrolled', `${f.trainees.length} trainees passed but only ${f.enrolled} enrolled`);
      const rates = policy.params.trainingSubsidy;
      const perTrainee = trainingClaimAmount('base', 1, rates);
      const lines = [];
      for (const t of f.trainees) {
        const { mismatch, issuedOn } = await certificateMismatch(trx, institutionId, f.course, t);
        lines.push({
          claim_id: input.claimId, certificate_no: t.certificateNo, holder_id_number: t.idNumber, holder_name: t.name, course: f.course, part: 'base',
          issued_on: issuedOn, mismatch, amount: perTrainee,
        });
      }
      const at = clock.now();
      await trx('training_claims').insert({
        id: input.claimId, workflow_id: workflowId, institution_id: institutionId, part: 'base', course: f.course, class_ref: f.classRef.trim(),
        enrolled: f.enrolled, policy_id: policy.id, amount: trainingClaimAmount('base', lines.length, rates), filed_by: actor.userId, filed_on: filedOn,
        checker_role: checkerRole, created_at: at, updated_at: at,
      });
      await trx('training_claim_lines').insert(lines);
      return { ok: true, claim: await programmeClaimState(trx, 'training_subsidy', input.claimId) };
    }
    // The outcome part: trainees of a paid base claim who started a business within the window.
    const base = await trx('training_claims').where({ id: f.baseClaimId, part: 'base' }).first();
    if (!base || base.institution_id !== institutionId) return refusal('NOT_FOUND', 'baseClaimId', `no base claim ${f.baseClaimId} of your institution`);
    if (base.status !== 'PAID') return refusal('UNPROCESSABLE', 'baseClaimId', `the base claim is ${base.status}; the outcome part follows a paid base claim`);
    const policy = await loadPolicy(trx, base.policy_id);
    const rates = policy.params.trainingSubsidy;
    const paidLines = await trx('training_claim_lines').where({ claim_id: base.id, live: true }).orderBy('certificate_no');
    const from = outcomeClaimableFrom(paidLines.map((l) => l.issued_on as string), rates.outcomeMonths);
    if (compareDates(filedOn, from) < 0) {
      return refusal('VALIDATION_FAILED', 'baseClaimId', `the outcome part is claimable once ${rates.outcomeMonths} months have passed for every trainee: from ${from}`);
    }
    const lines = [];
    for (const l of paidLines) {
      const started = await startedBusiness(trx, l.holder_id_number, l.issued_on, outcomeWindowEnd(l.issued_on, rates.outcomeMonths));
      if (!started) continue;
      lines.push({
        claim_id: input.claimId, certificate_no: l.certificate_no, holder_id_number: l.holder_id_number, holder_name: l.holder_name, course: base.course,
        part: 'outcome', issued_on: l.issued_on, started_on: started.startedOn, loan_id: started.loanId, mismatch: null, amount: trainingClaimAmount('outcome', 1, rates),
      });
    }
    if (lines.length === 0) {
      return refusal('UNPROCESSABLE', 'baseClaimId', `no trainee of class ${base.class_ref} started a business within ${rates.outcomeMonths} months of their certificate`);
    }
    const at = clock.now();
    await trx('training_claims').insert({
      id: input.claimId, workflow_id: workflowId, institution_id: institutionId, part: 'outcome', course: base.course, class_ref: base.class_ref,
      base_claim_id: base.id, policy_id: base.policy_id, amount: trainingClaimAmount('outcome', lines.length, rates), filed_by: actor.userId, filed_on: filedOn,
      checker_role: checkerRole, created_at: at, updated_at: at,
    });
    await trx('training_claim_lines').insert(lines);
    return { ok: true, claim: await programmeClaimState(trx, 'training_subsidy', input.claimId) };
  }

  async function fileReward(trx: Trx, input: ProgrammeClaimInput, f: RewardFiling, workflowId: string, filedOn: string): Promise<ProgrammeFilingOutcome> {
    const e = await trx('incubated_enterprises').where({ id: f.enterpriseId }).first();
    if (!e) return refusal('NOT_FOUND', 'enterpriseId', `no incubated enterprise ${f.enterpriseId}`);
    if (compareDates(f.eventOn, filedOn) > 0) return refusal('VALIDATION_FAILED', 'eventOn', `must not be after today (${filedOn})`);
    const policy = await loadPolicyInForce(trx, filedOn);
    if (!policy) return refusal('UNPROCESSABLE', 'kind', `no policy version is in force on ${filedOn}`);
    const rule: IncubatorRewardRule | undefined = policy.params.incubatorRewards[f.kind];
    if (!rule) return refusal('UNPROCESSABLE', 'kind', `the policy in force rewards no ${f.kind} event`);
    if (!inRewardWindow(rule, e.entered_on, e.graduated_on, f.eventOn)) {
      const end = rewardWindowEnd(rule, e.graduated_on);
      return refusal('VALIDATION_FAILED', 'eventOn', `outside the reward window: from entry on ${e.entered_on}${end ? ` to ${end}` : ''}`);
    }
    if (f.kind === 'neeq_transfer') {
      const listed = await trx('incubator_reward_claims')
        .where({ enterprise_id: e.id, kind: 'listing', exchange: 'regional', status: 'PAID' })
        .where('event_on', '<=', f.eventOn)
        .first('id');
      if (!listed) return refusal('UNPROCESSABLE', 'kind', 'a move to the NEEQ is rewarded after a rewarded listing on the regional exchange');
    }
    const at = clock.now();
    await trx('incubator_reward_claims').insert({
      id: input.claimId, workflow_id: workflowId, enterprise_id: e.id, incubator_id: e.incubator_id, kind: f.kind, exchange: f.exchange,
      document_no: f.documentNo.trim(), event_on: f.eventOn, policy_id: policy.id, amount_each: rule.amountEach, filed_by: input.meta.actor.userId,
      filed_on: filedOn, created_at: at, updated_at: at,
    });
    return { ok: true, claim: await programmeClaimState(trx, 'incubator_rewards', input.claimId) };
  }

  // ---- payment --------------------------------------------------------------------------------

  /**
   * Reserves the claim's amount from its programme's fund of the approver's bureau for the year of
   * the approval and pays it out, in a savepoint: when the fund is short (or not opened) nothing is
   * posted and the claim waits in PENDING_BUDGET; the approver approves again after a top-up.
   */
  async function tryPayment(trx: Trx, programme: ProgrammeClaimProgramme, id: string, bureauId: string, today: string): Promise<{ status: 'PAID' | 'PENDING_BUDGET'; note: string | null }> {
    const year = Number(today.slice(0, 4));
    const fund = await findFund(trx, bureauId, year, programme);
    if (!fund) {
      await trx(TABLE[programme]).where({ id }).update({ status: 'PENDING_BUDGET', updated_at: clock.now() });
      return { status: 'PENDING_BUDGET', note: `no ${programme} fund for ${year} yet` };
    }
    const row = await trx(TABLE[programme]).where({ id }).first();
    const prefix = `${ENTITY[programme].replace('_', '-')}:${id}`;
    const meta = { claimId: id, programme };
    try {
      if (programme === 'training_subsidy') {
        const payout = await trx.transaction(async (sp) => {
          await reserveBudget(sp, { fundId: fund.id, amount: row.amount, postedOn: today, idempotencyKey: `${prefix}:reserve`, description: `Training subsidy ${row.part} ${row.class_ref} approved`, metadata: meta });
          return payProgrammeExpense(sp, {
            fundId: fund.id, amount: row.amount, postedOn: today, idempotencyKey: `${prefix}:payout`, expense: 'training_subsidy_expense', kind: 'training.payout',
            description: `Training subsidy (${row.part}) paid for class ${row.class_ref}`, metadata: { ...meta, institutionId: row.institution_id },
          });
        });
        await trx('training_claims').where({ id }).update({ status: 'PAID', fund_id: fund.id, paid_on: today, payout_entry_id: payout.id, updated_at: clock.now() });
      } else {
        const incubator = await trx('incubators').where({ id: row.incubator_id }).first();
        const both = formatMoney(new Money(row.amount_each).times(2));
        const [operator, enterprise] = await trx.transaction(async (sp) => {
          await reserveBudget(sp, { fundId: fund.id, amount: both, postedOn: today, idempotencyKey: `${prefix}:reserve`, description: `Incubator reward ${row.kind} approved`, metadata: meta });
          const pay = (to: 'operator' | 'enterprise', payee: string) =>
            payProgrammeExpense(sp, {
              fundId: fund.id, amount: row.amount_each, postedOn: today, idempotencyKey: `${prefix}:${to}`, expense: 'incubator_reward_expense', kind: 'incubator.reward',
              description: `Incubator reward (${row.kind}) paid to the ${to}`, metadata: { ...meta, payee: to, payeeName: payee, enterpriseId: row.enterprise_id },
            });
          return [await pay('operator', incubator.operator_name), await pay('enterprise', row.enterprise_id)];
        });
        await trx('incubator_reward_claims')
          .where({ id })
          .update({ status: 'PAID', fund_id: fund.id, paid_on: today, operator_entry_id: operator.id, enterprise_entry_id: enterprise.id, updated_at: clock.now() });
      }
      return { status: 'PAID', note: null };
    } catch (e) {
      if (!(e instanceof InsufficientBudgetError)) throw e;
      await trx(TABLE[programme]).where({ id }).update({ status: 'PENDING_BUDGET', fund_id: fund.id, updated_at: clock.now() });
      return { status: 'PENDING_BUDGET', note: e.message };
    }
  }

  /**
   * Writes the registry's verdict on a line at the check. A line that comes to match enters the
   * unique key of matched live lines (training_claim_lines_once): when the trainee is claimed by a
   * matching line already, it stays a mismatch, for adjust to drop (a savepoint keeps the check's
   * transaction usable; the key waits for a concurrent check, so two never both match).
   */
  async function setMismatch(trx: Trx, claimId: string, certificateNo: string, mismatch: string | null): Promise<void> {
    const line = () => trx('training_claim_lines').where({ claim_id: claimId, certificate_no: certificateNo });
    if (mismatch !== null) {
      await line().update({ mismatch });
      return;
    }
    try {
      await trx.transaction(async (sp) => sp('training_claim_lines').where({ claim_id: claimId, certificate_no: certificateNo }).update({ mismatch: null }));
    } catch (e) {
      if (!isUniqueViolation(e, 'training_claim_lines_once')) throw e;
      await line().update({ mismatch: ALREADY_CLAIMED });
    }
  }

  /** A claim refused or rejected frees its trainees for a claim filed again. */
  async function release(trx: Trx, programme: ProgrammeClaimProgramme, id: string): Promise<void> {
    if (programme === 'training_subsidy') await trx('training_claim_lines').where({ claim_id: id }).update({ live: false });
  }

  return {
    /** Files a claim: the database's unique keys refuse a trainee paid twice, or a second claim for one event (409). */
    /** checkerRole: absent when the workflow's code predates the labour officer (its claims stay the finance officer's). */
    async fileProgrammeClaim(r: { input: ProgrammeClaimInput; workflowId: string; filedOn: string; checkerRole?: ProgrammeCheckerRole }): Promise<ProgrammeFilingOutcome> {
      const { input } = r;
      const existing = await db(TABLE[input.programme]).where({ id: input.claimId }).first('id');
      if (existing) return { ok: true, claim: await programmeClaimState(db, input.programme, input.claimId) };
      try {
        return await db.transaction(async (trx) => {
          const out =
            input.filing.programme === 'training_subsidy'
              ? await fileTraining(trx, input, input.filing.training, r.workflowId, r.filedOn, r.checkerRole ?? 'finance_officer')
              : await fileReward(trx, input, input.filing.reward, r.workflowId, r.filedOn);
          // Nothing of a refused filing stays.
          if (!out.ok) throw new FilingRefused(out);
          await audit(trx, {
            key: `${r.workflowId}:file`, at: clock.now(), actor: input.meta.actor, action: `${ENTITY[input.programme]}.file`, entityType: ENTITY[input.programme],
            entityId: input.claimId, requestId: input.meta.requestId, clientRequestId: input.meta.clientRequestId ?? null,
            payload: { amount: out.claim.amount, mismatches: out.claim.mismatches, ...(input.filing.programme === 'training_subsidy' ? { part: input.filing.training.part } : { kind: input.filing.reward.kind }) },
          });
          return out;
        });
      } catch (e) {
        if (e instanceof FilingRefused) return e.outcome;
        if (isUniqueViolation(e, 'training_claim_lines_once')) {
          return refusal('CONFLICT', 'trainees', 'a trainee of this claim has been claimed for this course already (each trainee is paid once per course type)');
        }
        if (isUniqueViolation(e, 'training_claims_one_live')) return refusal('CONFLICT', 'classRef', 'this class has a claim for this part already');
        if (isUniqueViolation(e, 'incubator_reward_claims_once')) return refusal('CONFLICT', 'kind', 'this event of this enterprise has been claimed already');
        throw e;
      }
    },

    /**
     * The officer's check (maker): accept (every trainee matches the registry, checked again now),
     * adjust (the trainees who do not match are dropped and the amount recomputed) or refuse.
     */
    async checkProgrammeClaim(r: ProgrammeDecisionRecord & ProgrammeCheck): Promise<ProgrammeClaimState> {
      return db.transaction(async (trx) => {
        const at = clock.now();
        const table = TABLE[r.programme];
        const row = await trx(table).where({ id: r.claimId }).forUpdate().first();
        if (row.status !== 'FILED') return programmeClaimState(trx, r.programme, r.claimId);
        if (r.decision === 'refuse') {
          await move(trx, r.programme, r.claimId, ['FILED'], { status: 'REFUSED', checked_by: r.actor.userId, check_decision: 'refuse', check_reason: r.reason ?? null });
          await release(trx, r.programme, r.claimId);
        } else {
          if (r.programme === 'training_subsidy' && row.part === 'base') {
            // The registry as it stands at the check (a certificate may have been revoked since the filing).
            const lines = await trx('training_claim_lines').where({ claim_id: r.claimId, live: true });
            for (const l of lines) {
              const { mismatch } = await certificateMismatch(trx, row.institution_id, row.course, { certificateNo: l.certificate_no, idNumber: l.holder_id_number });
              if (mismatch !== l.mismatch) await setMismatch(trx, r.claimId, l.certificate_no, mismatch);
            }
            const bad = await trx('training_claim_lines').where({ claim_id: r.claimId, live: true }).whereNotNull('mismatch').count<{ n: number }[]>('* as n');
            if (Number(bad[0]?.n ?? 0) > 0) {
              if (r.decision === 'accept') return programmeClaimState(trx, r.programme, r.claimId, 'trainees no longer match their certificates: adjust or refuse');
              // Adjusted to nobody, the claim would be CHECKED at 0.00, which no payout can pay.
              if (Number(bad[0]?.n ?? 0) === lines.length) return programmeClaimState(trx, r.programme, r.claimId, 'no trainee matches their certificate any more: refuse the claim');
              await trx('training_claim_lines').where({ claim_id: r.claimId, live: true }).whereNotNull('mismatch').update({ live: false });
              const policy = await loadPolicy(trx, row.policy_id);
              const left = await trx('training_claim_lines').where({ claim_id: r.claimId, live: true }).count<{ n: number }[]>('* as n');
              await trx('training_claims').where({ id: r.claimId }).update({ amount: trainingClaimAmount('base', Number(left[0]?.n ?? 0), policy.params.trainingSubsidy) });
            }
          }
          await move(trx, r.programme, r.claimId, ['FILED'], { status: 'CHECKED', checked_by: r.actor.userId, check_decision: r.decision, check_reason: r.reason ?? null });
        }
        const state = await programmeClaimState(trx, r.programme, r.claimId);
        await audit(trx, {
          key: `${row.workflow_id}:check`, at, actor: r.actor, action: `${ENTITY[r.programme]}.check.${r.decision}`, entityType: ENTITY[r.programme], entityId: r.claimId,
          reason: r.reason ?? null, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: { amount: state.amount },
        });
        return state;
      });
    },

    /**
     * The finance approver's decision (checker, never the claim's checker: the table refuses it too):
     * approval pays from the programme's fund or leaves the claim waiting for budget; rejection frees it.
     */
    async approveProgrammeClaim(r: ProgrammeDecisionRecord & ProgrammeApproval & { attempt: number }): Promise<ProgrammeClaimState> {
      return db.transaction(async (trx) => {
        const at = clock.now();
        const row = await trx(TABLE[r.programme]).where({ id: r.claimId }).forUpdate().first();
        if (!['CHECKED', 'PENDING_BUDGET'].includes(row.status)) return programmeClaimState(trx, r.programme, r.claimId);
        let note: string | null = null;
        if (r.decision === 'reject') {
          await move(trx, r.programme, r.claimId, ['CHECKED', 'PENDING_BUDGET'], { status: 'REJECTED', decided_by: r.actor.userId, decision_reason: r.reason ?? null });
          await release(trx, r.programme, r.claimId);
        } else {
          await trx(TABLE[r.programme]).where({ id: r.claimId }).update({ decided_by: r.actor.userId, decision_reason: r.reason ?? null });
          note = (await tryPayment(trx, r.programme, r.claimId, r.actor.orgId!, r.today)).note;
        }
        const state = await programmeClaimState(trx, r.programme, r.claimId, note);
        await audit(trx, {
          key: `${row.workflow_id}:approval:${r.attempt}`, at, actor: r.actor, action: `${ENTITY[r.programme]}.approval.${r.decision}`, entityType: ENTITY[r.programme],
          entityId: r.claimId, reason: r.reason ?? null, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: { status: state.status, amount: state.amount, note },
        });
        return state;
      });
    },
  };
}

export type ProgrammeClaimSteps = ReturnType<typeof programmeClaimSteps>;
