/**
 * The daemon on a TLS connection: mTLS and an API key from its flags or from a
 * temporal.toml profile, to the real dev server behind the TLS gateway of
 * test/harness/tls-gateway.ts; and a bad TLS file refused at start-up.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initialized, spawnDaemon, stdioClient } from '../harness/daemon';
import { testEnv, uniqueId, withWorker } from '../harness/env';
import { makePki, startTlsGateway, type Pki, type TlsGateway } from '../harness/tls-gateway';

describe('daemon over TLS (real server behind a TLS gateway)', function () {
  this.timeout(60_000);
  let pki: Pki;
  let gateway: TlsGateway;

  before(async function () {
    this.timeout(120_000);
    const { server } = await testEnv();
    pki = makePki();
    gateway = await startTlsGateway(pki, server.address, { requireClientCert: true });
  });
  after(async () => {
    await gateway?.close();
    if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  async function roundTrip(args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
    // noAddress: the address comes from args or from the profile, never the harness's plain one.
    const d = await spawnDaemon(['--stdio', ...args], { env, noAddress: true });
    const c = stdioClient(d);
    try {
      const init = await initialized(c);
      expect((init.temporal as { address: string }).address).to.equal(gateway.address);
      await withWorker(async (taskQueue) => {
        const h = await c.request<{ handle: string }>('workflow/start', { workflowType: 'echo', taskQueue, workflowId: uniqueId('tls'), args: [{ over: 'mTLS' }] });
        expect((await c.request<{ value: unknown }>('handle/result', { handle: h.handle })).value).to.deep.equal({ over: 'mTLS' });
      });
      await c.request('shutdown');
      c.notify('exit');
      expect(await d.exited).to.equal(0);
    } finally {
      await d.kill();
    }
  }

  it('flags: --api-key, --tls-ca-path, --tls-server-name, --tls-cert-path, --tls-key-path', async () => {
    const before = gateway.seen.length;
    await roundTrip([
      '--address',
      gateway.address,
      '--api-key',
      'flag-key',
      '--tls-ca-path',
      pki.caCert,
      '--tls-server-name',
      pki.serverName,
      '--tls-cert-path',
      pki.clientCert,
      '--tls-key-path',
      pki.clientKey,
    ]);
    const calls = gateway.seen.slice(before);
    expect(calls.map((s) => s.path.split('/').pop())).to.include.members(['GetSystemInfo', 'StartWorkflowExecution', 'GetWorkflowExecutionHistory']);
    for (const s of calls) expect([s.path, s.authorization, s.clientCn]).to.deep.equal([s.path, 'Bearer flag-key', 'th-client']);
  });

  it('a temporal.toml profile (named by TEMPORAL_PROFILE) with the same settings', async () => {
    const toml = path.join(pki.dir, 'temporal.toml');
    fs.writeFileSync(
      toml,
      [
        '[profile.gw]',
        `address = "${gateway.address}"`,
        'api_key = "profile-key"',
        '[profile.gw.tls]',
        `client_cert_path = "${pki.clientCert}"`,
        `client_key_path = "${pki.clientKey}"`,
        `server_ca_cert_path = "${pki.caCert}"`,
        `server_name = "${pki.serverName}"`,
      ].join('\n'),
    );
    const before = gateway.seen.length;
    await roundTrip(['--config-file', toml], { TEMPORAL_PROFILE: 'gw', TEMPORAL_ADDRESS: '' });
    const calls = gateway.seen.slice(before);
    expect(calls.length).to.be.greaterThan(2);
    for (const s of calls) expect([s.authorization, s.clientCn]).to.deep.equal(['Bearer profile-key', 'th-client']);
  });

  it('a TLS file that is not PEM stops the daemon at start-up with exit 1, the reason on stderr and nothing on stdout', async () => {
    const bad = path.join(pki.dir, 'bad.pem');
    fs.writeFileSync(bad, 'this is not a certificate\n');
    const d = await spawnDaemon(['--stdio', '--address', gateway.address, '--tls-ca-path', bad]);
    let stdout = '';
    d.child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    expect(await d.exited).to.equal(1);
    expect(d.stderr.join('\n')).to.match(/TLS server CA certificate in .*bad\.pem is not a PEM certificate/);
    expect(stdout).to.equal('');
  });

  it("Node's own warnings go to the daemon's log, not straight to stderr", async () => {
    // NODE_TLS_REJECT_UNAUTHORIZED=0 makes Node warn at the first TLS connection: a real warning from Node.
    const logFile = path.join(pki.dir, 'daemon.log');
    const d = await spawnDaemon(
      [
        '--stdio',
        '--log-file',
        logFile,
        '--address',
        gateway.address,
        '--tls-ca-path',
        pki.caCert,
        '--tls-disable-host-verification',
        '--tls-cert-path',
        pki.clientCert,
        '--tls-key-path',
        pki.clientKey,
      ],
      { noAddress: true, env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } },
    );
    const c = stdioClient(d);
    try {
      await initialized(c);
      await c.request('daemon/status');
      await c.request('shutdown');
      c.notify('exit');
      expect(await d.exited).to.equal(0);
    } finally {
      await d.kill();
    }
    expect(fs.readFileSync(logFile, 'utf8')).to.match(/warn node: Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0'/);
    expect(d.stderr.join('\n')).to.not.match(/NODE_TLS_REJECT_UNAUTHORIZED/);
  });
});
