/**
 * Errors from the layers below, as JSON-RPC errors. Temporal errors and handle errors keep
 * their names (`data.type`, the Python SDK's); a bad argument is InvalidParams; anything
 * else is a bug inside the daemon: InternalError, whose stack the caller logs.
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import { ERRORS, type ErrorType } from '@temporal-handled/protocol/runtime';
import { TemporalError, CallCancelledError } from '../temporal/errors';
import { InvalidArgumentError } from '../temporal/invalid-argument';
import { InvalidHandleError } from '../handles/handle-table';
import { internalError, invalidParams, namedError, requestCancelled, type RpcError } from './response-errors';

export function toResponseError(err: unknown): RpcError {
  if (err instanceof ResponseError) return err as RpcError;
  if (err instanceof TemporalError || err instanceof InvalidHandleError) {
    const type = (Object.hasOwn(ERRORS, err.type) ? err.type : 'InternalError') as ErrorType;
    return namedError(type, err.message, err.data());
  }
  if (err instanceof CallCancelledError) return requestCancelled();
  if (err instanceof InvalidArgumentError) return invalidParams(err.message);
  return internalError(err instanceof Error ? err.message : String(err));
}
