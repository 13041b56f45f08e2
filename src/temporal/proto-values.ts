/**
 * A decoded protobuf message as the protocol shows it (PROTOCOL.md, "Visibility and
 * introspection": describe's details), walked over its reflected type so that every field
 * of Temporal's protos comes through, including ones added after this was written:
 *
 * - field names as in Temporal's protos, in lowerCamelCase; every field of the type is there
 *   (an unset message or enum is null, a scalar its default, a list or an unset Payloads empty);
 * - Payload → the protocol's value, Payloads → a list of values, Failure → a Failure
 *   (failure-converter.ts), Memo / SearchAttributes / Header → their fields decoded;
 * - enums by name without their type's prefix (`STARTED` for `PENDING_ACTIVITY_STATE_STARTED`),
 *   the unspecified value as null, an unknown number as its decimal string;
 * - Timestamps as RFC 3339, Durations as protobuf's JSON form (`"10s"`, `"1.500s"`);
 * - ActivityType, WorkflowType and the like (a message of one `name`) as that name;
 * - int64 as a number where a double holds it exactly, else as a decimal string; bytes in base64;
 * - of a oneof, only the member that is set.
 */
import type * as protobuf from 'protobufjs/light';
import { messageType, type IFailure, type IPayload } from './proto';
import { fromPayload, fromPayloads, type JsonValue } from './payload-converter';
import { decodeFailure } from './failure-converter';
import { timestampToIso } from './durations';

const PAYLOADS = '.temporal.api.common.v1.Payloads';
const NAMED = new Set(['.temporal.api.common.v1.ActivityType', '.temporal.api.common.v1.WorkflowType']);

type Special = (v: Record<string, unknown>) => JsonValue;
const decodeFields = (m: unknown): JsonValue => Object.fromEntries(Object.entries((m ?? {}) as Record<string, IPayload>).map(([k, p]) => [k, fromPayload(p)])) as JsonValue;

const SPECIAL: Record<string, Special> = {
  '.temporal.api.common.v1.Payload': (v) => fromPayload(v as IPayload),
  '.temporal.api.common.v1.Payloads': (v) => fromPayloads(v as { payloads?: IPayload[] }),
  '.temporal.api.failure.v1.Failure': (v) => decodeFailure(v as IFailure) as unknown as JsonValue,
  '.temporal.api.common.v1.Memo': (v) => decodeFields(v.fields),
  '.temporal.api.common.v1.SearchAttributes': (v) => decodeFields(v.indexedFields),
  '.temporal.api.common.v1.Header': (v) => decodeFields(v.fields),
  '.google.protobuf.Timestamp': (v) => timestampToIso(v as { seconds?: unknown; nanos?: number }),
  '.google.protobuf.Duration': (v) => durationJson(v as { seconds?: unknown; nanos?: number }),
};

/** `message` (decoded by protobufjs, or a plain object of its fields) of type `fullName`, as the protocol shows it. */
export function protoValue(fullName: string, message: object | null | undefined): JsonValue {
  if (message === null || message === undefined) return null;
  return messageValue(messageType(fullName), message as Record<string, unknown>);
}

/** How a type's messages are shown, worked out once per type: protobufjs builds `fullName` on each read. */
const kinds = new Map<protobuf.Type, Special | 'named' | 'fields'>();

function kindOf(type: protobuf.Type): Special | 'named' | 'fields' {
  let kind = kinds.get(type);
  if (kind === undefined) {
    kind = SPECIAL[type.fullName] ?? (NAMED.has(type.fullName) ? 'named' : 'fields');
    kinds.set(type, kind);
  }
  return kind;
}

function messageValue(type: protobuf.Type, m: Record<string, unknown>): JsonValue {
  const kind = kindOf(type);
  if (typeof kind === 'function') return kind(m);
  if (kind === 'named') return typeof m.name === 'string' ? m.name : null;
  const out: { [k: string]: JsonValue } = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    // Of a oneof, only the member that is set (protobufjs names it in the oneof's virtual field).
    if (field.partOf && m[field.partOf.name] !== field.name && !Object.hasOwn(m, field.name)) continue;
    out[field.name] = fieldValue(field, m[field.name]);
  }
  return out;
}

function fieldValue(field: protobuf.Field, v: unknown): JsonValue {
  if (field.map) {
    const o: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries((v ?? {}) as Record<string, unknown>)) o[k] = singleValue(field, x);
    return o;
  }
  if (field.repeated) return ((v ?? []) as unknown[]).map((x) => singleValue(field, x));
  return singleValue(field, v);
}

function singleValue(field: protobuf.Field, v: unknown): JsonValue {
  const t = field.resolvedType;
  if (t && 'values' in t) return enumValue(t as protobuf.Enum, v as number | null | undefined);
  if (t && (v === null || v === undefined)) return kindOf(t as protobuf.Type) === SPECIAL[PAYLOADS] ? [] : null;
  if (t) return messageValue(t as protobuf.Type, v as Record<string, unknown>);
  switch (field.type) {
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return int64Value(v);
    case 'bytes':
      return Buffer.from((v ?? []) as Uint8Array).toString('base64');
    default:
      return (v ?? field.defaultValue ?? null) as JsonValue;
  }
}

const prefixes = new Map<protobuf.Enum, string>();

function enumValue(e: protobuf.Enum, v: number | null | undefined): JsonValue {
  if (!v) return null;
  const full = e.valuesById[v];
  if (full === undefined) return String(v);
  let prefix = prefixes.get(e);
  if (prefix === undefined) {
    // PendingActivityState → PENDING_ACTIVITY_STATE_
    prefix = `${e.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}_`;
    prefixes.set(e, prefix);
  }
  return full.startsWith(prefix) ? full.slice(prefix.length) : full;
}

function int64Value(v: unknown): JsonValue {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const text = String(v);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** A Duration in protobuf's JSON form: seconds with 0, 3, 6 or 9 fraction digits and `s`. */
function durationJson(d: { seconds?: unknown; nanos?: number | null }): JsonValue {
  const secs = String(d.seconds ?? 0);
  const nanos = Math.abs(Math.trunc(d.nanos ?? 0));
  if (nanos === 0) return `${secs}s`;
  let fraction = String(nanos).padStart(9, '0');
  while (fraction.endsWith('000')) fraction = fraction.slice(0, -3);
  const sign = secs === '0' && (d.nanos ?? 0) < 0 ? '-' : '';
  return `${sign}${secs}.${fraction}s`;
}
