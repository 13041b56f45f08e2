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
import { handlers, type Services } from './handlers';
import type { Logger } from '../log/logger';

export type TransportKind = 'stdio' | 'socket' | 'tcp';

export interface SessionOptions {
  kind: TransportKind;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The shared secret `initialize` must carry (TCP). */
  secret?: string;
  maxMessageBytes: number;
  /** Called when the client sends `exit`. */
  onExit: (session: Session) => void;
  /** Called once when the session is gone. */
  onClosed: (session: Session) => void;
  /** Closes the underlying transport. */
  destroy: () => void;
}

type State = 'new' | 'initialized' | 'shutdown' | 'closed';

let nextId = 1;

export class Session {
  readonly id = nextId++;
  namespace: string;
  clientName: string | undefined;
  shutdownReceived = false;
  private state: State = 'new';
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
    this.reader = new FramedMessageReader(options.input, { maxMessageBytes: options.maxMessageBytes }, (inv) => this.answerInvalid(inv));
    this.writer = new FramedMessageWriter(options.output, {
      highWaterBytes: 8 * 1024 * 1024,
      maxPendingBytes: Math.max(64 * 1024 * 1024, 2 * options.maxMessageBytes),
      onPressure: (backedUp) => {
        this.log.debug(backedUp ? 'client reads slowly: pausing its input' : 'client caught up: resuming its input');
        if (backedUp) this.reader.pause();
        else this.reader.resume();
      },
      onOverflow: (pending) => this.drop(`client stopped reading (${pending} bytes of output pending)`),
    });
    this.connection = createMessageConnection(this.reader, this.writer, {
      error: (m) => this.log.warn(m),
      warn: (m) => this.log.warn(m),
      info: (m) => this.log.debug(m),
      log: (m) => this.log.debug(m),
    });
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

  private answerInvalid(inv: InvalidInput): void {
    this.log.warn(`bad input: ${inv.message}`);
    void this.writer.write({ jsonrpc: '2.0', id: inv.id, error: { code: inv.code, message: inv.message, data: { type: inv.code === ErrorCodes.MessageTooLarge ? 'MessageTooLarge' : inv.code === ErrorCodes.ParseError ? 'ParseError' : 'InvalidRequest' } } } as never);
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
    const params = validateParams(spec, rawParams);
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
      this.log.debug(`${method} took ${Date.now() - started} ms`);
    }
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
