/**
 * Writes JSON-RPC messages as LSP base-protocol frames, watching how much output
 * is queued for a client that reads slowly.
 *
 * Above `highWaterBytes` it asks the owner to stop reading from the client (no new
 * requests, so no new answers); past `maxPendingBytes` the client is dropped. Memory
 * spent on one client's output is therefore bounded. One message larger than the limit
 * (a whole history the client asked for in one answer) does not by itself drop the client:
 * the largest frame still queued is not counted against it.
 *
 * A producer of many messages (a streamed result's batches) awaits `whenBelow` before making
 * the next one, so that a slow reader slows the producer instead of filling the queue.
 */
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc/node';
import { stringifyExact } from '../json/exact-json';

export interface FramedWriterOptions {
  highWaterBytes: number;
  maxPendingBytes: number;
  /** Called with true when output backs up past the high-water mark, false when it drains. */
  onPressure?: (backedUp: boolean) => void;
  /** Called once when the pending output exceeds `maxPendingBytes`. */
  onOverflow?: (pendingBytes: number) => void;
  /** Called with the id of each response written through `write` (not `writeUntracked`). */
  onResponse?: (id: string | number) => void;
  /** Sees each message `write` is given first; true takes it (the owner writes it later, e.g. in a batch). */
  intercept?: (msg: Message) => boolean;
}

type Writable = NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean };

/**
 * The writers holding corked frames this tick. `process.exit` (the daemon's last step after a
 * shutdown, reached through promise continuations that run before any nextTick) flushes them:
 * a stdio pipe's writes are synchronous once issued, so the last answers still reach the client.
 */
const corked = new Set<FramedMessageWriter>();
let exitHook = false;

export class FramedMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private backedUp = false;
  private overflowed = false;
  private ended = false;
  /** Sizes of the frames written and not yet flushed, oldest first (from `head`), and their sum. */
  private frames: number[] = [];
  private head = 0;
  private queued = 0;
  /**
   * Frames written and flushed so far, and the large ones not yet flushed, in order: those of at
   * least 1/16 of the limit, so at most 17 or so are queued at once before it is passed.
   */
  private written = 0;
  private flushedCount = 0;
  private large: { seq: number; size: number }[] = [];
  /** The largest frame still queued, if it is a large one (else 0): not counted against the limit. */
  private largest = 0;
  /** Producers waiting for the queue to fall to their bound. */
  private waiters: { bytes: number; resolve: () => void }[] = [];

  constructor(
    private readonly stream: Writable,
    private readonly options: FramedWriterOptions,
  ) {
    super();
    stream.on('error', (err: Error) => this.fireError(err));
    stream.on('close', () => {
      this.releaseWaiters(true);
      this.fireClose();
    });
    stream.on('drain', () => {
      this.checkPressure();
      this.releaseWaiters();
    });
  }

  /**
   * Resolves once at most `bytes` of output wait to be flushed to the client (at once if so
   * now), or once the stream is gone (the owner's cancellation ends the producer then).
   */
  whenBelow(bytes: number): Promise<void> {
    if (this.pendingBytes <= bytes || this.ended || this.stream.destroyed || this.overflowed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ bytes, resolve }));
  }

  /** Producers waiting in `whenBelow` (for tests and status). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves the waiters whose bound is met, or (`all`) every one: a cancelled stream must not stay parked here. */
  releaseWaiters(all = false): void {
    if (this.waiters.length === 0) return;
    const pending = this.pendingBytes;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) all || pending <= w.bytes ? w.resolve() : keep.push(w);
    this.waiters = keep;
  }

  /** A frame was flushed (frames flush in order). */
  private flushed(): void {
    const size = this.frames[this.head++] ?? 0;
    this.queued -= size;
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
    const seq = this.flushedCount++;
    if (this.large[0]?.seq === seq) {
      this.large.shift();
      this.largest = this.large.reduce((m, f) => Math.max(m, f.size), 0);
    }
    this.checkPressure();
    this.releaseWaiters();
  }

  /** Bytes of the frames written and not yet flushed to the client. */
  get pendingBytes(): number {
    return this.queued;
  }

  write(msg: Message): Promise<void> {
    if (this.options.intercept?.(msg)) return Promise.resolve();
    const r = msg as { id?: unknown; result?: unknown; error?: unknown };
    if ((typeof r.id === 'string' || typeof r.id === 'number') && ('result' in r || 'error' in r)) this.options.onResponse?.(r.id);
    return this.writeUntracked(msg);
  }

  /** Writes a message without reporting it as a response (answers to invalid input). */
  writeUntracked(msg: Message): Promise<void> {
    if (this.ended || this.stream.destroyed || this.overflowed) return Promise.resolve();
    const body = Buffer.from(stringifyExact(msg) ?? 'null', 'utf8');
    const header = Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii');
    const size = header.length + body.length;
    this.frames.push(size);
    this.queued += size;
    const seq = this.written++;
    if (size >= this.options.maxPendingBytes / 16) {
      this.large.push({ seq, size });
      this.largest = Math.max(this.largest, size);
    }
    try {
      // Header and body without copying the body into a frame first (a batch of a streamed
      // history is megabytes), and every frame of this tick in one write: the stream is corked
      // at the tick's first frame and uncorked once the tick's work is done, so answers that
      // complete together (many calls in flight) cost one system call, not one each.
      this.corkForTick();
      this.stream.write(header);
      this.stream.write(body, () => this.flushed());
    } catch (err) {
      this.frames.pop();
      this.queued -= size;
      this.written--;
      if (this.large.at(-1)?.seq === seq) this.large.pop();
      this.fireError(err, msg);
      return Promise.resolve();
    }
    this.checkPressure();
    return Promise.resolve();
  }

  /** Whether the stream is corked for this tick's frames (uncorked on nextTick, or by `flush`). */
  private corkedTick = false;

  private corkForTick(): void {
    if (this.corkedTick) return;
    const stream = this.stream as unknown as { cork?: () => void };
    if (typeof stream.cork !== 'function') return;
    this.corkedTick = true;
    stream.cork();
    corked.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const w of [...corked]) w.flush();
      });
    }
    process.nextTick(() => this.flush());
  }

  /**
   * Hands this tick's frames to the stream now. The owner calls it before it ends or destroys
   * the stream, or lets the process exit: a promise chain that ends in `process.exit` runs
   * before any nextTick, and a stdio pipe's writes are synchronous only once they are issued.
   */
  flush(): void {
    if (!this.corkedTick) return;
    this.corkedTick = false;
    corked.delete(this);
    (this.stream as unknown as { uncork(): void }).uncork();
  }

  private checkPressure(): void {
    const pending = this.pendingBytes;
    if (!this.overflowed && pending - this.largest > this.options.maxPendingBytes) {
      this.overflowed = true;
      this.releaseWaiters(true);
      this.options.onOverflow?.(pending);
      return;
    }
    const backedUp = pending > this.options.highWaterBytes;
    if (backedUp !== this.backedUp) {
      this.backedUp = backedUp;
      this.options.onPressure?.(backedUp);
    }
  }

  end(): void {
    this.flush();
    this.ended = true;
    this.releaseWaiters(true);
  }
}
