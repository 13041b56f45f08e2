/**
 * Typed search attributes ({key, type, value}, PROTOCOL.md "Per-call options and typed search
 * attributes") to and from payloads whose `type` metadata names the attribute's type, as the
 * Python SDK writes and reads them ("Keyword", "Int", ...).
 */
import type { SearchAttributeType, TypedSearchAttribute } from '@temporal-handled/protocol';
import { ExactNumber } from '../json/exact-json';
import type { IPayload } from './proto';
import { fromPayload, toPayload, type JsonValue } from './payload-converter';
import { InvalidArgumentError } from './invalid-argument';

/** The `type` metadata of each type, as the SDKs write it. */
const METADATA_TYPE: Record<SearchAttributeType, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** The type a payload's `type` metadata names ("Keyword", or "INDEXED_VALUE_TYPE_KEYWORD" as some writers put it). */
const TYPE_OF_METADATA = new Map<string, SearchAttributeType>(
  Object.entries(METADATA_TYPE).flatMap(([type, meta]) => [
    [meta, type as SearchAttributeType],
    [`INDEXED_VALUE_TYPE_${type}`, type as SearchAttributeType],
  ]),
);

/** RFC 3339 with an offset (Z or ±hh:mm), as Temporal's visibility stores a Datetime. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function isInteger(v: unknown): boolean {
  if (v instanceof ExactNumber) return /^-?\d+$/.test(v.text);
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function isNumber(v: unknown): boolean {
  return v instanceof ExactNumber || (typeof v === 'number' && Number.isFinite(v));
}

/** Whether `value` is one of `type`'s values (an INT beyond 2^53 must come as an exact number). */
function fits(type: SearchAttributeType, value: unknown): boolean {
  switch (type) {
    case 'KEYWORD':
    case 'TEXT':
      return typeof value === 'string';
    case 'INT':
      return isInteger(value);
    case 'DOUBLE':
      return isNumber(value);
    case 'BOOL':
      return typeof value === 'boolean';
    case 'DATETIME':
      return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
    case 'KEYWORD_LIST':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

const EXPECTED: Record<SearchAttributeType, string> = {
  KEYWORD: 'a string',
  TEXT: 'a string',
  INT: 'an integer',
  DOUBLE: 'a finite number',
  BOOL: 'a boolean',
  DATETIME: 'an RFC 3339 date-time with an offset, e.g. 2026-12-01T10:00:00Z',
  KEYWORD_LIST: 'an array of strings',
};

/**
 * The indexed fields of typed search attributes, merged with the untyped ones (`untyped`,
 * already encoded); a key given twice, in either, is refused. `where` names the param.
 */
export function encodeTypedSearchAttributes(
  typed: readonly TypedSearchAttribute[] | undefined,
  untyped: Record<string, IPayload> | undefined,
  where = 'typedSearchAttributes',
): Record<string, IPayload> | undefined {
  if (!typed || typed.length === 0) return untyped;
  const fields: Record<string, IPayload> = { ...untyped };
  const seen = new Set<string>();
  typed.forEach((a, i) => {
    const at = `${where}[${i}]`;
    if (seen.has(a.key)) throw new InvalidArgumentError(`${at}.key: ${JSON.stringify(a.key)} is given twice`);
    if (untyped && Object.hasOwn(untyped, a.key)) throw new InvalidArgumentError(`${at}.key: ${JSON.stringify(a.key)} is also in searchAttributes`);
    seen.add(a.key);
    if (!fits(a.type, a.value)) throw new InvalidArgumentError(`${at}.value must be ${EXPECTED[a.type]} for a ${a.type} attribute`);
    const payload = toPayload(a.value, `${at}.value`);
    payload.metadata = Object.assign({}, payload.metadata, { type: Buffer.from(METADATA_TYPE[a.type]) });
    fields[a.key] = payload;
  });
  return fields;
}

/**
 * The search attributes whose payloads name their type, as the Python SDK's
 * `decode_typed_search_attributes` reads them: a one-item list of a single-valued type is
 * its item; a value that does not fit its type, or a payload without a known type, is left out.
 */
export function decodeTypedSearchAttributes(fields: Record<string, IPayload> | null | undefined): TypedSearchAttribute[] {
  const out: TypedSearchAttribute[] = [];
  for (const [key, payload] of Object.entries(fields ?? {})) {
    const meta = payload.metadata?.type;
    const type = meta ? TYPE_OF_METADATA.get(Buffer.from(meta).toString('utf8')) : undefined;
    if (!type) continue;
    let value: JsonValue = fromPayload(payload);
    if (type !== 'KEYWORD_LIST' && Array.isArray(value)) {
      if (value.length !== 1) continue;
      value = value[0] as JsonValue;
    }
    if (fits(type, value)) out.push({ key, type, value });
  }
  return out;
}
