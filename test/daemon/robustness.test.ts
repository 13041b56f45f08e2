/**
 * What no client may do to the daemon, and what every real client relies on, against the
 * real daemon process and dev server: LSP's pipe and socket transports (the daemon
 * connects), half-closed sockets, limits before the TCP secret passes, owner-only token
 * files, stderr quiet for editors, and a log file that cannot be written.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { spawnDaemon, startDaemon, connectClient, initialized, frame, tmpPath, waitReady, type StartedDaemon } from '../harness/daemon';
import { RawRpcClient, rpcError } from '../harness/rpc-client';
import { testEnv, uniqueId } from '../harness/env';

type Msg = Record<string, any>;

/** Listens where the daemon will connect (as vscode-languageclient does), and gives the accepted socket. */
function listenFor(arg: { path: string } | { port: 0 }): Promise<{ server: net.Server; where: string; accepted: Promise<net.Socket> }> {
  return new Promise((resolve, reject) => {
    let accept!: (s: net.Socket) => void;
    const accepted = new Promise<net.Socket>((r) => (accept = r));
    const server = net.createServer((s) => accept(s));
    server.once('error', reject);
    server.listen(arg, () => {
      const a = server.address();
      resolve({ server, where: typeof a === 'string' ? a : String((a as net.AddressInfo).port), accepted });
    });
  });
}

describe('robustness and client conventions (daemon process)', function () {
  this.timeout(60_000);

  describe("LSP's pipe and socket transports: the client listens, the daemon connects", function () {
    for (const kind of ['pipe', 'socket'] as const) {
      it(`--${kind === 'pipe' ? 'pipe=NAME' : 'socket=PORT'}: a whole session, and the daemon exits 0 after shutdown and exit`, async () => {
        const l = await listenFor(kind === 'pipe' ? { path: tmpPath('lsp.sock') } : { port: 0 });
        const d = await spawnDaemon([`--${kind}=${l.where}`]);
        try {
          const s = await l.accepted;
          const c = new RawRpcClient(s, s);
          const init = await initialized(c);
          expect(init.protocolVersion).to.be.a('number');
          const h = await c.request<Msg>('workflow/getHandle', { workflowId: uniqueId() });
          const e = await rpcError(c.request('handle/describe', { handle: h.handle }));
          expect(e.data.status).to.equal('NOT_FOUND');
          await c.request('shutdown');
          c.notify('exit');
          expect(await d.exited).to.equal(0);
        } finally {
          await d.kill();
          l.server.close();
        }
      });
    }

    it('--socket PATH still listens (a path is not a port), and --listen-socket says the same', async () => {
      for (const flag of ['--socket', '--listen-socket']) {
        const path = tmpPath('listen.sock');
        const d = await spawnDaemon([flag, path]);
        try {
          await waitReady(d);
          const c = await connectClient(path);
          expect((await initialized(c)).serverInfo).to.deep.include({ name: 'temporal-handled' });
          c.destroy();
        } finally {
          await d.kill();
        }
      }
    });

    it('a client that is not listening: the daemon says where it tried and exits non-zero', async () => {
      const d = await spawnDaemon(['--pipe=/nonexistent/dir/lsp.sock']);
      expect(await d.exited).to.not.equal(0);
      expect(d.stderr.join('\n')).to.match(/cannot connect to the client at \/nonexistent\/dir\/lsp\.sock/);
    });
  });

  describe('a half-closed socket (nc -N, socat)', function () {
    let s: StartedDaemon;
    before(async () => {
      s = await startDaemon({ socket: true });
    });
    after(async () => s.stop());

    it('every request sent before the client ended its side is answered: a start carried out, a wait cancelled (-32800)', async () => {
      const sock = net.createConnection(s.socketPath!);
      await new Promise((r) => sock.once('connect', r));
      const c = new RawRpcClient(sock, sock);
      const workflowId = uniqueId();
      const w = await connectClient(s.socketPath!);
      await initialized(w);
      const other = await w.request<Msg>('workflow/getHandle', { workflowId: uniqueId() });
      sock.write(
        Buffer.concat([
          frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
          frame({ jsonrpc: '2.0', id: 2, method: 'workflow/start', params: { workflowType: 'forever', taskQueue: uniqueId('tq'), workflowId } }),
          frame({ jsonrpc: '2.0', id: 3, method: 'handle/result', params: { handle: other.handle } }),
        ]),
      );
      sock.end();
      await c.whenClosed(20_000);
      const byId = new Map(c.received.map((m) => [m.id, m as Msg]));
      expect(byId.get(1)!.result.serverInfo.name).to.equal('temporal-handled');
      expect(byId.get(2)!.result.workflowId).to.equal(workflowId);
      expect(byId.get(3)!.error.code).to.equal(-32800);
      // The start was carried out.
      const h = await w.request<Msg>('workflow/getHandle', { workflowId });
      expect((await w.request<Msg>('handle/describe', { handle: h.handle })).status).to.equal('RUNNING');
      await w.request('handle/terminate', { handle: h.handle });
      w.destroy();
    });
  });

  describe('limits before the TCP secret passes', function () {
    let s: StartedDaemon;
    before(async () => {
      s = await startDaemon({ port: true });
    });
    after(async () => s.stop());

    it('a message over 64 KiB before initialize is refused (1009) and the client closed; after it, the normal limit applies', async () => {
      const c = await connectClient(s.port!);
      c.writeRaw(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { authToken: s.secret, pad: 'x'.repeat(100_000) } }));
      await c.whenClosed();
      expect(c.received.find((m) => (m as Msg).error)?.error).to.deep.include({ code: 1009 });
      const ok = await connectClient(s.port!);
      await initialized(ok, { authToken: s.secret });
      const h = await ok.request<Msg>('workflow/getHandle', { workflowId: 'x'.repeat(200_000) });
      expect(h.workflowId).to.have.length(200_000);
      ok.destroy();
    });

    it('nothing but initialize is answered before the secret: rpc.discover gets -32002', async () => {
      const c = await connectClient(s.port!);
      expect((await rpcError(c.request('rpc.discover'))).code).to.equal(-32002);
      c.destroy();
    });

    it('a client that never initializes is closed after 10 s', async function () {
      this.timeout(30_000);
      const c = await connectClient(s.port!);
      const t0 = Date.now();
      await c.whenClosed(20_000);
      expect(Date.now() - t0).to.be.within(9_000, 15_000);
    });

    it('at most 32 clients wait to authenticate at once; an authenticated client is still served', async () => {
      const waiting = await Promise.all(Array.from({ length: 32 }, () => connectClient(s.port!)));
      await new Promise((r) => setTimeout(r, 200));
      const extra = await connectClient(s.port!);
      await extra.whenClosed(5_000);
      expect(extra.received).to.deep.equal([]);
      for (const w of waiting) w.destroy();
      await new Promise((r) => setTimeout(r, 200));
      const ok = await connectClient(s.port!);
      await initialized(ok, { authToken: s.secret });
      ok.destroy();
    });
  });

  it('a token file readable by others is refused, naming the file and the fix', async () => {
    const tokenFile = tmpPath('token');
    fs.writeFileSync(tokenFile, 'a-secret-of-enough-length-0123456789\n', { mode: 0o644 });
    fs.chmodSync(tokenFile, 0o644);
    const d = await spawnDaemon(['--port', '0', '--token-file', tokenFile]);
    expect(await d.exited).to.not.equal(0);
    const err = d.stderr.join('\n');
    expect(err)
      .to.include(tokenFile)
      .and.match(/readable by others \(mode 0644\)/)
      .and.include(`chmod 600 ${tokenFile}`);
  });

  it('serving an editor on stdio, stderr carries only warnings and errors by default', async () => {
    const { server } = await testEnv();
    const d = await spawnDaemon(['--stdio', '--address', server.address], { noAddress: true, defaultLogLevel: true });
    const c = new RawRpcClient(d.child.stdout!, d.child.stdin!);
    await initialized(c);
    await c.request('daemon/status');
    await c.request('shutdown');
    c.notify('exit');
    expect(await d.exited).to.equal(0);
    expect(d.stderr.filter((l) => / (info|debug) /.test(l))).to.deep.equal([]);
  });

  it('a log file that cannot be written (a full disk: /dev/full) is said once on stderr', async () => {
    const d = await spawnDaemon(['--socket', tmpPath('full.sock'), '--log-file', '/dev/full', '--log-level', 'debug']);
    try {
      const deadline = Date.now() + 10_000;
      while (!d.stderr.some((l) => /cannot write the log file \/dev\/full/.test(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      expect(d.stderr.filter((l) => /cannot write the log file/.test(l))).to.have.length(1);
    } finally {
      await d.kill();
    }
  });
});
