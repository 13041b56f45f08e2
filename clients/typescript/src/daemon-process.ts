/**
 * Spawning the daemon as a child process that serves this client on its stdio,
 * and finding the `temporal-handled` bin to run by default.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DaemonConnectionError } from './errors';

export interface SpawnOptions {
  /** The program to run; default: this Node (process.execPath) running the repository's bin/temporal-handled.js. */
  command?: string;
  /** Extra daemon arguments, after `--stdio` (e.g. `['--dev']`, `['--log-level', 'warn']`). */
  args?: string[];
  /** `--address HOST:PORT` of the Temporal server (default: the daemon's: flags, TEMPORAL_ADDRESS, profile). */
  address?: string;
  /** `--namespace`: the daemon's and this session's default namespace. */
  namespace?: string;
  /** Environment of the daemon (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The daemon's stderr (its log): kept for error messages (`pipe`, default), `inherit`ed or `ignore`d. */
  stderr?: 'pipe' | 'inherit' | 'ignore';
}

/** Where `bin/temporal-handled.js` is: the installed package, or the repository this file sits in. */
export function defaultDaemonScript(): string {
  try {
    return require.resolve('temporal-handled/bin/temporal-handled.js');
  } catch {
    /* not installed as a package: look upwards from here */
  }
  for (let dir = __dirname; ; ) {
    const candidate = path.join(dir, 'bin', 'temporal-handled.js');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DaemonConnectionError('Cannot find bin/temporal-handled.js: pass `command` to TemporalHandledClient.spawn');
}

export interface SpawnedDaemon {
  child: ChildProcess;
  /** The last lines the daemon wrote to stderr (with `stderr: 'pipe'`). */
  stderrTail(): string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

const TAIL_LINES = 20;

export async function spawnDaemonProcess(opts: SpawnOptions): Promise<SpawnedDaemon> {
  const command = opts.command ?? process.execPath;
  const args = [
    ...(opts.command === undefined ? [defaultDaemonScript()] : []),
    '--stdio',
    ...(opts.address !== undefined ? ['--address', opts.address] : []),
    ...(opts.namespace !== undefined ? ['--namespace', opts.namespace] : []),
    ...(opts.args ?? []),
  ];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', opts.stderr ?? 'pipe'], env: opts.env ?? process.env, windowsHide: true });
  const lines: string[] = [];
  child.stderr?.setEncoding('utf8');
  let partial = '';
  child.stderr?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) lines.push(l);
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) => reject(new DaemonConnectionError(`Cannot start the daemon (${command}): ${err.message}`, { cause: err })));
  });
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  return {
    child,
    exited,
    stderrTail: () => {
      const all = [...lines, ...(partial.trim() ? [partial] : [])];
      const status = child.exitCode !== null ? `the daemon exited with code ${child.exitCode}` : child.signalCode ? `the daemon was killed by ${child.signalCode}` : '';
      return [status, all.join('\n')].filter(Boolean).join('; its last output:\n');
    },
  };
}
