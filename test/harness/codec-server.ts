/**
 * A codec server for the tests: Temporal's remote codec protocol (`POST …/encode`, `…/decode`
 * with the proto3 JSON of Payloads) over real AES-256-GCM encryption (test/fixtures/aes-codec.ts),
 * the same the test workers use in-process. It records each request (path, headers, payload
 * count) and can be told to misbehave as a real one might: refuse with an HTTP status, answer
 * slowly, answer with one payload missing, or be down.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AesGcmCodec } from '../fixtures/aes-codec';

export interface CodecRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  payloads: number;
}

export type CodecFault = { kind: 'status'; status: number } | { kind: 'slow'; ms: number } | { kind: 'dropOne' } | { kind: 'notJson' };

export interface TestCodecServer {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: CodecRequest[];
  /** What the next requests do instead of answering well (until cleared with undefined). */
  fault: CodecFault | undefined;
  /** Stops listening (a down codec server); `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

type JsonPayload = { metadata?: Record<string, string>; data?: string };

const toPayload = (j: JsonPayload) => ({
  metadata: Object.fromEntries(Object.entries(j.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(j.data ?? '', 'base64'),
});
const toJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export async function startCodecServer(): Promise<TestCodecServer> {
  const codec = new AesGcmCodec();
  const sockets = new Set<import('node:net').Socket>();
  const state: TestCodecServer = {
    url: '',
    requests: [],
    fault: undefined,
    stop: async () => undefined,
    start: async () => undefined,
    close: async () => undefined,
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      void (async () => {
        const pathname = new URL(req.url ?? '/', 'http://codec').pathname;
        const op = pathname.endsWith('/encode') ? 'encode' : pathname.endsWith('/decode') ? 'decode' : undefined;
        let payloads: JsonPayload[] = [];
        try {
          payloads = (JSON.parse(body) as { payloads?: JsonPayload[] }).payloads ?? [];
        } catch {
          /* counted as 0; answered 400 below */
        }
        state.requests.push({ path: req.url ?? '', headers: req.headers, payloads: payloads.length });
        const fault = state.fault;
        if (fault?.kind === 'status') return res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('refused by the test');
        if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
        if (fault?.kind === 'notJson') return res.writeHead(200, { 'content-type': 'text/plain' }).end('<html>');
        if (!op || req.method !== 'POST') return res.writeHead(404).end('not found');
        let out;
        try {
          const ps = payloads.map(toPayload);
          out = (op === 'encode' ? await codec.encode(ps) : await codec.decode(ps)).map(toJson);
        } catch (err) {
          return res.writeHead(400, { 'content-type': 'text/plain' }).end(String((err as Error).message));
        }
        if (fault?.kind === 'dropOne') out = out.slice(1);
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: out }));
      })();
    });
  };
  let server = http.createServer(handler);
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  state.start = async () => {
    server = http.createServer(handler);
    await listen(port);
  };
  state.close = state.stop;
  return state;
}
