/**
 * Errors a Temporal call can raise, named as the Python SDK names them.
 *
 * Each carries `type` (the name clients see as `data.type`) and `data()`, the
 * structured fields the protocol layer puts into the JSON-RPC error's `data`.
 */
import type { FailureInfo } from './failure-converter';

export abstract class TemporalError extends Error {
  abstract readonly type: string;
  /** Structured fields for the wire, without `type` and `message`. */
  data(): Record<string, unknown> {
    return {};
  }
}

/** A gRPC call failed; `status` is the gRPC code's name, e.g. `NOT_FOUND`. */
export class RPCError extends TemporalError {
  readonly type = 'RPCError';
  constructor(
    message: string,
    readonly status: string,
    readonly code: number,
    readonly details: { typeUrl: string; value: string }[] = [],
  ) {
    super(message);
  }
  override data() {
    return { status: this.status, code: this.code, details: this.details };
  }
}

export class WorkflowAlreadyStartedError extends TemporalError {
  readonly type = 'WorkflowAlreadyStartedError';
  constructor(
    readonly workflowId: string,
    readonly workflowType: string,
    readonly runId: string | null,
    /** The first run of the running workflow's chain, when the server says (the Python SDK's first_run_id). */
    readonly firstRunId: string | null = null,
  ) {
    super('Workflow execution already started');
  }
  override data() {
    return { workflowId: this.workflowId, workflowType: this.workflowType, runId: this.runId, firstRunId: this.firstRunId };
  }
}

/** The workflow failed, was cancelled, terminated or timed out; `cause` says which. */
export class WorkflowFailureError extends TemporalError {
  readonly type = 'WorkflowFailureError';
  constructor(
    override readonly cause: FailureInfo,
    readonly runId: string,
    readonly retryState: string | null = null,
    /** How the run closed: FAILED, CANCELED, TERMINATED or TIMED_OUT (`data.status` on the wire). */
    readonly closeStatus: string = 'FAILED',
  ) {
    super('Workflow execution failed');
  }
  override data() {
    return { cause: this.cause, runId: this.runId, retryState: this.retryState, status: this.closeStatus };
  }
}

export class WorkflowContinuedAsNewError extends TemporalError {
  readonly type = 'WorkflowContinuedAsNewError';
  constructor(
    readonly newExecutionRunId: string,
    readonly runId: string,
  ) {
    super('Workflow continued as new');
  }
  override data() {
    return { newExecutionRunId: this.newExecutionRunId, runId: this.runId };
  }
}

export class WorkflowQueryRejectedError extends TemporalError {
  readonly type = 'WorkflowQueryRejectedError';
  constructor(readonly status: string | null) {
    super(`Query rejected, status: ${status ?? 'UNSPECIFIED'}`);
  }
  override data() {
    return { status: this.status };
  }
}

export class WorkflowQueryFailedError extends TemporalError {
  readonly type = 'WorkflowQueryFailedError';
  constructor(message: string) {
    super(message);
  }
}

/** An update's handler raised, or its validator rejected it; `cause` is the Failure. */
export class WorkflowUpdateFailedError extends TemporalError {
  readonly type = 'WorkflowUpdateFailedError';
  constructor(override readonly cause: FailureInfo) {
    super('Workflow update failed');
  }
  override data() {
    return { cause: this.cause };
  }
}

/**
 * The client's call about an update ran out of time (DEADLINE_EXCEEDED) or was cancelled
 * (CANCELLED, or the caller's AbortSignal); says nothing about the update itself.
 * `cause` is the RPCError or CallCancelledError.
 */
export class WorkflowUpdateRPCTimeoutOrCancelledError extends TemporalError {
  readonly type = 'WorkflowUpdateRPCTimeoutOrCancelledError';
  constructor(override readonly cause?: Error) {
    super('Timeout or cancellation waiting for update');
  }
  /** The RPCError under it, as the Python SDK raises it "from" one: its status and message. */
  override data() {
    return this.cause instanceof RPCError ? { cause: { status: this.cause.status, code: this.cause.code, message: this.cause.message } } : {};
  }
}

/** The caller's AbortSignal fired; the in-flight gRPC call was cancelled. */
/** The codec server failed a call's `/encode` or `/decode`; `endpoint` has no credentials in it. */
export class CodecError extends TemporalError {
  readonly type = 'CodecError';
  constructor(
    message: string,
    readonly operation: 'encode' | 'decode',
    readonly endpoint: string,
    readonly httpStatus: number | null,
  ) {
    super(message);
  }
  override data() {
    return { operation: this.operation, endpoint: this.endpoint, httpStatus: this.httpStatus };
  }
}

export class CallCancelledError extends Error {
  override name = 'CallCancelledError';
  constructor(message = 'Call cancelled') {
    super(message);
  }
}

/** The status the chain ended on, for an error `result` threw (progress `end`). */
export function closeStatusOf(err: unknown): string | null {
  if (err instanceof WorkflowContinuedAsNewError) return 'CONTINUED_AS_NEW';
  if (err instanceof WorkflowFailureError) return err.closeStatus;
  return null;
}
