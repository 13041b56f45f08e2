/**
 * Several clients on one Unix socket at once: handles are shared between
 * connections; `$/cancelRequest` is per connection.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, until, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, startWorker, uniqueId, type RunningWorker } from '../harness/env';

interface HandleInfo {
  handle: string;
  workflowId: string;
  resultRunId: string | null;
}

describe('several clients on one socket', function () {
  this.timeout(60_000);
  let s: StartedDaemon;
  let worker: RunningWorker;
  let a: RawRpcClient;
  let b: RawRpcClient;
  let c: RawRpcClient;

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    worker = await startWorker();
    s = await startDaemon({ socket: true });
    [a, b, c] = await Promise.all([connectClient(s.socketPath!), connectClient(s.socketPath!), connectClient(s.socketPath!)]);
    await Promise.all([initialized(a), initialized(b), initialized(c)]);
  });

  after(async () => {
    await worker?.stop();
    await s?.stop();
  });

  const inFlight = async () => (await c.request<{ inFlight: number }>('daemon/status')).inFlight;

  it('one client creates a handle, the others use its token', async () => {
    expect((await c.request<{ clients: number }>('daemon/status')).clients).to.equal(3);
    const info = await a.request<HandleInfo>('workflow/start', { workflowType: 'signals', taskQueue: worker.taskQueue, workflowId: uniqueId() });
    expect(await b.request('handle/info', { handle: info.handle })).to.deep.equal(info);
    await b.request('handle/signal', { handle: info.handle, signal: 'add', args: ['from b'] });
    await c.request('handle/signal', { handle: info.handle, signal: 'add', args: ['from c'] });
    const state = await a.request<{ value: { values: unknown[] } }>('handle/query', { handle: info.handle, query: 'state' });
    expect(state.value.values).to.deep.equal(['from b', 'from c']);
    // A's result wait, completed by B's signal.
    const result = a.request('handle/result', { handle: info.handle });
    await b.request('handle/signal', { handle: info.handle, signal: 'finish' });
    expect(await result).to.deep.equal({ value: ['from b', 'from c'], runId: info.resultRunId });
    // A releases it: gone for everyone.
    await a.request('handle/release', { handle: info.handle });
    const e = await rpcError(c.request('handle/info', { handle: info.handle }));
    expect(e.data).to.include({ type: 'InvalidHandleError', reason: 'released', handle: info.handle });
  });

  it("A waits on handle/result; B cancels the workflow with A's token; A answers WorkflowFailureError(CancelledError)", async () => {
    const baseline = await inFlight();
    const info = await a.request<HandleInfo>('workflow/start', { workflowType: 'cancellable', taskQueue: worker.taskQueue, workflowId: uniqueId() });
    const result = a.request('handle/result', { handle: info.handle });
    await until(async () => (await inFlight()) === baseline + 1, 5000, 'the result wait to be in flight');
    expect(await b.request('handle/query', { handle: info.handle, query: 'cancelled' })).to.deep.equal({ value: false });
    await b.request('handle/cancel', { handle: info.handle, reason: 'from b' });
    const e = await rpcError(result);
    expect(e.code).to.equal(1003);
    expect(e.data.type).to.equal('WorkflowFailureError');
    expect((e.data.cause as { type: string }).type).to.equal('CancelledError');
    expect((await c.request<{ status: string }>('handle/describe', { handle: info.handle })).status).to.equal('CANCELED');
    expect(await inFlight()).to.equal(baseline);
  });

  it("$/cancelRequest is per connection: B cannot cancel A's request; A's own cancel answers -32800 promptly and the workflow keeps running", async () => {
    const baseline = await inFlight();
    const info = await a.request<HandleInfo>('workflow/start', { workflowType: 'forever', taskQueue: worker.taskQueue, workflowId: uniqueId() });
    const { id, promise } = a.requestWithId('handle/result', { handle: info.handle });
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await until(async () => (await inFlight()) === baseline + 1, 5000, 'the result wait to be in flight');
    // B sends a cancel for the same id: it names B's own (non-existent) request, not A's.
    b.cancel(id);
    expect((await b.request<{ clients: number }>('daemon/status')).clients).to.equal(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(settled, "A's request must not be cancelled by B").to.equal(false);
    expect(await inFlight()).to.equal(baseline + 1);
    // A cancels its own request.
    const t0 = Date.now();
    a.cancel(id);
    const e = await rpcError(promise);
    expect(e.code).to.equal(-32800);
    expect(e.data.type).to.equal('RequestCancelled');
    expect(Date.now() - t0).to.be.below(2000);
    expect(await inFlight()).to.equal(baseline);
    expect((await b.request<{ status: string }>('handle/describe', { handle: info.handle })).status).to.equal('RUNNING');
    await b.request('handle/terminate', { handle: info.handle });
  });

  it('a handle outlives the connection that created it', async () => {
    const d = await connectClient(s.socketPath!);
    await initialized(d);
    const info = await d.request<HandleInfo>('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId: uniqueId(), args: ['kept'] });
    d.destroy();
    await d.whenClosed();
    await until(async () => (await c.request<{ clients: number }>('daemon/status')).clients === 3, 5000, 'the client count to drop');
    expect(await b.request('handle/result', { handle: info.handle })).to.deep.equal({ value: 'kept', runId: info.resultRunId });
  });
});
