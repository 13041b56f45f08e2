/**
 * The test bed: one real Temporal dev server for the whole run, the fixture
 * workflows bundled once, and a real SDK worker per test on its own task queue.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, makeTelemetryFilterString, NativeConnection, Runtime, Worker, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import { DevServer } from '../../src/devserver/dev-server';
import { Connection } from '../../src/temporal/connection';
import { TemporalClient } from '../../src/temporal/client';

interface Env {
  server: DevServer;
  bundle: WorkflowBundleWithSourceMap;
  native: NativeConnection;
}

let env: Env | undefined;
let starting: Promise<Env> | undefined;

/** Search attributes registered on the shared dev server: name to type. */
export const TEST_SEARCH_ATTRIBUTES = {
  CustomKeywordField: 'Keyword',
  CustomTextField: 'Text',
  CustomIntField: 'Int',
  CustomDoubleField: 'Double',
  CustomBoolField: 'Bool',
  CustomDatetimeField: 'Datetime',
  CustomKeywordListField: 'KeywordList',
} as const;

export const workflowsPath = path.join(__dirname, '..', 'fixtures', 'workflows.js');

let runtimeInstalled = false;
let bundled: Promise<WorkflowBundleWithSourceMap> | undefined;

async function startEnv(): Promise<Env> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
    runtimeInstalled = true;
  }
  bundled ??= bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') }).catch((err) => {
    bundled = undefined;
    throw err;
  });
  const [started, built] = await Promise.allSettled([
    DevServer.start({
      // Custom search attributes the start-options tests use (this dev server predefines none).
      extraArgs: [
        ...Object.entries(TEST_SEARCH_ATTRIBUTES).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]),
        // The server delays a new run of an ID by up to 1 s after the previous run started
        // (continue-as-new included); off, so 50-run chains take seconds, not a minute.
        '--dynamic-config-value',
        'history.workflowIdReuseMinimalInterval="0s"',
      ],
      onOutput: process.env.DEV_SERVER_LOG ? (l) => process.stderr.write(`[dev-server] ${l}\n`) : undefined,
      // A launch that failed and was retried still shows in the run's output.
      onRetry: (err, attempt) => process.stderr.write(`[test env] dev server launch ${attempt} failed, retrying: ${err.message}\n`),
    }),
    bundled,
  ]);
  if (started.status === 'rejected') throw started.reason;
  const server = started.value;
  try {
    if (built.status === 'rejected') throw built.reason;
    const bundle = built.value;
    const native = await NativeConnection.connect({ address: server.address });
    return { server, bundle, native };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** Starts the shared dev server (once) and returns it. */
export async function testEnv(): Promise<Env> {
  if (env) return env;
  // A failed start is not kept: the next suite tries again instead of inheriting the failure.
  starting ??= startEnv().catch((err) => {
    starting = undefined;
    throw err;
  });
  env = await starting;
  return env;
}

export async function stopEnv(): Promise<void> {
  if (!env) return;
  const e = env;
  env = undefined;
  starting = undefined;
  await e.native.close();
  await e.server.stop();
}

export function uniqueId(prefix = 'wf'): string {
  return `${prefix}-${randomUUID()}`;
}

export interface RunningWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/** Starts a worker on a fresh task queue; `stop` shuts it down. `payloadCodecs` encode its payloads (e.g. test/fixtures/aes-codec.ts). */
export async function startWorker(taskQueue = uniqueId('tq'), opts: { payloadCodecs?: PayloadCodec[] } = {}): Promise<RunningWorker> {
  const { native, bundle } = await testEnv();
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: bundle,
    activities: require('../fixtures/activities'),
    ...(opts.payloadCodecs ? { dataConverter: { payloadCodecs: opts.payloadCodecs } } : {}),
    shutdownGraceTime: '1s',
    stickyQueueScheduleToStartTimeout: '1s',
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/**
 * Starts the Python SDK worker of test/fixtures/update_worker.py (the `updatable` workflow,
 * in temporalio) on `taskQueue` against the shared dev server; `stop` ends it.
 */
export async function startPythonWorker(taskQueue = uniqueId('tq-py'), opts: { aesCodec?: boolean } = {}): Promise<RunningWorker> {
  const { server } = await testEnv();
  const root = path.resolve(__dirname, '..', '..', '..');
  const python = path.join(root, '.venv', 'bin', 'python');
  if (!fs.existsSync(python)) throw new Error(`${python} is missing: run \`npm run setup\``);
  const py = spawn(python, [path.join(root, 'test', 'fixtures', 'update_worker.py'), server.address, taskQueue, ...(opts.aesCodec ? ['--aes-codec'] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    py.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve();
    });
    py.once('exit', (code) => reject(new Error(`the Python worker exited with ${code} before it was ready`)));
  });
  return {
    taskQueue,
    async stop() {
      if (py.exitCode !== null || py.signalCode !== null) return;
      const exited = new Promise((r) => py.once('exit', r));
      // Its stdin closing stops it.
      py.stdin!.end();
      await exited;
    },
  };
}

/** Runs `fn` with a worker on its own task queue, stopping the worker after. */
export async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const w = await startWorker();
  try {
    return await fn(w.taskQueue);
  } finally {
    await w.stop();
  }
}

/** A client of this project's Temporal layer on the shared server. */
export async function newClient(opts: { namespace?: string } = {}): Promise<{ client: TemporalClient; connection: Connection }> {
  const { server } = await testEnv();
  const connection = new Connection({ address: server.address });
  return { client: new TemporalClient(connection, opts), connection };
}
