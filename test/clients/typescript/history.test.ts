/**
 * The TypeScript client's history calls against the real daemon, dev server and a TS worker:
 * fetchHistory (replay-ready: Worker.runReplayHistory replays it), fetchHistoryEvents, watch.
 */
import { expect } from 'chai';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { TemporalHandledClient } from 'temporal-handled-client';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../../harness/env';

describe('TypeScript client: history', function () {
  this.timeout(60_000);
  let client: TemporalHandledClient;
  let worker: RunningWorker;
  before(async function () {
    this.timeout(120_000);
    const { server } = await testEnv();
    worker = await startWorker();
    client = await TemporalHandledClient.spawn({ address: server.address, clientName: 'ts-history-test' });
  });
  after(async () => {
    await client?.close();
    await worker?.stop();
  });

  it('fetchHistory gives the document the TS SDK replays; fetchHistoryEvents pages it', async () => {
    const h = await client.startWorkflow({ workflowType: 'signals', taskQueue: worker.taskQueue, workflowId: uniqueId('tsh') });
    await h.signal('add', 1);
    await h.signal('finish');
    await h.result();
    const history = await h.fetchHistory();
    expect(history.events.length).to.be.above(5);
    const { bundle } = await testEnv();
    await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON({ events: history.events }), h.workflowId);
    const page = await h.fetchHistoryEvents({ pageSize: 1 });
    expect(page.events.length).to.be.at.least(1);
    expect(page.nextPageToken).to.be.a('string');
  });

  it('watch yields batches across a continue-as-new chain and returns the last run and its status; breaking out cancels it', async () => {
    const h = await client.startWorkflow({ workflowType: 'chain', taskQueue: worker.taskQueue, workflowId: uniqueId('tsw'), args: [2] });
    // From the first run (without a run ID a watch starts at the current run).
    const it = client.getWorkflowHandle(h.workflowId, { runId: h.resultRunId }).watch();
    const runs = new Set<string>();
    let end: { runId: string; status: string } | undefined;
    for (;;) {
      const n = await it.next();
      if (n.done) {
        end = n.value;
        break;
      }
      runs.add(n.value.runId);
    }
    expect(runs.size).to.equal(3);
    expect(end!.status).to.equal('COMPLETED');
    const forever = await client.startWorkflow({ workflowType: 'forever', taskQueue: worker.taskQueue, workflowId: uniqueId('tswf') });
    for await (const batch of forever.watch()) {
      expect(batch.events.length).to.be.above(0);
      break;
    }
    const st = await client.status();
    expect(st.inFlight).to.equal(0);
    await forever.terminate();
  });
});
