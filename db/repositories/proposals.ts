import type { Knex } from 'knex';

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
  p: { kind: ProposalKind; fundId?: string; amount?: string; quarter?: string; reason: string; proposedBy: string; proposedRole: string; requestId: string | null },
): Promise<ProposalRow> {
  const [row] = await db('finance_proposals')
    .insert({
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
export async function listProposals(db: Knex, where: { kind: ProposalKind; fund_id?: string; quarter?: string; status?: ProposalStatus }): Promise<ProposalView[]> {
  const rows = await db('finance_proposals as p')
    .join('users as m', 'm.id', 'p.proposed_by')
    .leftJoin('users as c', 'c.id', 'p.decided_by')
    .where(Object.fromEntries(Object.entries(where).map(([k, v]) => [`p.${k}`, v])))
    .orderBy([{ column: 'p.proposed_at', order: 'desc' }, { column: 'p.id' }])
    .select('p.*', 'm.username as proposer', 'c.username as decider');
  return rows.map(proposalView);
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
