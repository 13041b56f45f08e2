/**
 * The third-party clients that drive the daemon (test/thirdparty/<client>/), how to run
 * each one, and the checks on the transcript every driver writes (see README.md there).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TP = path.join(ROOT, 'test', 'thirdparty');
const VENV_PY = path.join(ROOT, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
export const GO_DRIVER = path.join(TP, 'go', 'bin', 'session');

export interface ClientSpec {
  /** The name the driver puts in `client` (and greets with). */
  name: string;
  /** Returns the client's version, or throws with how to install it. */
  probe(): string;
  command(): { cmd: string; args: string[] };
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const SETUP = "install it with `bash .ci/run`'s set-up steps (apt-get install neovim emacs-nox; npm run setup; go build in test/thirdparty/go), or set TH_THIRDPARTY=0 to skip the third-party clients";

export const CLIENTS: ClientSpec[] = [
  {
    name: 'neovim',
    probe: () => {
      try {
        return /NVIM v(\S+)/.exec(run('nvim', ['--version']))![1]!;
      } catch (err) {
        throw new Error(`Neovim (nvim) is missing: ${(err as Error).message}; ${SETUP}`);
      }
    },
    command: () => ({ cmd: 'nvim', args: ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(TP, 'neovim', 'session.lua')}`] }),
  },
  {
    name: 'emacs',
    probe: () => {
      try {
        return /GNU Emacs (\S+)/.exec(run('emacs', ['--version']))![1]!;
      } catch (err) {
        throw new Error(`Emacs is missing: ${(err as Error).message}; ${SETUP}`);
      }
    },
    command: () => ({ cmd: 'emacs', args: ['--batch', '-Q', '-l', path.join(TP, 'emacs', 'session.el')] }),
  },
  ...(['jsonrpc', 'lsp'] as const).map(
    (flavour): ClientSpec => ({
      name: flavour === 'jsonrpc' ? 'pygls' : 'pygls-lsp',
      probe: () => {
        try {
          return run(VENV_PY, ['-c', 'import importlib.metadata as m; print(m.version("pygls"))']).trim();
        } catch (err) {
          throw new Error(`pygls is missing from .venv: ${(err as Error).message}; ${SETUP}`);
        }
      },
      command: () => ({ cmd: VENV_PY, args: [path.join(TP, 'pygls', 'session.py'), '--flavour', flavour] }),
    }),
  ),
  {
    name: 'go-jsonrpc2',
    probe: () => {
      if (!fs.existsSync(GO_DRIVER)) throw new Error(`the Go driver ${path.relative(ROOT, GO_DRIVER)} is not built; ${SETUP}`);
      return run(GO_DRIVER, ['--version']).trim();
    },
    command: () => ({ cmd: GO_DRIVER, args: [] }),
  },
];

export interface DriverRun {
  transcript: Transcript;
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
}

export interface Step {
  ms: number;
  id?: unknown;
  result?: any;
  error?: { code: number | string; message?: string; data?: any };
  [k: string]: unknown;
}

export interface Transcript {
  client: string;
  clientVersion: string;
  transport: 'stdio' | 'socket';
  steps: Record<string, Step>;
  progress: { token: unknown; value: Record<string, any> }[];
  exit?: { code?: number | null; signal?: unknown; closed?: boolean; ms?: number };
  notes?: string[];
  fatal?: string;
  totalMs: number;
  [k: string]: unknown;
}

/** Runs one driver with the session's inputs in its environment and reads its transcript. */
export async function runDriver(spec: ClientSpec, env: Record<string, string>, timeoutMs = 150_000): Promise<DriverRun> {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), `th-tp-${spec.name}-`));
  const transcriptPath = path.join(dir, 'transcript.json');
  const { cmd, args } = spec.command();
  const t0 = Date.now();
  const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env, TH_TRANSCRIPT: transcriptPath }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const ms = Date.now() - t0;
  if (!fs.existsSync(transcriptPath)) {
    throw new Error(`${spec.name} wrote no transcript (exit ${code} after ${ms} ms)\nstdout:\n${stdout.slice(-4000)}\nstderr:\n${stderr.slice(-4000)}`);
  }
  const transcript = JSON.parse(fs.readFileSync(transcriptPath, 'utf8')) as Transcript;
  if (process.env.TH_THIRDPARTY_LOG) process.stderr.write(`[${spec.name}] ${JSON.stringify(transcript, null, 1)}\n`);
  return { transcript, stdout, stderr, code, ms };
}

/** null and absent are one thing to several clients (Lua's nil, Elisp's nil). */
const nil = (v: unknown) => (v === undefined ? null : v);

/**
 * Asserts the whole session: every step's answer as the daemon gives it, as seen through
 * the client. `expected` carries the inputs the driver was given.
 */
export function assertSession(t: Transcript, expected: { client: string; transport: 'stdio' | 'socket'; prefix: string; taskQueue: string }): void {
  const where = `${t.client} over ${t.transport}`;
  expect(t.fatal, `${where}: the driver died: ${t.fatal}\nnotes: ${JSON.stringify(t.notes)}`).to.equal(undefined);
  expect(t.client).to.equal(expected.client);
  expect(t.transport).to.equal(expected.transport);
  const s = t.steps;
  const ok = (name: string): any => {
    const step = s[name];
    expect(step, `${where}: step ${name} missing (steps: ${Object.keys(s).join(', ')})`).to.not.equal(undefined);
    expect(step!.error, `${where}: ${name} answered an error: ${JSON.stringify(step!.error)}`).to.equal(undefined);
    expect(step, `${where}: ${name} has no result field`).to.have.property('result');
    return step!.result;
  };
  const err = (name: string) => {
    const step = s[name];
    expect(step, `${where}: step ${name} missing`).to.not.equal(undefined);
    expect(step!.error, `${where}: ${name} should have answered an error, got ${JSON.stringify(step!.result)}`).to.be.an('object');
    return step!.error!;
  };

  let init = ok('initialize');
  expect(init.serverInfo.name, `${where}: initialize serverInfo`).to.equal('temporal-handled');
  expect(init.capabilities).to.be.an('object');
  // A typed LSP client (pygls' LanguageClient) keeps only what InitializeResult declares:
  // the daemon's own fields must reach it under capabilities.experimental.
  if (t.initializeTyped) {
    expect(init, `${where}: a typed client drops the fields LSP does not declare`).to.not.have.property('temporal');
    init = { ...init, ...init.capabilities.experimental };
  }
  expect(init.protocolVersion).to.be.a('number');
  expect(init.capabilities).to.be.an('object');
  expect(init.temporal.namespace).to.equal('default');

  // Neovim 0.7 sends a plain {} as "params": [] (positional, empty): still accepted.
  if (s.statusEmptyTable) expect(ok('statusEmptyTable').clients).to.be.a('number');

  const start = ok('start');
  expect(start.handle).to.be.a('string').with.length.above(20);
  expect(start.workflowId).to.equal(`${expected.prefix}-signals`);
  expect(nil(start.runId)).to.equal(null);
  expect(start.resultRunId).to.be.a('string');
  expect(start.firstExecutionRunId).to.equal(start.resultRunId);

  const desc = ok('describe');
  expect(desc.workflowId).to.equal(start.workflowId);
  expect(desc.workflowType).to.equal('signals');
  expect(desc.taskQueue).to.equal(expected.taskQueue);
  expect(desc.status).to.equal('RUNNING');

  expect(ok('query'), `${where}: non-ASCII both ways`).to.deep.equal({ value: `Grüße, ${expected.client} 🌍!` });
  expect(nil(ok('signal')), `${where}: handle/signal answers null`).to.equal(null);
  expect(nil(ok('signalFinish'))).to.equal(null);
  expect(ok('result')).to.deep.equal({ value: ['x'], runId: start.resultRunId });

  // Progress: one begin, a report per continue-as-new, one end, on the token sent.
  const chainInfo = ok('startChain');
  const withProgress = ok('resultWithProgress');
  expect(withProgress.value).to.deep.equal({ runs: 3, n: 2 });
  const mine = t.progress.filter((p) => p.token === 'tp-progress');
  expect(mine.length, `${where}: $/progress on token tp-progress (all progress seen: ${JSON.stringify(t.progress)})`).to.equal(t.progress.length);
  expect(mine.map((p) => p.value.kind)).to.deep.equal(['begin', 'report', 'report', 'end']);
  expect(mine[0]!.value.workflowId).to.equal(chainInfo.workflowId);
  expect(mine[1]!.value.reason).to.equal('CONTINUED_AS_NEW');
  expect(mine[3]!.value.runId).to.equal(withProgress.runId);
  expect(mine[3]!.value.status).to.equal('COMPLETED');

  // The cancelled wait.
  ok('startForever');
  const cancelled = err('cancelledResult');
  expect(cancelled.code, `${where}: the cancelled result's error: ${JSON.stringify(cancelled)}`).to.equal(-32800);
  expect(cancelled.data?.type).to.equal('RequestCancelled');
  expect(s.cancelledResult!.ms, `${where}: the cancelled wait answered in ${s.cancelledResult!.ms} ms`).to.be.below(5000);

  expect(nil(ok('terminate'))).to.equal(null);
  expect(ok('describeTerminated').status).to.equal('TERMINATED');
  expect(nil(ok('release'))).to.equal(null);
  const released = err('describeReleased');
  expect(released.data?.type, `${where}: describe of a released handle: ${JSON.stringify(released)}`).to.equal('InvalidHandleError');

  const unknown = ok('getHandleUnknown');
  expect(unknown.workflowId).to.equal(`${expected.prefix}-does-not-exist`);
  const notFound = err('describeUnknown');
  expect(notFound.data?.type, `${where}: describe of an unknown workflow: ${JSON.stringify(notFound)}`).to.equal('RPCError');
  expect(notFound.data?.status).to.equal('NOT_FOUND');
  expect(notFound.code).to.be.a('number');

  expect(nil(ok('shutdown')), `${where}: shutdown answers null`).to.equal(null);
  expect(t.exit, `${where}: what happened after exit`).to.be.an('object');
  if (expected.transport === 'stdio') expect(t.exit!.code, `${where}: the daemon's exit code after shutdown + exit`).to.equal(0);
  else expect(t.exit!.closed, `${where}: the daemon closes the socket after exit`).to.equal(true);
}
