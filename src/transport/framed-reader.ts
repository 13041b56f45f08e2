/**
 * Reads LSP base-protocol frames (`Content-Length: N\r\n\r\n` + N bytes of UTF-8 JSON)
 * and hands the parsed messages that its owner's `check` accepts to vscode-jsonrpc.
 *
 * Unlike vscode-jsonrpc's own reader it reports bad input instead of only logging it:
 * each malformed header, body that is not UTF-8 JSON, or body `check` refuses goes to
 * `onInvalid` for the owner to answer, and the reader resynchronises on the next
 * `Content-Length` header. A frame over `maxMessageBytes` is fatal for the client.
 */
import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc/node';
import { isUtf8 } from 'node:buffer';
import { parseExact } from '../json/exact-json';

/** Input the reader did not deliver, for its owner to answer. */
export type InvalidInput =
  /** Bad framing or a body that is not JSON; the reader resynchronises on the next header. */
  | { kind: 'unreadable'; problem: string }
  /** A frame over the size limit: the client must be dropped after the answer. */
  | { kind: 'tooLarge'; bytes: number; limit: number }
  /** A parsed body that `check` refused, with what `check` returned. */
  | { kind: 'refused'; refusal: unknown };

export interface FramedReaderOptions {
  /** Largest body accepted, in bytes. */
  maxMessageBytes: number;
  /** Largest header block accepted, in bytes. @default 8192 */
  maxHeaderBytes?: number;
  /**
   * Awaited when the input ends, before the reader reports the close: lets the
   * owner handle what was already read (e.g. an `exit` just before the end of stdin).
   */
  beforeClose?: () => Promise<void>;
  /** Where unexpected errors of the message callback are reported (they never escape). */
  onCallbackError?: (err: unknown) => void;
  /** Called after each message handed to the connection (for flow control). */
  afterDeliver?: (msg: Message) => void;
  /**
   * Checks each parsed body before it is delivered: undefined delivers it, `{split: [...]}`
   * delivers those messages in its place (each checked in turn: a batch), and anything else
   * refuses it (the reader knows nothing of JSON-RPC; its owner does).
   */
  check?: (msg: unknown) => unknown;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /content-length\s*:/i;
/** Bytes kept while resynchronising: one less than "content-length:". */
const RESYNC_TAIL = 14;

export class FramedMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private total = 0;
  private expected: number | undefined;
  /** Body bytes of a rejected frame still to be dropped. */
  private skipping = 0;
  /** After bad framing: bytes are dropped up to the next Content-Length header, and no further errors are reported until a frame parses. */
  private resyncing = false;
  private callback: DataCallback | undefined;
  private stopped = false;
  private paused = false;
  private closing = false;
  private readonly maxHeaderBytes: number;
  /** Messages handed to the connection so far. */
  delivered = 0;
  /** The largest body accepted now (lower until a client has authenticated). */
  maxMessageBytes: number;

  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly options: FramedReaderOptions,
    private readonly onInvalid: (input: InvalidInput) => void,
  ) {
    super();
    this.maxHeaderBytes = options.maxHeaderBytes ?? 8192;
    this.maxMessageBytes = options.maxMessageBytes;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const onError = (err: Error) => this.fireError(err);
    const onClose = () => this.onEnd();
    this.stream.on('data', onData);
    this.stream.on('error', onError);
    this.stream.on('close', onClose);
    this.stream.on('end', onClose);
    return {
      dispose: () => {
        this.stream.off('data', onData);
        this.stream.off('error', onError);
        this.stream.off('close', onClose);
        this.stream.off('end', onClose);
      },
    };
  }

  /** Stops reading: no more messages are delivered, even from bytes already received. */
  pause(): void {
    this.paused = true;
    this.stream.pause();
  }

  /** Reads again, starting with the bytes already received. */
  resume(): void {
    if (this.stopped || !this.paused) return;
    this.paused = false;
    setImmediate(() => {
      if (this.paused || this.stopped) return;
      this.process();
      if (!this.paused) this.stream.resume();
    });
  }

  private onEnd(): void {
    if (this.closing) return;
    this.closing = true;
    const before = this.options.beforeClose?.() ?? Promise.resolve();
    void before.catch(() => undefined).then(() => this.fireClose());
  }

  private onData(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
    this.process();
  }

  private take(): Buffer {
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.total);
    this.chunks = [];
    this.total = 0;
    return buf;
  }

  private keep(buf: Buffer): void {
    if (buf.length > 0) {
      this.chunks = [buf];
      this.total = buf.length;
    }
  }

  private process(): void {
    while (!this.stopped && !this.paused) {
      if (this.skipping > 0) {
        if (this.total === 0) return;
        const buf = this.take();
        const n = Math.min(this.skipping, buf.length);
        this.skipping -= n;
        this.keep(buf.subarray(n));
        continue;
      }
      if (this.expected === undefined) {
        if (this.total === 0) return;
        let buf = this.take();
        if (this.resyncing) {
          const m = CONTENT_LENGTH.exec(buf.toString('latin1'));
          if (!m) {
            this.keep(buf.subarray(Math.max(0, buf.length - RESYNC_TAIL)));
            return;
          }
          buf = buf.subarray(m.index);
        }
        const end = buf.indexOf(HEADER_END);
        if (end < 0 || end > this.maxHeaderBytes) {
          if (buf.length > this.maxHeaderBytes) {
            this.badFraming(`no end of header within ${this.maxHeaderBytes} bytes`);
            this.keep(buf.subarray(1));
            continue;
          }
          this.keep(buf);
          return;
        }
        const header = parseHeader(buf.subarray(0, end).toString('latin1'));
        if (header.length !== undefined && header.length > this.maxMessageBytes) {
          this.stopped = true;
          this.onInvalid({ kind: 'tooLarge', bytes: header.length, limit: this.maxMessageBytes });
          this.chunks = [];
          this.total = 0;
          return;
        }
        if (header.error !== undefined) {
          if (header.length !== undefined && !this.resyncing) {
            // A delimited frame with a bad header: report it once and drop its body.
            this.onInvalid({ kind: 'unreadable', problem: header.error });
            this.skipping = header.length;
            this.keep(buf.subarray(end + HEADER_END.length));
          } else {
            // The body's extent is unknown: drop bytes up to the next Content-Length header
            // (which may be in this very block, after garbage that preceded a good frame;
            // not, though, the second of two conflicting ones, which belongs to this frame).
            this.badFraming(header.error);
            this.keep(buf.subarray(header.conflicting ? end + HEADER_END.length : 1));
          }
          continue;
        }
        this.resyncing = false;
        this.expected = header.length!;
        this.keep(buf.subarray(end + HEADER_END.length));
      }
      if (this.total < this.expected) return;
      const buf = this.take();
      const body = buf.subarray(0, this.expected);
      this.keep(buf.subarray(this.expected));
      this.expected = undefined;
      this.handleBody(body);
    }
  }

  /** Reports bad framing once, then resynchronises on the next Content-Length header. */
  private badFraming(problem: string): void {
    if (!this.resyncing) this.onInvalid({ kind: 'unreadable', problem });
    this.resyncing = true;
  }

  private handleBody(body: Buffer): void {
    let msg: unknown;
    const text = body.toString('utf8');
    // Decoding replaces bytes that are not UTF-8 with U+FFFD: such a body is refused, never altered.
    if (text.includes('\uFFFD') && !isUtf8(body)) {
      this.onInvalid({ kind: 'unreadable', problem: 'the body is not valid UTF-8 (the LSP base protocol carries UTF-8 JSON)' });
      return;
    }
    try {
      // Numbers a double would change (big integers in args, say) stay exact: see src/json/exact-json.ts.
      msg = parseExact(text);
    } catch (err) {
      this.onInvalid({ kind: 'unreadable', problem: (err as Error).message });
      // A Content-Length that lied (too long) swallowed the start of the next frame, or one
      // that was too short left the rest of this body behind: resynchronise on the next header.
      const rest = this.take();
      this.keep(Buffer.concat([body.subarray(1), rest]));
      this.resyncing = true;
      return;
    }
    const verdict = this.options.check?.(msg);
    if (isSplit(verdict)) {
      for (const part of verdict.split) this.deliverChecked(part);
      return;
    }
    if (verdict !== undefined) {
      this.onInvalid({ kind: 'refused', refusal: verdict });
      return;
    }
    this.deliver(msg);
  }

  private deliverChecked(msg: unknown): void {
    const verdict = this.options.check?.(msg);
    if (verdict !== undefined) this.onInvalid({ kind: 'refused', refusal: verdict });
    else this.deliver(msg);
  }

  private deliver(msg: unknown): void {
    this.delivered++;
    try {
      this.callback?.(msg as Message);
    } catch (err) {
      this.options.onCallbackError?.(err);
    }
    this.options.afterDeliver?.(msg as Message);
  }
}

function isSplit(v: unknown): v is { split: unknown[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { split?: unknown }).split);
}

/** The Content-Length of a header block, and what is wrong with it (if anything). */
function parseHeader(text: string): { length?: number; error?: string; conflicting?: boolean } {
  let length: number | undefined;
  let error: string | undefined;
  let conflicting = false;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      error ??= `malformed header line ${JSON.stringify(line.slice(0, 80))} (expected "Name: value")`;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) error ??= `Content-Length must be a non-negative integer, got ${JSON.stringify(value.slice(0, 40))}`;
      else if (length !== undefined && length !== Number(value)) {
        // Which one delimits the body is unknown: resynchronise rather than guess (one answer, not two).
        error ??= 'conflicting Content-Length headers';
        conflicting = true;
      } else length = Number(value);
    } else if (key === 'content-type') {
      if (!/utf-?8/i.test(value) && /charset/i.test(value)) error ??= `unsupported Content-Type ${JSON.stringify(value)} (only UTF-8 is supported)`;
    }
  }
  if (length === undefined) error ??= 'header has no Content-Length';
  return { length: conflicting ? undefined : length, error, conflicting };
}
