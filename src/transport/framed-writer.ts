/**
 * Writes JSON-RPC messages as LSP base-protocol frames, watching how much output
 * is queued for a client that reads slowly.
 *
 * Above `highWaterBytes` it asks the owner to stop reading from the client (no new
 * requests, so no new answers); past `maxPendingBytes` the client is dropped. Memory
 * spent on one client's output is therefore bounded.
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

export class FramedMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private backedUp = false;
  private overflowed = false;
  private ended = false;

  constructor(
    private readonly stream: Writable,
    private readonly options: FramedWriterOptions,
  ) {
    super();
    stream.on('error', (err: Error) => this.fireError(err));
    stream.on('close', () => this.fireClose());
    stream.on('drain', () => this.checkPressure());
  }

  get pendingBytes(): number {
    return this.stream.writableLength ?? 0;
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
    const frame = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    try {
      this.stream.write(frame);
    } catch (err) {
      this.fireError(err, msg);
      return Promise.resolve();
    }
    this.checkPressure();
    return Promise.resolve();
  }

  private checkPressure(): void {
    const pending = this.pendingBytes;
    if (!this.overflowed && pending > this.options.maxPendingBytes) {
      this.overflowed = true;
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
    this.ended = true;
  }
}
