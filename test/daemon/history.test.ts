/**
 * History through the daemon, end to end (real daemon process, dev server and TS worker):
 * handle/fetchHistory (whole and streamed), handle/fetchHistoryEvents (pages), handle/watch
 * across a continue-as-new chain, cancellation and disconnection mid-watch, and the errors Temporal gives.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, until, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { startWorker, uniqueId, type RunningWorker } from '../harness/env';

type Msg = Record<string, any>;

describe('history through the daemon', function () {
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

  const run = async (workflowType: string, args: unknown[]) => {
    const h = await c.request<Msg>('workflow/start', { workflowType, taskQueue: worker.taskQueue, workflowId: uniqueId(workflowType), args });
    await c.request('handle/result', { handle: h.handle });
    return h;
  };

  it('handle/fetchHistory: every event in proto3 JSON (enums by name, payloads untouched); streamed page by page with partialResultToken', async () => {
    const h = await run('echo', ['hi']);
    const whole = await c.request<Msg>('handle/fetchHistory', { handle: h.handle });
    expect(whole.workflowId).to.equal(h.workflowId);
    expect(whole.runId).to.equal(h.resultRunId);
    expect(whole.events[0].eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(whole.events[0].eventId).to.equal('1');
    expect(whole.events.at(-1).eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    const input = whole.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
    expect(Buffer.from(input.metadata.encoding, 'base64').toString()).to.equal('json/plain');
    const n = c.progress.length;
    const streamed = await c.request<Msg>('handle/fetchHistory', { handle: h.handle, partialResultToken: 'hist-1' });
    expect(streamed.events).to.deep.equal([]);
    const batches = c.progress.slice(n).filter((p) => p.token === 'hist-1');
    expect(batches.flatMap((b) => b.value.events as unknown[])).to.deep.equal(whole.events);
    const decoded = await c.request<Msg>('handle/fetchHistory', { handle: h.handle, decode: true, eventFilterType: 'CLOSE_EVENT' });
    expect(decoded.events).to.have.length(1);
    expect(decoded.events[0].workflowExecutionCompletedEventAttributes.result).to.deep.equal(['hi']);
  });

  it('handle/fetchHistoryEvents pages with nextPageToken until null', async () => {
    const h = await run('echo', ['paged']);
    const all: unknown[] = [];
    let token: string | null | undefined;
    let pages = 0;
    do {
      const page = await c.request<Msg>('handle/fetchHistoryEvents', { handle: h.handle, pageSize: 1, nextPageToken: token });
      all.push(...page.events);
      token = page.nextPageToken;
      pages++;
    } while (token && pages < 50);
    expect(pages).to.be.above(1);
    expect(all).to.deep.equal((await c.request<Msg>('handle/fetchHistory', { handle: h.handle })).events);
  });

  it('the options reach the Temporal layer: fetchHistoryEvents partialResultToken, waitNewEvent, eventFilterType, skipArchival, decode; fetchHistory skipArchival; watch fromEventId, followRuns false, decode', async () => {
    // fetchHistoryEvents on an open run.
    const open = await c.request<Msg>('workflow/start', { workflowType: 'signals', taskQueue: worker.taskQueue, workflowId: uniqueId('opts') });
    const first = await c.request<Msg>('handle/fetchHistoryEvents', { handle: open.handle, waitNewEvent: true });
    expect(first.events[0].eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(first.nextPageToken, 'an open run: a token to wait on').to.be.a('string');
    let token = first.nextPageToken;
    const seen = first.events.map((e: Msg) => e.eventType);
    // Long-polled from the token until the signal's event comes (decoded, in $/progress).
    const signalled = c.request('handle/signal', { handle: open.handle, signal: 'add', args: [{ n: 7 }] });
    let signalEvent: Msg | undefined;
    for (let i = 0; i < 20 && !signalEvent; i++) {
      const n = c.progress.length;
      const page = await c.request<Msg>('handle/fetchHistoryEvents', { handle: open.handle, nextPageToken: token, waitNewEvent: true, decode: true, skipArchival: true, partialResultToken: `p-${i}` });
      expect(page.events, 'streamed: the answer holds only the token').to.deep.equal([]);
      const events = c.progress
        .slice(n)
        .filter((p) => p.token === `p-${i}`)
        .flatMap((p) => p.value.events as Msg[]);
      seen.push(...events.map((e) => e.eventType));
      signalEvent = events.find((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
      token = page.nextPageToken;
    }
    await signalled;
    expect(signalEvent, `events seen: ${seen.join(', ')}`).to.not.equal(undefined);
    expect(signalEvent!.workflowExecutionSignaledEventAttributes.input).to.deep.equal([{ n: 7 }]);
    await c.request('handle/signal', { handle: open.handle, signal: 'finish' });
    await c.request('handle/result', { handle: open.handle });
    const close = await c.request<Msg>('handle/fetchHistoryEvents', { handle: open.handle, eventFilterType: 'CLOSE_EVENT' });
    expect(close.events.map((e: Msg) => e.eventType)).to.deep.equal(['EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED']);
    const all = (await c.request<Msg>('handle/fetchHistory', { handle: open.handle })).events;
    expect((await c.request<Msg>('handle/fetchHistory', { handle: open.handle, skipArchival: true })).events).to.deep.equal(all);

    // watch: fromEventId resumes a closed run from that event; decode.
    const n = c.progress.length;
    const end = await c.request<Msg>('handle/watch', { handle: open.handle, partialResultToken: 'from', fromEventId: 5, decode: true });
    expect(end.status).to.equal('COMPLETED');
    const watched = c.progress
      .slice(n)
      .filter((p) => p.token === 'from')
      .flatMap((p) => p.value.events as Msg[]);
    expect(watched.map((e) => e.eventId)).to.deep.equal(all.slice(4).map((e: Msg) => e.eventId));
    expect(watched.find((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED')!.workflowExecutionSignaledEventAttributes.input).to.deep.equal([{ n: 7 }]);

    // watch: followRuns false ends at the first run of a chain.
    const chain = await c.request<Msg>('workflow/start', { workflowType: 'chain', taskQueue: worker.taskQueue, workflowId: uniqueId('nofollow'), args: [2] });
    const firstRun = await c.request<Msg>('workflow/getHandle', { workflowId: chain.workflowId, runId: chain.resultRunId });
    const m = c.progress.length;
    const stop = await c.request<Msg>('handle/watch', { handle: firstRun.handle, partialResultToken: 'nf', followRuns: false });
    expect(stop).to.deep.equal({ runId: chain.resultRunId, status: 'CONTINUED_AS_NEW' });
    expect(
      new Set(
        c.progress
          .slice(m)
          .filter((p) => p.token === 'nf')
          .map((p) => p.value.runId),
      ),
    ).to.deep.equal(new Set([chain.resultRunId]));
  });

  it('handle/watch follows a chain of 3 runs, each batch as the run writes it, and answers the last run and its status', async () => {
    const h = await c.request<Msg>('workflow/start', { workflowType: 'chain', taskQueue: worker.taskQueue, workflowId: uniqueId('watch'), args: [2] });
    // From the first run: without a run ID a watch starts at the current run, which may
    // already be a later one of the chain.
    const first = await c.request<Msg>('workflow/getHandle', { workflowId: h.workflowId, runId: h.resultRunId });
    const n = c.progress.length;
    const end = await c.request<Msg>('handle/watch', { handle: first.handle, partialResultToken: 'w-1' });
    expect(end.status).to.equal('COMPLETED');
    const batches = c.progress
      .slice(n)
      .filter((p) => p.token === 'w-1')
      .map((p) => p.value);
    const runs = [...new Set(batches.map((b) => b.runId))];
    expect(runs).to.have.length(3);
    expect(runs[0]).to.equal(h.resultRunId);
    expect(end.runId).to.equal(runs[2]);
    expect(batches.filter((b) => b.reason === 'CONTINUED_AS_NEW')).to.have.length(2);
    for (const runId of runs) {
      const g = await c.request<Msg>('workflow/getHandle', { workflowId: h.workflowId, runId });
      const events = batches.filter((b) => b.runId === runId).flatMap((b) => b.events as Msg[]);
      expect(events.map((e) => e.eventId)).to.deep.equal((await c.request<Msg>('handle/fetchHistory', { handle: g.handle })).events.map((e: Msg) => e.eventId));
    }
  });

  it('a watch is cancelled by $/cancelRequest (-32800) with nothing left in flight', async () => {
    const h = await c.request<Msg>('workflow/start', { workflowType: 'forever', taskQueue: worker.taskQueue, workflowId: uniqueId('watchc') });
    const { id, promise } = c.requestWithId('handle/watch', { handle: h.handle, partialResultToken: 'w-2' });
    await c.waitFor((m) => m.method === '$/progress' && (m.params as Msg).token === 'w-2');
    c.cancel(id);
    expect((await rpcError(promise)).code).to.equal(-32800);
    const st = await c.request<Msg>('daemon/status');
    expect(st.inFlight).to.equal(0);
    expect(st.grpcInFlight).to.equal(0);
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('cancel and disconnect mid-watch, with its long poll held: daemon/status then shows no request in flight, no gRPC call (no long poll), nothing queued; a later watch of the run is served in full', async () => {
    const h = await c.request<Msg>('workflow/start', { workflowType: 'forever', taskQueue: worker.taskQueue, workflowId: uniqueId('watchend') });
    const status = () => c.request<Msg>('daemon/status');
    const idle = { inFlight: 0, grpcInFlight: 0, queued: 0 };
    // The run's first workflow task is done: its events are written, the watch will wait at the end.
    await until(async () => (await c.request<Msg>('handle/fetchHistory', { handle: h.handle })).events.length >= 4, 20_000, 'the first workflow task');
    expect(await status()).to.deep.include(idle);
    const held = async () => {
      const st = await status();
      return st.inFlight === 1 && st.grpcInFlight === 1;
    };

    // Cancelled by $/cancelRequest while its long poll is held.
    const a = c.requestWithId('handle/watch', { handle: h.handle, partialResultToken: 'end-1' });
    await c.waitFor((m) => m.method === '$/progress' && (m.params as Msg).token === 'end-1');
    await until(held, 20_000, 'the watch to hold its long poll');
    c.cancel(a.id);
    expect((await rpcError(a.promise)).code).to.equal(-32800);
    expect(await status()).to.deep.include(idle);

    // Its client goes away while its long poll is held.
    const other = await connectClient(s.socketPath!);
    await initialized(other);
    const before = (await status()).clients;
    void other.request('handle/watch', { handle: h.handle, partialResultToken: 'end-2' }).catch(() => undefined);
    await other.waitFor((m) => m.method === '$/progress' && (m.params as Msg).token === 'end-2');
    await until(held, 20_000, 'the watch to hold its long poll');
    other.destroy();
    await until(async () => (await status()).clients === before - 1, 10_000, 'the client to be gone');
    await until(
      async () => {
        const st = await status();
        return st.inFlight === 0 && st.grpcInFlight === 0 && st.queued === 0;
      },
      10_000,
      'the watch to be gone',
    );

    // Nothing left behind that could hold a later watch back: it gets every event, then the end.
    await c.request('handle/signal', { handle: h.handle, signal: 'finish' });
    const n = c.progress.length;
    const end = await c.request<Msg>('handle/watch', { handle: h.handle, partialResultToken: 'end-3' });
    expect(end).to.deep.include({ status: 'COMPLETED' });
    const watched = c.progress
      .slice(n)
      .filter((p) => p.token === 'end-3')
      .flatMap((p) => p.value.events as Msg[]);
    expect(watched.map((e) => e.eventId)).to.deep.equal((await c.request<Msg>('handle/fetchHistory', { handle: h.handle })).events.map((e: Msg) => e.eventId));
    expect(await status()).to.deep.include(idle);
  });

  it('errors: an unknown workflow is NOT_FOUND, a garbage page token INVALID_ARGUMENT, a bad fromEventId and a missing partialResultToken InvalidParams', async () => {
    const g = await c.request<Msg>('workflow/getHandle', { workflowId: uniqueId('none') });
    expect((await rpcError(c.request('handle/fetchHistory', { handle: g.handle }))).data).to.deep.include({ type: 'RPCError', status: 'NOT_FOUND' });
    const h = await run('echo', [1]);
    const bad = await rpcError(c.request('handle/fetchHistoryEvents', { handle: h.handle, nextPageToken: 'AAAA' }));
    expect(bad.data).to.deep.include({ type: 'RPCError', status: 'INVALID_ARGUMENT' });
    expect((await rpcError(c.request('handle/watch', { handle: h.handle, partialResultToken: 't', fromEventId: 0 }))).message).to.match(/fromEventId/);
    expect((await rpcError(c.request('handle/watch', { handle: h.handle }))).message).to.match(/"partialResultToken" is required/);
  });
});
