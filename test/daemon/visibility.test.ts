/**
 * Visibility and introspection through the daemon, end to end (real daemon process, dev
 * server and TS worker): workflow/list (query, limit, paging, resumption, streaming),
 * workflow/count (with GROUP BY), handle/metadata and handle/stackTrace, and bad queries.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import { startDaemon, connectClient, initialized, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { startPythonWorker, startWorker, uniqueId, type RunningWorker } from '../harness/env';

type Msg = Record<string, any>;

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('visibility and introspection through the daemon', function () {
  this.timeout(60_000);
  let s: StartedDaemon;
  let c: RawRpcClient;
  let worker: RunningWorker;
  const tag = uniqueId('vis');
  const query = `CustomKeywordField = "${tag}"`;
  const ids: string[] = [];

  before(async function () {
    this.timeout(120_000);
    worker = await startWorker();
    s = await startDaemon({ socket: true });
    c = await connectClient(s.socketPath!);
    await initialized(c);
    for (let i = 0; i < 5; i++) {
      const workflowId = `${tag}-${i}`;
      ids.push(workflowId);
      await c.request('workflow/start', { workflowType: i < 2 ? 'echo' : 'forever', taskQueue: worker.taskQueue, workflowId, args: i < 2 ? [i] : [], searchAttributes: { CustomKeywordField: tag } });
    }
    await eventually(
      () => c.request<Msg>('workflow/count', { query: `${query} AND ExecutionStatus = "Completed"` }),
      (r) => r.count === 2,
    );
    await eventually(
      () => c.request<Msg>('workflow/count', { query }),
      (r) => r.count === 5,
    );
  });
  after(async () => {
    for (const workflowId of ids.slice(2)) {
      const h = await c.request<Msg>('workflow/getHandle', { workflowId });
      await c.request('handle/terminate', { handle: h.handle }).catch(() => undefined);
    }
    c?.destroy();
    await s?.stop();
    await worker?.stop();
  });

  it('workflow/list with a query: each entry decoded as describe decodes it', async () => {
    const r = await c.request<Msg>('workflow/list', { query });
    expect(r.executions.map((e: Msg) => e.workflowId).sort()).to.deep.equal([...ids].sort());
    expect(r.nextPageToken).to.equal(null);
    const e = r.executions.find((x: Msg) => x.workflowId === ids[0]);
    expect(e).to.deep.include({ workflowType: 'echo', taskQueue: worker.taskQueue, status: 'COMPLETED' });
    expect(e.searchAttributes.CustomKeywordField).to.deep.equal(tag);
    expect(e.startTime).to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it('limit and pageSize across pages; nextPageToken resumes exactly where the list stopped', async () => {
    const first = await c.request<Msg>('workflow/list', { query, limit: 3, pageSize: 2 });
    expect(first.executions).to.have.length(3);
    expect(first.nextPageToken).to.be.a('string');
    const rest = await c.request<Msg>('workflow/list', { query, nextPageToken: first.nextPageToken });
    const all = [...first.executions, ...rest.executions].map((e: Msg) => e.workflowId);
    expect(all.sort()).to.deep.equal([...ids].sort());
  });

  it('streams each page as it arrives with partialResultToken; the answer carries an empty list', async () => {
    const n = c.progress.length;
    const r = await c.request<Msg>('workflow/list', { query, pageSize: 2, partialResultToken: 'list-1' });
    expect(r.executions).to.deep.equal([]);
    const pages = c.progress.slice(n).filter((p) => p.token === 'list-1');
    expect(pages.length).to.be.at.least(3);
    expect(pages.flatMap((p) => (p.value.executions as Msg[]).map((e) => e.workflowId)).sort()).to.deep.equal([...ids].sort());
  });

  it('workflow/count, and with GROUP BY ExecutionStatus the groups and their values', async () => {
    expect((await c.request<Msg>('workflow/count', { query })).count).to.equal(5);
    const grouped = await c.request<Msg>('workflow/count', { query: `${query} GROUP BY ExecutionStatus` });
    expect(grouped.count).to.equal(5);
    const byStatus = Object.fromEntries(grouped.groups.map((g: Msg) => [g.groupValues[0], g.count]));
    expect(byStatus).to.deep.equal({ Completed: 2, Running: 3 });
  });

  it("a malformed query and an unknown search attribute: RPCError INVALID_ARGUMENT with the server's message", async () => {
    const bad = await rpcError(c.request('workflow/list', { query: 'WorkflowType = = "x"' }));
    expect(bad.data).to.deep.include({ type: 'RPCError', status: 'INVALID_ARGUMENT' });
    expect(bad.message).to.be.a('string').and.not.empty;
    const unknown = await rpcError(c.request('workflow/count', { query: 'NoSuchAttribute = "x"' }));
    expect(unknown.data).to.deep.include({ type: 'RPCError', status: 'INVALID_ARGUMENT' });
    expect((await rpcError(c.request('workflow/list', { limit: 0 }))).code).to.equal(-32602);
  });

  it("handle/metadata names the workflow's handlers; handle/stackTrace shows where it waits", async () => {
    const h = await c.request<Msg>('workflow/start', { workflowType: 'signals', taskQueue: worker.taskQueue, workflowId: uniqueId('meta') });
    const m = await c.request<Msg>('handle/metadata', { handle: h.handle });
    expect(m.definition.type).to.equal('signals');
    expect(m.definition.queryDefinitions.map((q: Msg) => q.name)).to.include.members(['state', 'greet']);
    expect(m.definition.signalDefinitions.map((q: Msg) => q.name)).to.include.members(['add', 'finish']);
    const st = await c.request<Msg>('handle/stackTrace', { handle: h.handle });
    expect(st.stackTrace)
      .to.be.a('string')
      .and.match(/signals/);
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('handle/metadata and handle/stackTrace from a Python SDK worker, with handler descriptions', async function () {
    this.timeout(120_000);
    const py = await startPythonWorker();
    try {
      const h = await c.request<Msg>('workflow/start', { workflowType: 'updatable', taskQueue: py.taskQueue, workflowId: uniqueId('meta-py') });
      ids.push(h.workflowId);
      const m = await c.request<Msg>('handle/metadata', { handle: h.handle });
      expect(m.definition.type).to.equal('updatable');
      const byName = (list: Msg[]) => Object.fromEntries(list.map((d) => [d.name, d.description ?? null]));
      expect(byName(m.definition.updateDefinitions)).to.include({ add: 'Adds n to the total and returns it', fail: null });
      expect(byName(m.definition.signalDefinitions)).to.include({ finish: 'Ends the workflow once its handlers are done', release: null });
      expect(byName(m.definition.queryDefinitions)).to.include({ state: 'The total, the values applied and the run ID' });
      const st = await c.request<Msg>('handle/stackTrace', { handle: h.handle });
      expect(st.stackTrace)
        .to.be.a('string')
        .and.match(/Stack for <Task/);
    } finally {
      await py.stop();
    }
  });

  it('queries on type, status and start time ranges', async () => {
    const all = (await c.request<Msg>('workflow/list', { query })).executions as Msg[];
    const starts = all.map((e) => e.startTime as string).sort();
    const byType = await c.request<Msg>('workflow/list', { query: `${query} AND WorkflowType = "forever" AND ExecutionStatus = "Running"` });
    expect(byType.executions.map((e: Msg) => e.workflowId).sort()).to.deep.equal(ids.slice(2, 5).sort());
    // Start times: from the third start on, and up to the second.
    const from = await c.request<Msg>('workflow/list', { query: `${query} AND StartTime >= "${starts[2]}"` });
    expect(from.executions.map((e: Msg) => e.startTime).sort()).to.deep.equal(starts.slice(2));
    const until = await c.request<Msg>('workflow/list', { query: `${query} AND StartTime <= "${starts[1]}"` });
    expect(until.executions.map((e: Msg) => e.startTime).sort()).to.deep.equal(starts.slice(0, 2));
    const between = await c.request<Msg>('workflow/list', { query: `${query} AND StartTime BETWEEN "${starts[1]}" AND "${starts[3]}"` });
    expect(between.executions).to.have.length(3);
  });

  it('streams a list of 2,000 runs with a page size of 100: pages arrive before the answer, each run once', async function () {
    this.timeout(180_000);
    const big = uniqueId('vis-2k');
    const tq = uniqueId('no-worker');
    const n = 2000;
    // Started with no worker (they stay running); 32 at a time.
    for (let i = 0; i < n; i += 32) {
      await Promise.all(
        Array.from({ length: Math.min(32, n - i) }, (_, j) =>
          c.request('workflow/start', { workflowType: 'forever', taskQueue: tq, workflowId: `${big}-${i + j}`, searchAttributes: { CustomKeywordField: big } }),
        ),
      );
    }
    const bigQuery = `CustomKeywordField = "${big}"`;
    await eventually(
      () => c.request<Msg>('workflow/count', { query: bigQuery }),
      (r) => r.count === n,
      60_000,
    );
    const from = c.progress.length;
    let firstPageAt = -1;
    const answered = c.request<Msg>('workflow/list', { query: bigQuery, pageSize: 100, partialResultToken: 'list-2k' });
    const watch = setInterval(() => {
      if (firstPageAt < 0 && c.progress.slice(from).some((p) => p.token === 'list-2k')) firstPageAt = Date.now();
    }, 1);
    const r = await answered;
    const doneAt = Date.now();
    clearInterval(watch);
    expect(r.executions).to.deep.equal([]);
    const pages = c.progress.slice(from).filter((p) => p.token === 'list-2k');
    expect(pages).to.have.length(n / 100);
    for (const p of pages) expect(p.value.executions).to.have.length(100);
    const seen = new Set(pages.flatMap((p) => (p.value.executions as Msg[]).map((e) => e.workflowId)));
    expect(seen.size).to.equal(n);
    expect(firstPageAt).to.be.greaterThan(0);
    expect(firstPageAt).to.be.at.most(doneAt);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.d.child.pid}/status`, 'utf8'));
    if (hwm) console.log(`      (daemon peak RSS after listing ${n} runs: ${Math.round(Number(hwm[1]) / 1024)} MB)`);
  });
});
