/**
 * Every JSON-RPC error the daemon answers with is built here, by name. Each carries
 * `data.type` (the error's name in the contract) and its code from the contract.
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes, type ErrorType } from '@temporal-handled/protocol/runtime';

export type ErrorData = { type: string } & Record<string, unknown>;
export type RpcError = ResponseError<ErrorData>;

function rpcError(type: ErrorType, message: string, extra: Record<string, unknown> = {}): RpcError {
  return new ResponseError<ErrorData>(ErrorCodes[type], message, { type, ...extra });
}

export const parseError = (problem: string) => rpcError('ParseError', `Parse error: ${problem}`);
export const invalidRequest = (problem: string) => rpcError('InvalidRequest', `Invalid request: ${problem}`);
export const methodNotFound = (method: string) => rpcError('MethodNotFound', `Method not found: ${method}`);
export const invalidParams = (problem: string) => rpcError('InvalidParams', `Invalid params: ${problem}`);
export const internalError = (problem: string) => rpcError('InternalError', `Internal error: ${problem}`);
export const serverNotInitialized = (method: string) => rpcError('ServerNotInitialized', `Server not initialized: send initialize before ${method}`);
export const requestCancelled = (message = 'Request cancelled') => rpcError('RequestCancelled', message);
/** A request in flight when the daemon shuts down (not the client's cancellation: RequestCancelled). */
export const daemonShuttingDown = (reason: string) => rpcError('DaemonShuttingDown', `Daemon shutting down (${reason}): the request was not completed`, { reason });
export const unauthorized = () => rpcError('UnauthorizedError', 'Unauthorized: initialize must carry the shared secret as authToken on TCP');
export const messageTooLarge = (bytes: number, limit: number) => rpcError('MessageTooLarge', `Message of ${bytes} bytes exceeds the limit of ${limit} bytes; closing the connection`);
/** An error the Temporal layer or the handle table raised, under its own type name. */
export const namedError = (type: ErrorType, message: string, data: Record<string, unknown>) => rpcError(type, message, data);

/** The wire form of an error answer to request `id`. */
export function errorResponse(id: string | number | null, err: RpcError) {
  return { jsonrpc: '2.0' as const, id, error: { code: err.code, message: err.message, data: err.data } };
}
