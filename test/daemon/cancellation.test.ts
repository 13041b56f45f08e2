/**
 * `$/cancelRequest`: an in-flight result long poll is aborted, the request answers
 * -32800, and the daemon's in-flight count returns to its baseline.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, until, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, uniqueId } from '../harness/env';

interface Status {
  inFlight: number;
  grpcInFlight: number;
}

describe('$/cancelRequest', function () {
  this.timeout(30_000);
  let s: StartedDaemon;
  let c: RawRpcClient;
  let handle: string;
  let baseline: Status;

  const status = () => c.request<Status>('daemon/status');

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    s = await startDaemon({ socket: true });
    c = await connectClient(s.socketPath!);
    await initialized(c);
    // No worker polls this task queue: the workflow stays open and result long-polls.
    handle = (await c.request<{ handle: string }>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId() })).handle;
    baseline = await status();
  });

  after(async () => {
    if (handle) await c.request('handle/terminate', { handle }).catch(() => undefined);
    await s?.stop();
  });

  it('aborts the in-flight result long poll: -32800, inFlight back to baseline', async () => {
    const { id, promise } = c.requestWithId('handle/result', { handle });
    await until(
      async () => {
        const st = await status();
        return st.inFlight === baseline.inFlight + 1 && st.grpcInFlight > baseline.grpcInFlight;
      },
      5000,
      'the long poll to be in flight',
    );
    const t0 = Date.now();
    c.cancel(id);
    const e = await rpcError(promise);
    expect(e.code).to.equal(-32800);
    expect(e.data.type).to.equal('RequestCancelled');
    expect(Date.now() - t0).to.be.below(2000);
    const after = await until(
      async () => {
        const st = await status();
        return st.inFlight === baseline.inFlight && st.grpcInFlight === baseline.grpcInFlight ? st : undefined;
      },
      5000,
      'in-flight counts to return to baseline',
    );
    expect(after!.inFlight).to.equal(baseline.inFlight);
  });

  it('cancels many concurrent result waits, each answering -32800', async () => {
    const reqs = Array.from({ length: 20 }, () => c.requestWithId('handle/result', { handle }));
    await until(async () => (await status()).inFlight === baseline.inFlight + 20, 5000, 'all waits in flight');
    for (const r of reqs) c.cancel(r.id);
    const errors = await Promise.all(reqs.map((r) => rpcError(r.promise)));
    expect(errors.map((e) => e.code)).to.deep.equal(Array(20).fill(-32800));
    await until(async () => (await status()).inFlight === baseline.inFlight, 5000, 'inFlight back to baseline');
  });

  it('a cancel sent together with its request (still queued) answers -32800', async () => {
    const id = 9_000_001;
    const p = c.requestAs(id, 'handle/result', { handle });
    c.cancel(id);
    const e = await rpcError(p);
    expect(e.code).to.equal(-32800);
    await until(async () => (await status()).inFlight === baseline.inFlight, 5000, 'inFlight back to baseline');
  });

  it('string request ids can be cancelled', async () => {
    const id = 'result-wait-α';
    const p = c.requestAs(id, 'handle/result', { handle });
    await until(async () => (await status()).inFlight === baseline.inFlight + 1, 5000, 'the wait in flight');
    c.cancel(id);
    expect((await rpcError(p)).code).to.equal(-32800);
  });

  it('cancels of unknown or finished requests are harmless', async () => {
    c.cancel(123456789);
    c.cancel('nope');
    const { id, promise } = c.requestWithId('daemon/status');
    await promise;
    c.cancel(id);
    const st = await status();
    expect(st.inFlight).to.equal(baseline.inFlight);
  });
});
