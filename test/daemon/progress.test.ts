/**
 * Work-done progress of handle/result along a chain of continue-as-new runs.
 */
import { expect } from 'chai';
import { startDaemon, stdioClient, initialized, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, startWorker, uniqueId, type RunningWorker } from '../harness/env';

interface HandleInfo {
  handle: string;
  workflowId: string;
  resultRunId: string;
}

describe('$/progress along the run chain', function () {
  this.timeout(60_000);
  let s: StartedDaemon;
  let c: RawRpcClient;
  let worker: RunningWorker;

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    worker = await startWorker();
    s = await startDaemon({ stdio: true });
    c = stdioClient(s.d);
    await initialized(c);
  });

  after(async () => {
    await worker?.stop();
    await s?.stop();
  });

  /** The messages about request `id`: its progress notifications and its response, in arrival order. */
  const trail = (id: number, token: string | number) => c.received.filter((m) => m.id === id || (m.method === '$/progress' && (m.params as { token: unknown }).token === token));

  for (const [n, token] of [
    [3, 'chain-token'],
    [5, 4242],
  ] as const) {
    it(`a chain of ${n} continue-as-new runs: one begin, ${n} linked reports, one end, all before the response (token ${JSON.stringify(token)})`, async () => {
      const info = await c.request<HandleInfo>('workflow/start', { workflowType: 'chain', taskQueue: worker.taskQueue, workflowId: uniqueId('chain'), args: [n] });
      const { id, promise } = c.requestWithId<{ value: unknown; runId: string }>('handle/result', { handle: info.handle, workDoneToken: token });
      const result = await promise;
      expect(result.value).to.deep.equal({ runs: n + 1, n });

      const msgs = trail(id, token);
      expect(msgs[msgs.length - 1]!.id, 'the response comes after every progress notification').to.equal(id);
      const values = msgs.slice(0, -1).map((m) => (m.params as { value: Record<string, any> }).value);
      expect(values.map((v) => v.kind)).to.deep.equal(['begin', ...Array(n).fill('report'), 'end']);

      const begin = values[0]!;
      expect(begin.title).to.be.a('string');
      expect(begin.workflowId).to.equal(info.workflowId);
      expect(begin.runId).to.equal(info.resultRunId);

      const reports = values.slice(1, -1);
      let previous = info.resultRunId;
      const seen = new Set([previous]);
      for (const r of reports) {
        expect(r.workflowId).to.equal(info.workflowId);
        expect(r.reason).to.equal('CONTINUED_AS_NEW');
        expect(r.previousRunId).to.equal(previous);
        expect(r.runId).to.be.a('string');
        expect(seen.has(r.runId), 'each run appears once').to.equal(false);
        seen.add(r.runId);
        previous = r.runId;
      }
      const end = values[values.length - 1]!;
      expect(end.runId).to.equal(previous);
      expect(end.runId).to.equal(result.runId);
      expect(end.status).to.equal('COMPLETED');
    });
  }

  it('without a workDoneToken there is no progress', async () => {
    const before = c.progress.length;
    const info = await c.request<HandleInfo>('workflow/start', { workflowType: 'chain', taskQueue: worker.taskQueue, workflowId: uniqueId('chain'), args: [2] });
    const r = await c.request<{ value: unknown }>('handle/result', { handle: info.handle });
    expect(r.value).to.deep.equal({ runs: 3, n: 2 });
    expect(c.progress.length).to.equal(before);
  });

  it('a failing workflow ends its progress with status FAILED before the error', async () => {
    const info = await c.request<HandleInfo>('workflow/start', { workflowType: 'fail', taskQueue: worker.taskQueue, workflowId: uniqueId('fail'), args: ['Boom', true] });
    const { id, promise } = c.requestWithId('handle/result', { handle: info.handle, workDoneToken: 'fail-token' });
    const e = await rpcError(promise);
    expect(e.data.type).to.equal('WorkflowFailureError');
    const msgs = trail(id, 'fail-token');
    expect(msgs[msgs.length - 1]!.id).to.equal(id);
    const values = msgs.slice(0, -1).map((m) => (m.params as { value: Record<string, any> }).value);
    expect(values.map((v) => v.kind)).to.deep.equal(['begin', 'end']);
    expect(values[1]).to.include({ status: 'FAILED', runId: info.resultRunId });
  });
});
