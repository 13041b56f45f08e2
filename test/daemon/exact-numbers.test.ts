/**
 * Numbers a double would change (int64 IDs, `1.0`) go through the daemon exactly
 * as written, both ways, on the real server. Memo, search attributes and
 * termination details are stored by the server as sent, so no worker (whose own
 * JSON parsing would round them) is in the way.
 */
import { expect } from 'chai';
import { initialized, spawnDaemon, stdioClient, type DaemonProcess } from '../harness/daemon';
import { testEnv, uniqueId } from '../harness/env';
import type { RawRpcClient } from '../harness/rpc-client';

const BIG = '12345678901234567891';
const INT64_MAX = '9223372036854775807';

describe('exact numbers through the daemon', function () {
  this.timeout(30_000);
  let d: DaemonProcess;
  let c: RawRpcClient;

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    d = await spawnDaemon(['--stdio']);
    c = stdioClient(d);
    await initialized(c);
  });
  after(async () => {
    await d?.kill();
  });

  async function start(extra: string): Promise<string> {
    const text = await c.requestText('workflow/start', `{"workflowType":"echo","taskQueue":"${uniqueId('nobody')}","workflowId":"${uniqueId('exact')}"${extra}}`);
    const handle = JSON.parse(text).result?.handle as string | undefined;
    expect(handle, text).to.be.a('string');
    return handle!;
  }

  it('memo values: big integers, 1.0, 1E5 and -0 come back in describe as they were sent', async () => {
    const fields = [`"id":${BIG}`, '"f":1.0', '"e":1E5', '"z":-0', `"list":[${BIG},2]`, '"plain":7'];
    const handle = await start(`,"memo":{${fields.join(',')}}`);
    const text = await c.requestText('handle/describe', `{"handle":"${handle}"}`);
    // The server keeps memo fields in a map: their order may change, their text may not.
    const memo = /"memo":(\{[^{}]*\})/.exec(text)?.[1];
    expect(memo, text).to.be.a('string');
    for (const f of fields) expect(memo).to.contain(f);
    await c.request('handle/terminate', { handle });
  });

  it('an Int search attribute of int64 max is stored and described exactly', async () => {
    const handle = await start(`,"searchAttributes":{"CustomIntField":${INT64_MAX}}`);
    const text = await c.requestText('handle/describe', `{"handle":"${handle}"}`);
    expect(text).to.match(new RegExp(`"searchAttributes":\\{[^}]*"CustomIntField":${INT64_MAX}[,}]`));
    await c.request('handle/terminate', { handle });
  });

  it('termination details come back exactly in the result error', async () => {
    const handle = await start('');
    await c.requestText('handle/terminate', `{"handle":"${handle}","reason":"r","details":[${BIG},{"n":-${BIG}}]}`);
    const text = await c.requestText('handle/result', `{"handle":"${handle}"}`);
    expect(text).to.contain(`"details":[${BIG},{"n":-${BIG}}]`);
  });

  it('numeric params written as 3.0 or 1.5e3 are read as numbers', async () => {
    const handle = await start(',"retryPolicy":{"maximumAttempts":3.0,"backoffCoefficient":2.0,"initialInterval":1.5e3},"executionTimeout":6.0e4');
    const desc = await c.request<{ status: string }>('handle/describe', { handle });
    expect(desc.status).to.equal('RUNNING');
    await c.request('handle/terminate', { handle });
  });

  it('an id a double cannot hold is refused by name; 1.0 is used as 1', async () => {
    const write = (body: string) => {
      const b = Buffer.from(body, 'utf8');
      c.writeRaw(Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]));
    };
    write(`{"jsonrpc":"2.0","id":${BIG},"method":"daemon/status"}`);
    const refused = await c.waitFor(
      (m) => m.id === null && typeof (m.error as { message?: string })?.message === 'string' && /cannot be echoed exactly/.test((m.error as { message: string }).message),
    );
    expect((refused.error as { code: number; message: string }).code).to.equal(-32600);
    expect((refused.error as { message: string }).message).to.contain(`"id" ${BIG} cannot be echoed exactly`);
    const seen = c.received.length;
    write('{"jsonrpc":"2.0","id":1.0,"method":"daemon/status"}');
    const answered = await c.waitFor((m) => c.received.indexOf(m) >= seen && m.id === 1 && 'result' in m);
    expect((answered.result as { pid: number }).pid).to.equal(d.child.pid);
    // The daemon goes on serving.
    expect((await c.request<{ pid: number }>('daemon/status')).pid).to.equal(d.child.pid);
  });

  it('a number is not params: "params": 1.0 is an invalid request, [1.0] invalid params', async () => {
    const status = await c.requestText('daemon/status', '1.0');
    expect(JSON.parse(status).error).to.include({ code: -32600 });
    expect(JSON.parse(status).error.message).to.contain('"params" must be an object or an array');
    const positional = await c.requestText('daemon/status', '[1.0]');
    expect(JSON.parse(positional).error).to.include({ code: -32602 });
    expect(JSON.parse(positional).error.message).to.contain('takes its params by name');
  });

  it('a field named __proto__ is an ordinary key: kept in memo, an unknown field in retryPolicy', async () => {
    // Exact numbers have been seen by now, so params go through the numeric conversion.
    const handle = await start(`,"memo":{"__proto__":{"x":1},"n":${BIG}}`);
    const text = await c.requestText('handle/describe', `{"handle":"${handle}"}`);
    const memo = /"memo":(\{.*?\}\})/.exec(text)?.[1] ?? text;
    expect(memo).to.contain('"__proto__":{"x":1}');
    expect(memo).to.contain(`"n":${BIG}`);
    await c.request('handle/terminate', { handle });
    const bad = await c.requestText('workflow/start', `{"workflowType":"echo","taskQueue":"q","workflowId":"${uniqueId('p')}","retryPolicy":{"__proto__":{"maximumAttempts":1.0}}}`);
    expect(JSON.parse(bad).error).to.include({ code: -32602 });
    expect(JSON.parse(bad).error.message).to.contain('unknown field "__proto__"');
  });
});
