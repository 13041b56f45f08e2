/**
 * The benchmark's test bed: real dev servers (DevServer.start), a worker process,
 * @temporalio/client connections, the server's Prometheus metrics, machine details.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DevServer, freePort, findTemporalCli, projectRoot } from '../src/devserver/dev-server';

export const ROOT = projectRoot();

/** Child processes to kill if the benchmark exits without stopping them (a crash, the watchdog). */
const children = new Set<ChildProcess>();
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
export const DAEMON_BIN = path.join(ROOT, 'bin', 'temporal-handled.js');
export const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

export interface BenchServer {
  server: DevServer;
  address: string;
  metricsPort: number;
  /** frontend.namespaceCount, when set (else the server's default, 1200). */
  longPollLimit: number | null;
  client: Client;
  connection: Connection;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` (in memory, loopback) with metrics, and a @temporalio/client for it. */
export async function startServer(opts: { longPollLimit?: number } = {}): Promise<BenchServer> {
  const metricsPort = await freePort();
  const extraArgs = [
    '--metrics-port',
    String(metricsPort),
    // A new run of an ID is otherwise delayed by up to 1 s after the previous one started (continue-as-new too).
    '--dynamic-config-value',
    'history.workflowIdReuseMinimalInterval="0s"',
  ];
  if (opts.longPollLimit !== undefined) extraArgs.push('--dynamic-config-value', `frontend.namespaceCount=${opts.longPollLimit}`);
  const server = await DevServer.start({ extraArgs, onOutput: process.env.BENCH_SERVER_LOG ? (l) => process.stderr.write(`[dev-server] ${l}\n`) : undefined });
  track(server.process);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  return {
    server,
    address: server.address,
    metricsPort,
    longPollLimit: opts.longPollLimit ?? null,
    client,
    connection,
    async stop() {
      await connection.close().catch(() => undefined);
      await server.stop();
    },
  };
}

/** Sum of the server's `service_errors_resource_exhausted` counters (by operation). */
export async function resourceExhaustedCount(s: BenchServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('service_errors_resource_exhausted')) continue;
      const op = /operation="([^"]*)"/.exec(line)?.[1] ?? '?';
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(v)) out[op] = (out[op] ?? 0) + v;
    }
  } catch {
    /* metrics unavailable */
  }
  return out;
}

export function diffCounts(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** The worker process (bench/worker-process.ts) and the workers it runs. */
export class WorkerHost {
  private nextId = 1;
  private waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { type: string; id?: number; message?: string }) => {
      const w = m.id !== undefined ? this.waiting.get(m.id) : undefined;
      if (m.type === 'started' && w) w.resolve();
      if (m.type === 'error' && w) w.reject(new Error(m.message));
      if (m.id !== undefined) this.waiting.delete(m.id);
    });
  }

  static async start(): Promise<WorkerHost> {
    const child = track(fork(path.join(__dirname, 'worker-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('worker process not ready within 120 s')), 120_000);
      child.once('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
      child.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'ready') {
          clearTimeout(t);
          resolve();
        } else if (m.type === 'error' && m.message) reject(new Error(m.message));
      });
    });
    return new WorkerHost(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  startWorker(address: string, taskQueue: string): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ type: 'start', id, address, taskQueue });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ type: 'stop' });
    const t = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
  } catch (err) {
    return `unavailable (${(err as Error).message.split('\n')[0]})`;
  }
}

/** The commit measured, and how many files outside bench/ differ from it. */
export function gitState(): { commit: string; changedFiles: number } {
  const commit = tryRun('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const status = tryRun('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=all', '--', '.', ':(exclude)bench']);
  return { commit, changedFiles: status.startsWith('unavailable') ? -1 : status.split('\n').filter(Boolean).length };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  python: string;
  temporalCli: string;
  temporalio: { python: string; typescript: string };
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()} ${os.arch()}`;
  try {
    const rel = fs.readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(rel)?.[1];
    if (pretty) osName = `${pretty} (${osName})`;
  } catch {
    /* not Linux */
  }
  let tsSdk = 'unknown';
  try {
    tsSdk = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@temporalio', 'client', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* keep unknown */
  }
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osName,
    node: process.version,
    python: tryRun(PYTHON, ['--version']).replace(/^Python /, ''),
    temporalCli: tryRun(findTemporalCli(), ['--version']).replace(/^temporal version /, ''),
    temporalio: {
      python: tryRun(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("temporalio"))']),
      typescript: tsSdk,
    },
  };
}
