import type { Knex } from 'knex';
import { scopeApplications, type Viewer } from './applications';

/**
 * The step each officer role decides, and the policy parameter that gives it its days: the same
 * table the application workflow waits by (workflows/application.ts), read here for the deadlines.
 */
export const TASK_STEPS: Readonly<Record<string, { status: string; daysParam: string }>> = {
  community_officer: { status: 'AWAITING_COUNTER_GUARANTEE', daysParam: 'counterGuaranteeDays' },
  guarantee_reviewer: { status: 'AWAITING_GUARANTEE_REVIEW', daysParam: 'guaranteeDecisionDays' },
  guarantee_approver: { status: 'AWAITING_GUARANTEE_APPROVAL', daysParam: 'guaranteeDecisionDays' },
  bank_officer: { status: 'AWAITING_DISBURSAL', daysParam: 'disbursalDays' },
};

export interface TaskRow {
  id: string;
  name: string;
  status: string;
  requested_amount: string;
  recommended_amount: string | null;
  approved_amount: string | null;
  submitted_on: string;
  reviewed_by_username: string | null;
  step_days: number;
  step_deadline_at: Date;
  reminder_at: Date;
  overdue: boolean;
  reminder_due: boolean;
}

/**
 * The applications waiting for the viewer's step, within what the viewer may see: earliest
 * deadline first, so overdue ones lead. The deadline is the one the workflow keeps; its start and
 * the reminder (half time) come from the step's days in the policy version the application keeps.
 */
export async function listTasks(
  db: Knex,
  v: Viewer,
  f: { now: Date; page: number; pageSize: number },
): Promise<{ rows: TaskRow[]; total: number }> {
  const step = TASK_STEPS[v.role];
  if (!step) return { rows: [], total: 0 };
  const base = scopeApplications(db('applications as a'), v)
    .join('policies as p', 'p.id', 'a.policy_id')
    .where('a.status', step.status)
    .whereNotNull('a.step_deadline_at');
  const counted = await base.clone().count<{ count: number }[]>('* as count');
  const days = db.raw('(p.params ->> ?)::numeric', [step.daysParam]);
  const rows = await base
    .clone()
    .leftJoin('users as r', 'r.id', 'a.reviewed_by')
    .select(
      'a.id', 'a.name', 'a.status', 'a.requested_amount', 'a.recommended_amount', 'a.approved_amount', 'a.submitted_on',
      'a.step_deadline_at', 'r.username as reviewed_by_username',
      db.raw('? :: integer as step_days', [days]),
      db.raw("a.step_deadline_at - ? * interval '12 hours' as reminder_at", [days]),
      db.raw('a.step_deadline_at <= ? as overdue', [f.now]),
      db.raw("a.step_deadline_at - ? * interval '12 hours' <= ? as reminder_due", [days, f.now]),
    )
    .orderBy([{ column: 'a.step_deadline_at', order: 'asc' }, { column: 'a.id', order: 'asc' }])
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize);
  return { rows, total: Number(counted[0]?.count ?? 0) };
}

/** The kinds of task that are not an application's step, by role. */
export type OtherTaskKind = 'subsidy_claim' | 'fund_top_up' | 'period_reopen' | 'loan_recovery' | 'follow_up_visit' | 'training_claim' | 'incubator_reward';

export interface OtherTaskRow {
  kind: OtherTaskKind;
  ref: string;
  since: Date;
}

/**
 * The union of everything else waiting for the viewer, oldest first: claims to check (finance
 * officer), to approve or waiting for budget (finance approver; the officer too for budget), a
 * rejected claim not yet filed again (its bank); top-ups and reopen requests someone else proposed
 * (a finance approver, the checker); defaulted loans with money still to recover (guarantee officers);
 * follow-up visits due and not recorded (the borrower's community officers, the guarantee company's);
 * training claims to check (the role each names: the labour officer, or the finance officer for one
 * filed before that role), incubator rewards to check (finance officer), and both to approve or
 * waiting for budget (finance approver).
 */
function otherTasks(db: Knex, v: Viewer, today: string): Knex.QueryBuilder | null {
  const parts: Knex.QueryBuilder[] = [];
  // Since the morning of its due date (UTC+8), when the workflow reminds; overdue from its overdue day.
  const visits = (column: string) =>
    db('follow_up_schedule as s')
      .join('loans as l', 'l.id', 's.loan_id')
      .join('applications as a', 'a.id', 'l.application_id')
      .where(column, v.orgId)
      .where('s.due_on', '<=', today)
      .whereNotExists((q: Knex.QueryBuilder) => q.select(1).from('follow_up_visits as fv').whereRaw('fv.loan_id = s.loan_id and fv.months = s.months'))
      .select(db.raw("'follow_up_visit' as kind"), db.raw("s.loan_id::text || ':' || s.months::text as ref"), db.raw("(s.due_on::timestamp at time zone 'Asia/Shanghai') as since"));
  const training = (statuses: string[]) =>
    db('training_claims as t').whereIn('t.status', statuses).select(db.raw("'training_claim' as kind"), db.raw('t.id::text as ref'), 't.created_at as since');
  const rewards = (statuses: string[]) =>
    db('incubator_reward_claims as r').whereIn('r.status', statuses).select(db.raw("'incubator_reward' as kind"), db.raw('r.id::text as ref'), 'r.created_at as since');
  const claims = (statuses: string[]) =>
    db('subsidy_claims as c').whereIn('c.status', statuses).select(db.raw("'subsidy_claim' as kind"), db.raw('c.id::text as ref'), 'c.created_at as since');
  switch (v.role) {
    case 'finance_officer':
      parts.push(claims(['SUBMITTED', 'PENDING_BUDGET']));
      parts.push(training(['FILED']).where('t.checker_role', 'finance_officer'));
      parts.push(rewards(['FILED']));
      break;
    case 'labour_officer':
      parts.push(training(['FILED']).where('t.checker_role', 'labour_officer'));
      break;
    case 'finance_approver':
      parts.push(claims(['CHECKED', 'PENDING_BUDGET']));
      parts.push(training(['CHECKED', 'PENDING_BUDGET']));
      parts.push(rewards(['CHECKED', 'PENDING_BUDGET']));
      parts.push(
        db('finance_proposals as p')
          .leftJoin('funds as f', 'f.id', 'p.fund_id')
          .where('p.status', 'pending')
          .whereNot('p.proposed_by', v.id)
          .where((w) => w.where('p.kind', 'period_reopen').orWhere((t) => t.where('p.kind', 'fund_top_up').andWhere('f.finance_bureau_org_id', v.orgId)))
          .select('p.kind', db.raw('p.id::text as ref'), 'p.proposed_at as since'),
      );
      break;
    case 'community_officer':
      parts.push(visits('a.community_id'));
      break;
    case 'bank_officer':
      parts.push(
        claims(['REJECTED'])
          .where('c.bank_id', v.orgId)
          .whereNotExists((s: Knex.QueryBuilder) => s.select(1).from('subsidy_claims as n').whereRaw('n.bank_id = c.bank_id and n.quarter = c.quarter and n.created_at > c.created_at')),
      );
      break;
    case 'guarantee_reviewer':
    case 'guarantee_approver':
      parts.push(
        db('loans as l')
          .where({ 'l.status': 'DEFAULTED', 'l.guarantee_company_id': v.orgId })
          .whereRaw('l.recovered < coalesce(l.compensated_by_fund, 0) + coalesce(l.compensated_by_company, 0)')
          .select(db.raw("'loan_recovery' as kind"), db.raw('l.id::text as ref'), db.raw("(l.defaulted_on::timestamp at time zone 'Asia/Shanghai') as since")),
      );
      parts.push(visits('l.guarantee_company_id'));
      break;
    default:
      return null;
  }
  const [first, ...rest] = parts;
  return rest.length ? first!.unionAll(rest, true) : first!;
}

export async function listOtherTasks(db: Knex, v: Viewer, f: { offset: number; limit: number; today: string }): Promise<{ rows: OtherTaskRow[]; total: number }> {
  const union = otherTasks(db, v, f.today);
  if (!union) return { rows: [], total: 0 };
  const counted = await db.from(union.clone().as('t')).count<{ count: number }[]>('* as count');
  const total = Number(counted[0]?.count ?? 0);
  if (f.limit <= 0) return { rows: [], total };
  const rows = await db
    .from(union.as('t'))
    .select('kind', 'ref', 'since')
    .orderBy([{ column: 'since', order: 'asc' }, { column: 'ref', order: 'asc' }])
    .limit(f.limit)
    .offset(f.offset);
  return { rows, total };
}

/** What a claim task shows: the bank, the quarter, the total, who filed and checked it. */
export async function claimTaskRows(db: Knex, ids: string[]) {
  if (ids.length === 0) return [];
  return db('subsidy_claims as c')
    .join('organisations as b', 'b.id', 'c.bank_id')
    .leftJoin('users as chk', 'chk.id', 'c.checked_by')
    .leftJoin('users as rej', 'rej.id', 'c.rejected_by')
    .whereIn('c.id', ids)
    .select('c.id', 'c.bank_id', 'b.name as bank_name', 'c.quarter', 'c.status', 'c.total', 'c.filed_on', 'c.late', 'chk.username as checked_by', 'c.rejection_reason', 'rej.username as rejected_by');
}

export async function proposalTaskRows(db: Knex, ids: string[]) {
  if (ids.length === 0) return [];
  return db('finance_proposals as p')
    .join('users as m', 'm.id', 'p.proposed_by')
    .leftJoin('funds as f', 'f.id', 'p.fund_id')
    .whereIn('p.id', ids)
    .select('p.id', 'p.kind', 'p.fund_id', 'f.name as fund_name', 'p.amount', 'p.quarter', 'p.reason', 'm.username as proposed_by', 'p.proposed_at');
}

export async function recoveryTaskRows(db: Knex, ids: string[]) {
  if (ids.length === 0) return [];
  return db('loans as l')
    .join('applications as a', 'a.id', 'l.application_id')
    .whereIn('l.id', ids)
    .select(
      'l.id', 'l.contract_no', 'a.name', 'l.defaulted_on', 'l.recovered',
      db.raw('(coalesce(l.compensated_by_fund, 0) + coalesce(l.compensated_by_company, 0))::numeric(18,2) as compensated'),
      db.raw('(coalesce(l.compensated_by_fund, 0) + coalesce(l.compensated_by_company, 0) - l.recovered)::numeric(18,2) as to_recover'),
    );
}

/** What a follow-up task shows: the loan, the borrower, which visit and its dates; refs are `loan:months`. */
export async function followUpTaskRows(db: Knex, refs: string[]) {
  if (refs.length === 0) return [];
  const pairs = refs.map((r) => r.split(':')).map(([loan, months]) => [loan!, Number(months)] as const);
  return db('follow_up_schedule as s')
    .join('loans as l', 'l.id', 's.loan_id')
    .join('applications as a', 'a.id', 'l.application_id')
    .whereIn(['s.loan_id', 's.months'], pairs as unknown as Array<[string, number]>)
    .select('s.loan_id', 's.months', 's.due_on', 's.overdue_on', 'l.contract_no', 'l.disbursed_on', 'a.name', 'a.community_id', 'l.guarantee_company_id');
}

/** What a training claim task shows: the institution, the class, the part, the amount, who checked it. */
export async function trainingTaskRows(db: Knex, ids: string[]) {
  if (ids.length === 0) return [];
  return db('training_claims as t')
    .join('organisations as o', 'o.id', 't.institution_id')
    .leftJoin('users as chk', 'chk.id', 't.checked_by')
    .whereIn('t.id', ids)
    .select('t.id', 'o.name as institution_name', 't.class_ref', 't.course', 't.part', 't.status', 't.amount', 't.filed_on', 'chk.username as checked_by');
}

/** What an incubator reward task shows: the enterprise, its incubator, the event, the amount each, who checked it. */
export async function rewardTaskRows(db: Knex, ids: string[]) {
  if (ids.length === 0) return [];
  return db('incubator_reward_claims as r')
    .join('incubated_enterprises as e', 'e.id', 'r.enterprise_id')
    .join('incubators as i', 'i.id', 'r.incubator_id')
    .leftJoin('users as chk', 'chk.id', 'r.checked_by')
    .whereIn('r.id', ids)
    .select('r.id', 'e.name as enterprise_name', 'i.name as incubator_name', 'r.kind', 'r.status', 'r.amount_each', 'r.filed_on', 'chk.username as checked_by');
}
