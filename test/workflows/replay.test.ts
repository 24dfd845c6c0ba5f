import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { testEnv } from '../support/env';

type History = temporal.api.history.v1.History;
const EventType = temporal.api.enums.v1.EventType;

/** A fixture's history: recorded once by the code before a change, kept as it was. */
function fixture(name: string): History {
  const file = path.join(__dirname, '../fixtures', name);
  return temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Names of the markers a history recorded (local activities leave some; a patch leaves `core_patch`). */
const markerNames = (h: History) =>
  h.events.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED).map((e) => e.markerRecordedEventAttributes?.markerName);

/** Today's workflow code replays the history: it issues the same commands the earlier code did. */
async function replays(h: History, workflowId: string): Promise<void> {
  const t = await testEnv();
  await Worker.runReplayHistory({ workflowBundle: await t.workflowBundle() }, h, workflowId);
}

/**
 * Workflow versioning: each change to what a workflow does goes behind patched(), which answers
 * false on a history without its marker, so a workflow begun by the earlier code goes on as it
 * did. Each history below was recorded by the code before one such change.
 */
describe('workflow replay: histories recorded before a change', function () {
  this.timeout(120_000);

  it('an application disbursed before follow-up visits existed starts no follow-up (follow-up-visits)', async () => {
    const h = fixture('history-application-disbursed-before-follow-up.json');
    expect(h.events.map((e) => e.eventType)).to.include(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    expect(markerNames(h)).to.not.include('core_patch');
    await replays(h, 'application-before-follow-up');
  });

  it('a training claim begun before the labour officer stays the finance officer’s to check (labour-officer-check)', async () => {
    const h = fixture('history-training-claim-checked-by-finance.json');
    const updates = h.events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    expect(updates.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).to.include('programmeCheck');
    expect(markerNames(h)).to.not.include('core_patch');
    await replays(h, 'training-claim-before-labour-officer');
  });

  it('a follow-up scheduled by an activity keeps its schedule as an activity (follow-up-schedule-local)', async () => {
    const h = fixture('history-follow-up-scheduled-by-activity.json');
    expect(h.events.map((e) => e.eventType)).to.include(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(markerNames(h)).to.deep.equal([]);
    await replays(h, 'follow-up-before-local-schedule');
  });
});
