/**
 * The shapes of the daemon's protocol, from the contract package (@temporal-handled/protocol),
 * plus what only this client adds (AbortSignals, progress callbacks).
 */
import type { ParamsOf, ResultProgress } from '@temporal-handled/protocol';

export type {
  Duration,
  IdReusePolicy,
  IdConflictPolicy,
  QueryRejectCondition,
  RetryPolicy,
  HandleInfo,
  UpdateHandleInfo,
  WorkflowExecution,
  WorkflowExecutionDescription,
  WorkflowResult as WorkflowResultWire,
  ResultProgress,
  DaemonStatus,
  InitializeResult,
  MethodName,
  ParamsOf,
  ResultOf,
} from '@temporal-handled/protocol';

/**
 * A value: any JSON value (a `json/plain` payload), `{"$bytes": base64}` (a `binary/plain`
 * payload) or `{"$payload": {metadata, data}}` (a payload passed through as it is).
 */
export type Value = unknown;

export type WorkflowExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'CONTINUED_AS_NEW' | 'TIMED_OUT' | (string & {});

/** Every call takes an AbortSignal: aborting sends `$/cancelRequest` and rejects with the signal's reason. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Added to the gRPC metadata of each call the daemon makes for this one (PROTOCOL.md, "Per-call options"). */
  rpcMetadata?: Record<string, string>;
  /** The deadline of each gRPC call the daemon makes for this one ("5s", or ms), as the Python SDK's rpc_timeout. */
  rpcTimeout?: string | number;
}

/** The per-call options of `opts` that travel as params. */
export function callParams(opts: CallOptions): { rpcMetadata?: Record<string, string>; rpcTimeout?: string | number } {
  const out: { rpcMetadata?: Record<string, string>; rpcTimeout?: string | number } = {};
  if (opts.rpcMetadata !== undefined) out.rpcMetadata = opts.rpcMetadata;
  if (opts.rpcTimeout !== undefined) out.rpcTimeout = opts.rpcTimeout;
  return out;
}

/** The params of `workflow/start`, plus an AbortSignal. */
export type StartWorkflowOptions = ParamsOf<'workflow/start'> & CallOptions;

export interface ResultOptions extends CallOptions {
  /** Follow continue-as-new, retries and cron (default true, as in the Python SDK). */
  followRuns?: boolean;
  /** Called for every `$/progress` value while the result is awaited. */
  onProgress?: (progress: ResultProgress) => void;
}

/** A result and the run it came from. */
export interface WorkflowResult<T = Value> {
  value: T;
  runId: string;
}

/** Options of an update call. */
export interface UpdateOptions extends CallOptions {
  args?: Value[];
  /** Default: a new UUID (a retried call with the same ID is applied once). */
  updateId?: string;
}

/** The start of update-with-start: workflow/start's params, idConflictPolicy required, plus an AbortSignal. */
export type WithStartWorkflowOperation = ParamsOf<'workflow/executeUpdateWithStart'>['start'];

/** Options of the history calls. */
export interface HistoryOptions extends CallOptions {
  eventFilterType?: 'ALL_EVENT' | 'CLOSE_EVENT';
  skipArchival?: boolean;
  /** Payloads as the protocol's values, for display (the events then no longer replay). */
  decode?: boolean;
}

/** One event in the JSON form of Temporal's API (proto3 JSON), as replayers read it. */
export type HistoryEvent = Record<string, unknown>;

/** A batch of a watch: new events of one run, and on a run's first batch why it exists. */
export interface WatchBatch {
  runId: string;
  events: HistoryEvent[];
  reason?: 'CONTINUED_AS_NEW' | 'RETRY' | 'CRON';
  previousRunId?: string;
}
