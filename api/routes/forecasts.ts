import { z } from 'zod';
import type { Request, Response, NextFunction } from 'express';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import { validationError } from '../errors';
import { authenticate, requireRole } from '../auth/middleware';
import { amendRouteDoc } from '../openapi';
import { isoDateSchema } from '../../domain/date-schemas';
import { AGE_BUCKETS, PIPELINE_STEPS, SCENARIO_SCOPES, scenarioNameSchema, scenarioParamsSchema } from '../../domain/forecast';
import { MAX_QUARTERS, SCENARIO_SAVERS, forecastFile, saveScenario, savedScenario, savedScenarios, subsidyForecast, whatIfFile, whatIfForecast } from '../../usecases/forecasts';
import { XLSX_TYPE } from '../../usecases/reports';

/** Finance and the auditor read forecasts; finance and the admin save scenarios (docs/forecast.md). */
const READERS = ['finance_officer', 'finance_approver', 'auditor'] as const;
const SCENARIO_READERS = ['finance_officer', 'finance_approver', 'auditor', 'admin'] as const;

const money = z.string().meta({ description: 'decimal string, two decimals', example: '12345.67' });
const rate = z.string().meta({ description: 'a fraction, 4 decimals', example: '0.9312' });
const quarter = z.string().meta({ example: '2027Q3' });
const format = z.enum(['json', 'csv', 'xlsx']).default('json').meta({ description: 'csv and xlsx return a file (Content-Disposition: attachment)' });
const quarters = z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_QUARTERS, `must be at most ${MAX_QUARTERS}`).default(8);

export const forecastQuery = z
  .object({
    fund: z.uuid().optional().meta({ description: 'a special fund: its budget figures come with the forecast' }),
    quarters,
    asOf: isoDateSchema.optional().meta({ description: 'a past day: the forecast from what was known then, with the backtest against what happened since' }),
    format,
  })
  .strict();

export const whatIfBody = z
  .object({
    params: scenarioParamsSchema.meta({ description: 'the policy parameters changed (docs/domain.md §3.5); the rest stay as each policy version has them' }),
    scope: z.enum(SCENARIO_SCOPES).default('new_loans_only').meta({ description: 'new_loans_only (default): open loans keep their own rules; reprice_open_loans: their remaining periods take the changed ones too' }),
    quarters,
  })
  .strict();

const scenarioBody = z
  .object({
    name: scenarioNameSchema,
    params: scenarioParamsSchema,
    scope: z.enum(SCENARIO_SCOPES).default('new_loans_only'),
  })
  .strict();

const band = z.object({ expected: money, p10: money, p90: money });
const bandResult = {
  scheduled: money.meta({ description: 'open loans, if every period is paid on time: exact' }),
  expected: money,
  p10: money,
  p90: money,
  pipelineScheduled: money,
  pipelineExpected: money,
  total: band.meta({ description: 'open loans and the pipeline' }),
};
const exposurePoint = { on: z.string(), outstanding: money, utilisation: rate.nullable(), warning: z.boolean().meta({ description: 'utilisation at or above 80%' }) };
const forecastSchema = z.object({
  asOf: z.string(),
  quarters: z.array(quarter),
  scope: z.enum(SCENARIO_SCOPES),
  band: z.object({ method: z.literal('beta-binomial'), low: z.literal('P10'), high: z.literal('P90') }),
  rows: z.array(z.object({ quarter, bankId: z.string().nullable(), bankName: z.string().nullable(), ...bandResult })),
  byQuarter: z.array(
    z.object({
      quarter,
      ...bandResult,
      expectedLoss: z.object({ guaranteeFund: money, bank: money, guaranteeCompany: money, compensation: money.meta({ description: '代偿: the fund’s and the company’s parts' }) }),
    }),
  ),
  byBudgetYear: z.array(z.object({ year: z.number().int(), dueQuarters: z.array(quarter), ...bandResult, accrued: money.meta({ description: 'accrued by asOf, not yet paid, whose claim is paid this year; included in total' }) })),
  exposure: z.array(
    z.object({
      companyId: z.string(),
      name: z.string(),
      deposit: money,
      leverageCap: z.number().int(),
      cap: money,
      now: z.object(exposurePoint),
      byQuarter: z.array(z.object({ quarter, ...exposurePoint })),
    }),
  ),
  pipeline: z.object({ applications: z.number().int(), eligible: z.number().int(), expectedLoans: money }),
  rates: z.object({
    onTime: z.array(z.object({ bankId: z.string(), ageBucket: z.enum(AGE_BUCKETS.map((b) => b.key) as [string, ...string[]]), periods: z.number().int(), onTime: z.number().int(), rate })),
    default: z.array(z.object({ ageBucket: z.string(), periods: z.number().int(), defaults: z.number().int(), rate })),
    conversion: z.array(z.object({ step: z.enum(PIPELINE_STEPS), decided: z.number().int(), converted: z.number().int(), rate })),
  }),
});
const backtestSchema = z.object({
  rows: z.array(z.object({ quarter, expected: money, p10: money, p90: money, actual: money, absolutePercentError: rate.nullable(), withinBand: z.boolean() })),
  mape: rate.nullable().meta({ description: 'mean absolute percentage error over the quarters with an actual above 0' }),
  coverage: rate.nullable(),
});
const forecastAnswer = forecastSchema
  .extend({
    fund: z.object({ id: z.string(), year: z.number().int(), name: z.string(), budget: money, reserved: money, paid: money, available: money }).nullable(),
    backtest: backtestSchema.nullable().meta({ description: 'when asOf is a past day' }),
  })
  .meta({ id: 'SubsidyForecast' });

const side = z.object({ today: money, scenario: money, difference: money });
const whatIfSchema = z
  .object({
    scenario: z.object({ params: scenarioParamsSchema, scope: z.enum(SCENARIO_SCOPES) }),
    today: forecastSchema,
    changed: forecastSchema,
    byQuarter: z.array(z.object({ quarter, scheduled: side, expected: side, p10: side, p90: side, compensation: side })),
    byBudgetYear: z.array(z.object({ year: z.number().int(), scheduled: side, expected: side, p10: side, p90: side })),
    exposure: z.array(z.object({ companyId: z.string(), name: z.string(), cap: side, peak: side, warningToday: z.boolean(), warningScenario: z.boolean() })),
    pipeline: z.object({ applications: z.number().int(), becomeEligible: z.number().int(), becomeIneligible: z.number().int() }),
  })
  .meta({ id: 'WhatIf' });

const scenarioSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    params: scenarioParamsSchema,
    scope: z.enum(SCENARIO_SCOPES),
    savedBy: z.object({ id: z.string(), username: z.string() }),
    savedAt: z.string(),
  })
  .meta({ id: 'ForecastScenario' });

/** The file variants of a JSON route (format=csv|xlsx), under the same authentication, roles and schema. */
function fileRoute(api: ApiRouter, method: 'get' | 'post', path: string, run: (req: Request) => Promise<{ name: string; type: string; body: Buffer }>) {
  const isFile = (req: Request, _res: Response, next: NextFunction) => (req.query.format === 'csv' || req.query.format === 'xlsx' ? next() : next('route'));
  api.router[method](path, isFile, authenticate(api.deps), requireRole(...READERS), async (req: Request, res: Response, next: NextFunction) => {
    try {
      const file = await run(req);
      res.setHeader('Content-Disposition', `attachment; filename="${file.name}"`);
      res.type(file.type).send(file.body);
    } catch (e) {
      next(e);
    }
  });
}

/** Documents the file variants on the JSON route's operation (after api.add has made it). */
function fileDoc(api: ApiRouter, method: 'get' | 'post', path: string) {
  amendRouteDoc(api, method, path, (route) => {
    const ok = route.responses[200] as { description: string; content?: Record<string, unknown> };
    const f = { schema: { type: 'string', format: 'binary' } };
    route.responses[200] = { ...ok, content: { ...ok.content, 'text/csv': f, [XLSX_TYPE]: f } } as never;
  });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error, where);
  return r.data;
}

export function forecastRoutes(api: ApiRouter): void {
  const fileFormat = (req: Request) => req.query.format as 'csv' | 'xlsx';

  // Registered before the JSON routes, which would otherwise answer format=csv|xlsx with JSON.
  fileRoute(api, 'get', '/v1/forecasts/subsidy', async (req) => {
    const q = parse(forecastQuery, req.query, 'query');
    return forecastFile(await subsidyForecast(api.deps, req.user!, { fundId: q.fund, quarters: q.quarters, asOf: q.asOf }), fileFormat(req));
  });
  fileRoute(api, 'post', '/v1/forecasts/what-if', async (req) => whatIfFile(await whatIfForecast(api.deps, parse(whatIfBody, req.body ?? {}, 'body')), fileFormat(req)));

  api.add({
    method: 'get',
    path: '/v1/forecasts/subsidy',
    tag: 'forecasts',
    summary: 'The interest-subsidy forecast of the live portfolio per quarter and bank, with its P10–P90 band, cash timing, exposure and compensation',
    description:
      'Scheduled subsidy is exact (the schedules’ own lines); expected subsidy multiplies it by the observed on-time rate by bank and loan age, ' +
      'with a Beta-Binomial P10–P90 band, and adds the pipeline by its conversion rate. `byBudgetYear` says in which year the claims are paid. ' +
      '`asOf` (a past day) forecasts from what was known then and adds `backtest`. `format=csv|xlsx` downloads it (docs/forecast.md).',
    auth: READERS,
    query: forecastQuery,
    responses: { 200: { description: 'The forecast', schema: forecastAnswer } },
    async handler({ query, deps, user }) {
      return { status: 200, body: await subsidyForecast(deps, user, { fundId: query.fund, quarters: query.quarters, asOf: query.asOf }) };
    },
  });
  fileDoc(api, 'get', '/v1/forecasts/subsidy');

  api.add({
    method: 'post',
    path: '/v1/forecasts/what-if',
    tag: 'forecasts',
    summary: 'The forecast under changed policy parameters, side by side with today’s rules; nothing is written',
    description:
      'Subsidy cost per quarter and budget year, exposure against the leverage cap, expected compensation, and how many pipeline applications become eligible or ineligible. ' +
      'Open loans keep their own policy version unless `scope` is `reprice_open_loans`. `?format=csv|xlsx` downloads it.',
    auth: READERS,
    query: z.object({ format }).strict(),
    body: whatIfBody,
    responses: { 200: { description: 'Both sides', schema: whatIfSchema } },
    async handler({ body, deps }) {
      return { status: 200, body: await whatIfForecast(deps, body) };
    },
  });
  fileDoc(api, 'post', '/v1/forecasts/what-if');

  const route = routeKinds(api, 'forecasts', { auth: SCENARIO_READERS });
  route.page('/v1/forecasts/scenarios', {
    summary: 'Saved what-if scenarios, newest first',
    filters: {},
    item: scenarioSchema,
    itemsDescription: 'A page of scenarios',
    list: ({ query, deps }) => savedScenarios(deps, query),
  });

  route.read('/v1/forecasts/scenarios/:id', {
    summary: 'A saved what-if scenario',
    params: z.object({ id: z.uuid() }),
    reply: { description: 'The scenario', schema: scenarioSchema },
    load: ({ params, deps }) => savedScenario(deps, params.id),
  });

  route.create('/v1/forecasts/scenarios', {
    summary: 'Save a what-if scenario by name, to compare later (names are unique; a saved scenario never changes)',
    auth: SCENARIO_SAVERS,
    body: scenarioBody,
    reply: { description: 'Saved', schema: scenarioSchema },
    make: ({ body, deps, user }, r) => saveScenario(deps, user, body, r),
  });
}
