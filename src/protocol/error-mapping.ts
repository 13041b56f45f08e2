/**
 * The one place where errors become JSON-RPC error responses.
 * Every error carries `data.type`; Temporal errors keep their Python SDK names.
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes } from './error-codes';
import { TemporalError, CallCancelledError } from '../temporal/errors';
import { InvalidHandleError } from '../handles/handle-table';

export function cancelledError(message = 'Request cancelled'): ResponseError<{ type: string }> {
  return new ResponseError(ErrorCodes.RequestCancelled, message, { type: 'RequestCancelled' });
}

export function toResponseError(err: unknown): ResponseError<Record<string, unknown>> {
  if (err instanceof ResponseError) return err as ResponseError<Record<string, unknown>>;
  if (err instanceof TemporalError || err instanceof InvalidHandleError) {
    const code = ErrorCodes[err.type as keyof typeof ErrorCodes] ?? ErrorCodes.InternalError;
    return new ResponseError(code, err.message, { type: err.type, ...err.data() });
  }
  if (err instanceof CallCancelledError) return cancelledError();
  if (err instanceof TypeError) {
    // Option and value errors from the Temporal layer name the param they are about.
    return new ResponseError(ErrorCodes.InvalidParams, `Invalid params: ${err.message}`, { type: 'InvalidParams' });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ResponseError(ErrorCodes.InternalError, `Internal error: ${message}`, { type: 'InternalError' });
}
