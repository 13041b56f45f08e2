/**
 * A TLS front for the real dev server, the way Temporal Cloud puts one in front of
 * its frontends: an HTTP/2 reverse proxy that terminates TLS (mTLS optional) and
 * forwards every gRPC stream unchanged to `temporal server start-dev`, which has no
 * TLS of its own. It answers nothing itself: every reply comes from the real server.
 * It records each request's path, `authorization` header and client certificate, so
 * tests can see what the daemon sent.
 *
 * Certificates are made per run with the `openssl` command.
 */
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { execFileSync } from 'node:child_process';

export interface Pki {
  dir: string;
  /** The CA that signed the server's and the client's certificates. */
  caCert: string;
  /** Server certificate for DNS name `temporal.test` only (not 127.0.0.1). */
  serverCert: string;
  serverKey: string;
  /** Client certificate, CN `th-client`, for mTLS. */
  clientCert: string;
  clientKey: string;
  /** Another CA, which signed nothing here. */
  otherCaCert: string;
  /** The name in the server's certificate. */
  serverName: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A throwaway PKI in a temporary folder (EC P-256 keys, valid one day). */
export function makePki(): Pki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-pki-'));
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=th-test-ca']);
  openssl(dir, ['req', '-x509', ...key, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '1', '-subj', '/CN=th-other-ca']);
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:temporal.test\nextendedKeyUsage=serverAuth\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [
    ['server', 'temporal.test'],
    ['client', 'th-client'],
  ]) {
    openssl(dir, ['req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`]);
  }
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    caCert: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    otherCaCert: p('other-ca.pem'),
    serverName: 'temporal.test',
  };
}

export interface SeenRequest {
  path: string;
  authorization?: string;
  /** CN of the client certificate, when the client sent one. */
  clientCn?: string;
}

export interface TlsGateway {
  address: string;
  seen: SeenRequest[];
  /** TLS handshakes that failed (no or a bad client certificate, an unknown CA...). */
  handshakeErrors: string[];
  close(): Promise<void>;
}

/** Starts the gateway on a free loopback port, forwarding to `target` (host:port, plaintext h2c). */
export async function startTlsGateway(pki: Pki, target: string, opts: { requireClientCert?: boolean } = {}): Promise<TlsGateway> {
  const seen: SeenRequest[] = [];
  const handshakeErrors: string[] = [];
  const upstream = http2.connect(`http://${target}`);
  upstream.on('error', () => undefined);
  const server = http2.createSecureServer({
    key: fs.readFileSync(pki.serverKey),
    cert: fs.readFileSync(pki.serverCert),
    ca: fs.readFileSync(pki.caCert),
    requestCert: Boolean(opts.requireClientCert),
    rejectUnauthorized: Boolean(opts.requireClientCert),
    ALPNProtocols: ['h2'],
  });
  const sessions = new Set<http2.Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('tlsClientError', (err) => handshakeErrors.push(err.message));
  server.on('stream', (down, headers) => {
    const socket = down.session?.socket as TLSSocket | undefined;
    const peer = socket?.getPeerCertificate?.();
    seen.push({
      path: String(headers[':path']),
      authorization: headers.authorization as string | undefined,
      clientCn: peer && peer.subject ? String(peer.subject.CN) : undefined,
    });
    const forward: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) {
      if (k === ':method' || k === ':path' || !k.startsWith(':')) forward[k] = v;
    }
    const up = upstream.request(forward, { endStream: false });
    let trailers: http2.IncomingHttpHeaders | undefined;
    up.on('response', (h, flags) => {
      const out: http2.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(h)) if (k === ':status' || !k.startsWith(':')) out[k] = v;
      // A trailers-only answer (a gRPC error) ends the stream with its headers.
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (!down.closed) down.respond(out, endStream ? { endStream: true } : { waitForTrailers: true });
    });
    up.on('trailers', (t) => (trailers = t));
    up.on('data', (chunk) => {
      if (!down.closed) down.write(chunk);
    });
    up.on('end', () => {
      if (!down.closed && !down.writableEnded) down.end();
    });
    down.on('wantTrailers', () => {
      const out: http2.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(trailers ?? {})) if (!k.startsWith(':')) out[k] = v;
      down.sendTrailers(out);
    });
    down.on('data', (chunk) => up.write(chunk));
    down.on('end', () => up.end());
    // A cancel on either side cancels the other.
    down.on('close', () => {
      if (!up.closed) up.close(http2.constants.NGHTTP2_CANCEL);
    });
    up.on('close', () => {
      // A normal end (NO_ERROR) finishes through 'end' and the trailers; only a reset is passed on.
      if (!down.closed && up.rstCode !== undefined && up.rstCode !== http2.constants.NGHTTP2_NO_ERROR) down.close(up.rstCode);
    });
    up.on('error', () => undefined);
    down.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    seen,
    handshakeErrors,
    async close() {
      upstream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Sessions still open (a client that keeps its channel) are ended too.
        for (const s of sessions) s.destroy();
      });
    },
  };
}
