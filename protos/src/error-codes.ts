/**
 * The protocol's error codes, each with what it means. Every error also carries
 * `data.type`, its name here; clients tell errors apart by that name.
 *
 * JSON-RPC and LSP codes keep their standard values; the daemon's own codes are
 * positive, outside both reserved ranges (-32768..-32000 and -32899..-32800).
 */
export const ERRORS = {
  ParseError: { code: -32700, message: 'Parse error: the frame or its JSON could not be read.' },
  InvalidRequest: { code: -32600, message: 'Invalid request; also any request after shutdown, and a second initialize.' },
  MethodNotFound: { code: -32601, message: 'Unknown method.' },
  InvalidParams: { code: -32602, message: 'A param is missing or has the wrong type; the message names it.' },
  InternalError: { code: -32603, message: 'An unexpected error inside the daemon.' },
  ServerNotInitialized: { code: -32002, message: 'A request before initialize.' },
  RequestCancelled: { code: -32800, message: 'The request was cancelled by $/cancelRequest (or the daemon is shutting down).' },

  RPCError: { code: 1001, message: 'A gRPC call to Temporal failed; data.status is the gRPC code name.' },
  WorkflowAlreadyStartedError: { code: 1002, message: 'A workflow with this ID is already running; data.runId is its run.' },
  WorkflowFailureError: { code: 1003, message: 'The workflow failed, was cancelled, terminated or timed out; data.cause is a Failure.' },
  WorkflowContinuedAsNewError: { code: 1004, message: 'The run continued as new and followRuns was false; data.newExecutionRunId.' },
  WorkflowQueryRejectedError: { code: 1005, message: 'The query was rejected by its reject condition; data.status is the workflow status.' },
  WorkflowQueryFailedError: { code: 1006, message: 'The query failed (unknown query, or the handler threw).' },
  InvalidHandleError: { code: 1007, message: 'The handle token is unknown, released, expired or evicted; data.handle names it.' },
  UnauthorizedError: { code: 1008, message: 'The TCP shared secret was missing or wrong; the connection is closed.' },
  MessageTooLarge: { code: 1009, message: 'A message over the size limit; the connection is closed.' },
  WorkflowUpdateFailedError: { code: 1010, message: 'The update failed: its validator rejected it or its handler raised; data.cause is a Failure.' },
  WorkflowUpdateRPCTimeoutOrCancelledError: { code: 1011, message: "The update call's deadline passed or it was cancelled before the update reached the stage asked for." },
  CodecError: {
    code: 1013,
    message:
      "The codec server could not encode or decode the call's payloads (down, slow, an HTTP error, a wrong answer); data.operation, data.endpoint (without credentials), data.httpStatus. Nothing was sent to Temporal unencoded.",
  },
} as const;

export type ErrorType = keyof typeof ERRORS;

/** Error type name to its numeric code. */
export const ErrorCodes = Object.fromEntries(Object.entries(ERRORS).map(([k, v]) => [k, v.code])) as { readonly [K in ErrorType]: (typeof ERRORS)[K]['code'] };

/** The type name of a code, or undefined. */
export function errorTypeOf(code: number): ErrorType | undefined {
  return (Object.keys(ERRORS) as ErrorType[]).find((k) => ERRORS[k].code === code);
}
