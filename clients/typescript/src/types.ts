/**
 * The shapes of the daemon's protocol (PROTOCOL.md) as TypeScript types.
 */

/**
 * A value: any JSON value (a `json/plain` payload), `{"$bytes": base64}` (a `binary/plain`
 * payload) or `{"$payload": {metadata, data}}` (a payload passed through as it is).
 */
export type Value = unknown;

/** A duration in the Temporal CLI's syntax (`"100ms"`, `"1.5s"`, `"1h30m"`) or milliseconds. */
export type Duration = string | number;

export type IdReusePolicy = 'ALLOW_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY' | 'REJECT_DUPLICATE' | 'TERMINATE_IF_RUNNING';
export type IdConflictPolicy = 'UNSPECIFIED' | 'FAIL' | 'USE_EXISTING' | 'TERMINATE_EXISTING';
export type QueryRejectCondition = 'NONE' | 'NOT_OPEN' | 'NOT_COMPLETED_CLEANLY';

/** Every call takes an AbortSignal: aborting sends `$/cancelRequest` and rejects with the signal's reason. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface RetryPolicy {
  initialInterval?: Duration;
  backoffCoefficient?: number;
  maximumInterval?: Duration;
  maximumAttempts?: number;
  nonRetryableErrorTypes?: string[];
}

/** The params of `workflow/start`, plus an AbortSignal. */
export interface StartWorkflowOptions extends CallOptions {
  workflowType: string;
  taskQueue: string;
  workflowId: string;
  args?: Value[];
  namespace?: string;
  executionTimeout?: Duration;
  runTimeout?: Duration;
  taskTimeout?: Duration;
  idReusePolicy?: IdReusePolicy;
  idConflictPolicy?: IdConflictPolicy;
  retryPolicy?: RetryPolicy;
  cronSchedule?: string;
  memo?: Record<string, Value>;
  searchAttributes?: Record<string, unknown>;
  startDelay?: Duration;
  /** Signal-with-start: the signal delivered with the start. */
  startSignal?: string;
  startSignalArgs?: Value[];
  staticSummary?: string;
  staticDetails?: string;
}

/** What a daemon handle stands for; run IDs are null where unset. */
export interface HandleInfo {
  handle: string;
  namespace: string;
  workflowId: string;
  runId: string | null;
  resultRunId: string | null;
  firstExecutionRunId: string | null;
}

export type WorkflowExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'CONTINUED_AS_NEW' | 'TIMED_OUT' | (string & {});

export interface WorkflowExecutionDescription {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: WorkflowExecutionStatus | null;
  startTime: string | null;
  executionTime: string | null;
  closeTime: string | null;
  historyLength: number;
  historySizeBytes?: number;
  parentWorkflowId: string | null;
  parentRunId: string | null;
  rootWorkflowId?: string | null;
  rootRunId?: string | null;
  memo: Record<string, Value>;
  searchAttributes: Record<string, unknown>;
  staticSummary?: Value;
  staticDetails?: Value;
  pendingActivityCount?: number;
  pendingChildrenCount?: number;
  [more: string]: unknown;
}

/** `$/progress` values of `handle/result` (LSP work-done progress). */
export type ResultProgress =
  | { kind: 'begin'; title?: string; message?: string; workflowId: string; runId: string | null; [more: string]: unknown }
  | { kind: 'report'; message?: string; workflowId: string; previousRunId: string; runId: string; reason: 'CONTINUED_AS_NEW' | 'RETRY' | 'CRON'; [more: string]: unknown }
  | { kind: 'end'; message?: string; runId: string | null; status: WorkflowExecutionStatus | null; [more: string]: unknown };

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

export interface DaemonStatus {
  version: string;
  pid: number;
  uptime: number;
  clients: number;
  handles: number;
  /** Requests being served, over all clients (this status request not counted). */
  inFlight: number;
  connection: { state: string; address: string; namespace: string };
  temporal: { serverVersion: string | null };
  [more: string]: unknown;
}

export interface InitializeResult {
  serverInfo: { name: string; version: string };
  protocolVersion: number;
  capabilities: Record<string, unknown>;
  temporal: { address: string; namespace: string; serverVersion: string | null };
}
