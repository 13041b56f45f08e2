/**
 * Result waits over the long-poll budget, multiplexed by the close watcher (close-watcher.ts),
 * and waits that outlast transient trouble: real dev servers, real workers, no mocks.
 * `maxLongPolls: 0` puts every wait over the budget, so only the watcher can answer it.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startWorker, testEnv, uniqueId } from '../harness/env';
import { DevServer, freePort } from '../../src/devserver/dev-server';
import { Connection } from '../../src/temporal/connection';
import { TemporalClient, type ClientOptions } from '../../src/temporal/client';
import type { RunStep } from '../../src/temporal/workflow-handle';

describe('result waits over the long-poll budget (close watcher)', function () {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async function () {
    this.timeout(60_000);
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
    cleanup.length = 0;
  });

  async function sharedClient(o: ClientOptions): Promise<TemporalClient> {
    const { server } = await testEnv();
    const connection = new Connection({ address: server.address });
    cleanup.push(() => connection.close());
    return new TemporalClient(connection, o);
  }

  it('answers waits from visibility wake-ups, confirmed by the close event (no sweep)', async function () {
    this.timeout(120_000);
    const w = await startWorker();
    cleanup.push(() => w.stop());
    // No sweep within the test: only a visibility query can wake these waits.
    const client = await sharedClient({ maxLongPolls: 0, closeWatcher: { sweepAfterMs: 3_600_000 } });
    const handles = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.startWorkflow({ workflowType: 'delayed', taskQueue: w.taskQueue, workflowId: uniqueId('cw-vis'), args: [500 + 100 * i, i] })),
    );
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.map((r) => r.value)).to.deep.equal(Array.from({ length: 10 }, (_, i) => i));
    expect(results.map((r) => r.runId)).to.deep.equal(handles.map((h) => h.resultRunId));
    const watcher = client.closeWatchers.for('default');
    expect(watcher.stats.woken).to.be.at.least(1);
    expect(watcher.stats.swept).to.equal(0);
    expect(watcher.size).to.equal(0);
    expect(client.longPolls.for('default').inFlight).to.equal(0);
  });

  it('misses no close when visibility lags: the sweep finds what the queries cannot', async function () {
    this.timeout(120_000);
    const w = await startWorker();
    cleanup.push(() => w.stop());
    // The watcher's clock runs an hour ahead, so every query (CloseTime > an hour from now)
    // comes back empty, as from a visibility store that lags by more than the overlap.
    const client = await sharedClient({ maxLongPolls: 0, closeWatcher: { now: () => Date.now() + 3_600_000, sweepAfterMs: 1500, sweepPerTick: 5 } });
    const handles = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client.startWorkflow({ workflowType: 'delayed', taskQueue: w.taskQueue, workflowId: uniqueId('cw-lag'), args: [300 + 200 * i, `v${i}`] })),
    );
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.map((r) => r.value)).to.deep.equal(Array.from({ length: 8 }, (_, i) => `v${i}`));
    const watcher = client.closeWatchers.for('default');
    expect(watcher.stats.queries).to.be.at.least(1);
    expect(watcher.stats.woken).to.equal(0);
    expect(watcher.stats.swept).to.be.at.least(8);
  });

  it('follows a run that continues as new while its wait is multiplexed', async function () {
    this.timeout(120_000);
    const w = await startWorker();
    cleanup.push(() => w.stop());
    const client = await sharedClient({ maxLongPolls: 0, closeWatcher: { sweepAfterMs: 3_600_000 } });
    // Each run closes on a signal sent once the wait is registered with the watcher on it, so
    // each close (two continue-as-new, then the result) is found by a visibility query.
    const h = await client.startWorkflow({ workflowType: 'chainOnSignal', taskQueue: w.taskQueue, workflowId: uniqueId('cw-can'), args: [2] });
    const watcher = client.closeWatchers.for('default');
    const steps: RunStep[] = [];
    const p = h.result({ onStep: (s) => steps.push(s) });
    for (let k = 0; k < 3; k++) {
      while (watcher.size === 0 || watcher.stats.woken < k) await new Promise((r) => setTimeout(r, 20));
      await h.signal('finish');
      while (watcher.stats.woken <= k) await new Promise((r) => setTimeout(r, 20));
    }
    const r = await p;
    expect(r.value).to.deep.equal({ runs: 3 });
    expect(steps.map((s) => s.reason)).to.deep.equal(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
    expect(steps[0]!.previousRunId).to.equal(h.resultRunId);
    expect(steps[1]!.previousRunId).to.equal(steps[0]!.runId);
    expect(r.runId).to.equal(steps[1]!.runId);
    expect([watcher.stats.woken, watcher.stats.swept, watcher.size]).to.deep.equal([3, 0, 0]);
  });

  it('a cancelled wait leaves the watcher', async function () {
    this.timeout(60_000);
    const client = await sharedClient({ maxLongPolls: 0 });
    const h = await client.startWorkflow({ workflowType: 'forever', taskQueue: uniqueId('cw-nobody'), workflowId: uniqueId('cw-cancel'), args: [] });
    const ac = new AbortController();
    const p = h.result({ signal: ac.signal }).then(
      () => 'answered',
      (e: Error) => e.name,
    );
    const watcher = client.closeWatchers.for('default');
    while (watcher.size === 0) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    expect(await p).to.equal('CallCancelledError');
    expect(watcher.size).to.equal(0);
    await h.terminate('test over');
  });
});

/** The dev server's processes: the guard shell and everything under it. */
function serverPids(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    let kids = '';
    try {
      kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(out[i])], { encoding: 'utf8' }).trim();
    } catch {
      // ps exits 1 when the process has no children.
    }
    if (kids) out.push(...kids.split(/\s+/).map(Number));
  }
  return out;
}

describe('result waits through transient trouble (own servers)', function () {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async function () {
    this.timeout(60_000);
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
    cleanup.length = 0;
  });

  async function worker(address: string, taskQueue: string) {
    const { bundle } = await testEnv();
    const nc = await NativeConnection.connect({ address });
    const w = await Worker.create({ connection: nc, taskQueue, workflowBundle: bundle, shutdownGraceTime: '1s', maxCachedWorkflows: 0, maxConcurrentWorkflowTaskPolls: 2 });
    const running = w.run();
    const stop = async () => {
      if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
      await nc.close().catch(() => undefined);
    };
    cleanup.push(stop);
    return stop;
  }

  it('long polls that a stalled server lets run into DEADLINE_EXCEEDED are re-issued, past a lowered long-poll limit too', async function () {
    this.timeout(120_000);
    // At most 6 concurrent long polls in the namespace (the waits are refused some), and the
    // server frozen (SIGSTOP: a CPU-starved server in the extreme) for longer than our long
    // polls' deadline of 1.5 s, so the polls in flight end in DEADLINE_EXCEEDED; one attempt per call.
    const server = await DevServer.start({ extraArgs: ['--dynamic-config-value', 'frontend.namespaceCount=6'] });
    cleanup.push(() => server.stop());
    const connection = new Connection({ address: server.address, longPollDeadlineMs: 1500, retry: { maxAttempts: 1 } });
    cleanup.push(() => connection.close());
    const taskQueue = uniqueId('tq-de');
    await worker(server.address, taskQueue);
    const client = new TemporalClient(connection);
    const handles = await Promise.all(Array.from({ length: 12 }, (_, i) => client.startWorkflow({ workflowType: 'delayed', taskQueue, workflowId: uniqueId('de'), args: [6000 + 100 * i, i] })));
    const budget = client.longPolls.for('default');
    const deadlines: string[] = [];
    const waits = handles.map((h) => h.result());
    while (budget.inFlight === 0) await new Promise((r) => setTimeout(r, 20));
    const pids = serverPids(server.process.pid!);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 4000));
    for (const pid of pids) process.kill(pid, 'SIGCONT');
    // The freeze really did end polls in DEADLINE_EXCEEDED: a direct long poll during a second freeze.
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    await client.service
      .getWorkflowExecutionHistory(
        { namespace: 'default', execution: { workflowId: handles[11]!.workflowId, runId: handles[11]!.resultRunId! }, waitNewEvent: true, historyEventFilterType: 2, skipArchival: true },
        { longPoll: true, noRetry: true },
      )
      .catch((e: { status?: string }) => deadlines.push(String(e.status)));
    for (const pid of pids) process.kill(pid, 'SIGCONT');
    const results = await Promise.all(waits);
    expect(results.map((r) => r.value)).to.deep.equal(Array.from({ length: 12 }, (_, i) => i));
    expect(deadlines).to.deep.equal(['DEADLINE_EXCEEDED']);
  });

  it('a wait on an address that never answered still fails (UNAVAILABLE), over the budget too', async function () {
    this.timeout(60_000);
    const port = await freePort();
    for (const maxLongPolls of [1000, 0]) {
      const connection = new Connection({ address: `127.0.0.1:${port}`, retry: { maxAttempts: 2, initialIntervalMs: 10 } });
      cleanup.push(() => connection.close());
      const client = new TemporalClient(connection, { maxLongPolls });
      const err = await client
        .getWorkflowHandle('nowhere', 'run')
        .result()
        .then(
          () => null,
          (e: { status?: string }) => e,
        );
      expect(err?.status, `maxLongPolls ${maxLongPolls}`).to.equal('UNAVAILABLE');
    }
  });

  it('waits held across a server restart are all answered (long polls and the watcher)', async function () {
    this.timeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-restart-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const dbFilename = path.join(dir, 'temporal.db');
    let server = await DevServer.start({ dbFilename });
    const port = Number(server.address.split(':').pop());
    cleanup.push(() => server.stop());
    const connection = new Connection({ address: server.address });
    cleanup.push(() => connection.close());
    const polling = new TemporalClient(connection);
    const multiplexed = new TemporalClient(connection, { maxLongPolls: 0, closeWatcher: { sweepAfterMs: 3_600_000 } });
    // No worker yet: the workflows stay open until after the restart.
    const taskQueue = uniqueId('tq-restart');
    const start = (c: TemporalClient, i: number) => c.startWorkflow({ workflowType: 'delayed', taskQueue, workflowId: uniqueId('restart'), args: [200, i] });
    const handles = [...(await Promise.all([0, 1, 2].map((i) => start(polling, i)))), ...(await Promise.all([3, 4, 5].map((i) => start(multiplexed, i))))];
    const waits = handles.map((h) => h.result());
    const watcher = multiplexed.closeWatchers.for('default');
    while (watcher.size < 3 || polling.longPolls.for('default').inFlight < 3) await new Promise((r) => setTimeout(r, 50));
    await server.stop();
    await new Promise((r) => setTimeout(r, 3000));
    server = await DevServer.start({ dbFilename, port });
    await worker(server.address, taskQueue);
    const results = await Promise.all(waits);
    expect(results.map((r) => r.value)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(watcher.stats.failedQueries).to.be.at.least(1);
    expect(watcher.stats.woken).to.be.at.least(3);
  });
});
