/**
 * An HTTP/2 proxy in front of the real dev server that records the request headers of each
 * gRPC call passing through, so a test can see the metadata the daemon sent. It forwards
 * every byte unchanged (the dev server answers); it only looks. The dev server cannot show
 * what metadata it received, which is why this exists.
 */
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  headers: http2.IncomingHttpHeaders;
}

export interface RecordingProxy {
  address: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const client = http2.connect(`http://${upstream}`);
  client.on('error', () => undefined);
  const calls: RecordedCall[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.Http2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    calls.push({ method: path.slice(path.lastIndexOf('/') + 1), headers });
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) if (k !== ':scheme' && k !== ':authority') forwarded[k] = v;
    const up = client.request(forwarded, { endStream: false });
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on('error', () => up.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('close', () => up.close(http2.constants.NGHTTP2_CANCEL));
    up.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    up.on('trailers', (t) => {
      trailers = t;
    });
    up.on('response', (h) => {
      const out: http2.OutgoingHttpHeaders = { ...h };
      if (h['grpc-status'] !== undefined) {
        // A trailers-only answer (an error): headers and end.
        stream.respond(out, { endStream: true });
        return;
      }
      stream.respond(out, { waitForTrailers: true });
      stream.on('wantTrailers', () => {
        const t: http2.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(trailers)) if (!k.startsWith(':')) t[k] = v;
        stream.sendTrailers(t);
      });
      up.pipe(stream);
    });
    stream.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        client.close();
        server.close(() => resolve());
        // Streams still open (a long poll) would hold close(): end them.
        for (const s of sessions) s.destroy();
      }),
  };
}
