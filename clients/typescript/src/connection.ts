/**
 * One JSON-RPC connection to the daemon (LSP base-protocol framing): requests with
 * AbortSignals, `$/progress` routing by token, and typed errors.
 *
 * The framing is done here rather than by vscode-jsonrpc: each message is one write of one
 * buffer (header and body together: one pipe write, one wake-up of the daemon), and each
 * answer is parsed and its call settled in the `data` event that brought it, without the
 * extra event-loop turns (a promise per decode, a setImmediate message queue, a write
 * semaphore) a general-purpose connection takes.
 */
import { randomUUID } from 'node:crypto';
import type { MethodName, ParamsOf, ResultOf } from '@temporal-handled/protocol';
import { DaemonConnectionError, fromErrorAnswer } from './errors';

/** The reason an aborted call rejects with: the signal's reason, or an AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * The codes a JSON-RPC library uses for a connection that failed or went away, not for daemon
 * answers (vscode-jsonrpc's PendingResponseRejected, MessageWriteError, MessageReadError,
 * ConnectionInactive): an error answer with one of them and no `data.type` is a connection error.
 */
const LOCAL_CODES: number[] = [-32097, -32099, -32098, -32096];

/** JSON-RPC's MethodNotFound: the answer to a request from the daemon (the protocol has none). */
const METHOD_NOT_FOUND = -32601;

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
function plainEnvelope(msg: unknown): Incoming {
  const m = msg as { id?: unknown; error?: { code?: unknown }; method?: unknown; params?: { token?: unknown } };
  if (m && typeof m === 'object') {
    if ('id' in m) m.id = plainNumber(m.id);
    if (m.error && typeof m.error === 'object' && 'code' in m.error) m.error.code = plainNumber(m.error.code);
    if (m.method === '$/progress' && m.params && typeof m.params === 'object') m.params.token = plainNumber(m.params.token);
  }
  return m as Incoming;
}

/** A message from the daemon, as far as the connection reads it. */
interface Incoming {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: { token?: unknown; value?: unknown };
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown } | null;
}

/** A call waiting for its answer. */
interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const CONTENT_LENGTH = /^content-length[ \t]*:[ \t]*(\d+)[ \t]*$/im;

export class RpcConnection {
  private readonly progress = new Map<string, (value: unknown) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ending = false;
  private resolveClosed!: (e: DaemonConnectionError) => void;
  /** Resolves, with the error calls fail with from then on, once the connection has ended. */
  readonly closed = new Promise<DaemonConnectionError>((r) => (this.resolveClosed = r));
  private inFlight = 0;
  /** Bytes read and not yet parsed: chunks, joined only when a message spans several. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** How many bytes the message being read takes, header included, once its header is read (else 0). */
  private need = 0;
  private readonly parse: (text: string) => Incoming;
  private readonly stringify: (msg: object) => string;
  private readonly onData = (chunk: Buffer) => this.read(chunk);
  private readonly onEnd = () => this.ended();

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly hooks: {
      /** Why the connection ended, for error messages (e.g. the daemon's exit code and last stderr lines). */
      describeEnd?: () => Promise<string>;
      /** Called when the first call starts (busy) and when the last one ends (idle). */
      onBusy?: (busy: boolean) => void;
      json?: JsonCodec;
    } = {},
  ) {
    const json = hooks.json;
    this.parse = json ? (text) => plainEnvelope(json.parse(text)) : (text) => JSON.parse(text) as Incoming;
    this.stringify = json ? (msg) => json.stringify(msg) : (msg) => JSON.stringify(msg);
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.on('close', this.onEnd);
    output.on('close', this.onEnd);
    // Errors end the connection through 'close'; a failed write rejects its own call.
    input.on('error', () => undefined);
    output.on('error', () => undefined);
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
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.reject(e);
    })();
  }

  private busy(delta: number): void {
    const before = this.inFlight;
    this.inFlight += delta;
    if (before === 0 && this.inFlight > 0) this.hooks.onBusy?.(true);
    if (before > 0 && this.inFlight === 0) this.hooks.onBusy?.(false);
  }

  // --- framing --------------------------------------------------------------------------

  private corkedTick = false;

  /** Holds this tick's writes back so that they reach the stream as one write (requests made together, one system call). */
  private corkForTick(): void {
    const out = this.output as NodeJS.WritableStream & { cork?: () => void; uncork?: () => void };
    if (this.corkedTick || typeof out.cork !== 'function' || typeof out.uncork !== 'function') return;
    this.corkedTick = true;
    out.cork();
    process.nextTick(() => {
      this.corkedTick = false;
      out.uncork!();
    });
  }

  /** Writes one message: header and body in one buffer; the messages of one tick in one write. */
  private write(msg: object): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      try {
        const body = this.stringify(msg);
        const len = Buffer.byteLength(body, 'utf8');
        const header = `Content-Length: ${len}\r\n\r\n`;
        const buf = Buffer.allocUnsafe(header.length + len);
        buf.write(header, 0, 'latin1');
        buf.write(body, header.length, 'utf8');
        this.corkForTick();
        this.output.write(buf, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err);
      }
    });
  }

  private read(chunk: Buffer | string): void {
    const c = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (this.buffered > 0 && this.buffered + c.length < this.need) {
      // The message is not whole yet: keep the chunk, join them once it is.
      this.chunks.push(c);
      this.buffered += c.length;
      return;
    }
    let buf = this.buffered === 0 ? c : Buffer.concat([...this.chunks, c], this.buffered + c.length);
    this.chunks = [];
    this.buffered = 0;
    this.need = 0;
    for (;;) {
      const headerEnd = buf.indexOf(HEADER_END);
      if (headerEnd < 0) break;
      const m = CONTENT_LENGTH.exec(buf.toString('latin1', 0, headerEnd));
      if (!m) {
        // Not LSP framing: nothing after it can be trusted to be in step.
        this.dispose();
        return;
      }
      const start = headerEnd + 4;
      const end = start + Number(m[1]);
      if (buf.length < end) {
        this.need = end;
        break;
      }
      const text = buf.toString('utf8', start, end);
      buf = buf.subarray(end);
      let msg: Incoming;
      try {
        msg = this.parse(text);
      } catch {
        continue; // not JSON: dropped, as a JSON-RPC library drops it
      }
      this.dispatch(msg);
    }
    if (buf.length > 0) {
      this.chunks.push(buf);
      this.buffered = buf.length;
    }
  }

  private dispatch(msg: Incoming): void {
    if (!msg || typeof msg !== 'object') return;
    if (typeof msg.method === 'string') {
      if (msg.id !== undefined && msg.id !== null) {
        // The protocol has no requests from the daemon: answer as a JSON-RPC library does.
        this.write({ jsonrpc: '2.0', id: msg.id, error: { code: METHOD_NOT_FOUND, message: `Unhandled method ${msg.method}` } }).catch(() => undefined);
      } else if (msg.method === '$/progress') {
        const h = this.progress.get(String(msg.params?.token));
        if (h) h(msg.params?.value);
      }
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    const err = msg.error;
    if (err !== undefined && err !== null) {
      const code = Number(err.code);
      const data = err.data as { type?: unknown } | undefined;
      if (LOCAL_CODES.includes(code) && data?.type === undefined) this.rejectLocal(p, String(err.message), undefined);
      else p.reject(fromErrorAnswer(code, String(err.message ?? ''), err.data));
    } else p.resolve(msg.result);
  }

  /** A call that failed here, not by the daemon's answer: the connection's end, or its failure. */
  private rejectLocal(p: Pending, message: string, cause: unknown): void {
    if (this.ending) void this.closed.then(p.reject);
    else p.reject(new DaemonConnectionError(`The connection to the daemon failed: ${message}`, cause === undefined ? undefined : { cause }));
  }

  // --- calls ----------------------------------------------------------------------------

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
    let token: string | undefined;
    let body = params;
    if (onProgress) {
      token = randomUUID();
      this.progress.set(token, onProgress);
      body = Object.assign({}, params, { [opts.progressParam ?? 'workDoneToken']: token });
    }
    const id = this.nextId++;
    let onAbort: (() => void) | undefined;
    this.busy(1);
    try {
      const answer = new Promise<T>((resolve, reject) => {
        this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (signal) {
          onAbort = () => {
            if (this.pending.delete(id) && !this.ending) this.write({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } }).catch(() => undefined);
            reject(abortReason(signal));
          };
          signal.addEventListener('abort', onAbort, { once: true });
        }
      });
      // An array is the params by position, not one param that is an array.
      const msg = body === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params: body };
      this.write(msg).catch((err: unknown) => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        this.rejectLocal(p, (err as Error)?.message ?? String(err), err);
      });
      return await answer;
    } finally {
      this.pending.delete(id);
      if (onAbort) signal!.removeEventListener('abort', onAbort);
      if (token) this.progress.delete(token);
      this.busy(-1);
    }
  }

  /** Sends a notification; ignored once the connection has ended. */
  async notify(method: string, params?: object): Promise<void> {
    if (this.ending) return;
    try {
      await this.write(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    } catch {
      /* the connection ended meanwhile */
    }
  }

  /** Closes the connection; later calls fail with a DaemonConnectionError. */
  dispose(): void {
    this.input.removeListener('data', this.onData);
    this.ended();
  }
}
