import type { Knex } from 'knex';
import { callFunction, driverRefusal } from '../functions';
import { toLedgerError } from '../ledger/errors';

/**
 * Maker–checker proposals of the finance bureau (fund top-ups, reopening a quarter): one person
 * proposes, another decides. The table itself refuses a decision by the proposer, by anyone but an
 * active finance approver, and a second decision (its guard trigger); this module only reads and
 * writes its rows.
 */
export type ProposalKind = 'fund_top_up' | 'period_reopen';
export type ProposalStatus = 'pending' | 'approved' | 'rejected';

export interface ProposalRow {
  id: string;
  kind: ProposalKind;
  fund_id: string | null;
  amount: string | null;
  quarter: string | null;
  reason: string;
  status: ProposalStatus;
  proposed_by: string;
  proposed_role: string;
  proposed_at: Date;
  request_id: string | null;
  decided_by: string | null;
  decided_role: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  ledger_entry_id: number | null;
}

export interface ProposalView {
  id: string;
  kind: ProposalKind;
  fundId: string | null;
  amount: string | null;
  quarter: string | null;
  reason: string;
  status: ProposalStatus;
  proposedBy: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  ledgerEntryId: number | null;
}

export async function insertProposal(
  db: Knex | Knex.Transaction,
  p: { id?: string; kind: ProposalKind; fundId?: string; amount?: string; quarter?: string; reason: string; proposedBy: string; proposedRole: string; requestId: string | null },
): Promise<ProposalRow> {
  const [row] = await db('finance_proposals')
    .insert({
      ...(p.id ? { id: p.id } : {}),
      kind: p.kind,
      fund_id: p.fundId ?? null,
      amount: p.amount ?? null,
      quarter: p.quarter ?? null,
      reason: p.reason,
      proposed_by: p.proposedBy,
      proposed_role: p.proposedRole,
      request_id: p.requestId,
    })
    .returning('*');
  return row;
}

export function lockProposal(trx: Knex.Transaction, id: string, kind: ProposalKind): Promise<ProposalRow | undefined> {
  return trx('finance_proposals').where({ id, kind }).forUpdate().first();
}

/**
 * Whether a proposal stands decided as a decision would have left it (by this person, with this
 * outcome and reason) since a moment (timestamptz as text): a retried decision meeting its own.
 */
export async function decidedSince(
  db: Knex,
  d: { id: string; by: string; decision: 'approve' | 'reject'; reason: string | null; since: string },
): Promise<true | undefined> {
  const row = await db('finance_proposals')
    .where({ id: d.id, decided_by: d.by, status: d.decision === 'approve' ? 'approved' : 'rejected', decision_reason: d.reason })
    .andWhere('decided_at', '>=', d.since)
    .first('id');
  return row ? true : undefined;
}

export async function decideProposal(
  trx: Knex.Transaction,
  id: string,
  d: { status: 'approved' | 'rejected'; decidedBy: string; decidedRole: string; reason: string | null; ledgerEntryId?: number },
): Promise<ProposalRow> {
  const [row] = await trx('finance_proposals')
    .where({ id, status: 'pending' })
    .update({ status: d.status, decided_by: d.decidedBy, decided_role: d.decidedRole, decision_reason: d.reason, ledger_entry_id: d.ledgerEntryId ?? null })
    .returning('*');
  return row;
}

/** Rows with usernames in place of user ids, newest first. */
type ProposalWhere = { kind: ProposalKind; id?: string; fund_id?: string; quarter?: string; status?: ProposalStatus };
const proposalWhere = (where: ProposalWhere) => Object.fromEntries(Object.entries(where).map(([k, v]) => [`p.${k}`, v]));

/** Proposals, newest first: all of them, or one page (`limit`, `offset`). */
export async function listProposals(db: Knex, where: ProposalWhere, page?: { limit: number; offset: number }): Promise<ProposalView[]> {
  const q = db('finance_proposals as p')
    .join('users as m', 'm.id', 'p.proposed_by')
    .leftJoin('users as c', 'c.id', 'p.decided_by')
    .where(proposalWhere(where))
    .orderBy([{ column: 'p.proposed_at', order: 'desc' }, { column: 'p.id' }])
    .select('p.*', 'm.username as proposer', 'c.username as decider');
  if (page) q.limit(page.limit).offset(page.offset);
  return (await q).map(proposalView);
}

/** How many proposals listProposals would list without a page. */
export async function countProposals(db: Knex, where: ProposalWhere): Promise<number> {
  const [r] = await db('finance_proposals as p').where(proposalWhere(where)).count<{ n: string }[]>('* as n');
  return Number(r?.n ?? 0);
}

export function proposalView(r: ProposalRow & { proposer?: string; decider?: string | null }): ProposalView {
  return {
    id: r.id,
    kind: r.kind,
    fundId: r.fund_id,
    amount: r.amount,
    quarter: r.quarter,
    reason: r.reason,
    status: r.status,
    proposedBy: r.proposer ?? r.proposed_by,
    proposedAt: r.proposed_at.toISOString(),
    decidedBy: r.decider ?? r.decided_by,
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
    decisionReason: r.decision_reason,
    ledgerEntryId: r.ledger_entry_id,
  };
}

/** Why the database's `fund_top_up_approve` refused, by its SQLSTATE. */
export class TopUpApprovalRefused extends Error {
  constructor(
    readonly reason: 'not_found' | 'not_in_state' | 'not_permitted' | 'budget_bound' | 'year_ended',
    message: string,
    /** For budget_bound: the fund's budget now and the most it may be. */
    readonly bound?: { budget: string; max: string },
  ) {
    super(message);
  }
}

const APPROVAL_REFUSALS: Record<string, TopUpApprovalRefused['reason']> = { P0002: 'not_found', '55000': 'not_in_state', '42501': 'not_permitted', FN003: 'budget_bound', FN004: 'year_ended' };

/**
 * Approves a top-up through the database's `fund_top_up_approve`: the checks, the allocation keyed
 * on the proposal, the decision and its audit row, in one call as the schema's owner (the
 * application's role can neither post a fund's budget nor mark a top-up approved itself).
 * Returns the allocation's ledger entry id.
 */
export async function approveTopUp(
  trx: Knex.Transaction,
  a: { proposalId: string; deciderId: string; postedOn: string; reason: string | null; requestId: string | null; clientRequestId: string | null },
): Promise<number> {
  try {
    const rows = await callFunction<{ entry: string }>(trx, 'select fund_top_up_approve($1::uuid, $2::uuid, $3::date, $4, $5, $6) as entry', [
      a.proposalId, a.deciderId, a.postedOn, a.reason, a.requestId, a.clientRequestId,
    ]);
    return Number(rows[0]!.entry);
  } catch (e) {
    const refusal = driverRefusal(e);
    const reason = refusal && APPROVAL_REFUSALS[refusal.code];
    // Anything else is the ledger's (a closed quarter): its typed error.
    if (!reason) throw toLedgerError(e);
    let bound: { budget: string; max: string } | undefined;
    if (reason === 'budget_bound') {
      const detail = JSON.parse(String((e as { detail?: string }).detail ?? '{}')) as { budget: string; max: string };
      bound = { budget: detail.budget, max: detail.max };
    }
    throw new TopUpApprovalRefused(reason, refusal.message, bound);
  }
}
