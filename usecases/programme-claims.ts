import type { Knex } from 'knex';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DomainError } from '../domain/errors';
import { maskIdNumber } from '../domain/masking';
import { usernamesOf } from '../db/repositories/users';
import { audit, auditedSince } from '../db/repositories/audit';
import {
  programmeApprovalUpdate,
  programmeCheckUpdate,
  programmeClaimStateQuery,
  programmeClaimWorkflowId,
  programmeFilingUpdate,
  type ProgrammeApproval,
  type ProgrammeCheck,
  type ProgrammeClaimInput,
  type ProgrammeClaimProgramme,
  type ProgrammeFilingResult,
  type RewardFiling,
  type TrainingFiling,
} from '../workflows/definitions';
import { programmeClaim } from '../workflows/programme-claim';
import { actorOf, answeringOwnRetry, idOfRequest, metaOf, refusedAs, todayOf, visibleOr403, type Caller, type KeyedRequest, type KeyUse, type RecordsDeps, type RequestIds, type WorkflowDeps } from './deps';
import { createOnce } from './create-once';
import { WorkflowClosedError, asking, fileWithStart, type DecisionRequest } from './workflow-client';

/**
 * The training subsidy's claims and the incubator rewards as the API serves them
 * (docs/programmes.md): filing starts the claim's workflow and waits for its filing; the officer's
 * check and the approver's decision are updates of it. The incubator registry is a plain
 * transaction with its audit row (no process to run).
 */

const TABLE = { training_subsidy: 'training_claims', incubator_rewards: 'incubator_reward_claims' } as const;
const FINANCE_AND_AUDITOR = ['finance_officer', 'finance_approver', 'auditor'];

/** Who reads every training claim: finance, the auditor and the labour bureau's officer, who checks them. */
const TRAINING_READERS = [...FINANCE_AND_AUDITOR, 'labour_officer'];
/** Who files, checks or pays a training claim, and so reads its trainees' ID numbers unmasked. */
const TRAINING_HANDLERS = ['training_officer', 'labour_officer', 'finance_officer', 'finance_approver'];

/** Training institutions see their own claims; finance staff, the labour officer and the auditor see every claim. */
function scopeTraining(q: Knex.QueryBuilder, caller: Caller): Knex.QueryBuilder {
  if (caller.role === 'training_officer') return q.where({ institution_id: caller.orgId });
  if (TRAINING_READERS.includes(caller.role)) return q;
  return q.whereRaw('false');
}

/** A training claim without its trainees: what the list shows of each. */
function trainingHead(row: Record<string, any>, name: (id: string | null) => string | null) {
  return {
    id: row.id as string,
    institutionId: row.institution_id as string,
    part: row.part as 'base' | 'outcome',
    course: row.course as string,
    classRef: row.class_ref as string,
    enrolled: row.enrolled as number | null,
    baseClaimId: row.base_claim_id as string | null,
    status: row.status as string,
    amount: row.amount as string,
    filedOn: row.filed_on as string,
    filedBy: name(row.filed_by),
    checkerRole: row.checker_role as 'labour_officer' | 'finance_officer',
    checkedBy: name(row.checked_by),
    checkDecision: row.check_decision as string | null,
    checkReason: row.check_reason as string | null,
    decidedBy: name(row.decided_by),
    decisionReason: row.decision_reason as string | null,
    fundId: row.fund_id as string | null,
    paidOn: row.paid_on as string | null,
  };
}

const nameFrom = (names: Map<string, string>) => (id: string | null) => (id ? (names.get(id) ?? null) : null);

async function trainingView(db: Knex, row: Record<string, any>, caller: Caller) {
  // The institution filed these numbers, the labour officer checks them and finance pays them; everyone else sees them masked.
  const id = (n: string) => (TRAINING_HANDLERS.includes(caller.role) ? n : maskIdNumber(n));
  const lines = await db('training_claim_lines').where({ claim_id: row.id }).orderBy('certificate_no');
  const names = await usernamesOf(db, [row.filed_by, row.checked_by, row.decided_by]);
  return {
    ...trainingHead(row, nameFrom(names)),
    trainees: lines.map((l) => ({
      certificateNo: l.certificate_no as string,
      idNumber: id(l.holder_id_number as string),
      name: l.holder_name as string,
      issuedOn: l.issued_on as string | null,
      startedOn: l.started_on as string | null,
      loanId: l.loan_id as string | null,
      mismatch: l.mismatch as string | null,
      amount: l.amount as string,
      paid: row.status === 'PAID' && l.live,
      dropped: !l.live && !['REFUSED', 'REJECTED'].includes(row.status),
    })),
  };
}

async function rewardView(db: Knex, row: Record<string, any>) {
  const names = await usernamesOf(db, [row.filed_by, row.checked_by, row.decided_by]);
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  const e = await db('incubated_enterprises').where({ id: row.enterprise_id }).first('name');
  const i = await db('incubators').where({ id: row.incubator_id }).first('name', 'operator_name');
  return {
    id: row.id as string,
    enterpriseId: row.enterprise_id as string,
    enterpriseName: e.name as string,
    incubatorId: row.incubator_id as string,
    incubatorName: i.name as string,
    operatorName: i.operator_name as string,
    kind: row.kind as string,
    exchange: row.exchange as string | null,
    documentNo: row.document_no as string,
    eventOn: row.event_on as string,
    amountEach: row.amount_each as string,
    status: row.status as string,
    filedOn: row.filed_on as string,
    filedBy: name(row.filed_by),
    checkedBy: name(row.checked_by),
    checkReason: row.check_reason as string | null,
    decidedBy: name(row.decided_by),
    decisionReason: row.decision_reason as string | null,
    fundId: row.fund_id as string | null,
    paidOn: row.paid_on as string | null,
    // What the bank statement names each payment by (docs/reconciliation.md).
    operatorPaymentRef: row.operator_payment_ref as string,
    enterprisePaymentRef: row.enterprise_payment_ref as string,
  };
}

export type TrainingClaimView = Awaited<ReturnType<typeof trainingView>>;
export type RewardClaimView = Awaited<ReturnType<typeof rewardView>>;

async function visibleTraining(db: Knex, caller: Caller, id: string) {
  const row = await scopeTraining(db('training_claims').where({ id }), caller).first();
  return visibleOr403(db, 'training_claims', id, row, 'training claim', "belongs to another institution");
}

async function visibleReward(db: Knex, caller: Caller, id: string) {
  const row = FINANCE_AND_AUDITOR.includes(caller.role) ? await db('incubator_reward_claims').where({ id }).first() : undefined;
  return visibleOr403(db, 'incubator_reward_claims', id, row, 'incubator reward claim', 'is not yours to see');
}

export async function getTrainingClaim(deps: RecordsDeps, caller: Caller, id: string) {
  return trainingView(deps.db, await visibleTraining(deps.db, caller, id), caller);
}

export async function getRewardClaim(deps: RecordsDeps, caller: Caller, id: string) {
  return rewardView(deps.db, await visibleReward(deps.db, caller, id));
}

/**
 * A page of training claims, each without its trainees (a claim may list a thousand): how many it
 * lists and how many of its live ones do not match the registry. The trainees come with the claim
 * itself (getTrainingClaim). Three queries a page: the claims, their counts, the usernames.
 */
export async function listTrainingClaims(deps: RecordsDeps, caller: Caller, f: { status?: string; page: number; pageSize: number }) {
  const base = scopeTraining(deps.db('training_claims'), caller);
  if (f.status) base.where({ status: f.status });
  const counted = await base.clone().count<{ count: number }[]>('* as count');
  const rows = await base.clone().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(f.pageSize).offset((f.page - 1) * f.pageSize);
  const counts: Array<{ claim_id: string; trainees: string; mismatches: string }> =
    rows.length === 0
      ? []
      : await deps.db('training_claim_lines')
          .whereIn('claim_id', rows.map((r: Record<string, any>) => r.id))
          .groupBy('claim_id')
          .select('claim_id', deps.db.raw('count(*) as trainees'), deps.db.raw('count(*) filter (where live and mismatch is not null) as mismatches'));
  const byClaim = new Map(counts.map((c) => [c.claim_id, c]));
  const names = nameFrom(await usernamesOf(deps.db, rows.flatMap((r: Record<string, any>) => [r.filed_by, r.checked_by, r.decided_by])));
  return {
    items: rows.map((r: Record<string, any>) => ({
      ...trainingHead(r, names),
      traineeCount: Number(byClaim.get(r.id)?.trainees ?? 0),
      mismatchCount: Number(byClaim.get(r.id)?.mismatches ?? 0),
    })),
    total: Number(counted[0]?.count ?? 0),
  };
}

export async function listRewardClaims(deps: RecordsDeps, _caller: Caller, f: { status?: string; enterpriseId?: string; page: number; pageSize: number }) {
  const base = deps.db('incubator_reward_claims');
  if (f.status) base.where({ status: f.status });
  if (f.enterpriseId) base.where({ enterprise_id: f.enterpriseId });
  const counted = await base.clone().count<{ count: number }[]>('* as count');
  const rows = await base.clone().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(f.pageSize).offset((f.page - 1) * f.pageSize);
  return { items: await Promise.all(rows.map((r) => rewardView(deps.db, r))), total: Number(counted[0]?.count ?? 0) };
}

/**
 * Starts the claim's workflow with its filing update, and answers with the filed claim or the
 * refusal. The claim's id comes from the Idempotency-Key (idOfRequest): a filing retried after a
 * server fault answers with the claim its first attempt filed, not a second claim's 409.
 */
async function file(deps: WorkflowDeps, caller: Caller, filing: ProgrammeClaimInput['filing'], request: RequestIds & { idempotency?: KeyUse | null }): Promise<string> {
  const claimId = idOfRequest(`${filing.programme}-claim`, caller.id, request.idempotency);
  if (request.idempotency && (await deps.db(TABLE[filing.programme]).where({ id: claimId }).first('id'))) return claimId;
  const input: ProgrammeClaimInput = { programme: filing.programme, claimId, filing, meta: metaOf(caller, request) };
  const start = new WithStartWorkflowOperation(programmeClaim, {
    taskQueue: deps.taskQueue,
    workflowId: programmeClaimWorkflowId(filing.programme, claimId),
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  });
  // The workflow id is the claim's: when it is taken, this request's first attempt started it.
  await fileWithStart(deps, programmeFilingUpdate, start, () => firstAttemptsFiling(deps, programmeClaimWorkflowId(filing.programme, claimId)));
  return claimId;
}

/** The first attempt's filing: its answer while the workflow runs; once it has finished without a claim, its refusal. */
async function firstAttemptsFiling(deps: WorkflowDeps, workflowId: string): Promise<ProgrammeFilingResult> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  try {
    return await asking(() => handle.executeUpdate(programmeFilingUpdate));
  } catch (e) {
    if (!(e instanceof WorkflowClosedError)) throw e;
    const state = await handle.query(programmeClaimStateQuery);
    return { outcome: 'refused', ...(state.refusal ?? { type: 'UNPROCESSABLE', message: state.note ?? 'the filing was refused', details: [] }) };
  }
}

/** A training institution files a class's claim: the base part (trainees who passed) or, later, the outcome part. */
export async function fileTrainingClaim(deps: WorkflowDeps, caller: Caller, training: TrainingFiling, request: RequestIds & { idempotency?: KeyUse | null }) {
  const id = await file(deps, caller, { programme: 'training_subsidy', training }, request);
  return trainingView(deps.db, await deps.db('training_claims').where({ id }).first(), caller);
}

/** A finance officer files an incubator reward for an enterprise's qualifying event, with its evidence. */
export async function fileRewardClaim(deps: WorkflowDeps, caller: Caller, reward: RewardFiling, request: RequestIds & { idempotency?: KeyUse | null }) {
  const id = await file(deps, caller, { programme: 'incubator_rewards', reward }, request);
  return rewardView(deps.db, await deps.db('incubator_reward_claims').where({ id }).first());
}

async function decide(deps: WorkflowDeps, caller: Caller, programme: ProgrammeClaimProgramme, id: string, send: (workflowId: string) => Promise<unknown>) {
  const row = programme === 'training_subsidy' ? await visibleTraining(deps.db, caller, id) : await visibleReward(deps.db, caller, id);
  try {
    await asking(() => send(row.workflow_id));
  } catch (e) {
    if (!(e instanceof WorkflowClosedError)) throw e;
    const now = await deps.db(TABLE[programme]).where({ id }).first('status');
    throw new DomainError('INVALID_STATE', `No decision is possible: the claim is ${now.status}`);
  }
  const now = await deps.db(TABLE[programme]).where({ id }).first();
  return now;
}

export async function checkProgrammeClaim(deps: WorkflowDeps, caller: Caller, programme: ProgrammeClaimProgramme, id: string, body: ProgrammeCheck, r: DecisionRequest) {
  const row = await decide(deps, caller, programme, id, (wf) =>
    deps.temporal.workflow.getHandle(wf).executeUpdate(programmeCheckUpdate, { args: [body, metaOf(caller, r)], updateId: r.updateId }),
  );
  return programme === 'training_subsidy' ? trainingView(deps.db, row, caller) : rewardView(deps.db, row);
}

export async function approveProgrammeClaim(deps: WorkflowDeps, caller: Caller, programme: ProgrammeClaimProgramme, id: string, body: ProgrammeApproval, r: DecisionRequest) {
  const row = await decide(deps, caller, programme, id, (wf) =>
    deps.temporal.workflow.getHandle(wf).executeUpdate(programmeApprovalUpdate, { args: [body, metaOf(caller, r)], updateId: r.updateId }),
  );
  return programme === 'training_subsidy' ? trainingView(deps.db, row, caller) : rewardView(deps.db, row);
}

// ---- the incubator registry -----------------------------------------------------------------------


const enterpriseView = (r: Record<string, any>) => ({
  id: r.id as string, incubatorId: r.incubator_id as string, name: r.name as string, creditCode: r.credit_code as string,
  enteredOn: r.entered_on as string, graduatedOn: r.graduated_on as string | null,
});
const incubatorView = (r: Record<string, any>) => ({
  id: r.id as string, name: r.name as string, operatorName: r.operator_name as string, operatorCreditCode: r.operator_credit_code as string, region: r.region as string,
  enterpriseCount: Number(r.enterprise_count ?? 0), incubatingCount: Number(r.incubating_count ?? 0),
});

/** Incubators with how many enterprises each holds and how many are still incubated (not graduated). */
const incubatorsWithCounts = (db: Knex) =>
  db('incubators as i').select(
    'i.*',
    db.raw('(select count(*) from public.incubated_enterprises e where e.incubator_id = i.id)::int as enterprise_count'),
    db.raw('(select count(*) from public.incubated_enterprises e where e.incubator_id = i.id and e.graduated_on is null)::int as incubating_count'),
  );

/** A page of the incubators by name, each with its counts: its enterprises are the incubator's own GET's. */
export async function listIncubators(deps: RecordsDeps, p: { page: number; pageSize: number }) {
  const counted = await deps.db('incubators').count<{ count: number }[]>('* as count');
  const rows = await incubatorsWithCounts(deps.db).orderBy(['i.name', 'i.id']).limit(p.pageSize).offset((p.page - 1) * p.pageSize);
  return { items: rows.map(incubatorView), total: Number(counted[0]?.count ?? 0) };
}

/** One incubator with a page of its enterprises, by name (an incubator can hold many). */
export async function getIncubator(deps: RecordsDeps, id: string, p: { page: number; pageSize: number }) {
  const row = await incubatorsWithCounts(deps.db).where('i.id', id).first();
  if (!row) throw new DomainError('NOT_FOUND', 'no such incubator');
  const enterprises = await deps.db('incubated_enterprises').where({ incubator_id: id }).orderBy(['name', 'id']).limit(p.pageSize).offset((p.page - 1) * p.pageSize);
  return { ...incubatorView(row), enterprises: enterprises.map(enterpriseView), enterprisesPage: p.page, enterprisesPageSize: p.pageSize };
}

/** A finance officer registers an incubator (创业基地/孵化器) and its operator. */
export async function registerIncubator(deps: RecordsDeps, caller: Caller, b: { name: string; operatorName: string; operatorCreditCode: string; region: string }, request: KeyedRequest) {
  const values = { name: b.name.trim(), operator_name: b.operatorName.trim(), operator_credit_code: b.operatorCreditCode, region: b.region.trim(), registered_by: caller.id };
  return createOnce(deps, request, {
    table: 'incubators',
    values,
    audited: (r) => ({ actor: actorOf(caller), action: 'incubator.register', entityType: 'incubator', entityId: r.id, requestId: request.requestId, payload: b }),
    taken: { constraint: 'incubators_name_key', message: 'an incubator of this name is registered', path: 'name', detail: 'registered already' },
    view: (r) => incubatorView(r as Parameters<typeof incubatorView>[0]),
    own: async (since) => {
      const held = await incubatorsWithCounts(deps.db).where(Object.fromEntries(Object.entries(values).map(([k, v]) => [`i.${k}`, v]))).andWhere('i.created_at', '>=', since).first();
      return held && incubatorView(held);
    },
  });
}

/**
 * An entry or graduation date is a day that has come: the reward windows count from it, and a
 * graduation is recorded once (the table's guard refuses a later date too).
 */
function notAfterToday(deps: RecordsDeps, field: 'enteredOn' | 'graduatedOn', date: string): void {
  const today = todayOf(deps);
  if (date > today) throw new DomainError('VALIDATION_FAILED', `${field} is after today`, [{ path: field, message: `must not be after today (${today})` }]);
}

/** A finance officer registers an enterprise incubated there, with its entry (and graduation) date. */
export async function registerEnterprise(
  deps: RecordsDeps,
  caller: Caller,
  incubatorId: string,
  b: { name: string; creditCode: string; enteredOn: string; graduatedOn?: string | null },
  request: KeyedRequest,
) {
  const incubator = await deps.db('incubators').where({ id: incubatorId }).first('id');
  if (!incubator) throw new DomainError('NOT_FOUND', `incubator ${incubatorId} not found`);
  if (b.graduatedOn && b.graduatedOn < b.enteredOn) throw new DomainError('VALIDATION_FAILED', 'graduation before entry', [{ path: 'graduatedOn', message: 'must not be before enteredOn' }]);
  notAfterToday(deps, 'enteredOn', b.enteredOn);
  if (b.graduatedOn) notAfterToday(deps, 'graduatedOn', b.graduatedOn);
  const values = { incubator_id: incubatorId, name: b.name.trim(), credit_code: b.creditCode, entered_on: b.enteredOn, graduated_on: b.graduatedOn ?? null, registered_by: caller.id };
  return createOnce(deps, request, {
    table: 'incubated_enterprises',
    values,
    audited: (r) => ({ actor: actorOf(caller), action: 'incubator.enterprise_register', entityType: 'incubated_enterprise', entityId: r.id, requestId: request.requestId, payload: { incubatorId, ...b } }),
    taken: { constraint: 'incubated_enterprises_credit_code_key', message: 'an enterprise with this credit code is registered', path: 'creditCode', detail: 'registered already' },
    view: (r) => enterpriseView(r as Parameters<typeof enterpriseView>[0]),
    own: async (since) => {
      const held = await deps.db('incubated_enterprises').where(values).andWhere('created_at', '>=', since).first();
      return held && enterpriseView(held);
    },
  });
}

/** The enterprise graduated: once recorded, its date no longer changes (the windows count from it). */
export async function recordGraduation(deps: RecordsDeps, caller: Caller, incubatorId: string, enterpriseId: string, graduatedOn: string, request: KeyedRequest) {
  const graduate = () =>
    deps.db.transaction(async (trx) => {
      const e = await trx('incubated_enterprises').where({ id: enterpriseId, incubator_id: incubatorId }).forUpdate().first();
      if (!e) throw new DomainError('NOT_FOUND', `enterprise ${enterpriseId} of incubator ${incubatorId} not found`);
      if (e.graduated_on) throw new DomainError('INVALID_STATE', `the enterprise graduated on ${e.graduated_on} already`);
      if (graduatedOn < e.entered_on) throw new DomainError('VALIDATION_FAILED', 'graduation before entry', [{ path: 'graduatedOn', message: `must not be before ${e.entered_on}` }]);
      notAfterToday(deps, 'graduatedOn', graduatedOn);
      const [r] = await trx('incubated_enterprises').where({ id: enterpriseId }).update({ graduated_on: graduatedOn }).returning('*');
      await audit(trx, { actor: actorOf(caller), action: 'incubator.enterprise_graduate', entityType: 'incubated_enterprise', entityId: enterpriseId, requestId: request.requestId, payload: { graduatedOn } });
      return enterpriseView(r);
    });
  // The enterprise keeps no graduation's maker: the trail, written with it, says who recorded it.
  return answeringOwnRetry(request, graduate, refusedAs('INVALID_STATE'), async (since) => {
    const e = await deps.db('incubated_enterprises').where({ id: enterpriseId, incubator_id: incubatorId, graduated_on: graduatedOn }).first();
    const mine = e && (await auditedSince(deps.db, { action: 'incubator.enterprise_graduate', entityType: 'incubated_enterprise', entityId: enterpriseId, userId: caller.id, since }));
    return mine ? enterpriseView(e) : undefined;
  });
}
