/**
 * Every method of PROTOCOL.md end to end over each transport (stdio, Unix socket,
 * loopback TCP), against the real daemon process, dev server and worker.
 */
import { expect } from 'chai';
import { startDaemon, stdioClient, connectClient, initialized, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, startWorker, uniqueId, type RunningWorker } from '../harness/env';
import { PROTOCOL_METHODS as PROTOCOL_MD_METHODS } from '../harness/protocol-methods';

// PROTOCOL.md's methods, and rpc.discover.
const PROTOCOL_METHODS: string[] = [...PROTOCOL_MD_METHODS, 'rpc.discover'];

interface HandleInfo {
  handle: string;
  namespace: string;
  workflowId: string;
  runId: string | null;
  resultRunId: string | null;
  firstExecutionRunId: string | null;
}

type Transport = 'stdio' | 'socket' | 'tcp';

async function openClient(t: Transport, s: StartedDaemon): Promise<RawRpcClient> {
  if (t === 'stdio') return stdioClient(s.d);
  return connectClient(t === 'socket' ? s.socketPath! : s.port!);
}

const initParams = (t: Transport, s: StartedDaemon) => (t === 'tcp' ? { authToken: s.secret } : {});

for (const transport of ['stdio', 'socket', 'tcp'] as const) {
  describe(`every method over ${transport}`, function () {
    this.timeout(60_000);
    let s: StartedDaemon;
    let c: RawRpcClient;
    let worker: RunningWorker;
    let address: string;
    let initResult: Record<string, unknown>;

    const start = (workflowType: string, args: unknown[] = [], extra: Record<string, unknown> = {}) =>
      c.request<HandleInfo>('workflow/start', { workflowType, taskQueue: worker.taskQueue, workflowId: uniqueId(workflowType), args, ...extra });

    before(async function () {
      this.timeout(120_000);
      address = (await testEnv()).server.address;
      worker = await startWorker();
      s = await startDaemon(transport === 'tcp' ? { port: true } : { [transport]: true });
      c = await openClient(transport, s);
      initResult = await initialized(c, initParams(transport, s));
    });

    after(async () => {
      await worker?.stop();
      await s?.stop();
    });

    it('initialize answers serverInfo, protocolVersion, capabilities and temporal', () => {
      const serverInfo = initResult.serverInfo as { name: string; version: string };
      expect(serverInfo.name).to.equal('temporal-handled');
      expect(serverInfo.version).to.be.a('string').and.not.empty;
      expect(initResult.protocolVersion).to.equal(2);
      expect(initResult.capabilities).to.be.an('object');
      const temporal = initResult.temporal as { address: string; namespace: string; serverVersion: string | null };
      expect(temporal.address).to.equal(address);
      expect(temporal.namespace).to.equal('default');
      // initialize does not wait for the server (a cold start answers at once): the version
      // is there when already known, and always in daemon/status.
      if (temporal.serverVersion !== null) expect(temporal.serverVersion).to.match(/^\d+\.\d+/);
    });

    it('daemon/status answers uptime, clients, handles, inFlight, connection state and server version', async () => {
      const st = await c.request<Record<string, any>>('daemon/status');
      expect(st.uptime).to.be.a('number').above(0);
      expect(st.clients).to.be.a('number').at.least(1);
      expect(st.handles).to.be.a('number').at.least(0);
      // Nothing else is being served; the status request itself is not counted.
      expect(st.inFlight).to.equal(0);
      expect(st.connection.state).to.be.a('string').and.not.empty;
      expect(st.temporal.serverVersion)
        .to.be.a('string')
        .and.match(/^\d+\.\d+/);
      const fromInit = (initResult.temporal as { serverVersion: string | null }).serverVersion;
      if (fromInit !== null) expect(st.temporal.serverVersion).to.equal(fromInit);
      expect(st.memory.rss).to.be.a('number').above(0);
    });

    it('rpc.discover answers the OpenRPC document listing every method', async () => {
      const doc = await c.request<{ openrpc: string; methods: { name: string }[] }>('rpc.discover');
      expect(doc.openrpc).to.match(/^1\./);
      expect(doc.methods.map((m) => m.name)).to.include.members(PROTOCOL_METHODS);
    });

    it('workflow/start, handle/info, describe, query, signal and result', async () => {
      const info = await start('signals');
      expect(info).to.have.all.keys('handle', 'namespace', 'workflowId', 'runId', 'resultRunId', 'firstExecutionRunId');
      expect(info.handle).to.be.a('string');
      expect(info.namespace).to.equal('default');
      expect(info.runId).to.equal(null);
      expect(info.resultRunId).to.be.a('string');
      expect(info.firstExecutionRunId).to.equal(info.resultRunId);
      expect(await c.request('handle/info', { handle: info.handle })).to.deep.equal(info);

      const desc = await c.request<Record<string, any>>('handle/describe', { handle: info.handle });
      expect(desc.workflowId).to.equal(info.workflowId);
      expect(desc.runId).to.equal(info.resultRunId);
      expect(desc.workflowType).to.equal('signals');
      expect(desc.taskQueue).to.equal(worker.taskQueue);
      expect(desc.status).to.equal('RUNNING');
      expect(desc.startTime).to.be.a('string');
      expect(desc.closeTime).to.equal(null);

      expect(await c.request('handle/query', { handle: info.handle, query: 'greet', args: ['Hello', 'daemon'] })).to.deep.equal({ value: 'Hello, daemon!' });
      expect(await c.request('handle/signal', { handle: info.handle, signal: 'add', args: [{ n: 1 }] })).to.equal(null);
      expect(await c.request('handle/signal', { handle: info.handle, signal: 'add', args: ['two'] })).to.equal(null);
      const state = await c.request<{ value: { values: unknown[] } }>('handle/query', { handle: info.handle, query: 'state' });
      expect(state.value.values).to.deep.equal([{ n: 1 }, 'two']);
      await c.request('handle/signal', { handle: info.handle, signal: 'finish' });
      expect(await c.request('handle/result', { handle: info.handle })).to.deep.equal({ value: [{ n: 1 }, 'two'], runId: info.resultRunId });
      const closed = await c.request<Record<string, any>>('handle/describe', { handle: info.handle });
      expect(closed.status).to.equal('COMPLETED');
      expect(closed.closeTime).to.be.a('string');
    });

    it('values: JSON, $bytes and $payload round-trip', async () => {
      const payload = { $payload: { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"x":1}').toString('base64') } };
      const cases: [unknown, unknown][] = [
        [{ a: [1, null, 'é'] }, { a: [1, null, 'é'] }],
        [{ $bytes: Buffer.from([0, 1, 255]).toString('base64') }, { $bytes: 'AAH/' }],
        [payload, { x: 1 }],
      ];
      for (const [arg, expected] of cases) {
        const info = await start('echo', [arg]);
        const r = await c.request<{ value: unknown }>('handle/result', { handle: info.handle });
        expect(r.value).to.deep.equal(expected);
      }
    });

    it('workflow/getHandle pins runId and resultRunId; without runId they are null', async () => {
      const started = await start('signals');
      const pinned = await c.request<HandleInfo>('workflow/getHandle', { workflowId: started.workflowId, runId: started.resultRunId });
      expect(pinned.handle).to.not.equal(started.handle);
      expect(pinned).to.include({ workflowId: started.workflowId, runId: started.resultRunId, resultRunId: started.resultRunId, firstExecutionRunId: null, namespace: 'default' });
      const latest = await c.request<HandleInfo>('workflow/getHandle', { workflowId: started.workflowId, firstExecutionRunId: started.firstExecutionRunId });
      expect(latest).to.include({ runId: null, resultRunId: null, firstExecutionRunId: started.firstExecutionRunId });
      expect((await c.request<Record<string, any>>('handle/describe', { handle: pinned.handle })).runId).to.equal(started.resultRunId);
      await c.request('handle/signal', { handle: latest.handle, signal: 'add', args: [7] });
      expect((await c.request<{ value: { values: unknown[] } }>('handle/query', { handle: pinned.handle, query: 'state' })).value.values).to.deep.equal([7]);
      await c.request('handle/signal', { handle: pinned.handle, signal: 'finish' });
      expect(await c.request('handle/result', { handle: latest.handle })).to.deep.equal({ value: [7], runId: started.resultRunId });
    });

    it('handle/cancel: the result answers WorkflowFailureError with a CancelledError cause', async () => {
      const info = await start('cancellable');
      expect(await c.request('handle/cancel', { handle: info.handle, reason: 'test' })).to.equal(null);
      const e = await rpcError(c.request('handle/result', { handle: info.handle }));
      expect(e.code).to.equal(1003);
      expect(e.data.type).to.equal('WorkflowFailureError');
      expect((e.data.cause as { type: string }).type).to.equal('CancelledError');
      expect(e.data.runId).to.equal(info.resultRunId);
      expect(e.data.status).to.equal('CANCELED');
      expect((await c.request<{ status: string }>('handle/describe', { handle: info.handle })).status).to.equal('CANCELED');
    });

    it('handle/terminate: the result answers WorkflowFailureError with a TerminatedError cause', async () => {
      const info = await start('forever');
      expect(await c.request('handle/terminate', { handle: info.handle, reason: 'enough', details: ['d1'] })).to.equal(null);
      const e = await rpcError(c.request('handle/result', { handle: info.handle }));
      expect(e.data.type).to.equal('WorkflowFailureError');
      expect(e.data.cause).to.include({ type: 'TerminatedError', message: 'enough' });
      expect(e.data.status).to.equal('TERMINATED');
      expect((await c.request<{ status: string }>('handle/describe', { handle: info.handle })).status).to.equal('TERMINATED');
    });

    it('handle/release: the token then answers InvalidHandleError naming it', async () => {
      const info = await c.request<HandleInfo>('workflow/getHandle', { workflowId: uniqueId('released') });
      expect(await c.request('handle/release', { handle: info.handle })).to.equal(null);
      for (const method of ['handle/info', 'handle/describe', 'handle/result', 'handle/release']) {
        const e = await rpcError(c.request(method, { handle: info.handle }));
        expect(e.code, method).to.equal(1007);
        expect(e.data, method).to.include({ type: 'InvalidHandleError', handle: info.handle, reason: 'released' });
      }
    });

    it('errors reach the client with data.type and their fields', async () => {
      // RPCError NOT_FOUND
      const missing = await c.request<HandleInfo>('workflow/getHandle', { workflowId: uniqueId('missing') });
      const notFound = await rpcError(c.request('handle/describe', { handle: missing.handle }));
      expect(notFound.code).to.equal(1001);
      expect(notFound.data).to.include({ type: 'RPCError', status: 'NOT_FOUND' });

      // WorkflowFailureError with an ApplicationError cause (and its own cause)
      const failed = await start('fail', ['MyError', true, 'detail']);
      const wfe = await rpcError(c.request('handle/result', { handle: failed.handle }));
      expect(wfe.code).to.equal(1003);
      expect(wfe.data.type).to.equal('WorkflowFailureError');
      expect(wfe.data.status).to.equal('FAILED');
      const cause = wfe.data.cause as Record<string, any>;
      expect(cause).to.include({ type: 'ApplicationError', applicationType: 'MyError', nonRetryable: true, message: 'failed with MyError' });
      expect(cause.details).to.deep.equal(['detail']);
      expect(cause.cause).to.include({ type: 'ApplicationError', applicationType: 'RootCause' });

      // WorkflowAlreadyStartedError with the running run's ID
      const running = await start('forever');
      const dup = await rpcError(c.request('workflow/start', { workflowType: 'forever', taskQueue: worker.taskQueue, workflowId: running.workflowId }));
      expect(dup.code).to.equal(1002);
      expect(dup.data).to.include({ type: 'WorkflowAlreadyStartedError', runId: running.resultRunId, workflowId: running.workflowId });
      // ...and the first run of its chain (this run), as the Python SDK's first_run_id.
      expect(dup.data.firstRunId).to.equal(running.firstExecutionRunId);

      // WorkflowQueryFailedError
      const qf = await rpcError(c.request('handle/query', { handle: running.handle, query: 'no-such-query' }));
      expect(qf.data.type).to.equal('WorkflowQueryFailedError');
      await c.request('handle/terminate', { handle: running.handle });

      // WorkflowQueryRejectedError with the workflow's status
      const done = await start('signals');
      await c.request('handle/signal', { handle: done.handle, signal: 'finish' });
      await c.request('handle/result', { handle: done.handle });
      const rejected = await rpcError(c.request('handle/query', { handle: done.handle, query: 'state', rejectCondition: 'NOT_OPEN' }));
      expect(rejected.code).to.equal(1005);
      expect(rejected.data).to.include({ type: 'WorkflowQueryRejectedError', status: 'COMPLETED' });

      // WorkflowContinuedAsNewError when not following runs
      const chained = await start('chain', [1]);
      const can = await rpcError(c.request('handle/result', { handle: chained.handle, followRuns: false }));
      expect(can.code).to.equal(1004);
      expect(can.data.type).to.equal('WorkflowContinuedAsNewError');
      expect(can.data.newExecutionRunId).to.be.a('string').and.not.equal(chained.resultRunId);
    });

    if (transport === 'stdio') {
      it('shutdown, then exit: the process exits 0', async () => {
        expect(await c.request('shutdown')).to.equal(null);
        const after = await rpcError(c.request('daemon/status'));
        expect(after.code).to.equal(-32600);
        c.notify('exit');
        expect(await s.d.exited).to.equal(0);
      });
    } else {
      it('shutdown, then exit: only that connection closes; the daemon keeps serving others', async () => {
        const target = transport === 'socket' ? s.socketPath! : s.port!;
        const other = await connectClient(target);
        await initialized(other, initParams(transport, s));
        const shared = await c.request<HandleInfo>('workflow/getHandle', { workflowId: uniqueId('shared') });
        expect(await c.request('shutdown')).to.equal(null);
        expect((await rpcError(c.request('handle/info', { handle: shared.handle }))).code).to.equal(-32600);
        c.notify('exit');
        await c.whenClosed();
        // The other client, and a new one, are served; the handle outlives the connection that made it.
        expect(await other.request('handle/info', { handle: shared.handle })).to.deep.equal(shared);
        const fresh = await connectClient(target);
        await initialized(fresh, initParams(transport, s));
        expect((await fresh.request<{ clients: number }>('daemon/status')).clients).to.equal(2);
        // exit without shutdown also closes only that connection
        fresh.notify('exit');
        await fresh.whenClosed();
        expect(s.d.child.exitCode).to.equal(null);
        expect((await other.request<{ clients: number }>('daemon/status')).clients).to.equal(1);
        other.destroy();
      });
    }
  });
}

describe('exit over stdio without shutdown', function () {
  it('exits the process with code 1', async () => {
    const s = await startDaemon({ stdio: true });
    try {
      const c = stdioClient(s.d);
      await initialized(c);
      c.notify('exit');
      expect(await s.d.exited).to.equal(1);
    } finally {
      await s.stop('SIGKILL');
    }
  });

  it('exits with code 1 even when stdin is closed right after exit', async () => {
    const s = await startDaemon({ stdio: true });
    try {
      const c = stdioClient(s.d);
      await initialized(c);
      c.notify('exit');
      s.d.child.stdin!.end();
      expect(await s.d.exited).to.equal(1);
    } finally {
      await s.stop('SIGKILL');
    }
  });
});
