/**
 * The demo: the daemon with its embedded dev server, a sample worker, and a real
 * session driven through the TypeScript client. Run with `npm run demo`.
 */
import * as path from 'node:path';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { TemporalHandledClient, WorkflowFailureError, type FailureError } from 'temporal-handled-client';

const TASK_QUEUE = 'demo';
const line = (s = '') => console.log(s);
const step = (title: string) => line(`\n== ${title}`);
const show = (label: string, value: unknown) => line(`   ${label.padEnd(22)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);

function causeChain(err: FailureError | undefined): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = (e as Error).cause) {
    const f = e as FailureError & { applicationType?: string | null };
    parts.push(`${f.name}${f.applicationType ? `[${f.applicationType}]` : ''}: ${f.message}`);
  }
  return parts.join('  <-  ');
}

async function main(): Promise<void> {
  const t0 = Date.now();
  line('temporal-handled demo: a daemon with an embedded Temporal dev server, driven through the TypeScript client.');

  step('1. Spawn the daemon over stdio with --dev (it starts `temporal server start-dev` itself)');
  const client = await TemporalHandledClient.spawn({ args: ['--dev', '--log-level', 'warn'], stderr: 'inherit' });
  const status = await client.status();
  show('Temporal server', `${status.connection.address} (server ${status.temporal.serverVersion})`);
  show('daemon', `pid ${status.pid}, ready after ${Date.now() - t0} ms`);

  step(`2. Start a sample worker on task queue "${TASK_QUEUE}" (a real @temporalio/worker)`);
  // The worker logs only errors, so the demo's own lines stay readable (failing workflows are expected here).
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  const native = await NativeConnection.connect({ address: status.connection.address });
  const worker = await Worker.create({
    connection: native,
    taskQueue: TASK_QUEUE,
    workflowsPath: path.join(__dirname, 'workflows.js'),
  });
  const running = worker.run();
  show('worker', 'polling');

  const suffix = Date.now().toString(36);
  try {
    step('3. Start an order, signal it, query it, describe it, and wait for its result');
    const order = await client.startWorkflow({ workflowType: 'order', taskQueue: TASK_QUEUE, workflowId: `order-${suffix}`, args: ['ada'] });
    show('started', `${order.workflowId}  run ${order.resultRunId}`);
    await order.signal('addItem', 'book');
    await order.signal('addItem', 'lamp');
    show('signalled', 'addItem("book"), addItem("lamp")');
    show('query items', await order.query('items'));
    const d = await order.describe();
    show('describe', `${d.status}, type ${d.workflowType}, ${d.historyLength} events`);
    await order.signal('checkout');
    show('result', await order.result());

    step('4. Wait on a result that follows a chain of continue-as-new runs, with progress as it happens');
    const batch = await client.startWorkflow({ workflowType: 'batchJob', taskQueue: TASK_QUEUE, workflowId: `batch-${suffix}`, args: [5] });
    const r = await batch.resultWithRunId({
      onProgress: (p) => {
        if (p.kind === 'begin') show('progress begin', `waiting on run ${p.runId}`);
        if (p.kind === 'report') show(`progress ${p.reason}`, `${p.previousRunId.slice(0, 8)}… -> ${p.runId.slice(0, 8)}…`);
        if (p.kind === 'end') show('progress end', `${p.status} on run ${String(p.runId).slice(0, 8)}…`);
      },
    });
    show('result', `${JSON.stringify(r.value)} from the last run ${r.runId.slice(0, 8)}…`);

    step('5. Cancel a workflow');
    const c = await client.startWorkflow({ workflowType: 'longRunning', taskQueue: TASK_QUEUE, workflowId: `long-${suffix}` });
    await c.cancel({ reason: 'demo: no longer needed' });
    try {
      await c.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailureError)) throw err;
      show('result raised', `${err.name}, cause ${causeChain(err.cause)}`);
    }

    step('6. Terminate a workflow');
    const t = await client.startWorkflow({ workflowType: 'longRunning', taskQueue: TASK_QUEUE, workflowId: `stuck-${suffix}` });
    await t.terminate({ reason: 'demo: stuck', details: ['ticket-7'] });
    try {
      await t.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailureError)) throw err;
      show('result raised', `${err.name}, cause ${causeChain(err.cause)}`);
    }
    show('describe', (await t.describe()).status);

    step('7. A failure with its cause chain');
    const p = await client.startWorkflow({ workflowType: 'payment', taskQueue: TASK_QUEUE, workflowId: `payment-${suffix}`, args: [42] });
    try {
      await p.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailureError)) throw err;
      show('result raised', err.name);
      show('cause chain', causeChain(err.cause));
      show('details', (err.cause as unknown as { details: unknown }).details);
    }

    step('8. The daemon after the session');
    const s = await client.status();
    show('status', `${s.clients} client(s), ${s.handles} handles, ${s.inFlight} call(s) in flight, gRPC ${s.connection.state}`);
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await client.close();
  }
  line(`\nDone in ${((Date.now() - t0) / 1000).toFixed(1)} s. The daemon stopped its dev server on exit.`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
