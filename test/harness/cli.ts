/**
 * Runs the command-line client as a process (`node bin/temporal-handled.js <cmd> ...`) and
 * collects its stdout (parsed as JSON), its last stderr error object and its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

export function start(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Run> } {
  const base = { ...process.env };
  delete base.TEMPORAL_HANDLED_SOCKET;
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
}

export const run = (args: string[], env?: NodeJS.ProcessEnv) => start(args, env).done;
