/**
 * The schema building blocks the contract needs beyond TypeBox's own: string enums kept
 * as JSON Schema's `enum` (readable in openrpc.json, checked by TypeBox's compiler), and
 * nullable values.
 */
import { Kind, Type, TypeRegistry, type SchemaOptions, type TSchema, type TUnion, type TNull, type TUnsafe } from '@sinclair/typebox';

export const STRING_ENUM = 'StringEnum';

if (!TypeRegistry.Has(STRING_ENUM)) {
  TypeRegistry.Set<{ enum: readonly string[] }>(STRING_ENUM, (schema, value) => typeof value === 'string' && schema.enum.includes(value));
}

/** A string that is one of `values`: `{type: "string", enum: [...]}` in JSON Schema. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: STRING_ENUM, type: 'string', enum: [...values] });
}

/** `schema` or null. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()], options);
}
