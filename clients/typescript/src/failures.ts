/**
 * Temporal Failures (the `cause` of a WorkflowFailureError) as error classes,
 * named as the Python SDK's `temporalio.exceptions` name them.
 */
import type { Value } from './types';

/** A Failure as the daemon sends it: `{type, message, stackTrace?, details?, cause?, ...}`. */
export interface Failure {
  type: string;
  message: string;
  stackTrace?: string;
  details?: Value[];
  cause?: Failure;
  [more: string]: unknown;
}

/** Base of every Failure class; `failure` is the Failure as it came over the wire. */
export class FailureError extends Error {
  override name = 'FailureError';
  /** The Failure's own stack trace (from the worker), when it had one. */
  readonly failureStackTrace: string | undefined;
  constructor(
    message: string,
    readonly failure: Failure,
    cause?: FailureError,
  ) {
    super(message, cause ? { cause } : undefined);
    this.failureStackTrace = failure.stackTrace;
  }
}

export class ApplicationError extends FailureError {
  override name = 'ApplicationError';
  /** The application error type (Python's `type`), null when unset. */
  readonly applicationType: string | null;
  readonly nonRetryable: boolean;
  readonly details: Value[];
  constructor(message: string, failure: Failure, cause?: FailureError) {
    super(message, failure, cause);
    this.applicationType = (failure.applicationType as string | null | undefined) ?? null;
    this.nonRetryable = Boolean(failure.nonRetryable);
    this.details = failure.details ?? [];
  }
}

export class CancelledError extends FailureError {
  override name = 'CancelledError';
  readonly details: Value[];
  constructor(message: string, failure: Failure, cause?: FailureError) {
    super(message, failure, cause);
    this.details = failure.details ?? [];
  }
}

export class TerminatedError extends FailureError {
  override name = 'TerminatedError';
  readonly details: Value[];
  constructor(message: string, failure: Failure, cause?: FailureError) {
    super(message, failure, cause);
    this.details = failure.details ?? [];
  }
}

/** Named TimeoutError as in Python; it shadows the global DOMException name only inside this module's importers. */
export class TimeoutError extends FailureError {
  override name = 'TimeoutError';
  /** START_TO_CLOSE, SCHEDULE_TO_START, SCHEDULE_TO_CLOSE or HEARTBEAT. */
  readonly timeoutType: string | null;
  readonly lastHeartbeatDetails: Value[];
  constructor(message: string, failure: Failure, cause?: FailureError) {
    super(message, failure, cause);
    this.timeoutType = (failure.timeoutType as string | null | undefined) ?? null;
    this.lastHeartbeatDetails = (failure.lastHeartbeatDetails as Value[] | undefined) ?? [];
  }
}

export class ServerError extends FailureError {
  override name = 'ServerError';
  readonly nonRetryable: boolean;
  constructor(message: string, failure: Failure, cause?: FailureError) {
    super(message, failure, cause);
    this.nonRetryable = Boolean(failure.nonRetryable);
  }
}

export class ActivityError extends FailureError {
  override name = 'ActivityError';
  readonly activityType: string | null;
  readonly activityId: string | null;
  readonly retryState: string | null;
  constructor(message: string, failure: Failure, cause?: FailureError) {
    super(message, failure, cause);
    this.activityType = (failure.activityType as string | null | undefined) ?? null;
    this.activityId = (failure.activityId as string | null | undefined) ?? null;
    this.retryState = (failure.retryState as string | null | undefined) ?? null;
  }
}

export class ChildWorkflowError extends FailureError {
  override name = 'ChildWorkflowError';
  readonly workflowId: string | null;
  readonly runId: string | null;
  readonly workflowType: string | null;
  readonly retryState: string | null;
  constructor(message: string, failure: Failure, cause?: FailureError) {
    super(message, failure, cause);
    this.workflowId = (failure.workflowId as string | null | undefined) ?? null;
    this.runId = (failure.runId as string | null | undefined) ?? null;
    this.workflowType = (failure.workflowType as string | null | undefined) ?? null;
    this.retryState = (failure.retryState as string | null | undefined) ?? null;
  }
}

export class NexusOperationError extends FailureError {
  override name = 'NexusOperationError';
}

type FailureClass = new (message: string, failure: Failure, cause?: FailureError) => FailureError;

const classes: Record<string, FailureClass> = {
  ApplicationError,
  CancelledError,
  TerminatedError,
  TimeoutError,
  ServerError,
  ActivityError,
  ChildWorkflowError,
  NexusOperationError,
  FailureError,
};

/** The error for a Failure, with its cause chain as `Error.cause`. An unknown type becomes a FailureError. */
export function failureToError(failure: Failure): FailureError {
  const cause = failure.cause ? failureToError(failure.cause) : undefined;
  const Cls = classes[failure.type] ?? FailureError;
  return new Cls(failure.message, failure, cause);
}
