/**
 * Errors the daemon answers, as typed classes named as PROTOCOL.md (and the Python SDK)
 * names them. Every one extends DaemonError, which carries the JSON-RPC code and data.
 */
import { failureToError, type Failure, type FailureError } from './failures';

/** Any error answer of the daemon; protocol errors (bad params, unknown method, ...) are plain DaemonErrors. */
export class DaemonError extends Error {
  override name = 'DaemonError';
  constructor(
    message: string,
    /** The JSON-RPC error code, or null when no answer came (see DaemonConnectionError). */
    readonly code: number | null,
    /** `data.type` of the error: `InvalidParams`, `MethodNotFound`, `RPCError`, ... */
    readonly type: string,
    /** The error's `data`, as sent. */
    readonly data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The daemon could not be reached, or the connection to it ended before the answer. */
export class DaemonConnectionError extends DaemonError {
  override name = 'DaemonConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, null, 'ConnectionError', {}, options);
  }
}

/** A gRPC call to Temporal failed; `status` is the gRPC code name (e.g. `NOT_FOUND`). */
export class RPCError extends DaemonError {
  override name = 'RPCError';
  readonly status: string;
  /** The numeric gRPC status code. */
  readonly grpcStatus: number | null;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'RPCError', data);
    this.status = String(data.status ?? 'UNKNOWN');
    // A JSON codec may have given the code in its own number type.
    const grpcCode = data.code === null || data.code === undefined ? NaN : Number(data.code);
    this.grpcStatus = Number.isInteger(grpcCode) ? grpcCode : null;
  }
}

export class WorkflowAlreadyStartedError extends DaemonError {
  override name = 'WorkflowAlreadyStartedError';
  readonly workflowId: string;
  readonly workflowType: string;
  readonly runId: string | null;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'WorkflowAlreadyStartedError', data);
    this.workflowId = String(data.workflowId ?? '');
    this.workflowType = String(data.workflowType ?? '');
    this.runId = (data.runId as string | null | undefined) ?? null;
  }
}

/** The workflow failed, was cancelled, terminated or timed out: `cause` says which. */
export class WorkflowFailureError extends DaemonError {
  override name = 'WorkflowFailureError';
  /** ApplicationError, CancelledError, TerminatedError, TimeoutError, ... with its own cause chain. */
  declare readonly cause: FailureError;
  /** The cause as it came over the wire. */
  readonly failure: Failure;
  /** The run that ended so. */
  readonly runId: string | null;
  readonly retryState: string | null;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    const failure = (data.cause as Failure | undefined) ?? { type: 'FailureError', message: 'unknown failure' };
    super(message, code, 'WorkflowFailureError', data, { cause: failureToError(failure) });
    this.failure = failure;
    this.runId = (data.runId as string | null | undefined) ?? null;
    this.retryState = (data.retryState as string | null | undefined) ?? null;
  }
}

export class WorkflowContinuedAsNewError extends DaemonError {
  override name = 'WorkflowContinuedAsNewError';
  readonly newExecutionRunId: string;
  /** The run that continued as new. */
  readonly runId: string | null;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'WorkflowContinuedAsNewError', data);
    this.newExecutionRunId = String(data.newExecutionRunId ?? '');
    this.runId = (data.runId as string | null | undefined) ?? null;
  }
}

export class WorkflowQueryRejectedError extends DaemonError {
  override name = 'WorkflowQueryRejectedError';
  /** The workflow's status (e.g. `COMPLETED`). */
  readonly status: string | null;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'WorkflowQueryRejectedError', data);
    this.status = (data.status as string | null | undefined) ?? null;
  }
}

export class WorkflowQueryFailedError extends DaemonError {
  override name = 'WorkflowQueryFailedError';
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'WorkflowQueryFailedError', data);
  }
}

/** The update failed: its validator rejected it or its handler raised; `cause` is the failure. */
export class WorkflowUpdateFailedError extends DaemonError {
  override name = 'WorkflowUpdateFailedError';
  declare readonly cause: FailureError;
  /** The cause as it came over the wire. */
  readonly failure: Failure;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    const failure = (data.cause as Failure | undefined) ?? { type: 'FailureError', message: 'unknown failure' };
    super(message, code, 'WorkflowUpdateFailedError', data, { cause: failureToError(failure) });
    this.failure = failure;
  }
}

/** The update call's deadline passed, or it was cancelled, before the update reached the stage asked for. */
export class WorkflowUpdateRPCTimeoutOrCancelledError extends DaemonError {
  override name = 'WorkflowUpdateRPCTimeoutOrCancelledError';
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'WorkflowUpdateRPCTimeoutOrCancelledError', data);
  }
}

/** The handle token is unknown, released, expired or evicted. */
export class InvalidHandleError extends DaemonError {
  override name = 'InvalidHandleError';
  readonly handle: string;
  /** `unknown`, `released`, `expired` or `evicted`. */
  readonly reason: string;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'InvalidHandleError', data);
    this.handle = String(data.handle ?? '');
    this.reason = String(data.reason ?? 'unknown');
  }
}

/** The codec server could not encode or decode the call's payloads; nothing was sent to Temporal unencoded. */
export class CodecError extends DaemonError {
  override name = 'CodecError';
  /** `encode` or `decode`. */
  readonly operation: string;
  /** The codec server's URL, without credentials. */
  readonly endpoint: string;
  /** Its HTTP status, or null when it could not be reached or did not answer in time. */
  readonly httpStatus: number | null;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'CodecError', data);
    this.operation = String(data.operation ?? '');
    this.endpoint = String(data.endpoint ?? '');
    this.httpStatus = typeof data.httpStatus === 'number' ? data.httpStatus : null;
  }
}

/** The daemon stopped (`reason`: SIGTERM, SIGINT, the end of its stdin, ...) before it answered. */
export class DaemonShuttingDownError extends DaemonError {
  override name = 'DaemonShuttingDownError';
  readonly reason: string;
  constructor(message: string, code: number, data: Record<string, unknown>) {
    super(message, code, 'DaemonShuttingDown', data);
    this.reason = String(data.reason ?? '');
  }
}

type Typed = new (message: string, code: number, data: Record<string, unknown>) => DaemonError;

const byType: Record<string, Typed> = {
  RPCError,
  WorkflowAlreadyStartedError,
  WorkflowFailureError,
  WorkflowContinuedAsNewError,
  WorkflowQueryRejectedError,
  WorkflowQueryFailedError,
  InvalidHandleError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  CodecError,
  DaemonShuttingDown: DaemonShuttingDownError,
};

/** The typed error for a JSON-RPC error answer. */
export function fromErrorAnswer(code: number, message: string, data: unknown): DaemonError {
  const d = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const type = typeof d.type === 'string' ? d.type : 'DaemonError';
  const Cls = byType[type];
  return Cls ? new Cls(message, code, d) : new DaemonError(message, code, type, d);
}
