/**
 * Bad input on one connection: each case answers the right error, the same
 * connection still answers correctly afterwards (unless the case is fatal), and a
 * well-behaved client on another connection is undisturbed.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, frame, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, uniqueId } from '../harness/env';

type Msg = Record<string, any>;

describe('bad input', function () {
  this.timeout(60_000);
  let s: StartedDaemon;
  /** The well-behaved client on its own connection. */
  let w: RawRpcClient;
  let wInfo: Msg;
  let c: RawRpcClient;
  const clients: RawRpcClient[] = [];

  const fresh = async (init = true) => {
    const x = await connectClient(s.socketPath!);
    clients.push(x);
    if (init) await initialized(x);
    return x;
  };

  /**
   * Writes `bytes`, then a valid request; returns what arrived before that request's
   * answer (the daemon answers bad input as it reads it, so all of it comes first).
   */
  const exchange = async (x: RawRpcClient, bytes: string | Buffer): Promise<Msg[]> => {
    const n = x.received.length;
    x.writeRaw(bytes);
    const { id, promise } = x.requestWithId<Msg>('daemon/status');
    const st = await promise;
    expect(st.uptime).to.be.a('number');
    return x.received.slice(n).filter((m) => m.id !== id);
  };

  const expectOneError = (msgs: Msg[], code: number, id: string | number | null = null) => {
    expect(msgs, JSON.stringify(msgs)).to.have.length(1);
    expect(msgs[0]!.jsonrpc).to.equal('2.0');
    expect(msgs[0]!.id).to.equal(id);
    expect(msgs[0]!.error.code).to.equal(code);
    expect(msgs[0]!.error.message).to.be.a('string');
    expect(msgs[0]!.error.data.type).to.be.a('string');
    return msgs[0]!.error;
  };

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    s = await startDaemon({ socket: true, args: ['--max-message-size', '65536'] });
    w = await connectClient(s.socketPath!);
    await initialized(w);
    wInfo = await w.request<Msg>('workflow/getHandle', { workflowId: uniqueId('watcher') });
  });

  beforeEach(async () => {
    c = await fresh();
  });

  afterEach(async () => {
    // The other client is undisturbed, and the daemon is alive.
    expect(await w.request('handle/info', { handle: wInfo.handle })).to.deep.equal(wInfo);
    expect(w.received.filter((m) => m.error && m.id === null)).to.deep.equal([]);
    expect(s.d.child.exitCode).to.equal(null);
    for (const x of clients.splice(0)) x.destroy();
  });

  after(async () => {
    await s?.stop();
  });

  describe('framing', () => {
    it('a header line without ":" answers -32700 (id null) once', async () => {
      const err = expectOneError(await exchange(c, 'Bogus header line\r\n\r\n'), -32700);
      expect(err.data.type).to.equal('ParseError');
      expect(err.message).to.match(/header/i);
    });

    it('a header line without ":" next to a Content-Length: the whole frame is refused, its request never runs', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 'smuggled', method: 'daemon/status' });
      const msgs = await exchange(c, `X-Bogus\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      expectOneError(msgs, -32700);
      await new Promise((r) => setTimeout(r, 100));
      expect(c.received.some((m) => m.id === 'smuggled')).to.equal(false);
    });

    it('a missing Content-Length answers -32700 once and the body is skipped', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 'no-length', method: 'daemon/status' });
      const msgs = await exchange(c, `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`);
      expect(expectOneError(msgs, -32700).message).to.match(/Content-Length/);
      expect(c.received.some((m) => m.id === 'no-length')).to.equal(false);
    });

    for (const value of ['abc', '-5', '12abc', '1e3', '']) {
      it(`a non-numeric Content-Length (${JSON.stringify(value)}) answers -32700 once`, async () => {
        const body = JSON.stringify({ jsonrpc: '2.0', id: 'bad-length', method: 'daemon/status' });
        expect(expectOneError(await exchange(c, `Content-Length: ${value}\r\n\r\n${body}`), -32700).message).to.match(/Content-Length/);
      });
    }

    it('an unsupported charset answers -32700 once', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 'latin', method: 'daemon/status' });
      const msgs = await exchange(c, `Content-Length: ${body.length}\r\nContent-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n${body}`);
      expectOneError(msgs, -32700);
    });

    it('a Content-Length that is too short answers -32700 once; the next frame is read', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 'short', method: 'daemon/status' });
      const msgs = await exchange(c, `Content-Length: ${Buffer.byteLength(body) - 12}\r\n\r\n${body}`);
      expectOneError(msgs, -32700);
    });

    it('a Content-Length that is too long answers -32700 once; the swallowed next frame is recovered', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 'long', method: 'daemon/status' });
      const msgs = await exchange(c, `Content-Length: ${Buffer.byteLength(body) + 20}\r\n\r\n${body}`);
      expectOneError(msgs, -32700);
    });

    it('invalid JSON answers -32700 with id null', async () => {
      for (const text of ['{"jsonrpc": "2.0", "id": 1, "method": ', 'not json at all', '{"a":1}}', '\u00ff\u00fe']) {
        const err = expectOneError(await exchange(c, frame(text)), -32700);
        expect(err.data.type).to.equal('ParseError');
      }
    });

    it('a header block that never ends answers -32700 once, then the stream resynchronises', async () => {
      const msgs = await exchange(c, Buffer.alloc(20_000, 'x'));
      expectOneError(msgs, -32700);
    });

    it('binary garbage between frames answers -32700 once', async () => {
      const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256));
      expectOneError(await exchange(c, Buffer.concat([garbage, Buffer.from('\r\n\r\n')])), -32700);
    });

    it('a frame split into single bytes is read', async () => {
      const bytes = frame({ jsonrpc: '2.0', id: 'split', method: 'handle/info', params: { handle: wInfo.handle } });
      for (const b of bytes) c.writeRaw(Buffer.from([b]));
      const m = await c.waitFor((x) => x.id === 'split');
      expect(m.result).to.deep.equal(wInfo);
    });
  });

  describe('JSON-RPC objects', () => {
    const cases: [string, unknown, string | number | null][] = [
      ['no jsonrpc', { id: 11, method: 'daemon/status' }, 11],
      ['a wrong jsonrpc', { jsonrpc: '1.0', id: 12, method: 'daemon/status' }, 12],
      ['jsonrpc as a number', { jsonrpc: 2.0, id: 13, method: 'daemon/status' }, 13],
      ['method not a string', { jsonrpc: '2.0', id: 14, method: 5 }, 14],
      ['method empty', { jsonrpc: '2.0', id: 15, method: '' }, 15],
      ['id an object', { jsonrpc: '2.0', id: { a: 1 }, method: 'daemon/status' }, null],
      ['id null', { jsonrpc: '2.0', id: null, method: 'daemon/status' }, null],
      ['id a boolean', { jsonrpc: '2.0', id: true, method: 'daemon/status' }, null],
      ['params a string', { jsonrpc: '2.0', id: 16, method: 'daemon/status', params: 'x' }, 16],
      ['params a number', { jsonrpc: '2.0', id: 17, method: 'daemon/status', params: 3 }, 17],
      ['an empty batch', [], null],
      ['a number', '42', null],
      ['a string', '"hello"', null],
      ['null', 'null', null],
      ['neither method nor result', { jsonrpc: '2.0', id: 20 }, 20],
    ];
    for (const [what, value, id] of cases) {
      it(`${what} answers -32600`, async () => {
        const err = expectOneError(await exchange(c, frame(value)), -32600, id);
        expect(err.data.type).to.equal('InvalidRequest');
      });
    }

    it('an id already used by a request in progress answers -32600; every request gets exactly one answer', async () => {
      const n = c.received.length;
      c.writeRaw(
        Buffer.concat([
          frame({ jsonrpc: '2.0', id: 7, method: 'rpc.discover' }),
          frame({ jsonrpc: '2.0', id: '7', method: 'daemon/status' }),
          frame({ jsonrpc: '2.0', id: 8, method: 'daemon/status' }),
          frame({ jsonrpc: '2.0', id: 8, method: 'handle/info', params: { handle: wInfo.handle } }),
        ]),
      );
      await c.request('daemon/status');
      await new Promise((r) => setTimeout(r, 100));
      const got: Msg[] = c.received.slice(n).filter((m) => m.id === 7 || m.id === '7' || m.id === 8);
      expect(got).to.have.length(4);
      expect(got.filter((m) => m.error?.code === -32600).map((m) => m.id)).to.have.members(['7', 8]);
      expect(got.find((m) => m.id === 7)!.result.openrpc).to.be.a('string');
      expect(got.find((m) => m.id === 8 && m.result)!.result.uptime).to.be.a('number');
      // Once answered, an id can be used again.
      expect((await c.requestAs<Msg>(7, 'daemon/status')).uptime).to.be.a('number');
      expect((await c.requestAs<Msg>('7', 'daemon/status')).uptime).to.be.a('number');
    });

    it('a response to an unknown request id is ignored', async () => {
      expect(await exchange(c, frame({ jsonrpc: '2.0', id: 999, result: 1 }))).to.deep.equal([]);
      expect(await exchange(c, frame({ jsonrpc: '2.0', id: 998, error: { code: 1, message: 'x' } }))).to.deep.equal([]);
    });

    it('a malformed notification ($/cancelRequest without params or with a bad id, params a string) is never answered (JSON-RPC 2.0 section 4.1), and the daemon survives', async () => {
      const malformed = [
        ...[undefined, {}, { id: { x: 1 } }, { id: null }, []].map((params) =>
          params === undefined ? { jsonrpc: '2.0', method: '$/cancelRequest' } : { jsonrpc: '2.0', method: '$/cancelRequest', params },
        ),
        { jsonrpc: '2.0', method: 'initialized', params: 'x' },
      ];
      for (const msg of malformed) expect(await exchange(c, frame(msg)), JSON.stringify(msg)).to.deep.equal([]);
      expect((await c.request<Msg>('daemon/status')).uptime).to.be.a('number');
    });

    it('"params": null is no params, on requests and notifications (as Emacs jsonrpc.el sends them)', async () => {
      const [m] = await exchange(c, frame({ jsonrpc: '2.0', id: 18, method: 'daemon/status', params: null }));
      expect(m!.id).to.equal(18);
      expect(m!.result.uptime).to.be.a('number');
      expect(await exchange(c, frame({ jsonrpc: '2.0', method: 'initialized', params: null }))).to.deep.equal([]);
    });

    it('an unknown method answers -32601; an unknown notification is ignored', async () => {
      const e = await rpcError(c.request('workflow/teleport', {}));
      expect(e.code).to.equal(-32601);
      expect(e.data.type).to.equal('MethodNotFound');
      expect(e.message).to.include('workflow/teleport');
      expect(await exchange(c, frame({ jsonrpc: '2.0', method: 'some/notification', params: {} }))).to.deep.equal([]);
      expect((await rpcError(c.request('$/setTrace', {}))).code).to.equal(-32601);
    });
  });

  describe('params', () => {
    const start = { workflowType: 'echo', taskQueue: 'tq-bad-params', workflowId: 'wf-bad-params' };
    const cases: [string, string, unknown, RegExp][] = [
      ['workflow/start without workflowId', 'workflow/start', { workflowType: 'echo', taskQueue: 'tq' }, /"workflowId" is required/],
      ['workflow/start without params', 'workflow/start', undefined, /"workflowType" is required/],
      ['workflow/start with workflowId a number', 'workflow/start', { ...start, workflowId: 5 }, /"workflowId" must be a string/],
      ['workflow/start with args not an array', 'workflow/start', { ...start, args: 'x' }, /"args" must be an array/],
      ['workflow/start with retryPolicy.backoffCoefficient a string', 'workflow/start', { ...start, retryPolicy: { backoffCoefficient: '2' } }, /retryPolicy\.backoffCoefficient/],
      ['workflow/start with an unknown retryPolicy field', 'workflow/start', { ...start, retryPolicy: { maxAttempts: 2 } }, /retryPolicy.*maxAttempts/],
      ['workflow/start with idReusePolicy an unknown value', 'workflow/start', { ...start, idReusePolicy: 'SOMETIMES' }, /idReusePolicy/],
      ['workflow/start with idConflictPolicy an unknown value', 'workflow/start', { ...start, idConflictPolicy: 'fail' }, /idConflictPolicy/],
      ['workflow/start with executionTimeout "abc"', 'workflow/start', { ...start, executionTimeout: 'abc' }, /executionTimeout/],
      ['workflow/start with runTimeout "10 parsecs"', 'workflow/start', { ...start, runTimeout: '10 parsecs' }, /runTimeout/],
      ['workflow/start with retryPolicy.initialInterval "soon"', 'workflow/start', { ...start, retryPolicy: { initialInterval: 'soon' } }, /retryPolicy\.initialInterval/],
      ['workflow/start with startDelay negative', 'workflow/start', { ...start, startDelay: -5 }, /startDelay/],
      ['workflow/start with memo not an object', 'workflow/start', { ...start, memo: [1] }, /memo/],
      ['workflow/start with an unknown param', 'workflow/start', { ...start, workflowID: 'x' }, /workflowID/],
      ['params by position', 'handle/info', ['a', 'b'], /by name/],
      ['handle/info without handle', 'handle/info', {}, /"handle" is required/],
      ['handle/info with handle a number', 'handle/info', { handle: 42 }, /"handle" must be a string/],
      ['handle/info with an empty handle', 'handle/info', { handle: '' }, /"handle" must not be empty/],
      ['handle/query without query', 'handle/query', { handle: 'wh_x' }, /"query" is required/],
      ['handle/query with rejectCondition an unknown value', 'handle/query', { handle: 'wh_x', query: 'q', rejectCondition: 'MAYBE' }, /rejectCondition/],
      ['handle/signal with args an object', 'handle/signal', { handle: 'wh_x', signal: 's', args: { a: 1 } }, /"args" must be an array/],
      ['handle/result with followRuns a string', 'handle/result', { handle: 'wh_x', followRuns: 'yes' }, /followRuns/],
      ['handle/result with workDoneToken an object', 'handle/result', { handle: 'wh_x', workDoneToken: {} }, /workDoneToken/],
      ['handle/terminate with details a string', 'handle/terminate', { handle: 'wh_x', details: 'd' }, /details/],
      ['workflow/getHandle with runId a number', 'workflow/getHandle', { workflowId: 'w', runId: 7 }, /runId/],
      ['daemon/status with an unknown param', 'daemon/status', { verbose: true }, /verbose/],
    ];
    for (const [what, method, params, re] of cases) {
      it(`${what} answers -32602 naming the param`, async () => {
        const e = await rpcError(c.request(method, params));
        expect(e.code).to.equal(-32602);
        expect(e.data.type).to.equal('InvalidParams');
        expect(e.message).to.match(re);
        await c.request('daemon/status');
      });
    }
  });

  describe('size limit (--max-message-size 65536)', () => {
    it('a message over the limit answers 1009 and that client is dropped; others are fine', async () => {
      const big = { jsonrpc: '2.0', id: 'big', method: 'handle/info', params: { handle: 'x'.repeat(70_000) } };
      c.writeRaw(frame(big));
      const m = await c.waitFor((x) => !!x.error);
      expect(m.id).to.equal(null);
      expect((m.error as Msg).code).to.equal(1009);
      expect((m.error as Msg).data.type).to.equal('MessageTooLarge');
      await c.whenClosed(5000);
      expect(c.received.some((x) => x.id === 'big')).to.equal(false);
    });

    it('only the announced length counts: the header alone is enough to drop the client', async () => {
      c.writeRaw('Content-Length: 1000000000\r\n\r\n');
      const m = await c.waitFor((x) => !!x.error);
      expect((m.error as Msg).code).to.equal(1009);
      await c.whenClosed(5000);
    });

    it('a message just under the limit is served', async () => {
      const e = await rpcError(c.request('handle/info', { handle: 'x'.repeat(60_000) }));
      expect(e.data).to.include({ type: 'InvalidHandleError', reason: 'unknown' });
    });
  });

  describe('lifecycle', () => {
    it('requests before initialize answer -32002; rpc.discover is allowed; notifications are ignored', async () => {
      const x = await fresh(false);
      for (const method of ['daemon/status', 'workflow/start', 'handle/info', 'shutdown', 'no/such/method']) {
        const e = await rpcError(x.request(method, {}));
        expect(e.code, method).to.equal(-32002);
        expect(e.data.type).to.equal('ServerNotInitialized');
      }
      const n = x.received.length;
      x.notify('initialized', {});
      x.notify('some/notification', {});
      expect((await x.request<Msg>('rpc.discover')).openrpc).to.be.a('string');
      expect(x.received.length).to.equal(n + 1);
      await initialized(x);
      await x.request('daemon/status');
    });

    it('a second initialize answers -32600', async () => {
      const e = await rpcError(c.request('initialize', {}));
      expect(e.code).to.equal(-32600);
      expect(e.data.type).to.equal('InvalidRequest');
      await c.request('daemon/status');
    });

    it('requests after shutdown answer -32600; exit then closes the connection', async () => {
      expect(await c.request('shutdown')).to.equal(null);
      for (const method of ['daemon/status', 'handle/info', 'initialize', 'shutdown', 'rpc.discover']) {
        const e = await rpcError(c.request(method, method === 'handle/info' ? { handle: wInfo.handle } : {}));
        expect(e.code, method).to.equal(-32600);
      }
      c.notify('exit');
      await c.whenClosed(5000);
    });
  });

  describe('volume', () => {
    it('10,000 requests at once from one client are all answered correctly', async function () {
      this.timeout(120_000);
      const info = await c.request<Msg>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId('volume') });
      const N = 10_000;
      const frames: Buffer[] = [];
      const kinds = new Map<number, string>();
      for (let i = 0; i < N; i++) {
        const id = 100_000 + i;
        const method = i % 100 === 0 ? 'handle/describe' : i % 2 === 0 ? 'handle/info' : 'daemon/status';
        kinds.set(id, method);
        frames.push(frame({ jsonrpc: '2.0', id, method, params: method === 'daemon/status' ? {} : { handle: info.handle } }));
      }
      const answers = new Map<number, Msg>();
      let dup = 0;
      c.on('orphan', (m: Msg) => {
        if (typeof m.id !== 'number' || !kinds.has(m.id)) return;
        if (answers.has(m.id)) dup++;
        answers.set(m.id, m);
      });
      const t0 = Date.now();
      c.writeRaw(Buffer.concat(frames));
      while (answers.size < N && Date.now() - t0 < 100_000) await new Promise((r) => setTimeout(r, 50));
      expect(answers.size).to.equal(N);
      expect(dup).to.equal(0);
      for (const [id, method] of kinds) {
        const m = answers.get(id)!;
        expect(m.error, `${method} ${id}: ${JSON.stringify(m.error)}`).to.equal(undefined);
        if (method === 'handle/info') expect(m.result).to.deep.equal(info);
        else if (method === 'daemon/status') expect(m.result.uptime).to.be.a('number');
        else expect(m.result).to.include({ workflowId: info.workflowId, status: 'RUNNING' });
      }
      await c.request('handle/terminate', { handle: info.handle });
    });
  });
});
