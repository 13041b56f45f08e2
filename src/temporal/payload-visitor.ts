/**
 * Every Payload inside a protobuf message, found by walking its reflected type, as Temporal's
 * own payload visitors find them for a codec (Go's `proxy.VisitPayloads` with
 * `SkipSearchAttributes`): search attributes are left out, because the server must read them.
 * A Payloads message is reached through its repeated `payloads` field, a Failure's
 * `encodedAttributes` and details like any other field, and history events in full.
 */
import type * as protobuf from 'protobufjs/light';
import type { IPayload } from './proto';

const PAYLOAD = '.temporal.api.common.v1.Payload';
/** Not for the codec: the server indexes them. */
const SKIPPED = new Set(['.temporal.api.common.v1.SearchAttributes']);

/** Where a payload sits: `holder[key]` (a message field, a list index or a map key). */
export interface PayloadSlot {
  holder: Record<string | number, unknown>;
  key: string | number;
}

/** The slots of every payload in `message` (of type `type`), in a stable order. */
export function payloadSlots(type: protobuf.Type, message: object): PayloadSlot[] {
  const out: PayloadSlot[] = [];
  visit(type, message as Record<string, unknown>, out);
  return out;
}

function visit(type: protobuf.Type, m: Record<string, unknown>, out: PayloadSlot[]): void {
  for (const f of carriers(type)) {
    const v = m[f.name];
    if (v === null || v === undefined) continue;
    const t = f.resolvedType as protobuf.Type;
    if (f.map) for (const k of Object.keys(v as object)) single(t, v as Record<string, unknown>, k, out);
    else if (f.repeated) for (let i = 0; i < (v as unknown[]).length; i++) single(t, v as unknown as Record<number, unknown>, i, out);
    else single(t, m, f.name, out);
  }
}

function single(t: protobuf.Type, holder: Record<string | number, unknown>, key: string | number, out: PayloadSlot[]): void {
  const v = holder[key];
  if (v === null || v === undefined) return;
  if (t.fullName === PAYLOAD) out.push({ holder, key });
  else visit(t, v as Record<string, unknown>, out);
}

const caches = { all: new Map<string, protobuf.Field[]>(), codec: new Map<string, protobuf.Field[]>() };
const containsCaches = { all: new Map<string, boolean>(), codec: new Map<string, boolean>() };

/**
 * The message fields of `type` through which a payload can be reached: for the codec (`codec`,
 * the default) not through search attributes; for display (`all`, history-json.ts's decode) through every field.
 */
export function carriers(type: protobuf.Type, which: 'codec' | 'all' = 'codec'): protobuf.Field[] {
  const cache = caches[which];
  let c = cache.get(type.fullName);
  if (!c) {
    c = type.fieldsArray.filter((f) => {
      const t = f.resolve().resolvedType;
      return t !== null && 'fieldsArray' in t && containsPayload(t as protobuf.Type, which, new Set());
    });
    cache.set(type.fullName, c);
  }
  return c;
}

function containsPayload(type: protobuf.Type, which: 'codec' | 'all', seen: Set<string>): boolean {
  if (which === 'codec' && SKIPPED.has(type.fullName)) return false;
  const cache = containsCaches[which];
  const known = cache.get(type.fullName);
  if (known !== undefined) return known;
  if (type.fullName === PAYLOAD) return true;
  if (seen.has(type.fullName)) return false; // a cycle (Failure.cause): decided by the type's other fields
  seen.add(type.fullName);
  let found = false;
  for (const f of type.fieldsArray) {
    const t = f.resolve().resolvedType;
    if (t !== null && 'fieldsArray' in t && containsPayload(t as protobuf.Type, which, seen)) {
      found = true;
      break;
    }
  }
  // Only a definite answer is cached; one cut short by a cycle is worked out again from the top.
  if (found || seen.size === 1) cache.set(type.fullName, found);
  seen.delete(type.fullName);
  return found;
}

/** The payload at a slot. */
export function payloadAt(s: PayloadSlot): IPayload {
  return s.holder[s.key] as IPayload;
}
