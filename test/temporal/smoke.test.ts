import { expect } from 'chai';
import { newClient, testEnv, uniqueId, withWorker } from '../harness/env';

describe('smoke', function () {
  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });
  it('starts echo and gets its result', async () => {
    const { client, connection } = await newClient();
    try {
      await withWorker(async (tq) => {
        const h = await client.startWorkflow({ workflowType: 'echo', taskQueue: tq, workflowId: uniqueId(), args: [{ a: 1 }] });
        const r = await h.result();
        expect(r.value).to.deep.equal({ a: 1 });
        expect(r.runId).to.equal(h.resultRunId);
        const d = await h.describe();
        expect(d.status).to.equal('COMPLETED');
      });
    } finally {
      connection.close();
    }
  });
});
