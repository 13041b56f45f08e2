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
export async function spawnDaemon(args: string[], opts: { env?: NodeJS.ProcessEnv; noAddress?: boolean } = {}): Promise<DaemonProcess> {
  const { server } = await testEnv();
  const full = opts.noAddress || args.includes('--address') || args.includes('--dev') ? args : ['--address', server.address, ...args];
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
