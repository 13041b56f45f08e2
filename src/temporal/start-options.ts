/**
 * `startWorkflow` options, with the Python SDK's defaults, compiled to the start request.
 *
 * The options' shape is checked where they enter the daemon (against the contract's
 * schema); what a schema cannot say (a duration that does not parse, an interval below
 * another, bytes that are not base64) throws `InvalidArgumentError` naming the option.
 */
import type { IdConflictPolicy, IdReusePolicy, RetryPolicy, StartWorkflowParams } from '@temporal-handled/protocol';
import { optionalDuration, parseDuration } from './durations';
import { enums, type IRetryPolicy } from './proto';
import { toPayload, toPayloads } from './payload-converter';
import { InvalidArgumentError } from './invalid-argument';
import { encodeTypedSearchAttributes } from './search-attributes';

/** The options of a start: the params of the protocol's `workflow/start`, already checked against its schema. */
export type StartWorkflowOptions = StartWorkflowParams;

export function idReusePolicyValue(v: IdReusePolicy | undefined): number {
  return enums.WorkflowIdReusePolicy[`WORKFLOW_ID_REUSE_POLICY_${v ?? 'ALLOW_DUPLICATE'}`];
}

export function idConflictPolicyValue(v: IdConflictPolicy | undefined): number {
  return enums.WorkflowIdConflictPolicy[`WORKFLOW_ID_CONFLICT_POLICY_${v ?? 'UNSPECIFIED'}`];
}

export function compileRetryPolicy(p: RetryPolicy | undefined): IRetryPolicy | undefined {
  if (p === undefined || p === null) return undefined;
  const initial = parseDuration(p.initialInterval ?? 1000, 'retryPolicy.initialInterval');
  const attempts = p.maximumAttempts ?? 0;
  const maxInterval = p.maximumInterval === undefined || p.maximumInterval === null ? undefined : parseDuration(p.maximumInterval, 'retryPolicy.maximumInterval');
  if (maxInterval !== undefined && maxInterval < initial && attempts !== 1) {
    throw new InvalidArgumentError('retryPolicy.maximumInterval must not be below retryPolicy.initialInterval');
  }
  return {
    initialInterval: optionalDuration(initial, 'retryPolicy.initialInterval'),
    backoffCoefficient: p.backoffCoefficient ?? 2.0,
    maximumInterval: maxInterval === undefined ? undefined : optionalDuration(maxInterval, 'retryPolicy.maximumInterval'),
    maximumAttempts: attempts,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes ?? [],
  };
}

function payloadMap(m: Record<string, unknown> | undefined, what: string) {
  if (m === undefined || m === null) return undefined;
  // fromEntries makes own properties: a key named "__proto__" stays a key.
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, toPayload(v, `${what}.${k}`)]));
}

/** The fields shared by StartWorkflowExecution and SignalWithStartWorkflowExecution. */
export function compileStartFields(o: StartWorkflowOptions) {
  if (o.startSignalArgs) toPayloads(o.startSignalArgs, 'startSignalArgs');
  const memo = payloadMap(o.memo, 'memo');
  const sa = encodeTypedSearchAttributes(o.typedSearchAttributes, payloadMap(o.searchAttributes, 'searchAttributes'));
  const summary = o.staticSummary === undefined ? undefined : toPayload(o.staticSummary, 'staticSummary');
  const details = o.staticDetails === undefined ? undefined : toPayload(o.staticDetails, 'staticDetails');
  return {
    workflowId: o.workflowId,
    workflowType: { name: o.workflowType },
    taskQueue: { name: o.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    input: toPayloads(o.args, 'args'),
    workflowExecutionTimeout: optionalDuration(o.executionTimeout, 'executionTimeout'),
    workflowRunTimeout: optionalDuration(o.runTimeout, 'runTimeout'),
    workflowTaskTimeout: optionalDuration(o.taskTimeout, 'taskTimeout'),
    workflowIdReusePolicy: idReusePolicyValue(o.idReusePolicy),
    workflowIdConflictPolicy: idConflictPolicyValue(o.idConflictPolicy),
    retryPolicy: compileRetryPolicy(o.retryPolicy),
    cronSchedule: o.cronSchedule ?? '',
    memo: memo ? { fields: memo } : undefined,
    searchAttributes: sa ? { indexedFields: sa } : undefined,
    workflowStartDelay: optionalDuration(o.startDelay, 'startDelay'),
    userMetadata: summary || details ? { summary, details } : undefined,
  };
}
