/**
 * One pooled gRPC channel to a Temporal frontend.
 *
 * Owns: address and credentials (TLS, mTLS, API key), the headers every call
 * carries, keepalive, the 128 MB receive limit, per-call deadlines and abort
 * signals, and retries of transient failures with jittered exponential backoff.
 * The channel (grpc-channel.ts) opens a new HTTP/2 session after one is lost, so the
 * connection heals after a server restart without restarting the process.
 */
import { DEFAULT_PORT, normalizeAddress } from './address';
import * as os from 'node:os';
import { backoffMs, defaultRetryOptions, isRetryable, type RetryOptions } from './grpc-retry';
import { CallCancelledError } from './errors';
import { toRpcError } from './rpc-errors';
import { type CallError, GrpcChannel, Status } from './grpc-channel';
import { proxyFor } from './http-proxy';
import type { ConnectionOptions as TlsConnectOptions } from 'node:tls';
import type { CancelSignal } from './cancel-signal';

export interface TlsOptions {
  /** PEM of the CA that signs the server's certificate; system roots when unset. */
  serverRootCaCert?: Buffer;
  /** mTLS client certificate and key (PEM). */
  clientCert?: Buffer;
  clientKey?: Buffer;
  /** Overrides the name checked against the server's certificate (and the :authority). */
  serverName?: string;
  /** Skips host name verification (the certificate chain is still checked). */
  disableHostVerification?: boolean;
}

export interface ConnectionOptions {
  /** `host:port`; the port defaults to 7233. */
  address: string;
  /** TLS settings; `true` is TLS with defaults. With an API key TLS is on unless `false`. */
  tls?: TlsOptions | boolean;
  /** Sent as `authorization: Bearer <apiKey>` on every call. */
  apiKey?: string;
  /** Extra gRPC metadata on every call. */
  metadata?: Record<string, string>;
  /** Overrides the :authority header. */
  authority?: string;
  /** @default 30000 */
  keepaliveTimeMs?: number;
  /** @default 15000 */
  keepaliveTimeoutMs?: number;
  /** @default 128 MiB */
  maxReceiveMessageLength?: number;
  /** Deadline of an ordinary call. @default 30000 */
  defaultDeadlineMs?: number;
  /** Deadline of one long-poll attempt (the server answers empty after ~20 s). @default 70000 */
  longPollDeadlineMs?: number;
  retry?: Partial<RetryOptions>;
  clientName?: string;
  clientVersion?: string;
}

export interface CallOptions {
  /** Aborting cancels the in-flight call and any wait between retries. */
  signal?: CancelSignal;
  /** Overrides the default deadline of each attempt, in ms. */
  timeoutMs?: number;
  /** A long poll: uses the long-poll deadline. */
  longPoll?: boolean;
  /** Extra metadata for this call. */
  metadata?: Record<string, string>;
  /** Make one attempt only (for calls whose caller has a fallback, e.g. a status probe). */
  noRetry?: boolean;
  /**
   * With a codec server (workflow-service.ts): `raw` leaves the answer's payloads as the server
   * sent them, `decode` decodes them. Default: decode, except a history (GetWorkflowExecutionHistory).
   */
  payloads?: 'raw' | 'decode';
}

export interface MessageType<T> {
  encode(message: T): { finish(): Uint8Array };
}
export interface DecodeType<T> {
  decode(data: Uint8Array): T;
}

export { DEFAULT_PORT, normalizeAddress };
export const SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

/** Waits `ms`, rejecting with CallCancelledError as soon as `signal` fires. */
export function sleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CallCancelledError());
    const onAbort = () => {
      clearTimeout(t);
      reject(new CallCancelledError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class Connection {
  readonly address: string;
  private readonly channel: GrpcChannel;
  private readonly retry: RetryOptions;
  private readonly defaultDeadlineMs: number;
  private readonly longPollDeadlineMs: number;
  private inFlightCalls = 0;
  private closed = false;
  private answered = false;

  constructor(readonly options: ConnectionOptions) {
    this.address = normalizeAddress(options.address);
    const tlsOn = options.tls === undefined ? Boolean(options.apiKey) : options.tls !== false;
    const tls: TlsOptions = typeof options.tls === 'object' ? options.tls : {};
    let tlsOptions: TlsConnectOptions | undefined;
    if (tlsOn) {
      if (Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
        throw new TypeError('mTLS needs both a client certificate and a client key');
      }
      tlsOptions = Object.assign(
        {},
        tls.serverRootCaCert ? { ca: tls.serverRootCaCert } : {},
        tls.clientCert && tls.clientKey ? { cert: tls.clientCert, key: tls.clientKey } : {},
        tls.serverName ? { servername: tls.serverName } : {},
        tls.disableHostVerification ? { checkServerIdentity: () => undefined } : {},
      );
    }
    const md: [string, string][] = [
      ['client-name', options.clientName ?? 'temporal-handled'],
      ['client-version', options.clientVersion ?? '0.0.0'],
      // Ask for the real close events (with newExecutionRunId) instead of a faked
      // ContinuedAsNew, so cron and retry steps can be told apart.
      ['supported-features', 'follows-next-run-id'],
    ];
    for (const [k, v] of Object.entries(options.metadata ?? {})) md.push([k.toLowerCase(), v]);
    if (options.apiKey) {
      if (md.some(([k]) => k === 'authorization')) throw new TypeError('apiKey cannot be combined with an authorization metadata entry');
      md.push(['authorization', `Bearer ${options.apiKey}`]);
    }
    this.channel = new GrpcChannel({
      address: this.address,
      tls: tlsOptions,
      authority: options.authority,
      keepaliveTimeMs: options.keepaliveTimeMs ?? 30_000,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs ?? 15_000,
      maxReceiveMessageLength: options.maxReceiveMessageLength ?? 128 * 1024 * 1024,
      proxy: proxyFor(this.address),
      metadata: md,
    });
    this.retry = Object.assign({}, defaultRetryOptions, options.retry);
    this.defaultDeadlineMs = options.defaultDeadlineMs ?? 30_000;
    this.longPollDeadlineMs = options.longPollDeadlineMs ?? 70_000;
  }

  /** The channel's connectivity state: IDLE, CONNECTING, READY, TRANSIENT_FAILURE or SHUTDOWN. */
  get state(): string {
    return this.closed ? 'SHUTDOWN' : this.channel.state;
  }

  get inFlight(): number {
    return this.inFlightCalls;
  }

  /** Whether the server has ever answered a call on this connection (tells an outage from a wrong address). */
  get everAnswered(): boolean {
    return this.answered;
  }

  /**
   * One unary WorkflowService call, retried while the failure is transient.
   * Rejects with `RPCError` for gRPC failures and `CallCancelledError` when `signal` fires.
   */
  async unary<Req, Res>(method: string, reqType: MessageType<Req>, resType: DecodeType<Res>, request: Req, opts: CallOptions = {}): Promise<Res> {
    if (this.closed) throw toRpcError({ code: Status.UNAVAILABLE, details: 'connection closed' });
    const bytes = Buffer.from(reqType.encode(request).finish());
    const namespace = (request as { namespace?: unknown }).namespace;
    this.inFlightCalls++;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await this.attempt(method, bytes, resType, typeof namespace === 'string' ? namespace : undefined, opts);
          this.answered = true;
          return res;
        } catch (err) {
          const e = err as CallError;
          if (err instanceof CallCancelledError) throw err;
          if (opts.noRetry || attempt >= this.retry.maxAttempts || !isRetryable(e.code, e.details)) throw toRpcError(e);
          await sleep(backoffMs(attempt, e.code, this.retry), opts.signal);
        }
      }
    } finally {
      this.inFlightCalls--;
    }
  }

  private attempt<Res>(method: string, bytes: Buffer, resType: DecodeType<Res>, namespace: string | undefined, opts: CallOptions): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new CallCancelledError());
      const metadata: [string, string][] = namespace ? [['temporal-namespace', namespace]] : [];
      for (const [k, v] of Object.entries(opts.metadata ?? {})) metadata.push([k.toLowerCase(), v]);
      const timeout = opts.timeoutMs ?? (opts.longPoll ? this.longPollDeadlineMs : this.defaultDeadlineMs);
      let cancelled = false;
      const onAbort = () => {
        cancelled = true;
        call.cancel();
      };
      const deadline = Date.now() + timeout;
      const call = this.channel.unary(`/${SERVICE}/${method}`, bytes, metadata, deadline, (err, value) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (cancelled) return reject(new CallCancelledError());
        // The server ends a call at its deadline too (a stream reset, which reads as CANCELLED):
        // at or past the deadline, that is the deadline passing, and is told as such.
        if (err?.code === Status.CANCELLED && Date.now() >= deadline - 5) {
          return reject(
            Object.assign({}, err, { code: Status.DEADLINE_EXCEEDED, details: `Deadline exceeded after ${(timeout / 1000).toFixed(3)}s (the server ended the call at its deadline: ${err.details})` }),
          );
        }
        if (err) return reject(err);
        try {
          resolve(resType.decode(value ?? Buffer.alloc(0)));
        } catch (e) {
          reject({ code: Status.INTERNAL, details: `cannot decode ${method} response: ${(e as Error).message}` });
        }
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.closed = true;
    this.channel.close();
  }
}

export function defaultIdentity(): string {
  return `${process.pid}@${os.hostname()}`;
}
