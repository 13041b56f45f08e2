/**
 * A small JSON Schema subset: enough to describe every param of the protocol,
 * to validate incoming params with errors that name the param, and to publish
 * the same schemas in protos/openrpc.json.
 */
import { ExactNumber } from '../json/exact-json';

export interface Schema {
  type?: JsonType | JsonType[];
  enum?: readonly (string | number)[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  minimum?: number;
  minLength?: number;
  description?: string;
  $ref?: string;
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (v instanceof ExactNumber) return 'number';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

function typeMatches(actual: JsonType, expected: JsonType): boolean {
  return actual === expected || (expected === 'number' && actual === 'integer');
}

/** Returns what is wrong with `value` at `path`, or undefined when it conforms. */
export function check(value: unknown, schema: Schema, path: string, defs: Record<string, Schema> = {}): string | undefined {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = defs[name];
    if (!target) return `${path}: unknown schema ${name}`;
    return check(value, target, path, defs);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!types.some((t) => typeMatches(actual, t))) {
      return `"${path}" must be ${types.map((t) => (t === 'integer' ? 'an integer' : t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`)).join(' or ')}, got ${actual}`;
    }
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    return `"${path}" must be one of ${schema.enum.join(', ')}; got ${JSON.stringify(value)}`;
  }
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) {
    return `"${path}" must not be empty`;
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    return `"${path}" must be at least ${schema.minimum}`;
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const p = check(value[i], schema.items, `${path}[${i}]`, defs);
      if (p) return p;
    }
  }
  if (typeOf(value) === 'object' && (schema.properties || schema.additionalProperties !== undefined)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) {
      if (obj[r] === undefined) return `"${path}.${r}" is required`;
    }
    for (const [k, v] of Object.entries(obj)) {
      const prop = schema.properties && Object.hasOwn(schema.properties, k) ? schema.properties[k] : undefined;
      if (prop) {
        if (v === undefined) continue;
        const p = check(v, prop, `${path}.${k}`, defs);
        if (p) return p;
      } else if (schema.additionalProperties === false) {
        return `"${path}" has an unknown field "${k}"`;
      } else if (typeof schema.additionalProperties === 'object') {
        const p = check(v, schema.additionalProperties, `${path}.${k}`, defs);
        if (p) return p;
      }
    }
  }
  return undefined;
}

/** The schema of property `key`: its own entry in `properties` (never an inherited one such as `__proto__`), else `additionalProperties`. */
function propertySchema(s: Schema, key: string): Schema | undefined {
  if (s.properties && Object.hasOwn(s.properties, key)) return s.properties[key];
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

function resolve(schema: Schema, defs: Record<string, Schema>): Schema {
  return schema.$ref ? (defs[schema.$ref.replace('#/components/schemas/', '')] ?? {}) : schema;
}

/**
 * `value` with an `ExactNumber` turned into a plain number wherever the schema
 * reads it as a number (a timeout, an attempt count); everywhere else (a Value, an
 * untyped object such as search attributes) it stays exact, to reach Temporal as written.
 */
export function plainWhereNumeric(value: unknown, schema: Schema, defs: Record<string, Schema> = {}): unknown {
  const s = resolve(schema, defs);
  if (value instanceof ExactNumber) {
    const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
    return types.includes('number') || types.includes('integer') ? value.valueOf() : value;
  }
  if (Array.isArray(value)) return s.items ? value.map((v) => plainWhereNumeric(v, s.items!, defs)) : value;
  if (typeof value === 'object' && value !== null && (s.properties || typeof s.additionalProperties === 'object')) {
    // fromEntries makes own properties, so a key named "__proto__" stays a key.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const sub = propertySchema(s, k);
        return [k, sub ? plainWhereNumeric(v, sub, defs) : v];
      }),
    );
  }
  return value;
}
