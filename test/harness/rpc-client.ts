/**
 * A small JSON-RPC client for tests that speaks the framing itself, so tests can
 * also send malformed bytes. Works over any duplex pair (child stdio, sockets).
 */
import { EventEmitter } from 'node:events';

export interface RpcError {
  code: number;
  message: string;
  data?: Record<string, unknown> & { type?: string };
}

export class RpcResponseError extends Error {
  constructor(readonly error: RpcError) {
    super(`${error.code} ${error.message}`);
  }
  get code() {
    return this.error.code;
  }
  get data() {
    return this.error.data ?? {};
  }
}

export class RawRpcClient extends EventEmitter {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<string | number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  /** Every message received, in order. */
  readonly received: Record<string, unknown>[] = [];
  /** The text of each answer, by id (numbers exactly as the daemon wrote them). */
  readonly answerText = new Map<string | number, string>();
  /** `$/progress` notifications, in order. */
  readonly progress: { token: string | number; value: Record<string, unknown> }[] = [];
  closed = false;

  constructor(
    readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {
    super();
    input.on('data', (c: Buffer) => this.onData(c));
    input.on('close', () => this.onClose());
    input.on('end', () => this.onClose());
    output.on('error', () => undefined);
  }

  private onClose() {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('connection closed'));
    this.pending.clear();
    this.emit('close');
  }

  private onData(chunk: Buffer) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.buf.subarray(0, end).toString('ascii');
      const m = /Content-Length: (\d+)/i.exec(header);
      if (!m) throw new Error(`bad header from daemon: ${header}`);
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return;
      const body = this.buf.subarray(end + 4, end + 4 + len).toString('utf8');
      this.buf = this.buf.subarray(end + 4 + len);
      const msg = JSON.parse(body) as Record<string, unknown>;
      this.received.push(msg);
      if ('id' in msg && ('result' in msg || 'error' in msg)) this.answerText.set(msg.id as string | number, body);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Record<string, unknown>) {
    if ('id' in msg && ('result' in msg || 'error' in msg)) {
      const p = this.pending.get(msg.id as string | number);
      if (p) {
        this.pending.delete(msg.id as string | number);
        if (msg.error) p.reject(new RpcResponseError(msg.error as RpcError));
        else p.resolve(msg.result);
      } else {
        this.emit('orphan', msg);
      }
      return;
    }
    if (msg.method === '$/progress') this.progress.push(msg.params as never);
    this.emit('notification', msg);
  }

  /** Resolves once the connection is closed. */
  whenClosed(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for the connection to close')), timeoutMs);
      this.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Closes the connection abruptly (a socket client going away). */
  destroy(): void {
    const s = this.input as NodeJS.ReadableStream & { destroy?: () => void };
    s.destroy?.();
  }

  /** Stops reading what the daemon sends (the daemon's output backs up). */
  pauseReading(): void {
    this.input.pause();
  }

  resumeReading(): void {
    this.input.resume();
  }

  /** Sends a request with the given id (any JSON value); the answer is matched by that id. */
  requestAs<T = unknown>(id: string | number, method: string, params?: unknown): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return promise;
  }

  /** Writes raw bytes. */
  writeRaw(data: string | Buffer): void {
    this.output.write(data);
  }

  /** Frames and writes one JSON value (any shape). */
  send(value: unknown): void {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    this.output.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }

  /** Sends a request with a fresh id; returns the id and the answer. */
  requestWithId<T = unknown>(method: string, params?: unknown): { id: number; promise: Promise<T> } {
    const id = this.nextId++;
    const promise = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return { id, promise };
  }

  /**
   * Sends a request whose params are JSON text, sent as written (numbers a double
   * would change included); resolves with the answer's text, error or not.
   */
  async requestText(method: string, paramsText: string): Promise<string> {
    const id = this.nextId++;
    const answered = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const body = Buffer.from(`{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${paramsText}}`, 'utf8');
    this.output.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
    await answered.catch(() => undefined);
    return this.answerText.get(id)!;
  }

  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    return this.requestWithId<T>(method, params).promise;
  }

  notify(method: string, params?: unknown): void {
    this.send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
  }

  cancel(id: number | string): void {
    this.notify('$/cancelRequest', { id });
  }

  /** Waits for the next message matching `pred`. */
  waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        cleanup();
        reject(new Error('timed out waiting for a message'));
      }, timeoutMs);
      const check = (m: Record<string, unknown>) => {
        if (pred(m)) {
          cleanup();
          resolve(m);
        }
      };
      const onOrphan = check;
      const onNote = check;
      const cleanup = () => {
        clearTimeout(t);
        this.off('orphan', onOrphan);
        this.off('notification', onNote);
      };
      this.on('orphan', onOrphan);
      this.on('notification', onNote);
    });
  }
}

/** Expects `p` to reject with a JSON-RPC error; returns it. */
export async function rpcError(p: Promise<unknown>): Promise<RpcResponseError> {
  try {
    const v = await p;
    throw new Error(`expected an error, got ${JSON.stringify(v)}`);
  } catch (err) {
    if (err instanceof RpcResponseError) return err;
    throw err;
  }
}
