/**
 * The session in memory (no server): lifecycle, validation, error kinds, exact input,
 * and cancellation accounting that cannot drift.
 */
import { expect } from 'chai';
import type { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes } from '@temporal-handled/protocol';
import { inMemoryDaemon, frame, until, type InMemory } from '../harness/in-memory';

async function rejection(p: Promise<unknown>): Promise<ResponseError<{ type: string }>> {
  try {
    await p;
  } catch (err) {
    return err as ResponseError<{ type: string }>;
  }
  throw new Error('expected a rejection');
}

describe('session (in memory, no server)', function () {
  let m: InMemory;
  beforeEach(() => (m = inMemoryDaemon()));
  afterEach(async () => m.close());

  const init = () => m.client.sendRequest('initialize', { clientInfo: { name: 'unit' } });

  it('answers rpc.discover before initialize, and -32002 for anything else', async () => {
    const doc = (await m.client.sendRequest('rpc.discover')) as { openrpc: string };
    expect(doc.openrpc).to.equal('1.4.1');
    const e = await rejection(m.client.sendRequest('daemon/status'));
    expect(e.code).to.equal(ErrorCodes.ServerNotInitialized);
    expect(e.data?.type).to.equal('ServerNotInitialized');
  });

  it('initializes once; a second initialize is InvalidRequest', async () => {
    const r = (await init()) as { serverInfo: { name: string }; capabilities: { methods: string[] } };
    expect(r.serverInfo.name).to.equal('temporal-handled');
    expect(r.capabilities.methods).to.include('handle/result');
    const e = await rejection(init());
    expect(e.code).to.equal(ErrorCodes.InvalidRequest);
  });

  it('validates params against the contract, naming the param', async () => {
    await init();
    const cases: [string, unknown, RegExp][] = [
      ['workflow/start', { workflowType: 'w', taskQueue: 'q' }, /"workflowId" is required/],
      ['workflow/start', { workflowType: 'w', taskQueue: 'q', workflowId: 5 }, /"workflowId" must be a string, got integer/],
      ['workflow/start', { workflowType: 'w', taskQueue: 'q', workflowId: 'x', idReusePolicy: 'SOMETIMES' }, /"idReusePolicy" must be one of ALLOW_DUPLICATE, .*; got "SOMETIMES"/],
      ['workflow/start', { workflowType: 'w', taskQueue: 'q', workflowId: 'x', retryPolicy: { maxAttempts: 1 } }, /"retryPolicy" has an unknown field "maxAttempts"/],
      ['workflow/start', { workflowType: 'w', taskQueue: 'q', workflowId: 'x', retryPolicy: { backoffCoefficient: 0.5 } }, /"retryPolicy.backoffCoefficient" must be at least 1/],
      ['workflow/start', { workflowType: 'w', taskQueue: 'q', workflowId: 'x', args: [1, 2], memo: [1] }, /"memo" must be an object, got array/],
      ['workflow/getHandle', { workflowId: 'w', runId: 7 }, /"runId" must be a string or null, got integer/],
      ['handle/info', { handle: '' }, /"handle" must not be empty/],
      ['handle/info', { handle: 'h', extra: 1 }, /unknown param "extra" for handle\/info/],
      ['handle/result', { handle: 'h', workDoneToken: {} }, /"workDoneToken" must be a string or an integer, got object/],
    ];
    for (const [method, params, re] of cases) {
      const e = await rejection(m.client.sendRequest(method, params));
      expect(e.code, method).to.equal(ErrorCodes.InvalidParams);
      expect(e.message, JSON.stringify(params)).to.match(re);
    }
  });

  it('an unknown handle is InvalidHandleError, a bad duration InvalidParams (not an internal error)', async () => {
    await init();
    const e = await rejection(m.client.sendRequest('handle/describe', { handle: 'wh_nope' }));
    expect(e.data?.type).to.equal('InvalidHandleError');
    const d = await rejection(m.client.sendRequest('workflow/start', { workflowType: 'w', taskQueue: 'q', workflowId: 'x', runTimeout: '10 parsecs' }));
    expect(d.code).to.equal(ErrorCodes.InvalidParams);
    expect(d.message).to.match(/runTimeout/);
  });

  it('refuses a body that is not UTF-8 (-32700) instead of altering it, and keeps serving', async () => {
    await init();
    const body = Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":"u1","method":"workflow/getHandle","params":{"workflowId":"adv-'), Buffer.from([0xff, 0xfe]), Buffer.from('-x"}}')]);
    m.raw(frame(body));
    await until(() => m.received.some((r) => (r as { error?: { code: number } }).error?.code === ErrorCodes.ParseError), 5000, 'the parse error');
    const err = m.received.find((r) => (r as { error?: { code: number } }).error?.code === ErrorCodes.ParseError) as { error: { message: string } };
    expect(err.error.message).to.match(/not valid UTF-8/);
    expect(m.received.some((r) => (r as { id?: string }).id === 'u1')).to.equal(false);
    expect(await m.client.sendRequest('daemon/status')).to.have.property('clients', 1);
  });

  it('answers two conflicting Content-Length headers once, and resynchronises', async () => {
    await init();
    const before = m.received.length;
    const body = '{"jsonrpc":"2.0","id":"c1","method":"daemon/status"}';
    m.raw(Buffer.from(`Content-Length: ${body.length}\r\nContent-Length: ${body.length + 7}\r\n\r\n${body}garbage`));
    const status = await m.client.sendRequest('daemon/status');
    expect(status).to.have.property('clients', 1);
    const errors = m.received.slice(before).filter((r) => (r as { error?: unknown }).error !== undefined);
    expect(errors, JSON.stringify(errors)).to.have.length(1);
    expect((errors[0] as { error: { code: number; message: string } }).error.message).to.match(/conflicting Content-Length/);
  });

  it('10,000 cancels on one connection never stall it; nothing stays in flight', async function () {
    this.timeout(120_000);
    await init();
    const info = (await m.client.sendRequest('workflow/getHandle', { workflowId: 'wf-cancel' })) as { handle: string };
    for (let round = 0; round < 200; round++) {
      const { CancellationTokenSource } = await import('vscode-jsonrpc/node');
      const sources = Array.from({ length: 50 }, () => new CancellationTokenSource());
      const waits = sources.map((s) => rejection(m.client.sendRequest('handle/result', { handle: info.handle }, s.token)));
      // Half are cancelled at once (maybe before dispatch), half once every wait is running.
      sources.slice(0, 25).forEach((s) => s.cancel());
      if (round % 20 === 0) await until(() => m.session.inFlightCount >= 25, 5000, 'waits in flight');
      sources.slice(25).forEach((s) => s.cancel());
      const errs = await Promise.all(waits);
      for (const e of errs) expect(e.code).to.equal(ErrorCodes.RequestCancelled);
    }
    const status = (await m.client.sendRequest('daemon/status')) as { inFlight: number };
    expect(status.inFlight).to.equal(0);
    expect(m.session.inFlightCount).to.equal(0);
  });

  it("window/workDoneProgress/cancel with a wait's progress token cancels that wait (-32800)", async () => {
    await init();
    const info = (await m.client.sendRequest('workflow/getHandle', { workflowId: 'wf-wd' })) as { handle: string };
    const wait = rejection(m.client.sendRequest('handle/result', { handle: info.handle, workDoneToken: 'wd-1' }));
    await until(() => m.session.inFlightCount === 1, 5000, 'the wait in flight');
    await m.client.sendNotification('window/workDoneProgress/cancel', { token: 'other' });
    await m.client.sendNotification('window/workDoneProgress/cancel', { token: 'wd-1' });
    expect((await wait).code).to.equal(ErrorCodes.RequestCancelled);
  });

  it('sends its log lines about the connection as window/logMessage once asked ($/setTrace, initializationOptions.logLevel), and stops on off', async () => {
    const lines: { type: number; message: string }[] = [];
    m.client.onNotification('window/logMessage', (p: unknown) => {
      lines.push(p as { type: number; message: string });
    });
    await m.client.sendRequest('initialize', { initializationOptions: { logLevel: 'warn' } });
    await m.client.sendRequest('daemon/status');
    expect(lines, 'nothing at warn for a status call').to.deep.equal([]);
    await m.client.sendNotification('$/setTrace', { value: 'verbose' });
    await m.client.sendRequest('daemon/status');
    await until(() => lines.some((l) => l.type === 4 && /daemon\/status/.test(l.message)), 5000, 'a debug line');
    await m.client.sendNotification('$/setTrace', { value: 'off' });
    await m.client.sendRequest('daemon/status');
    const n = lines.length;
    await m.client.sendRequest('daemon/status');
    expect(lines.length).to.equal(n);
  });

  it("bounds one client's Temporal calls: the rest queue in order, still cancellable, and daemon/status says so", async function () {
    this.timeout(20_000);
    await m.close();
    m = inMemoryDaemon({ maxCallsPerClient: 2 });
    await init();
    const info = (await m.client.sendRequest('workflow/getHandle', { workflowId: 'wf-fair' })) as { handle: string };
    const { CancellationTokenSource } = await import('vscode-jsonrpc/node');
    const sources = Array.from({ length: 6 }, () => new CancellationTokenSource());
    const calls = sources.map((src) => rejection(m.client.sendRequest('handle/describe', { handle: info.handle }, src.token)));
    await until(() => m.session.queuedCount === 4, 5000, 'four queued');
    const st = (await m.client.sendRequest('daemon/status')) as { queued: number; maxCallsPerClient: number; inFlight: number };
    expect(st).to.deep.include({ queued: 4, maxCallsPerClient: 2 });
    // A queued call is cancelled where it waits; a result wait is not held back by the bound.
    sources[5]!.cancel();
    expect((await calls[5]!).code).to.equal(ErrorCodes.RequestCancelled);
    expect(m.session.queuedCount).to.equal(3);
    const wait = rejection(m.client.sendRequest('handle/result', { handle: info.handle }, sources[0]!.token));
    await until(() => m.session.inFlightCount === 6, 5000, 'the wait running beside the queued calls');
    for (const s of sources) s.cancel();
    for (const c of [...calls, wait]) expect((await c).code).to.equal(ErrorCodes.RequestCancelled);
    expect(m.session.queuedCount).to.equal(0);
  });
});
