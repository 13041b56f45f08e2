/**
 * Runs a command-line client as a process and collects its stdout (parsed as JSON), its last
 * stderr error object and its exit code. Two clients take the same commands: the Node shell
 * client (`node bin/temporal-handled.js <cmd> ...`) and the native one built from
 * clients/rust (`temporal-handled-rs <cmd> ...`); `cliVariants()` lists those present, so
 * the command tests run against each.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from './daemon';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when empty). */
  out: any;
  /** The `error` of the last stderr line, parsed (undefined when none). */
  err: any;
}

export interface CliVariant {
  /** `node` or `native`. */
  name: string;
  /** The program and the words before the command. */
  command: string;
  prefix: string[];
  start(args: string[], env?: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Run> };
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<Run>;
}

/** The native client's binary: $TH_NATIVE_CLI, or the release build of clients/rust (built by `npm run setup`). */
export const NATIVE_CLI = process.env.TH_NATIVE_CLI || path.resolve(__dirname, '..', '..', '..', 'clients', 'rust', 'target', 'release', 'temporal-handled-rs');

function variant(name: string, command: string, prefix: string[]): CliVariant {
  const startIt = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const base = { ...process.env };
    delete base.TEMPORAL_HANDLED_SOCKET;
    const child = spawn(command, [...prefix, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    const done = new Promise<Run>((resolve) =>
      child.on('close', (code) => {
        const last = stderr.trim().split('\n').pop() ?? '';
        let err: unknown;
        try {
          err = last ? (JSON.parse(last) as { error: unknown }).error : undefined;
        } catch {
          err = undefined;
        }
        let out: unknown;
        try {
          out = stdout.trim() ? JSON.parse(stdout) : undefined;
        } catch {
          out = undefined;
        }
        resolve({ code, stdout, stderr, out, err });
      }),
    );
    return { child, done };
  };
  return { name, command, prefix, start: startIt, run: (args, env) => startIt(args, env).done };
}

export const NODE_CLI = variant('node', process.execPath, [BIN]);

/**
 * The clients to run the command tests against: the Node one always, the native one when its
 * binary is built (TH_NATIVE=0 leaves it out; TH_NATIVE=1 makes a missing binary an error).
 */
export function cliVariants(): CliVariant[] {
  const out = [NODE_CLI];
  if (process.env.TH_NATIVE === '0') return out;
  if (fs.existsSync(NATIVE_CLI)) out.push(variant('native', NATIVE_CLI, []));
  else if (process.env.TH_NATIVE === '1') throw new Error(`TH_NATIVE=1 but the native client ${NATIVE_CLI} is not built (npm run setup builds it)`);
  return out;
}

export const start = NODE_CLI.start;
export const run = NODE_CLI.run;
