/**
 * The gRPC connection's HTTP CONNECT proxy: which proxy the environment names for a target, and
 * a call tunnelled through a proxy in this process (to the in-process HTTP/2 server; the real
 * server through a proxy is in connection.test.ts).
 */
import { expect } from 'chai';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { startConnectProxy } from '../harness/connect-proxy';
import { type CallError, GrpcChannel, Status } from '../../src/temporal/grpc-channel';
import { proxyFor } from '../../src/temporal/http-proxy';

describe('http-proxy (unit)', function () {
  it('takes grpc_proxy before https_proxy before http_proxy, with the default port 80', () => {
    expect(proxyFor('temporal:7233', {})).to.equal(undefined);
    expect(proxyFor('temporal:7233', { http_proxy: 'http://p1:3128' })).to.include({ host: 'p1', port: 3128 });
    expect(proxyFor('temporal:7233', { http_proxy: 'http://p1:3128', https_proxy: 'http://p2' })).to.include({ host: 'p2', port: 80 });
    expect(proxyFor('temporal:7233', { https_proxy: 'http://p2', grpc_proxy: 'p3:8080' })).to.include({ host: 'p3', port: 8080 });
    expect(proxyFor('temporal:7233', { HTTPS_PROXY: 'http://upper:1' }), 'upper-case names are not read, as grpc-js').to.equal(undefined);
  });

  it('a user in the URL becomes Basic Proxy-Authorization, and is kept out of the URL shown', () => {
    const p = proxyFor('temporal:7233', { grpc_proxy: 'http://al%40ice:s%3Acret@proxy:3128' })!;
    expect(p.authorization).to.equal(`Basic ${Buffer.from('al@ice:s:cret').toString('base64')}`);
    expect(p.shown).to.equal('http://proxy:3128');
  });

  it('no_grpc_proxy (else no_proxy) names hosts reached directly: exact, domain suffix, leading dot, *', () => {
    const env = { grpc_proxy: 'http://proxy:3128' };
    expect(proxyFor('temporal.internal:7233', { ...env, no_proxy: 'other, temporal.internal' })).to.equal(undefined);
    expect(proxyFor('a.tmprl.cloud:7233', { ...env, no_proxy: 'tmprl.cloud' })).to.equal(undefined);
    expect(proxyFor('a.tmprl.cloud:7233', { ...env, no_proxy: '.tmprl.cloud' })).to.equal(undefined);
    expect(proxyFor('nottmprl.cloud:7233', { ...env, no_proxy: 'tmprl.cloud' })).to.not.equal(undefined);
    expect(proxyFor('[::1]:7233', { ...env, no_proxy: '::1' })).to.equal(undefined);
    expect(proxyFor('x:7233', { ...env, no_proxy: '*' })).to.equal(undefined);
    expect(proxyFor('x:7233', { ...env, no_proxy: 'x', no_grpc_proxy: 'y' }), 'no_grpc_proxy wins').to.not.equal(undefined);
  });

  it('refuses a proxy it cannot use, naming the variable and the way around it', () => {
    expect(() => proxyFor('x:7233', { https_proxy: 'https://proxy:443' })).to.throw(TypeError, /^https_proxy: only an http:\/\/ proxy is supported for gRPC \(got https:\/\/; set no_grpc_proxy=\*/);
    expect(() => proxyFor('x:7233', { grpc_proxy: 'http://[bad' })).to.throw(TypeError, /^grpc_proxy is not a URL/);
  });

  describe('a call through a CONNECT proxy', function () {
    let server: http2.Http2Server;
    let port: number;
    before(async () => {
      server = http2.createServer();
      server.on('stream', (stream) => {
        stream.on('error', () => undefined);
        stream.on('data', () => undefined);
        stream.on('end', () => {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          const m = Buffer.from('via proxy');
          const f = Buffer.alloc(5 + m.length);
          f.writeUInt32BE(m.length, 1);
          m.copy(f, 5);
          stream.end(f);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    const call = (ch: GrpcChannel) =>
      new Promise<{ err?: CallError; value?: Buffer }>((resolve) => ch.unary('/p.S/M', Buffer.from('x'), [], Date.now() + 3000, (err, value) => resolve({ err, value })));

    /** A channel to `address` through the proxy on `proxyPort`, as user u, password p. */
    const throughProxy = (address: string, proxyPort: number) =>
      new GrpcChannel({
        address,
        keepaliveTimeMs: 30_000,
        keepaliveTimeoutMs: 15_000,
        maxReceiveMessageLength: 1024,
        proxy: proxyFor(address, { grpc_proxy: `http://u:p@127.0.0.1:${proxyPort}` }),
      });

    it('tunnels the connection, with the proxy credentials, and reuses it for the next call', async () => {
      const auth = `Basic ${Buffer.from('u:p').toString('base64')}`;
      const proxy = await startConnectProxy(auth);
      const address = `127.0.0.1:${port}`;
      const ch = throughProxy(address, proxy.port);
      expect((await call(ch)).value?.toString()).to.equal('via proxy');
      expect((await call(ch)).value?.toString()).to.equal('via proxy');
      expect(proxy.targets).to.deep.equal([address]);
      ch.close();
      await proxy.close();
    });

    it('a proxy that refuses: UNAVAILABLE, saying the proxy refused and with what status', async () => {
      const proxy = await startConnectProxy('Basic other');
      const address = `127.0.0.1:${port}`;
      const ch = throughProxy(address, proxy.port);
      const { err } = await call(ch);
      expect(err?.code).to.equal(Status.UNAVAILABLE);
      expect(err?.details).to.equal(`No connection established: proxy http://127.0.0.1:${proxy.port} refused CONNECT ${address}: HTTP 407`);
      ch.close();
      await proxy.close();
    });
  });
});
