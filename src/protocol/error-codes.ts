/**
 * The protocol's numeric error codes, published in protos/openrpc.json.
 *
 * JSON-RPC and LSP codes keep their standard values; the daemon's own codes are
 * positive, outside both reserved ranges (-32768..-32000 and -32899..-32800).
 */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerNotInitialized: -32002,
  RequestCancelled: -32800,

  RPCError: 1001,
  WorkflowAlreadyStartedError: 1002,
  WorkflowFailureError: 1003,
  WorkflowContinuedAsNewError: 1004,
  WorkflowQueryRejectedError: 1005,
  WorkflowQueryFailedError: 1006,
  InvalidHandleError: 1007,
  UnauthorizedError: 1008,
  MessageTooLarge: 1009,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;
