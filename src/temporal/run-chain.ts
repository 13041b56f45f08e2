/**
 * What the run chain's close events mean, and how a wait on history rides out trouble:
 * shared by `WorkflowHandle.result` (workflow-handle.ts) and the history watch (history-watch.ts).
 *
 * A run's close event names the next run of its chain in `newExecutionRunId` (the connection
 * asks for it with the `follows-next-run-id` feature): ContinuedAsNew always; Completed when
 * cron schedules another run; Failed and TimedOut when a retry or cron does.
 */
import type { Connection } from './connection';
import { enums, type IHistoryEvent } from './proto';
import { RPCError } from './errors';

export type RunStepReason = 'CONTINUED_AS_NEW' | 'RETRY' | 'CRON';

/** The run a close event hands over to, and why; undefined when the chain ends here (or `ev` is no close event). */
export function nextRunOf(ev: IHistoryEvent): { runId: string; reason: RunStepReason } | undefined {
  const completed = ev.workflowExecutionCompletedEventAttributes;
  if (completed) return completed.newExecutionRunId ? { runId: completed.newExecutionRunId, reason: 'CRON' } : undefined;
  const failed = ev.workflowExecutionFailedEventAttributes;
  if (failed) return failed.newExecutionRunId ? { runId: failed.newExecutionRunId, reason: retryOrCron(failed.retryState) } : undefined;
  const timedOut = ev.workflowExecutionTimedOutEventAttributes;
  if (timedOut) return timedOut.newExecutionRunId ? { runId: timedOut.newExecutionRunId, reason: retryOrCron(timedOut.retryState) } : undefined;
  const can = ev.workflowExecutionContinuedAsNewEventAttributes;
  if (can) return can.newExecutionRunId ? { runId: can.newExecutionRunId, reason: 'CONTINUED_AS_NEW' } : undefined;
  return undefined;
}

/** A new run after a failure or time-out is a retry while the retry policy is in progress, else the next cron run. */
export function retryOrCron(retryState: number | null | undefined): RunStepReason {
  return retryState === enums.RetryState.RETRY_STATE_IN_PROGRESS ? 'RETRY' : 'CRON';
}

/** How a close event closed its run (COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW); null for any other event. */
export function closeStatusOfEvent(ev: IHistoryEvent): string | null {
  if (ev.workflowExecutionCompletedEventAttributes) return 'COMPLETED';
  if (ev.workflowExecutionFailedEventAttributes) return 'FAILED';
  if (ev.workflowExecutionCanceledEventAttributes) return 'CANCELED';
  if (ev.workflowExecutionTerminatedEventAttributes) return 'TERMINATED';
  if (ev.workflowExecutionTimedOutEventAttributes) return 'TIMED_OUT';
  if (ev.workflowExecutionContinuedAsNewEventAttributes) return 'CONTINUED_AS_NEW';
  return null;
}

/**
 * Whether a wait with no deadline of its own should keep polling after `err`:
 * - an outage (a restart, a network blip) longer than the connection's retry budget, once the
 *   server has answered on this connection (a wrong address, which never answered, fails at once);
 * - the server's limit on concurrent long polls per namespace (RESOURCE_EXHAUSTED, but not a
 *   message over the size limit, which no retry mends);
 * - with `longPoll`, the server ending a long poll with DEADLINE_EXCEEDED or CANCELLED (a loaded
 *   server's own context deadline; the caller's cancellation is a CallCancelledError, never this).
 */
export function waitCanOutlast(err: unknown, connection: Connection, longPoll = false): boolean {
  if (!(err instanceof RPCError)) return false;
  if (err.status === 'UNAVAILABLE') return connection.everAnswered;
  if (longPoll && (err.status === 'DEADLINE_EXCEEDED' || err.status === 'CANCELLED')) return true;
  return err.status === 'RESOURCE_EXHAUSTED' && !/larger than max/i.test(err.message);
}

/** The pause before poll `n` (from 1) of a wait in trouble: `stepMs` more each time up to 5 s, ±20 %. */
export function troublePauseMs(n: number, stepMs: number): number {
  return Math.min(5000, stepMs * n) * (0.8 + Math.random() * 0.4);
}
