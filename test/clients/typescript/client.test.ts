/**
 * The TypeScript client against the real daemon, a real dev server and real workers:
 * every method, the typed errors, progress, abort, lazy handles, and the transports.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import {
  TemporalHandledClient,
  DaemonError,
  DaemonConnectionError,
  RPCError,
  WorkflowAlreadyStartedError,
  WorkflowFailureError,
  WorkflowContinuedAsNewError,
  WorkflowQueryRejectedError,
  WorkflowQueryFailedError,
  InvalidHandleError,
  ApplicationError,
  CancelledError,
  TerminatedError,
  TimeoutError,
  type ResultProgress,
} from 'temporal-handled-client';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../../harness/env';
import { spawnDaemon, tmpPath, waitReady, type DaemonProcess } from '../../harness/daemon';

/** The error `p` rejects with (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    const v = await p;
    throw new Error(`expected a rejection, got ${JSON.stringify(v)}`);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('expected a rejection')) throw err;
    return err as Error;
  }
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('TypeScript client', function () {
  let worker: RunningWorker;
  let client: TemporalHandledClient;
  let tq: string;
  let address: string;

  before(async function () {
    this.timeout(120_000);
    address = (await testEnv()).server.address;
    worker = await startWorker();
    tq = worker.taskQueue;
    client = await TemporalHandledClient.spawn({ address, clientName: 'ts-client-test' });
  });
  after(async function () {
    this.timeout(30_000);
    await client?.close();
    await worker?.stop();
  });

  describe('per-call options, typed search attributes, describe details', () => {
    it("rpcTimeout is each call's deadline; rpcMetadata is accepted; bad ones are refused by name", async () => {
      const h = await client.startWorkflow({ workflowType: 'echo', taskQueue: uniqueId('no-worker'), workflowId: uniqueId('ts-opt'), args: [1] });
      const err = await rejection(h.queryWithOptions('anything', [], { rpcTimeout: '600ms', rpcMetadata: { 'x-trace-id': 'ts-1' } }));
      expect(err).to.be.instanceOf(RPCError);
      expect((err as RPCError).status).to.equal('DEADLINE_EXCEEDED');
      const bad = await rejection(h.describe({ rpcMetadata: { 'no spaces': 'x' } }));
      expect(bad).to.be.instanceOf(DaemonError);
      expect(bad.message).to.contain('rpcMetadata');
      await h.terminate();
    });

    it('typed search attributes in, typed out; describe({raw: true}) and the pending workflow task', async () => {
      const tag = uniqueId('ts-tsa');
      const h = await client.startWorkflow({
        workflowType: 'forever',
        taskQueue: uniqueId('no-worker'),
        workflowId: tag,
        typedSearchAttributes: [
          { key: 'CustomKeywordField', type: 'KEYWORD', value: tag },
          { key: 'CustomIntField', type: 'INT', value: 3 },
        ],
      });
      const d = await h.describe({ raw: true });
      expect(d.typedSearchAttributes).to.deep.include.members([
        { key: 'CustomKeywordField', type: 'KEYWORD', value: tag },
        { key: 'CustomIntField', type: 'INT', value: 3 },
      ]);
      expect(d.pendingWorkflowTask?.state).to.equal('SCHEDULED');
      expect(d.raw?.workflowExecutionInfo).to.be.an('object');
      expect((await h.describe()).raw).to.equal(undefined);
      await h.terminate();
    });
  });

  describe('spawned over stdio', () => {
    it('initializes and reports the daemon status', async () => {
      expect(client.initializeResult.serverInfo.name).to.equal('temporal-handled');
      expect(client.initializeResult.protocolVersion).to.equal(2);
      expect(client.initializeResult.temporal.address).to.equal(address);
      expect(client.namespace).to.equal('default');
      const s = await client.status();
      expect(s.clients).to.be.at.least(1);
      expect(s.connection.state).to.be.a('string');
      expect(s.temporal.serverVersion).to.be.a('string');
      expect(s.inFlight).to.equal(0); // the status call itself is not counted
    });

    it('starts a workflow and returns its result, with the run IDs of the Python SDK', async () => {
      const h = await client.startWorkflow({ workflowType: 'echoArgs', taskQueue: tq, workflowId: uniqueId(), args: [1, 'two', { three: 3 }] });
      expect(h.runId).to.equal(null);
      expect(h.resultRunId).to.be.a('string');
      expect(h.firstExecutionRunId).to.equal(h.resultRunId);
      expect(h.namespace).to.equal('default');
      expect(await h.result()).to.deep.equal([1, 'two', { three: 3 }]);
      const r = await h.resultWithRunId();
      expect(r.runId).to.equal(h.resultRunId);
      const bytes = await client.startWorkflow({ workflowType: 'echo', taskQueue: tq, workflowId: uniqueId(), args: [{ $bytes: 'AAE=' }] });
      expect(await bytes.result()).to.deep.equal({ $bytes: 'AAE=' });
    });

    it('starts with a start signal (signal-with-start): no firstExecutionRunId', async () => {
      const h = await client.startWorkflow({ workflowType: 'signals', taskQueue: tq, workflowId: uniqueId(), startSignal: 'add', startSignalArgs: ['first'] });
      expect(h.firstExecutionRunId).to.equal(null);
      await h.signal('finish');
      expect(await h.result()).to.deep.equal(['first']);
    });

    it('getWorkflowHandle makes no call until first used; signal, query (with args) and result', async () => {
      const id = uniqueId();
      const started = await client.startWorkflow({ workflowType: 'signals', taskQueue: tq, workflowId: id });
      const before = (await client.status()).handles;
      const h = client.getWorkflowHandle(id);
      expect(h.workflowId).to.equal(id);
      expect([h.runId, h.resultRunId, h.firstExecutionRunId]).to.deep.equal([null, null, null]);
      expect((await client.status()).handles).to.equal(before);
      await h.signal('add', { n: 1 });
      expect((await client.status()).handles).to.equal(before + 1);
      await h.signalWithOptions('add', ['two']);
      const state = await h.query<{ values: unknown[]; runId: string }>('state');
      expect(state.values).to.deep.equal([{ n: 1 }, 'two']);
      expect(state.runId).to.equal(started.resultRunId);
      expect(await h.query('greet', 'Hello', 'World')).to.equal('Hello, World!');
      await h.signal('finish');
      expect(await h.result()).to.deep.equal([{ n: 1 }, 'two']);
      // Pinned to a run.
      const pinned = client.getWorkflowHandle(id, { runId: started.resultRunId, firstExecutionRunId: started.resultRunId });
      expect(pinned.resultRunId).to.equal(started.resultRunId);
      expect((await pinned.describe()).runId).to.equal(started.resultRunId);
      await h.release();
      await pinned.release();
      await started.release();
    });

    it('describes a workflow', async () => {
      const id = uniqueId();
      const h = await client.startWorkflow({ workflowType: 'signals', taskQueue: tq, workflowId: id, memo: { owner: 'ts', n: 3 } });
      const d = await h.describe();
      expect(d.workflowId).to.equal(id);
      expect(d.runId).to.equal(h.resultRunId);
      expect(d.workflowType).to.equal('signals');
      expect(d.taskQueue).to.equal(tq);
      expect(d.status).to.equal('RUNNING');
      expect(d.memo).to.deep.equal({ owner: 'ts', n: 3 });
      expect(d.startTime).to.match(/^\d{4}-\d\d-\d\dT/);
      expect(d.closeTime).to.equal(null);
      await h.signal('finish');
      await h.result();
      expect((await h.describe()).status).to.equal('COMPLETED');
    });

    it('cancel: the result is a WorkflowFailureError caused by CancelledError', async () => {
      const h = await client.startWorkflow({ workflowType: 'cancellable', taskQueue: tq, workflowId: uniqueId() });
      await eventually(
        () => h.describe(),
        (d) => d.historyLength >= 3,
      );
      await h.cancel({ reason: 'no longer needed' });
      const err = await rejection(h.result());
      expect(err).to.be.instanceOf(WorkflowFailureError);
      const wfe = err as WorkflowFailureError;
      expect(wfe.cause).to.be.instanceOf(CancelledError);
      expect(wfe.runId).to.equal(h.resultRunId);
      expect(await h.query('cancelled')).to.equal(true);
    });

    it('terminate: the result is a WorkflowFailureError caused by TerminatedError', async () => {
      const h = await client.startWorkflow({ workflowType: 'forever', taskQueue: tq, workflowId: uniqueId() });
      await h.terminate({ reason: 'enough', details: ['d1', 2] });
      const err = (await rejection(h.result())) as WorkflowFailureError;
      expect(err).to.be.instanceOf(WorkflowFailureError);
      expect(err.cause).to.be.instanceOf(TerminatedError);
      expect(err.cause.message).to.equal('enough');
      expect((await h.describe()).status).to.equal('TERMINATED');
    });

    it('a failed workflow: ApplicationError with its type, details, flag and cause chain', async () => {
      const h = await client.startWorkflow({ workflowType: 'fail', taskQueue: tq, workflowId: uniqueId(), args: ['Oops', true, { why: 'test' }] });
      const err = (await rejection(h.result())) as WorkflowFailureError;
      expect(err).to.be.instanceOf(WorkflowFailureError).and.instanceOf(DaemonError);
      expect(err.type).to.equal('WorkflowFailureError');
      expect(err.code).to.equal(1003);
      const cause = err.cause as ApplicationError;
      expect(cause).to.be.instanceOf(ApplicationError);
      expect(cause.message).to.equal('failed with Oops');
      expect(cause.applicationType).to.equal('Oops');
      expect(cause.nonRetryable).to.equal(true);
      expect(cause.details).to.deep.equal([{ why: 'test' }]);
      expect(cause.cause).to.be.instanceOf(ApplicationError);
      expect((cause.cause as ApplicationError).applicationType).to.equal('RootCause');
      expect(err.failure.type).to.equal('ApplicationError');
    });

    it('a timed-out workflow: TimeoutError', async () => {
      const h = await client.startWorkflow({ workflowType: 'sleepy', taskQueue: tq, workflowId: uniqueId(), executionTimeout: '1s' });
      const err = (await rejection(h.result())) as WorkflowFailureError;
      expect(err.cause).to.be.instanceOf(TimeoutError);
    });

    it('reports progress along a continue-as-new chain, and stops there with followRuns false', async () => {
      const h = await client.startWorkflow({ workflowType: 'chain', taskQueue: tq, workflowId: uniqueId(), args: [2] });
      const seen: ResultProgress[] = [];
      const r = await h.resultWithRunId<{ runs: number }>({ onProgress: (p) => seen.push(p) });
      expect(r.value).to.deep.equal({ runs: 3, n: 2 });
      expect(seen.map((p) => p.kind)).to.deep.equal(['begin', 'report', 'report', 'end']);
      const reports = seen.filter((p) => p.kind === 'report') as Extract<ResultProgress, { kind: 'report' }>[];
      expect(reports.map((p) => p.reason)).to.deep.equal(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
      expect(reports[0]!.previousRunId).to.equal(h.resultRunId);
      expect(reports[1]!.runId).to.equal(r.runId);
      expect(seen[3]).to.include({ status: 'COMPLETED', runId: r.runId });

      const err = (await rejection(h.result({ followRuns: false }))) as WorkflowContinuedAsNewError;
      expect(err).to.be.instanceOf(WorkflowContinuedAsNewError);
      expect(err.newExecutionRunId).to.equal(reports[0]!.runId);
    });

    it('follows retries (followRuns) to the successful attempt', async () => {
      const h = await client.startWorkflow({ workflowType: 'flaky', taskQueue: tq, workflowId: uniqueId(), retryPolicy: { initialInterval: '100ms', backoffCoefficient: 1 } });
      const seen: ResultProgress[] = [];
      expect(await h.result({ onProgress: (p) => seen.push(p) })).to.deep.equal({ attempt: 3 });
      expect(seen.filter((p) => p.kind === 'report').map((p) => (p as { reason: string }).reason)).to.deep.equal(['RETRY', 'RETRY']);
    });

    it('typed errors: WorkflowAlreadyStartedError, RPCError, query failed and rejected', async () => {
      const id = uniqueId();
      const h = await client.startWorkflow({ workflowType: 'signals', taskQueue: tq, workflowId: id });
      const dup = (await rejection(client.startWorkflow({ workflowType: 'signals', taskQueue: tq, workflowId: id }))) as WorkflowAlreadyStartedError;
      expect(dup).to.be.instanceOf(WorkflowAlreadyStartedError);
      expect(dup.workflowId).to.equal(id);
      expect(dup.workflowType).to.equal('signals');

      const failed = await rejection(h.query('fail'));
      expect(failed).to.be.instanceOf(WorkflowQueryFailedError);
      expect(failed.message).to.contain('query handler failed on purpose');

      await h.signal('finish');
      await h.result();
      const rejected = (await rejection(h.queryWithOptions('state', [], { rejectCondition: 'NOT_OPEN' }))) as WorkflowQueryRejectedError;
      expect(rejected).to.be.instanceOf(WorkflowQueryRejectedError);
      expect(rejected.status).to.equal('COMPLETED');
      expect((await h.queryWithOptions<{ finished: boolean }>('state', [], { rejectCondition: 'NONE' })).finished).to.equal(true);

      const missing = (await rejection(client.getWorkflowHandle(uniqueId('missing')).describe())) as RPCError;
      expect(missing).to.be.instanceOf(RPCError);
      expect(missing.status).to.equal('NOT_FOUND');
      expect(missing.grpcStatus).to.equal(5);
    });

    it('protocol errors are DaemonErrors with the code and data.type', async () => {
      const bad = (await rejection(client.request('handle/describe', {}))) as DaemonError;
      expect(bad.constructor).to.equal(DaemonError);
      expect(bad.code).to.equal(-32602);
      expect(bad.type).to.equal('InvalidParams');
      expect(bad.message).to.contain('handle');
      const unknown = (await rejection(client.request('no/such'))) as DaemonError;
      expect(unknown.type).to.equal('MethodNotFound');
      const badStart = (await rejection(client.startWorkflow({ workflowType: 'echo', taskQueue: tq, workflowId: uniqueId(), executionTimeout: 'soon' }))) as DaemonError;
      expect(badStart.type).to.equal('InvalidParams');
      expect(badStart.message).to.contain('executionTimeout');
    });

    it('release: the handle is forgotten and later calls fail with InvalidHandleError', async () => {
      const h = await client.startWorkflow({ workflowType: 'echo', taskQueue: tq, workflowId: uniqueId(), args: [1] });
      const token = await h.handleToken();
      const before = (await client.status()).handles;
      await h.release();
      expect((await client.status()).handles).to.equal(before - 1);
      const err = (await rejection(h.describe())) as InvalidHandleError;
      expect(err).to.be.instanceOf(InvalidHandleError);
      expect(err.reason).to.equal('released');
      expect(err.handle).to.equal(token);
      // A handle never used has nothing to release; it then refuses calls too.
      const lazy = client.getWorkflowHandle(uniqueId());
      await lazy.release();
      expect(await rejection(lazy.describe())).to.be.instanceOf(InvalidHandleError);
    });

    it('abort: the call rejects at once, and the daemon cancels it ($/cancelRequest)', async () => {
      const h = await client.startWorkflow({ workflowType: 'forever', taskQueue: tq, workflowId: uniqueId() });
      const ac = new AbortController();
      const pending = h.result({ signal: ac.signal });
      await eventually(
        () => client.status(),
        (s) => s.inFlight === 1,
      );
      const t0 = Date.now();
      ac.abort();
      const err = await rejection(pending);
      expect(err.name).to.equal('AbortError');
      expect(Date.now() - t0).to.be.below(500);
      expect(
        (
          await eventually(
            () => client.status(),
            (s) => s.inFlight === 0,
          )
        ).inFlight,
      ).to.equal(0);

      // A custom reason, and an already-aborted signal (nothing is sent).
      const reason = new Error('changed my mind');
      const err2 = await rejection(h.describe({ signal: AbortSignal.abort(reason) }));
      expect(err2).to.equal(reason);
      await h.terminate();
    });

    it('close: shutdown and exit end the spawned daemon; later calls fail with DaemonConnectionError', async () => {
      const c = await TemporalHandledClient.spawn({ address });
      const pid = (await c.status()).pid;
      await c.close();
      expect(() => process.kill(pid, 0)).to.throw();
      expect(await rejection(c.status())).to.be.instanceOf(DaemonConnectionError);
      await c.close(); // idempotent
    });

    it('a daemon that dies mid-call: DaemonConnectionError with its exit status', async () => {
      const c = await TemporalHandledClient.spawn({ address });
      const h = await c.startWorkflow({ workflowType: 'forever', taskQueue: tq, workflowId: uniqueId() });
      const pending = h.result();
      process.kill((await c.status()).pid, 'SIGKILL');
      const err = await rejection(pending);
      expect(err).to.be.instanceOf(DaemonConnectionError);
      expect(err.message).to.contain('SIGKILL');
      await c.close();
      await client.getWorkflowHandle(h.workflowId).terminate();
    });

    it('spawn failures: a missing command, bad daemon arguments', async () => {
      const e1 = await rejection(TemporalHandledClient.spawn({ command: '/nonexistent/temporal-handled' }));
      expect(e1).to.be.instanceOf(DaemonConnectionError);
      expect(e1.message).to.contain('ENOENT');
      const e2 = await rejection(TemporalHandledClient.spawn({ address, args: ['--no-such-flag'] }));
      expect(e2).to.be.instanceOf(DaemonConnectionError);
      expect(e2.message).to.contain('exited with code 2').and.contain('no-such-flag');
    });

    it('an idle client does not keep Node running: a script without close() exits', async () => {
      const { spawn } = await import('node:child_process');
      const lib = require.resolve('temporal-handled-client');
      const script = `const { TemporalHandledClient } = require(${JSON.stringify(lib)});
        TemporalHandledClient.spawn({ address: ${JSON.stringify(address)} }).then((c) => c.status()).then((s) => console.log(s.pid));`;
      const t0 = Date.now();
      const child = spawn(process.execPath, ['-e', script]);
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      const code = await new Promise((r) => child.on('close', r));
      expect(code).to.equal(0);
      expect(Date.now() - t0).to.be.below(10_000);
      const pid = Number(out.trim());
      expect(pid).to.be.above(0);
      // The daemon saw its stdin end and stopped.
      await eventually(
        async () => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        },
        (gone) => gone,
      );
      expect(() => process.kill(pid, 0)).to.throw();
    });
  });

  describe('with a JSON codec of its own', () => {
    it('a lossless codec (bigint integers): the envelope still works, values keep int64 exactly, errors keep their codes', async () => {
      // lossless-json is a dependency of the daemon; here it stands for any codec a program might bring.
      const LJ = require('lossless-json') as typeof import('lossless-json');
      const json = { parse: (t: string) => LJ.parse(t, null, LJ.parseNumberAndBigInt), stringify: (v: unknown) => LJ.stringify(v) ?? 'null' };
      const exact = await TemporalHandledClient.spawn({ address, clientName: 'ts-client-codec', json });
      try {
        expect((await exact.status()).pid).to.be.a('bigint');
        const big = 12345678901234567891n;
        const h = await exact.startWorkflow({ workflowType: 'forever', taskQueue: tq, workflowId: uniqueId('codec'), memo: { id: big, list: [big, -big] } });
        const d = await h.describe();
        expect(d.memo).to.deep.equal({ id: big, list: [big, -big] });
        const err = await rejection(exact.getWorkflowHandle(uniqueId('missing')).describe());
        expect(err).to.be.instanceOf(RPCError);
        expect((err as RPCError).grpcStatus).to.equal(5);
        await h.terminate();
      } finally {
        await exact.close();
      }
    });
  });

  describe('attached to a running daemon', () => {
    let daemon: DaemonProcess;
    let socketPath: string;
    let port: number;
    let tokenFile: string;

    before(async function () {
      this.timeout(60_000);
      socketPath = tmpPath('th.sock');
      tokenFile = tmpPath('token');
      port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      daemon = await spawnDaemon(['--socket', socketPath, '--port', String(port), '--token-file', tokenFile, '--max-handles', '2']);
      await waitReady(daemon);
    });
    after(async () => {
      await daemon?.kill();
    });

    it('over a Unix socket: every connection shares the handles', async () => {
      const a = await TemporalHandledClient.attach(socketPath);
      const b = await TemporalHandledClient.attach(socketPath, { namespace: 'default' });
      try {
        const h = await a.startWorkflow({ workflowType: 'signals', taskQueue: tq, workflowId: uniqueId() });
        const token = await h.handleToken();
        await b.request('handle/signal', { handle: token, signal: 'add', args: ['from b'] });
        expect((await a.status()).clients).to.equal(2);
        await h.signal('finish');
        expect(await h.result()).to.deep.equal(['from b']);
        await h.release();
      } finally {
        await a.close();
        await b.close();
      }
      expect(daemon.child.exitCode).to.equal(null); // exit on a socket closes only that connection
    });

    it('over loopback TCP with the shared secret; a wrong secret is refused', async () => {
      const secret = fs.readFileSync(tokenFile, 'utf8').trim();
      const c = await TemporalHandledClient.attach(port, { authToken: secret });
      try {
        const h = await c.startWorkflow({ workflowType: 'echo', taskQueue: tq, workflowId: uniqueId(), args: ['tcp'] });
        expect(await h.result()).to.equal('tcp');
        await h.release();
      } finally {
        await c.close();
      }
      const err = (await rejection(TemporalHandledClient.attach(port, { authToken: 'wrong-wrong-wrong' }))) as DaemonError;
      expect(err).to.be.instanceOf(DaemonError);
      expect(err.type).to.equal('UnauthorizedError');
    });

    it('a handle the daemon evicted is made again (getWorkflowHandle); a started one reports InvalidHandleError', async () => {
      const c = await TemporalHandledClient.attach(socketPath);
      try {
        const started = await c.startWorkflow({ workflowType: 'signals', taskQueue: tq, workflowId: uniqueId() });
        const lazy = c.getWorkflowHandle(started.workflowId);
        const firstToken = await lazy.handleToken();
        // --max-handles 2: two more handles evict both.
        const others = [c.getWorkflowHandle(uniqueId()), c.getWorkflowHandle(uniqueId())];
        for (const o of others) await o.handleToken();
        expect((await lazy.describe()).status).to.equal('RUNNING');
        expect(await lazy.handleToken()).to.not.equal(firstToken);
        const err = (await rejection(started.describe())) as InvalidHandleError;
        expect(err).to.be.instanceOf(InvalidHandleError);
        expect(err.reason).to.equal('evicted');
        await lazy.signal('finish');
        expect(await lazy.result()).to.deep.equal([]);
      } finally {
        await c.close();
      }
    });

    it('attaching where no daemon listens: DaemonConnectionError', async () => {
      const err = await rejection(TemporalHandledClient.attach(tmpPath('none.sock')));
      expect(err).to.be.instanceOf(DaemonConnectionError);
      expect(err.message).to.contain('ENOENT');
    });
  });
});
