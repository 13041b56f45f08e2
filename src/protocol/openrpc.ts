/**
 * The OpenRPC document of the protocol, built from methods.ts.
 * protos/openrpc.json is this document as written by `npm run gen:protocol`.
 */
import { ErrorCodes } from './error-codes';
import { methods, notifications, schemas, PROTOCOL_VERSION } from './methods';

const errorMessages: Record<string, string> = {
  ParseError: 'Parse error: the frame or its JSON could not be read.',
  InvalidRequest: 'Invalid request; also any request after shutdown, and a second initialize.',
  MethodNotFound: 'Unknown method.',
  InvalidParams: 'A param is missing or has the wrong type; the message names it.',
  InternalError: 'An unexpected error inside the daemon.',
  ServerNotInitialized: 'A request before initialize.',
  RequestCancelled: 'The request was cancelled by $/cancelRequest (or the daemon is shutting down).',
  RPCError: 'A gRPC call to Temporal failed; data.status is the gRPC code name.',
  WorkflowAlreadyStartedError: 'A workflow with this ID is already running; data.runId is its run.',
  WorkflowFailureError: 'The workflow failed, was cancelled, terminated or timed out; data.cause is a Failure.',
  WorkflowContinuedAsNewError: 'The run continued as new and followRuns was false; data.newExecutionRunId.',
  WorkflowQueryRejectedError: 'The query was rejected by its reject condition; data.status is the workflow status.',
  WorkflowQueryFailedError: 'The query failed (unknown query, or the handler threw).',
  InvalidHandleError: 'The handle token is unknown, released, expired or evicted; data.handle names it.',
  UnauthorizedError: 'The TCP shared secret was missing or wrong; the connection is closed.',
  MessageTooLarge: 'A message over the size limit; the connection is closed.',
};

export function buildOpenRpcDocument(version: string) {
  const errors = Object.fromEntries(
    Object.entries(ErrorCodes).map(([name, code]) => [name, { code, message: errorMessages[name] ?? name, data: { type: name } }]),
  );
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
    methods: methods.map((m) => ({
      name: m.name,
      summary: m.summary,
      paramStructure: 'by-name',
      params: m.params.map((p) => ({ name: p.name, required: p.required, description: p.description, schema: p.schema })),
      result: { name: m.result.name, schema: m.result.schema },
      errors: m.errors.map((e) => ({ $ref: `#/components/errors/${e}` })),
      'x-direction': 'clientToServer',
      ...(m.openParams ? { 'x-openParams': true } : {}),
      ...(m.beforeInitialize ? { 'x-beforeInitialize': true } : {}),
    })),
    'x-notifications': notifications.map((n) => ({
      name: n.name,
      summary: n.summary,
      'x-direction': n.direction,
      params: n.params.map((p) => ({ name: p.name, required: p.required, description: p.description, schema: p.schema })),
    })),
    components: { schemas, errors },
  };
}
