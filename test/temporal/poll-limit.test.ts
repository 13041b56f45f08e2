/**
 * Result waits past the server's limit on concurrent long polls per namespace
 * (frontend.namespaceCount): the server answers RESOURCE_EXHAUSTED, and the waits back
 * off and try again instead of failing, however long it takes.
 */
import { expect } from 'chai';
import { NativeConnection, Worker } from '@temporalio/worker';
import { testEnv, uniqueId } from '../harness/env';
import { DevServer } from '../../src/devserver/dev-server';
import { Connection } from '../../src/temporal/connection';
import { TemporalClient } from '../../src/temporal/client';

describe('result waits past the long-poll limit', function () {
  let server: DevServer | undefined;
  // Cleaned up here too, so a test that times out leaves no worker polling a stopped server.
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  after(async function () {
    this.timeout(30_000);
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
    await server?.stop();
  });

  it('all complete although the server refuses some polls with RESOURCE_EXHAUSTED', async function () {
    this.timeout(120_000);
    const { bundle } = await testEnv();
    // At most 8 concurrent long polls of each kind in the namespace; 24 waits.
    server = await DevServer.start({ extraArgs: ['--dynamic-config-value', 'frontend.namespaceCount=8', '--dynamic-config-value', 'history.workflowIdReuseMinimalInterval="0s"'] });
    // One attempt per call: without the wait's own handling, the first refusal would end it.
    const connection = new Connection({ address: server.address, retry: { maxAttempts: 1 } });
    cleanup.push(() => connection.close());
    const nc = await NativeConnection.connect({ address: server.address });
    cleanup.push(() => nc.close());
    const taskQueue = uniqueId('tq-limit');
    // The worker's own polls count toward the same limit. By default it keeps 10 (8 of them on
    // its sticky queue), which would hold every slot and keep new workflow tasks from it; so no
    // workflow cache (no sticky queue) and 2 pollers.
    const worker = await Worker.create({
      connection: nc,
      taskQueue,
      workflowBundle: bundle,
      shutdownGraceTime: '1s',
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskPolls: 2,
    });
    const running = worker.run();
    cleanup.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const client = new TemporalClient(connection);
    const handles = await Promise.all(Array.from({ length: 24 }, (_, i) => client.startWorkflow({ workflowType: 'delayed', taskQueue, workflowId: uniqueId('limit'), args: [1000 + 50 * i, i] })));
    const budget = client.longPolls.for('default');
    let smallestCap = Infinity;
    const sampler = setInterval(() => (smallestCap = Math.min(smallestCap, budget.cap)), 20);
    const waits = handles.map((h) => h.result());
    const results = await Promise.all(waits).finally(() => clearInterval(sampler));
    expect(results.map((r) => r.value)).to.deep.equal(Array.from({ length: 24 }, (_, i) => i));
    // The server refused some polls, and the waits then kept to at most half of the slots,
    // leaving the rest to the worker; with no wait left the budget is lifted (to its initial cap).
    expect(smallestCap).to.be.at.most(4);
    expect([budget.cap, budget.inFlight, budget.waiting]).to.deep.equal([1000, 0, 0]);
  });
});
