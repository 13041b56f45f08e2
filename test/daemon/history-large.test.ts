/**
 * Large histories through the daemon (real daemon processes and dev servers), with the daemon's
 * peak RSS (VmHWM of /proc/PID/status) measured:
 * - about 50 MB (34 signals of 1.5 MB: just below the server's limit.historySize.error of 50 MiB,
 *   each payload below limit.blobSize.error of 2 MiB), through `handle/fetchHistory` streamed
 *   (partialResultToken) and whole: the same events; holding it whole costs several times what
 *   streaming it does;
 * - about 256 MB on a dev server of its own whose history size limit is raised
 *   (--dynamic-config-value limit.historySize.error): streamed, the daemon's peak RSS grows by
 *   about half the history's size or less (measured +105 to +142 MB over runs; +94 to +107 MB for the 50 MB one: a few pages held,
 *   plus garbage V8 has not yet collected, which grows far slower than the history);
 * - 10,000 events, streamed and whole;
 * - a client that reads a big stream slowly: the daemon waits for it (the next page is not
 *   fetched while its output is backed up) instead of dropping it or holding the history.
 */
import * as fs from 'node:fs';
import { expect } from 'chai';
import { Client, Connection } from '@temporalio/client';
import { startDaemon, connectClient, initialized, until, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../harness/env';
import { DevServer } from '../../src/devserver/dev-server';

type Msg = Record<string, any>;

const SIGNALS = 34;
const PAYLOAD = 1_500_000;

/** The process's peak resident set (VmHWM) and current one (VmRSS), in bytes (Linux). */
function memOf(pid: number): { hwm: number; rss: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)![1]) * 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

describe('large histories through the daemon', function () {
  this.timeout(180_000);
  let big: { workflowId: string; runId: string; sizeBytes: number };
  let temporal: Client;

  before(async function () {
    this.timeout(180_000);
    const { server } = await testEnv();
    const connection = await Connection.connect({ address: server.address });
    temporal = new Client({ connection });
    // No worker on this task queue: the signals are written to the history as they come.
    const h = await temporal.workflow.start('signals', { taskQueue: uniqueId('noworker'), workflowId: uniqueId('big') });
    const chunk = 'x'.repeat(PAYLOAD);
    for (let i = 0; i < SIGNALS; i++) await h.signal('add', `${i}:${chunk}`);
    const d = await h.describe();
    big = { workflowId: h.workflowId, runId: h.firstExecutionRunId, sizeBytes: Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0) };
    expect(d.status.name).to.equal('RUNNING');
  });
  after(async () => {
    await temporal?.workflow
      .getHandle(big.workflowId)
      .terminate()
      .catch(() => undefined);
    await temporal?.connection.close();
  });

  /** A fresh daemon (its VmHWM then says what this one call cost) with one initialized client. */
  async function freshDaemon(args: string[] = []): Promise<{ s: StartedDaemon; c: RawRpcClient; pid: number }> {
    const s = await startDaemon({ socket: true, args });
    const c = await connectClient(s.socketPath!);
    await initialized(c);
    // Warm up: the gRPC stack loaded and one small history read.
    const g = await c.request<Msg>('workflow/getHandle', { workflowId: big.workflowId, runId: big.runId });
    await c.request('handle/fetchHistoryEvents', { handle: g.handle, pageSize: 1 });
    return { s, c, pid: s.d.child.pid! };
  }

  it("a 50 MB history: streamed and whole, the same events; streamed, the daemon's peak RSS grows by less than half of what holding it whole costs", async () => {
    expect(big.sizeBytes, 'history size')
      .to.be.above(50e6)
      .and.below(50 * 1024 * 1024);

    // Streamed.
    const a = await freshDaemon();
    let streamedEvents: Msg[];
    let streamedGrowth: number;
    try {
      const before = memOf(a.pid);
      const g = await a.c.request<Msg>('workflow/getHandle', { workflowId: big.workflowId, runId: big.runId });
      const n = a.c.progress.length;
      const answer = await a.c.request<Msg>('handle/fetchHistory', { handle: g.handle, partialResultToken: 'big' });
      expect(answer).to.deep.equal({ workflowId: big.workflowId, runId: big.runId, events: [] });
      const batches = a.c.progress.slice(n).filter((p) => p.token === 'big');
      streamedEvents = batches.flatMap((b) => b.value.events as Msg[]);
      const after = memOf(a.pid);
      streamedGrowth = after.hwm - before.hwm;
      console.log(
        `      streamed: ${batches.length} batches, ${streamedEvents.length} events; daemon VmHWM ${mb(before.hwm)} -> ${mb(after.hwm)} (+${mb(streamedGrowth)}), history ${mb(big.sizeBytes)}`,
      );
      expect(batches.length, 'pages of a few MB each').to.be.at.least(8);
      const st = await a.c.request<Msg>('daemon/status');
      expect(st).to.deep.include({ inFlight: 0, grpcInFlight: 0 });
    } finally {
      a.c.destroy();
      await a.s.stop();
    }

    // Whole: one answer of about 70 MB of JSON (payloads in base64); the daemon must hold it all.
    const b = await freshDaemon();
    try {
      const before = memOf(b.pid);
      const g = await b.c.request<Msg>('workflow/getHandle', { workflowId: big.workflowId, runId: big.runId });
      const { id, promise } = b.c.requestWithId<Msg>('handle/fetchHistory', { handle: g.handle });
      const whole = await promise;
      const after = memOf(b.pid);
      // One answer larger than the output limit (64 MiB by default): let through, not taken for
      // a client that stopped reading.
      expect(b.c.answerText.get(id)!.length, 'the answer in bytes').to.be.above(64 * 1024 * 1024);
      console.log(`      whole: ${whole.events.length} events; daemon VmHWM ${mb(before.hwm)} -> ${mb(after.hwm)} (+${mb(after.hwm - before.hwm)})`);
      expect(whole.events).to.have.length(SIGNALS + 2);
      expect(whole.events.map((e: Msg) => e.eventId)).to.deep.equal(streamedEvents.map((e) => e.eventId));
      expect(JSON.stringify(whole.events)).to.equal(JSON.stringify(streamedEvents));
      const last = whole.events.at(-1).workflowExecutionSignaledEventAttributes.input.payloads[0];
      expect(Buffer.from(last.data, 'base64').toString()).to.equal(JSON.stringify(`${SIGNALS - 1}:${'x'.repeat(PAYLOAD)}`));
      // Holding the history whole (events, their JSON, the answer's text) costs several times
      // what streaming it does (a bound with a wide margin: measured about 4 times).
      expect(streamedGrowth, `streamed +${mb(streamedGrowth)}, whole +${mb(after.hwm - before.hwm)}`).to.be.below((after.hwm - before.hwm) / 2);
    } finally {
      b.c.destroy();
      await b.s.stop();
    }
  });

  for (const method of ['handle/fetchHistory', 'handle/watch'] as const) {
    it(`${method}: a client that reads a big stream slowly is waited for (the next page is not fetched), not dropped and not buffered for; the stream goes on as it reads`, async () => {
      // An output limit of 4 MiB (high-water mark 512 KiB): without flow control for streams a
      // 50 MB stream would overflow it and the client would be dropped.
      const { s, c, pid } = await freshDaemon(['--max-output-buffer', String(4 * 1024 * 1024)]);
      try {
        const observer = await connectClient(s.socketPath!);
        await initialized(observer);
        const g = await c.request<Msg>('workflow/getHandle', { workflowId: big.workflowId, runId: big.runId });
        const before = memOf(pid);
        const token = `slow-${method}`;
        c.pauseReading();
        const { id, promise } = c.requestWithId<Msg>(method, { handle: g.handle, partialResultToken: token });
        // The daemon goes as far as the client lets it, then waits: one request in flight, no
        // gRPC call (the next page is not fetched), the client still connected.
        await until(async () => {
          const st = await observer.request<Msg>('daemon/status');
          return st.inFlight === 1 && st.grpcInFlight === 0;
        }, 30_000);
        await new Promise((r) => setTimeout(r, 2000));
        const st = await observer.request<Msg>('daemon/status');
        expect(st, 'parked while the client does not read').to.deep.include({ clients: 2, inFlight: 1, grpcInFlight: 0 });
        const mid = memOf(pid);
        console.log(`      ${method}, parked: daemon VmHWM +${mb(mid.hwm - before.hwm)}`);
        // Far from the whole history (holding it costs about 400 MB, see above).
        expect(mid.hwm - before.hwm, `peak RSS growth while parked (${mb(mid.hwm - before.hwm)})`).to.be.below(big.sizeBytes);
        expect(c.closed).to.equal(false);
        // It reads again: the stream goes on to its end.
        c.resumeReading();
        if (method === 'handle/watch') {
          // The run is open: the watch reaches its end and waits there for new events.
          await until(() => c.progress.filter((p) => p.token === token).flatMap((p) => p.value.events as Msg[]).length >= SIGNALS + 2, 60_000, 'every event watched');
          c.cancel(id);
          expect((await rpcError(promise)).code).to.equal(-32800);
        } else {
          expect((await promise).events).to.deep.equal([]);
        }
        const events = c.progress.filter((p) => p.token === token).flatMap((p) => p.value.events as Msg[]);
        expect(events.map((e) => Number(e.eventId))).to.deep.equal(Array.from({ length: SIGNALS + 2 }, (_, i) => i + 1));
        console.log(`      ${method}, read slowly: daemon VmHWM +${mb(memOf(pid).hwm - before.hwm)} over the call`);
        expect(s.d.stderr.some((l) => /dropping client/.test(l))).to.equal(false);
        expect(await observer.request<Msg>('daemon/status')).to.deep.include({ clients: 2, inFlight: 0, grpcInFlight: 0 });
        observer.destroy();
      } finally {
        c.destroy();
        await s.stop();
      }
    });
  }

  describe('a 256 MB history (a dev server of its own, its history size limit raised)', function () {
    let server: DevServer;
    before(async function () {
      this.timeout(300_000);
      server = await DevServer.start({
        extraArgs: ['--dynamic-config-value', `limit.historySize.error=${1024 * 1024 * 1024}`, '--dynamic-config-value', `limit.historySize.warn=${1024 * 1024 * 1024}`],
      });
    });
    after(async () => server?.stop());

    it("streamed, the daemon's peak RSS grows by less than three quarters of the history (measured about half)", async function () {
      this.timeout(300_000);
      const signals = 171;
      const connection = await Connection.connect({ address: server.address });
      const t = new Client({ connection });
      const h = await t.workflow.start('signals', { taskQueue: uniqueId('noworker'), workflowId: uniqueId('huge') });
      const chunk = 'x'.repeat(PAYLOAD);
      for (let i = 0; i < signals; i++) await h.signal('add', `${i}:${chunk}`);
      const size = Number((await h.describe()).raw.workflowExecutionInfo?.historySizeBytes ?? 0);
      expect(size).to.be.above(256e6);
      const s = await startDaemon({ socket: true, args: ['--address', server.address] });
      const c = await connectClient(s.socketPath!);
      try {
        await initialized(c);
        const g = await c.request<Msg>('workflow/getHandle', { workflowId: h.workflowId, runId: h.firstExecutionRunId });
        await c.request('handle/fetchHistoryEvents', { handle: g.handle, pageSize: 1 });
        const before = memOf(s.d.child.pid!);
        let events = 0;
        let lastId = 0;
        const n = c.progress.length;
        const answer = await c.request<Msg>('handle/fetchHistory', { handle: g.handle, partialResultToken: 'huge' });
        const after = memOf(s.d.child.pid!);
        expect(answer.events).to.deep.equal([]);
        for (const p of c.progress.slice(n)) {
          for (const e of p.value.events as Msg[]) {
            expect(Number(e.eventId)).to.equal(++lastId);
            events++;
          }
        }
        expect(events).to.equal(signals + 2);
        const growth = after.hwm - before.hwm;
        console.log(`      256 MB streamed: daemon VmHWM ${mb(before.hwm)} -> ${mb(after.hwm)} (+${mb(growth)}), history ${mb(size)}`);
        // Measured +105 to +142 MB (+94 to +107 MB for the 50 MB history: what grows is garbage V8
        // has not yet collected, not pages held), where holding it whole would cost some 2 GB.
        expect(growth, `peak RSS growth +${mb(growth)} against a history of ${mb(size)}`).to.be.below(size * 0.75);
      } finally {
        c.destroy();
        await s.stop();
        await h.terminate().catch(() => undefined);
        await connection.close();
      }
    });
  });

  describe('a 10,000-event history', function () {
    let worker: RunningWorker;
    before(async function () {
      this.timeout(120_000);
      worker = await startWorker();
    });
    after(async () => worker?.stop());

    it('comes through fetchHistory streamed and whole, the same events, every one once and in order', async () => {
      const { s, c } = await freshDaemon();
      try {
        const h = await c.request<Msg>('workflow/start', { workflowType: 'manyEvents', taskQueue: worker.taskQueue, workflowId: uniqueId('many'), args: [10_000, 2000] });
        expect((await c.request<Msg>('handle/result', { handle: h.handle })).value).to.equal(10_000);
        const whole = await c.request<Msg>('handle/fetchHistory', { handle: h.handle });
        expect(whole.events.length).to.be.above(10_000);
        expect(whole.events.map((e: Msg) => Number(e.eventId))).to.deep.equal(Array.from({ length: whole.events.length }, (_, i) => i + 1));
        const n = c.progress.length;
        const answer = await c.request<Msg>('handle/fetchHistory', { handle: h.handle, partialResultToken: 'many' });
        expect(answer.events).to.deep.equal([]);
        const batches = c.progress.slice(n).filter((p) => p.token === 'many');
        expect(batches.length).to.be.above(1);
        expect(batches.flatMap((b) => b.value.events as Msg[])).to.deep.equal(whole.events);
      } finally {
        c.destroy();
        await s.stop();
      }
    });
  });
});
