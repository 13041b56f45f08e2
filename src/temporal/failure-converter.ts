/**
 * `temporal.api.failure.v1.Failure` to PROTOCOL.md's Failure shape, with the whole cause chain.
 *
 * `{type, message, stackTrace?, details?, cause?}` plus the per-type fields the
 * Python SDK exposes (applicationType, nonRetryable, timeoutType, ...).
 */
import type { Failure } from '@temporal-handled/protocol';
import { enumName, toNumber, type IFailure } from './proto';
import { fromPayload, fromPayloads, type JsonValue } from './payload-converter';
import { protoDurationToMs } from './durations';

export interface FailureInfo {
  /** One of the contract's failure types. */
  type: Failure['type'];
  message: string;
  stackTrace?: string;
  source?: string;
  details?: JsonValue[];
  cause?: FailureInfo;
  [extra: string]: unknown;
}

const MAX_DEPTH = 64;

function retryState(v: number | null | undefined): string | null {
  return v ? enumName('RetryState', v, 'RETRY_STATE_') : null;
}

export function decodeFailure(f: IFailure, depth = 0): FailureInfo {
  let message = f.message ?? '';
  let stackTrace = f.stackTrace ?? '';
  if (f.encodedAttributes) {
    const attrs = fromPayload(f.encodedAttributes);
    if (attrs && typeof attrs === 'object' && !Array.isArray(attrs)) {
      if (typeof attrs.message === 'string') message = attrs.message;
      if (typeof attrs.stack_trace === 'string') stackTrace = attrs.stack_trace;
    }
  }
  const out: FailureInfo = { type: 'FailureError', message };
  if (f.applicationFailureInfo) {
    const a = f.applicationFailureInfo;
    out.type = 'ApplicationError';
    out.message = message || 'Application error';
    out.applicationType = a.type || null;
    out.nonRetryable = Boolean(a.nonRetryable);
    out.details = fromPayloads(a.details);
    const delay = protoDurationToMs(a.nextRetryDelay);
    if (delay !== null) out.nextRetryDelayMs = delay;
    if (a.category) out.category = enumName('ApplicationErrorCategory', a.category, 'APPLICATION_ERROR_CATEGORY_');
  } else if (f.timeoutFailureInfo) {
    out.type = 'TimeoutError';
    out.message = message || 'Timeout';
    out.timeoutType = f.timeoutFailureInfo.timeoutType ? enumName('TimeoutType', f.timeoutFailureInfo.timeoutType, 'TIMEOUT_TYPE_') : null;
    out.lastHeartbeatDetails = fromPayloads(f.timeoutFailureInfo.lastHeartbeatDetails);
  } else if (f.canceledFailureInfo) {
    out.type = 'CancelledError';
    out.message = message || 'Cancelled';
    out.details = fromPayloads(f.canceledFailureInfo.details);
  } else if (f.terminatedFailureInfo) {
    out.type = 'TerminatedError';
    out.message = message || 'Terminated';
  } else if (f.serverFailureInfo) {
    out.type = 'ServerError';
    out.nonRetryable = Boolean(f.serverFailureInfo.nonRetryable);
  } else if (f.activityFailureInfo) {
    const a = f.activityFailureInfo;
    out.type = 'ActivityError';
    out.message = message || 'Activity error';
    out.activityType = a.activityType?.name ?? null;
    out.activityId = a.activityId ?? null;
    out.identity = a.identity ?? null;
    out.scheduledEventId = toNumber(a.scheduledEventId);
    out.startedEventId = toNumber(a.startedEventId);
    out.retryState = retryState(a.retryState);
  } else if (f.childWorkflowExecutionFailureInfo) {
    const c = f.childWorkflowExecutionFailureInfo;
    out.type = 'ChildWorkflowError';
    out.message = message || 'Child workflow error';
    out.namespace = c.namespace ?? null;
    out.workflowId = c.workflowExecution?.workflowId ?? null;
    out.runId = c.workflowExecution?.runId ?? null;
    out.workflowType = c.workflowType?.name ?? null;
    out.initiatedEventId = toNumber(c.initiatedEventId);
    out.startedEventId = toNumber(c.startedEventId);
    out.retryState = retryState(c.retryState);
  } else if (f.nexusOperationExecutionFailureInfo) {
    const n = f.nexusOperationExecutionFailureInfo;
    out.type = 'NexusOperationError';
    out.scheduledEventId = toNumber(n.scheduledEventId);
    out.endpoint = n.endpoint ?? null;
    out.service = n.service ?? null;
    out.operation = n.operation ?? null;
    out.operationToken = n.operationToken ?? null;
  } else if (f.resetWorkflowFailureInfo) {
    out.lastHeartbeatDetails = fromPayloads(f.resetWorkflowFailureInfo.lastHeartbeatDetails);
  }
  if (!out.message) out.message = 'Failure error';
  if (stackTrace) out.stackTrace = stackTrace;
  if (f.source) out.source = f.source;
  if (f.cause) {
    out.cause = depth < MAX_DEPTH ? decodeFailure(f.cause, depth + 1) : { type: 'FailureError', message: 'cause chain truncated' };
  }
  return out;
}
