/**
 * History events in the JSON form of Temporal's API: protobuf's canonical proto3 JSON, as
 * `temporal workflow show -o json` prints it and as the SDKs' replayers read it
 * (temporalio's `WorkflowHistory.from_json`, the TS SDK's `historyFromJSON`):
 * lowerCamelCase field names, enums by their full names (`EVENT_TYPE_WORKFLOW_EXECUTION_STARTED`),
 * int64 as decimal strings, Timestamps in RFC 3339 with 0, 3, 6 or 9 fraction digits,
 * Durations as `"10s"` / `"0.500s"`, bytes in base64, fields at their default left out, and
 * payloads untouched (`{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}`).
 *
 * The writer is protobufjs's own ProtoJSON extension (`protobufjs/ext/protojson`, derived from
 * Google's proto3-json-serializer, which the TS SDK's `historyToJSON` also uses) over the
 * reflected types of ./proto.
 *
 * With `decode`, for display only (a decoded history no longer replays): each Payload becomes
 * the protocol's value for it (payload-converter.ts: a JSON value, `{"$bytes"}` or
 * `{"$payload"}`, so nothing is lost) and each Payloads message the list of those values,
 * as Temporal's own "payload shorthand" does.
 */
import * as protojson from 'protobufjs/ext/protojson';
import type * as protobuf from 'protobufjs/light';
import { messageType, type IHistoryEvent, type IPayload } from './proto';
import { fromPayload, type JsonValue } from './payload-converter';
import { carriers } from './payload-visitor';

/** One history event in proto3 JSON. */
export type HistoryEventJson = { [key: string]: JsonValue };

const PAYLOAD = '.temporal.api.common.v1.Payload';
const PAYLOADS = '.temporal.api.common.v1.Payloads';

let historyType: protobuf.Type | undefined;

/** Events (as protobufjs decoded them) to proto3 JSON; `decode` turns their payloads into values. */
export function eventsToJson(events: readonly IHistoryEvent[], decode = false): HistoryEventJson[] {
  if (events.length === 0) return [];
  historyType ??= messageType('temporal.api.history.v1.History');
  // One conversion per page: the writer resolves the type tree once per call.
  const json = protojson.toJson(historyType, { events }) as { events?: HistoryEventJson[] };
  const out = json.events ?? [];
  if (decode) {
    const eventType = historyType.fields.events!.resolve().resolvedType as protobuf.Type;
    for (const e of out) decodeMessage(eventType, e);
  }
  return out;
}

/** The document replayers read: `{"events": [...]}`. */
export function historyDocument(events: HistoryEventJson[]): { events: HistoryEventJson[] } {
  return { events };
}

function payloadFromJson(j: JsonValue): IPayload {
  const o = (j ?? {}) as { metadata?: Record<string, string>; data?: string };
  const metadata: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(o.metadata ?? {})) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(o.data ?? '', 'base64') };
}

function decodeSingle(type: protobuf.Type, v: JsonValue): JsonValue {
  if (type.fullName === PAYLOAD) return fromPayload(payloadFromJson(v));
  if (type.fullName === PAYLOADS) {
    const list = ((v as { payloads?: JsonValue[] } | null)?.payloads ?? []) as JsonValue[];
    return list.map((p) => fromPayload(payloadFromJson(p)));
  }
  decodeMessage(type, v as HistoryEventJson);
  return v;
}

/** Replaces, in place, every Payload and Payloads under `json` (of message type `type`). */
function decodeMessage(type: protobuf.Type, json: HistoryEventJson): void {
  for (const field of carriers(type, 'all')) {
    const v = json[field.jsonName!];
    if (v === undefined || v === null) continue;
    const ft = field.resolvedType as protobuf.Type;
    if (field.map) {
      const m = v as { [k: string]: JsonValue };
      for (const k of Object.keys(m)) m[k] = decodeSingle(ft, m[k]!);
    } else if (field.repeated) {
      const a = v as JsonValue[];
      for (let i = 0; i < a.length; i++) a[i] = decodeSingle(ft, a[i]!);
    } else {
      json[field.jsonName!] = decodeSingle(ft, v);
    }
  }
}
