/**
 * Validates a request's params against its MethodSpec; errors name the param.
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes } from './error-codes';
import type { MethodSpec } from './methods';
import { schemas } from './methods';
import { check, plainWhereNumeric } from './schema';
import { exactNumbersSeen, isJsonObject } from '../json/exact-json';

export function invalidParams(message: string): ResponseError<{ type: string }> {
  return new ResponseError(ErrorCodes.InvalidParams, `Invalid params: ${message}`, { type: 'InvalidParams' });
}

/** The params as an object, or a thrown InvalidParams naming what is wrong. */
export function validateParams(spec: MethodSpec, params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) params = {};
  if (Array.isArray(params)) {
    if (params.length === 0) params = {};
    else if (params.length === 1 && isJsonObject(params[0])) params = params[0];
    else throw invalidParams(`${spec.name} takes its params by name (an object), not by position`);
  }
  if (!isJsonObject(params)) throw invalidParams(`${spec.name} takes its params as an object`);
  const obj = params as Record<string, unknown>;
  for (const ps of spec.params) {
    let v = obj[ps.name];
    // Only once a number a double would change has ever been read is there anything to convert.
    if (v !== undefined && exactNumbersSeen()) v = obj[ps.name] = plainWhereNumeric(v, ps.schema, schemas);
    if (v === undefined) {
      if (ps.required) throw invalidParams(`"${ps.name}" is required`);
      continue;
    }
    const problem = check(v, ps.schema, ps.name, schemas);
    if (problem) throw invalidParams(problem);
  }
  if (!spec.openParams) {
    const known = new Set(spec.params.map((x) => x.name));
    for (const k of Object.keys(obj)) {
      if (!known.has(k)) throw invalidParams(`unknown param "${k}" for ${spec.name}`);
    }
  }
  return obj;
}
