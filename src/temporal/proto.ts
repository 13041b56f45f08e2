/**
 * Temporal's protobuf message types, from `@temporalio/proto`.
 *
 * The root is a protobufjs reflection root; int64 fields decode as `Long`,
 * `bytes` as `Buffer`, enums as numbers. Only this folder imports it.
 */
import * as proto from '@temporalio/proto';
import type * as protobuf from 'protobufjs';

export const temporal = proto.temporal;
export const google = proto.google;

export import workflowservice = proto.temporal.api.workflowservice.v1;
export import common = proto.temporal.api.common.v1;
export import enums = proto.temporal.api.enums.v1;
export import failure = proto.temporal.api.failure.v1;
export import history = proto.temporal.api.history.v1;
export import errordetails = proto.temporal.api.errordetails.v1;
export import workflow = proto.temporal.api.workflow.v1;

export type IPayload = proto.temporal.api.common.v1.IPayload;
export type IPayloads = proto.temporal.api.common.v1.IPayloads;
export type IFailure = proto.temporal.api.failure.v1.IFailure;
export type IHistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

// The unpatched reflection root, for enum reverse lookups (number -> name).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const reflectionRoot: protobuf.Root = require('@temporalio/proto/protos/json-module');

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
    byId = reflectionRoot.lookupEnum(`temporal.api.enums.v1.${enumType}`).valuesById;
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
