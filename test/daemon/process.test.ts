/**
 * The daemon process: signals, the end of stdin, the socket file's life, stdout
 * hygiene in stdio mode, and bad command lines.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { BIN, startDaemon, spawnDaemon, stdioClient, connectClient, initialized, until, tmpPath, parseFramesStrict, frame, type StartedDaemon } from '../harness/daemon';
import { type RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, startWorker, uniqueId } from '../harness/env';

/** Starts a result wait that stays in flight (no worker runs the workflow) and waits until it is. */
async function inFlightResultWait(c: RawRpcClient) {
  const info = await c.request<{ handle: string; workflowId: string }>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId() });
  const base = (await c.request<{ inFlight: number }>('daemon/status')).inFlight;
  const wait = c.request('handle/result', { handle: info.handle });
  const settled = wait.then(
    () => ({ error: undefined as unknown }),
    (error: unknown) => ({ error }),
  );
  await until(async () => (await c.request<{ inFlight: number }>('daemon/status')).inFlight === base + 1, 5000, 'the result wait to be in flight');
  return { workflowId: info.workflowId, settled };
}

/** The answer of a request in flight when the daemon stops: DaemonShuttingDown (1014) naming why. */
function expectShuttingDown(error: unknown, reason: string): void {
  const e = error as { code?: number; message?: string; data?: Record<string, unknown> };
  expect(e.code, String(error)).to.equal(1014);
  expect(e.data).to.deep.equal({ type: 'DaemonShuttingDown', reason });
  expect(e.message).to.contain(`Daemon shutting down (${reason}): the request was not completed`);
}

describe('the daemon process', function () {
  this.timeout(60_000);

  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: in-flight calls answer DaemonShuttingDown (not -32800, the client's own cancel) before the connections close, the socket file is removed, exit code 0`, async () => {
      const s = await startDaemon({ socket: true, stdio: true });
      try {
        const sock = await connectClient(s.socketPath!);
        await initialized(sock);
        const stdio = stdioClient(s.d);
        await initialized(stdio);
        const a = await inFlightResultWait(sock);
        const b = await inFlightResultWait(stdio);
        s.d.child.kill(signal);
        for (const { settled } of [a, b]) {
          const { error } = await settled;
          expectShuttingDown(error, signal);
        }
        await sock.whenClosed(5000);
        expect(await s.d.exited).to.equal(0);
        expect(fs.existsSync(s.socketPath!)).to.equal(false);
        // The workflows are untouched by the daemon going away.
        const again = await startDaemon({ stdio: true });
        const c = stdioClient(again.d);
        await initialized(c);
        for (const { workflowId } of [a, b]) {
          const d = await c.request<{ handle: string }>('workflow/getHandle', { workflowId });
          expect((await c.request<{ status: string }>('handle/describe', { handle: d.handle })).status).to.equal('RUNNING');
          await c.request('handle/terminate', { handle: d.handle });
        }
        await again.stop();
      } finally {
        await s.stop('SIGKILL');
      }
    });
  }

  it('end of stdin in stdio mode shuts the daemon down (exit code 0)', async () => {
    const s = await startDaemon({ stdio: true });
    try {
      const c = stdioClient(s.d);
      await initialized(c);
      s.d.child.stdin!.end();
      expect(await s.d.exited).to.equal(0);
    } finally {
      await s.stop('SIGKILL');
    }
  });

  it("end of stdin with socket clients: their waits and the stdio client's own answer DaemonShuttingDown, and the socket file is removed", async () => {
    const s = await startDaemon({ stdio: true, socket: true });
    try {
      const sock = await connectClient(s.socketPath!);
      await initialized(sock);
      const stdio = stdioClient(s.d);
      await initialized(stdio);
      const a = await inFlightResultWait(sock);
      const b = await inFlightResultWait(stdio);
      s.d.child.stdin!.end();
      expectShuttingDown((await a.settled).error, 'end of stdin');
      expectShuttingDown((await b.settled).error, 'end of stdin');
      expect(await s.d.exited).to.equal(0);
      expect(fs.existsSync(s.socketPath!)).to.equal(false);
    } finally {
      await s.stop('SIGKILL');
    }
  });

  it('a message over the size limit on stdio answers 1009, then the daemon exits 1', async () => {
    const s = await startDaemon({ stdio: true, args: ['--max-message-size', '65536'] });
    try {
      const c = stdioClient(s.d);
      await initialized(c);
      c.writeRaw('Content-Length: 100000\r\n\r\n');
      const m = await c.waitFor((x) => !!x.error);
      expect((m.error as { code: number }).code).to.equal(1009);
      expect(await s.d.exited).to.equal(1);
    } finally {
      await s.stop('SIGKILL');
    }
  });

  it('a stale socket file left by a crashed daemon is replaced', async () => {
    const socketPath = tmpPath('stale.sock');
    const first = await startDaemon({ socket: socketPath });
    first.d.child.kill('SIGKILL');
    await first.d.exited;
    expect(fs.lstatSync(socketPath).isSocket(), 'the crashed daemon left its socket file').to.equal(true);
    const second = await startDaemon({ socket: socketPath });
    try {
      const c = await connectClient(socketPath);
      await initialized(c);
      expect((await c.request<{ pid: number }>('daemon/status')).pid).to.equal(second.d.child.pid);
      expect(fs.statSync(socketPath).mode & 0o777).to.equal(0o600);
    } finally {
      await second.stop();
    }
    expect(fs.existsSync(socketPath)).to.equal(false);
  });

  it("a live daemon's socket is never taken over: the second daemon exits non-zero with a clear message", async () => {
    const first = await startDaemon({ socket: true });
    try {
      const c = await connectClient(first.socketPath!);
      await initialized(c);
      const second = await spawnDaemon(['--socket', first.socketPath!]);
      const code = await second.exited;
      expect(code).to.not.equal(0);
      expect(second.stderr.join('\n')).to.match(/already listening/);
      // The first keeps serving its client and new ones, on the same socket file.
      expect((await c.request<{ pid: number }>('daemon/status')).pid).to.equal(first.d.child.pid);
      const c2 = await connectClient(first.socketPath!);
      await initialized(c2);
      expect((await c2.request<{ clients: number }>('daemon/status')).clients).to.equal(2);
    } finally {
      await first.stop();
    }
  });

  it('a path that is not a socket is never replaced', async () => {
    const p = tmpPath('not-a-socket');
    fs.writeFileSync(p, 'precious');
    const d = await spawnDaemon(['--socket', p]);
    expect(await d.exited).to.equal(1);
    expect(d.stderr.join('\n')).to.match(/not a socket/);
    expect(fs.readFileSync(p, 'utf8')).to.equal('precious');
  });

  for (const level of ['info', 'debug'] as const) {
    it(`in stdio mode stdout carries protocol frames only (--log-level ${level})`, async function () {
      this.timeout(90_000);
      const worker = await startWorker();
      const s: StartedDaemon = await startDaemon({ stdio: true, args: ['--log-level', level] });
      const chunks: Buffer[] = [];
      s.d.child.stdout!.on('data', (b: Buffer) => chunks.push(b));
      try {
        const c = stdioClient(s.d);
        await initialized(c);
        const info = await c.request<{ handle: string }>('workflow/start', { workflowType: 'chain', taskQueue: worker.taskQueue, workflowId: uniqueId(), args: [2] });
        await c.request('handle/result', { handle: info.handle, workDoneToken: 'p' });
        await c.request('handle/describe', { handle: info.handle });
        await rpcError(c.request('handle/query', { handle: info.handle, query: 'nope' }));
        await rpcError(c.request('workflow/getHandle', {}));
        await rpcError(c.request('no/method'));
        c.writeRaw('Bogus\r\n\r\n');
        c.writeRaw(frame('{"not json'));
        await c.request('rpc.discover');
        await c.request('daemon/status');
        await c.request('shutdown');
        c.notify('exit');
        expect(await s.d.exited).to.equal(0);
        const all = Buffer.concat(chunks);
        const { messages, rest } = parseFramesStrict(all);
        expect(rest.length, 'no trailing bytes').to.equal(0);
        expect(messages.length).to.be.at.least(14);
        expect(messages.filter((m) => m.method === '$/progress')).to.have.length(4);
        if (level === 'debug')
          expect(
            s.d.stderr.some((l) => / debug /.test(l)),
            'debug logs go to stderr',
          ).to.equal(true);
      } finally {
        await worker.stop();
        await s.stop('SIGKILL');
      }
    });
  }

  describe('bad command lines exit 2 with a clear message', () => {
    const cases: [string[], RegExp][] = [
      [['--bogus-flag'], /bogus-flag/],
      [['--socket'], /socket/],
      [['--port', 'abc'], /--port/],
      [['--port', '70000'], /--port/],
      [['--port', '-1'], /--port/],
      [['--max-handles', '0'], /--max-handles/],
      [['--max-handles', 'many'], /--max-handles/],
      [['--handle-idle-timeout', 'soon'], /--handle-idle-timeout/],
      [['--handle-idle-timeout', '0'], /--handle-idle-timeout/],
      [['--max-message-size', '10'], /--max-message-size/],
      [['--max-output-buffer', 'big'], /--max-output-buffer/],
      [['--heap-growth', '-5'], /--heap-growth/],
      [['--heap-growth', 'lots'], /--heap-growth/],
      [['--heap-growth', '5000'], /--heap-growth/],
      [['--log-level', 'loud'], /--log-level/],
      [['--tls', '--no-tls'], /contradict/],
      [['positional'], /positional/i],
      [[], /transport/],
    ];
    for (const [args, re] of cases) {
      it(`${JSON.stringify(args)}`, () => {
        // An address that answers nothing: no embedded dev server, whatever happens.
        const full = args.length === 0 || args[0] === '--socket' ? args : ['--address', '127.0.0.1:1', ...args, '--stdio'];
        const r = spawnSync(process.execPath, [BIN, ...full], { input: '', encoding: 'utf8', timeout: 20_000 });
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr).to.match(re);
        expect(r.stderr).to.match(/--help/);
        expect(r.stdout).to.equal('');
      });
    }
  });
});
