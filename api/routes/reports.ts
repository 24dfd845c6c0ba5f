import { z } from 'zod';
import type { ApiRouter } from '../route';
import { validationError } from '../errors';
import { authenticate, requireRole } from '../auth/middleware';
import { isoDateSchema } from '../../domain/date-schemas';
import { GROUP_BY, XLSX_TYPE, kpi, kpiFile } from '../../usecases/reports';
import { amendRouteDoc } from '../openapi';

const OFFICERS = [
  'training_officer', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor', 'admin',
] as const;

export const kpiQuery = z
  .object({
    from: isoDateSchema,
    to: isoDateSchema,
    groupBy: z.enum(GROUP_BY),
    format: z.enum(['json', 'csv', 'xlsx']).default('json').meta({ description: 'csv and xlsx return the report as a file (Content-Disposition: attachment)' }),
  })
  .strict()
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must be on or after from' });

const valueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const rowSchema = z.object({ key: z.string(), name: z.string(), values: z.record(z.string(), valueSchema) });

export function reportRoutes(api: ApiRouter): void {
  // Files are not JSON, which ApiRouter.add always answers with; this route sends them, under the
  // same authentication, roles and query schema, and leaves JSON to the documented route below.
  api.router.get('/v1/reports/kpi', (req, _res, next) => (req.query.format === 'csv' || req.query.format === 'xlsx' ? next() : next('route')), authenticate(api.deps), requireRole(...OFFICERS), async (req, res, next) => {
    try {
      const parsed = kpiQuery.safeParse(req.query);
      if (!parsed.success) throw validationError(parsed.error, 'query');
      const q = parsed.data;
      const file = await kpiFile(api.deps, { ...q, format: q.format as 'csv' | 'xlsx' });
      res.setHeader('Content-Disposition', `attachment; filename="${file.name}"`);
      res.type(file.type).send(file.body);
    } catch (e) {
      next(e);
    }
  });

  api.add({
    method: 'get',
    path: '/v1/reports/kpi',
    tag: 'reports',
    summary: 'The programme indicators for a date range, per region, community, bank or training institution',
    description:
      'Each row holds every indicator column (see `columns`: counts as integers, money/rates/days/ratios as exact decimal strings, flags as booleans, null when not applicable); ' +
      'an indicator with a target has `<key>_target` beside it and `<key>_met` (true when it reaches the target, null when there is nothing to judge). ' +
      '`total` covers everything, including the special fund. `notComputable` names the indicators the records cannot give, and why (none today). ' +
      '`format=csv|xlsx` downloads the same report as a file.',
    auth: OFFICERS,
    query: kpiQuery,
    responses: {
      200: {
        description: 'The report',
        schema: z
          .object({
            from: z.string(),
            to: z.string(),
            groupBy: z.enum(GROUP_BY),
            columns: z.array(z.object({ key: z.string(), label: z.string(), kind: z.enum(['count', 'money', 'rate', 'days', 'ratio', 'text', 'flag']) })),
            rows: z.array(rowSchema),
            total: rowSchema,
            notComputable: z.array(z.object({ key: z.string(), why: z.string() })),
          })
          .meta({ id: 'KpiReport' }),
      },
    },
    async handler({ query, deps }) {
      return { status: 200, body: await kpi(deps, query) };
    },
  });
  // The same report as files (format=csv|xlsx), served by the route above.
  amendRouteDoc(api, 'get', '/v1/reports/kpi', (route) => {
    const ok = route.responses[200] as { description: string; content?: Record<string, unknown> };
    const file = { schema: { type: 'string', format: 'binary' } };
    route.responses[200] = { ...ok, content: { ...ok.content, 'text/csv': file, [XLSX_TYPE]: file } } as never;
  });
}
