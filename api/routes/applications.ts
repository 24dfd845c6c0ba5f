import { z } from 'zod';
import type { ApiRouter, HandlerContext } from '../route';
import { pageNumber } from '../paging';
import { updateIdOf } from '../updates';
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

const idParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

type Ctx = HandlerContext<{ id: string }, unknown, unknown>;

type Decide<B> = (deps: WorkflowDeps, caller: Caller, id: string, body: B, r: DecisionRequest) => Promise<ApplicationView>;

export function applicationRoutes(api: ApiRouter): void {
  api.add({
    method: 'post',
    path: '/v1/applications',
    tag: 'applications',
    summary: 'Submit a guaranteed start-up loan application',
    description:
      'Runs the certificate check and eligibility at once: 201 with status AWAITING_COUNTER_GUARANTEE, or REJECTED with the reasons in history. A second application while one is in progress is 409.',
    auth: ['applicant'],
    idempotent: true,
    body: newApplicationSchema,
    responses: { 201: { description: 'Submitted', schema: applicationViewSchema } },
    async handler({ body, user, deps, requestId, clientRequestId, idempotency }) {
      const view = await submitApplication(deps, user, body, { requestId, clientRequestId, idempotency });
      return { status: 201, body: view, headers: { Location: `/v1/applications/${view.id}` } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/applications',
    tag: 'applications',
    summary: 'Applications you may see, newest first',
    auth: ['applicant', 'training_officer', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor'],
    query: z
      .object({
        status: applicationStatusSchema.optional(),
        q: z
          .string()
          .trim()
          .min(1)
          .max(100)
          .optional()
          .meta({ description: 'search: an application id (whole, or its first 8 characters), an ID number, or part of the name' }),
        page: pageNumber,
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      })
      .strict(),
    responses: {
      200: {
        description: 'A page',
        schema: z.object({ items: z.array(summarySchema), page: z.number(), pageSize: z.number(), total: z.number() }),
      },
    },
    async handler({ query, user, deps }) {
      const { items, total } = await listApplications(deps, user, query);
      return { status: 200, body: { items, page: query.page, pageSize: query.pageSize, total } };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/applications/:id',
    tag: 'applications',
    summary: 'One application with its history',
    auth: 'signed-in',
    params: idParam,
    responses: { 200: { description: 'The application', schema: applicationViewSchema } },
    async handler({ params, user, deps }) {
      return { status: 200, body: await getApplication(deps, user, params.id) };
    },
  });

  const decision = <B extends z.ZodType>(o: {
    path: string;
    summary: string;
    roles: Parameters<ApiRouter['add']>[0]['auth'];
    body: B;
    decide: Decide<z.output<B>>;
  }) =>
    api.add({
      method: 'post',
      path: `/v1/applications/:id/${o.path}`,
      tag: 'applications',
      summary: o.summary,
      description: 'A decision that does not fit the current status is 409 INVALID_STATE.',
      auth: o.roles,
      idempotent: true,
      params: idParam,
      body: o.body,
      responses: { 200: { description: 'Recorded; the application as it now stands', schema: applicationViewSchema } },
      handler: async (ctx) => {
        const { deps, user, params, body, requestId, clientRequestId, req } = ctx as Ctx & { body: z.output<B> };
        return { status: 200, body: await o.decide(deps, user, params.id, body, { requestId, clientRequestId, updateId: updateIdOf(req) }) };
      },
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
