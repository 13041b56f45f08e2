/**
 * A client that goes away mid-call: its long polls are cancelled and it is
 * forgotten, while the daemon keeps serving the others.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, stdioClient, initialized, until, type StartedDaemon } from '../harness/daemon';
import type { RawRpcClient } from '../harness/rpc-client';
import { testEnv, uniqueId } from '../harness/env';

interface Status {
  clients: number;
  inFlight: number;
  grpcInFlight: number;
}

describe('a client that disconnects mid-call', function () {
  this.timeout(30_000);
  let s: StartedDaemon;
  let observer: RawRpcClient;
  let handle: string;

  const status = () => observer.request<Status>('daemon/status');

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    s = await startDaemon({ socket: true, port: true });
    observer = await connectClient(s.socketPath!);
    await initialized(observer);
    // No worker: the workflow stays open, so handle/result long-polls.
    handle = (await observer.request<{ handle: string }>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId() })).handle;
  });

  after(async () => {
    if (handle) await observer.request('handle/terminate', { handle }).catch(() => undefined);
    await s?.stop();
  });

  for (const transport of ['socket', 'tcp'] as const) {
    it(`over ${transport}: closing during handle/result cancels the long poll; inFlight and clients drop back`, async () => {
      const base = await status();
      const c = await connectClient(transport === 'socket' ? s.socketPath! : s.port!);
      await initialized(c, transport === 'tcp' ? { authToken: s.secret } : {});
      const waits = [c.request('handle/result', { handle }), c.request('handle/result', { handle, workDoneToken: 'p' })];
      for (const w of waits) w.catch(() => undefined);
      await until(
        async () => {
          const st = await status();
          return st.clients === base.clients + 1 && st.inFlight === base.inFlight + 2 && st.grpcInFlight >= base.grpcInFlight + 2;
        },
        5000,
        'the long polls to be in flight',
      );
      c.destroy();
      const after = await until(
        async () => {
          const st = await status();
          return st.clients === base.clients && st.inFlight === base.inFlight && st.grpcInFlight === base.grpcInFlight ? st : undefined;
        },
        3000,
        'the long polls to be cancelled and the client forgotten',
      );
      expect(after!.clients).to.equal(base.clients);
      expect(s.d.child.exitCode).to.equal(null);
    });
  }

  it('a client that half-closes (ends its output) is dropped the same way', async () => {
    const base = await status();
    const c = await connectClient(s.socketPath!);
    await initialized(c);
    c.request('handle/result', { handle }).catch(() => undefined);
    await until(async () => (await status()).inFlight === base.inFlight + 1, 5000, 'the wait in flight');
    (c.input as unknown as { end(): void }).end();
    await until(
      async () => {
        const st = await status();
        return st.clients === base.clients && st.inFlight === base.inFlight;
      },
      3000,
      'the client to be forgotten',
    );
  });

  it('many clients coming and going leave no trace', async () => {
    const base = await status();
    for (let round = 0; round < 3; round++) {
      const cs = await Promise.all(Array.from({ length: 10 }, () => connectClient(s.socketPath!)));
      await Promise.all(cs.map((c) => initialized(c)));
      for (const c of cs) c.request('handle/result', { handle }).catch(() => undefined);
      await until(async () => (await status()).inFlight === base.inFlight + 10, 5000, 'the waits in flight');
      for (const c of cs) c.destroy();
    }
    await until(
      async () => {
        const st = await status();
        return st.clients === base.clients && st.inFlight === base.inFlight && st.grpcInFlight === base.grpcInFlight;
      },
      5000,
      'everything to be cancelled',
    );
  });
});

describe('the stdio client going away mid-call', function () {
  this.timeout(30_000);
  it('end of stdin during handle/result: the wait answers DaemonShuttingDown (the end of stdin stops the daemon) and the daemon exits 0', async () => {
    await testEnv();
    const s = await startDaemon({ stdio: true });
    try {
      const c: RawRpcClient = stdioClient(s.d);
      await initialized(c);
      const info = await c.request<{ handle: string }>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId() });
      const wait = c.request('handle/result', { handle: info.handle });
      wait.catch(() => undefined);
      await until(async () => (await c.request<Status>('daemon/status')).inFlight >= 1, 5000, 'the wait in flight');
      s.d.child.stdin!.end();
      expect(await s.d.exited).to.equal(0);
      const e = await wait.then(
        () => undefined,
        (err: { code?: number; data?: unknown }) => err,
      );
      expect(e?.code).to.equal(1014);
      expect(e?.data).to.deep.equal({ type: 'DaemonShuttingDown', reason: 'end of stdin' });
    } finally {
      await s.stop('SIGKILL');
    }
  });
});
