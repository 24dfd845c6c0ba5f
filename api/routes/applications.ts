import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import {
  counterGuaranteeDecisionSchema,
  disbursalSchema,
  guaranteeApprovalSchema,
  guaranteeReviewSchema,
  newApplicationSchema,
  withdrawalSchema,
} from '../../domain/application-schemas';
import { applicationStatusSchema } from '../../domain/enums';
import {
  approveGuarantee,
  decideCounterGuarantee,
  disburseLoan,
  getApplication,
  listApplications,
  reviewGuarantee,
  submitApplication,
  withdrawApplication,
  type DecisionRequest,
  type ApplicationView,
} from '../../usecases/applications';
import type { Caller, WorkflowDeps } from '../../usecases/deps';

const historyItemSchema = z.object({
  step: z.string(),
  decision: z.string(),
  by: z.string().nullable(),
  role: z.string().nullable(),
  at: z.string(),
  reason: z.string().nullable(),
  amount: z.string().nullable(),
});

export const applicationViewSchema = z
  .object({
    id: z.string(),
    status: applicationStatusSchema,
    requestedAmount: z.string(),
    recommendedAmount: z.string().nullable(),
    approvedAmount: z.string().nullable(),
    loanId: z.string().nullable(),
    name: z.string(),
    idNumber: z.string(),
    targetGroup: z.string(),
    certificateNo: z.string(),
    communityId: z.string(),
    guaranteeCompanyId: z.string(),
    bankId: z.string().nullable(),
    termMonths: z.number(),
    repaymentMethod: z.string(),
    counterGuaranteeType: z.string().nullable(),
    policyId: z.string(),
    submittedOn: z.string(),
    stepDeadline: z.string().nullable(),
    endReason: z.string().nullable(),
    history: z.array(historyItemSchema),
  })
  .meta({ id: 'Application' });

const summarySchema = applicationViewSchema.omit({ history: true }).meta({ id: 'ApplicationSummary' });

type Decide<B> = (deps: WorkflowDeps, caller: Caller, id: string, body: B, r: DecisionRequest) => Promise<ApplicationView>;

export function applicationRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'applications');
  route.create('/v1/applications', {
    summary: 'Submit a guaranteed start-up loan application',
    description:
      'Runs the certificate check and eligibility at once: 201 with status AWAITING_COUNTER_GUARANTEE, or REJECTED with the reasons in history. A second application while one is in progress is 409.',
    auth: ['applicant'],
    body: newApplicationSchema,
    reply: { description: 'Submitted', schema: applicationViewSchema },
    make: ({ body, user, deps, idempotency }, r) => submitApplication(deps, user, body, { ...r, idempotency }),
    location: (view) => `/v1/applications/${view.id}`,
  });

  route.page('/v1/applications', {
    summary: 'Applications you may see, newest first',
    auth: ['applicant', 'training_officer', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor'],
    filters: {
      status: applicationStatusSchema.optional(),
      q: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .meta({ description: 'search: an application id (whole, or its first 8 characters), an ID number, or part of the name' }),
    },
    item: summarySchema,
    list: ({ query, user, deps }) => listApplications(deps, user, query),
  });

  route.byId('/v1/applications/:id', {
    summary: 'One application with its history',
    auth: 'signed-in',
    reply: { description: 'The application', schema: applicationViewSchema },
    load: ({ params, user, deps }) => getApplication(deps, user, params.id),
  });

  const decision = <B extends z.ZodType>(o: { path: string; summary: string; roles: Parameters<ApiRouter['add']>[0]['auth']; body: B; decide: Decide<z.output<B>> }) =>
    route.decide(`/v1/applications/:id/${o.path}`, {
      summary: o.summary,
      description: 'A decision that does not fit the current status is 409 INVALID_STATE.',
      auth: o.roles,
      body: o.body,
      reply: { description: 'Recorded; the application as it now stands', schema: applicationViewSchema },
      run: ({ deps, user, params, body }, r) => o.decide(deps, user, params.id, body as z.output<B>, r),
    });
  decision({
    path: 'withdrawal',
    summary: 'Withdraw your application (before disbursal)',
    roles: ['applicant'],
    body: withdrawalSchema,
    decide: withdrawApplication,
  });
  decision({
    path: 'counter-guarantee',
    summary: "The community's counter-guarantee decision",
    roles: ['community_officer'],
    body: counterGuaranteeDecisionSchema,
    decide: decideCounterGuarantee,
  });
  decision({
    path: 'guarantee-review',
    summary: "The guarantee company's review (maker)",
    roles: ['guarantee_reviewer'],
    body: guaranteeReviewSchema,
    decide: reviewGuarantee,
  });
  decision({
    path: 'guarantee-approval',
    summary: "The guarantee company's approval (checker, not the reviewer)",
    roles: ['guarantee_approver'],
    body: guaranteeApprovalSchema,
    decide: approveGuarantee,
  });
  decision({
    path: 'disbursal',
    summary: "The bank's disbursal; starts the loan",
    roles: ['bank_officer'],
    body: disbursalSchema,
    decide: disburseLoan,
  });
}
