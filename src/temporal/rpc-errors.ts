/**
 * gRPC failures to `RPCError`, with the `google.rpc.Status` details decoded.
 */
import { type CallError, Status } from './grpc-channel';
import { rpcStatus } from './proto';
import { RPCError } from './errors';

export interface StatusDetail {
  typeUrl: string;
  value: Uint8Array;
}

/** The `google.rpc.Status` details carried in the `grpc-status-details-bin` trailer. */
export function statusDetails(err: Partial<CallError>): StatusDetail[] {
  const raw = err.metadata?.get('grpc-status-details-bin')?.[0];
  if (!raw || typeof raw === 'string') return [];
  try {
    const st = rpcStatus.decode(raw);
    return (st.details ?? []).map((d) => ({ typeUrl: d.type_url ?? '', value: d.value ?? new Uint8Array() }));
  } catch {
    return [];
  }
}

export function statusName(code: number): string {
  return Status[code] ?? `CODE_${code}`;
}

export function toRpcError(err: Partial<CallError> & { message?: string }): RPCError {
  const code = typeof err.code === 'number' ? err.code : Status.UNKNOWN;
  const message = err.details || err.message || statusName(code);
  const details = statusDetails(err).map((d) => ({
    typeUrl: d.typeUrl.replace(/^type\.googleapis\.com\//, ''),
    value: Buffer.from(d.value).toString('base64'),
  }));
  const e = new RPCError(message, statusName(code), code, details);
  return e;
}

/** Decodes the first detail of the given message type, if present. */
export function findDetail<T>(err: RPCError, typeName: string, type: { decode(b: Uint8Array): T }): T | undefined {
  const d = err.details.find((x) => x.typeUrl === typeName);
  if (!d) return undefined;
  try {
    return type.decode(Buffer.from(d.value, 'base64'));
  } catch {
    return undefined;
  }
}
