/**
 * A child process that runs the benchmark workflows with real @temporalio/worker
 * workers, so that workflow execution does not share an event loop with the
 * processes being measured. Driven over the fork IPC channel:
 *   in  {type:'start', id, address, taskQueue}  out {type:'started', id} | {type:'error', id, message}
 *   in  {type:'stop'}                            out {type:'stopped'} then exit
 */
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

type Msg = { type: 'start'; id: number; address: string; taskQueue: string } | { type: 'stop' };

const send = (m: object) => process.send?.(m);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const bundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'workflows.js'),
    logger: new DefaultLogger('ERROR'),
  });
  const running: { worker: Worker; run: Promise<void>; conn: NativeConnection }[] = [];
  const connections = new Map<string, NativeConnection>();
  process.on('message', (m: Msg) => {
    if (m.type === 'start') {
      void (async () => {
        try {
          let conn = connections.get(m.address);
          if (!conn) {
            conn = await NativeConnection.connect({ address: m.address });
            connections.set(m.address, conn);
          }
          const worker = await Worker.create({
            connection: conn,
            taskQueue: m.taskQueue,
            workflowBundle: bundle,
            shutdownGraceTime: '1s',
            maxConcurrentWorkflowTaskExecutions: 100,
            maxCachedWorkflows: 12_000,
          });
          running.push({ worker, run: worker.run(), conn });
          send({ type: 'started', id: m.id });
        } catch (err) {
          send({ type: 'error', id: m.id, message: (err as Error).message });
        }
      })();
    } else if (m.type === 'stop') {
      void (async () => {
        for (const r of running) if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
        await Promise.race([Promise.allSettled(running.map((r) => r.run)), new Promise((r) => setTimeout(r, 10_000))]);
        for (const c of connections.values()) await c.close().catch(() => undefined);
        send({ type: 'stopped' });
        process.exit(0);
      })();
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

main().catch((err) => {
  send({ type: 'error', id: -1, message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
