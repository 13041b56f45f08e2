/**
 * temporal-handled-client: Temporal's WorkflowHandle for Node programs, through a
 * temporal-handled daemon.
 */
export { TemporalHandledClient, CLIENT_VERSION, type AttachOptions, type SessionOptions, type GetWorkflowHandleOptions } from './client';
export { WorkflowHandle, type QueryOptions, type CancelOptions, type TerminateOptions } from './handle';
export { WorkflowUpdateHandle, type UpdateDescription, type WaitForStage } from './update-handle';
export { type SpawnOptions, defaultDaemonScript } from './daemon-process';
export type { JsonCodec, RequestOptions } from './connection';
export {
  DaemonError,
  DaemonConnectionError,
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
  DaemonShuttingDownError,
} from './errors';
export {
  FailureError,
  ApplicationError,
  CancelledError,
  TerminatedError,
  TimeoutError,
  ServerError,
  ActivityError,
  ChildWorkflowError,
  NexusOperationError,
  failureToError,
  type Failure,
} from './failures';
export { ErrorCodesByType } from './error-codes';
export type * from './types';
