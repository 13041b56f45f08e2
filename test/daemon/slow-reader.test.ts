/**
 * A client that stops reading: the daemon pauses that client's input once its
 * answers back up, drops it past the output limit, keeps its own memory bounded
 * and keeps serving the others.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, frame, until, type StartedDaemon } from '../harness/daemon';
import type { RawRpcClient } from '../harness/rpc-client';
import { testEnv } from '../harness/env';

interface Status {
  clients: number;
  memory: { rss: number };
}

/** Polls daemon/status on `observer` until stopped; every answer must come within `maxLatencyMs`. */
function watch(observer: RawRpcClient, maxLatencyMs = 5000) {
  let maxRss = 0;
  let maxLatency = 0;
  let answers = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      const st = await observer.request<Status>('daemon/status');
      maxLatency = Math.max(maxLatency, Date.now() - t0);
      maxRss = Math.max(maxRss, st.memory.rss);
      answers++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      expect(maxLatency, 'the observer was answered promptly throughout').to.be.below(maxLatencyMs);
      expect(answers).to.be.at.least(1);
      return { maxRss };
    },
  };
}

/** `n` rpc.discover requests (about 18 KB of answer each) in one write. */
function flood(c: RawRpcClient, n: number, firstId = 1) {
  const frames: Buffer[] = [];
  for (let i = 0; i < n; i++) frames.push(frame({ jsonrpc: '2.0', id: firstId + i, method: 'rpc.discover' }));
  c.writeRaw(Buffer.concat(frames));
}

describe('a client that stops reading', function () {
  this.timeout(90_000);

  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });

  it('its input is paused while its answers back up; memory stays bounded; it gets every answer once it reads again', async () => {
    const s: StartedDaemon = await startDaemon({ socket: true });
    try {
      const observer = await connectClient(s.socketPath!);
      await initialized(observer);
      const base = (await observer.request<Status>('daemon/status')).memory.rss;
      const slow = await connectClient(s.socketPath!);
      await initialized(slow);
      slow.pauseReading();
      const w = watch(observer);
      const N = 6000; // about 110 MB of answers
      flood(slow, N, 1_000_000);
      await new Promise((r) => setTimeout(r, 3000));
      const { maxRss } = await w.stop();
      expect(maxRss - base, `rss grew by ${Math.round((maxRss - base) / 1e6)} MB`).to.be.below(80e6);
      expect(slow.closed).to.equal(false);
      expect(slow.received.length).to.be.below(N);
      // It reads again: every answer arrives, in full.
      slow.resumeReading();
      await until(() => slow.received.filter((m) => typeof m.id === 'number' && m.id >= 1_000_000 && m.id < 1_000_000 + N).length === N, 60_000, 'every answer');
      const ids = new Set(slow.received.filter((m) => (m.result as { openrpc?: string })?.openrpc).map((m) => m.id));
      expect(ids.size).to.equal(N);
      expect((await slow.request<Status>('daemon/status')).clients).to.equal(2);
    } finally {
      await s.stop();
    }
  });

  it('past the output limit (--max-output-buffer) it is dropped; the daemon keeps serving others', async () => {
    const s: StartedDaemon = await startDaemon({ socket: true, args: ['--max-output-buffer', String(4 * 1024 * 1024)] });
    try {
      const observer = await connectClient(s.socketPath!);
      await initialized(observer);
      const base = (await observer.request<Status>('daemon/status')).memory.rss;
      const slow = await connectClient(s.socketPath!);
      await initialized(slow);
      slow.pauseReading();
      const w = watch(observer);
      flood(slow, 3000);
      await until(async () => (await observer.request<Status>('daemon/status')).clients === 1, 20_000, 'the slow client to be dropped');
      const { maxRss } = await w.stop();
      expect(maxRss - base, `rss grew by ${Math.round((maxRss - base) / 1e6)} MB`).to.be.below(150e6);
      expect(s.d.stderr.some((l) => /dropping client: client stopped reading/.test(l))).to.equal(true);
      slow.resumeReading();
      await slow.whenClosed(10_000);
      // Others are served as before, and new clients too.
      const fresh = await connectClient(s.socketPath!);
      await initialized(fresh);
      expect((await fresh.request<{ openrpc: string }>('rpc.discover')).openrpc).to.be.a('string');
      expect((await observer.request<Status>('daemon/status')).clients).to.equal(2);
    } finally {
      await s.stop();
    }
  });
});
