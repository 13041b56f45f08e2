/**
 * Reads LSP base-protocol frames (`Content-Length: N\r\n\r\n` + N bytes of UTF-8 JSON)
 * and hands valid JSON-RPC 2.0 messages to vscode-jsonrpc.
 *
 * Unlike vscode-jsonrpc's own reader it answers bad input instead of only logging it:
 * each malformed header, unparsable body or invalid JSON-RPC object is reported through
 * `onInvalid` with the error response to send, and the reader resynchronises on the
 * next `Content-Length` header. A frame over `maxMessageBytes` is fatal for the client.
 */
import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../protocol/error-codes';

export interface InvalidInput {
  /** The id to answer with (null when it could not be read). */
  id: string | number | null;
  code: number;
  message: string;
  /** The client must be dropped after the answer. */
  fatal: boolean;
}

export interface FramedReaderOptions {
  /** Largest body accepted, in bytes. */
  maxMessageBytes: number;
  /** Largest header block accepted, in bytes. @default 8192 */
  maxHeaderBytes?: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /content-length\s*:/i;

export class FramedMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private total = 0;
  private expected: number | undefined;
  private callback: DataCallback | undefined;
  private stopped = false;
  private readonly maxHeaderBytes: number;

  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly options: FramedReaderOptions,
    private readonly onInvalid: (input: InvalidInput) => void,
  ) {
    super();
    this.maxHeaderBytes = options.maxHeaderBytes ?? 8192;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const onError = (err: Error) => this.fireError(err);
    const onClose = () => this.fireClose();
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

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    if (!this.stopped) this.stream.resume();
  }

  /** Bytes received but not yet parsed into a message. */
  get bufferedBytes(): number {
    return this.total;
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
    while (!this.stopped) {
      if (this.expected === undefined) {
        if (this.total === 0) return;
        const buf = this.take();
        const end = buf.indexOf(HEADER_END);
        if (end < 0) {
          if (buf.length > this.maxHeaderBytes) {
            this.invalid(null, ErrorCodes.ParseError, `Parse error: no end of header within ${this.maxHeaderBytes} bytes`);
            this.keep(this.resync(buf, 1));
          } else {
            this.keep(buf);
          }
          return;
        }
        const header = this.parseHeader(buf.subarray(0, end).toString('ascii'));
        if (typeof header === 'string') {
          this.invalid(null, ErrorCodes.ParseError, `Parse error: ${header}`);
          this.keep(this.resync(buf, 1));
          continue;
        }
        if (header > this.options.maxMessageBytes) {
          this.stopped = true;
          this.invalid(null, ErrorCodes.MessageTooLarge, `Message of ${header} bytes exceeds the limit of ${this.options.maxMessageBytes} bytes; closing the connection`, true);
          this.chunks = [];
          this.total = 0;
          return;
        }
        this.expected = header;
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

  /** A Content-Length, or a string saying what is wrong with the header block. */
  private parseHeader(text: string): number | string {
    let length: number | undefined;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) return `malformed header line ${JSON.stringify(line.slice(0, 80))} (expected "Name: value")`;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) return `Content-Length must be a non-negative integer, got ${JSON.stringify(value.slice(0, 40))}`;
        length = Number(value);
      } else if (key === 'content-type') {
        if (!/utf-?8/i.test(value) && /charset/i.test(value)) return `unsupported Content-Type ${JSON.stringify(value)} (only UTF-8 is supported)`;
      }
    }
    if (length === undefined) return 'header has no Content-Length';
    return length;
  }

  /** Drops bytes up to the next `Content-Length` header at or after `from`. */
  private resync(buf: Buffer, from: number): Buffer {
    const text = buf.toString('latin1');
    const rest = text.slice(from);
    const m = CONTENT_LENGTH.exec(rest);
    if (m) return buf.subarray(from + m.index);
    // Keep a tail that may be the start of a header split across reads.
    return buf.subarray(Math.max(from, buf.length - 16));
  }

  private handleBody(body: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(body.toString('utf8'));
    } catch (err) {
      // A Content-Length that lied (too long) swallows the next frame: recover it.
      const text = body.toString('latin1');
      const m = CONTENT_LENGTH.exec(text.slice(1));
      this.invalid(null, ErrorCodes.ParseError, `Parse error: ${(err as Error).message}`);
      if (m) {
        const tail = body.subarray(1 + m.index);
        const rest = this.take();
        this.keep(Buffer.concat([tail, rest]));
      }
      return;
    }
    const problem = validate(msg);
    if (problem) {
      this.invalid(problem.id, ErrorCodes.InvalidRequest, `Invalid request: ${problem.message}`);
      return;
    }
    this.callback?.(msg as Message);
  }

  private invalid(id: string | number | null, code: number, message: string, fatal = false): void {
    this.onInvalid({ id, code, message, fatal });
  }
}

function validId(id: unknown): id is string | number {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/** What is wrong with a parsed message, or undefined when it is a valid JSON-RPC 2.0 message. */
export function validate(msg: unknown): { id: string | number | null; message: string } | undefined {
  if (Array.isArray(msg)) return { id: null, message: 'batch messages are not supported' };
  if (typeof msg !== 'object' || msg === null) return { id: null, message: 'a message must be a JSON object' };
  const m = msg as Record<string, unknown>;
  const id = validId(m.id) ? m.id : null;
  if (m.jsonrpc !== '2.0') return { id, message: '"jsonrpc" must be "2.0"' };
  if ('method' in m) {
    if (typeof m.method !== 'string' || m.method === '') return { id, message: '"method" must be a non-empty string' };
    if ('id' in m && !validId(m.id)) return { id: null, message: '"id" must be a string or a number' };
    if ('params' in m && (typeof m.params !== 'object' || m.params === null)) return { id, message: '"params" must be an object or an array' };
    return undefined;
  }
  if ('result' in m || 'error' in m) {
    if (!('id' in m)) return { id: null, message: 'a response needs an "id"' };
    return undefined;
  }
  return { id, message: 'a message needs a "method" (request or notification) or a "result"/"error" (response)' };
}
