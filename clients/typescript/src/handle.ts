/**
 * WorkflowHandle: Temporal's handle for one workflow, backed by a daemon handle token.
 *
 * Handles from `getWorkflowHandle` make no round trip until first used: the daemon
 * handle is created then (and created again if the daemon expired or evicted it).
 */
import { abortReason, type RpcConnection } from './connection';
import { DaemonError, InvalidHandleError } from './errors';
import type { HistoryEvent, HistoryOptions, WatchBatch } from './types';
import { callParams } from './types';
import type { CallOptions, MethodName, ParamsOf, QueryRejectCondition, ResultOf, ResultOptions, ResultProgress, UpdateOptions, Value, WorkflowExecutionDescription, WorkflowResult } from './types';
import { WorkflowUpdateHandle, type WaitForStage } from './update-handle';
import { streamed } from './streamed';
import { ErrorCodesByType } from './error-codes';

export interface QueryOptions extends CallOptions {
  /** When the server should reject the query instead of running it (default: the server's, NONE). */
  rejectCondition?: QueryRejectCondition;
}

export interface CancelOptions extends CallOptions {
  reason?: string;
}

export interface TerminateOptions extends CallOptions {
  reason?: string;
  /** Details stored on the termination. */
  details?: Value[];
}

interface HandleIds {
  workflowId: string;
  runId: string | null;
  resultRunId: string | null;
  firstExecutionRunId: string | null;
  namespace: string | null;
}

export class WorkflowHandle {
  /** The workflow ID. */
  readonly workflowId: string;
  /** The run describe, query and signal target; null: the latest run. */
  readonly runId: string | null;
  /** The run result starts from; null: the latest run. */
  readonly resultRunId: string | null;
  /** The chain cancel and terminate are restricted to; null: any. */
  readonly firstExecutionRunId: string | null;
  /** The namespace, once known (null for a handle not yet used that took the session's default). */
  namespace: string | null;
  private token: Promise<string> | undefined;
  private released = false;

  /** @internal Use `client.startWorkflow` or `client.getWorkflowHandle`. */
  constructor(
    private readonly rpc: RpcConnection,
    ids: HandleIds,
    /** The daemon's token, when the handle was made by the daemon (workflow/start). */
    token?: string,
  ) {
    this.workflowId = ids.workflowId;
    this.runId = ids.runId;
    this.resultRunId = ids.resultRunId;
    this.firstExecutionRunId = ids.firstExecutionRunId;
    this.namespace = ids.namespace;
    if (token !== undefined) this.token = Promise.resolve(token);
  }

  /** Whether the daemon handle can be made again from the IDs alone (true for getWorkflowHandle's). */
  private get recreatable(): boolean {
    return this.resultRunId === this.runId;
  }

  /** The daemon's handle token (created on first use); it is valid on every connection of that daemon. */
  async handleToken(opts: CallOptions = {}): Promise<string> {
    if (this.released && this.token === undefined) {
      throw new InvalidHandleError('The handle was released', ErrorCodesByType.InvalidHandleError, { type: 'InvalidHandleError', handle: '', reason: 'released' });
    }
    if (this.token === undefined) {
      const p = this.rpc
        .call(
          'workflow/getHandle',
          { workflowId: this.workflowId, runId: this.runId, firstExecutionRunId: this.firstExecutionRunId, ...(this.namespace !== null ? { namespace: this.namespace } : {}) },
          // Not the caller's signal: other calls may share this creation.
        )
        .then((info) => {
          this.namespace = info.namespace;
          return info.handle;
        });
      this.token = p;
      p.catch(() => {
        if (this.token === p) this.token = undefined;
      });
    }
    return withAbort(this.token, opts.signal);
  }

  /** Calls `method` with this handle; a daemon handle that expired or was evicted is made again once. */
  private async call<M extends HandleMethod>(
    method: M,
    params: Omit<ParamsOf<M>, 'handle'>,
    opts: CallOptions & { onProgress?: (v: unknown) => void; progressParam?: 'workDoneToken' | 'partialResultToken' },
  ): Promise<ResultOf<M>> {
    const { signal, onProgress, progressParam } = opts;
    const withHandle = (handle: string) => Object.assign({ handle }, params, callParams(opts)) as ParamsOf<M>;
    const token = await this.handleToken({ signal });
    try {
      return await this.rpc.call(method, withHandle(token), { signal, onProgress, progressParam });
    } catch (err) {
      if (!(err instanceof InvalidHandleError) || this.released || !this.recreatable || err.reason === 'released') throw err;
      const stale = await this.token;
      if (stale === token) this.token = undefined;
      const fresh = await this.handleToken({ signal });
      return this.rpc.call(method, withHandle(fresh), { signal, onProgress, progressParam });
    }
  }

  /** Requests cancellation of the workflow (runId or the latest run, within firstExecutionRunId's chain). */
  async cancel(opts: CancelOptions = {}): Promise<void> {
    await this.call('handle/cancel', defined({ reason: opts.reason }), opts);
  }

  /** Describes the workflow (runId, or the latest run). */
  async describe(opts: CallOptions & { raw?: boolean } = {}): Promise<WorkflowExecutionDescription> {
    return this.call('handle/describe', defined({ raw: opts.raw }), opts);
  }

  /** Queries the workflow (runId, or the latest run) with the given arguments. */
  async query<T = unknown>(name: string, ...args: Value[]): Promise<T> {
    return this.queryWithOptions<T>(name, args);
  }

  /** Queries the workflow with an argument list and options (rejectCondition, signal). */
  async queryWithOptions<T = unknown>(name: string, args: Value[] = [], opts: QueryOptions = {}): Promise<T> {
    const r = await this.call('handle/query', defined({ query: name, args, rejectCondition: opts.rejectCondition }), opts);
    return r.value as T;
  }

  /** Signals the workflow (runId, or the latest run) with the given arguments. */
  async signal(name: string, ...args: Value[]): Promise<void> {
    return this.signalWithOptions(name, args);
  }

  /** Signals the workflow with an argument list and options (signal). */
  async signalWithOptions(name: string, args: Value[] = [], opts: CallOptions = {}): Promise<void> {
    await this.call('handle/signal', { signal: name, args }, opts);
  }

  /** Terminates the workflow (runId or the latest run, within firstExecutionRunId's chain). */
  async terminate(opts: TerminateOptions = {}): Promise<void> {
    await this.call('handle/terminate', defined({ reason: opts.reason, details: opts.details }), opts);
  }

  /**
   * Waits for the workflow's result, from resultRunId (or the latest run), following
   * continue-as-new, retries and cron unless `followRuns` is false.
   * Throws WorkflowFailureError (its `cause` says failed, cancelled, terminated or timed out)
   * or, with `followRuns: false`, WorkflowContinuedAsNewError.
   */
  async result<T = unknown>(opts: ResultOptions = {}): Promise<T> {
    return (await this.resultWithRunId<T>(opts)).value;
  }

  /** As `result`, and the ID of the run the result came from. */
  async resultWithRunId<T = unknown>(opts: ResultOptions = {}): Promise<WorkflowResult<T>> {
    const { onProgress } = opts;
    const r = await this.call(
      'handle/result',
      defined({ followRuns: opts.followRuns }),
      Object.assign({}, callParams(opts), { signal: opts.signal, onProgress: onProgress ? (v: unknown) => onProgress(v as ResultProgress) : undefined }),
    );
    return r as WorkflowResult<T>;
  }

  /**
   * The run's whole history (runId, or the latest run), replay-ready: `{events}` is the document
   * `Worker.runReplayHistory` and temporalio's `WorkflowHistory.from_json` read. Pages are streamed
   * from the daemon (`partialResultToken`) and collected here.
   */
  async fetchHistory(opts: HistoryOptions = {}): Promise<{ workflowId: string; runId: string; events: HistoryEvent[] }> {
    const events: HistoryEvent[] = [];
    const r = await this.call(
      'handle/fetchHistory',
      defined({ eventFilterType: opts.eventFilterType, skipArchival: opts.skipArchival, decode: opts.decode }),
      Object.assign({}, callParams(opts), {
        signal: opts.signal,
        progressParam: 'partialResultToken' as const,
        onProgress: (v: unknown) => events.push(...((v as { events: HistoryEvent[] }).events ?? [])),
      }),
    );
    return { workflowId: r.workflowId, runId: r.runId, events: [...events, ...(r.events as HistoryEvent[])] };
  }

  /** One page of history from `nextPageToken`; with `waitNewEvent`, a long poll for events not yet written. */
  async fetchHistoryEvents(
    opts: HistoryOptions & { pageSize?: number; nextPageToken?: string | null; waitNewEvent?: boolean } = {},
  ): Promise<{ events: HistoryEvent[]; nextPageToken: string | null }> {
    const { signal, ...params } = opts;
    const r = await this.call('handle/fetchHistoryEvents', defined(params), { signal });
    return { events: r.events as HistoryEvent[], nextPageToken: r.nextPageToken };
  }

  /**
   * Watches the run chain: yields each batch of new events as the runs write them, going on into
   * each next run (continue-as-new, retry, cron) unless `followRuns` is false; the generator's
   * return value is the last run and how it closed. Breaking out of the loop cancels the watch.
   */
  async *watch(opts: CallOptions & { fromEventId?: number | string; followRuns?: boolean; decode?: boolean } = {}): AsyncGenerator<WatchBatch, { runId: string; status: string }, undefined> {
    const params = defined({ fromEventId: opts.fromEventId, followRuns: opts.followRuns, decode: opts.decode }) as never;
    const batches = streamed(
      (onProgress, signal) => this.call('handle/watch', params, Object.assign({}, callParams(opts), { signal, progressParam: 'partialResultToken' as const, onProgress })),
      opts.signal,
    );
    return (yield* batches as AsyncGenerator<WatchBatch, { runId: string; status: string }, undefined>) as { runId: string; status: string };
  }

  /** The workflow's handler metadata: its type, its query, signal and update definitions, current details. */
  async metadata(opts: CallOptions = {}): Promise<ResultOf<'handle/metadata'>> {
    return this.call('handle/metadata', {}, opts);
  }

  /** Where the workflow's code waits (the `__stack_trace` query). */
  async stackTrace(opts: CallOptions = {}): Promise<string> {
    return (await this.call('handle/stackTrace', {}, opts)).stackTrace;
  }

  /** Sends an update and waits for its outcome (its value, or WorkflowUpdateFailedError). */
  async executeUpdate<T = unknown>(name: string, opts: UpdateOptions = {}): Promise<T> {
    const r = await this.call('handle/executeUpdate', defined({ update: name, args: opts.args, updateId: opts.updateId }), opts);
    return r.value as T;
  }

  /** Sends an update and returns its handle once it reaches `waitForStage` (ACCEPTED or COMPLETED). */
  async startUpdate<T = unknown>(name: string, opts: UpdateOptions & { waitForStage: WaitForStage }): Promise<WorkflowUpdateHandle<T>> {
    const info = await this.call('handle/startUpdate', defined({ update: name, args: opts.args, updateId: opts.updateId, waitForStage: opts.waitForStage }), opts);
    return new WorkflowUpdateHandle<T>(this.rpc, info);
  }

  /** A handle for an update already sent (no call to Temporal). */
  async getUpdateHandle<T = unknown>(updateId: string, opts: CallOptions & { workflowRunId?: string | null } = {}): Promise<WorkflowUpdateHandle<T>> {
    const info = await this.call('handle/getUpdateHandle', defined({ updateId, workflowRunId: opts.workflowRunId }), opts);
    return new WorkflowUpdateHandle<T>(this.rpc, info);
  }

  /** Forgets the daemon handle. Later calls on this handle fail with InvalidHandleError. */
  async release(opts: CallOptions = {}): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.token === undefined) return;
    let token: string;
    try {
      token = await withAbort(this.token, opts.signal);
    } catch (err) {
      if (err instanceof DaemonError && !opts.signal?.aborted) return; // never created: nothing to release
      throw err;
    }
    await this.rpc.call('handle/release', { handle: token }, { signal: opts.signal });
  }
}

/** The methods that act on a handle (their params start with `handle`). */
type HandleMethod = { [M in MethodName]: ParamsOf<M> extends { handle: string } ? M : never }[MethodName];

/** The object without its undefined members. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `p`, or the abort reason as soon as `signal` aborts. */
function withAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
