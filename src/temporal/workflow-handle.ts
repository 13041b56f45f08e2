/**
 * The seed's WorkflowHandle: one workflow ID and the three run IDs that pin its calls.
 *
 * - `runId` is used by describe, query and signal;
 * - `firstExecutionRunId` by cancel and terminate (the chain guard);
 * - `resultRunId` by result.
 * Each fills the request fields the Python SDK fills.
 */
import { randomUUID } from 'node:crypto';
import { sleep, type CallOptions } from './connection';
import { enums, type IHistoryEvent } from './proto';
import { firstValue, fromPayloads, toPayloads, type JsonValue } from './payload-converter';
import { decodeFailure, type FailureInfo } from './failure-converter';
import { describeResponseJson, describeResponseType, statusName, toDescription, type WorkflowExecutionDescription } from './description';
import { CallCancelledError, RPCError, WorkflowContinuedAsNewError, WorkflowFailureError, WorkflowQueryFailedError, WorkflowQueryRejectedError } from './errors';
import { enumName } from './proto';
import type { WorkflowService } from './workflow-service';
import type { LongPollBudget, LongPollBudgets } from './long-poll-budget';
import type { CloseWatcher, CloseWatchers, WakeReason } from './close-watcher';
import type { QueryRejectCondition } from '@temporal-handled/protocol';
import { nextRunOf, troublePauseMs, waitCanOutlast } from './run-chain';
import { isRetryable } from './grpc-retry';
import type { CancelSignal } from './cancel-signal';

type HistoryPage = Awaited<ReturnType<WorkflowService['getWorkflowExecutionHistory']>>;

const S = enums.WorkflowExecutionStatus;
/** The statuses of a closed run. */
const CLOSED = new Set<number>([
  S.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  S.WORKFLOW_EXECUTION_STATUS_FAILED,
  S.WORKFLOW_EXECUTION_STATUS_CANCELED,
  S.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  S.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
]);

export type { QueryRejectCondition };

export interface HandleIds {
  namespace: string;
  workflowId: string;
  runId: string | null;
  resultRunId: string | null;
  firstExecutionRunId: string | null;
}

/** One step along the run chain that `result` follows. */
export interface RunStep {
  workflowId: string;
  previousRunId: string;
  runId: string;
  reason: 'CONTINUED_AS_NEW' | 'RETRY' | 'CRON';
}

export interface ResultOptions {
  /** Follow continue-as-new, retries and cron to the last run. @default true */
  followRuns?: boolean;
  /** Called once the first run is known (with its ID) and for each step along the chain. */
  onStart?: (runId: string) => void;
  onStep?: (step: RunStep) => void;
  signal?: CancelSignal;
  /** The deadline of each long poll, in ms (the Python SDK's rpc_timeout): a poll it ends is re-issued. */
  timeoutMs?: number;
  /** Extra gRPC metadata on each call. */
  metadata?: Record<string, string>;
}

export interface WorkflowResult {
  value: JsonValue;
  /** The run the result came from. */
  runId: string;
}

/** What a handle needs of the client that made it. */
export interface HandleContext {
  readonly service: WorkflowService;
  readonly identity: string;
  readonly longPolls: LongPollBudgets;
  readonly closeWatchers: CloseWatchers;
}

export class WorkflowHandle implements HandleIds {
  constructor(
    private readonly client: HandleContext,
    readonly namespace: string,
    readonly workflowId: string,
    readonly runId: string | null,
    readonly resultRunId: string | null,
    readonly firstExecutionRunId: string | null,
  ) {}

  get ids(): HandleIds {
    return {
      namespace: this.namespace,
      workflowId: this.workflowId,
      runId: this.runId,
      resultRunId: this.resultRunId,
      firstExecutionRunId: this.firstExecutionRunId,
    };
  }

  private get service() {
    return this.client.service;
  }

  private execution(runId: string | null) {
    return { workflowId: this.workflowId, runId: runId ?? '' };
  }

  /** Requests cancellation of `runId` (or the latest run), within the chain of `firstExecutionRunId`. */
  async cancel(reason = '', o?: CallOptions): Promise<void> {
    await this.service.requestCancelWorkflowExecution(
      {
        namespace: this.namespace,
        workflowExecution: this.execution(this.runId),
        identity: this.client.identity,
        requestId: randomUUID(),
        firstExecutionRunId: this.firstExecutionRunId ?? '',
        reason,
      },
      o,
    );
  }

  /** With `raw`, the description also carries the whole response in protobuf JSON. */
  async describe(o?: CallOptions, raw = false): Promise<WorkflowExecutionDescription> {
    if (!raw) {
      const res = await this.service.describeWorkflowExecution({ namespace: this.namespace, execution: this.execution(this.runId) }, o);
      return toDescription(res, this.namespace);
    }
    // `raw` is the answer as the server sent it (payloads as stored); the description is decoded.
    const res = await this.service.describeWorkflowExecution({ namespace: this.namespace, execution: this.execution(this.runId) }, Object.assign({}, o, { payloads: 'raw' as const }));
    const rawJson = describeResponseJson(res);
    await this.service.decodeMessage(describeResponseType(), res, this.namespace, o);
    return Object.assign(toDescription(res, this.namespace), { raw: rawJson });
  }

  async query(query: string, args: unknown[] = [], rejectCondition?: QueryRejectCondition, o?: CallOptions): Promise<JsonValue> {
    const condition = rejectCondition ? enums.QueryRejectCondition[`QUERY_REJECT_CONDITION_${rejectCondition}`] : undefined;
    let res;
    try {
      res = await this.service.queryWorkflow(
        {
          namespace: this.namespace,
          execution: this.execution(this.runId),
          query: { queryType: query, queryArgs: toPayloads(args, 'args') },
          queryRejectCondition: condition,
        },
        o,
      );
    } catch (err) {
      if (err instanceof RPCError && err.status === 'INVALID_ARGUMENT') throw new WorkflowQueryFailedError(err.message);
      throw err;
    }
    if (res.queryRejected) throw new WorkflowQueryRejectedError(statusName(res.queryRejected.status));
    return firstValue(res.queryResult);
  }

  async signal(signal: string, args: unknown[] = [], o?: CallOptions): Promise<void> {
    await this.service.signalWorkflowExecution(
      {
        namespace: this.namespace,
        workflowExecution: this.execution(this.runId),
        signalName: signal,
        input: toPayloads(args, 'args'),
        identity: this.client.identity,
        requestId: randomUUID(),
      },
      o,
    );
  }

  async terminate(reason?: string, details: unknown[] = [], o?: CallOptions): Promise<void> {
    await this.service.terminateWorkflowExecution(
      {
        namespace: this.namespace,
        workflowExecution: this.execution(this.runId),
        reason: reason ?? '',
        details: toPayloads(details, 'details'),
        identity: this.client.identity,
        firstExecutionRunId: this.firstExecutionRunId ?? '',
      },
      o,
    );
  }

  /**
   * Waits for the result, starting at `resultRunId` (or the current run), following
   * the chain through each close event's new run ID unless `followRuns` is false.
   * Long polls are re-issued past the server's 20-second window for as long as it takes.
   */
  async result(opts: ResultOptions = {}): Promise<WorkflowResult> {
    const runId = this.resultRunId || (await this.currentRunId(opts));
    opts.onStart?.(runId);
    const budget = this.client.longPolls.for(this.namespace);
    budget.join();
    // followChain's promise is returned as it is: a held wait suspends one frame, not two.
    return this.followChain(budget, runId, opts).finally(() => budget.leave());
  }

  /** Pins the current run first, so the result names the run it came from (transient trouble retried as the wait's). */
  private async currentRunId(opts: ResultOptions): Promise<string> {
    for (let n = 1; ; n++) {
      try {
        const d = await this.service.describeWorkflowExecution(
          { namespace: this.namespace, execution: this.execution(null) },
          { signal: opts.signal, timeoutMs: opts.timeoutMs, metadata: opts.metadata },
        );
        return d.workflowExecutionInfo?.execution?.runId ?? '';
      } catch (err) {
        if (!this.waitCanOutlast(err, true)) throw err;
        await sleep(troublePauseMs(n, 250), opts.signal);
      }
    }
  }

  /**
   * The run-chain loop. A wait has no deadline of its own, so transient trouble does not end it
   * (the caller sees a result, its workflow's failure, or its own cancellation):
   * - an outage (a restart, a network blip), once the server has answered on this connection
   *   (a wrong address, which never answered, still fails at once);
   * - the server's limit on concurrent long polls per namespace (RESOURCE_EXHAUSTED), which many
   *   waits can reach together: the budget shrinks (long-poll-budget.ts);
   * - a long poll the server ends with DEADLINE_EXCEEDED or CANCELLED (a loaded server), or the
   *   caller's own deadline of each poll (rpcTimeout) passing before the server's window.
   * A wait over the budget holds no call: it looks for its close event once without waiting (a call
   * the limit does not count), then registers with the namespace's close watcher (close-watcher.ts),
   * which wakes it when a visibility query names its run closed or its sweep turn comes; it
   * then looks again, and answers only from the close event.
   */
  private async followChain(budget: LongPollBudget, firstRunId: string, opts: ResultOptions): Promise<WorkflowResult> {
    const followRuns = opts.followRuns ?? true;
    // The close event's payloads (a result, a failure) are decoded by the codec, if there is one.
    const callOpts: CallOptions = { signal: opts.signal, longPoll: true, timeoutMs: opts.timeoutMs, metadata: opts.metadata, payloads: 'decode' };
    const connection = this.service.connection;
    let runId = firstRunId;
    let nextPageToken: Uint8Array | undefined;
    let outage = 0;
    let woken: WakeReason | undefined;
    for (;;) {
      let res: HistoryPage | undefined;
      if (!budget.tryAcquire(budget.reserve)) {
        const watcher = this.client.closeWatchers.for(this.namespace);
        res = await this.peekClose(runId, callOpts, watcher, woken === 'visibility');
        woken = undefined;
        if (!res) {
          woken = await watcher.maybeClosed(this.workflowId, runId, opts.signal);
          continue;
        }
      } else {
        let failure: unknown;
        try {
          res = await this.service.getWorkflowExecutionHistory(
            {
              namespace: this.namespace,
              execution: { workflowId: this.workflowId, runId },
              waitNewEvent: true,
              historyEventFilterType: enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
              skipArchival: true,
              nextPageToken,
            },
            // Once the server has answered, this loop retries by itself (a refusal must reach
            // the budget at once, not after the connection's ten attempts).
            connection.everAnswered ? Object.assign({}, callOpts, { noRetry: true }) : callOpts,
          );
        } catch (err) {
          failure = err;
        } finally {
          budget.release();
        }
        if (!res) {
          if (opts.timeoutMs !== undefined && failure instanceof RPCError && failure.status === 'DEADLINE_EXCEEDED') continue;
          const exhausted = failure instanceof RPCError && failure.status === 'RESOURCE_EXHAUSTED';
          if (exhausted) budget.refused();
          // What the connection would have retried (an HTTP/2 reset, UNKNOWN, ...) is retried here,
          // once the server has answered (before that, the connection made its ten attempts).
          const retryable = connection.everAnswered && failure instanceof RPCError && isRetryable(failure.code, failure.message);
          if (!retryable && !this.waitCanOutlast(failure, true)) throw failure;
          outage++;
          res = exhausted ? await this.peekClose(runId, callOpts, this.client.closeWatchers.for(this.namespace)) : undefined;
          if (!res) {
            await sleep(troublePauseMs(outage, 250), opts.signal);
            continue;
          }
        }
      }
      outage = 0;
      const events = res.history?.events ?? [];
      if (events.length === 0) {
        // The long poll expired with the run still open: poll again from the token.
        nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
        continue;
      }
      const step = this.closeStep(events[events.length - 1]!, runId, followRuns);
      if ('value' in step) return step;
      opts.onStep?.({ workflowId: this.workflowId, previousRunId: runId, runId: step.next, reason: step.reason });
      runId = step.next;
      nextPageToken = undefined;
    }
  }

  /**
   * The run's close event if it has closed, without waiting; undefined when still open or on
   * transient trouble (thrown otherwise: a deleted workflow). The run's status comes first from
   * a describe: the server holds a close-event history read while the run is open even with
   * `waitNewEvent` false (measured: until the call's deadline), so that read is only made once
   * the run is known to be closed, when it answers at once. `closed`: visibility has named the
   * run closed (it is written after the history), so the describe is skipped. At most a few
   * peeks per namespace are in flight at once (the watcher's limiter), so a wave of waits
   * does not turn into a burst of calls and of memory.
   */
  private async peekClose(runId: string, call: CallOptions, watcher: CloseWatcher, closed = false) {
    await watcher.peeks.acquire(call.signal);
    try {
      if (!closed) {
        const d = await this.service.describeWorkflowExecution(
          { namespace: this.namespace, execution: { workflowId: this.workflowId, runId } },
          { signal: call.signal, metadata: call.metadata, payloads: 'raw', noRetry: true },
        );
        if (!CLOSED.has(d.workflowExecutionInfo?.status ?? 0)) return undefined;
      }
      const res = await this.service.getWorkflowExecutionHistory(
        {
          namespace: this.namespace,
          execution: { workflowId: this.workflowId, runId },
          waitNewEvent: false,
          historyEventFilterType: enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
          skipArchival: true,
        },
        Object.assign({}, call, { longPoll: false }),
      );
      return (res.history?.events?.length ?? 0) > 0 ? res : undefined;
    } catch (err) {
      if (err instanceof CallCancelledError) throw err;
      if (err instanceof RPCError && !(this.service.connection.everAnswered && isRetryable(err.code, err.message)) && !this.waitCanOutlast(err, true)) throw err;
      return undefined;
    } finally {
      watcher.peeks.release();
    }
  }

  private waitCanOutlast(err: unknown, longPoll = false): boolean {
    return waitCanOutlast(err, this.service.connection, longPoll);
  }

  /** What one close event means: a result, a step to the next run, or an error (thrown). */
  private closeStep(ev: IHistoryEvent, runId: string, followRuns: boolean): WorkflowResult | { next: string; reason: RunStep['reason'] } {
    const nextRun = followRuns ? nextRunOf(ev) : undefined;
    if (nextRun) return { next: nextRun.runId, reason: nextRun.reason };
    if (ev.workflowExecutionCompletedEventAttributes) {
      const a = ev.workflowExecutionCompletedEventAttributes;
      return { value: firstValue(a.result), runId };
    }
    if (ev.workflowExecutionFailedEventAttributes) {
      const a = ev.workflowExecutionFailedEventAttributes;
      const cause = a.failure ? decodeFailure(a.failure) : { type: 'FailureError' as const, message: 'Failure error' };
      throw new WorkflowFailureError(cause, runId, retryStateName(a.retryState), 'FAILED');
    }
    if (ev.workflowExecutionCanceledEventAttributes) {
      const cause: FailureInfo = { type: 'CancelledError', message: 'Workflow cancelled', details: fromPayloads(ev.workflowExecutionCanceledEventAttributes.details) };
      throw new WorkflowFailureError(cause, runId, 'NON_RETRYABLE_FAILURE', 'CANCELED');
    }
    if (ev.workflowExecutionTerminatedEventAttributes) {
      const a = ev.workflowExecutionTerminatedEventAttributes;
      const cause: FailureInfo = { type: 'TerminatedError', message: a.reason || 'Workflow terminated', details: fromPayloads(a.details) };
      throw new WorkflowFailureError(cause, runId, 'NON_RETRYABLE_FAILURE', 'TERMINATED');
    }
    if (ev.workflowExecutionTimedOutEventAttributes) {
      const a = ev.workflowExecutionTimedOutEventAttributes;
      const cause: FailureInfo = { type: 'TimeoutError', message: 'Workflow timed out', timeoutType: 'START_TO_CLOSE', lastHeartbeatDetails: [] };
      throw new WorkflowFailureError(cause, runId, retryStateName(a.retryState), 'TIMED_OUT');
    }
    if (ev.workflowExecutionContinuedAsNewEventAttributes) {
      const a = ev.workflowExecutionContinuedAsNewEventAttributes;
      if (!a.newExecutionRunId) throw new Error('Unexpectedly missing new run ID from continue as new');
      throw new WorkflowContinuedAsNewError(a.newExecutionRunId, runId);
    }
    throw new Error(`Unexpected close event type ${ev.eventType}`);
  }
}

function retryStateName(v: number | null | undefined): string | null {
  return v ? enumName('RetryState', v, 'RETRY_STATE_') : null;
}

export { closeStatusOf } from './errors';
