/**
 * One client's JSON-RPC connection: the LSP lifecycle, routing to handlers,
 * param validation, cancellation and progress. Every transport makes one
 * Session per client; all sessions share the daemon's services.
 *
 * The session waits on events, never on clocks: a close waits for every request
 * it has read to be answered, and the end of the input for vscode-jsonrpc's queue
 * to drain.
 */
import { createMessageConnection, type CancellationToken, type MessageConnection, type AbstractCancellationTokenSource, type Disposable } from 'vscode-jsonrpc/node';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MethodName, ProgressToken, ResultProgress } from '@temporal-handled/protocol';
import { isMethodName, methodFacts as methods } from '@temporal-handled/protocol/runtime';
import { FramedMessageReader, type InvalidInput } from '../transport/framed-reader';
import { FramedMessageWriter } from '../transport/framed-writer';
import { checkEnvelope, type EnvelopeProblem } from './envelope';
import { validateParams } from './validate-params';
import { toResponseError } from './error-mapping';
import { daemonShuttingDown, errorResponse, invalidRequest, messageTooLarge, methodNotFound, parseError, requestCancelled, serverNotInitialized, unauthorized, type RpcError } from './response-errors';
import { runHandler, type Services, type SessionControl } from './handlers';
import type { Logger } from '../log/logger';
import type { LogLevel } from '../log/levels';
import { stringifyExact } from '../json/exact-json';
import { type CancelSignal, RequestSignal } from '../temporal/cancel-signal';

export type TransportKind = 'stdio' | 'socket' | 'tcp';

export interface SessionOptions {
  kind: TransportKind;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The shared secret `initialize` must carry (TCP). */
  secret?: string;
  /**
   * Limits for a client that has not yet passed the secret: its largest message, and how long
   * it may take to initialize before it is closed. An unauthenticated client cannot make the
   * daemon buffer more than this, nor hold a connection open for long.
   */
  preAuth?: { maxMessageBytes: number; timeoutMs: number };
  maxMessageBytes: number;
  /** Output queued for the client before it is dropped. @default max(64 MiB, 2 × maxMessageBytes) */
  maxOutputBytes?: number;
  /** Called when the client sends `exit`. */
  onExit: (session: Session) => void;
  /** Called once when the session is gone. */
  onClosed: (session: Session) => void;
  /** Short Temporal calls (not waits) one client may have running at once; the rest queue. @default unbounded */
  maxCallsPerClient?: number;
  /** Called when the client changes the level of the log lines it is sent. */
  onLogLevelChange?: () => void;
  /** Closes the underlying transport at once (a client that is dropped). */
  destroy: () => void;
  /** Ends the output once what was written is flushed (a normal close); default `destroy`. */
  end?: () => void;
}

type State = 'new' | 'initialized' | 'shutdown' | 'closed';

let nextId = 1;

/** Messages of one client waiting in vscode-jsonrpc's queue before its input is paused. */
const MAX_QUEUED = 256;

/** A promise and its resolver, for waiting on an event. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class Session implements SessionControl {
  readonly id = nextId++;
  namespace: string;
  clientName: string | undefined;
  shutdownReceived = false;
  private state: State = 'new';
  /** Messages vscode-jsonrpc has taken from its queue; every delivered message passes through it (see `check`). */
  private dequeued = 0;
  /**
   * The client's requests read and not yet answered, by the id's string form, with their
   * cancellation source once vscode-jsonrpc has made it (the request was dispatched).
   */
  private readonly requests = new Map<string, { method: string; source?: RequestCancellation; cancelled: boolean; progressToken?: string }>();
  private outputBackedUp = false;
  private inputPaused = false;
  /** Why the client was dropped, when it was. */
  dropReason: string | undefined;
  /** Set when the daemon is shutting down: why (requests cancelled then answer DaemonShuttingDown). */
  private shutdownReason: string | undefined;
  /** Handlers running, each with its cancellation signal. */
  private readonly inFlight = new Set<RequestSignal>();
  private readonly connection: MessageConnection;
  private readonly reader: FramedMessageReader;
  private readonly writer: FramedMessageWriter;
  /** Output queued for the client below which a stream goes on to its next batch (the writer's high-water mark). */
  private readonly progressBound: number;
  private readonly log: Logger;
  private preAuthTimer: NodeJS.Timeout | undefined;
  /** Short Temporal calls of this client running now, and those queued behind them (in order). */
  private shortCalls = 0;
  private readonly callQueue: (() => void)[] = [];
  /** Progress tokens of requests in progress, to their request's key (for window/workDoneProgress/cancel). */
  private readonly progressTokens = new Map<string, string>();
  private logLevelForClient: LogLevel | undefined;
  /** Batches being answered: each request's key to its batch (JSON-RPC 2.0 section 6). */
  private readonly batchOf = new Map<string, Batch>();
  /** Resolved when every request read has been answered. */
  private allAnswered: ReturnType<typeof signal> | undefined;
  /** Resolved when vscode-jsonrpc's queue is empty. */
  private queueDrained: ReturnType<typeof signal> | undefined;

  constructor(
    readonly services: Services,
    readonly options: SessionOptions,
  ) {
    this.namespace = services.namespace;
    this.log = services.logger.child({ session: this.id, transport: options.kind });
    this.reader = new FramedMessageReader(
      options.input,
      {
        maxMessageBytes: options.maxMessageBytes,
        beforeClose: () => this.inputEnded(),
        check: (msg) => this.check(msg),
        afterDeliver: () => this.updateInputFlow(),
        onCallbackError: (err) => this.log.error(`handling a message failed: ${(err as Error)?.stack ?? String(err)}`),
      },
      (inv) => this.answerInvalid(inv),
    );
    const maxPendingBytes = options.maxOutputBytes ?? Math.max(64 * 1024 * 1024, 2 * options.maxMessageBytes);
    const highWaterBytes = Math.max(16 * 1024, Math.min(8 * 1024 * 1024, Math.floor(maxPendingBytes / 8)));
    this.progressBound = highWaterBytes;
    this.writer = new FramedMessageWriter(options.output, {
      highWaterBytes,
      maxPendingBytes,
      onPressure: (backedUp) => {
        this.log.debug(backedUp ? 'client reads slowly: pausing its input' : 'client caught up: resuming its input');
        this.outputBackedUp = backedUp;
        this.updateInputFlow();
      },
      onOverflow: (pending) => this.drop(`client stopped reading (${pending} bytes of output pending)`),
      onResponse: (id) => this.answered(String(id)),
      intercept: (msg) => this.intoBatch(msg),
    });
    this.connection = createMessageConnection(
      this.reader,
      this.writer,
      {
        // vscode-jsonrpc's messages may quote message content: the text is kept for debug level.
        error: (m) => this.logQuoting('warn', 'vscode-jsonrpc reported an error', m),
        warn: (m) => this.logQuoting('warn', 'vscode-jsonrpc reported a warning', m),
        info: (m) => this.log.debug(m),
        log: (m) => this.log.debug(m),
      },
      {
        messageStrategy: {
          handleMessage: (message, next) => {
            this.dequeued++;
            if (this.dequeued === this.reader.delivered) this.queueDrained?.resolve();
            this.updateInputFlow();
            return next(message);
          },
        },
        // The session answers `$/cancelRequest` itself (see `check`); vscode-jsonrpc only makes
        // each dispatched request's token source, which the session keeps by request id.
        cancellationStrategy: {
          receiver: {
            kind: 'id',
            createCancellationTokenSource: (id: string | number) => {
              const source = new RequestCancellation();
              const r = this.requests.get(String(id));
              if (r) {
                r.source = source;
                if (r.cancelled) source.cancel();
              }
              return source;
            },
          },
          sender: { sendCancellation: async () => undefined, cleanup: () => undefined },
        },
      },
    );
    this.connection.onRequest((method, params, token) => this.dispatch(method, params, token));
    this.connection.onNotification((method, params) => this.notification(method, params));
    this.connection.onClose(() => this.closed());
    this.connection.onError(([err]) => this.log.debug(`transport error: ${err.message}`));
  }

  start(): void {
    this.connection.listen();
    this.log.info('client connected');
    const pre = this.options.preAuth;
    if (pre && this.options.secret !== undefined) {
      this.reader.maxMessageBytes = Math.min(pre.maxMessageBytes, this.options.maxMessageBytes);
      this.preAuthTimer = setTimeout(() => this.drop(`no initialize within ${pre.timeoutMs} ms`, true), pre.timeoutMs);
      this.preAuthTimer.unref();
    }
  }

  /** The level from which this connection's log lines go to the client as window/logMessage; none by default. */
  get clientLogLevel(): LogLevel | undefined {
    return this.logLevelForClient;
  }

  set clientLogLevel(level: LogLevel | undefined) {
    this.logLevelForClient = level;
    this.options.onLogLevelChange?.();
  }

  /** Whether the client still has to pass the shared secret. */
  get awaitingAuth(): boolean {
    return this.options.secret !== undefined && this.state === 'new';
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Temporal calls of this client waiting for one of its slots (see `maxCallsPerClient`). */
  get queuedCount(): number {
    return this.callQueue.length;
  }

  /**
   * Waits for one of this client's slots for a short Temporal call. One client that sends
   * thousands of calls without reading their answers would otherwise take the shared gRPC
   * connection from every other client: beyond its share, its calls wait here, in order,
   * still cancellable. Long waits (result) are bounded by the long-poll budget instead.
   */
  private async acquireCallSlot(signal: CancelSignal): Promise<void> {
    const max = this.options.maxCallsPerClient ?? Infinity;
    if (this.shortCalls < max) {
      this.shortCalls++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        this.shortCalls++;
        resolve();
      };
      const onAbort = () => {
        const i = this.callQueue.indexOf(go);
        if (i >= 0) this.callQueue.splice(i, 1);
        reject(requestCancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.callQueue.push(go);
    });
  }

  private releaseCallSlot(): void {
    this.shortCalls--;
    this.callQueue.shift()?.();
  }

  /** Whether initialize has succeeded on this connection. */
  get isInitialized(): boolean {
    return this.state !== 'new';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  get transport(): TransportKind {
    return this.options.kind;
  }

  /**
   * Sends `$/progress`; a client that went away is ignored. Resolves once the client's output
   * queue is back under its high-water mark: a stream (a history, a list) awaits it before it
   * fetches its next batch, so a client that reads slowly slows the fetch down instead of making
   * the daemon queue the whole stream (or dropping the client for it).
   */
  sendProgress(token: ProgressToken, value: ResultProgress | Record<string, unknown>): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    try {
      this.connection.sendNotification('$/progress', { token, value }).catch(() => undefined);
    } catch {
      /* the connection closed meanwhile */
      return Promise.resolve();
    }
    return this.writer.whenBelow(this.progressBound);
  }

  /**
   * Cancels every in-flight request (or only the long waits); each answers -32800, or, when the
   * daemon is shutting down (`shutdown` says why), DaemonShuttingDown.
   */
  cancelAll(onlyWaits = false, shutdown?: string): void {
    if (shutdown !== undefined) this.shutdownReason ??= shutdown;
    for (const [, r] of this.requests) {
      if (onlyWaits && !(isMethodName(r.method) && methods[r.method].waits)) continue;
      r.cancelled = true;
      r.source?.cancel();
    }
    if (!onlyWaits) for (const sig of this.inFlight) sig.abort();
    // A cancelled stream may be parked until the client reads: let it go on to see its cancellation.
    this.writer.releaseWaiters(true);
  }

  /**
   * Drops the client: cancels its calls and closes the transport, at once or (`afterFlush`,
   * to let a last error answer reach it) once what was written is flushed.
   */
  drop(reason: string, afterFlush = false): void {
    if (this.state === 'closed') return;
    this.log.warn(`dropping client: ${reason}`);
    this.dropReason = reason;
    this.cancelAll();
    this.writer.flush();
    ((afterFlush && this.options.end) || this.options.destroy)();
    this.closed();
  }

  /**
   * Answers what is in flight (cancelled; with `shutdown`, the daemon's reason to stop, as
   * DaemonShuttingDown), then closes the transport once the answers are written.
   */
  async close(shutdown?: string): Promise<void> {
    if (this.state === 'closed') return;
    this.cancelAll(false, shutdown);
    await this.answeredAll();
    if (this.isClosed) return;
    this.writer.flush();
    (this.options.end ?? this.options.destroy)();
    this.closed();
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.writer.flush();
    this.state = 'closed';
    if (this.preAuthTimer) clearTimeout(this.preAuthTimer);
    this.cancelAll();
    this.queueDrained?.resolve();
    this.allAnswered?.resolve();
    try {
      this.connection.dispose();
    } catch {
      /* already disposed */
    }
    this.log.info('client disconnected');
    this.options.onClosed(this);
  }

  /** A request was answered (its response written). */
  private answered(id: string): void {
    const r = this.requests.get(id);
    if (r?.progressToken !== undefined) this.progressTokens.delete(r.progressToken);
    this.requests.delete(id);
    if (this.requests.size === 0) this.allAnswered?.resolve();
  }

  /** Resolves when every request read so far has been answered (or the session closed). */
  private answeredAll(): Promise<void> {
    if (this.requests.size === 0 || this.state === 'closed') return Promise.resolve();
    this.allAnswered ??= signal();
    const s = this.allAnswered;
    return s.promise.then(() => {
      if (this.allAnswered === s) this.allAnswered = undefined;
    });
  }

  /** Resolves when vscode-jsonrpc has taken every delivered message from its queue. */
  private queueEmpty(): Promise<void> {
    if (this.dequeued >= this.reader.delivered || this.state === 'closed') return Promise.resolve();
    this.queueDrained ??= signal();
    const s = this.queueDrained;
    return s.promise.then(() => {
      if (this.queueDrained === s) this.queueDrained = undefined;
    });
  }

  /**
   * Flow control of the client's input. It is paused while the client's answers back up
   * (it does not read them) and while too many of its messages wait in vscode-jsonrpc's
   * queue (it sends faster than they are dispatched), so that neither the queue nor the
   * output of one client grows without bound. Every delivered message passes through the
   * queue (cancels never reach vscode-jsonrpc), so `delivered - dequeued` is its length.
   */
  private updateInputFlow(): void {
    if (this.state === 'closed') return;
    const queued = this.reader.delivered - this.dequeued;
    if (!this.inputPaused && (this.outputBackedUp || queued >= MAX_QUEUED)) {
      this.inputPaused = true;
      this.reader.pause();
    } else if (this.inputPaused && !this.outputBackedUp && queued <= MAX_QUEUED / 4) {
      this.inputPaused = false;
      this.reader.resume();
    }
  }

  /**
   * The client's input ended: handle what was read before the end, cancel the long waits
   * still in flight, and let every request read be answered (the output may still be
   * open: stdio, or a socket the client half-closed) before the reader reports the close.
   */
  private async inputEnded(): Promise<void> {
    if (this.inputPaused) {
      this.inputPaused = false;
      this.reader.resume();
    }
    await this.queueEmpty();
    if (this.isClosed) return;
    // The end of stdin stops the daemon (run.ts): its waits answer that, not the client's cancellation.
    this.cancelAll(true, this.options.kind === 'stdio' ? 'end of stdin' : undefined);
    await this.answeredAll();
    // Every answer is written: end our side too (a half-open socket stays open otherwise).
    if (!this.isClosed) this.options.end?.();
  }

  /**
   * Checks a parsed message before it is delivered; a result refuses it. `$/cancelRequest`
   * is carried out here and never delivered: vscode-jsonrpc would handle some cancels
   * without queueing them, and the queue's length could then not be derived.
   */
  private check(msg: unknown): EnvelopeProblem | 'consumed' | { split: unknown[] } | undefined {
    if (Array.isArray(msg)) return this.checkBatch(msg);
    const problem = checkEnvelope(msg);
    if (problem) return problem;
    const m = msg as { id?: string | number; method?: string; params?: { id: string | number } };
    if (m.method === '$/cancelRequest') {
      this.cancelRequest(String(m.params!.id));
      return 'consumed';
    }
    if (m.method !== undefined && m.id !== undefined) {
      const key = String(m.id);
      // vscode-jsonrpc keys its queue by the id's string form: a second request with an id in
      // use (or `1` next to `"1"`) would silently replace the first, which would never be answered.
      if (this.requests.has(key)) return { id: m.id, error: invalidRequest(`id ${JSON.stringify(m.id)} is already used by a request in progress (ids must be unique)`) };
      this.requests.set(key, { method: m.method, cancelled: false });
      const token = progressTokenOf(m);
      if (token !== undefined) {
        this.progressTokens.set(token, key);
        this.requests.get(key)!.progressToken = token;
      }
    }
    return undefined;
  }

  /**
   * A batch: each element is checked and dispatched like any message; the answers to its
   * requests (and its elements' errors) go out as one array once all are in, none for its
   * notifications, nothing at all when it held only notifications. An empty batch is one error.
   */
  private checkBatch(elements: unknown[]): EnvelopeProblem | { split: unknown[] } | 'consumed' {
    if (elements.length === 0) return { id: null, error: invalidRequest('an empty batch') };
    const batch: Batch = { pending: new Set(), keys: [], answers: [] };
    const split: unknown[] = [];
    for (const el of elements) {
      const problem = checkEnvelope(el);
      if (problem) {
        if (!problem.notification) batch.answers.push(errorResponse(problem.id, problem.error));
        continue;
      }
      const m = el as { id?: string | number; method?: string };
      if (m.method !== undefined && m.id !== undefined) {
        const key = String(m.id);
        if (this.requests.has(key) || batch.pending.has(key)) {
          batch.answers.push(errorResponse(m.id, invalidRequest(`id ${JSON.stringify(m.id)} is already used by a request in progress (ids must be unique)`)));
          continue;
        }
        batch.pending.add(key);
        batch.keys.push(key);
        this.batchOf.set(key, batch);
      }
      split.push(el);
    }
    if (batch.pending.size === 0 && batch.answers.length > 0) void this.writer.writeUntracked(batch.answers as never);
    return split.length > 0 ? { split } : 'consumed';
  }

  /** Takes a response that belongs to a batch; writes the batch's array once it is complete. */
  private intoBatch(msg: unknown): boolean {
    const r = msg as { id?: string | number; result?: unknown; error?: unknown };
    if (r.id === undefined || r.id === null || !('result' in r || 'error' in r)) return false;
    const key = String(r.id);
    const batch = this.batchOf.get(key);
    if (!batch) return false;
    this.batchOf.delete(key);
    batch.pending.delete(key);
    batch.answers.push(msg);
    if (batch.pending.size === 0) {
      void this.writer.writeUntracked(batch.answers as never);
      for (const k of batch.keys) this.answered(k);
    }
    return true;
  }

  private cancelRequest(key: string): void {
    const r = this.requests.get(key);
    if (!r) return; // answered already, or never sent: nothing to do
    r.cancelled = true;
    r.source?.cancel();
    this.writer.releaseWaiters(true);
  }

  /** Logs `summary` at `level`, and `detail` (which may quote payload data) only at debug level. */
  private logQuoting(level: 'warn' | 'error', summary: string, detail: string): void {
    if (this.log.isDebugEnabled()) this.log.debug(`${summary}: ${detail}`);
    else this.log[level](`${summary} (details at --log-level debug)`);
  }

  private answerInvalid(inv: InvalidInput): void {
    if (inv.kind === 'refused' && inv.refusal === 'consumed') return;
    let id: string | number | null = null;
    let error: RpcError;
    if (inv.kind === 'unreadable') error = parseError(inv.problem);
    else if (inv.kind === 'tooLarge') error = messageTooLarge(inv.bytes, inv.limit);
    else {
      const problem = inv.refusal as EnvelopeProblem;
      if (problem.notification) {
        // Never answered (JSON-RPC 2.0 section 4.1): logged instead.
        this.logQuoting('warn', 'a malformed notification was ignored', problem.error.message);
        return;
      }
      ({ id, error } = problem);
    }
    const fatal = inv.kind === 'tooLarge';
    // Parse errors can quote the bytes that were sent: those stay at debug level.
    this.logQuoting('warn', `bad input answered with ${error.code}${fatal ? ', dropping the client' : ''}`, error.message);
    const written = this.writer.writeUntracked(errorResponse(id, error) as never);
    if (fatal) void written.then(() => this.drop(error.message, true));
  }

  private notification(method: string, params: unknown): void {
    if (method === 'exit') {
      this.options.onExit(this);
      return;
    }
    if (this.state !== 'initialized') return;
    const p = (typeof params === 'object' && params !== null && !Array.isArray(params) ? params : {}) as Record<string, unknown>;
    if (method === 'window/workDoneProgress/cancel') {
      const key = typeof p.token === 'string' || typeof p.token === 'number' ? this.progressTokens.get(String(p.token)) : undefined;
      if (key !== undefined) this.cancelRequest(key);
      else this.log.debug('window/workDoneProgress/cancel for a token of no request in progress: ignored');
      return;
    }
    if (method === '$/setTrace') {
      const level = TRACE_LEVELS[String(p.value)];
      if (level === undefined) this.log.warn(`$/setTrace with an unknown value ignored (off, messages or verbose)`);
      else this.clientLogLevel = level === 'off' ? undefined : level;
      return;
    }
    this.log.debug(`notification ${method} ignored`);
  }

  /** Sends one of the daemon's log lines to the client (window/logMessage). */
  sendLogMessage(level: LogLevel, message: string): void {
    if (this.state === 'closed') return;
    const type = { error: 1, warn: 2, info: 3, debug: 4 }[level];
    try {
      this.connection.sendNotification('window/logMessage', { type, message }).catch(() => undefined);
    } catch {
      /* the connection closed meanwhile */
    }
  }

  private async dispatch(method: string, rawParams: unknown, token: CancellationToken): Promise<unknown> {
    const known = isMethodName(method) ? method : undefined;
    if (this.state === 'shutdown') throw invalidRequest(`${method} after shutdown; only exit may follow`);
    // On TCP nothing but initialize is answered before the secret has passed (not even rpc.discover).
    if (this.state === 'new' && !(known && methods[known].beforeInitialize && (known === 'initialize' || this.options.secret === undefined))) throw serverNotInitialized(method);
    if (!known) throw methodNotFound(method);
    // On TCP the secret is checked before anything else about initialize: a client
    // without it learns nothing and is dropped, whatever else its params hold.
    if (known === 'initialize' && this.state === 'new') this.checkSecret(rawParams);
    const params = validateParams(known, rawParams);
    if (this.log.isDebugEnabled()) this.log.debug(`${method} ${debugParams(known, params)}`);
    if (token.isCancellationRequested) throw this.cancelledError();
    // The request's cancellation source (see RequestCancellation) is the handler's signal too.
    const sig = token instanceof RequestCancellation ? token : new RequestSignal();
    const sub = token instanceof RequestCancellation ? undefined : token.onCancellationRequested(() => sig.abort());
    this.inFlight.add(sig);
    this.services.inFlight++;
    const started = Date.now();
    const decl = methods[known];
    const short = !decl.waits && decl.errors.includes('RPCError');
    let holding = false;
    try {
      if (short) {
        await this.acquireCallSlot(sig);
        holding = true;
      }
      return await runHandler(known, { session: this, services: this.services, signal: sig }, params);
    } catch (err) {
      const re = sig.aborted ? this.cancelledError() : toResponseError(err);
      if (re.data?.type === 'InternalError') this.log.error(`${method} failed: ${(err as Error)?.stack ?? String(err)}`);
      throw re;
    } finally {
      if (holding) this.releaseCallSlot();
      sub?.dispose();
      this.inFlight.delete(sig);
      this.services.inFlight--;
      if (this.log.isDebugEnabled()) this.log.debug(`${method} took ${Date.now() - started} ms`);
    }
  }

  /** The answer of a cancelled request: the client's cancellation, or the daemon's shutdown. */
  private cancelledError(): RpcError {
    return this.shutdownReason !== undefined ? daemonShuttingDown(this.shutdownReason) : requestCancelled();
  }

  /** Throws UnauthorizedError (and drops the client once it is answered) unless `params.authToken` is the transport's secret. */
  checkSecret(params: unknown): void {
    const secret = this.options.secret;
    if (secret === undefined) return;
    const given = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>).authToken : undefined;
    if (sameSecret(given, secret)) return;
    // Dropped once the answer is written (the writer reports the response).
    void this.answeredAll().then(() => this.drop('initialize without the shared secret', true));
    throw unauthorized();
  }

  /** Lifecycle transitions, called by the lifecycle handlers. */
  markInitialized(): void {
    if (this.state !== 'new') throw invalidRequest('initialize was already sent');
    this.state = 'initialized';
    if (this.preAuthTimer) clearTimeout(this.preAuthTimer);
    this.reader.maxMessageBytes = this.options.maxMessageBytes;
  }

  markShutdown(): void {
    this.shutdownReceived = true;
    this.state = 'shutdown';
  }
}

/**
 * A request's cancellation: vscode-jsonrpc's token source, its token, and the signal the
 * handler gets, in one object. vscode-jsonrpc's own source and an AbortController would add a
 * token, an emitter, the session's subscription to it and an EventTarget to every request:
 * about 1.4 KB for each of the tens of thousands of result waits a daemon can hold.
 */
class RequestCancellation extends RequestSignal implements AbstractCancellationTokenSource, CancellationToken {
  get token(): CancellationToken {
    return this;
  }

  get isCancellationRequested(): boolean {
    return this.aborted;
  }

  onCancellationRequested(listener: (e: unknown) => unknown, thisArgs?: unknown, disposables?: Disposable[]): Disposable {
    const onAbort = () => listener.call(thisArgs, undefined);
    this.addEventListener('abort', onAbort);
    const d = { dispose: () => this.removeEventListener('abort', onAbort) };
    disposables?.push(d);
    return d;
  }

  cancel(): void {
    this.abort();
  }

  dispose(): void {
    /* nothing held */
  }
}

const TRACE_LEVELS: Record<string, LogLevel | 'off'> = { off: 'off', messages: 'info', verbose: 'debug' };

/** The progress token a request carries in the param its method declares for it. */
function progressTokenOf(m: { method?: string; params?: unknown }): string | undefined {
  if (m.method === undefined || !isMethodName(m.method)) return undefined;
  const name = methods[m.method].progressParam;
  const p = m.params as Record<string, unknown> | undefined;
  const t = name && p && typeof p === 'object' && !Array.isArray(p) ? p[name] : undefined;
  return typeof t === 'string' || typeof t === 'number' ? String(t) : undefined;
}

interface Batch {
  /** Keys of its requests not yet answered. */
  pending: Set<string>;
  /** Keys of all its requests. */
  keys: string[];
  /** Its answers so far, in the order they came. */
  answers: unknown[];
}

/** Params for the debug log: payload data included (debug level only), secrets never, long text cut. */
function debugParams(method: MethodName, params: object): string {
  let shown = params;
  if (method === 'initialize' && 'authToken' in params) {
    // A rest copy, not Object.assign: a key named "__proto__" stays a key in the log.
    const { authToken: _secret, ...rest } = params as { authToken: unknown };
    shown = { authToken: '<redacted>', ...rest };
  }
  const text = stringifyExact(shown) ?? '';
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} chars)` : text;
}

/** Compares a given secret with the transport's in constant time. */
function sameSecret(given: unknown, secret: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
