/**
 * Validates a request's params against the contract's declaration of its method, with
 * TypeBox's compiled checkers; an error names the param and what it must be.
 */
import { Kind, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { methods, type MethodName, type ParamsOf } from '@temporal-handled/protocol';
import { ExactNumber, exactNumbersSeen, isJsonObject } from '../json/exact-json';
import { invalidParams } from './response-errors';

const checkers = new Map<MethodName, TypeCheck<TObject>>();

const LSP_TOKENS = ['workDoneToken', 'partialResultToken'] as const;

function checkerOf(method: MethodName): TypeCheck<TObject> {
  let c = checkers.get(method);
  if (!c) checkers.set(method, (c = TypeCompiler.Compile(methods[method].params as TObject)));
  return c;
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
  const schema = methods[method].params as TObject;
  let obj = params as Record<string, unknown>;
  // LSP clients send progress tokens with any request; a method that reports no such
  // progress accepts and ignores them, as LSP servers do.
  for (const t of LSP_TOKENS) {
    if (t in obj && !Object.hasOwn(schema.properties, t)) {
      const { [t]: _ignored, ...rest } = obj;
      obj = rest;
    }
  }
  // Only once a number a double would change has ever been read is there anything to convert.
  if (exactNumbersSeen()) obj = plainWhereNumeric(obj, schema) as Record<string, unknown>;
  const checker = checkerOf(method);
  if (!checker.Check(obj)) throw invalidParams(describe(method, checker.Errors(obj).First()!));
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
  switch (schema[Kind]) {
    case 'Union':
      return (schema.anyOf as TSchema[]).map(expected).join(' or ');
    case 'Null':
      return 'null';
    case 'Record':
    case 'Object':
      return 'an object';
    case 'StringEnum':
      return `one of ${(schema.enum as string[]).join(', ')}`;
    default:
      return article(String(schema.type ?? schema[Kind]).toLowerCase());
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
  const name = nameOf(e.path);
  if (e.type === ValueErrorType.ObjectRequiredProperty) return `"${name}" is required`;
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    const segs = e.path.split('/');
    const key = segs.pop()!;
    return segs.length === 1 ? `unknown param "${key}" for ${method}` : `"${nameOf(segs.join('/'))}" has an unknown field "${key}"`;
  }
  const s = e.schema;
  if (s[Kind] === 'StringEnum') return `"${name}" must be one of ${(s.enum as string[]).join(', ')}; got ${JSON.stringify(e.value)}`;
  if (e.type === ValueErrorType.StringMinLength) return s.minLength === 1 ? `"${name}" must not be empty` : `"${name}" must be at least ${s.minLength} characters`;
  if (e.type === ValueErrorType.NumberMinimum || e.type === ValueErrorType.IntegerMinimum) return `"${name}" must be at least ${s.minimum}`;
  return `"${name}" must be ${expected(s)}, got ${jsonType(e.value)}`;
}

function kindsOf(schema: TSchema): string[] {
  return schema[Kind] === 'Union' ? (schema.anyOf as TSchema[]).flatMap(kindsOf) : [schema[Kind] as string];
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
  const s = schema[Kind] === 'Union' ? (schema.anyOf as TSchema[]).find((m) => m[Kind] === shape || (shape === 'Object' && m[Kind] === 'Record')) : schema;
  if (!s) return value;
  if (Array.isArray(value)) return s[Kind] === 'Array' ? value.map((v) => plainWhereNumeric(v, s.items as TSchema)) : value;
  const props = s[Kind] === 'Object' ? (s.properties as Record<string, TSchema>) : undefined;
  const rest = s[Kind] === 'Record' ? (Object.values(s.patternProperties as Record<string, TSchema>)[0] as TSchema) : undefined;
  if (!props && !rest) return value;
  // fromEntries makes own properties, so a key named "__proto__" stays a key.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const sub = props && Object.hasOwn(props, k) ? props[k] : rest;
      return [k, sub ? plainWhereNumeric(v, sub) : v];
    }),
  );
}
