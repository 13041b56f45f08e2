/**
 * The handle table's bounds through the daemon: --max-handles evicts the least
 * recently used handle, --handle-idle-timeout expires idle ones, and tokens are
 * long random strings.
 */
import { expect } from 'chai';
import { startDaemon, stdioClient, initialized, until, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, uniqueId } from '../harness/env';

interface HandleInfo {
  handle: string;
  workflowId: string;
}

async function daemon(args: string[]): Promise<{ s: StartedDaemon; c: RawRpcClient }> {
  const s = await startDaemon({ stdio: true, args });
  const c = stdioClient(s.d);
  await initialized(c);
  return { s, c };
}

const getHandle = (c: RawRpcClient, workflowId = uniqueId('ht')) => c.request<HandleInfo>('workflow/getHandle', { workflowId });

async function expectInvalid(c: RawRpcClient, handle: string, reason: string) {
  for (const method of ['handle/info', 'handle/describe']) {
    const e = await rpcError(c.request(method, { handle }));
    expect(e.code, method).to.equal(1007);
    expect(e.data, method).to.include({ type: 'InvalidHandleError', handle, reason });
    expect(e.message).to.include(handle);
  }
}

describe('handle table bounds', function () {
  this.timeout(30_000);

  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });

  describe('--max-handles 3', () => {
    let s: StartedDaemon;
    let c: RawRpcClient;
    before(async () => ({ s, c } = await daemon(['--max-handles', '3'])));
    after(async () => s?.stop());

    it('evicts the least recently used handle (reason "evicted")', async () => {
      const [h1, h2, h3] = [await getHandle(c), await getHandle(c), await getHandle(c)];
      expect((await c.request<{ handles: number }>('daemon/status')).handles).to.equal(3);
      await c.request('handle/info', { handle: h1!.handle }); // h2 is now the least recently used
      const h4 = await getHandle(c);
      await expectInvalid(c, h2!.handle, 'evicted');
      for (const h of [h1!, h3!, h4]) expect(await c.request('handle/info', { handle: h.handle })).to.include({ handle: h.handle });
      expect((await c.request<{ handles: number }>('daemon/status')).handles).to.equal(3);
      // Using h3 and h4 makes h1 the next to go.
      await c.request('handle/info', { handle: h3!.handle });
      await c.request('handle/info', { handle: h4.handle });
      await getHandle(c);
      await expectInvalid(c, h1!.handle, 'evicted');
    });

    it('never evicts a handle with a call in flight', async () => {
      const info = await c.request<HandleInfo>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId() });
      const { id, promise } = c.requestWithId('handle/result', { handle: info.handle });
      await until(async () => (await c.request<{ inFlight: number }>('daemon/status')).inFlight >= 1, 5000, 'the wait in flight');
      const others = [await getHandle(c), await getHandle(c), await getHandle(c)];
      expect(await c.request('handle/info', { handle: info.handle })).to.include({ handle: info.handle });
      c.cancel(id);
      expect((await rpcError(promise)).code).to.equal(-32800);
      await c.request('handle/terminate', { handle: info.handle });
      void others;
    });

    it('with every handle in a wait, a new handle is not evicted on arrival: the table grows past the bound', async () => {
      const taskQueue = uniqueId('no-worker');
      const waits = [];
      for (let i = 0; i < 3; i++) {
        const info = await c.request<HandleInfo>('workflow/start', { workflowType: 'forever', taskQueue, workflowId: uniqueId() });
        waits.push({ info, ...c.requestWithId('handle/result', { handle: info.handle }) });
      }
      await until(async () => (await c.request<{ inFlight: number }>('daemon/status')).inFlight >= 3, 5000, 'the waits in flight');
      const fresh = await getHandle(c);
      expect(await c.request('handle/info', { handle: fresh.handle })).to.include({ handle: fresh.handle, workflowId: fresh.workflowId });
      expect((await c.request<{ handles: number }>('daemon/status')).handles).to.equal(4);
      // A second one evicts the first (idle, least recently used), never a handle in a wait.
      const second = await getHandle(c);
      await expectInvalid(c, fresh.handle, 'evicted');
      expect(await c.request('handle/info', { handle: second.handle })).to.include({ handle: second.handle });
      for (const w of waits) {
        c.cancel(w.id);
        expect((await rpcError(w.promise)).code).to.equal(-32800);
        await c.request('handle/terminate', { handle: w.info.handle });
      }
    });
  });

  describe('--handle-idle-timeout 300ms', () => {
    let s: StartedDaemon;
    let c: RawRpcClient;
    before(async () => ({ s, c } = await daemon(['--handle-idle-timeout', '300ms'])));
    after(async () => s?.stop());

    it('expires idle handles (reason "expired")', async () => {
      const idle = await getHandle(c);
      const used = await getHandle(c);
      const t0 = Date.now();
      while (Date.now() - t0 < 900) {
        await c.request('handle/info', { handle: used.handle });
        await new Promise((r) => setTimeout(r, 100));
      }
      await expectInvalid(c, idle.handle, 'expired');
      expect(await c.request('handle/info', { handle: used.handle })).to.include({ handle: used.handle });
    });

    it('the sweeper removes expired handles without them being touched', async () => {
      await getHandle(c);
      await getHandle(c);
      await until(async () => (await c.request<{ handles: number }>('daemon/status')).handles === 0, 3000, 'the idle handles to be swept');
    });
  });

  describe('tokens', () => {
    let s: StartedDaemon;
    let c: RawRpcClient;
    before(async () => ({ s, c } = await daemon([])));
    after(async () => s?.stop());

    it('an unknown token answers InvalidHandleError reason "unknown"', async () => {
      for (const handle of ['wh_doesnotexist', 'x', 'wh_' + 'A'.repeat(32), '../../etc/passwd', 'constructor', '__proto__']) {
        await expectInvalid(c, handle, 'unknown');
        const e = await rpcError(c.request('handle/release', { handle }));
        expect(e.data).to.include({ type: 'InvalidHandleError', reason: 'unknown', handle });
      }
    });

    it('a released token answers reason "released"', async () => {
      const h = await getHandle(c);
      await c.request('handle/release', { handle: h.handle });
      await expectInvalid(c, h.handle, 'released');
    });

    it('tokens are long random strings (>= 128 bits); 1000 are distinct', async () => {
      const workflowId = uniqueId('same');
      const tokens = await Promise.all(Array.from({ length: 1000 }, () => getHandle(c, workflowId).then((h) => h.handle)));
      expect(new Set(tokens).size).to.equal(1000);
      for (const t of tokens) {
        expect(t).to.match(/^wh_[A-Za-z0-9_-]+$/);
        // base64url carries 6 bits a character: 22 characters are at least 128 bits.
        expect(t.length - 3).to.be.at.least(22);
      }
      // No shared prefix or suffix beyond chance: the random part is not a counter.
      const prefixes = new Set(tokens.map((t) => t.slice(3, 7)));
      const suffixes = new Set(tokens.map((t) => t.slice(-4)));
      expect(prefixes.size).to.be.above(990);
      expect(suffixes.size).to.be.above(990);
      // Every character position takes many values (no fixed characters).
      const len = tokens[0]!.length;
      for (let i = 3; i < len; i++) expect(new Set(tokens.map((t) => t[i])).size, `position ${i}`).to.be.above(32);
    });
  });
});
