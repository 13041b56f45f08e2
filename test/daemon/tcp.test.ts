/**
 * Loopback TCP: the shared secret in initialize, the loopback-only listener,
 * and owner-only files (the generated token file, the socket file).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { startDaemon, connectClient, initialized, tmpPath, type StartedDaemon } from '../harness/daemon';
import { rpcError } from '../harness/rpc-client';
import { testEnv } from '../harness/env';

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host, port });
    const t = setTimeout(() => {
      sock.destroy();
      resolve(false);
    }, 2000);
    sock.once('connect', () => {
      clearTimeout(t);
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

describe('TCP transport', function () {
  this.timeout(30_000);
  let s: StartedDaemon;

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    s = await startDaemon({ port: true, socket: true });
  });

  after(async () => {
    await s?.stop();
  });

  it('works with the right secret', async () => {
    const c = await connectClient(s.port!);
    const init = await initialized(c, { authToken: s.secret });
    expect((init.serverInfo as { name: string }).name).to.equal('temporal-handled');
    const st = await c.request<{ clientsByTransport: { tcp: number } }>('daemon/status');
    expect(st.clientsByTransport.tcp).to.be.at.least(1);
    c.destroy();
  });

  for (const [what, params] of [
    ['without an authToken', {}],
    ['with a wrong authToken', { authToken: 'not-the-secret-0123456789abcdef' }],
    ['with an authToken of the wrong type', { authToken: 12345 }],
  ] as const) {
    it(`initialize ${what} answers 1008 UnauthorizedError and closes the connection`, async () => {
      const c = await connectClient(s.port!);
      const e = await rpcError(c.request('initialize', params));
      expect(e.code).to.equal(1008);
      expect(e.data.type).to.equal('UnauthorizedError');
      await c.whenClosed(5000);
      // The daemon still serves a well-behaved client.
      const ok = await connectClient(s.port!);
      await initialized(ok, { authToken: s.secret });
      await ok.request('daemon/status');
      ok.destroy();
    });
  }

  it('a request before initialize answers -32002; the connection stays usable', async () => {
    const c = await connectClient(s.port!);
    const e = await rpcError(c.request('daemon/status'));
    expect(e.code).to.equal(-32002);
    expect(e.data.type).to.equal('ServerNotInitialized');
    expect((await rpcError(c.request('workflow/getHandle', { workflowId: 'x' }))).code).to.equal(-32002);
    await initialized(c, { authToken: s.secret });
    await c.request('daemon/status');
    c.destroy();
  });

  it('a second initialize, even without the secret, answers -32600 and keeps the connection', async () => {
    const c = await connectClient(s.port!);
    await initialized(c, { authToken: s.secret });
    const e = await rpcError(c.request('initialize', {}));
    expect(e.code).to.equal(-32600);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.closed).to.equal(false);
    await c.request('daemon/status');
    c.destroy();
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(await accepts('127.0.0.1', s.port!)).to.equal(true);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((i): i is os.NetworkInterfaceInfo => !!i && !i.internal && i.family === 'IPv4')
      .map((i) => i.address);
    for (const addr of [...others, '::1']) {
      expect(await accepts(addr, s.port!), addr).to.equal(false);
    }
    // The kernel's view: the listening socket's local address is 127.0.0.1.
    if (fs.existsSync('/proc/net/tcp')) {
      const hexPort = s.port!.toString(16).toUpperCase().padStart(4, '0');
      const listening = fs
        .readFileSync('/proc/net/tcp', 'utf8')
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A');
      expect(listening.map((f) => f[1])).to.deep.equal([`0100007F:${hexPort}`]);
    }
  });

  it('the generated token file and the socket file have mode 0600', () => {
    expect(fs.statSync(s.tokenFile!).mode & 0o777).to.equal(0o600);
    expect(s.secret).to.match(/^[0-9a-f]{64}$/);
    const st = fs.statSync(s.socketPath!);
    expect(st.isSocket()).to.equal(true);
    expect(st.mode & 0o777).to.equal(0o600);
  });

  it('an existing token file is used as the secret', async () => {
    const tokenFile = tmpPath('given-token');
    const secret = 'a-given-secret-of-enough-length-42';
    fs.writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
    const d = await startDaemon({ port: true, tokenFile });
    try {
      expect(d.secret).to.equal(secret);
      const c = await connectClient(d.port!);
      await initialized(c, { authToken: secret });
      await c.request('daemon/status');
      c.destroy();
    } finally {
      await d.stop();
    }
  });
});
