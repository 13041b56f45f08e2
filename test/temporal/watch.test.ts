/**
 * The history watch (src/temporal/history-watch.ts) against the real dev server: batches as
 * the run writes them, on along chains of continue-as-new, retry and cron runs, resuming from
 * an event ID, decode, the long-poll budget, cancellation, and a watch across the server's
 * 20-second long-poll window and a server restart with no event lost or repeated.
 */
import { InvalidArgumentError } from '../../src/temporal/invalid-argument';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { testEnv, uniqueId } from '../harness/env';
import { DevServer, freePort } from '../../src/devserver/dev-server';
import { Connection } from '../../src/temporal/connection';
import { TemporalClient } from '../../src/temporal/client';
import { fetchHistory, type HistoryEventJson } from '../../src/temporal/history';
import { watch, type WatchBatch } from '../../src/temporal/history-watch';
import { CallCancelledError, RPCError } from '../../src/temporal/errors';
import type { HandleIds } from '../../src/temporal/workflow-handle';
import { RUN_ID, eventually, rejectsWith, sleep, useTemporal } from './helpers';

const ids = (events: HistoryEventJson[]) => events.map((e) => Number(e.eventId));
const attrs = (e: HistoryEventJson) => Object.entries(e).find(([k]) => k.endsWith('EventAttributes'))![1] as Record<string, unknown>;

/** The runs a watch went through, in order, with each run's events joined. */
function byRun(batches: WatchBatch[]): { runId: string; reason?: string; previousRunId?: string; events: HistoryEventJson[] }[] {
  const runs: { runId: string; reason?: string; previousRunId?: string; events: HistoryEventJson[] }[] = [];
  for (const b of batches) {
    const cur = runs.at(-1);
    if (cur && cur.runId === b.runId) {
      expect(b.reason, 'only the first batch of a run carries a reason').to.equal(undefined);
      cur.events.push(...b.events);
    } else {
      runs.push({ runId: b.runId, ...(b.reason && { reason: b.reason, previousRunId: b.previousRunId }), events: [...b.events] });
    }
  }
  return runs;
}

/** Each run's events as a watch saw them equal a fetchHistory of that run after it: nothing lost, nothing repeated. */
async function expectComplete(client: TemporalClient, handle: HandleIds, batches: WatchBatch[]) {
  const runs = byRun(batches);
  for (const r of runs) {
    const full = await fetchHistory(client, { ...handle, runId: r.runId });
    expect(ids(r.events)).to.deep.equal(ids(full.events));
    expect(r.events).to.deep.equal(full.events);
  }
  return runs;
}

describe('history watch', function () {
  this.timeout(60_000);
  const t = useTemporal();
  const start = (workflowType: string, extra: Record<string, unknown> = {}) => t.client.startWorkflow({ workflowType, taskQueue: t.taskQueue, workflowId: uniqueId(), ...extra });

  it("sends a run's events in batches as the run writes them and answers {runId, status} when it closes", async () => {
    const h = await start('signals');
    const batches: WatchBatch[] = [];
    const arrivals: number[] = [];
    const watching = watch(t.client, h, { onBatch: (b) => void (batches.push(b), arrivals.push(Date.now())) });
    for (const v of ['a', 'b', 'c']) {
      await sleep(400);
      await h.signal('add', [v]);
    }
    await sleep(400);
    await h.signal('finish');
    const end = await watching;
    expect(end).to.deep.equal({ runId: h.resultRunId, status: 'COMPLETED' });
    expect(batches.length).to.be.at.least(5); // live: not one batch at the end
    expect(arrivals.at(-1)! - arrivals[0]!).to.be.at.least(1000);
    const runs = await expectComplete(t.client, h, batches);
    expect(runs).to.have.length(1);
    expect(runs[0]).to.not.have.property('reason');
    expect(batches.every((b) => b.runId === h.resultRunId)).to.equal(true);
  });

  it('follows a chain of 5 continue-as-new runs: the first batch of each new run says CONTINUED_AS_NEW and names the run before', async () => {
    const h = await start('slowChain', { args: [4, 300] });
    const batches: WatchBatch[] = [];
    // a handle with no runId starts at the current run
    const end = await watch(t.client, t.client.getWorkflowHandle(h.workflowId), { onBatch: (b) => void batches.push(b) });
    const runs = await expectComplete(t.client, h, batches);
    expect(runs).to.have.length(5);
    expect(runs[0]!.runId).to.equal(h.resultRunId);
    expect(runs[0]).to.not.have.property('reason');
    for (let i = 1; i < 5; i++) {
      expect(runs[i]).to.include({ reason: 'CONTINUED_AS_NEW', previousRunId: runs[i - 1]!.runId });
      expect(runs[i]!.runId).to.match(RUN_ID);
      expect(attrs(runs[i - 1]!.events.at(-1)!).newExecutionRunId).to.equal(runs[i]!.runId);
    }
    expect(end).to.deep.equal({ runId: runs[4]!.runId, status: 'COMPLETED' });
    expect((await h.result()).runId).to.equal(end.runId);
  });

  it('followRuns false ends at the first run with status CONTINUED_AS_NEW', async () => {
    const h = await start('chain', { args: [2] });
    const batches: WatchBatch[] = [];
    const end = await watch(t.client, h, { followRuns: false, onBatch: (b) => void batches.push(b) });
    expect(end).to.deep.equal({ runId: h.resultRunId, status: 'CONTINUED_AS_NEW' });
    expect(byRun(batches)).to.have.length(1);
    await expectComplete(t.client, h, batches);
  });

  it('follows retries (RETRY) to the attempt that succeeds; a last failing attempt ends it with FAILED', async () => {
    const retryPolicy = { initialInterval: '100ms', maximumAttempts: 5 };
    const [ok, failing] = await Promise.all([start('flaky', { retryPolicy }), start('flaky', { retryPolicy: { initialInterval: '100ms', maximumAttempts: 2 } })]);
    const a: WatchBatch[] = [];
    const b: WatchBatch[] = [];
    const [endA, endB] = await Promise.all([watch(t.client, ok, { onBatch: (x) => void a.push(x) }), watch(t.client, failing, { onBatch: (x) => void b.push(x) })]);
    const runsA = await expectComplete(t.client, ok, a);
    expect(runsA.map((r) => r.reason ?? null)).to.deep.equal([null, 'RETRY', 'RETRY']);
    expect(runsA[1]!.previousRunId).to.equal(ok.resultRunId);
    expect(endA).to.deep.equal({ runId: runsA[2]!.runId, status: 'COMPLETED' });
    const runsB = await expectComplete(t.client, failing, b);
    expect(runsB.map((r) => r.reason ?? null)).to.deep.equal([null, 'RETRY']);
    expect(endB).to.deep.equal({ runId: runsB[1]!.runId, status: 'FAILED' });
  });

  it('follows cron runs (CRON) until aborted; the abort rejects with CallCancelledError and leaves nothing behind', async () => {
    const h = await start('cronRun', { cronSchedule: '@every 1s' });
    try {
      const ac = new AbortController();
      const batches: WatchBatch[] = [];
      let abortedAt = 0;
      const err = await rejectsWith(
        watch(t.client, h, {
          signal: ac.signal,
          onBatch: (b) => {
            batches.push(b);
            if (byRun(batches).length === 3 && !abortedAt) {
              // abort while the third run is being watched (its poll is in flight next)
              setTimeout(() => ((abortedAt = Date.now()), ac.abort()), 200);
            }
          },
        }),
        CallCancelledError,
      );
      expect(err.name).to.equal('CallCancelledError');
      expect(Date.now() - abortedAt).to.be.below(1000);
      const runs = byRun(batches);
      expect(runs.map((r) => r.reason ?? null).slice(0, 3)).to.deep.equal([null, 'CRON', 'CRON']);
      expect(t.connection.inFlight).to.equal(0);
      const budget = t.client.longPolls.for(h.namespace);
      expect([budget.inFlight, budget.waiting]).to.deep.equal([0, 0]);
    } finally {
      await h.terminate('cron watch over');
    }
  });

  it('cancel mid-watch while a long poll is in flight: CallCancelledError at once, the in-flight gRPC count back to 0', async () => {
    const h = await start('signals');
    const ac = new AbortController();
    const watching = watch(t.client, h, { signal: ac.signal, onBatch: () => undefined });
    await sleep(1000);
    const budget = t.client.longPolls.for(h.namespace);
    expect([t.connection.inFlight, budget.inFlight, budget.waiting]).to.deep.equal([1, 1, 1]);
    const t0 = Date.now();
    ac.abort();
    await rejectsWith(watching, CallCancelledError);
    expect(Date.now() - t0).to.be.below(500);
    expect([t.connection.inFlight, budget.inFlight, budget.waiting]).to.deep.equal([0, 0, 0]);
    // an abort before the start: nothing is called
    await rejectsWith(watch(t.client, h, { signal: AbortSignal.abort(), onBatch: () => undefined }), CallCancelledError);
    expect(t.connection.inFlight).to.equal(0);
    await h.terminate();
  });

  describe('fromEventId', function () {
    it('resumes: the first run is passed on from that event; one past its close event goes straight on to the next run (or ends)', async () => {
      const h = await start('chain', { args: [1] });
      await h.result();
      const firstRun = await fetchHistory(t.client, { ...h.ids, runId: h.resultRunId });
      const closeId = firstRun.events.length;
      const b1: WatchBatch[] = [];
      const end = await watch(t.client, { ...h.ids, runId: h.resultRunId }, { fromEventId: 3, onBatch: (b) => void b1.push(b) });
      const runs = byRun(b1);
      expect(ids(runs[0]!.events)).to.deep.equal(ids(firstRun.events).slice(2));
      expect(runs[1]).to.include({ reason: 'CONTINUED_AS_NEW' });
      expect(ids(runs[1]!.events)[0]).to.equal(1); // the next run from its start
      expect(end.status).to.equal('COMPLETED');

      const b2: WatchBatch[] = [];
      const end2 = await watch(t.client, { ...h.ids, runId: h.resultRunId }, { fromEventId: String(closeId + 1), onBatch: (b) => void b2.push(b) });
      expect(byRun(b2).map((r) => [r.runId, r.reason ?? null])).to.deep.equal([[end.runId, 'CONTINUED_AS_NEW']]);
      expect(end2).to.deep.equal(end);

      const b3: WatchBatch[] = [];
      const lastRun = await fetchHistory(t.client, { ...h.ids, runId: end.runId });
      expect(await watch(t.client, { ...h.ids, runId: end.runId }, { fromEventId: lastRun.events.length + 1, onBatch: (b) => void b3.push(b) })).to.deep.equal(end);
      expect(b3).to.deep.equal([]);
    });

    it('past the end of a closed run (Temporal has no start position, so no server error exists): InvalidArgumentError naming fromEventId; past the end of an open run: waits for that event (and refuses once the run closes short of it)', async () => {
      const done = await start('echo', { args: [1] });
      await done.result();
      const n = (await fetchHistory(t.client, done)).events.length;
      const err = await rejectsWith(watch(t.client, done, { fromEventId: n + 2, onBatch: () => undefined }), InvalidArgumentError);
      expect(err.message).to.equal(`fromEventId ${n + 2} is past the end of run ${done.resultRunId}, which closed (COMPLETED) at event ${n}`);

      const settled = async (h: HandleIds) =>
        (
          await eventually(
            () => fetchHistory(t.client, h),
            (x) => x.events.at(-1)?.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
          )
        ).events.length;

      const open = await start('signals');
      const before = await settled(open);
      const batches: WatchBatch[] = [];
      const watching = watch(t.client, open, { fromEventId: before + 3, onBatch: (b) => void batches.push(b) });
      await sleep(300);
      await open.signal('add', [1]); // before+1, then its workflow task from before+2
      await open.signal('finish');
      expect((await watching).status).to.equal('COMPLETED');
      const all = (await fetchHistory(t.client, open)).events;
      expect(ids(batches.flatMap((b) => b.events))).to.deep.equal(ids(all).slice(before + 2));

      const far = await start('signals');
      const m = await settled(far);
      const seen: WatchBatch[] = [];
      const waiting = watch(t.client, far, { fromEventId: m + 50, onBatch: (b) => void seen.push(b) });
      await far.signal('add', [1]);
      await sleep(700);
      expect(seen).to.deep.equal([]);
      await far.signal('finish');
      const refused = await rejectsWith(waiting, InvalidArgumentError);
      expect(refused.message).to.match(new RegExp(`^fromEventId ${m + 50} is past the end of run ${far.resultRunId}, which closed \\(COMPLETED\\) at event \\d+$`));
    });

    it('not a positive integer: InvalidArgumentError naming fromEventId', async () => {
      const h = t.client.getWorkflowHandle('any', '00000000-0000-4000-8000-000000000000');
      for (const v of [0, -1, 1.5, 'abc', '1e3', Number.MAX_SAFE_INTEGER + 1]) {
        const e = await rejectsWith(watch(t.client, h, { fromEventId: v as number, onBatch: () => undefined }), InvalidArgumentError);
        expect(e.message).to.match(/^fromEventId must be a positive integer/);
      }
    });
  });

  it('decode: payloads in the batches as the protocol values', async () => {
    const h = await start('signals');
    const batches: WatchBatch[] = [];
    const watching = watch(t.client, h, { decode: true, onBatch: (b) => void batches.push(b) });
    await h.signal('add', [{ x: [1, 2] }]);
    await h.signal('finish');
    await watching;
    const events = batches.flatMap((b) => b.events);
    const signaled = events.filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => attrs(e).input);
    expect(signaled).to.deep.equal([[{ x: [1, 2] }], undefined]); // `finish` has no args: no input at all
    expect(attrs(events.at(-1)!).result).to.deep.equal([[{ x: [1, 2] }]]);
  });

  it('awaits each onBatch before polling on (a slow consumer slows the watch; batches never overlap)', async () => {
    const h = await start('signals');
    let active = 0;
    let most = 0;
    const batches: WatchBatch[] = [];
    const watching = watch(t.client, h, {
      onBatch: async (b) => {
        active++;
        most = Math.max(most, active);
        await sleep(300);
        batches.push(b);
        active--;
      },
    });
    for (let i = 0; i < 3; i++) await h.signal('add', [i]);
    await h.signal('finish');
    await watching;
    expect(most).to.equal(1);
    await expectComplete(t.client, h, batches);
  });

  it('unknown workflow or run: RPCError NOT_FOUND', async () => {
    const e1 = await rejectsWith(watch(t.client, t.client.getWorkflowHandle(uniqueId('missing')), { onBatch: () => undefined }), RPCError);
    expect(e1.status).to.equal('NOT_FOUND');
    const h = await start('echo', { args: [1] });
    const e2 = await rejectsWith(watch(t.client, t.client.getWorkflowHandle(h.workflowId, '00000000-0000-4000-8000-000000000000'), { onBatch: () => undefined }), RPCError);
    expect(e2.status).to.equal('NOT_FOUND');
  });

  it("over the namespace's long-poll budget it reads without waiting (and pauses), still passing every event on once", async () => {
    const budget = t.client.longPolls.for('default');
    // Hold one slot and have the server "refuse" a poll: the budget drops to 1, held already.
    budget.join();
    expect(budget.tryAcquire()).to.equal(true);
    budget.refused();
    const conn = t.client.connection;
    const waits: boolean[] = [];
    const original = conn.unary.bind(conn);
    conn.unary = ((method: string, reqType: unknown, resType: unknown, req: { waitNewEvent?: boolean }, ...rest: unknown[]) => {
      if (method === 'GetWorkflowExecutionHistory') waits.push(Boolean(req.waitNewEvent));
      return (original as (...a: unknown[]) => Promise<unknown>)(method, reqType, resType, req, ...rest);
    }) as typeof conn.unary;
    try {
      const h = await start('signals');
      const batches: WatchBatch[] = [];
      const watching = watch(t.client, h, { onBatch: (b) => void batches.push(b) });
      for (let i = 0; i < 3; i++) {
        await sleep(300);
        await h.signal('add', [i]);
      }
      await h.signal('finish');
      expect(await watching).to.deep.equal({ runId: h.resultRunId, status: 'COMPLETED' });
      expect(waits.length).to.be.at.least(2);
      expect(
        waits.every((w) => !w),
        'no waiting read over the budget',
      ).to.equal(true);
      await expectComplete(t.client, h, batches);
    } finally {
      conn.unary = original;
      budget.release();
      budget.leave();
    }
    expect([budget.cap, budget.inFlight, budget.waiting]).to.deep.equal([1000, 0, 0]);
  });

  describe('across the 20-second long-poll window and a server restart', function () {
    let dir: string;
    let server: DevServer | undefined;
    const cleanup: (() => Promise<unknown> | unknown)[] = [];
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-handled-watch-'))));
    after(async function () {
      this.timeout(60_000);
      for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
      await server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('passes on every event once (compared with fetchHistory after), through an outage longer than the retry budget and a 22 s quiet spell', async function () {
      this.timeout(120_000);
      const { bundle } = await testEnv();
      const port = await freePort();
      const dbFilename = path.join(dir, 'temporal.sqlite');
      server = await DevServer.start({ port, dbFilename });
      // Two quick attempts per call: only the watch's own handling can bridge the restart.
      const connection = new Connection({ address: server.address, retry: { maxAttempts: 2, initialIntervalMs: 50 } });
      cleanup.push(() => connection.close());
      const client = new TemporalClient(connection);
      const nc = await NativeConnection.connect({ address: server.address });
      cleanup.push(() => nc.close());
      const taskQueue = uniqueId('tq-watch-restart');
      const worker = await Worker.create({ connection: nc, taskQueue, workflowBundle: bundle, shutdownGraceTime: '1s' });
      const running = worker.run();
      cleanup.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      });

      const empties: number[] = [];
      const original = connection.unary.bind(connection);
      connection.unary = (async (method: string, ...rest: unknown[]) => {
        const res = (await (original as (...a: unknown[]) => Promise<unknown>)(method, ...rest)) as { history?: { events?: unknown[] }; nextPageToken?: Uint8Array };
        if (method === 'GetWorkflowExecutionHistory' && (res.history?.events?.length ?? 0) === 0 && (res.nextPageToken?.length ?? 0) > 0) empties.push(Date.now());
        return res;
      }) as typeof connection.unary;

      // Events early on (while the server restarts), then 22 s of quiet, then the close.
      const h = await client.startWorkflow({ workflowType: 'ticks', taskQueue, workflowId: uniqueId(), args: [[300, 300, 300, 2000, 2000, 22_000]] });
      const batches: WatchBatch[] = [];
      const watching = watch(client, h, { onBatch: (b) => void batches.push(b) });
      await sleep(500);
      await server.stop();
      await sleep(2500);
      server = await DevServer.start({ port, dbFilename });
      const t0 = Date.now();
      const end = await watching;
      expect(Date.now() - t0).to.be.at.least(20_000);
      expect(end).to.deep.equal({ runId: h.resultRunId, status: 'COMPLETED' });
      const runs = await expectComplete(client, h, batches);
      expect(runs).to.have.length(1);
      expect(empties.length, 'a long poll ran out empty (with a token) and was polled again').to.be.at.least(1);
      expect(connection.inFlight).to.equal(0);
      const budget = client.longPolls.for(h.namespace);
      expect([budget.inFlight, budget.waiting]).to.deep.equal([0, 0]);
    });
  });
});
