import type { Caller, RecordsDeps } from './deps';
import { claimTaskRows, followUpTaskRows, listOtherTasks, listTasks, proposalTaskRows, recoveryTaskRows, rewardTaskRows, trainingTaskRows } from '../db/repositories/tasks';
import { businessDateOf } from '../domain/business-day';
import { compareDates } from '../domain/dates';

type Since = { since: string };
/** A task that is not an application's step. */
export type OtherTask =
  | ({ kind: 'subsidy_claim'; claimId: string; bankId: string; bankName: string; quarter: string; status: string; total: string; filedOn: string; late: boolean; checkedBy: string | null; rejectedBy: string | null; rejectionReason: string | null } & Since)
  | ({ kind: 'fund_top_up'; proposalId: string; fundId: string; fundName: string; amount: string; reason: string; proposedBy: string } & Since)
  | ({ kind: 'period_reopen'; proposalId: string; quarter: string; reason: string; proposedBy: string } & Since)
  | ({ kind: 'loan_recovery'; loanId: string; contractNo: string; name: string; defaultedOn: string; compensated: string; recovered: string; toRecover: string } & Since)
  | ({ kind: 'follow_up_visit'; loanId: string; contractNo: string; name: string; disbursedOn: string; months: number; dueOn: string; overdueOn: string; overdue: boolean } & Since)
  | ({ kind: 'training_claim'; claimId: string; institutionName: string; classRef: string; course: string; part: string; status: string; amount: string; filedOn: string; checkedBy: string | null } & Since)
  | ({ kind: 'incubator_reward'; claimId: string; enterpriseName: string; incubatorName: string; eventKind: string; status: string; amountEach: string; filedOn: string; checkedBy: string | null } & Since);

/**
 * My tasks: first the applications waiting for the caller's step, with the step's deadline, its
 * reminder at half time and whether it is overdue, overdue ones first (db/repositories/tasks.ts);
 * then everything else waiting for the caller, oldest first: subsidy claims to check, approve,
 * pay once budget comes or file again, top-ups and reopen requests to decide, defaulted loans
 * with money still to recover, follow-up visits due (overdue once past their days), training claims
 * and incubator rewards to check or approve (docs/programmes.md). One page runs
 * across both lists.
 */
export async function myTasks(deps: RecordsDeps, caller: Caller, f: { page: number; pageSize: number; now: Date }) {
  const offset = (f.page - 1) * f.pageSize;
  const apps = await listTasks(deps.db, caller, f);
  const today = businessDateOf(f.now);
  const others = await listOtherTasks(deps.db, caller, { offset: Math.max(0, offset - apps.total), limit: f.pageSize - apps.rows.length, today });
  const ids = (kind: string) => others.rows.filter((r) => kind.split('|').includes(r.kind)).map((r) => r.ref);
  const [claims, proposals, loans, visits, trainings, rewards] = await Promise.all([
    claimTaskRows(deps.db, ids('subsidy_claim')),
    proposalTaskRows(deps.db, ids('fund_top_up|period_reopen')),
    recoveryTaskRows(deps.db, ids('loan_recovery')),
    followUpTaskRows(deps.db, ids('follow_up_visit')),
    trainingTaskRows(deps.db, ids('training_claim')),
    rewardTaskRows(deps.db, ids('incubator_reward')),
  ]);
  const visit = new Map(visits.map((r) => [`${r.loan_id}:${r.months}`, r]));
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const claim = byId(claims);
  const proposal = byId(proposals);
  const loan = byId(loans);
  const trainingClaim = byId(trainings);
  const reward = byId(rewards);
  return {
    total: apps.total + others.total,
    items: [
      ...apps.rows.map((r) => ({
        kind: 'application' as const,
        applicationId: r.id,
        name: r.name,
        status: r.status,
        requestedAmount: r.requested_amount,
        recommendedAmount: r.recommended_amount,
        approvedAmount: r.approved_amount,
        submittedOn: r.submitted_on,
        reviewedBy: r.reviewed_by_username,
        stepDays: r.step_days,
        deadline: r.step_deadline_at.toISOString(),
        reminderAt: r.reminder_at.toISOString(),
        reminderDue: r.reminder_due,
        overdue: r.overdue,
      })),
      // A row that went away between the two reads (decided meanwhile) is left out.
      ...others.rows.flatMap((t): OtherTask[] => {
        const since = t.since.toISOString();
        if (t.kind === 'subsidy_claim') {
          const c = claim.get(t.ref);
          return c
            ? [{
                kind: 'subsidy_claim' as const, claimId: c.id, bankId: c.bank_id, bankName: c.bank_name, quarter: c.quarter, status: c.status,
                total: c.total, filedOn: c.filed_on, late: c.late, checkedBy: c.checked_by ?? null, rejectedBy: c.rejected_by ?? null,
                rejectionReason: c.rejection_reason ?? null, since,
              }]
            : [];
        }
        if (t.kind === 'loan_recovery') {
          const l = loan.get(t.ref);
          return l
            ? [{ kind: 'loan_recovery' as const, loanId: l.id, contractNo: l.contract_no, name: l.name, defaultedOn: l.defaulted_on, compensated: l.compensated, recovered: l.recovered, toRecover: l.to_recover, since }]
            : [];
        }
        if (t.kind === 'follow_up_visit') {
          const r = visit.get(t.ref);
          return r
            ? [{
                kind: 'follow_up_visit' as const, loanId: r.loan_id, contractNo: r.contract_no, name: r.name, disbursedOn: r.disbursed_on, months: r.months,
                dueOn: r.due_on, overdueOn: r.overdue_on, overdue: compareDates(today, r.overdue_on) >= 0, since,
              }]
            : [];
        }
        if (t.kind === 'training_claim') {
          const c = trainingClaim.get(t.ref);
          return c
            ? [{
                kind: 'training_claim' as const, claimId: c.id, institutionName: c.institution_name, classRef: c.class_ref, course: c.course, part: c.part,
                status: c.status, amount: c.amount, filedOn: c.filed_on, checkedBy: c.checked_by ?? null, since,
              }]
            : [];
        }
        if (t.kind === 'incubator_reward') {
          const r = reward.get(t.ref);
          return r
            ? [{
                kind: 'incubator_reward' as const, claimId: r.id, enterpriseName: r.enterprise_name, incubatorName: r.incubator_name, eventKind: r.kind,
                status: r.status, amountEach: r.amount_each, filedOn: r.filed_on, checkedBy: r.checked_by ?? null, since,
              }]
            : [];
        }
        const p = proposal.get(t.ref);
        if (!p) return [];
        return t.kind === 'fund_top_up'
          ? [{ kind: 'fund_top_up' as const, proposalId: p.id, fundId: p.fund_id!, fundName: p.fund_name!, amount: p.amount!, reason: p.reason, proposedBy: p.proposed_by, since }]
          : [{ kind: 'period_reopen' as const, proposalId: p.id, quarter: p.quarter!, reason: p.reason, proposedBy: p.proposed_by, since }];
      }),
    ],
  };
}
