/**
 * The schema building blocks the contract needs beyond TypeBox's own: string enums and
 * nullable values. A string enum is a union of string literals (which TypeBox's compiler
 * turns into plain code: the validators are compiled at build time, see
 * scripts/compile-validators.js); openrpc.json publishes it as `{"type": "string", "enum": [...]}`.
 */
import { Type, type SchemaOptions, type TSchema, type TUnion, type TNull, type TLiteral } from '@sinclair/typebox';

type Literals<T extends readonly string[]> = { [K in keyof T]: TLiteral<T[K] & string> };

/** A string that is one of `values`. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnion<Literals<T> & TSchema[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { ...options, 'x-stringEnum': true },
  ) as unknown as TUnion<Literals<T> & TSchema[]>;
}

/** The values of a string enum schema, or undefined for any other schema. */
export function stringEnumValues(schema: unknown): string[] | undefined {
  const s = schema as { 'x-stringEnum'?: boolean; anyOf?: { const?: unknown }[] };
  return s['x-stringEnum'] === true && Array.isArray(s.anyOf) ? s.anyOf.map((m) => String(m.const)) : undefined;
}

/** `schema` or null. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()], options);
}
