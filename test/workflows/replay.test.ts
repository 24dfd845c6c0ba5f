import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { testEnv } from '../support/env';

/**
 * Workflow versioning: a history recorded by the code before follow-up visits existed (an
 * application disbursed, waiting on its loan; made once by that code, after the intake became one
 * local activity, and kept as a fixture) must
 * replay on today's code. The follow-up child is started behind patched('follow-up-visits'): a
 * history without the marker starts none, so replaying it issues the same commands.
 */
describe('workflow replay: histories recorded before follow-up visits', function () {
  this.timeout(120_000);

  it('an application disbursed by the earlier code replays without starting a follow-up', async () => {
    const file = path.join(__dirname, '../fixtures/history-application-disbursed-before-follow-up.json');
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
    const types = history.events.map((e) => e.eventType);
    expect(types).to.include(temporal.api.enums.v1.EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    // Local activities leave markers of their own; what must be absent is a patch's marker.
    const markers = history.events.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED);
    expect(markers.map((e) => e.markerRecordedEventAttributes?.markerName)).to.not.include('core_patch');
    const t = await testEnv();
    await Worker.runReplayHistory({ workflowBundle: await t.workflowBundle() }, history, 'application-before-follow-up');
  });
});

/**
 * A training claim filed and checked by a finance officer under the code before the labour officer
 * existed (recorded once by that code, kept as a fixture) replays on today's code: the checker's
 * role is chosen behind patched('labour-officer-check'), which answers false on a history without
 * its marker, so the claim stays the finance officer's to check and the commands are the same.
 */
describe('workflow replay: a training claim begun before the labour officer', function () {
  this.timeout(120_000);

  it('replays, its check by the finance officer included', async () => {
    const file = path.join(__dirname, '../fixtures/history-training-claim-checked-by-finance.json');
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
    const updates = history.events.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    expect(updates.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).to.include('programmeCheck');
    const markers = history.events.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED);
    expect(markers.map((e) => e.markerRecordedEventAttributes?.markerName)).to.not.include('core_patch');
    const t = await testEnv();
    await Worker.runReplayHistory({ workflowBundle: await t.workflowBundle() }, history, 'training-claim-before-labour-officer');
  });
});

/**
 * The follow-up visits' schedule became a local activity behind patched('follow-up-schedule-local').
 * A history recorded before (kept as a fixture: the schedule as an activity, then the first visit's
 * timer) must replay on today's code: without the marker the schedule is the same activity.
 */
describe('workflow replay: a follow-up scheduled by an activity', function () {
  this.timeout(120_000);

  it('replays with the schedule as an activity', async () => {
    const file = path.join(__dirname, '../fixtures/history-follow-up-scheduled-by-activity.json');
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
    const types = history.events.map((e) => e.eventType);
    expect(types).to.include(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(types).to.not.include(temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED);
    const t = await testEnv();
    await Worker.runReplayHistory({ workflowBundle: await t.workflowBundle() }, history, 'follow-up-before-local-schedule');
  });
});
