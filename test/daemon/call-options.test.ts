/**
 * Per-call options (PROTOCOL.md "Per-call options and typed search attributes") end to end:
 * `rpcMetadata` reaches the server on every call a method makes (seen through a proxy that
 * records headers in front of the real dev server), `rpcTimeout` is each call's deadline and
 * a result wait re-polls within it, typed search attributes go in with their types and come
 * back typed from describe and list; bad values are refused naming the param.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../harness/env';
import { startRecordingProxy, type RecordingProxy } from '../harness/grpc-recorder';

type Msg = Record<string, any>;

describe('per-call options through the daemon', function () {
  this.timeout(60_000);
  let proxy: RecordingProxy;
  let s: StartedDaemon;
  let c: RawRpcClient;
  let worker: RunningWorker;

  before(async function () {
    this.timeout(120_000);
    const { server } = await testEnv();
    proxy = await startRecordingProxy(server.address);
    worker = await startWorker();
    s = await startDaemon({ socket: true, args: ['--address', proxy.address] });
    c = await connectClient(s.socketPath!);
    await initialized(c);
  });
  after(async () => {
    c?.destroy();
    await s?.stop();
    await worker?.stop();
    await proxy?.close();
  });

  const start = (extra: Msg = {}) => c.request<Msg>('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId: uniqueId('opt'), args: ['hi'], ...extra });

  function callsWith(key: string, value: string) {
    return proxy.calls.filter((k) => k.headers[key] === value).map((k) => k.method);
  }

  it('sends rpcMetadata with every call a method makes, keys in lower case, beside its own', async () => {
    const h = await start({ rpcMetadata: { 'X-Trace-Id': 'start-1' } });
    expect(callsWith('x-trace-id', 'start-1')).to.deep.equal(['StartWorkflowExecution']);
    await c.request('handle/result', { handle: h.handle, rpcMetadata: { 'x-trace-id': 'result-1' } });
    // result pins the run first (describe), then long-polls the close event.
    const result = callsWith('x-trace-id', 'result-1');
    expect(result).to.include('GetWorkflowExecutionHistory');
    expect(result.every((m) => m === 'GetWorkflowExecutionHistory' || m === 'DescribeWorkflowExecution')).to.equal(true);
    await c.request('handle/describe', { handle: h.handle, rpcMetadata: { 'x-trace-id': 'describe-1', 'x-other': 'b' } });
    const described = proxy.calls.filter((k) => k.headers['x-trace-id'] === 'describe-1');
    expect(described.map((k) => k.method)).to.deep.equal(['DescribeWorkflowExecution']);
    expect(described[0]!.headers['x-other']).to.equal('b');
    // The daemon's own metadata is still there.
    expect(described[0]!.headers['temporal-namespace']).to.equal('default');
    expect(described[0]!.headers['client-name']).to.equal('temporal-handled');
    // A call without rpcMetadata carries none of it.
    const before = proxy.calls.length;
    await c.request('handle/describe', { handle: h.handle });
    expect(proxy.calls.slice(before).some((k) => k.headers['x-trace-id'] !== undefined)).to.equal(false);
  });

  it('sends rpcMetadata on history pages, list, count and updates', async () => {
    const h = await start();
    await c.request('handle/result', { handle: h.handle });
    await c.request('handle/fetchHistory', { handle: h.handle, rpcMetadata: { 'x-trace-id': 'history-1' } });
    expect(callsWith('x-trace-id', 'history-1')).to.include('GetWorkflowExecutionHistory');
    await c.request('workflow/list', { query: `WorkflowId = "${h.workflowId}"`, rpcMetadata: { 'x-trace-id': 'list-1' } });
    expect(callsWith('x-trace-id', 'list-1')).to.deep.equal(['ListWorkflowExecutions']);
    await c.request('workflow/count', { rpcMetadata: { 'x-trace-id': 'count-1' } });
    expect(callsWith('x-trace-id', 'count-1')).to.deep.equal(['CountWorkflowExecutions']);
    const u = await c.request<Msg>('workflow/start', { workflowType: 'updatable', taskQueue: worker.taskQueue, workflowId: uniqueId('opt-upd') });
    await c.request('handle/executeUpdate', { handle: u.handle, update: 'add', args: [1], rpcMetadata: { 'x-trace-id': 'update-1' } });
    expect(callsWith('x-trace-id', 'update-1')).to.include('UpdateWorkflowExecution');
    await c.request('handle/terminate', { handle: u.handle, rpcMetadata: { 'x-trace-id': 'terminate-1' } });
    expect(callsWith('x-trace-id', 'terminate-1')).to.deep.equal(['TerminateWorkflowExecution']);
  });

  it('rpcTimeout is the deadline of each call: a query no worker answers ends with DEADLINE_EXCEEDED', async () => {
    const h = await c.request<Msg>('workflow/start', { workflowType: 'echo', taskQueue: uniqueId('no-worker'), workflowId: uniqueId('opt-q') });
    const err = await rpcError(c.request('handle/query', { handle: h.handle, query: 'anything', rpcTimeout: '700ms' }));
    expect(err.data?.type).to.equal('RPCError');
    expect(err.data?.status).to.equal('DEADLINE_EXCEEDED');
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('a result wait re-polls within rpcTimeout: a run longer than the deadline still answers', async () => {
    // `delayed` sleeps its first argument (ms) and returns its second.
    const h = await c.request<Msg>('workflow/start', { workflowType: 'delayed', taskQueue: worker.taskQueue, workflowId: uniqueId('opt-r'), args: [4000, 'late'] });
    const polls = () => proxy.calls.filter((k) => k.headers['x-trace-id'] === 'slow-result' && k.method === 'GetWorkflowExecutionHistory').length;
    const r = await c.request<Msg>('handle/result', { handle: h.handle, rpcTimeout: '1s', rpcMetadata: { 'x-trace-id': 'slow-result' } });
    expect(r.value).to.equal('late');
    // Each poll had a one-second deadline (grpc-timeout), so it took more than one.
    expect(polls()).to.be.greaterThan(1);
    const timeouts = proxy.calls.filter((k) => k.headers['x-trace-id'] === 'slow-result').map((k) => String(k.headers['grpc-timeout']));
    for (const t of timeouts) expect(timeoutMs(t)).to.be.at.most(1000);
  });

  it('refuses bad per-call options, naming them, and keeps serving', async () => {
    const h = await start();
    for (const [params, what] of [
      [{ rpcMetadata: { 'bad key': 'v' } }, 'rpcMetadata'],
      [{ rpcMetadata: { 'trace-bin': 'v' } }, 'rpcMetadata'],
      [{ rpcMetadata: { 'grpc-timeout': '1S' } }, 'rpcMetadata'],
      [{ rpcMetadata: { k: 'line\nbreak' } }, 'rpcMetadata'],
      [{ rpcMetadata: { k: 7 } }, 'rpcMetadata'],
      [{ rpcTimeout: 'soon' }, 'rpcTimeout'],
      [{ rpcTimeout: 0 }, 'rpcTimeout'],
      [{ rpcTimeout: -5 }, 'rpcTimeout'],
    ] as const) {
      const err = await rpcError(c.request('handle/describe', { handle: h.handle, ...params }));
      expect(err.code, JSON.stringify(params)).to.equal(-32602);
      expect(err.message, JSON.stringify(params)).to.contain(what);
    }
    // A method that makes no call to Temporal takes no per-call options.
    const err = await rpcError(c.request('handle/info', { handle: h.handle, rpcTimeout: '1s' }));
    expect(err.code).to.equal(-32602);
    expect(err.message).to.contain('rpcTimeout');
    expect((await c.request<Msg>('handle/describe', { handle: h.handle })).workflowId).to.equal(h.workflowId);
  });
});

describe('typed search attributes through the daemon', function () {
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

  const typed = (tag: string) => [
    { key: 'CustomKeywordField', type: 'KEYWORD', value: tag },
    { key: 'CustomTextField', type: 'TEXT', value: 'some words' },
    { key: 'CustomIntField', type: 'INT', value: 42 },
    { key: 'CustomDoubleField', type: 'DOUBLE', value: 1.5 },
    { key: 'CustomBoolField', type: 'BOOL', value: true },
    { key: 'CustomDatetimeField', type: 'DATETIME', value: '2026-12-01T10:00:00Z' },
    { key: 'CustomKeywordListField', type: 'KEYWORD_LIST', value: ['a', 'b'] },
  ];
  const byKey = (list: Msg[]) => Object.fromEntries(list.map((a) => [a.key, a]));

  it('starts with typed search attributes; describe and list give them back typed', async () => {
    const tag = uniqueId('tsa');
    const h = await c.request<Msg>('workflow/start', { workflowType: 'forever', taskQueue: worker.taskQueue, workflowId: tag, typedSearchAttributes: typed(tag) });
    const d = await c.request<Msg>('handle/describe', { handle: h.handle });
    const got = byKey(d.typedSearchAttributes);
    for (const a of typed(tag)) {
      expect(got[a.key]?.type, a.key).to.equal(a.type);
      if (a.type === 'DATETIME') expect(Date.parse(got[a.key].value)).to.equal(Date.parse(a.value as string));
      else expect(got[a.key]?.value, a.key).to.deep.equal(a.value);
    }
    // The untyped view has them too, as before.
    expect(d.searchAttributes.CustomKeywordField).to.equal(tag);
    let listed: Msg[] = [];
    for (let i = 0; i < 50 && listed.length === 0; i++) {
      listed = (await c.request<Msg>('workflow/list', { query: `CustomKeywordField = "${tag}"` })).executions;
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed).to.have.length(1);
    const fromList = byKey(listed[0]!.typedSearchAttributes);
    expect(fromList.CustomIntField).to.deep.equal({ key: 'CustomIntField', type: 'INT', value: 42 });
    expect(fromList.CustomKeywordListField).to.deep.equal({ key: 'CustomKeywordListField', type: 'KEYWORD_LIST', value: ['a', 'b'] });
    await c.request('handle/terminate', { handle: h.handle });
  });

  it('typed and untyped search attributes go together; a key in both is refused', async () => {
    const tag = uniqueId('tsa2');
    const h = await c.request<Msg>('workflow/start', {
      workflowType: 'forever',
      taskQueue: worker.taskQueue,
      workflowId: tag,
      searchAttributes: { CustomKeywordField: tag },
      typedSearchAttributes: [{ key: 'CustomIntField', type: 'INT', value: 7 }],
    });
    const d = await c.request<Msg>('handle/describe', { handle: h.handle });
    expect(d.searchAttributes).to.include({ CustomKeywordField: tag, CustomIntField: 7 });
    // The untyped one carries no type metadata from this start, so it is not in the typed view.
    expect(byKey(d.typedSearchAttributes).CustomIntField?.value).to.equal(7);
    await c.request('handle/terminate', { handle: h.handle });
    const err = await rpcError(
      c.request('workflow/start', {
        workflowType: 'forever',
        taskQueue: worker.taskQueue,
        workflowId: uniqueId('tsa3'),
        searchAttributes: { CustomIntField: 1 },
        typedSearchAttributes: [{ key: 'CustomIntField', type: 'INT', value: 7 }],
      }),
    );
    expect(err.code).to.equal(-32602);
    expect(err.message).to.contain('typedSearchAttributes[0].key').and.contain('also in searchAttributes');
  });

  it('refuses a value that does not fit its type, a key given twice, an unknown type, naming each', async () => {
    const cases: [Msg[], string][] = [
      [[{ key: 'CustomIntField', type: 'INT', value: 'seven' }], 'typedSearchAttributes[0].value must be an integer'],
      [[{ key: 'CustomIntField', type: 'INT', value: 1.5 }], 'typedSearchAttributes[0].value must be an integer'],
      [[{ key: 'CustomBoolField', type: 'BOOL', value: 'yes' }], 'typedSearchAttributes[0].value must be a boolean'],
      [[{ key: 'CustomDatetimeField', type: 'DATETIME', value: '2026-12-01 10:00' }], 'typedSearchAttributes[0].value must be an RFC 3339'],
      [[{ key: 'CustomKeywordListField', type: 'KEYWORD_LIST', value: ['a', 1] }], 'typedSearchAttributes[0].value must be an array of strings'],
      [
        [
          { key: 'CustomKeywordField', type: 'KEYWORD', value: 'a' },
          { key: 'CustomKeywordField', type: 'KEYWORD', value: 'b' },
        ],
        'typedSearchAttributes[1].key',
      ],
      [[{ key: 'CustomKeywordField', type: 'STRING', value: 'a' }], 'typedSearchAttributes'],
      [[{ key: 'CustomKeywordField', value: 'a' }], 'typedSearchAttributes'],
    ];
    for (const [attrs, message] of cases) {
      const err = await rpcError(c.request('workflow/start', { workflowType: 'forever', taskQueue: worker.taskQueue, workflowId: uniqueId('tsa-bad'), typedSearchAttributes: attrs }));
      expect(err.code, JSON.stringify(attrs)).to.equal(-32602);
      expect(err.message, JSON.stringify(attrs)).to.contain(message);
    }
    // An attribute the server does not know: the server's INVALID_ARGUMENT, named.
    const err = await rpcError(
      c.request('workflow/start', {
        workflowType: 'forever',
        taskQueue: worker.taskQueue,
        workflowId: uniqueId('tsa-unk'),
        typedSearchAttributes: [{ key: 'NoSuchAttribute', type: 'KEYWORD', value: 'x' }],
      }),
    );
    expect(err.data?.type).to.equal('RPCError');
    expect(err.data?.status).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('NoSuchAttribute');
  });
});

/** A grpc-timeout header ("1000m", "999999u", "1S") in ms. */
function timeoutMs(header: string): number {
  const m = /^(\d+)([HMSmun])$/.exec(header);
  if (!m) throw new Error(`not a grpc-timeout: ${header}`);
  const unit = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 }[m[2] as 'H'];
  return Number(m[1]) * unit;
}
