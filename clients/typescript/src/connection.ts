/**
 * One JSON-RPC connection to the daemon (vscode-jsonrpc, LSP base-protocol framing):
 * requests with AbortSignals, `$/progress` routing by token, and typed errors.
 */
import { randomUUID } from 'node:crypto';
import {
  CancellationTokenSource,
  ErrorCodes,
  ParameterStructures,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
  type Message,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { MethodName, ParamsOf, ResultOf } from '@temporal-handled/protocol';
import { DaemonConnectionError, fromErrorAnswer } from './errors';

/** The reason an aborted call rejects with: the signal's reason, or an AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** vscode-jsonrpc's own codes for a connection that failed or went away (not daemon answers). */
const LOCAL_CODES: number[] = [ErrorCodes.PendingResponseRejected, ErrorCodes.MessageWriteError, ErrorCodes.MessageReadError, ErrorCodes.ConnectionInactive];

export interface RequestOptions {
  signal?: AbortSignal;
  /** Adds a fresh progress token to the params and routes its `$/progress` values here. */
  onProgress?: (value: unknown) => void;
  /** The param the token goes in: `workDoneToken` (default) or `partialResultToken` (streamed results). */
  progressParam?: 'workDoneToken' | 'partialResultToken';
}

/**
 * Parses and writes message bodies (UTF-8 JSON text). The codec sees whole messages;
 * whatever it makes of the numbers in the envelope (a lossless parser's objects, bigints)
 * is turned back into plain numbers there, so only values keep its representation.
 */
export interface JsonCodec {
  parse(text: string): unknown;
  stringify(value: unknown): string;
}

/** A number a codec represented some other way (bigint, a lossless number object), as a JS number. */
function plainNumber(v: unknown): unknown {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && !Array.isArray(v)) {
    const n = Number(v);
    if (!Number.isNaN(n)) return n;
  }
  return v;
}

/** The envelope fields JSON-RPC reads as numbers: the id, an error's code, a progress token. */
function plainEnvelope(msg: unknown): Message {
  const m = msg as { id?: unknown; error?: { code?: unknown }; method?: unknown; params?: { token?: unknown } };
  if (m && typeof m === 'object') {
    if ('id' in m) m.id = plainNumber(m.id);
    if (m.error && typeof m.error === 'object' && 'code' in m.error) m.error.code = plainNumber(m.error.code);
    if (m.method === '$/progress' && m.params && typeof m.params === 'object') m.params.token = plainNumber(m.params.token);
  }
  return m as Message;
}

export class RpcConnection {
  private readonly conn: MessageConnection;
  private readonly progress = new Map<string, (value: unknown) => void>();
  private ending = false;
  private resolveClosed!: (e: DaemonConnectionError) => void;
  /** Resolves, with the error calls fail with from then on, once the connection has ended. */
  readonly closed = new Promise<DaemonConnectionError>((r) => (this.resolveClosed = r));
  private inFlight = 0;
  private readonly closeWaiters = new Set<(e: unknown) => void>();

  constructor(
    input: NodeJS.ReadableStream,
    output: NodeJS.WritableStream,
    private readonly hooks: {
      /** Why the connection ended, for error messages (e.g. the daemon's exit code and last stderr lines). */
      describeEnd?: () => Promise<string>;
      /** Called when the first call starts (busy) and when the last one ends (idle). */
      onBusy?: (busy: boolean) => void;
      json?: JsonCodec;
    } = {},
  ) {
    const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined };
    const json = hooks.json;
    this.conn = json
      ? createMessageConnection(
          new StreamMessageReader(input, {
            contentTypeDecoder: { name: 'application/json', decode: async (buf) => plainEnvelope(json.parse(Buffer.from(buf).toString('utf8'))) },
          }),
          new StreamMessageWriter(output, {
            contentTypeEncoder: { name: 'application/json', encode: async (msg) => Buffer.from(json.stringify(msg), 'utf8') },
          }),
          quiet,
        )
      : createMessageConnection(input, output, quiet);
    this.conn.onNotification('$/progress', (params: { token?: unknown; value?: unknown }) => {
      const h = this.progress.get(String(params?.token));
      if (h) h(params.value);
    });
    this.conn.onClose(() => this.ended());
    this.conn.onError(() => undefined);
    this.conn.listen();
  }

  get isClosed(): boolean {
    return this.ending;
  }

  private ended(): void {
    if (this.ending) return;
    this.ending = true;
    void (async () => {
      let extra = '';
      try {
        extra = (await this.hooks.describeEnd?.()) ?? '';
      } catch {
        /* no more detail */
      }
      const e = new DaemonConnectionError(`The connection to the daemon closed${extra ? `: ${extra}` : ''}`);
      this.resolveClosed(e);
      for (const w of this.closeWaiters) w(e);
    })();
  }

  private busy(delta: number): void {
    const before = this.inFlight;
    this.inFlight += delta;
    if (before === 0 && this.inFlight > 0) this.hooks.onBusy?.(true);
    if (before > 0 && this.inFlight === 0) this.hooks.onBusy?.(false);
  }

  /**
   * Sends a request. Aborting `signal` sends `$/cancelRequest` and rejects at once with the
   * signal's reason; the late answer is dropped. Error answers reject with typed DaemonErrors.
   */
  /** A method of the contract, its params and result typed by it. */
  call<M extends MethodName>(method: M, params: ParamsOf<M>, opts: RequestOptions = {}): Promise<ResultOf<M>> {
    return this.request<ResultOf<M>>(method, params, opts);
  }

  /** Any method by name (the daemon may know more than this client's contract). */
  async request<T>(method: string, params?: object, opts: RequestOptions = {}): Promise<T> {
    const { signal, onProgress } = opts;
    if (signal?.aborted) throw abortReason(signal);
    if (this.ending) throw await this.closed;
    const cts = new CancellationTokenSource();
    let token: string | undefined;
    let body = params;
    if (onProgress) {
      token = randomUUID();
      this.progress.set(token, onProgress);
      body = { ...params, [opts.progressParam ?? 'workDoneToken']: token };
    }
    let onAbort: (() => void) | undefined;
    let onClosed: ((e: unknown) => void) | undefined;
    this.busy(1);
    try {
      let sent: Promise<T>;
      try {
        if (body === undefined) sent = this.conn.sendRequest<T>(method, cts.token);
        // An array is the params by position, not one param that is an array.
        else if (Array.isArray(body)) sent = this.conn.sendRequest<T>(method, ParameterStructures.byPosition, ...body, cts.token);
        else sent = this.conn.sendRequest<T>(method, body, cts.token);
      } catch (err) {
        throw await this.mapError(err);
      }
      sent.catch(() => undefined);
      const races: Promise<T>[] = [sent.catch(async (err) => Promise.reject(await this.mapError(err)))];
      if (signal) {
        races.push(
          new Promise<T>((_, reject) => {
            onAbort = () => {
              cts.cancel();
              reject(abortReason(signal));
            };
            signal.addEventListener('abort', onAbort, { once: true });
          }),
        );
      }
      races.push(
        new Promise<T>((_, reject) => {
          onClosed = reject;
          this.closeWaiters.add(reject);
        }),
      );
      return await Promise.race(races);
    } finally {
      if (onClosed) this.closeWaiters.delete(onClosed);
      if (onAbort) signal!.removeEventListener('abort', onAbort);
      if (token) this.progress.delete(token);
      cts.dispose();
      this.busy(-1);
    }
  }

  /** Sends a notification; ignored once the connection has ended. */
  async notify(method: string, params?: object): Promise<void> {
    if (this.ending) return;
    try {
      await (params === undefined ? this.conn.sendNotification(method) : this.conn.sendNotification(method, params));
    } catch {
      /* the connection ended meanwhile */
    }
  }

  private async mapError(err: unknown): Promise<Error> {
    if (err instanceof ResponseError) {
      const data = err.data as { type?: unknown } | undefined;
      if (!(LOCAL_CODES.includes(err.code) && data?.type === undefined)) return fromErrorAnswer(err.code, err.message, err.data);
    }
    if (this.ending) return this.closed;
    return new DaemonConnectionError(`The connection to the daemon failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }

  /** Closes the connection; later calls fail with a DaemonConnectionError. */
  dispose(): void {
    try {
      this.conn.dispose();
    } catch {
      /* already disposed */
    }
    this.ended();
  }
}
