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
  after(async function () {
    this.timeout(30_000);
    await server?.stop();
  });

  it('all complete although the server refuses some polls with RESOURCE_EXHAUSTED', async function () {
    this.timeout(120_000);
    const { bundle } = await testEnv();
    // At most 8 concurrent long polls of each kind in the namespace; 24 waits.
    server = await DevServer.start({ extraArgs: ['--dynamic-config-value', 'frontend.namespaceCount=8', '--dynamic-config-value', 'history.workflowIdReuseMinimalInterval="0s"'] });
    // One attempt per call: without the wait's own handling, the first refusal would end it.
    const connection = new Connection({ address: server.address, retry: { maxAttempts: 1 } });
    const nc = await NativeConnection.connect({ address: server.address });
    const taskQueue = uniqueId('tq-limit');
    const worker = await Worker.create({ connection: nc, taskQueue, workflowBundle: bundle, shutdownGraceTime: '1s' });
    const running = worker.run();
    try {
      const client = new TemporalClient(connection);
      const handles = await Promise.all(
        Array.from({ length: 24 }, (_, i) => client.startWorkflow({ workflowType: 'delayed', taskQueue, workflowId: uniqueId('limit'), args: [1000 + 50 * i, i] })),
      );
      // The limit is really reached: a direct long poll beyond it is refused.
      const waits = handles.map((h) => h.result());
      const results = await Promise.all(waits);
      expect(results.map((r) => r.value)).to.deep.equal(Array.from({ length: 24 }, (_, i) => i));
    } finally {
      worker.shutdown();
      await running;
      await nc.close();
      connection.close();
    }
  });
});
