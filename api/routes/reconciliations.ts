import { z } from 'zod';
import type { ApiRouter } from '../route';
import { money } from '../reply-schemas';
import { idParam, pageOf, pageQuery, routeKinds } from '../route-kinds';
import { quarterSchema } from '../../domain/date-schemas';
import {
  FIRST_MISMATCHES,
  OUTCOMES,
  importStatement,
  listReconciliations,
  reconciliation,
  reconciliationMismatches,
  resolveMismatch,
  statementLines,
} from '../../usecases/statements';
import { actorOf, todayOf } from '../../usecases/deps';
import { amendRouteDoc } from '../openapi';
import { statementUpload } from './finance-upload';
import { MAX_INT4 } from '../paging';
import { visibleText } from '../../domain/text-schemas';

const FINANCE = ['finance_officer', 'finance_approver'] as const;
const READERS = ['finance_officer', 'finance_approver', 'auditor'] as const;
const MISMATCH_KINDS = OUTCOMES.filter((o) => o !== 'matched') as [string, ...string[]];

const countsSchema = z.object(Object.fromEntries(MISMATCH_KINDS.map((k) => [k, z.number()])) as Record<string, z.ZodNumber>);

const reconciliationSchema = z
  .object({
    id: z.string(),
    bankId: z.string(),
    bankName: z.string(),
    quarter: z.string(),
    current: z.boolean().meta({ description: 'the newest import for its bank and quarter: the one the quarter close looks at' }),
    supersededBy: z.string().nullable(),
    sourceFormat: z.string(),
    fileName: z.string().max(255, 'must be at most 255 characters'),
    fileSha256: z.string(),
    importedBy: z.string(),
    importedAt: z.string(),
    lineCount: z.number(),
    statementTotal: money,
    payoutCount: z.number(),
    payoutTotal: money,
    matched: z.number(),
    counts: countsSchema,
    mismatchCount: z.number(),
    unresolved: z.number(),
  })
  .meta({ id: 'Reconciliation' });

const mismatchSchema = z
  .object({
    itemNo: z.number(),
    kind: z.enum(MISMATCH_KINDS),
    lineNo: z.number().nullable(),
    reference: z.string().nullable(),
    statementDate: z.string().nullable(),
    statementAmount: money.nullable(),
    claimId: z.string().nullable(),
    payoutEntryId: z.number().nullable(),
    ledgerDate: z.string().nullable(),
    ledgerAmount: money.nullable(),
    note: z.string().nullable(),
    resolution: z
      .object({ kind: z.enum(['explanation', 'reversal']), reason: z.string(), reversalEntryId: z.number().nullable(), by: z.string(), role: z.string(), at: z.string() })
      .nullable(),
  })
  .meta({ id: 'ReconciliationMismatch' });

const importResultSchema = reconciliationSchema
  .extend({
    mismatches: z.array(mismatchSchema).meta({ description: `the first ${FIRST_MISMATCHES}; the rest through GET /v1/reconciliations/{id}/mismatches` }),
    mismatchesTruncated: z.boolean(),
  })
  .meta({ id: 'ReconciliationImported' });

const uploadFields = z
  .object({
    quarter: quarterSchema,
    bankId: z.uuid({ message: 'must be a bank organisation id, or your finance bureau’s (UUID)' }).meta({
      description: 'the bank whose statement of interest subsidies this is, or your own finance bureau for its account’s statement of training subsidies and incubator rewards',
    }),
    encoding: z.enum(['utf-8', 'gb18030']).default('utf-8'),
    // Listed with each reconciliation: shown as sent, so nothing invisible or reordering.
    fileName: visibleText(z.string().max(255, 'must be at most 255 characters')),
    fileSha256: z.string(),
    fileBytes: z.number(),
  })
  .strict();

const fileSchema = z.string().meta({ format: 'binary', description: 'the statement: CSV or XLSX (docs/reconciliation.md)' });

export function reconciliationRoutes(api: ApiRouter): void {
  api.add({
    method: 'post',
    path: '/v1/reconciliations',
    tag: 'finance',
    summary: "Import a bank's statement of subsidy receipts for a quarter and reconcile it",
    description:
      'multipart/form-data with fields `quarter`, `bankId` (optional `encoding`: utf-8 | gb18030) and the file as part `file`; ' +
      'or the file as the body (Content-Type text/csv or the XLSX type) with the fields in the query string. ' +
      'CSV or XLSX (told apart by content) with the header `date,reference,amount,description` (docs/reconciliation.md). ' +
      'A bad file is 400 with each problem’s line and column in `details`, and nothing is imported.',
    auth: FINANCE,
    idempotent: true,
    rawBody: statementUpload,
    body: uploadFields,
    responses: { 201: { description: 'Imported and matched', schema: importResultSchema } },
    async handler({ req, body, deps, user, requestId, clientRequestId, idempotency }) {
      const input = { bankId: body.bankId, quarter: body.quarter, fileName: body.fileName, encoding: body.encoding, filePath: req.upload!.path };
      return { status: 201, body: await importStatement(deps, user, input, { requestId, clientRequestId, idempotency }) };
    },
  });

  const uploadSchema = z
    .object({ quarter: quarterSchema, bankId: z.uuid(), encoding: z.enum(['utf-8', 'gb18030']).optional(), file: fileSchema })
    .meta({ id: 'StatementUpload' });
  amendRouteDoc(api, 'post', '/v1/reconciliations', (route) => {
    const content = {
      'multipart/form-data': { schema: uploadSchema },
      'text/csv': { schema: fileSchema },
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: fileSchema },
    };
    route.request = { ...route.request, body: { required: true, content } };
  });

  const route = routeKinds(api, 'finance', { auth: READERS });
  route.page('/v1/reconciliations', {
    summary: 'Reconciliations, newest first',
    description: 'Every import of a statement is kept (a newer one supersedes it), so the list is paged.',
    filters: { quarter: quarterSchema.optional(), bankId: z.uuid().optional() },
    item: reconciliationSchema,
    itemsDescription: 'A page of reconciliations',
    list: ({ query, deps }) => listReconciliations(deps, query),
  });

  route.byId('/v1/reconciliations/:id', {
    summary: 'One reconciliation with its counts',
    reply: { description: 'The reconciliation', schema: reconciliationSchema },
    load: ({ params, deps }) => reconciliation(deps, params.id),
  });

  route.read('/v1/reconciliations/:id/mismatches', {
    summary: 'Mismatches of a reconciliation, with their resolutions',
    params: idParam,
    query: pageQuery({ kind: z.enum(MISMATCH_KINDS).optional(), unresolved: z.enum(['true', 'false']).transform((v) => v === 'true').optional() }, 1000, 100),
    reply: { description: 'A page of mismatches', schema: pageOf(mismatchSchema) },
    load: async ({ params, query, deps }) => {
      const { page, pageSize } = query;
      const r = await reconciliationMismatches(deps, params.id, { kind: query.kind as never, unresolved: query.unresolved, offset: (page - 1) * pageSize, limit: pageSize });
      return { items: r.items, page, pageSize, total: r.total };
    },
  });

  route.read('/v1/reconciliations/:id/lines', {
    summary: 'Statement lines as imported, with their outcome (keyset pages: pass the last lineNo as `after`)',
    params: idParam,
    query: z
      .object({
        outcome: z.enum(OUTCOMES.filter((o) => o !== 'missing_in_statement') as [string, ...string[]]).optional(),
        after: z.coerce.number().int().min(0).max(MAX_INT4).default(0),
        limit: z.coerce.number().int().min(1).max(5000).default(500),
      })
      .strict(),
    reply: {
      description: 'Lines',
      schema: z.array(
        z.object({ lineNo: z.number(), date: z.string(), reference: z.string(), amount: money, description: z.string(), outcome: z.string(), payoutEntryId: z.number().nullable() }),
      ),
    },
    load: ({ params, query, deps }) => statementLines(deps, params.id, { outcome: query.outcome, afterLine: query.after, limit: query.limit }),
  });

  route.decide('/v1/reconciliations/:id/mismatches/:itemNo/resolution', {
    summary: 'Resolve a mismatch: an explanation, or a correcting reversal of the payout (finance approver)',
    description:
      'Nothing is edited: an explanation is recorded with who and why; a reversal posts, today, an entry reversing the payout, and records its id. ' +
      'One resolution per mismatch; only on the newest reconciliation of an open quarter. Reversal applies to missing_in_statement, amount_differs and date_differs.',
    auth: FINANCE,
    params: z.object({ id: z.uuid({ message: 'must be a UUID' }), itemNo: z.coerce.number().int().min(1).max(MAX_INT4) }),
    body: z.object({ resolution: z.enum(['explanation', 'reversal']), reason: visibleText(z.string().trim().min(3).max(2000), { lines: true }) }).strict().meta({ id: 'MismatchResolution' }),
    reply: { description: 'The mismatch, resolved', schema: mismatchSchema },
    run: ({ params, body, deps, user }, { requestId, idempotency }) =>
      resolveMismatch(deps, { reconciliationId: params.id, itemNo: params.itemNo, resolution: body.resolution, reason: body.reason, actor: actorOf(user), requestId, idempotency, today: todayOf(deps) }),
  });
}
