/**
 * The JSON-RPC error codes the daemon answers with (published in its protos/openrpc.json).
 * Errors are told apart by `data.type` (see errors.ts); the codes are here for completeness.
 */
export const ErrorCodesByType = {
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
