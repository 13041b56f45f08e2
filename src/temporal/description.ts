/**
 * `DescribeWorkflowExecutionResponse` to PROTOCOL.md's WorkflowExecutionDescription.
 */
import type { WorkflowExecution, WorkflowExecutionDescription } from '@temporal-handled/protocol';
import { enumName, toNumber, type DescribeWorkflowExecutionResponse, type IWorkflowExecutionInfo } from './proto';
import { fromPayload, type JsonValue } from './payload-converter';
import { timestampToIso } from './durations';
import { decodeTypedSearchAttributes } from './search-attributes';
import { protoValue } from './proto-values';
import * as protojson from 'protobufjs/ext/protojson';
import { messageType } from './proto';

export type { WorkflowExecution, WorkflowExecutionDescription };

export function statusName(status: number | null | undefined): string | null {
  return status ? enumName('WorkflowExecutionStatus', status, 'WORKFLOW_EXECUTION_STATUS_') : null;
}

function decodeMap(fields: Record<string, Parameters<typeof fromPayload>[0]> | null | undefined): Record<string, JsonValue> {
  // fromEntries makes own properties: a key named "__proto__" stays a key.
  return Object.fromEntries(Object.entries(fields ?? {}).map(([k, v]) => [k, fromPayload(v)]));
}

/** What a list entry carries of a run (visibility's WorkflowExecutionInfo), decoded. */
export function toExecution(info: IWorkflowExecutionInfo | null | undefined, namespace: string): WorkflowExecution {
  return {
    namespace,
    workflowId: info?.execution?.workflowId ?? '',
    runId: info?.execution?.runId ?? '',
    workflowType: info?.type?.name ?? '',
    taskQueue: info?.taskQueue ?? '',
    status: statusName(info?.status),
    startTime: timestampToIso(info?.startTime),
    executionTime: timestampToIso(info?.executionTime),
    closeTime: timestampToIso(info?.closeTime),
    historyLength: toNumber(info?.historyLength),
    parentWorkflowId: info?.parentExecution?.workflowId || null,
    parentRunId: info?.parentExecution?.runId || null,
    rootWorkflowId: info?.rootExecution?.workflowId || null,
    rootRunId: info?.rootExecution?.runId || null,
    memo: decodeMap(info?.memo?.fields),
    searchAttributes: decodeMap(info?.searchAttributes?.indexedFields),
    typedSearchAttributes: decodeTypedSearchAttributes(info?.searchAttributes?.indexedFields),
  };
}

const W = 'temporal.api.workflow.v1.';
const PENDING_WORKFLOW_TASK = `${W}PendingWorkflowTaskInfo`;
const VERSIONING_INFO = `${W}WorkflowExecutionVersioningInfo`;

/** Each of `list` as the protocol shows a message of `type` (proto-values.ts). */
function details<T>(type: string, list: readonly object[] | null | undefined): T[] {
  if (!list?.length) return [];
  const fullName = W + type;
  return list.map((m) => protoValue(fullName, m) as T);
}

export function describeResponseType() {
  return messageType('temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse');
}

/** The whole response in protobuf JSON, payloads as they are in it. */
export function describeResponseJson(res: DescribeWorkflowExecutionResponse): Record<string, unknown> {
  return protojson.toJson(describeResponseType(), res) as Record<string, unknown>;
}

/** The run's description (its payloads as the response holds them: decode them first). */
export function toDescription(res: DescribeWorkflowExecutionResponse, namespace: string): WorkflowExecutionDescription {
  const info = res.workflowExecutionInfo;
  const meta = res.executionConfig?.userMetadata;
  const more: Omit<WorkflowExecutionDescription, keyof WorkflowExecution | 'raw'> = {
    historySizeBytes: toNumber(info?.historySizeBytes),
    staticSummary: meta?.summary ? fromPayload(meta.summary) : null,
    staticDetails: meta?.details ? fromPayload(meta.details) : null,
    pendingActivityCount: res.pendingActivities?.length ?? 0,
    pendingChildrenCount: res.pendingChildren?.length ?? 0,
    pendingActivities: details('PendingActivityInfo', res.pendingActivities),
    pendingChildren: details('PendingChildExecutionInfo', res.pendingChildren),
    pendingNexusOperations: details('PendingNexusOperationInfo', res.pendingNexusOperations),
    callbacks: details('CallbackInfo', res.callbacks),
    pendingWorkflowTask: res.pendingWorkflowTask ? (protoValue(PENDING_WORKFLOW_TASK, res.pendingWorkflowTask) as WorkflowExecutionDescription['pendingWorkflowTask']) : null,
    versioningInfo: info?.versioningInfo ? (protoValue(VERSIONING_INFO, info.versioningInfo) as Record<string, unknown>) : null,
    priority: info?.priority ? (protoValue('temporal.api.common.v1.Priority', info.priority) as WorkflowExecutionDescription['priority']) : null,
  };
  // Not a spread with keys after it (ARCHITECTURE.md, "Per-call objects").
  return Object.assign(toExecution(info, namespace), more);
}
