/**
 * Reading history (src/temporal/history.ts, history-json.ts) against the real dev server:
 * the JSON form (compared with the CLI's `workflow show -o json`), every option, the errors
 * Temporal gives, a 10,000-event history page by page, and replay of an exported history in
 * the Python SDK's Replayer and the TS SDK's Worker.runReplayHistory.
 */
import { InvalidArgumentError } from '../../src/temporal/invalid-argument';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { testEnv, uniqueId } from '../harness/env';
import { fetchHistory, fetchHistoryEvents, historyPages, type HistoryEventJson } from '../../src/temporal/history';
import { historyDocument } from '../../src/temporal/history-json';
import { CallCancelledError, RPCError } from '../../src/temporal/errors';
import { findTemporalCli } from '../../src/devserver/dev-server';
import { b64, RFC3339, RUN_ID, eventually, rejectsWith, sleep, useTemporal } from './helpers';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..', '..');
const python = path.join(root, '.venv', 'bin', 'python');
const replayScript = path.join(root, 'test', 'fixtures', 'replay.py');

const ids = (events: HistoryEventJson[]) => events.map((e) => Number(e.eventId));
const types = (events: HistoryEventJson[]) => events.map((e) => String(e.eventType).replace(/^EVENT_TYPE_/, ''));
const attrs = (e: HistoryEventJson) => Object.entries(e).find(([k]) => k.endsWith('EventAttributes'))![1] as Record<string, unknown>;

describe('history: fetchHistory and fetchHistoryEvents', function () {
  this.timeout(60_000);
  const t = useTemporal();
  const start = (workflowType: string, extra: Record<string, unknown> = {}) => t.client.startWorkflow({ workflowType, taskQueue: t.taskQueue, workflowId: uniqueId(), ...extra });

  /** A closed run of `timersAndSignals(2, 3)`: timers, two signals, a result. */
  async function timersAndSignalsRun() {
    const h = await start('timersAndSignals', { args: [2, 3] });
    await h.signal('add', [1]);
    await h.signal('add', [2]);
    expect((await h.result()).value).to.equal(3);
    return h;
  }

  describe('the JSON form', function () {
    it('is byte for byte what `temporal workflow show -o json` prints (proto3 JSON, payloads untouched)', async () => {
      const h = await timersAndSignalsRun();
      const { server } = await testEnv();
      const ours = await fetchHistory(t.client, h);
      const { stdout } = await run(findTemporalCli(), ['workflow', 'show', '-o', 'json', '--address', server.address, '-w', h.workflowId, '-r', h.resultRunId!]);
      expect(JSON.stringify(historyDocument(ours.events))).to.equal(JSON.stringify(JSON.parse(stdout)));

      const [first] = ours.events;
      expect(first!.eventId).to.equal('1'); // int64 as a string
      expect(first!.eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'); // enums by name
      expect(first!.eventTime).to.match(RFC3339);
      const started = attrs(first!);
      expect(started.workflowTaskTimeout).to.equal('10s'); // a Duration
      expect(started.firstWorkflowTaskBackoff).to.equal('0s'); // a set Duration of zero is written
      expect((started.taskQueue as { kind: string }).kind).to.equal('TASK_QUEUE_KIND_NORMAL');
      expect(started.input).to.deep.equal({ payloads: ['2', '3'].map((d) => ({ metadata: { encoding: b64('json/plain') }, data: b64(d) })) });
      expect(started).not.to.have.property('parentWorkflowExecution'); // fields at their default are left out
      expect(types(ours.events)).to.include.members(['TIMER_STARTED', 'TIMER_FIRED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_EXECUTION_COMPLETED']);
      expect(ids(ours.events)).to.deep.equal(ours.events.map((_, i) => i + 1));
    });

    it('decode: each Payload becomes the protocol value (JSON, $bytes, $payload), each Payloads a list, memo and search attribute maps too; raw without it', async () => {
      const odd = { $payload: { metadata: { encoding: b64('weird/enc'), extra: b64('x') }, data: b64('not json') } };
      // No worker on this task queue: the run stays as started, then is terminated with details.
      const h = await t.client.startWorkflow({
        workflowType: 'echo',
        taskQueue: uniqueId('tq-none'),
        workflowId: uniqueId(),
        args: [{ n: '12345678901234567890', nested: [1, 'two'] }, { $bytes: b64('\u0000\u0001') }, odd, null],
        memo: { note: { text: 'hi' } },
        searchAttributes: { CustomKeywordField: 'kw' },
      });
      await h.terminate('done here', ['why', { code: 7 }]);
      const raw = await fetchHistory(t.client, h);
      const dec = await fetchHistory(t.client, h, { decode: true });
      expect(ids(dec.events)).to.deep.equal(ids(raw.events));

      const startedRaw = attrs(raw.events[0]!);
      const startedDec = attrs(dec.events[0]!);
      expect((startedRaw.input as { payloads: unknown[] }).payloads[0]).to.have.keys('metadata', 'data');
      expect(startedDec.input).to.deep.equal([{ n: '12345678901234567890', nested: [1, 'two'] }, { $bytes: b64('\u0000\u0001') }, odd, null]);
      expect(startedDec.memo).to.deep.equal({ fields: { note: { text: 'hi' } } });
      expect(startedDec.searchAttributes).to.deep.equal({ indexedFields: { CustomKeywordField: 'kw' } });
      expect((startedRaw.memo as { fields: Record<string, unknown> }).fields.note).to.deep.equal({ metadata: { encoding: b64('json/plain') }, data: b64('{"text":"hi"}') });
      const terminated = dec.events[dec.events.length - 1]!;
      expect(terminated.eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
      expect(attrs(terminated)).to.deep.include({ reason: 'done here', details: ['why', { code: 7 }] });
      // everything but the payloads is the same
      const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (['input', 'memo', 'details', 'searchAttributes', 'header'].includes(k) ? undefined : x)));
      expect(strip(dec.events)).to.deep.equal(strip(raw.events));
    });
  });

  describe('which run', function () {
    it('runId null reads the latest run (as the Python SDK); fetchHistory names it; a given runId reads that run', async () => {
      const h = await start('chain', { args: [2] });
      const last = await h.result();
      const latest = t.client.getWorkflowHandle(h.workflowId);
      const all = await fetchHistory(t.client, latest);
      expect(all).to.include({ workflowId: h.workflowId, runId: last.runId });
      expect(types(all.events).at(-1)).to.equal('WORKFLOW_EXECUTION_COMPLETED');
      const page = await fetchHistoryEvents(t.client, latest);
      expect(page.events).to.deep.equal(all.events);
      expect(page.nextPageToken).to.equal(null);

      const first = await fetchHistory(t.client, t.client.getWorkflowHandle(h.workflowId, h.resultRunId));
      expect(first.runId).to.equal(h.resultRunId);
      const can = first.events.at(-1)!;
      expect(can.eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
      expect(attrs(can).newExecutionRunId).to.match(RUN_ID).and.not.equal(last.runId);

      // With no runId, a token goes on in the run it came from, not the latest run.
      const firstPage = await fetchHistoryEvents(t.client, t.client.getWorkflowHandle(h.workflowId, h.resultRunId), { pageSize: 1 });
      const rest = await fetchHistoryEvents(t.client, latest, { nextPageToken: firstPage.nextPageToken });
      expect([...firstPage.events, ...rest.events]).to.deep.equal(first.events);
    });
  });

  describe('options', function () {
    it('eventFilterType CLOSE_EVENT: only the close event of a closed run; on an open run the server holds the read (waitNewEvent or not) until the run closes; ALL_EVENT is the default', async () => {
      const closed = await timersAndSignalsRun();
      const close = await fetchHistory(t.client, closed, { eventFilterType: 'CLOSE_EVENT' });
      expect(types(close.events)).to.deep.equal(['WORKFLOW_EXECUTION_COMPLETED']);
      const all = await fetchHistory(t.client, closed);
      expect(close.events[0]).to.deep.equal(all.events.at(-1));
      expect(await fetchHistory(t.client, closed, { eventFilterType: 'ALL_EVENT' })).to.deep.equal(all);

      // (Past its long-poll window, 20 s, the server answers no events and no token.)
      const open = await start('signals');
      const t0 = Date.now();
      const held = fetchHistoryEvents(t.client, open, { eventFilterType: 'CLOSE_EVENT' });
      await sleep(1000);
      await open.signal('finish');
      const page = await held;
      expect(Date.now() - t0).to.be.at.least(1000);
      expect(types(page.events)).to.deep.equal(['WORKFLOW_EXECUTION_COMPLETED']);
      expect(page.nextPageToken).to.equal(null);
      await open.result();
    });

    it('skipArchival true and false read the same history (the dev server has no archival)', async () => {
      const h = await timersAndSignalsRun();
      expect(await fetchHistory(t.client, h, { skipArchival: true })).to.deep.equal(await fetchHistory(t.client, h, { skipArchival: false }));
    });

    it('pageSize counts the batches the server wrote, not events: pageSize 1 gives the first batch (2 events) and a token; following the tokens reads every event once, in order', async () => {
      const h = await timersAndSignalsRun();
      const all = await fetchHistory(t.client, h);
      const first = await fetchHistoryEvents(t.client, h, { pageSize: 1 });
      expect(types(first.events)).to.deep.equal(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED']);
      expect(first.nextPageToken).to.be.a('string').with.length.above(0);
      const read: HistoryEventJson[] = [...first.events];
      let token = first.nextPageToken;
      let pages = 1;
      while (token) {
        const p = await fetchHistoryEvents(t.client, h, { pageSize: 1, nextPageToken: token });
        read.push(...p.events);
        token = p.nextPageToken;
        pages++;
      }
      expect(read).to.deep.equal(all.events);
      expect(pages).to.be.above(3).and.below(all.events.length);
      // fetchHistory with a page size reads the same pages
      const seen: number[] = [];
      const out = await fetchHistory(t.client, h, { pageSize: 1, onPage: (evs) => void seen.push(evs.length) });
      expect(out.events).to.deep.equal([]);
      expect(seen.reduce((a, b) => a + b, 0)).to.equal(all.events.length);
      expect(seen[0]).to.equal(2);
    });

    it('pageSize 0, negative or above the server maximum: Temporal gives no error (its default, its maximum); not an int32: InvalidArgumentError naming pageSize', async () => {
      const h = await timersAndSignalsRun();
      const all = (await fetchHistory(t.client, h)).events;
      for (const pageSize of [0, -1, -(2 ** 31), 2 ** 31 - 1, 100_000]) {
        expect(await fetchHistoryEvents(t.client, h, { pageSize }), `pageSize ${pageSize}`).to.deep.equal({ events: all, nextPageToken: null });
      }
      for (const pageSize of [2 ** 31, 1.5, '10' as unknown as number, NaN]) {
        const err = await rejectsWith(fetchHistoryEvents(t.client, h, { pageSize }), InvalidArgumentError);
        expect(err.message).to.match(/^pageSize must be an integer/);
      }
    });

    it('nextPageToken: an old token of the run still reads on from where it was made (after the run went on and closed)', async () => {
      const h = await start('signals');
      const first = await fetchHistoryEvents(t.client, h, { pageSize: 1 });
      expect(first.nextPageToken).to.be.a('string');
      await h.signal('add', ['x']);
      await h.signal('finish');
      await h.result();
      const rest = await fetchHistoryEvents(t.client, h, { nextPageToken: first.nextPageToken });
      const all = (await fetchHistory(t.client, h)).events;
      expect([...first.events, ...rest.events]).to.deep.equal(all);
      expect(rest.nextPageToken).to.equal(null);
    });

    it('waitNewEvent at the end of an open run waits for the next event (a long poll in the budget); at the end of a closed run it answers at once with no token', async () => {
      const h = await start('signals');
      const upTo = await eventually(
        () => fetchHistoryEvents(t.client, h),
        (p) => types(p.events).includes('WORKFLOW_TASK_COMPLETED'),
      );
      // With waitNewEvent the first answer carries a token to wait on.
      const atEnd = await fetchHistoryEvents(t.client, h, { waitNewEvent: true });
      expect(atEnd.events).to.deep.equal(upTo.events);
      expect(atEnd.nextPageToken).to.be.a('string');
      const budget = t.client.longPolls.for(h.namespace);
      const t0 = Date.now();
      const waiting = fetchHistoryEvents(t.client, h, { waitNewEvent: true, nextPageToken: atEnd.nextPageToken, decode: true });
      await sleep(1000);
      expect([budget.inFlight, budget.waiting]).to.deep.equal([1, 1]);
      await h.signal('add', ['late']);
      const next = await waiting;
      expect(Date.now() - t0).to.be.at.least(1000);
      expect(next.events[0]!.eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
      expect(attrs(next.events[0]!)).to.deep.include({ signalName: 'add', input: ['late'] });
      expect(Number(next.events[0]!.eventId)).to.equal(upTo.events.length + 1);
      expect([budget.inFlight, budget.waiting]).to.deep.equal([0, 0]);

      await h.signal('finish');
      await h.result();
      const whole = await fetchHistory(t.client, h);
      const closed = await fetchHistoryEvents(t.client, h, { waitNewEvent: true });
      expect(closed).to.deep.equal({ events: whole.events, nextPageToken: null });
    });

    it('an AbortSignal cancels a waiting page (CallCancelledError) and leaves nothing in flight', async () => {
      const h = await start('signals');
      await eventually(
        () => fetchHistoryEvents(t.client, h),
        (p) => types(p.events).includes('WORKFLOW_TASK_COMPLETED'),
      );
      const atEnd = await fetchHistoryEvents(t.client, h, { waitNewEvent: true });
      const ac = new AbortController();
      const p = fetchHistoryEvents(t.client, h, { waitNewEvent: true, nextPageToken: atEnd.nextPageToken, call: { signal: ac.signal } });
      await sleep(300);
      expect(t.connection.inFlight).to.equal(1);
      ac.abort();
      await rejectsWith(p, CallCancelledError);
      expect(t.connection.inFlight).to.equal(0);
      expect(t.client.longPolls.for(h.namespace).inFlight).to.equal(0);
      await h.terminate();
    });
  });

  describe('errors (as Temporal gives them)', function () {
    it('unknown workflow ID: RPCError NOT_FOUND "workflow not found for ID: …" (fetchHistoryEvents and fetchHistory)', async () => {
      const handle = t.client.getWorkflowHandle(uniqueId('missing'));
      const e1 = await rejectsWith(fetchHistoryEvents(t.client, handle), RPCError);
      expect([e1.status, e1.message]).to.deep.equal(['NOT_FOUND', `workflow not found for ID: ${handle.workflowId}`]);
      const e2 = await rejectsWith(fetchHistory(t.client, handle), RPCError);
      expect(e2.status).to.equal('NOT_FOUND');
    });

    it('unknown run ID: RPCError NOT_FOUND; a run ID that is no UUID: RPCError INVALID_ARGUMENT "Invalid RunId."', async () => {
      const h = await timersAndSignalsRun();
      const unknown = t.client.getWorkflowHandle(h.workflowId, '00000000-0000-4000-8000-000000000000');
      for (const read of [() => fetchHistoryEvents(t.client, unknown), () => fetchHistory(t.client, unknown)]) {
        const e = await rejectsWith(read(), RPCError);
        expect(e.status).to.equal('NOT_FOUND');
        expect(e.message).to.match(/workflow execution not found for workflow ID ".*" and run ID "00000000-0000-4000-8000-000000000000"/);
      }
      const e = await rejectsWith(fetchHistoryEvents(t.client, t.client.getWorkflowHandle(h.workflowId, 'not-a-uuid')), RPCError);
      expect([e.status, e.message]).to.deep.equal(['INVALID_ARGUMENT', 'Invalid RunId.']);
    });

    it('a garbage nextPageToken: RPCError INVALID_ARGUMENT "Invalid NextPageToken."; a token of another run: INVALID_ARGUMENT "RunId in the request does not match the NextPageToken." (with no runId the server reads the token\'s run: NOT_FOUND under another workflow ID); not base64: InvalidArgumentError naming nextPageToken', async () => {
      const [a, b] = await Promise.all([timersAndSignalsRun(), timersAndSignalsRun()]);
      const garbage = await rejectsWith(fetchHistoryEvents(t.client, a, { nextPageToken: b64('garbage') }), RPCError);
      expect([garbage.status, garbage.message]).to.deep.equal(['INVALID_ARGUMENT', 'Invalid NextPageToken.']);
      const tokenOfA = (await fetchHistoryEvents(t.client, a, { pageSize: 1 })).nextPageToken!;
      const flipped = Buffer.from(tokenOfA, 'base64');
      flipped[flipped.length - 1]! ^= 0xff;
      const damaged = await rejectsWith(fetchHistoryEvents(t.client, a, { nextPageToken: flipped.toString('base64') }), RPCError);
      expect([damaged.status, damaged.message]).to.deep.equal(['INVALID_ARGUMENT', 'Invalid NextPageToken.']);
      const pinnedB = t.client.getWorkflowHandle(b.workflowId, b.resultRunId);
      const other = await rejectsWith(fetchHistoryEvents(t.client, pinnedB, { nextPageToken: tokenOfA }), RPCError);
      expect([other.status, other.message]).to.deep.equal(['INVALID_ARGUMENT', 'RunId in the request does not match the NextPageToken.']);
      const latestB = t.client.getWorkflowHandle(b.workflowId);
      const elsewhere = await rejectsWith(fetchHistoryEvents(t.client, latestB, { nextPageToken: tokenOfA }), RPCError);
      expect(elsewhere.status).to.equal('NOT_FOUND');
      expect(elsewhere.message).to.equal(`workflow execution not found for workflow ID "${b.workflowId}" and run ID "${a.resultRunId}"`);
      const notB64 = await rejectsWith(fetchHistoryEvents(t.client, a, { nextPageToken: 'not base64!' }), InvalidArgumentError);
      expect(notB64.message).to.match(/^nextPageToken must be a base64 string/);
    });

    it('an eventFilterType other than ALL_EVENT or CLOSE_EVENT: InvalidArgumentError naming it', async () => {
      const h = t.client.getWorkflowHandle('any');
      const e = await rejectsWith(fetchHistoryEvents(t.client, h, { eventFilterType: 'SOME' as 'ALL_EVENT' }), InvalidArgumentError);
      expect(e.message).to.match(/^eventFilterType must be one of ALL_EVENT, CLOSE_EVENT/);
    });
  });

  describe('a 10,000-event history', function () {
    it('is read page by page (lazily, each page handed over before the next is asked for), every event once and in order', async function () {
      this.timeout(120_000);
      // 5 workflow tasks of 2,000 patch markers (about 7 s; smaller tasks cost the worker far more).
      const h = await start('manyEvents', { args: [10_000, 2000] });
      expect((await h.result()).value).to.equal(10_000);

      const conn = t.client.connection;
      let reads = 0;
      const original = conn.unary.bind(conn);
      conn.unary = ((method: string, ...rest: unknown[]) => {
        if (method === 'GetWorkflowExecutionHistory') reads++;
        return (original as (...a: unknown[]) => Promise<unknown>)(method, ...rest);
      }) as typeof conn.unary;
      try {
        // A page holds whole batches of events (pageSize counts batches): 3 a page here.
        const pages = historyPages(t.client, h, { pageSize: 3 });
        const first = await pages.next();
        expect(reads).to.equal(1);
        expect(first.done).to.equal(false);
        const firstEvents = first.value!.events;
        expect(first.value!.runId).to.equal(h.resultRunId);
        expect(firstEvents.length).to.be.above(0).and.below(10_000);
        await sleep(200);
        expect(reads).to.equal(1); // nothing is read ahead
        let count = firstEvents.length;
        let expected = firstEvents.length + 1;
        let pageCount = 1;
        for await (const p of pages) {
          expect(reads).to.equal(pageCount + 1);
          pageCount++;
          for (const e of p.events) expect(Number(e.eventId)).to.equal(expected++);
          count += p.events.length;
        }
        expect(pageCount).to.be.at.least(3);
        expect(count).to.be.above(10_000);
        // The server may end with an empty page (its token promised more): read, not passed on.
        const readsAll = reads;
        expect(readsAll - pageCount).to.be.oneOf([0, 1]);

        // fetchHistory with onPage: the same events, none kept
        reads = 0;
        const sizes: number[] = [];
        let lastId = 0;
        const out = await fetchHistory(t.client, h, {
          pageSize: 3,
          onPage: (events) => {
            sizes.push(events.length);
            expect(Number(events[0]!.eventId)).to.equal(lastId + 1);
            lastId = Number(events.at(-1)!.eventId);
          },
        });
        expect(out).to.deep.equal({ workflowId: h.workflowId, runId: h.resultRunId, events: [] });
        expect(sizes.length).to.equal(pageCount);
        expect(lastId).to.equal(count);
        expect(reads).to.equal(readsAll);
        // Collected, the server's default page (256 batches) holds all of this history: one page, one read.
        reads = 0;
        expect((await fetchHistory(t.client, h)).events).to.have.length(count);
        expect(reads).to.equal(1);
        // Streamed (onPage) with no pageSize, pages are sized by their bytes (PageSizer): 4 batches
        // first, twice as many while pages are small, so a few reads here; every event once, in order.
        reads = 0;
        const streamed: number[] = [];
        let next = 1;
        await fetchHistory(t.client, h, {
          onPage: (e) => {
            streamed.push(e.length);
            for (const ev of e) expect(Number(ev.eventId)).to.equal(next++);
          },
        });
        expect(streamed.length).to.be.above(1);
        expect(streamed.reduce((a, b) => a + b, 0)).to.equal(count);
        expect(reads - streamed.length).to.be.oneOf([0, 1]);
      } finally {
        conn.unary = original;
      }
    });
  });

  describe('replay of an exported history', function () {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-handled-replay-'))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function exported() {
      const h = await timersAndSignalsRun();
      const history = await fetchHistory(t.client, h);
      const file = path.join(dir, `${h.workflowId}.json`);
      fs.writeFileSync(file, JSON.stringify(historyDocument(history.events)));
      return { h, history, file };
    }

    async function pythonReplay(mode: 'same' | 'changed', workflowId: string, file: string) {
      const { stdout } = await run(python, [replayScript, mode, workflowId, file], { timeout: 60_000 });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as { ok: boolean; error?: string; message?: string; runId?: string; events?: number };
    }

    it("replays in the Python SDK's Replayer (WorkflowHistory.from_json) with the Python twin; the changed workflow is reported non-deterministic", async () => {
      const { h, history, file } = await exported();
      expect(await pythonReplay('same', h.workflowId, file)).to.deep.equal({ ok: true, runId: h.resultRunId, events: history.events.length });
      const changed = await pythonReplay('changed', h.workflowId, file);
      expect(changed.ok).to.equal(false);
      expect(changed.error).to.equal('NondeterminismError');
      expect(changed.message).to.match(/nondetermin/i);
    });

    it("replays in the TS SDK's Worker.runReplayHistory (historyFromJSON) with the fixture code; workflows-changed.ts raises DeterminismViolationError", async () => {
      const { bundle } = await testEnv();
      const { h, file } = await exported();
      const history = historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, h.workflowId);
      let failure: unknown;
      try {
        await Worker.runReplayHistory({ workflowsPath: require.resolve('../fixtures/workflows-changed') }, history, h.workflowId);
      } catch (err) {
        failure = err;
      }
      expect(failure, 'the changed code replayed without complaint').to.be.instanceOf(Error);
      expect((failure as Error).name).to.equal('DeterminismViolationError');
    });

    it('a decoded history is for display only: the TS replayer cannot read its payloads', async () => {
      const { h } = await exported();
      const decoded = await fetchHistory(t.client, h, { decode: true });
      expect(() => historyFromJSON(historyDocument(decoded.events))).to.throw();
    });
  });
});
