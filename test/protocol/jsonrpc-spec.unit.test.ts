/**
 * The JSON-RPC 2.0 specification's section 7 examples, against the daemon's session (in
 * memory), with the spec's methods replaced by the daemon's: `daemon/status` for `sum`,
 * `handle/info` of an unknown handle for a method that fails, unknown names for `foo.get`.
 */
import { expect } from 'chai';
import { inMemoryDaemon, frame, until, type InMemory } from '../harness/in-memory';

type Msg = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string } };

describe('JSON-RPC 2.0 section 7 examples', function () {
  let m: InMemory;
  beforeEach(async () => {
    m = inMemoryDaemon();
    await m.client.sendRequest('initialize', {});
  });
  afterEach(async () => m.close());

  /** Sends raw text, then a marker request; returns what the daemon wrote before the marker's answer. */
  async function exchange(text: string): Promise<unknown[]> {
    const n = m.received.length;
    m.raw(frame(text));
    m.raw(frame('{"jsonrpc":"2.0","id":"marker","method":"daemon/status"}'));
    await until(() => m.received.slice(n).some((r) => (r as Msg).id === 'marker'), 5000, 'the marker');
    return m.received.slice(n).filter((r) => (r as Msg).id !== 'marker');
  }

  it('a call with positional params to a method taking named ones: -32602 (the daemon takes params by name)', async () => {
    const [r] = (await exchange('{"jsonrpc": "2.0", "method": "daemon/status", "params": [42, 23], "id": 1}')) as Msg[];
    expect(r!.id).to.equal(1);
    expect(r!.error!.code).to.equal(-32602);
  });

  it('a call with named params', async () => {
    const [r] = (await exchange('{"jsonrpc": "2.0", "method": "workflow/getHandle", "params": {"workflowId": "w"}, "id": 3}')) as Msg[];
    expect(r!.id).to.equal(3);
    expect(r!.result).to.have.property('workflowId', 'w');
  });

  it('a notification: no answer', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}')).to.deep.equal([]);
    expect(await exchange('{"jsonrpc": "2.0", "method": "foobar"}')).to.deep.equal([]);
  });

  it('a call of a method that does not exist: -32601', async () => {
    const [r] = (await exchange('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')) as Msg[];
    expect(r).to.deep.include({ jsonrpc: '2.0', id: '1' });
    expect(r!.error!.code).to.equal(-32601);
  });

  it('invalid JSON: -32700 with id null', async () => {
    const [r] = (await exchange('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')) as Msg[];
    expect(r!.id).to.equal(null);
    expect(r!.error!.code).to.equal(-32700);
  });

  it('an invalid request object: -32600 with id null', async () => {
    const [r] = (await exchange('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')) as Msg[];
    expect(r!.id).to.equal(null);
    expect(r!.error!.code).to.equal(-32600);
  });

  it('a batch that is invalid JSON: one -32700', async () => {
    const got = (await exchange('[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]')) as Msg[];
    expect(got).to.have.length(1);
    expect(got[0]!.error!.code).to.equal(-32700);
  });

  it('an empty batch: one -32600, not an array', async () => {
    const got = (await exchange('[]')) as Msg[];
    expect(got).to.have.length(1);
    expect(Array.isArray(got[0])).to.equal(false);
    expect(got[0]!.id).to.equal(null);
    expect(got[0]!.error!.code).to.equal(-32600);
  });

  it('a batch of one invalid element: an array of one -32600', async () => {
    const [arr] = (await exchange('[1]')) as Msg[][];
    expect(arr).to.be.an('array').with.length(1);
    expect(arr![0]).to.deep.include({ id: null });
    expect(arr![0]!.error!.code).to.equal(-32600);
  });

  it('a batch of three invalid elements: an array of three -32600', async () => {
    const [arr] = (await exchange('[1,2,3]')) as Msg[][];
    expect(arr).to.be.an('array').with.length(3);
    for (const r of arr!) expect(r.error!.code).to.equal(-32600);
  });

  it('a mixed batch: one array, an answer per request and per invalid element, none for notifications', async () => {
    const got = (await exchange(
      JSON.stringify([
        { jsonrpc: '2.0', method: 'daemon/status', id: '1' },
        { jsonrpc: '2.0', method: 'notify_hello', params: [7] },
        { jsonrpc: '2.0', method: 'handle/info', params: { handle: 'wh_unknown' }, id: '2' },
        { foo: 'boo' },
        { jsonrpc: '2.0', method: 'foo.get', params: { name: 'myself' }, id: '5' },
        { jsonrpc: '2.0', method: 'workflow/getHandle', params: { workflowId: 'w9' }, id: '9' },
      ]),
    )) as Msg[][];
    expect(got).to.have.length(1);
    const arr = got[0]!;
    expect(arr).to.be.an('array').with.length(5);
    const byId = new Map(arr.map((r) => [r.id, r]));
    expect(byId.get('1')!.result).to.have.property('clients', 1);
    expect(byId.get('2')!.error!.code).to.equal(1007);
    expect(byId.get('5')!.error!.code).to.equal(-32601);
    expect(byId.get('9')!.result).to.have.property('workflowId', 'w9');
    expect(byId.get(null)!.error!.code).to.equal(-32600);
  });

  it('a batch of notifications only: nothing at all', async () => {
    expect(await exchange('[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]')).to.deep.equal([]);
  });

  it('a request in a batch can be cancelled like any other', async () => {
    const info = (await m.client.sendRequest('workflow/getHandle', { workflowId: 'wb' })) as { handle: string };
    const n = m.received.length;
    m.raw(
      frame(
        JSON.stringify([
          { jsonrpc: '2.0', id: 'w1', method: 'handle/result', params: { handle: info.handle } },
          { jsonrpc: '2.0', id: 's1', method: 'daemon/status' },
        ]),
      ),
    );
    await until(() => m.session.inFlightCount >= 1, 5000, 'the wait in flight');
    m.raw(frame(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'w1' } })));
    await until(() => m.received.slice(n).some((r) => Array.isArray(r)), 5000, 'the batch answer');
    const arr = m.received.slice(n).find((r) => Array.isArray(r)) as Msg[];
    expect(arr.find((r) => r.id === 'w1')!.error!.code).to.equal(-32800);
    expect(arr.find((r) => r.id === 's1')!.result).to.have.property('clients');
  });
});
