/**
 * Validates a request's params against the contract's declaration of its method. The
 * check itself is TypeBox's, compiled at build time (the contract's runtime entry); only
 * when params fail, or hold numbers a double would change, is the declaration itself
 * loaded (TypeBox: tens of milliseconds, once) to word the error or read the schema.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import type { ValueError } from '@sinclair/typebox/errors';
import type { MethodName, ParamsOf } from '@temporal-handled/protocol';
import { methodFacts } from '@temporal-handled/protocol/runtime';
import { ExactNumber, exactNumbersSeen, isJsonObject } from '../json/exact-json';
import { invalidParams } from './response-errors';

const LSP_TOKENS = ['workDoneToken', 'partialResultToken'] as const;

/** The slow path's modules, loaded on first use. */
let slow: { contract: typeof import('@temporal-handled/protocol'); errors: typeof import('@sinclair/typebox/errors') } | undefined;
function slowPath() {
  slow ??= { contract: require('@temporal-handled/protocol'), errors: require('@sinclair/typebox/errors') };
  return slow;
}

/** TypeBox's kind of a schema (its symbol is `Symbol.for('TypeBox.Kind')`, read without loading TypeBox). */
const KIND = Symbol.for('TypeBox.Kind');
function kindOf(schema: unknown): string | undefined {
  return (schema as Record<symbol, string | undefined>)[KIND];
}

function schemaOf(method: MethodName): TObject {
  return slowPath().contract.methods[method].params as TObject;
}

/** The params as the method's typed params object, or a thrown InvalidParams naming what is wrong. */
export function validateParams<M extends MethodName>(method: M, params: unknown): ParamsOf<M> {
  if (params === undefined || params === null) params = {};
  if (Array.isArray(params)) {
    // vscode-jsonrpc sends `[params, null]` when a trailing token argument is undefined.
    const given = params.length === 2 && params[1] === null ? [params[0]] : params;
    if (given.length === 0) params = {};
    else if (given.length === 1 && isJsonObject(given[0])) params = given[0];
    else throw invalidParams(`${method} takes its params by name (an object), not by position`);
  }
  if (!isJsonObject(params)) throw invalidParams(`${method} takes its params as an object`);
  const facts = methodFacts[method];
  let obj = params as Record<string, unknown>;
  // LSP clients send progress tokens with any request; a method that reports no such
  // progress accepts and ignores them, as LSP servers do.
  for (const t of LSP_TOKENS) {
    if (t in obj && !facts.params.includes(t)) {
      const { [t]: _ignored, ...rest } = obj;
      obj = rest;
    }
  }
  // Only once a number a double would change has ever been read is there anything to convert.
  if (exactNumbersSeen()) obj = plainWhereNumeric(obj, schemaOf(method)) as Record<string, unknown>;
  if (!facts.check(obj)) {
    const first = slowPath().errors.Errors(schemaOf(method), [], obj).First();
    throw invalidParams(first ? describe(method, first) : `${method}: the params do not match the contract`);
  }
  return obj as ParamsOf<M>;
}

/** `"a.b[0]"` for the JSON pointer `/a/b/0`. */
function nameOf(pointer: string): string {
  let out = '';
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** What a value of `schema` must be, in words: "a string", "a string or null". */
function expected(schema: TSchema): string {
  const values = slowPath().contract.stringEnumValues(schema);
  if (values) return `one of ${values.join(', ')}`;
  switch (kindOf(schema)) {
    case 'Union':
      return (schema.anyOf as TSchema[]).map(expected).join(' or ');
    case 'Null':
      return 'null';
    case 'Record':
    case 'Object':
      return 'an object';
    default:
      return article(String(schema.type ?? kindOf(schema)).toLowerCase());
  }
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof ExactNumber) return 'number';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function describe(method: string, e: ValueError): string {
  const { ValueErrorType } = slowPath().errors;
  const name = nameOf(e.path);
  if (e.type === ValueErrorType.ObjectRequiredProperty) return `"${name}" is required`;
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    const segs = e.path.split('/');
    const key = segs.pop()!;
    const keys = (e.schema as { patternProperties?: Record<string, unknown> }).patternProperties;
    // A record whose keys have a pattern (rpcMetadata): the key is not of that form.
    if (keys && segs.length > 1) return `"${nameOf(segs.join('/'))}" has a key ${JSON.stringify(key)} that does not match ${Object.keys(keys).join(', ')}`;
    return segs.length === 1 ? `unknown param "${key}" for ${method}` : `"${nameOf(segs.join('/'))}" has an unknown field "${key}"`;
  }
  const s = e.schema;
  const values = slowPath().contract.stringEnumValues(s);
  if (values) return `"${name}" must be one of ${values.join(', ')}; got ${JSON.stringify(e.value)}`;
  if (e.type === ValueErrorType.StringMinLength) return s.minLength === 1 ? `"${name}" must not be empty` : `"${name}" must be at least ${s.minLength} characters`;
  if (e.type === ValueErrorType.NumberMinimum || e.type === ValueErrorType.IntegerMinimum) return `"${name}" must be at least ${s.minimum}`;
  return `"${name}" must be ${expected(s)}, got ${jsonType(e.value)}`;
}

function kindsOf(schema: TSchema): string[] {
  return kindOf(schema) === 'Union' ? (schema.anyOf as TSchema[]).flatMap(kindsOf) : [kindOf(schema) as string];
}

/**
 * `value` with an `ExactNumber` turned into a plain number wherever the schema reads it
 * as a number (a timeout, an attempt count); everywhere else (a Value, search attributes)
 * it stays exact, to reach Temporal as written.
 */
export function plainWhereNumeric(value: unknown, schema: TSchema): unknown {
  if (value instanceof ExactNumber) {
    return kindsOf(schema).some((k) => k === 'Number' || k === 'Integer') ? value.valueOf() : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const shape = Array.isArray(value) ? 'Array' : 'Object';
  const s = kindOf(schema) === 'Union' ? (schema.anyOf as TSchema[]).find((m) => kindOf(m) === shape || (shape === 'Object' && kindOf(m) === 'Record')) : schema;
  if (!s) return value;
  if (Array.isArray(value)) return kindOf(s) === 'Array' ? value.map((v) => plainWhereNumeric(v, s.items as TSchema)) : value;
  const props = kindOf(s) === 'Object' ? (s.properties as Record<string, TSchema>) : undefined;
  const rest = kindOf(s) === 'Record' ? (Object.values(s.patternProperties as Record<string, TSchema>)[0] as TSchema) : undefined;
  if (!props && !rest) return value;
  // fromEntries makes own properties, so a key named "__proto__" stays a key.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const sub = props && Object.hasOwn(props, k) ? props[k] : rest;
      return [k, sub ? plainWhereNumeric(v, sub) : v];
    }),
  );
}
