import fs from 'node:fs';
import { Command } from 'commander';
import { z } from 'zod';
import { SCENARIO_SCOPES, scenarioNameSchema, scenarioParamsSchema, type ScenarioParams, type ScenarioScope } from '../../domain/forecast';
import { isIsoDate } from '../../domain/dates';
import { DomainError } from '../../domain/errors';
import type { Role } from '../../domain/enums';
import { MAX_QUARTERS, forecastFile, saveScenario, savedScenarios, subsidyForecast, whatIfFile, whatIfForecast, type ForecastAnswer } from '../../usecases/forecasts';
import type { WhatIfResult } from '../../domain/forecast';
import { CliError, type CliRun } from './context';

const FORMATS = ['table', 'json', 'csv', 'xlsx'] as const;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

function quartersOf(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_QUARTERS) throw new CliError(`--quarters is a whole number from 1 to ${MAX_QUARTERS}`);
  return n;
}

function formatOf(v: string): (typeof FORMATS)[number] {
  if (!(FORMATS as readonly string[]).includes(v)) throw new CliError(`--format is one of ${FORMATS.join(', ')}`);
  return v as (typeof FORMATS)[number];
}

const NUMERIC_KEYS = new Set(['termMonthsMin', 'termMonthsMax', 'leverageCap']);

/**
 * `--set key=value` (repeatable) and `--params file.json`, checked by the same schema as the API's
 * body. Loss sharing is `fund/bank/company`, e.g. `--set lossSharing=0.8/0.2/0`.
 */
function scenarioParams(sets: string[], file: string | undefined): ScenarioParams {
  const raw: Record<string, unknown> = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new CliError(`--set takes key=value: ${s}`);
    const key = s.slice(0, eq);
    const value = s.slice(eq + 1);
    if (key === 'lossSharing') {
      const [guaranteeFund, bank, guaranteeCompany] = value.split('/');
      raw[key] = { guaranteeFund, bank, guaranteeCompany };
    } else raw[key] = NUMERIC_KEYS.has(key) ? Number(value) : value;
  }
  const r = scenarioParamsSchema.safeParse(raw);
  if (!r.success) throw new DomainError('VALIDATION_FAILED', 'the changed parameters are not valid', r.error.issues.map((i) => ({ path: ['params', ...i.path].join('.'), message: i.message })));
  return r.data;
}

function scopeOf(reprice: boolean): ScenarioScope {
  return reprice ? SCENARIO_SCOPES[1] : SCENARIO_SCOPES[0];
}

function printForecast(f: ForecastAnswer): void {
  console.log(`Interest-subsidy forecast as of ${f.asOf}, ${f.quarters.length} quarters (band: Beta-Binomial P10–P90; docs/forecast.md)`);
  if (f.fund) console.log(`fund ${f.fund.name} (${f.fund.year}): budget ${f.fund.budget}, available ${f.fund.available}`);
  console.log(
    table([
      ['quarter', 'scheduled', 'expected', 'P10', 'P90', 'pipeline', 'total expected', 'compensation'],
      ...f.byQuarter.map((q) => [q.quarter, q.scheduled, q.expected, q.p10, q.p90, q.pipelineExpected, q.total.expected, q.expectedLoss.compensation]),
    ]),
  );
  console.log('\nCash timing (claims paid the quarter after the due quarter):');
  console.log(table([['budget year', 'due quarters', 'accrued, unpaid', 'expected', 'P10', 'P90'], ...f.byBudgetYear.map((y) => [String(y.year), y.dueQuarters.join(' '), y.accrued, y.total.expected, y.total.p10, y.total.p90])]));
  console.log('\nGuarantee exposure against the leverage cap:');
  for (const e of f.exposure) {
    const peak = [e.now, ...e.byQuarter].reduce((a, b) => (Number(b.utilisation ?? 0) > Number(a.utilisation ?? 0) ? b : a));
    console.log(`  ${e.name}: ${e.now.outstanding} of a cap of ${e.cap} (${e.leverageCap} × ${e.deposit})${peak.warning ? `  WARNING: ${peak.utilisation} of the cap on ${peak.on}` : ''}`);
  }
  console.log(`\nPipeline: ${f.pipeline.applications} application(s), ${f.pipeline.eligible} eligible, expected loans ${f.pipeline.expectedLoans}`);
  if (f.backtest) {
    console.log(`\nBacktest: forecast as of ${f.asOf} against what the loans open then accrued`);
    if (!f.backtest.rows.length) console.log('  no quarter of the horizon has ended yet');
    else {
      console.log(
        table([
          ['quarter', 'expected', 'P10', 'P90', 'actual', 'abs % error', 'in band'],
          ...f.backtest.rows.map((r) => [r.quarter, r.expected, r.p10, r.p90, r.actual, r.absolutePercentError ?? '—', r.withinBand ? 'yes' : 'no']),
        ]),
      );
      console.log(`MAPE ${f.backtest.mape ?? '— (nothing accrued)'}; ${f.backtest.coverage} of quarters within the band`);
    }
  }
}

function printWhatIf(w: WhatIfResult): void {
  console.log(`What-if (${w.scenario.scope}): ${JSON.stringify(w.scenario.params)}, side by side with today's rules`);
  console.log(
    table([
      ['quarter', 'expected today', 'expected scenario', 'difference', 'compensation today', 'compensation scenario'],
      ...w.byQuarter.map((q) => [q.quarter, q.expected.today, q.expected.scenario, q.expected.difference, q.compensation.today, q.compensation.scenario]),
    ]),
  );
  console.log(table([['budget year', 'today', 'scenario', 'difference'], ...w.byBudgetYear.map((y) => [String(y.year), y.expected.today, y.expected.scenario, y.expected.difference])]));
  for (const e of w.exposure) console.log(`  ${e.name}: cap ${e.cap.today} → ${e.cap.scenario}, peak ${e.peak.today} → ${e.peak.scenario}${e.warningScenario ? ' (WARNING: 80% of the cap under the scenario)' : ''}`);
  console.log(`Pipeline: ${w.pipeline.applications} application(s); ${w.pipeline.becomeEligible} become eligible, ${w.pipeline.becomeIneligible} ineligible`);
}

async function write(format: (typeof FORMATS)[number], out: string | undefined, json: unknown, file: () => Promise<{ name: string; body: Buffer }>): Promise<boolean> {
  if (format === 'table') return false;
  if (format === 'json' && !out) {
    console.log(JSON.stringify(json, null, 2));
    return true;
  }
  const f = format === 'json' ? { name: out!, body: Buffer.from(JSON.stringify(json, null, 2)) } : await file();
  fs.writeFileSync(out ?? f.name, f.body);
  console.log(`wrote ${out ?? f.name}`);
  return true;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** `loanflow forecast`: the forecast (or, with --as-of, its backtest), what-ifs and saved scenarios. */
export function forecastCommand(run: CliRun): Command {
  // Positional options: --quarters, --format and --out after `what-if` are the what-if's own.
  const cmd = new Command('forecast')
    .enablePositionalOptions()
    .description('interest-subsidy forecast: per quarter, band, cash timing, exposure; --as-of a past day backtests it (docs/forecast.md)')
    .option('--fund <id>', 'a special fund: its budget figures come with the forecast')
    .option('--quarters <n>', `quarters ahead, 1–${MAX_QUARTERS}`, '8')
    .option('--as-of <date>', 'a past day: forecast from what was known then, against what happened since (MAPE)')
    .option('--format <format>', FORMATS.join(' | '), 'table')
    .option('--out <file>', 'where to write csv/xlsx/json (default forecast-<asOf>-<n>q.<format>)')
    .action((o: { fund?: string; quarters: string; asOf?: string; format: string; out?: string }) =>
      run(async (ctx) => {
        if (o.asOf !== undefined && !isIsoDate(o.asOf)) throw new CliError('--as-of must be a date YYYY-MM-DD');
        if (o.fund !== undefined && !z.uuid().safeParse(o.fund).success) throw new CliError('--fund must be a fund id (uuid)');
        const format = formatOf(o.format);
        const f = await subsidyForecast(ctx, null, { fundId: o.fund, quarters: quartersOf(o.quarters), asOf: o.asOf });
        if (!(await write(format, o.out, f, () => forecastFile(f, format as 'csv' | 'xlsx')))) printForecast(f);
      }),
    );
  cmd
    .command('what-if')
    .description("the forecast under changed policy parameters, side by side with today's rules; writes nothing")
    .option('--set <key=value>', 'a changed parameter (repeatable): guaranteeMax=200000.00, rateCap=0.0450, subsidyMode=above_borrower_rate, lossSharing=0.8/0.2/0 …', collect, [])
    .option('--params <file>', 'the changed parameters as JSON')
    .option('--reprice', "re-price open loans too (default: new loans only; open loans keep their own rules)")
    .option('--quarters <n>', `quarters ahead, 1–${MAX_QUARTERS}`, '8')
    .option('--format <format>', FORMATS.join(' | '), 'table')
    .option('--out <file>')
    .action((o: { set: string[]; params?: string; reprice?: boolean; quarters: string; format: string; out?: string }) =>
      run(async (ctx) => {
        const format = formatOf(o.format);
        const w = await whatIfForecast(ctx, { params: scenarioParams(o.set, o.params), scope: scopeOf(Boolean(o.reprice)), quarters: quartersOf(o.quarters) });
        if (!(await write(format, o.out, w, () => whatIfFile(w, format as 'csv' | 'xlsx')))) printWhatIf(w);
      }),
    );
  cmd
    .command('save <name>')
    .description('save a what-if scenario by name (finance staff or the admin)')
    .option('--as <username>', 'who saves it')
    .option('--set <key=value>', 'a changed parameter (repeatable)', collect, [])
    .option('--params <file>', 'the changed parameters as JSON')
    .option('--reprice', 're-price open loans too')
    .action((name: string, o: { as?: string; set: string[]; params?: string; reprice?: boolean }) =>
      run(async (ctx) => {
        const actor = await ctx.actor(o.as);
        const n = scenarioNameSchema.safeParse(name);
        if (!n.success) throw new DomainError('VALIDATION_FAILED', 'the name is not valid', n.error.issues.map((i) => ({ path: 'name', message: i.message })));
        const s = await saveScenario(ctx, { id: actor.userId, role: actor.role as Role }, { name: n.data, params: scenarioParams(o.set, o.params), scope: scopeOf(Boolean(o.reprice)) });
        console.log(`saved ${s.name} (${s.id}) by ${s.savedBy.username} at ${s.savedAt}`);
      }),
    );
  cmd
    .command('scenarios')
    .description('the saved scenarios, newest first')
    .action(() =>
      run(async (ctx) => {
        // Page by page: the operator's terminal takes them all, the process holds one page at a time.
        for (let page = 1; ; page++) {
          const { items } = await savedScenarios(ctx, { page, pageSize: 200 });
          for (const s of items) console.log(`${s.savedAt}  ${s.name}  (${s.scope}) ${JSON.stringify(s.params)}  by ${s.savedBy.username}  ${s.id}`);
          if (items.length < 200) break;
        }
      }),
    );
  return cmd;
}
