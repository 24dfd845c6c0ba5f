import type { Knex } from 'knex';
import { DuplicateFundError, getFund, getFundStatus, insertFund, lapseFund, type Fund, type Programme } from '../db/ledger';
import { Money, formatMoney } from '../domain/money';
import { audit, auditedSince, type AuditActor } from '../db/repositories/audit';
import {
  approveTopUp,
  decideProposal,
  insertProposal,
  countProposals,
  listProposals,
  lockProposal,
  decidedSince,
  proposalView,
  TopUpApprovalRefused,
  type ProposalView,
} from '../db/repositories/proposals';
import { FinanceError, requireFinance } from '../db/reconciliation/errors';
import { DomainError } from '../domain/errors';
import { payWaitingClaims, type WaitingClaimsOutcome } from './subsidy-claims';
import { answeringOwnRetry, idOfRequest, refusedAs, todayOf, type Caller, type KeyUse, type RecordsDeps, type RequestIds, type WorkflowDeps } from './deps';
import { dayAfterYearEnd, yearHasEnded } from '../domain/programmes';

/**
 * Topping up a special fund is maker–checker (docs/security.md): a finance officer or approver of
 * the fund's bureau proposes an amount with a reason; a finance approver of the same bureau, not
 * the proposer, approves it. The approval is the database's `fund_top_up_approve`, which checks
 * all of that again, posts the allocation keyed on the proposal (`fund-top-up:<id>`, so a retried
 * approval allocates once), records the decision and its audit row in one call: the application's
 * role can neither post to a fund's budget nor mark a top-up approved by itself.
 */
export function topUpLedgerKey(proposalId: string): string {
  return `fund-top-up:${proposalId}`;
}

async function fundOfBureau(db: Knex, fundId: string, actor: AuditActor) {
  const fund = await getFund(db, fundId);
  if (!fund || fund.financeBureauOrgId !== actor.orgId) throw new FinanceError('NOT_FOUND', `fund ${fundId} not found`);
  return fund;
}

export async function proposeTopUp(
  deps: RecordsDeps,
  p: { fundId: string; amount: string; reason: string; actor: AuditActor; requestId: string | null; idempotency?: KeyUse | null },
): Promise<ProposalView> {
  const { db } = deps;
  requireFinance(p.actor, 'proposing a top-up');
  const fund = await fundOfBureau(db, p.fundId, p.actor);
  // Nothing else makes a proposal unique, so its id comes from the Idempotency-Key: a retry after a
  // first attempt that committed finds that proposal instead of making a second one.
  const id = idOfRequest('fund-top-up', p.actor.userId, p.idempotency);
  const propose = () => {
    if (yearHasEnded(fund.year, todayOf(deps))) throw new FinanceError('INVALID_STATE', `the fund's year ${fund.year} has ended; its budget no longer grows`);
    return db.transaction(async (trx) => {
      const r = await insertProposal(trx, { id, kind: 'fund_top_up', fundId: fund.id, amount: p.amount, reason: p.reason, proposedBy: p.actor.userId, proposedRole: p.actor.role, requestId: p.requestId });
      await audit(trx, { actor: p.actor, action: 'fund.top_up_proposed', entityType: 'fund', entityId: fund.id, reason: p.reason, requestId: p.requestId, payload: { proposalId: r.id, amount: p.amount } });
      return proposalView({ ...r, proposer: p.actor.username });
    });
  };
  return answeringOwnRetry(p, propose, refusedAs('23505'), async () => {
    const mine = await db('finance_proposals').where({ id, kind: 'fund_top_up', fund_id: fund.id, proposed_by: p.actor.userId, reason: p.reason }).whereRaw('amount = ?::numeric', [p.amount]).first('id');
    return mine && topUpOf(db, fund.id, id);
  });
}

async function topUpOf(db: Knex, fundId: string, proposalId: string): Promise<ProposalView | undefined> {
  return (await listProposals(db, { kind: 'fund_top_up', fund_id: fundId, id: proposalId }))[0];
}

/** Finance staff see their own bureau's funds; the auditor sees every fund. */
const sees = (caller: Caller, bureauId: string) => caller.role === 'auditor' || caller.orgId === bureauId;

/** The fund, when the caller may see it; 404 alike for a fund that is not there and one that is not theirs. */
async function fundSeenBy(db: Knex, caller: Caller, fundId: string): Promise<Fund> {
  const fund = await getFund(db, fundId);
  if (!fund || !sees(caller, fund.financeBureauOrgId)) throw new DomainError('NOT_FOUND', `fund ${fundId} not found`);
  return fund;
}

/** One top-up proposal of a fund (its bureau's finance staff; the auditor): what a task's link opens. */
export async function getTopUp({ db }: RecordsDeps, caller: Caller, fundId: string, proposalId: string): Promise<ProposalView> {
  const fund = await fundSeenBy(db, caller, fundId);
  const proposal = await topUpOf(db, fund.id, proposalId);
  if (!proposal) throw new DomainError('NOT_FOUND', `top-up ${proposalId} of fund ${fundId} not found`);
  return proposal;
}

/** A page of a fund's top-up proposals, newest first (its bureau's finance staff; the auditor): every proposal is kept. */
export async function listTopUps({ db }: RecordsDeps, caller: Caller, fundId: string, p: { page: number; pageSize: number }): Promise<{ items: ProposalView[]; total: number }> {
  const fund = await fundSeenBy(db, caller, fundId);
  const where = { kind: 'fund_top_up' as const, fund_id: fund.id };
  const [items, total] = await Promise.all([listProposals(db, where, { limit: p.pageSize, offset: (p.page - 1) * p.pageSize }), countProposals(db, where)]);
  return { items, total };
}

/** A special fund with its budget figures, when the caller may see it. */
export async function getFundView({ db }: RecordsDeps, caller: Caller, fundId: string) {
  const fund = await fundSeenBy(db, caller, fundId);
  return fundView(db, fund);
}

async function fundView(db: Knex, fund: Fund) {
  const status = await getFundStatus(db, fund.id);
  return { ...status, programme: fund.programme, name: fund.name, financeBureauOrgId: fund.financeBureauOrgId };
}

/** The special funds the caller may see (their bureau's; all for the auditor), newest year first. */
export async function listFunds({ db }: RecordsDeps, caller: Caller, f: { year?: number; programme?: Programme }) {
  const q = db('funds').select('id').orderBy([{ column: 'year', order: 'desc' }, { column: 'programme' }, { column: 'name' }]);
  if (f.year !== undefined) q.where({ year: f.year });
  if (f.programme !== undefined) q.where({ programme: f.programme });
  if (caller.role !== 'auditor') q.where({ finance_bureau_org_id: caller.orgId });
  const ids: string[] = await q.pluck('id');
  const out = [];
  for (const id of ids) {
    out.push(await fundView(db, (await getFund(db, id))!));
  }
  return out;
}

/**
 * Finance opens a programme's fund for a year: a finance officer or approver, for their own bureau.
 * Its budget then comes by top-ups (maker–checker, below). The database's unique key refuses a
 * second fund for the same bureau, programme and year (409).
 */
export async function createFund(
  { db }: RecordsDeps,
  p: { programme: Programme; year: number; name: string; actor: AuditActor; requestId: string | null; idempotency?: KeyUse | null },
) {
  requireFinance(p.actor, 'opening a fund');
  if (!p.actor.orgId) throw new FinanceError('FORBIDDEN', 'opening a fund needs a finance bureau');
  const open = () =>
    db
      .transaction(async (trx) => {
        const f = await insertFund(trx, { programme: p.programme, year: p.year, financeBureauOrgId: p.actor.orgId!, name: p.name.trim() });
        await audit(trx, {
          actor: p.actor, action: 'fund.created', entityType: 'fund', entityId: f.id, requestId: p.requestId,
          payload: { programme: f.programme, year: f.year, name: f.name },
        });
        return f;
      })
      .catch((e: unknown) => {
        throw e instanceof DuplicateFundError ? new FinanceError('CONFLICT', e.message, e.details) : e;
      });
  // A fund keeps no maker of its own: the trail, written with it, says who opened it.
  const fund = await answeringOwnRetry(p, open, refusedAs('CONFLICT'), async (since) => {
    const row = await db('funds')
      .where({ programme: p.programme, year: p.year, finance_bureau_org_id: p.actor.orgId, name: p.name.trim() })
      .andWhere('created_at', '>=', since)
      .first('id');
    const made = row && (await auditedSince(db, { action: 'fund.created', entityType: 'fund', entityId: row.id, userId: p.actor.userId, since }));
    return made ? getFund(db, row.id) : undefined;
  });
  return fundView(db, fund);
}

/**
 * Once a fund's year has ended, a finance approver lapses what is left available: it goes back to
 * the bureau's treasury in one ledger entry keyed on the fund (so it lapses once; a second call
 * answers the same figures). What is reserved for approved claims stays to be paid.
 */
export async function lapseFundAtYearEnd(deps: RecordsDeps, p: { fundId: string; actor: AuditActor; requestId: string | null }) {
  if (p.actor.role !== 'finance_approver') throw new FinanceError('FORBIDDEN', `lapsing a fund needs the finance approver (role ${p.actor.role})`);
  const fund = await fundOfBureau(deps.db, p.fundId, p.actor);
  const today = todayOf(deps);
  if (!yearHasEnded(fund.year, today)) {
    throw new FinanceError('INVALID_STATE', `the fund's year ${fund.year} has not ended (it lapses from ${dayAfterYearEnd(fund.year)})`);
  }
  await deps.db.transaction(async (trx) => {
    // The fund's row, locked: a top-up approval and a lapse of one fund take turns.
    await trx('funds').where({ id: fund.id }).forUpdate().first('id');
    const status = await getFundStatus(trx, fund.id);
    if (status.lapsed !== '0.00' || status.available === '0.00') return;
    const entry = await lapseFund(trx, { fundId: fund.id, financeBureauOrgId: fund.financeBureauOrgId, amount: status.available, postedOn: today });
    await audit(trx, {
      actor: p.actor, action: 'fund.lapsed', entityType: 'fund', entityId: fund.id, requestId: p.requestId,
      payload: { amount: status.available, ledgerEntryId: entry.id, year: fund.year },
    });
  });
  return yearEndRow(deps, fund);
}

async function yearEndRow(deps: RecordsDeps, fund: Fund) {
  const v = await fundView(deps.db, fund);
  return { ...v, yearEnded: yearHasEnded(fund.year, todayOf(deps)) };
}

/**
 * The year-end view: per fund of the year the caller may see, its budget, what is reserved, paid
 * and lapsed (and still available, until it lapses), and whether the year has ended.
 */
export async function yearEndView(deps: RecordsDeps, caller: Caller, year: number) {
  const funds = await listFunds(deps, caller, { year });
  const ended = yearHasEnded(year, todayOf(deps));
  return funds.map((f) => ({ ...f, yearEnded: ended }));
}

export interface TopUpDecision {
  fundId: string;
  proposalId: string;
  decision: 'approve' | 'reject';
  reason?: string;
  actor: AuditActor;
  requestId: string | null;
  clientRequestId?: string | null;
  idempotency?: KeyUse | null;
  /** The allocation's posting date. */
  today: string;
}

const APPROVAL_CODES = { not_found: 'NOT_FOUND', not_in_state: 'INVALID_STATE', not_permitted: 'FORBIDDEN', budget_bound: 'UNPROCESSABLE', year_ended: 'INVALID_STATE' } as const;

/** The database's refusal of an approval, as the API reports it. */
function approvalRefusal(e: TopUpApprovalRefused): FinanceError {
  if (e.reason === 'budget_bound' && e.bound) {
    return new FinanceError('UNPROCESSABLE', `The fund's budget would pass ${e.bound.max}`, [
      { path: 'amount', message: `the budget is ${e.bound.budget}; it can grow by at most ${formatMoney(new Money(e.bound.max).minus(e.bound.budget))}` },
    ]);
  }
  return new FinanceError(APPROVAL_CODES[e.reason], e.message);
}

export async function decideTopUpProposal({ db }: RecordsDeps, d: TopUpDecision): Promise<ProposalView> {
  if (d.actor.role !== 'finance_approver') throw new FinanceError('FORBIDDEN', `deciding on a top-up needs the finance approver (role ${d.actor.role})`);
  const fund = await fundOfBureau(db, d.fundId, d.actor);
  const reason = d.reason?.trim() || null;
  const decide = () =>
    db.transaction(async (trx) => {
      const p = await lockProposal(trx, d.proposalId, 'fund_top_up');
      if (!p || p.fund_id !== fund.id) throw new FinanceError('NOT_FOUND', `no top-up ${d.proposalId} of fund ${fund.id}`);
      if (p.status !== 'pending') throw new FinanceError('INVALID_STATE', `this top-up was ${p.status} already`);
      if (p.proposed_by === d.actor.userId) throw new FinanceError('FORBIDDEN', 'The approver must be another person than the one who proposed the top-up (maker–checker)');
      if (d.decision === 'reject') {
        if (!reason || reason.length < 3) throw new FinanceError('VALIDATION_FAILED', 'rejecting a top-up needs a reason', [{ path: 'reason', message: 'at least 3 characters' }]);
        await decideProposal(trx, p.id, { status: 'rejected', decidedBy: d.actor.userId, decidedRole: d.actor.role, reason });
        await audit(trx, { actor: d.actor, action: 'fund.top_up_rejected', entityType: 'fund', entityId: fund.id, reason, requestId: d.requestId, payload: { proposalId: p.id, amount: p.amount } });
        return;
      }
      if (yearHasEnded(fund.year, d.today)) throw new FinanceError('INVALID_STATE', `the fund's year ${fund.year} has ended; its budget no longer grows (reject the top-up)`);
      // The database checks the proposal, the decider, the year and the budget's bound again, and allocates.
      await approveTopUp(trx, {
        proposalId: p.id, deciderId: d.actor.userId, postedOn: d.today, reason, requestId: d.requestId, clientRequestId: d.clientRequestId ?? null,
      });
    }).catch((e: unknown) => {
      throw e instanceof TopUpApprovalRefused ? approvalRefusal(e) : e;
    });
  await answeringOwnRetry<unknown>(d, decide, refusedAs('INVALID_STATE'), (since) => decidedSince(db, { id: d.proposalId, by: d.actor.userId, decision: d.decision, reason, since }));
  return (await topUpOf(db, fund.id, d.proposalId))!;
}

/**
 * The checker's decision on a top-up, as the API takes it: once approved, the claims of the bureau
 * waiting for budget try their payout again, oldest first (payWaitingClaims).
 */
export async function decideTopUp(
  deps: WorkflowDeps,
  caller: Caller,
  d: { fundId: string; proposalId: string; decision: 'approve' | 'reject'; reason?: string },
  request: RequestIds & { idempotency?: KeyUse | null },
): Promise<{ proposal: ProposalView; fund: Awaited<ReturnType<typeof getFundStatus>> } & WaitingClaimsOutcome> {
  const actor = { userId: caller.id, username: caller.username, role: caller.role, orgId: caller.orgId };
  const proposal = await decideTopUpProposal(deps, { ...d, actor, requestId: request.requestId, clientRequestId: request.clientRequestId, idempotency: request.idempotency, today: todayOf(deps) });
  const waiting: WaitingClaimsOutcome =
    proposal.status === 'approved' && (await getFund(deps.db, d.fundId))?.programme === 'interest_subsidy' ? await payWaitingClaims(deps, caller.orgId!, { actor, requestId: request.requestId, clientRequestId: request.clientRequestId }) : { paid: [], waiting: [], notRetried: [] };
  return { proposal, fund: await getFundStatus(deps.db, d.fundId), ...waiting };
}
