/**
 * The protocol's values (PROTOCOL.md "Values") to and from Temporal payloads.
 *
 * - a JSON value is one `json/plain` payload;
 * - `{"$bytes": "<base64>"}` is a `binary/plain` payload;
 * - `{"$payload": {"metadata": {KEY: "<base64>"}, "data": "<base64>"}}` passes through as it is.
 *
 * Decoding never loses anything: encodings it does not understand come back as `$payload`,
 * and JSON numbers a double would change stay exact (`ExactNumber`, src/json/exact-json.ts).
 */
import type { IPayload } from './proto';
import { parseExact, stringifyExact } from '../json/exact-json';
import { InvalidArgumentError } from './invalid-argument';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const ENCODING = 'encoding';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Thrown for a value that cannot become a payload; the message names where it was. */
export class ValueError extends InvalidArgumentError {
  override name = 'ValueError';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeBase64(s: unknown, where: string): Buffer {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !BASE64.test(s)) {
    throw new ValueError(`${where} must be a base64 string`);
  }
  return Buffer.from(s, 'base64');
}

/** Encodes one protocol value; `where` names it in error messages (e.g. `args[0]`). */
export function toPayload(value: unknown, where = 'value'): IPayload {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes') {
      return { metadata: { [ENCODING]: Buffer.from('binary/plain') }, data: decodeBase64(value.$bytes, `${where}.$bytes`) };
    }
    if (keys.length === 1 && keys[0] === '$payload') {
      const p = value.$payload;
      if (!isPlainObject(p)) throw new ValueError(`${where}.$payload must be an object {metadata, data}`);
      const metadata: Record<string, Buffer> = {};
      if (p.metadata !== undefined) {
        if (!isPlainObject(p.metadata)) throw new ValueError(`${where}.$payload.metadata must be an object of base64 strings`);
        for (const [k, v] of Object.entries(p.metadata)) metadata[k] = decodeBase64(v, `${where}.$payload.metadata.${k}`);
      }
      const data = p.data === undefined ? Buffer.alloc(0) : decodeBase64(p.data, `${where}.$payload.data`);
      return { metadata, data };
    }
  }
  let text: string | undefined;
  try {
    text = stringifyExact(value);
  } catch (err) {
    throw new ValueError(`${where} cannot be encoded as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new ValueError(`${where} is not a JSON value`);
  return { metadata: { [ENCODING]: Buffer.from('json/plain') }, data: Buffer.from(text, 'utf8') };
}

/** Encodes a list of values; an empty or missing list is `undefined`, as the SDKs send it. */
export function toPayloads(values: readonly unknown[] | undefined, where = 'args'): { payloads: IPayload[] } | undefined {
  if (!values || values.length === 0) return undefined;
  return { payloads: values.map((v, i) => toPayload(v, `${where}[${i}]`)) };
}

function metadataString(p: IPayload, key: string): string | undefined {
  const v = p.metadata?.[key];
  return v ? Buffer.from(v).toString('utf8') : undefined;
}

function asPassthrough(p: IPayload): JsonValue {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v).toString('base64');
  return { $payload: { metadata, data: Buffer.from(p.data ?? []).toString('base64') } };
}

function isTaggedForm(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === '$bytes' || keys[0] === '$payload');
}

/** Decodes one payload to a protocol value. */
export function fromPayload(p: IPayload | null | undefined): JsonValue {
  if (!p) return null;
  const encoding = metadataString(p, ENCODING);
  const data = Buffer.from(p.data ?? []);
  switch (encoding) {
    case 'binary/null':
      return data.length === 0 ? null : asPassthrough(p);
    case 'binary/plain':
      return { $bytes: data.toString('base64') };
    case 'json/plain':
    case 'json/protobuf':
      try {
        const v = parseExact(data.toString('utf8')) as JsonValue;
        // A JSON object that reads as one of the protocol's own forms ({"$bytes"} or
        // {"$payload"}) would come back as bytes, or as a payload it is not: it passes
        // through as the payload it is, so that it comes back as it went in.
        return isPlainObject(v) && isTaggedForm(v) ? asPassthrough(p) : v;
      } catch {
        return asPassthrough(p);
      }
    default:
      return asPassthrough(p);
  }
}

/** Decodes every payload of a Payloads message. */
export function fromPayloads(ps: { payloads?: IPayload[] | null } | null | undefined): JsonValue[] {
  return (ps?.payloads ?? []).map(fromPayload);
}

/** The first payload's value, or null when there is none (a workflow's result, a query's answer). */
export function firstValue(ps: { payloads?: IPayload[] | null } | null | undefined): JsonValue {
  const list = ps?.payloads ?? [];
  return list.length === 0 ? null : fromPayload(list[0]);
}
