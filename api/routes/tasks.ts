import { z } from 'zod';
import type { ApiRouter } from '../route';
import { money } from '../reply-schemas';
import { routeKinds } from '../route-kinds';
import { myTasks } from '../../usecases/tasks';

const since = z.string().meta({ description: 'since when it waits (ISO 8601): filed, proposed, defaulted, due' });

/** A task of one kind: `kind` tells the kinds apart in one list. */
const task = <K extends string, S extends z.ZodRawShape>(kind: K, id: string, fields: S) => z.object({ kind: z.literal(kind), ...fields }).meta({ id });

/** The loan a task is about, and its borrower. */
const ofLoan = { loanId: z.string(), contractNo: z.string(), name: z.string().meta({ description: 'the borrower' }) };

const applicationTaskSchema = task('application', 'ApplicationTask', {
  applicationId: z.string(),
  name: z.string(),
  status: z.string(),
  requestedAmount: z.string(),
  recommendedAmount: z.string().nullable(),
  approvedAmount: z.string().nullable(),
  submittedOn: z.string(),
  reviewedBy: z.string().nullable().meta({ description: 'who reviewed it (the maker), for the approver' }),
  stepDays: z.number().meta({ description: "the step's days in the application's policy version" }),
  deadline: z.string().meta({ description: 'when the step expires (ISO 8601)' }),
  reminderAt: z.string().meta({ description: 'half time: a reminder is recorded then' }),
  reminderDue: z.boolean(),
  overdue: z.boolean(),
});

const claimTaskSchema = task('subsidy_claim', 'SubsidyClaimTask', {
  claimId: z.string(),
  bankId: z.string(),
  bankName: z.string(),
  quarter: z.string(),
  status: z.enum(['SUBMITTED', 'CHECKED', 'PENDING_BUDGET', 'REJECTED']).meta({
    description: 'SUBMITTED: to check (finance officer); CHECKED: to approve (finance approver); PENDING_BUDGET: waiting for a top-up; REJECTED: to file again (its bank)',
  }),
  total: money,
  filedOn: z.string(),
  late: z.boolean(),
  checkedBy: z.string().nullable().meta({ description: 'username of the checker (the maker, for the approver)' }),
  rejectedBy: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  since,
});

/** A finance proposal waiting for its checker: why, by whom, since when. */
const proposed = { reason: z.string(), proposedBy: z.string().meta({ description: 'username of the maker; never the caller' }), since };

const topUpTaskSchema = task('fund_top_up', 'FundTopUpTask', {
  proposalId: z.string(),
  fundId: z.string(),
  fundName: z.string(),
  amount: money,
  ...proposed,
});

const reopenTaskSchema = task('period_reopen', 'PeriodReopenTask', {
  proposalId: z.string(),
  quarter: z.string(),
  ...proposed,
});

const recoveryTaskSchema = task('loan_recovery', 'LoanRecoveryTask', {
  ...ofLoan,
  defaultedOn: z.string(),
  compensated: money.meta({ description: 'what the guarantee fund and the company paid (代偿)' }),
  recovered: money,
  toRecover: money,
  since,
});

const followUpTaskSchema = task('follow_up_visit', 'FollowUpVisitTask', {
  ...ofLoan,
  disbursedOn: z.string(),
  months: z.number().meta({ description: 'which visit: months after disbursal' }),
  dueOn: z.string(),
  overdueOn: z.string().meta({ description: 'from this day the visit is overdue' }),
  overdue: z.boolean(),
  since,
});

const trainingClaimTaskSchema = z
  .object({
    kind: z.literal('training_claim'),
    claimId: z.string(),
    institutionName: z.string(),
    classRef: z.string(),
    course: z.string(),
    part: z.enum(['base', 'outcome']),
    status: z.enum(['FILED', 'CHECKED', 'PENDING_BUDGET']).meta({
      description: "FILED: to check (the claim's checker role: the labour officer); CHECKED: to approve (finance approver); PENDING_BUDGET: waiting for a top-up",
    }),
    amount: money,
    filedOn: z.string(),
    checkedBy: z.string().nullable().meta({ description: 'username of the checker (the maker, for the approver)' }),
    since,
  })
  .meta({ id: 'TrainingClaimTask' });

const incubatorRewardTaskSchema = z
  .object({
    kind: z.literal('incubator_reward'),
    claimId: z.string(),
    enterpriseName: z.string(),
    incubatorName: z.string(),
    eventKind: z.enum(['high_tech', 'listing', 'neeq_transfer']),
    status: z.enum(['FILED', 'CHECKED', 'PENDING_BUDGET']).meta({ description: 'FILED: to check (finance officer); CHECKED: to approve (finance approver); PENDING_BUDGET: waiting for a top-up' }),
    amountEach: money.meta({ description: 'to the operator and again to the enterprise' }),
    filedOn: z.string(),
    checkedBy: z.string().nullable(),
    since,
  })
  .meta({ id: 'IncubatorRewardTask' });

const taskSchema = z
  .discriminatedUnion('kind', [
    applicationTaskSchema, claimTaskSchema, topUpTaskSchema, reopenTaskSchema, recoveryTaskSchema, followUpTaskSchema, trainingClaimTaskSchema, incubatorRewardTaskSchema,
  ])
  .meta({ id: 'Task' });

export function taskRoutes(api: ApiRouter): void {
  routeKinds(api, 'tasks').page('/v1/tasks', {
    summary: 'My tasks: applications waiting for my step, earliest deadline first, then the rest of my work, oldest first',
    description:
      'Per role and organisation. First the applications (kind `application`): a community officer gets the counter-guarantees, a guarantee reviewer the reviews, a guarantee approver the approvals, a bank officer the disbursals, all within what the role may see, overdue ones first. ' +
      'Then, oldest first: subsidy claims (kind `subsidy_claim`) to check (finance officer), to approve (finance approver), waiting for budget (both) or rejected and not yet filed again (the bank); ' +
      'top-ups and reopen requests proposed by someone else (kinds `fund_top_up`, `period_reopen`: a finance approver, the checker); defaulted loans with money still to recover (kind `loan_recovery`: guarantee officers); ' +
      "follow-up visits due and not recorded (kind `follow_up_visit`: the borrower's community officers and the guarantee company's officers; `overdue` once past their days). " +
      'Other roles have nothing here (an empty page). One page runs across both parts; `total` counts both.',
    auth: 'signed-in',
    filters: {},
    item: taskSchema,
    list: ({ query, user, deps }) => myTasks(deps, user, { ...query, now: deps.now?.() ?? new Date() }),
  });
}
