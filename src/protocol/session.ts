/**
 * One client's JSON-RPC connection: the LSP lifecycle, routing to handlers,
 * param validation, cancellation and progress. Every transport makes one
 * Session per client; all sessions share the daemon's services.
 */
import { createMessageConnection, ResponseError, type CancellationToken, type MessageConnection } from 'vscode-jsonrpc/node';
import { FramedMessageReader, type InvalidInput } from '../transport/framed-reader';
import { FramedMessageWriter } from '../transport/framed-writer';
import { ErrorCodes } from './error-codes';
import { methodsByName } from './methods';
import { validateParams } from './params';
import { cancelledError, toResponseError } from './error-mapping';
import { createHash, timingSafeEqual } from 'node:crypto';
import { handlers, type Services } from './handlers';
import type { Logger } from '../log/logger';
import { stringifyExact } from '../json/exact-json';

export type TransportKind = 'stdio' | 'socket' | 'tcp';

export interface SessionOptions {
  kind: TransportKind;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The shared secret `initialize` must carry (TCP). */
  secret?: string;
  maxMessageBytes: number;
  /** Output queued for the client before it is dropped. @default max(64 MiB, 2 × maxMessageBytes) */
  maxOutputBytes?: number;
  /** Called when the client sends `exit`. */
  onExit: (session: Session) => void;
  /** Called once when the session is gone. */
  onClosed: (session: Session) => void;
  /** Closes the underlying transport. */
  destroy: () => void;
}

type State = 'new' | 'initialized' | 'shutdown' | 'closed';

let nextId = 1;

/** Messages of one client waiting for dispatch before its input is paused. */
const MAX_QUEUED = 256;

export class Session {
  readonly id = nextId++;
  namespace: string;
  clientName: string | undefined;
  shutdownReceived = false;
  private state: State = 'new';
  /** Messages taken from vscode-jsonrpc's queue (compared with those the reader delivered). */
  private dequeued = 0;
  /** Ids (string form) of the client's requests read and not yet answered. */
  private readonly requestsInProgress = new Set<string>();
  private outputBackedUp = false;
  private inputPaused = false;
  /** Why the client was dropped, when it was. */
  dropReason: string | undefined;
  private readonly inFlight = new Set<AbortController>();
  private readonly connection: MessageConnection;
  private readonly reader: FramedMessageReader;
  private readonly writer: FramedMessageWriter;
  private readonly log: Logger;

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
        afterDeliver: (msg) => {
          const m = msg as { id?: string | number; method?: string };
          if (m.method !== undefined && m.id !== undefined) this.requestsInProgress.add(String(m.id));
          this.updateInputFlow();
        },
        idInUse: (id) => this.requestsInProgress.has(String(id)),
        onCallbackError: (err) => this.log.error(`handling a message failed: ${(err as Error)?.stack ?? String(err)}`),
      },
      (inv) => this.answerInvalid(inv),
    );
    const maxPendingBytes = options.maxOutputBytes ?? Math.max(64 * 1024 * 1024, 2 * options.maxMessageBytes);
    this.writer = new FramedMessageWriter(options.output, {
      highWaterBytes: Math.max(16 * 1024, Math.min(8 * 1024 * 1024, Math.floor(maxPendingBytes / 8))),
      maxPendingBytes,
      onPressure: (backedUp) => {
        this.log.debug(backedUp ? 'client reads slowly: pausing its input' : 'client caught up: resuming its input');
        this.outputBackedUp = backedUp;
        this.updateInputFlow();
      },
      onOverflow: (pending) => this.drop(`client stopped reading (${pending} bytes of output pending)`),
      onResponse: (id) => this.requestsInProgress.delete(String(id)),
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
            this.updateInputFlow();
            return next(message);
          },
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
  }

  get inFlightCount(): number {
    return this.inFlight.size;
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

  /** Sends `$/progress`; a client that went away is ignored. */
  sendProgress(token: string | number, value: Record<string, unknown>): void {
    if (this.state === 'closed') return;
    try {
      this.connection.sendNotification('$/progress', { token, value }).catch(() => undefined);
    } catch {
      /* the connection closed meanwhile */
    }
  }

  /** Cancels every in-flight request; each answers -32800. */
  cancelAll(): void {
    for (const ac of this.inFlight) ac.abort();
  }

  /** Drops the client: cancels its calls and closes the transport. */
  drop(reason: string): void {
    if (this.state === 'closed') return;
    this.log.warn(`dropping client: ${reason}`);
    this.dropReason = reason;
    this.cancelAll();
    this.options.destroy();
    this.closed();
  }

  /** Answers what is in flight (cancelled), then closes the transport once the answers are written. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.cancelAll();
    const deadline = Date.now() + 2000;
    while (this.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));
    this.options.destroy();
    this.closed();
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.cancelAll();
    try {
      this.connection.dispose();
    } catch {
      /* already disposed */
    }
    this.log.info('client disconnected');
    this.options.onClosed(this);
  }

  /**
   * Flow control of the client's input. It is paused while the client's answers back up
   * (it does not read them) and while too many of its messages wait in vscode-jsonrpc's
   * queue (it sends faster than they are dispatched), so that neither the queue nor the
   * output of one client grows without bound.
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
   * The client's input ended: handle what was read before the end, then cancel what is
   * still in flight and let those answers be written (the output may still be open, as
   * on stdio) before the reader reports the close.
   */
  private async inputEnded(): Promise<void> {
    if (this.inputPaused) {
      // Read what is buffered too (resume continues on the next turn of the event loop).
      this.inputPaused = false;
      this.reader.resume();
      await new Promise((r) => setImmediate(r));
    }
    await this.drainQueue();
    if (this.isClosed) return;
    this.cancelAll();
    const deadline = Date.now() + 2000;
    while (this.inFlight.size > 0 && !this.isClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setImmediate(r));
  }

  /**
   * Waits until vscode-jsonrpc has taken every message the reader delivered from its
   * queue (it dispatches one per setImmediate), so that the end of the input never
   * overtakes an `exit` or a request read just before it.
   */
  private async drainQueue(): Promise<void> {
    const deadline = Date.now() + 2000;
    while (this.dequeued < this.reader.delivered && this.state !== 'closed' && Date.now() < deadline) {
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Logs `summary` at `level`, and `detail` (which may quote payload data) only at debug level. */
  private logQuoting(level: 'warn' | 'error', summary: string, detail: string): void {
    if (this.log.isDebugEnabled()) this.log.debug(`${summary}: ${detail}`);
    else this.log[level](`${summary} (details at --log-level debug)`);
  }

  private answerInvalid(inv: InvalidInput): void {
    // Parse errors can quote the bytes that were sent: those stay at debug level.
    this.logQuoting('warn', `bad input answered with ${inv.code}${inv.fatal ? ', dropping the client' : ''}`, inv.message);
    const type = (Object.keys(ErrorCodes) as (keyof typeof ErrorCodes)[]).find((k) => ErrorCodes[k] === inv.code) ?? 'InvalidRequest';
    void this.writer.writeUntracked({ jsonrpc: '2.0', id: inv.id, error: { code: inv.code, message: inv.message, data: { type } } } as never);
    if (inv.fatal) setTimeout(() => this.drop(inv.message), 50);
  }

  private notification(method: string, _params: unknown): void {
    if (method === 'exit') {
      this.options.onExit(this);
      return;
    }
    if (this.state !== 'initialized') return;
    this.log.debug(`notification ${method} ignored`);
  }

  private async dispatch(method: string, rawParams: unknown, token: CancellationToken): Promise<unknown> {
    const spec = methodsByName.get(method);
    if (this.state === 'shutdown') {
      throw new ResponseError(ErrorCodes.InvalidRequest, `Invalid request: ${method} after shutdown; only exit may follow`, { type: 'InvalidRequest' });
    }
    if (this.state === 'new' && !spec?.beforeInitialize) {
      throw new ResponseError(ErrorCodes.ServerNotInitialized, `Server not initialized: send initialize before ${method}`, { type: 'ServerNotInitialized' });
    }
    if (!spec) throw new ResponseError(ErrorCodes.MethodNotFound, `Method not found: ${method}`, { type: 'MethodNotFound' });
    // On TCP the secret is checked before anything else about initialize: a client
    // without it learns nothing and is dropped, whatever else its params hold.
    if (method === 'initialize' && this.state === 'new') this.checkSecret(rawParams);
    const params = validateParams(spec, rawParams);
    if (this.log.isDebugEnabled()) this.log.debug(`${method} ${debugParams(method, params)}`);
    const handler = handlers[method]!;
    const ac = new AbortController();
    if (token.isCancellationRequested) throw cancelledError();
    const sub = token.onCancellationRequested(() => ac.abort());
    this.inFlight.add(ac);
    this.services.inFlight++;
    const started = Date.now();
    try {
      return await handler({ session: this, services: this.services, signal: ac.signal }, params);
    } catch (err) {
      const re = ac.signal.aborted ? cancelledError() : toResponseError(err);
      if (re.code === ErrorCodes.InternalError) this.log.error(`${method} failed: ${(err as Error)?.stack ?? String(err)}`);
      throw re;
    } finally {
      sub.dispose();
      this.inFlight.delete(ac);
      this.services.inFlight--;
      if (this.log.isDebugEnabled()) this.log.debug(`${method} took ${Date.now() - started} ms`);
    }
  }

  /** Throws UnauthorizedError (and drops the client) unless `params.authToken` is the transport's secret. */
  checkSecret(params: unknown): void {
    const secret = this.options.secret;
    if (secret === undefined) return;
    const given = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>).authToken : undefined;
    if (sameSecret(given, secret)) return;
    setTimeout(() => this.drop('initialize without the shared secret'), 100);
    throw new ResponseError(ErrorCodes.UnauthorizedError, 'Unauthorized: initialize must carry the shared secret as authToken on TCP', { type: 'UnauthorizedError' });
  }

  /** Lifecycle transitions, called by the lifecycle handlers. */
  markInitialized(): void {
    if (this.state !== 'new') {
      throw new ResponseError(ErrorCodes.InvalidRequest, 'Invalid request: initialize was already sent', { type: 'InvalidRequest' });
    }
    this.state = 'initialized';
  }

  markShutdown(): void {
    this.shutdownReceived = true;
    this.state = 'shutdown';
  }
}

/** Params for the debug log: payload data included (debug level only), secrets never, long text cut. */
function debugParams(method: string, params: Record<string, unknown>): string {
  const shown = method === 'initialize' && 'authToken' in params ? { ...params, authToken: '<redacted>' } : params;
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
