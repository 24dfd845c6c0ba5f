import { allHandlersFinished, condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS, Turns, fail, finalRefusal } from './common';
import type { LoanActivities, LoanRef } from '../activities/loans';
import { businessDateOf } from '../domain/business-day';
import { compareDates } from '../domain/dates';
import { Money, formatMoney, toMoney } from '../domain/money';
import { buildSchedule } from '../domain/schedule';
import { type LoanPeriod, type Refusal, applyRepayment, isSettled, openPeriods, outstandingPrincipal, planRepayment } from '../domain/repayment';
import { planExtension } from '../domain/extension';
import { businessDayStartMs, dueCheckpoints, nextCheckpoint } from '../domain/loan-calendar';
import { allocateRecovery, defaultLoss, splitLoss } from '../domain/default';
import {
  extensionUpdate,
  failureTypes,
  loanStateQuery,
  recoveryUpdate,
  repaymentUpdate,
  type Actor,
  type LoanInput,
  type LoanState,
} from './definitions';

// Every activity is idempotent by its key, so retrying a fault that heals is safe.
const acts = proxyActivities<LoanActivities>(ACTIVITY_OPTIONS);

/** A run covers at most this many due dates before continuing as new, so no history grows without bound. */
export const DUE_DATES_PER_RUN = 12;
const HISTORY_EVENTS_LIMIT = 10_000;

const KIND_TO_FAILURE: Record<Refusal['kind'], string> = {
  validation: failureTypes.validation,
  conflict: failureTypes.conflict,
  state: failureTypes.invalidState,
};

function refuse(what: string, refusals: Refusal[]): never {
  const first = refusals[0]!;
  fail(KIND_TO_FAILURE[first.kind], `${what}: ${first.path} ${first.message}`, refusals.map((r) => ({ path: r.path, message: r.message })));
}

/** The loan's schedule at disbursal, by the pure schedule code (SPEC §3a). */
export function initialPeriods(input: Pick<LoanInput, 'terms' | 'policy'>): LoanPeriod[] {
  const { terms, policy } = input;
  const lines = buildSchedule({
    repaymentMethod: terms.repaymentMethod,
    amount: terms.principal,
    annualRate: terms.annualRate,
    disbursedOn: terms.disbursedOn,
    termMonths: terms.termMonths,
    policy,
  });
  return openPeriods(lines.map((l) => ({ ...l, extended: false })));
}

/**
 * One disbursed loan, from its schedule to REPAID or DEFAULTED (SPEC §1 steps 6–9), under the
 * policy version of its application. It sleeps until the next due-date checkpoint (a timer), and
 * the bank's repayments, an extension and recoveries arrive as updates whose validators refuse,
 * at once and without side effects, anything that does not fit the loan as it stands.
 */
export async function loan(input: LoanInput): Promise<LoanState> {
  const { terms, policy } = input;
  const wfId = workflowInfo().workflowId;
  const ref: LoanRef = {
    loanId: input.loanId,
    applicationId: input.applicationId,
    bankId: input.bankId,
    guaranteeCompanyId: input.guaranteeCompanyId,
    idNumber: input.borrowerIdNumber,
    principal: terms.principal,
  };
  const state: LoanState = input.carried ?? {
    loanId: input.loanId,
    status: 'REPAYING',
    // The same pure schedule the disbursal wrote to the read model.
    periods: initialPeriods(input),
    extendedMonths: 0,
    bankReferences: [],
    recoveryReferences: [],
    defaulted: null,
    endedOn: null,
    seq: 0,
    run: 1,
  };
  const today = () => businessDateOf(Date.now());
  const runStartedOn = today();
  const key = (step: string) => `${wfId}:${++state.seq}:${step}`;

  // Decisions and checkpoints take turns: each sees the loan as the previous one left it.
  const turns = new Turns();
  let changed = false;
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await turns.take(fn);
    } finally {
      changed = true;
    }
  }

  function requireStatus(expected: LoanState['status'], what: string) {
    if (state.status !== expected) fail(failureTypes.invalidState, `${what} is not possible while the loan is ${state.status}`);
  }
  function requireBank(actor: Actor, what: string) {
    if (actor.role !== 'bank_officer') fail(failureTypes.forbidden, `${what} needs the bank_officer role`);
    if (actor.orgId !== input.bankId) fail(failureTypes.forbidden, `${what}: this loan belongs to another bank`);
  }

  setHandler(loanStateQuery, () => state);

  // ---- repayments ------------------------------------------------------------------------------
  const checkRepayment = (b: Parameters<typeof planRepayment>[2]) => {
    const r = planRepayment(terms, state.periods, b, { today: today(), knownReferences: state.bankReferences });
    if (!r.ok) refuse('Repayment refused', r.refusals);
    return r.plan;
  };
  setHandler(
    repaymentUpdate,
    (b, meta) =>
      exclusive(async () => {
        requireStatus('REPAYING', 'A repayment');
        const plan = checkRepayment(b); // again: the loan may have moved since the validator ran
        const applied = applyRepayment(terms, state.periods, plan, b.paidOn);
        const target = applied.periods.find((p) => p.period === plan.period)!;
        await acts.recordRepayment({
          key: key('repayment'),
          loan: ref,
          today: today(),
          actor: meta.actor,
          requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null,
          repayment: b,
          plan: { kind: plan.kind, interestPart: plan.interestPart, principalPart: plan.principalPart },
          periods: [target],
          dropAfter: plan.kind === 'payoff' ? plan.period : null,
          settled: applied.settled,
          repaidInFull: applied.repaidInFull,
          outstanding: formatMoney(outstandingPrincipal(terms.principal, applied.periods)),
        });
        state.periods = applied.periods;
        state.bankReferences.push(b.bankReference);
        if (applied.repaidInFull) {
          state.status = 'REPAID';
          state.endedOn = b.paidOn;
        }
        return state;
      }),
    {
      validator: (b, meta) => {
        requireBank(meta.actor, 'Reporting a repayment');
        requireStatus('REPAYING', 'A repayment');
        checkRepayment(b);
      },
    },
  );

  // ---- extension (展期) -------------------------------------------------------------------------
  const checkExtension = (months: number) => {
    const r = planExtension(terms, state.periods, { months }, {
      today: today(),
      extendedBefore: state.extendedMonths > 0,
      extensionMaxMonths: policy.extensionMaxMonths,
    });
    if (!r.ok) refuse('Extension refused', r.refusals);
    return r;
  };
  setHandler(
    extensionUpdate,
    (b, meta) =>
      exclusive(async () => {
        requireStatus('REPAYING', 'An extension');
        const r = checkExtension(b.months);
        await acts.recordExtension({
          key: key('extension'),
          loan: ref,
          today: today(),
          actor: meta.actor,
          requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null,
          months: b.months,
          reason: b.reason,
          periods: r.periods.filter((p) => p.period >= r.firstReplanned),
        });
        state.periods = r.periods;
        state.extendedMonths = b.months;
        return state;
      }),
    {
      validator: (b, meta) => {
        requireBank(meta.actor, 'An extension');
        requireStatus('REPAYING', 'An extension');
        checkExtension(b.months);
      },
    },
  );

  // ---- recoveries after a default ----------------------------------------------------------------
  const receivable = () => {
    const d = state.defaulted!;
    return toMoney(d.split.guaranteeFund).plus(d.split.guaranteeCompany).minus(d.recovered);
  };
  const checkRecovery = (b: { amount: string; receivedOn: string; reference: string }, actor: Actor) => {
    if (actor.role !== 'guarantee_reviewer' && actor.role !== 'guarantee_approver') {
      fail(failureTypes.forbidden, 'Recording a recovery needs a guarantee officer role');
    }
    if (actor.orgId !== input.guaranteeCompanyId) fail(failureTypes.forbidden, 'Recording a recovery: this loan is guaranteed by another company');
    requireStatus('DEFAULTED', 'A recovery');
    const details: Array<{ path: string; message: string }> = [];
    const left = receivable();
    if (!left.greaterThan(0)) fail(failureTypes.invalidState, 'Nothing is left to recover on this loan');
    if (toMoney(b.amount).greaterThan(left)) details.push({ path: 'amount', message: `must be at most ${formatMoney(left)}, what is still to recover` });
    const t = today();
    if (compareDates(b.receivedOn, t) > 0) details.push({ path: 'receivedOn', message: `must not be in the future (today is ${t})` });
    if (compareDates(b.receivedOn, state.defaulted!.on) < 0) details.push({ path: 'receivedOn', message: `must not be before the default on ${state.defaulted!.on}` });
    if (details.length) fail(failureTypes.validation, `Recovery refused: ${details[0]!.path} ${details[0]!.message}`, details);
    if (state.recoveryReferences.includes(b.reference)) {
      fail(failureTypes.conflict, `Recovery refused: reference ${b.reference} is already recorded`, [{ path: 'reference', message: 'already recorded for this loan' }]);
    }
  };
  setHandler(
    recoveryUpdate,
    (b, meta) =>
      exclusive(async () => {
        checkRecovery(b, meta.actor);
        const d = state.defaulted!;
        const allocation = allocateRecovery(d.split, d.recovered, b.amount);
        const recoveredAfter = formatMoney(toMoney(d.recovered).plus(b.amount));
        await acts.recordRecovery({
          key: key('recovery'), loan: ref, today: today(), actor: meta.actor, requestId: meta.requestId, clientRequestId: meta.clientRequestId ?? null, recovery: b, allocation, recoveredAfter,
        });
        d.recovered = recoveredAfter;
        state.recoveryReferences.push(b.reference);
        return state;
      }),
    { validator: (b, meta) => checkRecovery(b, meta.actor) },
  );

  // ---- due-date checkpoints --------------------------------------------------------------------
  async function checkpoints(): Promise<void> {
    const t = today();
    const due = dueCheckpoints(state.periods, t, policy);
    if (due.defaultPeriod !== null) {
      const loss = defaultLoss(terms.principal, state.periods, t);
      const split = splitLoss(loss.total, policy.lossSharing);
      const periods = state.periods.map((p): LoanPeriod => (isSettled(p) ? p : { ...p, status: 'defaulted' }));
      await acts.recordDefault({
        key: key('default'), loan: ref, today: t, period: due.defaultPeriod, loss, split,
        periods: periods.filter((p) => p.status === 'defaulted'),
      });
      state.periods = periods;
      state.status = 'DEFAULTED';
      state.endedOn = t;
      state.defaulted = { on: t, period: due.defaultPeriod, loss, split, recovered: '0.00' };
      return;
    }
    if (due.overdue.length) {
      const periods = state.periods.map((p): LoanPeriod => (due.overdue.includes(p.period) ? { ...p, status: 'overdue' } : p));
      await acts.markOverdue({ key: key('overdue'), loan: ref, today: t, periods: periods.filter((p) => due.overdue.includes(p.period)) });
      state.periods = periods;
    }
  }

  const dueDatesThisRun = () =>
    state.periods.filter((p) => compareDates(p.dueOn, runStartedOn) > 0 && compareDates(p.dueOn, today()) <= 0).length;
  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_LIMIT;

  async function continueAsNewWhenIdle(): Promise<never> {
    await condition(() => turns.idle && allHandlersFinished());
    return continueAsNew<typeof loan>({ ...input, carried: { ...state, run: state.run + 1 } });
  }

  while (state.status === 'REPAYING') {
    if (dueDatesThisRun() >= DUE_DATES_PER_RUN || historyIsLong()) await continueAsNewWhenIdle();
    const next = nextCheckpoint(state.periods, policy);
    const wait = next === undefined ? undefined : businessDayStartMs(next) - Date.now();
    if (wait === undefined || wait > 0) {
      changed = false;
      // Wakes at the checkpoint, or earlier when a repayment or an extension moved the plan.
      const moved = wait === undefined ? await condition(() => changed || historyIsLong()) : await condition(() => changed || historyIsLong(), wait);
      if (moved) continue;
    }
    try {
      await exclusive(checkpoints);
    } catch (e) {
      // Refused for good (bad data): recorded, and tried again a day later or when the loan moves;
      // repayments and the extension stay possible meanwhile.
      const r = finalRefusal(e);
      if (!r) throw e;
      state.incidents = [...(state.incidents ?? []), { step: 'checkpoint', at: new Date().toISOString(), type: r.type ?? 'UNPROCESSABLE', message: r.message }];
      log.warn('checkpoint refused for good; retrying tomorrow', { type: r.type, message: r.message });
      changed = false;
      await condition(() => changed, '1 day');
    }
  }

  // In default the loan stays open for recoveries until the guarantor has been repaid in full.
  while (state.status === 'DEFAULTED' && receivable().greaterThan(new Money(0))) {
    changed = false;
    await condition(() => changed || historyIsLong());
    if (historyIsLong()) await continueAsNewWhenIdle();
  }
  await condition(() => turns.idle && allHandlersFinished());
  return state;
}
