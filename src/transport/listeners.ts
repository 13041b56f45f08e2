/**
 * The listening transports: a Unix domain socket (or Windows named pipe),
 * created owner-only, and TCP on loopback guarded by a shared secret.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export function isWindowsPipe(p: string): boolean {
  return /^\\\\[.?]\\pipe\\/i.test(p);
}

function connectable(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(p);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A server whose sockets stay half-open: a client that sends its requests and then ends its
 * side (as `nc -N` and `socat` do) still gets every answer; the session ends the socket after.
 */
function createServer(onSocket: (s: net.Socket) => void): net.Server {
  return net.createServer({ allowHalfOpen: true }, onSocket);
}

function listen(server: net.Server, arg: { path: string } | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(arg, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Listens on a Unix socket path (owner-only, mode 0600) or a Windows named pipe.
 * A stale socket file left by a crashed daemon is replaced; a live daemon's socket is never taken over.
 */
export async function listenSocket(socketPath: string, onSocket: (s: net.Socket) => void): Promise<net.Server> {
  const server = createServer(onSocket);
  if (isWindowsPipe(socketPath)) {
    await listen(server, { path: socketPath });
    return server;
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    st = undefined;
  }
  if (st) {
    if (!st.isSocket()) throw new Error(`--socket ${socketPath}: the path exists and is not a socket; refusing to replace it`);
    if (await connectable(socketPath)) throw new Error(`--socket ${socketPath}: another daemon is already listening there`);
    fs.unlinkSync(socketPath);
  }
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  const old = process.umask(0o177);
  try {
    await listen(server, { path: socketPath });
  } finally {
    process.umask(old);
  }
  fs.chmodSync(socketPath, 0o600);
  return server;
}

/** Listens on TCP, loopback only. */
export async function listenTcp(port: number, onSocket: (s: net.Socket) => void, host = '127.0.0.1'): Promise<net.Server> {
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) throw new Error(`TCP listens on loopback only, not ${host}`);
  const server = createServer(onSocket);
  await listen(server, { port, host });
  return server;
}

/** The default place of a generated TCP secret. */
export function defaultTokenFile(): string {
  const dir = process.env.XDG_RUNTIME_DIR || os.tmpdir();
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(dir, `temporal-handled-${uid}.token`);
}

/**
 * The TCP shared secret: read from `tokenFile` when it exists, otherwise
 * 256 random bits written there owner-only (mode 0600).
 */
export function loadOrCreateSecret(tokenFile: string): { secret: string; created: boolean } {
  if (fs.existsSync(tokenFile)) {
    const mode = fs.statSync(tokenFile).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new Error(
        `--token-file ${tokenFile}: the file is readable by others (mode ${mode.toString(8).padStart(4, '0')}), so any local user could use the secret; ` +
          `run \`chmod 600 ${tokenFile}\` (or remove it and a new one is made)`,
      );
    }
    const secret = fs.readFileSync(tokenFile, 'utf8').trim();
    if (secret.length < 16) throw new Error(`--token-file ${tokenFile}: the secret must be at least 16 characters`);
    return { secret, created: false };
  }
  const secret = randomBytes(32).toString('hex');
  fs.mkdirSync(path.dirname(tokenFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, created: true };
}
