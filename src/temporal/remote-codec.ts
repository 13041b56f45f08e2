/**
 * A client of a codec server, in Temporal's remote codec protocol (the Go SDK's
 * `NewRemotePayloadCodec`, which Temporal's CLI and Web UI speak): `POST {endpoint}/encode` or
 * `/decode` with the proto3 JSON of a Payloads message (`{"payloads": [{"metadata": {K: base64},
 * "data": base64}]}`), `X-Namespace`, `Authorization` when set and any extra headers; a 200 answer
 * in the same shape with as many payloads. `{namespace}` in the endpoint is the call's namespace.
 *
 * One HTTP request per message and direction (every payload of a call goes in one batch), within
 * the call's deadline. A failure is a CodecError naming the endpoint without its credentials,
 * never the auth value.
 */
import type { IPayload } from './proto';
import { CallCancelledError, CodecError } from './errors';
import { type CancelSignal, toAbortSignal } from './cancel-signal';

export interface CodecSettings {
  /** The codec server's URL; `{namespace}` is replaced by each call's namespace. */
  endpoint: string;
  /** Sent as the Authorization header, as given (e.g. "Bearer …"). */
  auth?: string;
  /** Extra headers on each request. */
  headers?: Record<string, string>;
}

export interface CodecStatus {
  endpoint: string;
  encode: { calls: number; payloads: number };
  decode: { calls: number; payloads: number };
  errors: number;
  lastError: string | null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Used when the call has no deadline of its own (the connection's default deadline). */
const DEFAULT_TIMEOUT_MS = 30_000;

export class RemoteCodec {
  private readonly stats: Omit<CodecStatus, 'endpoint'> = { encode: { calls: 0, payloads: 0 }, decode: { calls: 0, payloads: 0 }, errors: 0, lastError: null };
  /** The endpoint as logs and errors show it: no user, password, query or fragment. */
  readonly publicEndpoint: string;

  /** The endpoint to call: without user and password, which go as Basic authorization (fetch refuses them in a URL). */
  private readonly endpoint: string;
  private readonly basicAuth: string | undefined;

  constructor(private readonly settings: CodecSettings) {
    this.publicEndpoint = publicUrl(settings.endpoint);
    const { url, basic } = splitCredentials(settings.endpoint);
    this.endpoint = url;
    this.basicAuth = basic;
  }

  status(): CodecStatus {
    return { endpoint: this.publicEndpoint, ...structuredClone(this.stats) };
  }

  encode(payloads: IPayload[], namespace: string, o: { signal?: CancelSignal; timeoutMs?: number } = {}): Promise<IPayload[]> {
    return this.post('encode', payloads, namespace, o);
  }

  decode(payloads: IPayload[], namespace: string, o: { signal?: CancelSignal; timeoutMs?: number } = {}): Promise<IPayload[]> {
    return this.post('decode', payloads, namespace, o);
  }

  private async post(op: 'encode' | 'decode', payloads: IPayload[], namespace: string, o: { signal?: CancelSignal; timeoutMs?: number }): Promise<IPayload[]> {
    if (payloads.length === 0) return [];
    if (o.signal?.aborted) throw new CallCancelledError();
    const base = this.endpoint.replaceAll('{namespace}', encodeURIComponent(namespace));
    const url = withOperation(base, op);
    const where = withOperation(this.publicEndpoint, op);
    const fail = (message: string, httpStatus: number | null): never => {
      this.stats.errors++;
      this.stats.lastError = message;
      throw new CodecError(message, op, this.publicEndpoint, httpStatus);
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-namespace': namespace, ...this.settings.headers };
    if (this.settings.auth) headers.authorization = this.settings.auth;
    else if (this.basicAuth) headers.authorization = this.basicAuth;
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const caller = o.signal ? toAbortSignal(o.signal) : undefined;
    const signal = caller ? AbortSignal.any([caller.signal, deadline]) : deadline;
    this.stats[op].calls++;
    this.stats[op].payloads += payloads.length;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ payloads: payloads.map(toJson) }), signal, redirect: 'error' });
      text = await res.text();
    } catch (err) {
      if (o.signal?.aborted) throw new CallCancelledError();
      if (deadline.aborted) return fail(`codec server ${where} did not answer within ${timeoutMs} ms`, null);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      // fetch's messages can quote the URL (with its query): only a code, or the message with the URL cut out.
      const why = cause?.code ?? (cause?.message ?? (err as Error).message).split(base).join('(the endpoint)');
      return fail(`codec server ${where} could not be reached: ${why}`, null);
    } finally {
      caller?.dispose();
    }
    if (res.status !== 200) return fail(`codec server ${where} answered HTTP ${res.status} ${res.statusText}: ${text.slice(0, 200)}`, res.status);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail(`codec server ${where} answered with a body that is not JSON`, res.status);
    }
    const list = (body as { payloads?: unknown } | null)?.payloads;
    if (!Array.isArray(list)) return fail(`codec server ${where} answered without a payloads list`, res.status);
    if (list.length !== payloads.length) return fail(`codec server ${where} answered ${list.length} payloads for the ${payloads.length} it was sent`, res.status);
    const out: IPayload[] = [];
    for (let i = 0; i < list.length; i++) {
      const p = fromJson(list[i]);
      if (!p) return fail(`codec server ${where} answered a payload (${i}) that is not {metadata: {K: base64}, data: base64}`, res.status);
      out.push(p);
    }
    return out;
  }
}

function toJson(p: IPayload): { metadata: Record<string, string>; data: string } {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? []).toString('base64') };
}

function b64(v: unknown): Buffer | undefined {
  if (v === undefined) return Buffer.alloc(0);
  if (typeof v !== 'string' || v.length % 4 !== 0 || !BASE64.test(v)) return undefined;
  return Buffer.from(v, 'base64');
}

function fromJson(j: unknown): IPayload | undefined {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return undefined;
  const o = j as { metadata?: unknown; data?: unknown };
  const metadata: Record<string, Buffer> = {};
  if (o.metadata !== undefined) {
    if (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata)) return undefined;
    for (const [k, v] of Object.entries(o.metadata)) {
      const b = b64(v);
      if (!b) return undefined;
      metadata[k] = b;
    }
  }
  const data = b64(o.data);
  if (!data) return undefined;
  return { metadata, data };
}

/** `url` with `/encode` or `/decode` at the end of its path (before any query). */
function withOperation(url: string, op: string): string {
  try {
    const u = new URL(url);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/${op}`;
    return u.toString();
  } catch {
    return `${url.replace(/\/+$/, '')}/${op}`;
  }
}

/** `url` without its user and password, and those as a Basic Authorization value. */
function splitCredentials(url: string): { url: string; basic: string | undefined } {
  try {
    const u = new URL(url.replaceAll('{namespace}', '__namespace__'));
    if (!u.username && !u.password) return { url, basic: undefined };
    const basic = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    u.username = '';
    u.password = '';
    return { url: u.toString().replaceAll('__namespace__', '{namespace}'), basic };
  } catch {
    return { url, basic: undefined };
  }
}

/** `url` without credentials, query or fragment (a token may be in any of them). */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url.replaceAll('{namespace}', '__namespace__'));
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replaceAll('__namespace__', '{namespace}');
  } catch {
    return '(an endpoint that is not a URL)';
  }
}
