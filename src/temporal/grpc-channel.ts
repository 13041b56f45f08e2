/**
 * Unary gRPC calls over one HTTP/2 session (node:http2): all the WorkflowService needs, since
 * every one of its methods is unary (a long poll is a unary call with a long deadline).
 *
 * Owns: the session (plaintext or TLS with ALPN h2), reconnecting after it is lost, keepalive
 * pings, the gRPC framing of a request and an answer, the receive limit, the `grpc-timeout` header
 * and the local deadline, and the mapping of HTTP/2 outcomes to gRPC status codes as the gRPC
 * HTTP/2 specification gives them. It knows nothing of retries or of Temporal (connection.ts).
 * Why not grpc-js: docs/decisions/0006-own-unary-grpc.md.
 */
import * as http2 from 'node:http2';
import { isIP } from 'node:net';
import * as tlsModule from 'node:tls';
import type { ConnectionOptions as TlsConnectOptions } from 'node:tls';
import { hostOf } from './address';
import { type HttpProxy, openTunnel } from './http-proxy';

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export enum Status {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** The trailers (or headers) of an answer: each key's values, `-bin` ones decoded. */
export type Trailers = Map<string, (string | Buffer)[]>;

export interface CallError {
  code: Status;
  details: string;
  metadata: Trailers;
}

export interface ChannelOptions {
  /** `host:port`, as normalizeAddress gives it. */
  address: string;
  /** TLS options for the connection (`ca`, `cert`, `key`, `servername`, `checkServerIdentity`); plaintext when unset. */
  tls?: TlsConnectOptions;
  /** The :authority of every call; the address (or the TLS server name) when unset. */
  authority?: string;
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  maxReceiveMessageLength: number;
  /** An HTTP CONNECT proxy to tunnel through (http-proxy.ts reads it from the environment). */
  proxy?: HttpProxy;
  /** Headers of every call (lower-case keys, printable ASCII values), checked once here. */
  metadata?: [string, string][];
}

export type ChannelState = 'IDLE' | 'CONNECTING' | 'READY' | 'TRANSIENT_FAILURE' | 'SHUTDOWN';

export interface UnaryCall {
  cancel(): void;
}

/** One call's end, shared by the part that starts it and the part that reads its stream. */
interface CallState {
  stream: http2.ClientHttp2Stream | undefined;
  finish(err: CallError | undefined, value?: Buffer): void;
  fail(code: Status, details: string, md?: Trailers): void;
  finished(): boolean;
  /** Takes this call's listeners off its stream (see `send`). */
  detach?: () => void;
}

/** A finished call's stream may still see an error (a late reset); nothing is left to tell. */
const ignoreError = () => undefined;

/** RST_STREAM codes to gRPC codes, as the gRPC HTTP/2 specification maps them. */
function rstStatus(code: number): Status {
  const c = http2.constants;
  if (code === c.NGHTTP2_REFUSED_STREAM) return Status.UNAVAILABLE;
  if (code === c.NGHTTP2_CANCEL) return Status.CANCELLED;
  if (code === c.NGHTTP2_ENHANCE_YOUR_CALM) return Status.RESOURCE_EXHAUSTED;
  if (code === c.NGHTTP2_INADEQUATE_SECURITY) return Status.PERMISSION_DENIED;
  return Status.INTERNAL;
}

/** An HTTP status other than 200 without a gRPC status, as the specification maps it. */
function httpStatus(status: number): Status {
  if (status === 400) return Status.INTERNAL;
  if (status === 401) return Status.UNAUTHENTICATED;
  if (status === 403) return Status.PERMISSION_DENIED;
  if (status === 404) return Status.UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return Status.UNAVAILABLE;
  return Status.UNKNOWN;
}

/** `grpc-timeout`: at most 8 digits and a unit. */
export function grpcTimeout(ms: number): string {
  const m = Math.max(1, Math.ceil(ms));
  if (m < 1e8) return `${m}m`;
  const s = Math.ceil(m / 1000);
  if (s < 1e8) return `${s}S`;
  return `${Math.min(99_999_999, Math.ceil(s / 3600))}H`;
}

/** `grpc-message` is percent-encoded. */
function decodeMessage(v: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function toTrailers(h: http2.IncomingHttpHeaders): Trailers {
  const out: Trailers = new Map();
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(':') || v === undefined) continue;
    const values = Array.isArray(v) ? v : [String(v)];
    // Repeated binary entries arrive joined by commas (base64 has none of its own).
    out.set(k, k.endsWith('-bin') ? values.flatMap((x) => x.split(',')).map((x) => Buffer.from(x.trim(), 'base64')) : values);
  }
  return out;
}

const EMPTY: Trailers = new Map();

const LEGAL_KEY = /^[0-9a-z_.-]+$/;
const LEGAL_VALUE = /^[\x20-\x7e]*$/;

/**
 * Why an ASCII metadata entry cannot be sent, or undefined. node:http2 lets a value with a line
 * break through and the stream then never starts, so every entry is checked before a call. The
 * value is never quoted: it can be a credential.
 */
export function metadataProblem(key: string, value: string): string | undefined {
  if (!LEGAL_KEY.test(key) || key.endsWith('-bin')) return `gRPC metadata key "${key}" is not legal (lower-case letters, digits, "-", "_" and "." only; no -bin keys)`;
  if (!LEGAL_VALUE.test(value)) return `gRPC metadata value of "${key}" is not printable ASCII`;
  return undefined;
}

export class GrpcChannel {
  private session: http2.ClientHttp2Session | undefined;
  private connected = false;
  /** Sessions that got as far as their SETTINGS: a call lost on one was "dropped", not "never connected". */
  private readonly everConnected = new WeakSet<http2.ClientHttp2Session>();
  private lastFailure: string | undefined;
  private closed = false;
  private keepalive: NodeJS.Timeout | undefined;
  private tunnel: Promise<http2.ClientHttp2Session> | undefined;
  private readonly url: string;
  /** The headers every call starts from: the gRPC ones and `metadata`, built once. */
  private readonly baseHeaders: http2.OutgoingHttpHeaders;

  /** Throws TypeError for a `metadata` entry that cannot be sent. */
  constructor(private readonly options: ChannelOptions) {
    this.url = `${options.tls ? 'https' : 'http'}://${options.address}`;
    const headers: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of options.metadata ?? []) {
      const problem = metadataProblem(k, v);
      if (problem) throw new TypeError(problem);
      headers[k] = v;
    }
    headers[':method'] = 'POST';
    headers[':authority'] = options.authority ?? (options.tls?.servername ? options.tls.servername : options.address);
    headers['content-type'] = 'application/grpc';
    headers.te = 'trailers';
    this.baseHeaders = headers;
  }

  get state(): ChannelState {
    if (this.closed) return 'SHUTDOWN';
    if (this.session) return this.connected ? 'READY' : 'CONNECTING';
    return this.lastFailure ? 'TRANSIENT_FAILURE' : 'IDLE';
  }

  /** The live session, a new one, or (through a proxy) the promise of one; a lost or draining session is never reused. */
  private live(timeoutMs: number): http2.ClientHttp2Session | Promise<http2.ClientHttp2Session> {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const proxy = this.options.proxy;
    if (!proxy) return this.open();
    this.tunnel ??= openTunnel(proxy, this.options.address, timeoutMs).then(
      (socket) => {
        this.tunnel = undefined;
        if (this.closed) {
          socket.destroy();
          throw new Error('connection closed');
        }
        const tls = this.options.tls;
        if (!tls) return this.open(() => socket);
        const host = hostOf(this.options.address);
        const servername = tls.servername ?? (isIP(host) ? undefined : host);
        return this.open(() => tlsModule.connect(Object.assign({}, tls, { socket, ALPNProtocols: ['h2'] }, servername ? { servername } : {})));
      },
      (e: Error) => {
        this.tunnel = undefined;
        this.lastFailure = e.message;
        throw e;
      },
    );
    return this.tunnel;
  }

  private open(createConnection?: () => import('node:stream').Duplex): http2.ClientHttp2Session {
    const tls = this.options.tls;
    const session = http2.connect(
      this.url,
      Object.assign({}, tls && !createConnection ? Object.assign({}, tls, { ALPNProtocols: ['h2'] }) : {}, createConnection ? { createConnection } : {}, {
        // Answers of up to the receive limit (128 MiB by default) are let in whole.
        maxSessionMemory: 1024,
        settings: { enablePush: false, initialWindowSize: 4 * 1024 * 1024 },
      }),
    );
    this.session = session;
    this.connected = false;
    session.unref();
    const forget = (reason?: string) => {
      if (this.session !== session) return;
      this.session = undefined;
      this.connected = false;
      if (reason) this.lastFailure = reason;
      this.stopKeepalive();
    };
    session.once('connect', () => {
      if (this.session !== session) return;
      this.connected = true;
      this.everConnected.add(session);
      this.lastFailure = undefined;
      // A larger window for the whole connection too, so one big answer does not stall the others.
      session.setLocalWindowSize(16 * 1024 * 1024);
      this.startKeepalive(session);
    });
    session.on('error', (err) => forget(err.message));
    session.once('goaway', () => forget());
    session.once('close', () => forget());
    return session;
  }

  private startKeepalive(session: http2.ClientHttp2Session): void {
    this.stopKeepalive();
    const t = setInterval(() => {
      if (session.destroyed) return this.stopKeepalive();
      const timeout = setTimeout(() => session.destroy(new Error(`keepalive ping unanswered for ${this.options.keepaliveTimeoutMs} ms`)), this.options.keepaliveTimeoutMs);
      timeout.unref();
      try {
        session.ping(() => clearTimeout(timeout));
      } catch {
        clearTimeout(timeout);
      }
    }, this.options.keepaliveTimeMs);
    t.unref();
    this.keepalive = t;
  }

  private stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = undefined;
  }

  /**
   * One unary call: `path` is `/package.Service/Method`, `request` the serialized request,
   * `metadata` this call's own headers beside the channel's (lower-case keys, string values). `done` is called once, with the
   * answer's bytes or a CallError. The local deadline ends the call with DEADLINE_EXCEEDED.
   */
  unary(path: string, request: Uint8Array, metadata: [string, string][], deadline: number, done: (err: CallError | undefined, value?: Buffer) => void): UnaryCall {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: CallError | undefined, value?: Buffer) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      call.detach?.();
      call.detach = undefined;
      call.stream = undefined;
      done(err, value);
    };
    const fail = (code: Status, details: string, md: Trailers = EMPTY) => {
      const stream = call.stream;
      if (stream && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      finish({ code, details, metadata: md });
    };
    const call: CallState = { stream: undefined, finish, fail, finished: () => finished };
    if (this.closed) {
      fail(Status.UNAVAILABLE, 'connection closed');
      return { cancel: () => undefined };
    }
    const timeoutMs = deadline - Date.now();
    if (timeoutMs <= 0) {
      fail(Status.DEADLINE_EXCEEDED, 'Deadline exceeded before the call was sent');
      return { cancel: () => undefined };
    }
    const headers: http2.OutgoingHttpHeaders = Object.assign({}, this.baseHeaders);
    for (const [k, v] of metadata) {
      const problem = metadataProblem(k, v);
      if (problem) {
        fail(Status.INTERNAL, problem);
        return { cancel: () => undefined };
      }
      headers[k] = v;
    }
    headers[':path'] = path;
    headers['grpc-timeout'] = grpcTimeout(timeoutMs);
    timer = setTimeout(() => fail(Status.DEADLINE_EXCEEDED, `Deadline exceeded after ${(timeoutMs / 1000).toFixed(3)}s`), timeoutMs);
    let live: http2.ClientHttp2Session | Promise<http2.ClientHttp2Session>;
    try {
      live = this.live(timeoutMs);
    } catch (e) {
      fail(Status.UNAVAILABLE, `No connection established: ${(e as Error).message}`);
      return { cancel: () => undefined };
    }
    if (live instanceof Promise) {
      live.then(
        (session) => {
          if (!finished) this.send(session, headers, request, call);
        },
        (e: Error) => fail(Status.UNAVAILABLE, `No connection established: ${e.message}`),
      );
    } else {
      this.send(live, headers, request, call);
    }
    return { cancel: () => fail(Status.CANCELLED, 'Cancelled on client') };
  }

  /** Sends one call on `session` and reads its answer into the call's `finish` (or `fail`). */
  private send(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, request: Uint8Array, call: CallState): void {
    const { finish, fail } = call;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      fail(err.code === 'ERR_HTTP2_INVALID_HEADER_VALUE' || err.code === 'ERR_INVALID_HTTP_TOKEN' ? Status.INTERNAL : Status.UNAVAILABLE, err.message);
      return;
    }
    call.stream = stream;
    const max = this.options.maxReceiveMessageLength;
    let status: number | undefined;
    let trailers: Trailers | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let frameLength = -1;
    let answer: Buffer | undefined;
    let messages = 0;

    const takeStatus = (h: http2.IncomingHttpHeaders) => {
      const s = h['grpc-status'];
      if (s === undefined) return;
      const code = Number(s);
      status = Number.isInteger(code) && code >= 0 && code <= 16 ? code : Status.UNKNOWN;
      // The trailers' entries matter to a failure only (its message and status details).
      if (status !== Status.OK) trailers = toTrailers(h);
    };
    const onResponse = (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
      const httpCode = Number(h[':status']);
      if (h['grpc-status'] !== undefined) return takeStatus(h);
      if (httpCode !== 200) return fail(httpStatus(httpCode), `Received HTTP status code ${httpCode}`);
      const type = String(h['content-type'] ?? '');
      if (!type.startsWith('application/grpc')) fail(Status.UNKNOWN, `Received an answer of content-type "${type}", not application/grpc`);
    };
    const onData = (chunk: Buffer) => {
      if (call.finished()) return;
      chunks.push(chunk);
      received += chunk.length;
      // Frames: a flag byte, a 4-byte length, the message. A unary answer has one.
      for (;;) {
        if (frameLength < 0) {
          if (received < 5) return;
          const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          if (head[0] !== 0) return fail(Status.INTERNAL, 'Received a compressed message, which was not asked for');
          frameLength = head.readUInt32BE(1);
          if (frameLength > max) return fail(Status.RESOURCE_EXHAUSTED, `Received message larger than max (${frameLength} vs. ${max})`);
          chunks.length = 0;
          if (head.length > 5) chunks.push(head.subarray(5));
          received -= 5;
        }
        if (received < frameLength) return;
        const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        answer = all.subarray(0, frameLength);
        messages++;
        chunks.length = 0;
        received -= frameLength;
        if (all.length > frameLength) chunks.push(all.subarray(frameLength));
        frameLength = -1;
      }
    };
    let streamError: string | undefined;
    const onError = (e: Error) => {
      streamError ??= e.message;
    };
    const onClose = () => {
      if (call.finished()) return;
      if (status === undefined) {
        const rst = stream.rstCode ?? 0;
        const lost = session.destroyed || session.closed;
        // A reset the server sent, on a session that lives on, maps by its code.
        if (!lost && rst !== http2.constants.NGHTTP2_NO_ERROR) return fail(rstStatus(rst), `Received RST_STREAM with code ${rst}`);
        const why = streamError ?? this.lastFailure ?? (lost ? 'the connection was lost' : 'the stream ended without a status');
        return fail(Status.UNAVAILABLE, this.everConnected.has(session) ? `Connection dropped: ${why}` : `No connection established: ${why}`);
      }
      const md = trailers ?? EMPTY;
      if (status !== Status.OK) {
        const m = md.get('grpc-message')?.[0];
        return finish({ code: status, details: typeof m === 'string' ? decodeMessage(m) : '', metadata: md });
      }
      if (messages !== 1 || !answer) return finish({ code: Status.UNIMPLEMENTED, details: `a unary answer held ${messages} messages`, metadata: md });
      finish(undefined, answer);
    };
    stream.once('response', onResponse);
    stream.on('data', onData);
    stream.once('trailers', takeStatus);
    stream.on('error', onError);
    stream.once('close', onClose);
    // A closed stream stays reachable past its call inside Node's HTTP/2 layer: with our
    // listeners on it, each call's state (its answer, the promise it settled) outlived the call
    // into the old generation (at concurrency 1, 2.5-3 MB surviving each scavenge; 1.4-1.7 MB
    // with the listeners taken off).
    call.detach = () => {
      stream.removeListener('response', onResponse);
      stream.removeListener('data', onData);
      stream.removeListener('trailers', takeStatus);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
      stream.on('error', ignoreError);
    };
    const framed = Buffer.allocUnsafe(5 + request.length);
    framed[0] = 0;
    framed.writeUInt32BE(request.length, 1);
    framed.set(request, 5);
    stream.end(framed);
  }

  close(): void {
    this.closed = true;
    this.stopKeepalive();
    const s = this.session;
    this.session = undefined;
    s?.close();
  }
}
