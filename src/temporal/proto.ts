/**
 * Temporal's protobuf message types.
 *
 * The TypeScript types come from `@temporalio/proto`. At run time the messages come from
 * `temporal-api.json`, the subset of its descriptors that the daemon's WorkflowService
 * calls reach (written by scripts/build-protos.js at build time); loading that instead of
 * the package's whole root halves start-up. Without the file, the whole root is used.
 * int64 fields decode as `Long`, `bytes` as `Buffer`, enums as numbers. Only this folder
 * imports this module.
 */
import type * as P from '@temporalio/proto';
import * as protobuf from 'protobufjs/light';
import Long from 'long';

protobuf.util.Long = Long;
protobuf.configure();

function loadRoot(): protobuf.Root {
  try {
    return protobuf.Root.fromJSON(require('./temporal-api.json'));
  } catch {
    return require('@temporalio/proto/protos/json-module') as protobuf.Root;
  }
}

const root = loadRoot();

function namespace<T>(name: string): T {
  return root.lookup(name) as unknown as T;
}

export const workflowservice = namespace<typeof P.temporal.api.workflowservice.v1>('temporal.api.workflowservice.v1');
export const enums = namespace<typeof P.temporal.api.enums.v1>('temporal.api.enums.v1');
export const errordetails = namespace<typeof P.temporal.api.errordetails.v1>('temporal.api.errordetails.v1');
export const rpcStatus = root.lookupType('google.rpc.Status') as unknown as typeof P.google.rpc.Status;

export type IPayload = P.temporal.api.common.v1.IPayload;
export type IPayloads = P.temporal.api.common.v1.IPayloads;
export type IFailure = P.temporal.api.failure.v1.IFailure;
export type IHistoryEvent = P.temporal.api.history.v1.IHistoryEvent;
export type IRetryPolicy = P.temporal.api.common.v1.IRetryPolicy;
export type IUpdateOutcome = P.temporal.api.update.v1.IOutcome;
export type IWorkflowExecutionInfo = P.temporal.api.workflow.v1.IWorkflowExecutionInfo;
export type DescribeWorkflowExecutionResponse = P.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;

const enumCache = new Map<string, Record<number, string>>();

/**
 * The name of an enum value with its prefix stripped, e.g.
 * `enumName('WorkflowExecutionStatus', 2, 'WORKFLOW_EXECUTION_STATUS_')` is `COMPLETED`.
 * Unknown numbers come back as their decimal string so nothing is lost.
 */
export function enumName(enumType: string, value: number | null | undefined, prefix: string): string | null {
  if (value === null || value === undefined) return null;
  let byId = enumCache.get(enumType);
  if (!byId) {
    byId = root.lookupEnum(`temporal.api.enums.v1.${enumType}`).valuesById;
    enumCache.set(enumType, byId);
  }
  const full = byId[value];
  if (full === undefined) return String(value);
  return full.startsWith(prefix) ? full.slice(prefix.length) : full;
}

/** Converts an int64 that protobufjs decoded (a Long, or a number) to a JS number. */
export function toNumber(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** The reflected message type of a full protobuf name, e.g. `temporal.api.history.v1.History` (for proto3 JSON). */
const typesByName = new Map<string, protobuf.Type>();

/** The reflected type of `fullName` (looked up once: a lookup walks the namespace tree). */
export function messageType(fullName: string): protobuf.Type {
  let t = typesByName.get(fullName);
  if (!t) {
    t = root.lookupType(fullName);
    typesByName.set(fullName, t);
  }
  return t;
}
