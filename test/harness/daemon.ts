/**
 * Runs the real daemon process (bin/temporal-handled.js) against the shared dev server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RawRpcClient } from './rpc-client';
import { testEnv } from './env';

export const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'temporal-handled.js');

export interface DaemonProcess {
  child: ChildProcess;
  stderr: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tmpPath(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-'));
  return path.join(dir, name);
}

/** Spawns the daemon with `args`; `--address` of the shared dev server is added unless given. */
export async function spawnDaemon(args: string[], opts: { env?: NodeJS.ProcessEnv; noAddress?: boolean; defaultLogLevel?: boolean } = {}): Promise<DaemonProcess> {
  const { server } = await testEnv();
  const withAddress = opts.noAddress || args.includes('--address') || args.includes('--dev') ? args : ['--address', server.address, ...args];
  // The tests read the daemon's info lines ("ready", "listening on ..."); with an editor's
  // connection (stdio) the default would be warn (defaultLogLevel: leave the daemon's default).
  const full = args.some((a) => a.startsWith('--log-level')) || opts.defaultLogLevel ? withAddress : [...withAddress, '--log-level', 'info'];
  const child = spawn(process.execPath, [BIN, ...full], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => {
    for (const l of c.toString().split('\n')) if (l) stderr.push(l);
    if (process.env.DAEMON_LOG) process.stderr.write(c);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A client over the daemon's stdio. */
export function stdioClient(d: DaemonProcess): RawRpcClient {
  return new RawRpcClient(d.child.stdout!, d.child.stdin!);
}

/** Waits until the daemon logs `ready` (listeners are up). */
export async function waitReady(d: DaemonProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (d.stderr.some((l) => / ready$/.test(l))) return;
    if (d.child.exitCode !== null) throw new Error(`daemon exited with ${d.child.exitCode}:\n${d.stderr.join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`daemon not ready:\n${d.stderr.join('\n')}`);
}

/** Connects a client to a Unix socket path or a TCP port. */
export function connectClient(target: string | number): Promise<RawRpcClient> {
  return new Promise((resolve, reject) => {
    const s = typeof target === 'number' ? net.createConnection({ port: target, host: '127.0.0.1' }) : net.createConnection(target);
    s.once('connect', () => resolve(new RawRpcClient(s, s)));
    s.once('error', reject);
  });
}

export async function initialized(c: RawRpcClient, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const r = await c.request<Record<string, unknown>>('initialize', { clientInfo: { name: 'test' }, ...params });
  c.notify('initialized', {});
  return r;
}

export interface StartedDaemon {
  d: DaemonProcess;
  /** The Unix socket path, with `socket: true`. */
  socketPath?: string;
  /** The TCP port, with `port: true` (the daemon picks a free one). */
  port?: number;
  tokenFile?: string;
  /** The TCP shared secret read from the token file. */
  secret?: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a daemon on the chosen transports and waits until it is ready.
 * `port: true` listens on a free loopback port (found from the daemon's log).
 */
export async function startDaemon(opts: { stdio?: boolean; socket?: boolean | string; port?: boolean; tokenFile?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<StartedDaemon> {
  const args: string[] = [...(opts.args ?? [])];
  if (opts.stdio) args.push('--stdio');
  let socketPath: string | undefined;
  if (opts.socket) {
    socketPath = typeof opts.socket === 'string' ? opts.socket : tmpPath('d.sock');
    args.push('--socket', socketPath);
  }
  let tokenFile: string | undefined;
  if (opts.port) {
    tokenFile = opts.tokenFile ?? tmpPath('token');
    args.push('--port', '0', '--token-file', tokenFile);
  }
  const d = await spawnDaemon(args, { env: opts.env });
  try {
    await waitReady(d);
  } catch (err) {
    await d.kill('SIGKILL');
    throw err;
  }
  let port: number | undefined;
  let secret: string | undefined;
  if (opts.port) {
    const line = d.stderr.find((l) => /listening on tcp 127\.0\.0\.1:\d+/.test(l));
    if (!line) throw new Error(`no TCP port in the daemon's log:\n${d.stderr.join('\n')}`);
    port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
    secret = fs.readFileSync(tokenFile!, 'utf8').trim();
  }
  return { d, socketPath, port, tokenFile, secret, stop: (signal = 'SIGTERM') => d.kill(signal) };
}

/** Polls `fn` until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition', intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Parses a byte stream strictly as LSP base-protocol frames carrying JSON objects.
 * Throws when any byte is not part of a well-formed frame (trailing incomplete bytes are returned as `rest`).
 */
export function parseFramesStrict(buf: Buffer): { messages: Record<string, unknown>[]; rest: Buffer } {
  const messages: Record<string, unknown>[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const end = buf.indexOf('\r\n\r\n', pos);
    if (end < 0) {
      const partial = buf.subarray(pos).toString('latin1');
      if (!'Content-Length: '.startsWith(partial) && !/^Content-Length: \d+\r?\n?\r?$/.test(partial)) {
        throw new Error(`bytes that are not a frame at offset ${pos}: ${JSON.stringify(partial.slice(0, 200))}`);
      }
      break;
    }
    const header = buf.subarray(pos, end).toString('latin1');
    const m = /^Content-Length: (\d+)$/.exec(header);
    if (!m) throw new Error(`bad frame header at offset ${pos}: ${JSON.stringify(header.slice(0, 200))}`);
    const len = Number(m[1]);
    if (buf.length < end + 4 + len) break;
    const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
    const msg = JSON.parse(body) as Record<string, unknown>;
    if (typeof msg !== 'object' || msg === null || msg.jsonrpc !== '2.0') throw new Error(`not a JSON-RPC message: ${body.slice(0, 200)}`);
    messages.push(msg);
    pos = end + 4 + len;
  }
  return { messages, rest: buf.subarray(pos) };
}

/** Frames one JSON value as the daemon expects it. */
export function frame(value: unknown): Buffer {
  const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}
