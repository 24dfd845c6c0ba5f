import { z } from 'zod';
import type { ApiRouter } from '../route';
import { money } from '../reply-schemas';
import { idParam, pageQuery, routeKinds } from '../route-kinds';
import { courseSchema } from '../../domain/enums';
import { isoDateSchema } from '../../domain/date-schemas';
import { idNumberSchema } from '../../domain/id-number-schema';
import { exchangeSchema, incubatorEventKindSchema } from '../../domain/programmes';
import { visibleText } from '../../domain/text-schemas';
import {
  approveProgrammeClaim,
  checkProgrammeClaim,
  fileRewardClaim,
  fileTrainingClaim,
  getRewardClaim,
  getIncubator,
  getTrainingClaim,
  listIncubators,
  listRewardClaims,
  listTrainingClaims,
  recordGraduation,
  registerEnterprise,
  registerIncubator,
} from '../../usecases/programme-claims';

/** The training subsidy's claims and the incubator rewards (docs/programmes.md). */

const statusSchema = z.enum(['FILED', 'CHECKED', 'PENDING_BUDGET', 'PAID', 'REFUSED', 'REJECTED']);
const reason = visibleText(z.string().trim().min(3, 'at least 3 characters').max(2000, 'at most 2000 characters'), { lines: true });
const creditCode = z.string().trim().regex(/^[0-9A-Z]{18}$/, 'must be an 18-character unified social credit code (digits and capital letters)');
const name = visibleText(z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'));

/** How a claim went, maker to checker to payment: the same fields for both programmes. */
const filed = { filedOn: z.string(), filedBy: z.string().nullable(), checkedBy: z.string().nullable() };
const decided = {
  checkReason: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
  fundId: z.string().nullable(),
  paidOn: z.string().nullable(),
};

/** A training claim's own fields, in its list and in its own GET alike. */
const trainingClaimHead = {
  id: z.string(),
  institutionId: z.string(),
  part: z.enum(['base', 'outcome']),
  course: courseSchema,
  classRef: z.string(),
  enrolled: z.number().nullable(),
  baseClaimId: z.string().nullable(),
  status: statusSchema,
  amount: money,
  ...filed,
  checkerRole: z.enum(['labour_officer', 'finance_officer']).meta({ description: "who checks it: the labour bureau's officer (the finance officer for claims filed before that role existed)" }),
  checkDecision: z.string().nullable(),
  ...decided,
};

/** What the list shows of a claim: its trainees are counted; GET /v1/training-claims/{id} lists them. */
const trainingClaimSummarySchema = z
  .object({
    ...trainingClaimHead,
    traineeCount: z.number().int().meta({ description: 'trainees the claim lists' }),
    mismatchCount: z.number().int().meta({ description: 'live trainees who do not match the certificate registry' }),
  })
  .meta({ id: 'TrainingClaimSummary' });

const trainingClaimSchema = z
  .object({
    ...trainingClaimHead,
    trainees: z.array(
      z.object({
        certificateNo: z.string(),
        idNumber: z.string().meta({ description: 'in full for the institution, the labour officer and finance; masked for the auditor' }),
        name: z.string(),
        issuedOn: z.string().nullable(),
        startedOn: z.string().nullable().meta({ description: 'outcome part: the day the trainee started a business (a loan disbursed)' }),
        loanId: z.string().nullable(),
        mismatch: z.string().nullable().meta({ description: 'why the trainee does not match the certificate registry; null when it does' }),
        amount: money,
        paid: z.boolean(),
        dropped: z.boolean().meta({ description: 'left out by the officer’s adjustment' }),
      }),
    ),
  })
  .meta({ id: 'TrainingClaim' });

const rewardClaimSchema = z
  .object({
    id: z.string(),
    enterpriseId: z.string(),
    enterpriseName: z.string(),
    incubatorId: z.string(),
    incubatorName: z.string(),
    operatorName: z.string(),
    kind: incubatorEventKindSchema,
    exchange: exchangeSchema.nullable(),
    documentNo: z.string(),
    eventOn: z.string(),
    amountEach: money.meta({ description: 'paid to the operator and again to the enterprise' }),
    status: statusSchema,
    ...filed,
    ...decided,
    operatorPaymentRef: z.string().meta({ description: 'the reference of the payment to the operator, as the bank statement names it' }),
    enterprisePaymentRef: z.string().meta({ description: 'the reference of the payment to the enterprise, as the bank statement names it' }),
  })
  .meta({ id: 'IncubatorRewardClaim' });

const enterpriseSchema = z
  .object({ id: z.string(), incubatorId: z.string(), name: z.string(), creditCode: z.string(), enteredOn: z.string(), graduatedOn: z.string().nullable() })
  .meta({ id: 'IncubatedEnterprise' });
const incubatorSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    operatorName: z.string(),
    operatorCreditCode: z.string(),
    region: z.string(),
    enterpriseCount: z.number().int().meta({ description: 'enterprises registered there, graduated or not' }),
    incubatingCount: z.number().int().meta({ description: 'of those, the ones not graduated' }),
  })
  .meta({ id: 'Incubator' });
const incubatorWithEnterprisesSchema = incubatorSchema
  .extend({
    enterprises: z.array(enterpriseSchema).meta({ description: 'the page of enterprises asked for, by name' }),
    enterprisesPage: z.number().int(),
    enterprisesPageSize: z.number().int(),
  })
  .meta({ id: 'IncubatorWithEnterprises' });

const checkSchema = z
  .object({ decision: z.enum(['accept', 'adjust', 'refuse']), reason: reason.optional() })
  .strict()
  .meta({ id: 'ProgrammeClaimCheck', description: 'accept: as filed; adjust: without the trainees who do not match their certificates (training claims); refuse: with a reason' });
const approvalSchema = z
  .object({ decision: z.enum(['approve', 'reject']), reason: reason.optional() })
  .strict()
  .meta({ id: 'ProgrammeClaimApproval', description: 'reject needs a reason' });

const newTrainingClaimSchema = z
  .discriminatedUnion('part', [
    z
      .object({
        part: z.literal('base'),
        course: courseSchema,
        classRef: visibleText(z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters')),
        enrolled: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'at least 1').max(10_000, 'at most 10000'),
        trainees: z
          .array(
            z
              .object({
                certificateNo: z.string().trim().regex(/^[A-Za-z0-9\-]{4,64}$/, 'must be 4–64 letters, digits or dashes'),
                idNumber: idNumberSchema,
                name: visibleText(z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters')),
              })
              .strict(),
          )
          .min(1, 'at least one trainee who passed')
          .max(1000, 'at most 1000')
          .refine((ts) => new Set(ts.map((t) => t.certificateNo)).size === ts.length, 'a certificate is listed twice'),
      })
      .strict(),
    z.object({ part: z.literal('outcome'), baseClaimId: z.uuid({ message: 'must be a UUID' }) }).strict(),
  ])
  .meta({ id: 'NewTrainingClaim', description: 'base: the trainees who passed (their certificates); outcome: the trainees of a paid base claim who started a business, computed from the records' });

const newRewardClaimSchema = z
  .object({
    enterpriseId: z.uuid({ message: 'must be a UUID' }),
    kind: incubatorEventKindSchema,
    exchange: exchangeSchema.optional().meta({ description: 'listing: regional or neeq; a move to the NEEQ: neeq (implied)' }),
    documentNo: visibleText(z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters')).meta({ description: 'the evidence: the recognition’s or listing’s document number' }),
    eventOn: isoDateSchema.meta({ description: 'the date of the recognition, listing or move, as the document says' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.kind === 'listing' && !b.exchange) ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'a listing names its exchange: regional or neeq' });
    if (b.kind === 'high_tech' && b.exchange) ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'a high-tech recognition names no exchange' });
    if (b.kind === 'neeq_transfer' && b.exchange && b.exchange !== 'neeq') ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'a move is to the NEEQ' });
  })
  .meta({ id: 'NewIncubatorRewardClaim' });

const FINANCE = ['finance_officer', 'finance_approver'] as const;
const READERS = ['finance_officer', 'finance_approver', 'auditor'] as const;
const asNowStands = (schema: z.ZodType) => ({ description: 'Recorded; the claim as it now stands', schema });

export function programmeRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'programmes', { auth: READERS });

  // ---- training subsidy -------------------------------------------------------------------------
  route.create('/v1/training-claims', {
    summary: "A training institution files a class's training-subsidy claim (base part, or later its outcome part)",
    description:
      'base: a base amount per trainee who passed, each matched against the certificate registry (mismatches are listed for the officer). ' +
      'outcome: once the outcome window has closed for every trainee of a paid base claim, an amount per trainee who started a business within it. ' +
      'A trainee already claimed for this course type and part is 409 (a unique key of the database).',
    auth: ['training_officer'],
    body: newTrainingClaimSchema,
    reply: { description: 'Filed', schema: trainingClaimSchema },
    make: ({ body, user, deps, idempotency }, r) => fileTrainingClaim(deps, user, body, { ...r, idempotency }),
    location: (claim) => `/v1/training-claims/${claim.id}`,
  });

  const TRAINING_READERS = ['training_officer', 'labour_officer', ...READERS] as const;
  route.page('/v1/training-claims', {
    summary: 'Training claims you may see (an institution: its own), newest first',
    description: 'Each claim with its trainees counted, not listed: GET /v1/training-claims/{id} gives them (a claim may list a thousand).',
    auth: TRAINING_READERS,
    filters: { status: statusSchema.optional() },
    item: trainingClaimSummarySchema,
    list: ({ query, user, deps }) => listTrainingClaims(deps, user, query),
  });

  claimRoutes(route, '/v1/training-claims', 'training_subsidy', trainingClaimSchema, {
    one: {
      summary: 'One training claim with its trainees',
      auth: TRAINING_READERS,
      load: ({ params, user, deps }) => getTrainingClaim(deps, user, params.id),
    },
    check: {
      summary: "The labour bureau officer's check of a training claim against the certificate registry (maker)",
      description:
        'accept (every trainee matches) or adjust (the trainees who do not match are dropped; 400 when none would be left) → CHECKED; refuse (with a reason) → REFUSED. ' +
        "Only the claim's checkerRole may check it: the labour officer; the finance officer for a claim filed before that role existed (403 otherwise).",
      auth: ['labour_officer', 'finance_officer'],
    },
    approval: {
      summary: "The finance approver's decision on a training claim (checker, not the person who checked)",
      description: 'approve → paid from the training-subsidy fund of the year (PAID), or PENDING_BUDGET until approved again after a top-up; reject (with a reason) → REJECTED.',
    },
  });

  // ---- incubators and their rewards -------------------------------------------------------------
  route.page('/v1/incubators', {
    summary: 'Registered incubators (创业基地/孵化器) and their operators, with how many enterprises each holds',
    description: 'The enterprises themselves come a page at a time from GET /v1/incubators/{id}.',
    filters: {},
    item: incubatorSchema,
    itemsDescription: 'A page of incubators, by name',
    list: ({ query, deps }) => listIncubators(deps, query),
  });

  route.read('/v1/incubators/:id', {
    summary: 'One incubator with a page of its enterprises, by name',
    params: idParam,
    query: pageQuery({}),
    reply: { description: 'The incubator', schema: incubatorWithEnterprisesSchema },
    load: ({ params, query, deps }) => getIncubator(deps, params.id, query),
  });

  route.create('/v1/incubators', {
    summary: 'Register an incubator and its operator (finance)',
    auth: FINANCE,
    body: z.object({ name, operatorName: name, operatorCreditCode: creditCode, region: visibleText(z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters')) }).strict().meta({ id: 'NewIncubator' }),
    reply: { description: 'Registered', schema: incubatorSchema },
    make: ({ body, user, deps }, r) => registerIncubator(deps, user, body, r),
    location: (i) => `/v1/incubators/${i.id}`,
  });

  route.create('/v1/incubators/:id/enterprises', {
    summary: 'Register an enterprise incubated there, with its entry date (and graduation date, if it graduated)',
    auth: FINANCE,
    params: idParam,
    body: z.object({ name, creditCode, enteredOn: isoDateSchema, graduatedOn: isoDateSchema.optional() }).strict().meta({ id: 'NewIncubatedEnterprise' }),
    reply: { description: 'Registered', schema: enterpriseSchema },
    make: ({ params, body, user, deps }, r) => registerEnterprise(deps, user, params.id, body, r),
  });

  route.decide('/v1/incubators/:id/enterprises/:enterpriseId/graduation', {
    summary: "Record an enterprise's graduation (once)",
    auth: FINANCE,
    params: idParam.extend({ enterpriseId: z.uuid({ message: 'must be a UUID' }) }),
    body: z.object({ graduatedOn: isoDateSchema }).strict().meta({ id: 'Graduation' }),
    reply: { description: 'Recorded', schema: enterpriseSchema },
    run: ({ params, body, user, deps }, r) => recordGraduation(deps, user, params.id, params.enterpriseId, body.graduatedOn, r),
  });

  route.create('/v1/incubator-rewards', {
    summary: "File an incubator reward for an enterprise's qualifying event, with its evidence (finance officer)",
    description:
      'The event must fall in the window of the policy in force (while incubated, or within the months after graduation the policy says). ' +
      'A second claim for the same event of the same enterprise is 409 (a unique key of the database).',
    auth: ['finance_officer'],
    body: newRewardClaimSchema,
    reply: { description: 'Filed', schema: rewardClaimSchema },
    make: ({ body, user, deps, idempotency }, r) => fileRewardClaim(deps, user, { ...body, exchange: body.kind === 'neeq_transfer' ? 'neeq' : (body.exchange ?? null) }, { ...r, idempotency }),
    location: (claim) => `/v1/incubator-rewards/${claim.id}`,
  });

  route.page('/v1/incubator-rewards', {
    summary: 'Incubator reward claims, newest first',
    filters: { status: statusSchema.optional(), enterpriseId: z.uuid({ message: 'must be a UUID' }).optional() },
    item: rewardClaimSchema,
    list: ({ query, user, deps }) => listRewardClaims(deps, user, query),
  });

  claimRoutes(route, '/v1/incubator-rewards', 'incubator_rewards', rewardClaimSchema, {
    one: {
      summary: 'One incubator reward claim',
      load: ({ params, user, deps }) => getRewardClaim(deps, user, params.id),
    },
    check: {
      summary: "The officer's check of a reward's evidence (maker): accept → CHECKED; refuse (with a reason) → REFUSED",
      auth: ['finance_officer'],
    },
    approval: {
      summary: "The finance approver's decision on a reward (checker, not the person who checked)",
      description: 'approve → the amount is paid to the operator and to the enterprise from the incubator-rewards fund of the year (PAID), or PENDING_BUDGET; reject (with a reason) → REJECTED.',
    },
  });
}

type Routes = ReturnType<typeof routeKinds>;
type ByIdSpec = Parameters<Routes['byId']>[1];

/**
 * The routes a claim of either programme has alike: the claim itself, its check by its checker
 * (maker) and the approval by a finance approver who did not check it (checker), both answering
 * with the claim as it now stands. Each programme names its own words and whom it admits.
 */
function claimRoutes(
  route: Routes,
  path: string,
  programme: Parameters<typeof checkProgrammeClaim>[2],
  schema: z.ZodType,
  o: {
    one: Omit<ByIdSpec, 'reply'>;
    check: { summary: string; description?: string; auth: ByIdSpec['auth'] };
    approval: { summary: string; description: string };
  },
): void {
  route.byId(`${path}/:id`, { ...o.one, reply: { description: 'The claim', schema } });
  route.decide(`${path}/:id/check`, {
    ...o.check,
    body: checkSchema,
    reply: asNowStands(schema),
    run: ({ params, body, user, deps }, r) => checkProgrammeClaim(deps, user, programme, params.id, body, r),
  });
  route.decide(`${path}/:id/approval`, {
    ...o.approval,
    auth: ['finance_approver'],
    body: approvalSchema,
    reply: asNowStands(schema),
    run: ({ params, body, user, deps }, r) => approveProgrammeClaim(deps, user, programme, params.id, body, r),
  });
}
