/**
 * The gRPC connection: addresses, deadlines, unreachable servers, abort signals,
 * and healing across a restart of the Temporal server.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startConnectProxy } from '../harness/connect-proxy';
import { testEnv, uniqueId } from '../harness/env';
import { DevServer, freePort } from '../../src/devserver/dev-server';
import { Connection, normalizeAddress } from '../../src/temporal/connection';
import { TemporalClient } from '../../src/temporal/client';
import { CallCancelledError, RPCError } from '../../src/temporal/errors';
import { enums } from '../../src/temporal/proto';
import { rejectsWith, sleep, useTemporal } from './helpers';

describe('connection', function () {
  this.timeout(30_000);

  describe('normalizeAddress', function () {
    it('adds the default port and keeps explicit ones', () => {
      expect(normalizeAddress('localhost')).to.equal('localhost:7233');
      expect(normalizeAddress('temporal.example.com:443')).to.equal('temporal.example.com:443');
      expect(normalizeAddress('127.0.0.1:7233')).to.equal('127.0.0.1:7233');
      expect(normalizeAddress('  10.0.0.1:1 ')).to.equal('10.0.0.1:1');
      expect(normalizeAddress('[::1]')).to.equal('[::1]:7233');
      expect(normalizeAddress('[::1]:7000')).to.equal('[::1]:7000');
      expect(normalizeAddress('host:65535')).to.equal('host:65535');
    });

    it('rejects what is not host[:port] with a TypeError', () => {
      for (const bad of ['', '   ', 'http://localhost:7233', 'dns:///x:1', 'a:b:c', '::1', 'host:', 'host:0', 'host:65536', 'host:abc', 'host:1.5', '[::1', '[::1]x', '[::1]:', '[::1]:99999']) {
        expect(() => normalizeAddress(bad), JSON.stringify(bad)).to.throw(TypeError);
      }
      expect(() => new Connection({ address: 'http://x' })).to.throw(TypeError, /without a scheme/);
    });

    it('rejects inconsistent credentials', () => {
      expect(() => new Connection({ address: 'x:1', tls: { clientCert: Buffer.from('c') } })).to.throw(TypeError, /client certificate and a client key/);
      expect(() => new Connection({ address: 'x:1', apiKey: 'k', metadata: { Authorization: 'Bearer y' } })).to.throw(TypeError, /apiKey/);
    });
  });

  describe('against the shared server', function () {
    const t = useTemporal();

    it('answers GetSystemInfo and reports its state', async () => {
      const info = await t.client.getSystemInfo();
      expect(info.serverVersion).to.match(/^\d+\.\d+/);
      expect(t.connection.state).to.equal('READY');
      expect(t.connection.inFlight).to.equal(0);
      expect(t.connection.address).to.equal((await testEnv()).server.address);
    });

    it('unknown workflow ID -> RPCError NOT_FOUND', async () => {
      const err = await rejectsWith(t.client.getWorkflowHandle(uniqueId()).describe(), RPCError);
      expect(err.status).to.equal('NOT_FOUND');
    });

    it('a per-call deadline ends a call the server cannot answer in time with DEADLINE_EXCEEDED, not retried', async () => {
      // no worker polls this task queue, so the query cannot be answered
      const h = await t.client.startWorkflow({ workflowType: 'forever', taskQueue: uniqueId('tq-nobody'), workflowId: uniqueId() });
      const t0 = Date.now();
      const err = await rejectsWith(h.query('state', [], undefined, { timeoutMs: 1000 }), RPCError);
      // The channel's timer fires first, or the server ends the call at the deadline (a reset that
      // reads as CANCELLED, told as the deadline passing): DEADLINE_EXCEEDED either way, one attempt.
      expect(err.status).to.equal('DEADLINE_EXCEEDED');
      expect(Date.now() - t0).to.be.within(900, 3000);
      await h.terminate();
    });

    it('long polls shorter than the server window: the server answers early with an empty page, and result keeps polling', async () => {
      // Server behaviour: with a caller deadline under its 20 s window, the server returns an
      // empty history page with a continuation token before the deadline, not DEADLINE_EXCEEDED.
      const c = new Connection({ address: (await testEnv()).server.address, longPollDeadlineMs: 1000 });
      try {
        const client = new TemporalClient(c);
        const h = await client.startWorkflow({ workflowType: 'forever', taskQueue: t.taskQueue, workflowId: uniqueId() });
        const res = await client.service.getWorkflowExecutionHistory(
          {
            namespace: 'default',
            execution: { workflowId: h.workflowId, runId: h.resultRunId! },
            waitNewEvent: true,
            historyEventFilterType: enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
          },
          { longPoll: true },
        );
        expect(res.history?.events ?? []).to.have.length(0);
        expect(res.nextPageToken?.length ?? 0).to.be.above(0);
        await h.terminate();
        const d = await client.startWorkflow({ workflowType: 'delayed', taskQueue: t.taskQueue, workflowId: uniqueId(), args: [2500, 'slow'] });
        expect((await d.result()).value).to.equal('slow');
      } finally {
        c.close();
      }
    });

    it('an AbortSignal cancels an in-flight result long poll promptly', async () => {
      const h = await t.client.startWorkflow({ workflowType: 'forever', taskQueue: t.taskQueue, workflowId: uniqueId() });
      const ac = new AbortController();
      const pending = h.result({ signal: ac.signal });
      await sleep(500);
      expect(t.connection.inFlight).to.equal(1);
      const t0 = Date.now();
      ac.abort();
      await rejectsWith(pending, CallCancelledError);
      expect(Date.now() - t0).to.be.below(500);
      expect(t.connection.inFlight).to.equal(0);
      // the connection is unharmed
      expect((await h.describe()).status).to.equal('RUNNING');
      await h.terminate();
    });

    it('an already-aborted signal fails at once without a call', async () => {
      const ac = new AbortController();
      ac.abort();
      await rejectsWith(t.client.getWorkflowHandle(uniqueId()).describe({ signal: ac.signal }), CallCancelledError);
      await rejectsWith(t.client.getWorkflowHandle(uniqueId()).result({ signal: ac.signal }), CallCancelledError);
    });

    it('a closed connection answers UNAVAILABLE and state SHUTDOWN', async () => {
      const c = new Connection({ address: (await testEnv()).server.address });
      const client = new TemporalClient(c);
      await client.getSystemInfo();
      c.close();
      expect(c.state).to.equal('SHUTDOWN');
      const err = await rejectsWith(client.getSystemInfo(), RPCError);
      expect(err.status).to.equal('UNAVAILABLE');
      expect(err.message).to.contain('connection closed');
    });
  });

  describe('through an HTTP CONNECT proxy named by grpc_proxy', function () {
    it('every call goes through the proxy, and no_grpc_proxy sends them directly', async () => {
      const proxy = await startConnectProxy(`Basic ${Buffer.from('user:pw').toString('base64')}`);
      const saved = { grpc_proxy: process.env.grpc_proxy, no_grpc_proxy: process.env.no_grpc_proxy };
      const address = (await testEnv()).server.address;
      try {
        process.env.grpc_proxy = `http://user:pw@127.0.0.1:${proxy.port}`;
        const c = new Connection({ address });
        const client = new TemporalClient(c);
        expect((await client.getSystemInfo()).serverVersion).to.match(/^\d+\.\d+/);
        const err = await rejectsWith(client.getWorkflowHandle(uniqueId()).describe(), RPCError);
        expect(err.status).to.equal('NOT_FOUND');
        expect(proxy.targets).to.deep.equal([address]);
        c.close();
        process.env.no_grpc_proxy = address.slice(0, address.lastIndexOf(':'));
        const direct = new Connection({ address });
        await new TemporalClient(direct).getSystemInfo();
        expect(proxy.targets).to.have.length(1);
        direct.close();
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        await proxy.close();
      }
    });
  });

  describe('an unreachable server', function () {
    it('gives a clear RPCError within the deadline, for ordinary calls and for result', async () => {
      const port = await freePort();
      const c = new Connection({ address: `127.0.0.1:${port}`, defaultDeadlineMs: 2000, longPollDeadlineMs: 2000, retry: { maxAttempts: 2 } });
      const client = new TemporalClient(c);
      try {
        const calls: [string, () => Promise<unknown>][] = [
          ['describe', () => client.getWorkflowHandle('x').describe()],
          ['start', () => client.startWorkflow({ workflowType: 'echo', taskQueue: 'q', workflowId: 'x' })],
          ['result', () => client.getWorkflowHandle('x', '0f0e0d0c-0b0a-4908-8706-050403020100').result()],
        ];
        for (const [name, call] of calls) {
          const t0 = Date.now();
          const err = await rejectsWith(call(), RPCError);
          expect(['UNAVAILABLE', 'DEADLINE_EXCEEDED'], name).to.include(err.status);
          expect(err.message, name).to.be.a('string').and.not.equal('');
          expect(Date.now() - t0, name).to.be.below(10_000);
        }
      } finally {
        c.close();
      }
    });

    it('an AbortSignal also ends the waits between retries', async () => {
      const port = await freePort();
      const c = new Connection({ address: `127.0.0.1:${port}`, retry: { maxAttempts: 100, initialIntervalMs: 1000, factor: 1 } });
      try {
        const ac = new AbortController();
        const t0 = Date.now();
        setTimeout(() => ac.abort(), 300);
        await rejectsWith(new TemporalClient(c).getWorkflowHandle('x').describe({ signal: ac.signal }), CallCancelledError);
        expect(Date.now() - t0).to.be.below(1500);
      } finally {
        c.close();
      }
    });
  });

  describe('a restart of the Temporal server', function () {
    let dir: string;
    let server: DevServer | undefined;
    let native: NativeConnection | undefined;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    let connection: Connection | undefined;

    before(async function () {
      this.timeout(120_000);
      await testEnv();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-handled-restart-'));
    });

    after(async function () {
      this.timeout(60_000);
      connection?.close();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      await native?.close().catch(() => undefined);
      await server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the same Connection works again after the restart, and a result wait spanning it returns the value', async function () {
      this.timeout(90_000);
      const { bundle } = await testEnv();
      const port = await freePort();
      const dbFilename = path.join(dir, 'temporal.sqlite');
      server = await DevServer.start({ port, dbFilename });
      connection = new Connection({ address: server.address });
      const client = new TemporalClient(connection);
      const before = await client.getSystemInfo();
      expect(before.serverVersion).to.be.a('string');

      native = await NativeConnection.connect({ address: server.address });
      const taskQueue = uniqueId('tq-restart');
      worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, shutdownGraceTime: '1s' });
      running = worker.run();

      const h = await client.startWorkflow({ workflowType: 'delayed', taskQueue, workflowId: uniqueId(), args: [3000, 'survived the restart'] });
      const pending = h.result();
      await sleep(300);
      expect(connection.inFlight).to.equal(1);

      await server.stop();
      expect(server.running).to.equal(false);
      server = await DevServer.start({ port, dbFilename });

      // the second call on the same Connection succeeds, and sees the state kept in the db file
      const d = await h.describe();
      expect(d.runId).to.equal(h.resultRunId);
      expect(['RUNNING', 'COMPLETED']).to.include(d.status);
      expect(await pending).to.deep.equal({ value: 'survived the restart', runId: h.resultRunId });
      expect(connection.state).to.equal('READY');
    });

    it("a result wait outlives an outage longer than the connection's retry budget", async function () {
      this.timeout(90_000);
      const { bundle } = await testEnv();
      await server?.stop();
      const port = await freePort();
      const dbFilename = path.join(dir, 'outage.sqlite');
      server = await DevServer.start({ port, dbFilename });
      // A retry budget of two quick attempts: only result()'s own outage handling can bridge the gap.
      const shortBudget = new Connection({ address: server.address, retry: { maxAttempts: 2, initialIntervalMs: 50 } });
      try {
        const client = new TemporalClient(shortBudget);
        const nc = await NativeConnection.connect({ address: server.address });
        const taskQueue = uniqueId('tq-outage');
        const w = await Worker.create({ connection: nc, taskQueue, workflowBundle: bundle, shutdownGraceTime: '1s' });
        const run = w.run();
        try {
          const h = await client.startWorkflow({ workflowType: 'delayed', taskQueue, workflowId: uniqueId(), args: [2000, 'still here'] });
          const pending = h.result();
          await sleep(300);
          await server.stop();
          // Calls fail fast while the server is down ...
          const e = await h.describe().then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(e).to.be.instanceOf(RPCError);
          expect((e as RPCError).status).to.equal('UNAVAILABLE');
          await sleep(2500);
          server = await DevServer.start({ port, dbFilename });
          // ... but the wait that had already reached the server keeps going and returns the value.
          expect(await pending).to.deep.equal({ value: 'still here', runId: h.resultRunId });
        } finally {
          w.shutdown();
          await run;
          await nc.close();
        }
      } finally {
        shortBudget.close();
      }
    });
  });
});
