import type { Knex } from 'knex';
import { getFund, getFundStatus, type FundStatus } from '../db/ledger';
import { accruedSince, futureLines, getScenario, insertScenario, listScenarios, readForecastSnapshot, type SavedScenario } from '../db/repositories/forecasts';
import { forecastCsv, forecastXlsx, whatIfCsv, whatIfXlsx } from '../db/reports/forecast-export';
import { XLSX_TYPE } from '../db/reports';
import {
  type Backtest,
  type ForecastResult,
  type ForecastSnapshot,
  type Scenario,
  type ScenarioParams,
  type ScenarioScope,
  type WhatIfResult,
  RepricedCells,
  backtest,
  changesSubsidy,
  forecast,
  forecastQuarters,
  scenarioProblems,
  whatIf,
  withScenario,
} from '../domain/forecast';
import { type IsoDate, compareDates, previousQuarter, quarterBounds, quarterOf } from '../domain/dates';
import { DomainError } from '../domain/errors';
import type { Role } from '../domain/enums';
import { answeringOwnRetry, refusedAs, todayOf, type Caller, type KeyUse, type RecordsDeps } from './deps';

/**
 * The budget forecast and its what-if (docs/forecast.md). Every read of one answer happens in one
 * REPEATABLE READ, read-only transaction, so the figures agree with each other; nothing is written
 * except a scenario someone saves.
 */

export const MAX_QUARTERS = 20;

export interface ForecastQuery {
  fundId?: string;
  quarters: number;
  /** A past day makes the answer a backtest: what was known then, against what happened since. */
  asOf?: IsoDate;
}

export interface ForecastAnswer extends ForecastResult {
  fund: (FundStatus & { name: string }) | null;
  backtest: Backtest | null;
}

function snapshotRead<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn, { isolationLevel: 'repeatable read', readOnly: true });
}

function dayOf(deps: RecordsDeps, asOf: IsoDate | undefined): { asOf: IsoDate; today: IsoDate } {
  const today = todayOf(deps);
  if (asOf !== undefined && compareDates(asOf, today) > 0) {
    throw new DomainError('VALIDATION_FAILED', 'asOf must not be after today', [{ path: 'asOf', message: `must be on or before ${today}` }]);
  }
  return { asOf: asOf ?? today, today };
}

/**
 * Finance staff see their own bureau's funds; the auditor every fund (usecases/funds.ts). No caller
 * is the CLI, which reads as whoever runs the database (as `loanflow report kpi` does).
 */
async function fundFor(db: Knex.Transaction, caller: Caller | null, fundId: string | undefined) {
  if (fundId === undefined) return null;
  const fund = await getFund(db, fundId);
  if (!fund || (caller !== null && caller.role !== 'auditor' && caller.orgId !== fund.financeBureauOrgId)) throw new DomainError('NOT_FOUND', `fund ${fundId} not found`);
  return { ...(await getFundStatus(db, fund.id)), name: fund.name };
}

async function readSnapshot(trx: Knex.Transaction, asOf: IsoDate, today: IsoDate, quarters: number): Promise<ForecastSnapshot> {
  const qs = forecastQuarters(asOf, quarters);
  return readForecastSnapshot(trx, { asOf, quarters: qs, withPipeline: asOf === today });
}

/** The forecast per quarter and bank, with its band, cash timing, exposure and compensation. */
export async function subsidyForecast(deps: RecordsDeps, caller: Caller | null, q: ForecastQuery): Promise<ForecastAnswer> {
  const { asOf, today } = dayOf(deps, q.asOf);
  return snapshotRead(deps.db, async (trx) => {
    const fund = await fundFor(trx, caller, q.fundId);
    const result = forecast(await readSnapshot(trx, asOf, today, q.quarters));
    let bt: Backtest | null = null;
    if (asOf !== today) {
      // Quarters that have ended by today, within the horizon: their actuals are final enough to compare.
      const lastEnded = quarterBounds(previousQuarter(quarterOf(today))).end;
      const horizonEnd = quarterBounds(result.quarters[result.quarters.length - 1]!).end;
      const until = compareDates(lastEnded, horizonEnd) < 0 ? lastEnded : horizonEnd;
      const actual = compareDates(until, asOf) > 0 ? await accruedSince(trx, asOf, until) : new Map();
      const ended = new Map(result.quarters.filter((x) => compareDates(quarterBounds(x).end, until) <= 0).map((x) => [x, actual.get(x) ?? '0.00']));
      bt = backtest(result, ended);
    }
    return { ...result, fund, backtest: bt };
  });
}

export interface WhatIfQuery {
  params: ScenarioParams;
  scope: ScenarioScope;
  quarters: number;
}

function checkScenario(snapshot: ForecastSnapshot, params: ScenarioParams): void {
  const problems = scenarioProblems(Object.values(snapshot.policies), params);
  if (problems.length) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'the changed parameters would make a policy that is not valid',
      problems.map((p) => ({ path: `params.${p.path}`, message: p.message })),
    );
  }
}

/** Today's rules and the scenario's, side by side, over one snapshot; nothing is written. */
export async function whatIfForecast(deps: RecordsDeps, q: WhatIfQuery): Promise<WhatIfResult> {
  const { asOf, today } = dayOf(deps, undefined);
  return snapshotRead(deps.db, async (trx) => {
    const snapshot = await readSnapshot(trx, asOf, today, q.quarters);
    checkScenario(snapshot, q.params);
    const scenario: Scenario = { params: q.params, scope: q.scope };
    let repriced: RepricedCells | undefined;
    if (q.scope === 'reprice_open_loans' && changesSubsidy(q.params)) {
      repriced = new RepricedCells();
      const policies = new Map(Object.entries(snapshot.policies).map(([id, p]) => [id, withScenario(p, q.params)]));
      const last = quarterBounds(snapshot.quarters[snapshot.quarters.length - 1]!).end;
      for await (const batch of futureLines(trx, asOf, last)) for (const line of batch) repriced.add(line, policies.get(line.policyId)!);
    }
    return whatIf(snapshot, scenario, repriced?.result());
  });
}

export type FileFormat = 'csv' | 'xlsx';
export interface ExportFile {
  name: string;
  type: string;
  body: Buffer;
}

export async function forecastFile(answer: ForecastAnswer, format: FileFormat): Promise<ExportFile> {
  const name = `forecast-${answer.asOf}-${answer.quarters.length}q.${format}`;
  if (format === 'csv') return { name, type: 'text/csv; charset=utf-8', body: forecastCsv(answer) };
  return { name, type: XLSX_TYPE, body: await forecastXlsx(answer) };
}

export async function whatIfFile(answer: WhatIfResult, format: FileFormat): Promise<ExportFile> {
  const name = `what-if-${answer.today.asOf}-${answer.today.quarters.length}q.${format}`;
  if (format === 'csv') return { name, type: 'text/csv; charset=utf-8', body: whatIfCsv(answer) };
  return { name, type: XLSX_TYPE, body: await whatIfXlsx(answer) };
}

// ---- saved scenarios -------------------------------------------------------------------------

/** Who may save a scenario (the API's route says the same; the CLI comes here directly). */
export const SCENARIO_SAVERS: readonly Role[] = ['finance_officer', 'finance_approver', 'admin'];

/** Saves a scenario by name: checked as a what-if checks it; a name already used is 409. */
export async function saveScenario(
  deps: RecordsDeps,
  caller: { id: string; role: Role },
  s: { name: string; params: ScenarioParams; scope: ScenarioScope },
  request: { idempotency?: KeyUse | null } = {},
): Promise<SavedScenario> {
  if (!SCENARIO_SAVERS.includes(caller.role)) throw new DomainError('FORBIDDEN', 'only finance staff and the admin save forecast scenarios');
  const save = async () => {
    const policies = (await deps.db('policies').pluck('params')) as ForecastSnapshot['policies'][string][];
    const problems = scenarioProblems(policies, s.params);
    if (problems.length) throw new DomainError('VALIDATION_FAILED', 'the changed parameters would make a policy that is not valid', problems.map((p) => ({ path: `params.${p.path}`, message: p.message })));
    const saved = await insertScenario(deps.db, { ...s, savedBy: caller.id });
    if (!saved) throw new DomainError('CONFLICT', `a scenario named ${JSON.stringify(s.name)} exists already`, [{ path: 'name', message: 'is taken' }]);
    return saved;
  };
  return answeringOwnRetry(request, save, refusedAs('CONFLICT'), async (since) => {
    const mine = await deps.db('forecast_scenarios')
      .where({ name: s.name, scope: s.scope, saved_by: caller.id })
      .whereRaw('params = ?::jsonb', [JSON.stringify(s.params)])
      .andWhere('at', '>=', since)
      .first('id');
    return mine && getScenario(deps.db, mine.id);
  });
}

/** A page of the saved scenarios, newest first (the list grows by every save). */
export function savedScenarios(deps: RecordsDeps, p: { page: number; pageSize: number }): Promise<{ items: SavedScenario[]; total: number }> {
  return listScenarios(deps.db, p);
}

export async function savedScenario(deps: RecordsDeps, id: string): Promise<SavedScenario> {
  const s = await getScenario(deps.db, id);
  if (!s) throw new DomainError('NOT_FOUND', `scenario ${id} not found`);
  return s;
}
