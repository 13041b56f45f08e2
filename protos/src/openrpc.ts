/**
 * The OpenRPC document of the protocol, built from the declarations.
 * protos/openrpc.json is this document as written by `npm run gen:protocol`.
 *
 * Shapes with an `$id` are published once under components.schemas and referred to
 * by `$ref`. Notifications, which OpenRPC cannot express, are listed in
 * `x-notifications` with their direction.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import { ERRORS } from './error-codes';
import { stringEnumValues } from './kinds';
import { methods, notifications, PROTOCOL_VERSION } from './methods';
import { Failure } from './values';

/** Shapes no param or result names but error data does (data.cause is a Failure). */
const ERROR_DATA_SHAPES: TSchema[] = [Failure];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const REF = '#/components/schemas/';

/** `schema` as plain JSON, with every shape that has an `$id` moved to `components`. */
function publish(schema: unknown, components: Record<string, Json>, top = true): Json {
  if (Array.isArray(schema)) return schema.map((s) => publish(s, components, false));
  if (typeof schema !== 'object' || schema === null) return schema as Json;
  const s = schema as Record<string, unknown>;
  const values = stringEnumValues(s);
  if (values) {
    const { anyOf: _members, 'x-stringEnum': _marker, ...rest } = s;
    return publish({ ...rest, type: 'string', enum: values }, components, top);
  }
  if (typeof s.$id === 'string' && !top) {
    const { $id, description, ...rest } = s;
    const base = (TYPE_REGISTRY_DESCRIPTIONS.get($id) ?? undefined) as string | undefined;
    if (!Object.hasOwn(components, $id)) {
      components[$id] = {}; // reserved first: a recursive shape refers to itself
      components[$id] = publish({ ...rest, ...(base !== undefined ? { description: base } : {}) }, components, true);
    }
    return { $ref: `${REF}${$id}` };
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$id') continue;
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) out.$ref = `${REF}${v}`;
    else if (k === 'properties' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([name, sub]) => [name, publish(sub, components, false)]));
    } else out[k] = publish(v, components, false);
  }
  return out;
}

/** The description each shared shape was declared with (a param may give its own). */
const TYPE_REGISTRY_DESCRIPTIONS = new Map<string, string | undefined>();

function remember(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Record<string, unknown>;
  if (typeof s.$id === 'string' && !TYPE_REGISTRY_DESCRIPTIONS.has(s.$id)) TYPE_REGISTRY_DESCRIPTIONS.set(s.$id, s.description as string | undefined);
  for (const v of Object.values(s)) {
    if (Array.isArray(v)) v.forEach(remember);
    else if (typeof v === 'object') remember(v);
  }
}

function paramList(params: TObject, components: Record<string, Json>) {
  const required = new Set(params.required ?? []);
  return Object.entries(params.properties).map(([name, schema]) => {
    const { description, ...rest } = schema as TSchema & { description?: string };
    return { name, required: required.has(name), description: description ?? '', schema: publish({ ...rest }, components, !('$id' in rest)) };
  });
}

export function buildOpenRpcDocument(version: string) {
  const components: Record<string, Json> = {};
  for (const m of Object.values(methods)) remember(m);
  for (const n of Object.values(notifications)) remember(n);
  for (const s of ERROR_DATA_SHAPES) {
    remember(s);
    publish(s, components, false);
  }
  const methodList = Object.entries(methods).map(([name, m]) => ({
    name,
    summary: m.summary,
    paramStructure: 'by-name',
    params: paramList(m.params as TObject, components),
    result: { name: m.resultName, schema: publish(m.result, components, false) },
    errors: m.errors.map((e) => ({ $ref: `#/components/errors/${e}` })),
    'x-direction': 'clientToServer',
    ...(m.openParams ? { 'x-openParams': true } : {}),
    ...(m.beforeInitialize ? { 'x-beforeInitialize': true } : {}),
    ...(m.progressParam ? { 'x-progressParam': m.progressParam } : {}),
  }));
  const notificationList = Object.entries(notifications).map(([name, n]) => ({
    name,
    summary: n.summary,
    'x-direction': n.direction,
    params: paramList(n.params as TObject, components),
  }));
  const errors = Object.fromEntries(Object.entries(ERRORS).map(([name, e]) => [name, { code: e.code, message: e.message, data: { type: name } }]));
  const sortedSchemas = Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openrpc: '1.4.1',
    info: {
      title: 'temporal-handled',
      version,
      description:
        "Temporal's WorkflowHandle over JSON-RPC 2.0 with LSP base-protocol framing. Every error carries data.type. " +
        'Server-to-client notifications, which OpenRPC cannot express, are listed in x-notifications with their direction.',
      'x-protocolVersion': PROTOCOL_VERSION,
    },
    methods: methodList,
    'x-notifications': notificationList,
    components: { schemas: sortedSchemas, errors },
  };
}
