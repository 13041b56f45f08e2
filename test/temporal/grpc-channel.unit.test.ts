/**
 * The unary gRPC channel's framing and status mapping. The answers here are ones Temporal's
 * server cannot be made to send (a compressed frame, two messages, a wrong content-type, an
 * HTTP error without a gRPC status, a stream reset with a chosen code, split frames), so a
 * plain node:http2 server in this process stands in for it: a fake server, for faults only.
 * The real server's answers, failures, deadlines, TLS and restarts are in connection.test.ts
 * and tls.test.ts.
 */
import { expect } from 'chai';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { type CallError, GrpcChannel, grpcTimeout, Status } from '../../src/temporal/grpc-channel';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

function frame(message: Buffer, flag = 0): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out[0] = flag;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

describe('grpc-channel (unit, in-process HTTP/2 server for faults)', function () {
  let server: http2.Http2Server;
  let handler: Handler;
  let channel: GrpcChannel;

  before(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      // A reset this side sends is an error on its stream too; the client's view is under test.
      stream.on('error', () => undefined);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    channel = new GrpcChannel({ address: `127.0.0.1:${port}`, keepaliveTimeMs: 30_000, keepaliveTimeoutMs: 15_000, maxReceiveMessageLength: 1024 });
  });
  after(async () => {
    channel.close();
    await new Promise((r) => server.close(r));
  });

  function call(request = Buffer.from('ping'), metadata: [string, string][] = [], timeoutMs = 5000): Promise<{ err?: CallError; value?: Buffer }> {
    return new Promise((resolve) => {
      channel.unary('/pkg.Service/Method', request, metadata, Date.now() + timeoutMs, (err, value) => resolve({ err, value }));
    });
  }

  function ok(stream: http2.ServerHttp2Stream, ...parts: Buffer[]): void {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    for (const p of parts.slice(0, -1)) stream.write(p);
    stream.end(parts[parts.length - 1]);
  }

  it('sends one framed request with the gRPC headers and the metadata, and takes the framed answer', async () => {
    let seen: { headers: http2.IncomingHttpHeaders; body: Buffer } | undefined;
    handler = (stream, headers, body) => {
      seen = { headers, body };
      ok(stream, frame(Buffer.from('pong')));
    };
    const { err, value } = await call(Buffer.from('ping'), [['temporal-namespace', 'ns-1']]);
    expect(err).to.equal(undefined);
    expect(value?.toString()).to.equal('pong');
    expect(seen!.headers[':path']).to.equal('/pkg.Service/Method');
    expect(seen!.headers['content-type']).to.equal('application/grpc');
    expect(seen!.headers.te).to.equal('trailers');
    expect(seen!.headers['temporal-namespace']).to.equal('ns-1');
    expect(seen!.headers['grpc-timeout']).to.match(/^\d{1,8}m$/);
    expect(seen!.body.equals(frame(Buffer.from('ping')))).to.equal(true);
    expect(channel.state).to.equal('READY');
  });

  it('joins an answer split across data chunks, header included', async () => {
    const whole = frame(Buffer.from('a longer answer, in pieces'));
    handler = (stream) => ok(stream, whole.subarray(0, 2), whole.subarray(2, 7), whole.subarray(7, 12), whole.subarray(12));
    const { err, value } = await call();
    expect(err).to.equal(undefined);
    expect(value?.toString()).to.equal('a longer answer, in pieces');
  });

  it('takes an empty answer message', async () => {
    handler = (stream) => ok(stream, frame(Buffer.alloc(0)));
    const { err, value } = await call();
    expect(err).to.equal(undefined);
    expect(value?.length).to.equal(0);
  });

  it('a failure status with its percent-encoded message and binary trailers', async () => {
    handler = (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers({ 'grpc-status': '5', 'grpc-message': 'workflow%20not%20found%3A%20wf-1', 'grpc-status-details-bin': Buffer.from('details').toString('base64') }),
      );
      stream.end();
    };
    const { err } = await call();
    expect(err?.code).to.equal(Status.NOT_FOUND);
    expect(err?.details).to.equal('workflow not found: wf-1');
    expect(String(err?.metadata.get('grpc-status-details-bin')?.[0])).to.equal('details');
  });

  it('a Trailers-Only answer (the status in the headers)', async () => {
    handler = (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'denied' }, { endStream: true });
    };
    const { err } = await call();
    expect(err?.code).to.equal(Status.PERMISSION_DENIED);
    expect(err?.details).to.equal('denied');
  });

  it('an HTTP error without a gRPC status maps as the gRPC specification says', async () => {
    for (const [http, code] of [
      [401, Status.UNAUTHENTICATED],
      [403, Status.PERMISSION_DENIED],
      [404, Status.UNIMPLEMENTED],
      [503, Status.UNAVAILABLE],
      [500, Status.UNKNOWN],
    ] as const) {
      handler = (stream) => stream.respond({ ':status': http }, { endStream: true });
      const { err } = await call();
      expect(err?.code, `HTTP ${http}`).to.equal(code);
      expect(err?.details).to.equal(`Received HTTP status code ${http}`);
    }
  });

  it('refuses an answer that is not application/grpc, a compressed frame, and two messages', async () => {
    handler = (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'text/html' });
      stream.end('<html>');
    };
    expect((await call()).err?.code).to.equal(Status.UNKNOWN);

    handler = (stream) => ok(stream, frame(Buffer.from('zz'), 1));
    const compressed = (await call()).err;
    expect(compressed?.code).to.equal(Status.INTERNAL);
    expect(compressed?.details).to.match(/compressed/);

    handler = (stream) => ok(stream, frame(Buffer.from('one')), frame(Buffer.from('two')));
    const two = (await call()).err;
    expect(two?.code).to.equal(Status.UNIMPLEMENTED);
    expect(two?.details).to.match(/2 messages/);
  });

  it('an answer over the receive limit is RESOURCE_EXHAUSTED, and the channel serves the next call', async () => {
    handler = (stream) => ok(stream, frame(Buffer.alloc(2048, 1)));
    const { err } = await call();
    expect(err?.code).to.equal(Status.RESOURCE_EXHAUSTED);
    expect(err?.details).to.equal('Received message larger than max (2048 vs. 1024)');
    handler = (stream) => ok(stream, frame(Buffer.from('after')));
    expect((await call()).value?.toString()).to.equal('after');
  });

  it('a stream reset maps by its code; one ended with no status is UNAVAILABLE', async () => {
    handler = (stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    expect((await call()).err?.code).to.equal(Status.UNAVAILABLE);
    handler = (stream) => stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect((await call()).err?.code).to.equal(Status.RESOURCE_EXHAUSTED);
    handler = (stream) => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    const internal = (await call()).err;
    expect(internal?.code).to.equal(Status.INTERNAL);
    expect(internal?.details).to.equal('Received RST_STREAM with code 2');
    handler = (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.end(frame(Buffer.from('no trailers')));
    };
    expect((await call()).err?.code).to.equal(Status.UNAVAILABLE);
  });

  it('the local deadline ends a call the server does not answer, and cancel ends one at once', async () => {
    handler = () => undefined;
    const t0 = Date.now();
    const late = await call(Buffer.from('x'), [], 150);
    expect(late.err?.code).to.equal(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - t0).to.be.at.least(140);
    const cancelled = await new Promise<CallError | undefined>((resolve) => {
      const c = channel.unary('/pkg.Service/Method', Buffer.from('x'), [], Date.now() + 5000, (err) => resolve(err));
      setTimeout(() => c.cancel(), 20);
    });
    expect(cancelled?.code).to.equal(Status.CANCELLED);
    const past = await call(Buffer.from('x'), [], -1);
    expect(past.err?.code).to.equal(Status.DEADLINE_EXCEEDED);
  });

  it('a header value HTTP/2 refuses is INTERNAL, named, and nothing is sent', async () => {
    const { err } = await call(Buffer.from('x'), [['x-bad', 'line\nbreak']]);
    expect(err?.code).to.equal(Status.INTERNAL);
    expect(err?.details).to.equal('gRPC metadata value of "x-bad" is not printable ASCII');
    const key = await call(Buffer.from('x'), [['X-Upper', 'v']]);
    expect(key.err?.details).to.match(/^gRPC metadata key "X-Upper" is not legal/);
  });

  it('no server: UNAVAILABLE, saying no connection was established', async () => {
    const probe = http2.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const lonely = new GrpcChannel({ address: `127.0.0.1:${port}`, keepaliveTimeMs: 30_000, keepaliveTimeoutMs: 15_000, maxReceiveMessageLength: 1024 });
    const err = await new Promise<CallError | undefined>((resolve) => lonely.unary('/p.S/M', Buffer.alloc(0), [], Date.now() + 2000, (e) => resolve(e)));
    expect(err?.code).to.equal(Status.UNAVAILABLE);
    expect(err?.details).to.match(/^No connection established: .*ECONNREFUSED/);
    expect(lonely.state).to.equal('TRANSIENT_FAILURE');
    lonely.close();
    expect(lonely.state).to.equal('SHUTDOWN');
    const closed = await new Promise<CallError | undefined>((resolve) => lonely.unary('/p.S/M', Buffer.alloc(0), [], Date.now() + 2000, (e) => resolve(e)));
    expect(closed?.code).to.equal(Status.UNAVAILABLE);
  });

  it('a connection lost mid-call is UNAVAILABLE "Connection dropped", and the next call opens a new one', async () => {
    handler = (stream) => stream.session?.destroy();
    const { err } = await call();
    expect(err?.code).to.equal(Status.UNAVAILABLE);
    expect(err?.details).to.match(/^Connection dropped: /);
    handler = (stream) => ok(stream, frame(Buffer.from('again')));
    expect((await call()).value?.toString()).to.equal('again');
  });

  it('pings the server every keepalive interval while connected', async () => {
    const port = (server.address() as AddressInfo).port;
    const pinging = new GrpcChannel({ address: `127.0.0.1:${port}`, keepaliveTimeMs: 40, keepaliveTimeoutMs: 1000, maxReceiveMessageLength: 1024 });
    let pings = 0;
    const onSession = (s: http2.ServerHttp2Session) => s.on('ping', () => pings++);
    server.on('session', onSession);
    handler = (stream) => ok(stream, frame(Buffer.from('p')));
    await new Promise((r) => pinging.unary('/p.S/M', Buffer.alloc(0), [], Date.now() + 2000, r));
    await new Promise((r) => setTimeout(r, 300));
    server.off('session', onSession);
    pinging.close();
    expect(pings).to.be.at.least(3);
  });

  it('grpcTimeout: at most 8 digits, in the smallest unit that fits', () => {
    expect(grpcTimeout(0.2)).to.equal('1m');
    expect(grpcTimeout(1500)).to.equal('1500m');
    expect(grpcTimeout(99_999_999)).to.equal('99999999m');
    expect(grpcTimeout(100_000_000)).to.equal('100000S');
    expect(grpcTimeout(1e12)).to.equal('277778H');
  });
});
