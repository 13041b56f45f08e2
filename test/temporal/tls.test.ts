/**
 * TLS, mTLS and the API key against the real dev server behind a TLS gateway
 * (test/harness/tls-gateway.ts: it terminates TLS and forwards each gRPC stream
 * unchanged; every answer is the real server's). Certificates are made per run.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import { startConnectProxy } from '../harness/connect-proxy';
import { testEnv, uniqueId, withWorker } from '../harness/env';
import { makePki, startTlsGateway, type Pki, type TlsGateway } from '../harness/tls-gateway';
import { Connection, type ConnectionOptions } from '../../src/temporal/connection';
import { TemporalClient } from '../../src/temporal/client';
import { RPCError } from '../../src/temporal/errors';
import { WorkflowService } from '../../src/temporal/workflow-service';
import { rejectsWith } from './helpers';

describe('TLS, mTLS and API key (real server behind a TLS gateway)', function () {
  this.timeout(60_000);
  let pki: Pki;
  let gateway: TlsGateway;
  let mtlsGateway: TlsGateway;
  const opened: Connection[] = [];

  before(async function () {
    this.timeout(120_000);
    const { server } = await testEnv();
    pki = makePki();
    gateway = await startTlsGateway(pki, server.address);
    mtlsGateway = await startTlsGateway(pki, server.address, { requireClientCert: true });
  });
  after(async () => {
    for (const c of opened) c.close();
    await gateway?.close();
    await mtlsGateway?.close();
    if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  function connect(options: Omit<ConnectionOptions, 'address'> & { address?: string }): Connection {
    const c = new Connection({ address: gateway.address, ...options });
    opened.push(c);
    return c;
  }
  /** Options for a connection that is expected to fail: fail fast. */
  const failFast = { defaultDeadlineMs: 3000, retry: { maxAttempts: 2, initialIntervalMs: 100 } };
  const ca = () => fs.readFileSync(pki.caCert);

  it('TLS with the CA and the server name: start and result through the gateway, the API key on every call', async () => {
    const c = connect({ apiKey: 'key-123', tls: { serverRootCaCert: ca(), serverName: pki.serverName } });
    const client = new TemporalClient(c);
    const before = gateway.seen.length;
    await withWorker(async (taskQueue) => {
      const h = await client.startWorkflow({ workflowType: 'echo', taskQueue, workflowId: uniqueId('tls'), args: ['through TLS'] });
      expect((await h.result()).value).to.equal('through TLS');
      expect((await h.describe()).status).to.equal('COMPLETED');
    });
    const calls = gateway.seen.slice(before);
    const paths = calls.map((s) => s.path.split('/').pop());
    expect(paths).to.include.members(['StartWorkflowExecution', 'GetWorkflowExecutionHistory', 'DescribeWorkflowExecution']);
    for (const s of calls) expect(s.authorization, s.path).to.equal('Bearer key-123');
  });

  it('TLS through an HTTP CONNECT proxy (grpc_proxy): the handshake and the calls go through the tunnel', async () => {
    const proxy = await startConnectProxy();
    const saved = process.env.grpc_proxy;
    try {
      process.env.grpc_proxy = `http://127.0.0.1:${proxy.port}`;
      const c = connect({ apiKey: 'key-proxy', tls: { serverRootCaCert: ca(), serverName: pki.serverName } });
      const before = gateway.seen.length;
      expect((await new WorkflowService(c).getSystemInfo()).serverVersion).to.match(/^\d/);
      expect(proxy.targets).to.deep.equal([gateway.address]);
      expect(gateway.seen.slice(before).map((s) => s.authorization)).to.deep.equal(['Bearer key-proxy']);
    } finally {
      if (saved === undefined) delete process.env.grpc_proxy;
      else process.env.grpc_proxy = saved;
      await proxy.close();
    }
  });

  it('an API key alone turns TLS on (a plaintext server would not answer)', async () => {
    // No tls option: TLS with the system roots, which do not know this CA: the handshake fails.
    const c = connect({ apiKey: 'k', ...failFast });
    const err = await rejectsWith(new WorkflowService(c).getSystemInfo(), RPCError);
    expect(err.status).to.equal('UNAVAILABLE');
    expect(err.message).to.match(/certificate/i);
  });

  it('a server certificate from an unknown CA is refused with UNAVAILABLE naming the certificate', async () => {
    const c = connect({ tls: { serverRootCaCert: fs.readFileSync(pki.otherCaCert), serverName: pki.serverName }, ...failFast });
    const err = await rejectsWith(new WorkflowService(c).getSystemInfo(), RPCError);
    expect(err.status).to.equal('UNAVAILABLE');
    expect(err.message).to.match(/certificate/i);
  });

  it('a host name the certificate does not cover is refused; serverName or disableHostVerification fixes it', async () => {
    // The certificate names temporal.test only; the address is 127.0.0.1.
    const wrong = connect({ tls: { serverRootCaCert: ca() }, ...failFast });
    const err = await rejectsWith(new WorkflowService(wrong).getSystemInfo(), RPCError);
    expect(err.status).to.equal('UNAVAILABLE');
    expect(err.message).to.match(/127\.0\.0\.1|altnames|host/i);

    const named = connect({ tls: { serverRootCaCert: ca(), serverName: pki.serverName } });
    expect((await new WorkflowService(named).getSystemInfo()).serverVersion).to.be.a('string');
    const unverified = connect({ tls: { serverRootCaCert: ca(), disableHostVerification: true } });
    expect((await new WorkflowService(unverified).getSystemInfo()).serverVersion).to.be.a('string');
  });

  it('plaintext to a TLS server fails with UNAVAILABLE', async () => {
    const c = connect({ tls: false, ...failFast });
    const err = await rejectsWith(new WorkflowService(c).getSystemInfo(), RPCError);
    expect(['UNAVAILABLE', 'INTERNAL']).to.include(err.status);
  });

  it('mTLS: the client certificate is presented and accepted; without it the server refuses the handshake', async () => {
    const good = connect({
      address: mtlsGateway.address,
      tls: { serverRootCaCert: ca(), serverName: pki.serverName, clientCert: fs.readFileSync(pki.clientCert), clientKey: fs.readFileSync(pki.clientKey) },
    });
    const before = mtlsGateway.seen.length;
    expect((await new WorkflowService(good).getSystemInfo()).serverVersion).to.be.a('string');
    expect(mtlsGateway.seen.slice(before).map((s) => s.clientCn)).to.deep.equal(['th-client']);

    const errorsBefore = mtlsGateway.handshakeErrors.length;
    const without = connect({ address: mtlsGateway.address, tls: { serverRootCaCert: ca(), serverName: pki.serverName }, ...failFast });
    const err = await rejectsWith(new WorkflowService(without).getSystemInfo(), RPCError);
    expect(err.status).to.equal('UNAVAILABLE');
    expect(mtlsGateway.seen.length).to.equal(before + 1);
    expect(mtlsGateway.handshakeErrors.length).to.be.greaterThan(errorsBefore);
  });
});
