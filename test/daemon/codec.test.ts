/**
 * A codec server (PROTOCOL.md "Codec server"), end to end: the daemon with --codec-endpoint in
 * front of a real codec server that encrypts with AES-256-GCM (test/harness/codec-server.ts),
 * TS and Python SDK workers that use the same encryption in-process, and the real dev server.
 * Arguments reach the workers decrypted; results, query answers, update outcomes, memo, failure
 * details and heartbeat details come back decrypted; what Temporal stores stays encrypted (raw
 * history, raw describe) and replays; the codec server's failures are CodecErrors within the
 * call's deadline, with nothing sent unencoded; the auth value is never in a log or an error.
 */
import { expect } from 'chai';
import { Worker } from '@temporalio/worker';
import { startDaemon, connectClient, initialized, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { startPythonWorker, startWorker, testEnv, uniqueId, workflowsPath, type RunningWorker } from '../harness/env';
import { startCodecServer, type TestCodecServer } from '../harness/codec-server';
import { AesGcmCodec, ENCRYPTED } from '../fixtures/aes-codec';

type Msg = Record<string, any>;
const AUTH = 'Bearer codec-secret-4f9a1c';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('codec server through the daemon', function () {
  this.timeout(60_000);
  let codec: TestCodecServer;
  let s: StartedDaemon;
  let c: RawRpcClient;
  let worker: RunningWorker;
  let plainWorker: RunningWorker;
  const errors: string[] = [];

  before(async function () {
    this.timeout(120_000);
    codec = await startCodecServer();
    worker = await startWorker(uniqueId('tq-codec'), { payloadCodecs: [new AesGcmCodec()] });
    plainWorker = await startWorker();
    s = await startDaemon({
      socket: true,
      args: ['--codec-endpoint', `${codec.url}/{namespace}`, '--codec-auth', AUTH, '--codec-header', 'X-Codec-Test=yes', '--log-level', 'debug'],
    });
    c = await connectClient(s.socketPath!);
    await initialized(c);
  });
  after(async () => {
    c?.destroy();
    await s?.stop();
    await worker?.stop();
    await plainWorker?.stop();
    await codec?.close();
  });

  afterEach(() => {
    codec.fault = undefined;
  });

  async function start(params: Msg): Promise<Msg> {
    return c.request<Msg>('workflow/start', { taskQueue: worker.taskQueue, workflowId: uniqueId('codec'), ...params });
  }

  /** The error of a call, remembered for the check that no error shows the auth value. */
  async function failure(p: Promise<unknown>) {
    const e = await rpcError(p);
    errors.push(JSON.stringify({ message: e.message, data: e.data }));
    return e;
  }

  it('arguments reach the worker decrypted and the result comes back decrypted; Temporal stores them encrypted', async () => {
    const h = await start({ workflowType: 'echo', args: [{ card: '4111-1111', amount: 12.5 }] });
    const r = await c.request<Msg>('handle/result', { handle: h.handle });
    expect(r.value).to.deep.equal({ card: '4111-1111', amount: 12.5 });
    // The raw history is as stored: encrypted, and the plaintext is nowhere in it.
    const hist = await c.request<Msg>('handle/fetchHistory', { handle: h.handle });
    const started = hist.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
    expect(started.metadata.encoding).to.equal(b64(ENCRYPTED));
    expect(JSON.stringify(hist.events)).to.not.contain('4111');
    const completed = hist.events.at(-1).workflowExecutionCompletedEventAttributes.result.payloads[0];
    expect(completed.metadata.encoding).to.equal(b64(ENCRYPTED));
    // For display (decode: true) the history's payloads come through the codec, decrypted.
    const shown = await c.request<Msg>('handle/fetchHistory', { handle: h.handle, decode: true });
    expect(shown.events[0].workflowExecutionStartedEventAttributes.input).to.deep.equal([{ card: '4111-1111', amount: 12.5 }]);
    const page = await c.request<Msg>('handle/fetchHistoryEvents', { handle: h.handle, decode: true, eventFilterType: 'CLOSE_EVENT' });
    expect(page.events[0].workflowExecutionCompletedEventAttributes.result).to.deep.equal([{ card: '4111-1111', amount: 12.5 }]);
    const from = c.progress.length;
    const end = await c.request<Msg>('handle/watch', { handle: h.handle, decode: true, partialResultToken: 'codec-watch' });
    expect(end.status).to.equal('COMPLETED');
    const watched = c.progress
      .slice(from)
      .filter((p) => p.token === 'codec-watch')
      .flatMap((p) => p.value.events as Msg[]);
    expect(watched[0]!.workflowExecutionStartedEventAttributes.input).to.deep.equal([{ card: '4111-1111', amount: 12.5 }]);
    // ...and the raw one replays, with the workflow code and the same codec.
    await Worker.runReplayHistory({ workflowsPath, dataConverter: { payloadCodecs: [new AesGcmCodec()] } }, { events: hist.events } as never, h.workflowId);
  });

  it('sends X-Namespace, the auth and the extra headers to {namespace} in the URL, one batch per message, never search attributes', async () => {
    const from = codec.requests.length;
    const tag = uniqueId('codec-sa');
    const h = await start({ workflowType: 'echoArgs', args: [1, 'two', { three: 3 }], memo: { note: 'private' }, searchAttributes: { CustomKeywordField: tag } });
    const encodes = codec.requests.slice(from).filter((r) => r.path.endsWith('/encode'));
    expect(encodes).to.have.length(1);
    expect(encodes[0]!.path).to.equal('/default/encode');
    expect(encodes[0]!.payloads).to.equal(4); // three arguments and the memo field: not the search attribute
    expect(encodes[0]!.headers).to.include({ 'x-namespace': 'default', authorization: AUTH, 'x-codec-test': 'yes', 'content-type': 'application/json' });
    expect((await c.request<Msg>('handle/result', { handle: h.handle })).value).to.deep.equal([1, 'two', { three: 3 }]);
    // The server could index the search attribute (it was not encrypted), and the memo is decrypted in the list entry.
    let listed: Msg[] = [];
    for (let i = 0; i < 50 && listed.length === 0; i++) {
      listed = (await c.request<Msg>('workflow/list', { query: `CustomKeywordField = "${tag}"` })).executions;
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed).to.have.length(1);
    expect(listed[0]!.memo).to.deep.equal({ note: 'private' });
    expect(listed[0]!.searchAttributes.CustomKeywordField).to.equal(tag);
  });

  it('signal arguments, query answers, update arguments and outcomes, memo in describe: decrypted; raw describe stays encrypted', async () => {
    const h = await start({ workflowType: 'signals', memo: { owner: 'ops' } });
    await c.request('handle/signal', { handle: h.handle, signal: 'add', args: [{ secret: 's1' }] });
    const q = await c.request<Msg>('handle/query', { handle: h.handle, query: 'state' });
    expect(q.value.values).to.deep.equal([{ secret: 's1' }]);
    const greet = await c.request<Msg>('handle/query', { handle: h.handle, query: 'greet', args: ['Hello', 'codec'] });
    expect(greet.value).to.equal('Hello, codec!');
    const d = await c.request<Msg>('handle/describe', { handle: h.handle, raw: true });
    expect(d.memo).to.deep.equal({ owner: 'ops' });
    expect(d.raw.workflowExecutionInfo.memo.fields.owner.metadata.encoding).to.equal(b64(ENCRYPTED));
    await c.request('handle/signal', { handle: h.handle, signal: 'finish' });
    expect((await c.request<Msg>('handle/result', { handle: h.handle })).value).to.deep.equal([{ secret: 's1' }]);
    const u = await start({ workflowType: 'updatable', args: [10] });
    const up = await c.request<Msg>('handle/executeUpdate', { handle: u.handle, update: 'add', args: [5] });
    expect(up.value).to.equal(15);
    const rejected = await failure(c.request('handle/executeUpdate', { handle: u.handle, update: 'fail', args: ['no way'] }));
    expect(rejected.data?.type).to.equal('WorkflowUpdateFailedError');
    expect((rejected.data as Msg)?.cause?.message).to.equal('no way');
    await c.request('handle/terminate', { handle: u.handle });
  });

  it("an ApplicationError's details and an activity's heartbeat details and last failure come back decrypted", async () => {
    const h = await start({ workflowType: 'fail', args: ['Boom', true, { why: 'secret reason' }] });
    const err = await failure(c.request('handle/result', { handle: h.handle }));
    expect(err.data?.type).to.equal('WorkflowFailureError');
    expect((err.data as Msg)?.cause?.details).to.deep.equal([{ why: 'secret reason' }]);
    const a = await start({ workflowType: 'withFailingActivity', args: [{ card: '5500' }] });
    let d: Msg = {};
    for (let i = 0; i < 100; i++) {
      d = await c.request<Msg>('handle/describe', { handle: a.handle });
      if (d.pendingActivities[0]?.lastFailure) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(d.pendingActivities[0].heartbeatDetails).to.deep.equal([{ detail: { card: '5500' }, at: 'before-failure' }]);
    expect(d.pendingActivities[0].lastFailure.details).to.deep.equal([{ card: '5500' }]);
    await c.request('handle/terminate', { handle: a.handle });
  });

  it('a Python SDK worker with the same codec: update-with-start and its outcome, decrypted both ways', async function () {
    this.timeout(120_000);
    const py = await startPythonWorker(undefined, { aesCodec: true });
    try {
      const r = await c.request<Msg>('workflow/executeUpdateWithStart', {
        start: { workflowType: 'updatable', taskQueue: py.taskQueue, workflowId: uniqueId('codec-py'), args: [100], idConflictPolicy: 'FAIL' },
        update: 'add',
        args: [23],
      });
      expect(r.value).to.equal(123);
      const q = await c.request<Msg>('handle/query', { handle: r.handle.handle, query: 'state' });
      expect(q.value).to.deep.include({ total: 123, applied: [23] });
      const hist = await c.request<Msg>('handle/fetchHistory', { handle: r.handle.handle });
      expect(hist.events[0].workflowExecutionStartedEventAttributes.input.payloads[0].metadata.encoding).to.equal(b64(ENCRYPTED));
      await c.request('handle/signal', { handle: r.handle.handle, signal: 'finish' });
      expect((await c.request<Msg>('handle/result', { handle: r.handle.handle })).value).to.deep.equal({ total: 123, applied: [23] });
    } finally {
      await py.stop();
    }
  });

  it('user and password in the endpoint go as Basic authorization, and appear in no status or error', async () => {
    const url = new URL(codec.url);
    const d = await startDaemon({ socket: true, args: ['--codec-endpoint', `http://ops:p%40ss@${url.host}/?tenant=t1`] });
    const c2 = await connectClient(d.socketPath!);
    try {
      await initialized(c2);
      const from = codec.requests.length;
      const h = await c2.request<Msg>('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId: uniqueId('codec-basic'), args: ['b'] });
      expect((await c2.request<Msg>('handle/result', { handle: h.handle })).value).to.equal('b');
      const first = codec.requests[from]!;
      expect(first.path).to.equal('/encode?tenant=t1');
      expect(first.headers.authorization).to.equal(`Basic ${Buffer.from('ops:p@ss').toString('base64')}`);
      const st = await c2.request<Msg>('daemon/status');
      expect(st.codec.endpoint).to.equal(`http://${url.host}/`);
      codec.fault = { kind: 'status', status: 500 };
      const err = await failure(c2.request('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId: uniqueId('codec-basic2'), args: ['c'] }));
      expect(err.message).to.not.contain('p%40ss').and.not.contain('ops:').and.not.contain('tenant');
      expect(d.d.stderr.join('\n')).to.not.contain('p%40ss');
    } finally {
      codec.fault = undefined;
      c2.destroy();
      await d.stop();
    }
  });

  it('daemon/status names the codec (no credentials) and counts its calls', async () => {
    const st = await c.request<Msg>('daemon/status');
    expect(st.codec.endpoint).to.equal(`${codec.url}/{namespace}`);
    expect(st.codec.encode.calls).to.be.above(0);
    expect(st.codec.decode.payloads).to.be.above(0);
    expect(JSON.stringify(st)).to.not.contain('codec-secret');
  });

  describe('when the codec server fails', () => {
    it('down: a start is a CodecError naming the endpoint, and nothing reached Temporal', async () => {
      await codec.stop();
      try {
        const workflowId = uniqueId('codec-down');
        const err = await failure(c.request('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId, args: ['x'] }));
        expect(err.code).to.equal(1013);
        expect(err.data).to.deep.include({ type: 'CodecError', operation: 'encode', httpStatus: null, endpoint: `${codec.url}/{namespace}` });
        expect(err.message).to.match(/could not be reached/);
        const h = await c.request<Msg>('workflow/getHandle', { workflowId });
        const nf = await failure(c.request('handle/describe', { handle: h.handle }));
        expect(nf.data).to.deep.include({ type: 'RPCError', status: 'NOT_FOUND' });
        // A call with no payloads needs no codec: a workflow with none still describes.
        const none = await c.request<Msg>('workflow/start', { workflowType: 'forever', taskQueue: plainWorker.taskQueue, workflowId: uniqueId('codec-none') });
        expect((await c.request<Msg>('handle/describe', { handle: none.handle })).status).to.equal('RUNNING');
        await c.request('handle/terminate', { handle: none.handle });
      } finally {
        await codec.start();
      }
    });

    it('an HTTP error (403, 500): CodecError with the status; a result is not answered from undecoded payloads', async () => {
      const h = await start({ workflowType: 'echo', args: ['fine'] });
      for (const status of [403, 500]) {
        codec.fault = { kind: 'status', status };
        const err = await failure(c.request('handle/result', { handle: h.handle }));
        expect(err.data).to.deep.include({ type: 'CodecError', operation: 'decode', httpStatus: status });
        expect(err.message).to.contain(`HTTP ${status}`);
      }
      codec.fault = undefined;
      expect((await c.request<Msg>('handle/result', { handle: h.handle })).value).to.equal('fine');
    });

    it("slow: the CodecError comes within the call's deadline (rpcTimeout)", async () => {
      codec.fault = { kind: 'slow', ms: 5000 };
      const t0 = Date.now();
      const err = await failure(c.request('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId: uniqueId('codec-slow'), args: ['x'], rpcTimeout: '700ms' }));
      expect(err.data).to.deep.include({ type: 'CodecError', operation: 'encode' });
      expect(err.message).to.match(/did not answer within 700 ms/);
      expect(Date.now() - t0).to.be.below(4500);
    });

    it('a wrong number of payloads, or a body that is not JSON: CodecError saying so', async () => {
      codec.fault = { kind: 'dropOne' };
      const err = await failure(c.request('workflow/start', { workflowType: 'echoArgs', taskQueue: worker.taskQueue, workflowId: uniqueId('codec-count'), args: [1, 2] }));
      expect(err.data?.type).to.equal('CodecError');
      expect(err.message).to.match(/answered 1 payloads for the 2 it was sent/);
      codec.fault = { kind: 'notJson' };
      const err2 = await failure(c.request('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId: uniqueId('codec-json'), args: [1] }));
      expect(err2.message).to.match(/not JSON/);
    });

    it('cancelling a call waiting on a slow codec answers -32800, and the daemon keeps serving', async () => {
      codec.fault = { kind: 'slow', ms: 3000 };
      const { id, promise } = c.requestWithId('workflow/start', { workflowType: 'echo', taskQueue: worker.taskQueue, workflowId: uniqueId('codec-cancel'), args: [1] });
      await new Promise((r) => setTimeout(r, 200));
      c.notify('$/cancelRequest', { id });
      const err = await rpcError(promise);
      expect(err.code).to.equal(-32800);
      codec.fault = undefined;
      expect((await c.request<Msg>('daemon/status')).codec.errors).to.be.above(0);
    });
  });

  // Last (child suites run after the tests of their parent, in order).
  describe('afterwards', () => {
    it('the auth value is in no error and no log line, even at debug', async () => {
      expect(errors.length).to.be.above(5);
      for (const e of errors) expect(e).to.not.contain('codec-secret');
      await new Promise((r) => setTimeout(r, 200));
      const log = s.d.stderr.join('\n');
      expect(log).to.match(/debug/);
      expect(log).to.not.contain('codec-secret');
    });
  });
});

describe('codec settings', function () {
  this.timeout(30_000);
  it('refuses a codec endpoint that is not an http(s) URL, and --codec-auth without an endpoint', async () => {
    await testEnv();
    for (const [args, message] of [
      [['--codec-endpoint', 'ftp://example/x'], /must be an http or https URL/],
      [['--codec-endpoint', 'not a url'], /is not a URL/],
      [['--codec-auth', 'x'], /need a codec endpoint/],
    ] as const) {
      const err = await startDaemon({ stdio: true, args: [...args] }).then(
        async (d) => {
          await d.stop();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(err, args.join(' ')).to.be.instanceOf(Error);
      expect(String(err!.message), args.join(' ')).to.match(message);
    }
  });
});
