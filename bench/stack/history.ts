import type { Client } from '@temporalio/client';

/** What one workflow's history holds: its events, the workflow tasks and activities among them. */
export interface HistoryCount {
  events: number;
  workflowTasks: number;
  activities: number;
  /** Local activities: a marker each, run by the worker within a workflow task. */
  localActivities: number;
  /** Events per kind (the attribute each event carries, without "EventAttributes"). */
  byKind: Record<string, number>;
}

/**
 * The history once nothing is pending: no workflow task, no child whose start has not come back
 * (the disbursal answers before its loan's workflow has started).
 */
export async function countHistory(client: Client, workflowId: string): Promise<HistoryCount> {
  let history = await client.workflow.getHandle(workflowId).fetchHistory();
  const pending = () => {
    const events = history.events ?? [];
    const count = (has: (e: (typeof events)[number]) => unknown) => events.filter(has).length;
    return (
      count((e) => e.workflowTaskScheduledEventAttributes) > count((e) => e.workflowTaskCompletedEventAttributes) ||
      count((e) => e.startChildWorkflowExecutionInitiatedEventAttributes) > count((e) => e.childWorkflowExecutionStartedEventAttributes || e.startChildWorkflowExecutionFailedEventAttributes)
    );
  };
  for (let i = 0; i < 50 && pending(); i++) {
    await new Promise((r) => setTimeout(r, 100));
    history = await client.workflow.getHandle(workflowId).fetchHistory();
  }
  const byKind: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const attr = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
    const kind = attr?.replace(/EventAttributes$/, '') ?? 'unknown';
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return {
    events: history.events?.length ?? 0,
    workflowTasks: byKind.workflowTaskCompleted ?? 0,
    activities: byKind.activityTaskScheduled ?? 0,
    localActivities: byKind.markerRecorded ?? 0,
    byKind,
  };
}

export function describeHistory(h: HistoryCount): string {
  return `${h.events} events, ${h.workflowTasks} workflow tasks, ${h.activities} activities, ${h.localActivities} local activities`;
}
