import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { workflowWorld, actor, meta, refusal, type WorkflowWorld } from './harness';
import { followUp } from '../../workflows/follow-up';
import { followUpStateQuery, followUpVisitUpdate, followUpWorkflowId, type FollowUpInput, type Actor } from '../../workflows/definitions';
import { businessDateOf } from '../../domain/business-day';
import { businessDayStartMs } from '../../domain/loan-calendar';
import { addDays, addMonthsClamped } from '../../domain/dates';
import type { FollowUpVisitBody } from '../../domain/follow-up';

const COMMUNITY = 'org-community';
const GUARANTOR = 'org-guarantor';
const community = actor('community_officer', COMMUNITY, 'community');
const guarantor = actor('guarantee_reviewer', GUARANTOR, 'reviewer');

type Call = { activity: string; arg: Record<string, unknown> };

describe('workflow unit: follow-up visits (time-skipping, activities in memory)', function () {
  let world: WorkflowWorld;
  const calls: Call[] = [];

  before(async () => {
    const record = (activity: string) => async (arg: Record<string, unknown>) => void calls.push({ activity, arg });
    world = await workflowWorld({
      scheduleFollowUp: record('scheduleFollowUp'),
      remindFollowUpVisit: record('remindFollowUpVisit'),
      markFollowUpVisitOverdue: record('markFollowUpVisitOverdue'),
      recordFollowUpVisit: record('recordFollowUpVisit'),
    } as never);
  });
  after(async () => world?.close());

  const serverToday = async () => businessDateOf(await world.env.currentTimeMs());
  /** Moves the server to 10:00 (UTC+8) of a business date; never backwards. */
  const skipTo = async (date: string) => {
    const target = businessDayStartMs(date) + 10 * 3600e3;
    const now = await world.env.currentTimeMs();
    if (target > now) await world.env.sleep(target - now);
  };

  async function open(o: Partial<FollowUpInput> = {}) {
    const loanId = randomUUID();
    const input: FollowUpInput = {
      loanId, applicationId: randomUUID(), communityId: COMMUNITY, guaranteeCompanyId: GUARANTOR, disbursedOn: await serverToday(),
      followUpMonths: [3, 6, 12], followUpVisitDays: 30, ...o,
    };
    const h = await world.env.client.workflow.start(followUp, { taskQueue: world.taskQueue, workflowId: followUpWorkflowId(loanId), args: [input] });
    return { h, input };
  }
  const callsOf = (loanId: string) => calls.filter((c) => c.arg.loanId === loanId);
  const body = (months: number, visitedOn: string, over: Partial<FollowUpVisitBody> = {}): FollowUpVisitBody => ({
    months, visitedOn, operatingStatus: 'operating', employees: 4, businessRegistrationNo: null, note: '', ...over,
  });
  const visit = (h: Awaited<ReturnType<typeof open>>['h'], b: FollowUpVisitBody, who: Actor = community) => h.executeUpdate(followUpVisitUpdate, { args: [b, meta(who)] });

  it('writes its schedule within its first workflow task (a local activity, no activity task)', async () => {
    const { h, input } = await open();
    let events = (await h.fetchHistory()).events ?? [];
    while (!events.some((e) => e.timerStartedEventAttributes)) {
      await new Promise((r) => setTimeout(r, 100));
      events = (await h.fetchHistory()).events ?? [];
    }
    expect(callsOf(input.loanId).map((c) => c.activity)).to.deep.equal(['scheduleFollowUp']);
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).to.have.length(0);
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes)).to.have.length(1);
  });

  it('schedules the policy months, reminds at each due date, marks overdue after the days, and ends once all are recorded', async () => {
    const { h, input } = await open();
    const due = (m: number) => addMonthsClamped(input.disbursedOn, m);
    await skipTo(addDays(due(3), -1));
    expect(callsOf(input.loanId).map((c) => c.activity)).to.deep.equal(['scheduleFollowUp']);
    expect((callsOf(input.loanId)[0]!.arg.visits as Array<{ months: number; dueOn: string }>).map((v) => [v.months, v.dueOn])).to.deep.equal([[3, due(3)], [6, due(6)], [12, due(12)]]);

    await skipTo(due(3));
    expect(callsOf(input.loanId).map((c) => [c.activity, c.arg.months])).to.deep.equal([['scheduleFollowUp', undefined], ['remindFollowUpVisit', 3]]);
    // The day before it is overdue, not yet; the day after its 30 days, overdue.
    await skipTo(addDays(due(3), 30));
    expect(callsOf(input.loanId).filter((c) => c.activity === 'markFollowUpVisitOverdue')).to.have.length(0);
    await skipTo(addDays(due(3), 31));
    expect(callsOf(input.loanId).filter((c) => c.activity === 'markFollowUpVisitOverdue').map((c) => c.arg.months)).to.deep.equal([3]);
    const s = await h.query(followUpStateQuery);
    expect(s.visits[0]).to.include({ reminded: true, overdueMarked: true, recorded: null });

    // Recorded late, by the guarantee company's officer.
    const late = await visit(h, body(3, addDays(due(3), 31), { employees: 2 }), guarantor);
    expect(late.visits[0]!.recorded).to.deep.include({ late: true, employees: 2 });

    await skipTo(due(6));
    const onTime = await visit(h, body(6, due(6), { businessRegistrationNo: '91350100M000100Y43' }));
    expect(onTime.visits[1]!.recorded).to.deep.include({ late: false, businessRegistrationNo: '91350100M000100Y43' });

    await skipTo(addDays(due(12), 5));
    await visit(h, body(12, addDays(due(12), 2), { operatingStatus: 'moved', employees: 6 }));
    const final = await h.result();
    expect(final.visits.every((v) => v.recorded !== null)).to.equal(true);
    const mine = callsOf(input.loanId);
    expect(mine.map((c) => `${c.activity}:${c.arg.months ?? ''}`)).to.deep.equal([
      'scheduleFollowUp:', 'remindFollowUpVisit:3', 'markFollowUpVisitOverdue:3', 'recordFollowUpVisit:3',
      'remindFollowUpVisit:6', 'recordFollowUpVisit:6', 'remindFollowUpVisit:12', 'recordFollowUpVisit:12',
    ]);
    // Each step has its own key, so a retried activity writes once.
    expect(new Set(mine.map((c) => c.arg.key)).size).to.equal(mine.length);
    expect(mine.find((c) => c.activity === 'recordFollowUpVisit')!.arg).to.deep.include({ late: true, actor: guarantor });
  });

  it('refuses at once, recording nothing: another community or company, other roles, unknown or undue visits, bad dates, a second recording', async () => {
    const { h, input } = await open({ followUpMonths: [1, 2] });
    const due1 = addMonthsClamped(input.disbursedOn, 1);
    expect((await refusal(visit(h, body(1, due1)))).type).to.equal('VALIDATION_FAILED'); // not yet due
    await skipTo(due1);
    expect((await refusal(visit(h, body(1, due1), actor('community_officer', 'another-community')))).type).to.equal('FORBIDDEN');
    expect((await refusal(visit(h, body(1, due1), actor('guarantee_approver', 'another-company')))).type).to.equal('FORBIDDEN');
    expect((await refusal(visit(h, body(1, due1), actor('bank_officer', COMMUNITY)))).type).to.equal('FORBIDDEN');
    expect((await refusal(visit(h, body(3, due1)))).details).to.deep.equal([{ path: 'months', message: "must be one of this loan's visits: 1, 2" }]);
    expect((await refusal(visit(h, body(2, due1)))).type).to.equal('VALIDATION_FAILED');
    expect((await refusal(visit(h, body(1, addDays(due1, -1))))).details).to.deep.equal([{ path: 'visitedOn', message: `must be on or after the due date ${due1}` }]);
    expect((await refusal(visit(h, body(1, addDays(due1, 1))))).type).to.equal('VALIDATION_FAILED');
    expect(callsOf(input.loanId).filter((c) => c.activity === 'recordFollowUpVisit')).to.have.length(0);
    await visit(h, body(1, due1));
    expect((await refusal(visit(h, body(1, due1), guarantor))).type).to.equal('CONFLICT');
    expect(callsOf(input.loanId).filter((c) => c.activity === 'recordFollowUpVisit')).to.have.length(1);
    // A visit recorded before its reminder is never reminded or marked overdue.
    const due2 = addMonthsClamped(input.disbursedOn, 2);
    await skipTo(addDays(due2, 40));
    expect(callsOf(input.loanId).map((c) => `${c.activity}:${c.arg.months ?? ''}`)).to.deep.equal([
      'scheduleFollowUp:', 'remindFollowUpVisit:1', 'recordFollowUpVisit:1', 'remindFollowUpVisit:2', 'markFollowUpVisitOverdue:2',
    ]);
  });
});
