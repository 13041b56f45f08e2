/**
 * Workflow updates through the daemon, end to end (real daemon process, dev server and TS
 * worker): every update method of PROTOCOL.md's version 2, update tokens shared across
 * connections, the errors by name, and bad input.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { startWorker, uniqueId, type RunningWorker } from '../harness/env';

type Msg = Record<string, any>;

describe('updates through the daemon', function () {
  this.timeout(60_000);
  let s: StartedDaemon;
  let c: RawRpcClient;
  let worker: RunningWorker;

  before(async function () {
    this.timeout(120_000);
    worker = await startWorker();
    s = await startDaemon({ socket: true });
    c = await connectClient(s.socketPath!);
    await initialized(c);
  });
  after(async () => {
    c?.destroy();
    await s?.stop();
    await worker?.stop();
  });

  const start = (initial = 0) => c.request<Msg>('workflow/start', { workflowType: 'updatable', taskQueue: worker.taskQueue, workflowId: uniqueId('upd'), args: [initial] });

  it('initialize says protocol version 2', async () => {
    const other = await connectClient(s.socketPath!);
    expect((await initialized(other)).protocolVersion).to.equal(2);
    other.destroy();
  });

  it('handle/executeUpdate returns the value and the update ID; a reused ID is applied once', async () => {
    const h = await start(10);
    const r = await c.request<Msg>('handle/executeUpdate', { handle: h.handle, update: 'add', args: [5] });
    expect(r.value).to.equal(15);
    expect(r.updateId).to.be.a('string').and.not.empty;
    const again = await c.request<Msg>('handle/executeUpdate', { handle: h.handle, update: 'add', args: [5], updateId: r.updateId });
    expect(again).to.deep.equal({ value: 15, updateId: r.updateId });
    expect((await c.request<Msg>('handle/query', { handle: h.handle, query: 'state' })).value.applied).to.deep.equal([5]);
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('handle/startUpdate at ACCEPTED, then update/describe without waiting and update/result on another connection', async () => {
    const h = await start();
    const u = await c.request<Msg>('handle/startUpdate', { handle: h.handle, update: 'waitForRelease', args: ['v'], waitForStage: 'ACCEPTED', updateId: 'u-acc' });
    expect(u).to.deep.include({ updateId: 'u-acc', workflowId: h.workflowId });
    expect(u.update).to.match(/^wu_/);
    expect(await c.request<Msg>('update/describe', { update: u.update })).to.deep.equal({ updateId: 'u-acc', stage: 'ACCEPTED' });
    const other = await connectClient(s.socketPath!);
    await initialized(other);
    const result = other.request<Msg>('update/result', { update: u.update });
    await c.request('handle/signal', { handle: h.handle, signal: 'release' });
    expect(await result).to.deep.equal({ value: 'v' });
    expect(await c.request<Msg>('update/describe', { update: u.update })).to.deep.equal({ updateId: 'u-acc', stage: 'COMPLETED', outcome: { value: 'v' } });
    other.destroy();
    await c.request('handle/terminate', { handle: h.handle });
  });

  it("handle/startUpdate at COMPLETED; ADMITTED is refused with the SDK's message", async () => {
    const h = await start(1);
    const u = await c.request<Msg>('handle/startUpdate', { handle: h.handle, update: 'add', args: [2], waitForStage: 'COMPLETED' });
    expect((await c.request<Msg>('update/describe', { update: u.update })).outcome).to.deep.equal({ value: 3 });
    const e = await rpcError(c.request('handle/startUpdate', { handle: h.handle, update: 'add', args: [2], waitForStage: 'ADMITTED' }));
    expect(e.code).to.equal(-32602);
    expect(e.message).to.match(/ADMITTED wait stage not supported/);
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('handle/getUpdateHandle makes no call; update/release forgets the token everywhere', async () => {
    const h = await start();
    await c.request('handle/executeUpdate', { handle: h.handle, update: 'add', args: [4], updateId: 'u-get' });
    const u = await c.request<Msg>('handle/getUpdateHandle', { handle: h.handle, updateId: 'u-get' });
    expect(await c.request<Msg>('update/result', { update: u.update })).to.deep.equal({ value: 4 });
    await c.request('update/release', { update: u.update });
    const e = await rpcError(c.request('update/result', { update: u.update }));
    expect(e.data.type).to.equal('InvalidHandleError');
    expect(e.message).to.match(/Update handle ".*" was released/);
    const unknown = await c.request<Msg>('handle/getUpdateHandle', { handle: h.handle, updateId: 'no-such-update' });
    const nf = await rpcError(c.request('update/describe', { update: unknown.update }));
    expect(nf.data).to.deep.include({ type: 'RPCError', status: 'NOT_FOUND' });
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('a validator that rejects and a handler that raises: WorkflowUpdateFailedError with the Failure as cause', async () => {
    const h = await start();
    const rejected = await rpcError(c.request('handle/executeUpdate', { handle: h.handle, update: 'add', args: [-1] }));
    expect(rejected.code).to.equal(1010);
    expect(rejected.data.type).to.equal('WorkflowUpdateFailedError');
    expect((rejected.data.cause as Msg).message).to.match(/add rejects -1/);
    const raised = await rpcError(c.request('handle/executeUpdate', { handle: h.handle, update: 'fail', args: ['boom'] }));
    expect(raised.data.cause).to.deep.include({ type: 'ApplicationError', applicationType: 'UpdateBoom', message: 'boom' });
    const unknownName = await rpcError(c.request('handle/executeUpdate', { handle: h.handle, update: 'nope' }));
    expect(unknownName.data.type).to.equal('WorkflowUpdateFailedError');
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('a closed workflow and an unknown workflow: RPCError NOT_FOUND', async () => {
    const h = await start();
    await c.request('handle/terminate', { handle: h.handle });
    const closed = await rpcError(c.request('handle/executeUpdate', { handle: h.handle, update: 'add', args: [1] }));
    expect(closed.data).to.deep.include({ type: 'RPCError', status: 'NOT_FOUND' });
    const g = await c.request<Msg>('workflow/getHandle', { workflowId: uniqueId('none') });
    const unknown = await rpcError(c.request('handle/executeUpdate', { handle: g.handle, update: 'add', args: [1] }));
    expect(unknown.data).to.deep.include({ type: 'RPCError', status: 'NOT_FOUND' });
  });

  it('update-with-start: USE_EXISTING reaches the running workflow, FAIL conflicts (WorkflowAlreadyStartedError), both give handles', async () => {
    const workflowId = uniqueId('uws');
    const startParams = { workflowType: 'updatable', taskQueue: worker.taskQueue, workflowId, args: [100] };
    const first = await c.request<Msg>('workflow/executeUpdateWithStart', { start: { ...startParams, idConflictPolicy: 'FAIL' }, update: 'add', args: [1] });
    expect(first.value).to.equal(101);
    expect(first.handle).to.deep.include({ workflowId, runId: null });
    expect(first.handle.handle).to.match(/^wh_/);
    const second = await c.request<Msg>('workflow/startUpdateWithStart', { start: { ...startParams, idConflictPolicy: 'USE_EXISTING' }, update: 'add', args: [2], waitForStage: 'COMPLETED' });
    expect(second.handle.resultRunId).to.equal(first.handle.resultRunId);
    expect(await c.request<Msg>('update/result', { update: second.update.update })).to.deep.equal({ value: 103 });
    const conflict = await rpcError(c.request('workflow/executeUpdateWithStart', { start: { ...startParams, idConflictPolicy: 'FAIL' }, update: 'add', args: [3] }));
    expect(conflict.data).to.deep.include({ type: 'WorkflowAlreadyStartedError', runId: first.handle.resultRunId });
    await c.request('handle/terminate', { handle: first.handle.handle });
  });

  it('cancelling a waiting update/result answers -32800 and the daemon keeps serving', async () => {
    const h = await start();
    const u = await c.request<Msg>('handle/startUpdate', { handle: h.handle, update: 'waitForRelease', args: [1], waitForStage: 'ACCEPTED' });
    const { id, promise } = c.requestWithId('update/result', { update: u.update });
    await new Promise((r) => setTimeout(r, 200));
    c.cancel(id);
    expect((await rpcError(promise)).code).to.equal(-32800);
    expect((await c.request<Msg>('daemon/status')).updateHandles).to.be.at.least(1);
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('bad params are refused by name: update-with-start without idConflictPolicy or with a start signal, a missing waitForStage', async () => {
    const g = await c.request<Msg>('workflow/getHandle', { workflowId: 'x' });
    const base = { workflowType: 'updatable', taskQueue: 'q', workflowId: 'x' };
    const cases: [string, unknown, RegExp][] = [
      ['workflow/executeUpdateWithStart', { start: base, update: 'add' }, /"start.idConflictPolicy" is required/],
      ['workflow/executeUpdateWithStart', { start: { ...base, idConflictPolicy: 'UNSPECIFIED' }, update: 'add' }, /"start.idConflictPolicy" must be one of FAIL, USE_EXISTING, TERMINATE_EXISTING/],
      ['workflow/executeUpdateWithStart', { start: { ...base, idConflictPolicy: 'FAIL', startSignal: 's' }, update: 'add' }, /"start" has an unknown field "startSignal"/],
      ['handle/startUpdate', { handle: g.handle, update: 'add' }, /"waitForStage" is required/],
      ['handle/executeUpdate', { handle: g.handle, update: '' }, /"update" must not be empty/],
      ['update/result', { update: 'wu_nope' }, /Unknown update handle "wu_nope"/],
    ];
    for (const [method, params, re] of cases) {
      const e = await rpcError(c.request(method, params));
      expect(e.message, method).to.match(re);
    }
  });
});
