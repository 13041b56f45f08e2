/**
 * `startWorkflow` options, with the Python SDK's defaults, compiled to the start request.
 * Throws `TypeError` naming the option that is wrong.
 */
import { optionalDuration, parseDuration } from './durations';
import { enums, type IRetryPolicy } from './proto';
import { toPayload, toPayloads } from './payload-converter';

export const ID_REUSE_POLICIES = ['ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY', 'REJECT_DUPLICATE', 'TERMINATE_IF_RUNNING'] as const;
export const ID_CONFLICT_POLICIES = ['UNSPECIFIED', 'FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'] as const;
export type IdReusePolicy = (typeof ID_REUSE_POLICIES)[number];
export type IdConflictPolicy = (typeof ID_CONFLICT_POLICIES)[number];

/** A duration: a string in the CLI's syntax (`"1.5s"`) or a number of milliseconds. */
export type Duration = string | number;

export interface RetryPolicy {
  /** @default "1s" */
  initialInterval?: Duration;
  /** @default 2.0 */
  backoffCoefficient?: number;
  /** @default 100 × initialInterval (the server's default) */
  maximumInterval?: Duration;
  /** 0 means unlimited. @default 0 */
  maximumAttempts?: number;
  nonRetryableErrorTypes?: string[];
}

export interface StartWorkflowOptions {
  workflowType: string;
  taskQueue: string;
  workflowId: string;
  args?: unknown[];
  namespace?: string;
  executionTimeout?: Duration;
  runTimeout?: Duration;
  taskTimeout?: Duration;
  /** @default "ALLOW_DUPLICATE" */
  idReusePolicy?: IdReusePolicy;
  /** @default "UNSPECIFIED" (the server fails a duplicate start) */
  idConflictPolicy?: IdConflictPolicy;
  retryPolicy?: RetryPolicy;
  cronSchedule?: string;
  memo?: Record<string, unknown>;
  /** Attribute name to value; the server knows each attribute's type. */
  searchAttributes?: Record<string, unknown>;
  startDelay?: Duration;
  /** Starts with signal-with-start: this signal is delivered with the start. */
  startSignal?: string;
  startSignalArgs?: unknown[];
  staticSummary?: string;
  staticDetails?: string;
}

function enumValue<T extends string>(value: unknown, allowed: readonly T[], what: string, prefix: string, table: Record<string, number>): number {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new TypeError(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return table[`${prefix}${value}`]!;
}

export function idReusePolicyValue(v: unknown): number {
  return enumValue(v ?? 'ALLOW_DUPLICATE', ID_REUSE_POLICIES, 'idReusePolicy', 'WORKFLOW_ID_REUSE_POLICY_', enums.WorkflowIdReusePolicy as unknown as Record<string, number>);
}

export function idConflictPolicyValue(v: unknown): number {
  return enumValue(v ?? 'UNSPECIFIED', ID_CONFLICT_POLICIES, 'idConflictPolicy', 'WORKFLOW_ID_CONFLICT_POLICY_', enums.WorkflowIdConflictPolicy as unknown as Record<string, number>);
}

export function compileRetryPolicy(p: RetryPolicy | undefined): IRetryPolicy | undefined {
  if (p === undefined || p === null) return undefined;
  if (typeof p !== 'object' || Array.isArray(p)) throw new TypeError('retryPolicy must be an object');
  const initial = parseDuration(p.initialInterval ?? 1000, 'retryPolicy.initialInterval');
  const coefficient = p.backoffCoefficient ?? 2.0;
  if (typeof coefficient !== 'number' || !(coefficient >= 1)) throw new TypeError('retryPolicy.backoffCoefficient must be a number of at least 1');
  const attempts = p.maximumAttempts ?? 0;
  if (!Number.isInteger(attempts) || attempts < 0) throw new TypeError('retryPolicy.maximumAttempts must be a non-negative integer');
  const maxInterval = p.maximumInterval === undefined || p.maximumInterval === null ? undefined : parseDuration(p.maximumInterval, 'retryPolicy.maximumInterval');
  if (maxInterval !== undefined && maxInterval < initial && attempts !== 1) {
    throw new TypeError('retryPolicy.maximumInterval must not be below retryPolicy.initialInterval');
  }
  const types = p.nonRetryableErrorTypes ?? [];
  if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) throw new TypeError('retryPolicy.nonRetryableErrorTypes must be an array of strings');
  for (const k of Object.keys(p)) {
    if (!['initialInterval', 'backoffCoefficient', 'maximumInterval', 'maximumAttempts', 'nonRetryableErrorTypes'].includes(k)) {
      throw new TypeError(`retryPolicy has an unknown field "${k}"`);
    }
  }
  return {
    initialInterval: optionalDuration(initial, 'retryPolicy.initialInterval'),
    backoffCoefficient: coefficient,
    maximumInterval: maxInterval === undefined ? undefined : optionalDuration(maxInterval, 'retryPolicy.maximumInterval'),
    maximumAttempts: attempts,
    nonRetryableErrorTypes: types,
  };
}

function payloadMap(m: Record<string, unknown> | undefined, what: string) {
  if (m === undefined || m === null) return undefined;
  if (typeof m !== 'object' || Array.isArray(m)) throw new TypeError(`${what} must be an object`);
  // fromEntries makes own properties: a key named "__proto__" stays a key.
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, toPayload(v, `${what}.${k}`)]));
}

function requiredString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new TypeError(`${what} must be a non-empty string`);
  return v;
}

function optionalString(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new TypeError(`${what} must be a string`);
  return v;
}

function optionalList(v: unknown, what: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new TypeError(`${what} must be an array`);
  return v;
}

/** The fields shared by StartWorkflowExecution and SignalWithStartWorkflowExecution. */
export function compileStartFields(o: StartWorkflowOptions) {
  if (typeof o !== 'object' || o === null) throw new TypeError('start options must be an object');
  requiredString(o.workflowId, 'workflowId');
  requiredString(o.workflowType, 'workflowType');
  requiredString(o.taskQueue, 'taskQueue');
  if (o.namespace !== undefined && o.namespace !== null) requiredString(o.namespace, 'namespace');
  if (o.startSignal !== undefined && o.startSignal !== null) requiredString(o.startSignal, 'startSignal');
  const args = optionalList(o.args, 'args');
  const signalArgs = optionalList(o.startSignalArgs, 'startSignalArgs');
  if (signalArgs) toPayloads(signalArgs, 'startSignalArgs');
  const memo = payloadMap(o.memo, 'memo');
  const sa = payloadMap(o.searchAttributes, 'searchAttributes');
  if (o.cronSchedule !== undefined && typeof o.cronSchedule !== 'string') throw new TypeError('cronSchedule must be a string');
  const summaryText = optionalString(o.staticSummary, 'staticSummary');
  const detailsText = optionalString(o.staticDetails, 'staticDetails');
  const summary = summaryText === undefined ? undefined : toPayload(summaryText, 'staticSummary');
  const details = detailsText === undefined ? undefined : toPayload(detailsText, 'staticDetails');
  return {
    workflowId: o.workflowId,
    workflowType: { name: o.workflowType },
    taskQueue: { name: o.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    input: toPayloads(args, 'args'),
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
