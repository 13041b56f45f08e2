/**
 * The daemon process: settings, the embedded dev server when asked for (or when
 * nothing is configured and nothing answers at the default address), the
 * transports, and graceful shutdown on SIGTERM, SIGINT, `exit` or the end of stdin.
 */
import * as net from 'node:net';
import * as v8 from 'node:v8';
import { createLogger, type Logger } from '../log/logger';
import { resolveSettings } from '../config/settings';
import type { DevServer } from '../devserver/dev-server';
import { Daemon } from './daemon';
import { UsageError, type DaemonConfig } from './config';
import { defaultTokenFile, loadOrCreateSecret } from '../transport/listeners';
import { VERSION } from '../version';
import { hostOf } from '../temporal/address';

/** See `--heap-growth`. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 20;

/** Whether something accepts TCP connections at host:port within `ms`. */
function answers(address: string, ms: number): Promise<boolean> {
  const host = hostOf(address);
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return new Promise((resolve) => {
    const s = net.createConnection({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, ms);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/** Runs the daemon until it is told to stop; resolves with the exit code. */
export async function runDaemon(args: DaemonConfig): Promise<number> {
  if (!args.stdio && !args.connect && args.socket === undefined && args.port === undefined) {
    throw new UsageError('choose at least one transport: --stdio, --pipe=NAME, --socket=PORT, --listen-socket PATH or --port N');
  }
  // Editors file everything a server writes on stderr as errors (VS Code's output channel,
  // Neovim's lsp.log): serving one on stderr, only warnings and errors go there by default.
  const editor = args.stdio || args.connect !== undefined;
  const logger: Logger = createLogger({ level: args.logLevel ?? (editor && !args.logFile ? 'warn' : 'info'), file: args.logFile });
  // Node's own warnings (deprecations from libraries, for one) go to the log too, not
  // straight to stderr: the log file, when there is one, then has everything.
  process.removeAllListeners('warning');
  process.on('warning', (w) => logger.warn(`node: ${w.name}${(w as NodeJS.ErrnoException).code ? ` ${(w as NodeJS.ErrnoException).code}` : ''}: ${w.message}`));
  // A daemon's heap is mostly what it holds for long (result waits by the ten thousand): V8's
  // own heuristics let the heap grow to 2-4 times that between collections, and after a burst
  // of registrations keep it. 20 % more than what is live costs about 1 % per call in CPU
  // (docs/decisions/0005-memory-per-wait.md).
  const growth = args.heapGrowthPercent ?? DEFAULT_HEAP_GROWTH_PERCENT;
  if (growth > 0) v8.setFlagsFromString(`--heap-growing-percent=${growth}`);
  const settings = resolveSettings(args.connection);
  let dev: DevServer | undefined;
  const useDev = args.dev || args.devDb !== undefined || (!settings.addressConfigured && !(await answers('127.0.0.1:7233', 500)));
  if (useDev) {
    if (settings.addressConfigured && args.connection.address !== undefined) throw new UsageError('--dev and --address contradict each other');
    logger.info(args.dev ? 'starting the embedded dev server (--dev)' : 'no Temporal server configured or answering at localhost:7233: starting the embedded dev server');
    const { DevServer } = require('../devserver/dev-server') as typeof import('../devserver/dev-server');
    dev = await DevServer.start({
      executable: args.temporalCli,
      dbFilename: args.devDb,
      namespaces: settings.namespace !== 'default' ? [settings.namespace] : [],
      onOutput: (line) => logger.debug(`[dev-server] ${line}`),
      onRetry: (err, attempt) => logger.warn(`the dev server failed to start (attempt ${attempt}); trying again: ${err.message}`),
    });
    settings.connection = Object.assign({}, settings.connection, { address: dev.address, tls: false, apiKey: undefined });
    logger.info(`dev server ready at ${dev.address}${args.devDb ? ` (state in ${args.devDb})` : ''}`);
  }
  const daemon = new Daemon({
    connection: settings.connection,
    namespace: settings.namespace,
    codec: settings.codec,
    handles: { maxHandles: args.maxHandles, idleTtlMs: args.handleIdleTimeoutMs },
    maxMessageBytes: args.maxMessageBytes,
    maxOutputBytes: args.maxOutputBytes,
    maxCallsPerClient: args.maxCallsPerClient,
    logger,
    version: VERSION,
  });
  logger.info(`temporal-handled ${VERSION} (pid ${process.pid}): Temporal at ${daemon.address}, namespace ${settings.namespace}`);
  // The gRPC stack is loaded and connected once start-up is done (an editor's initialize is
  // answered first: it does not need Temporal), so that the first call finds a warm channel.
  const warmUp = () => void daemon.serverVersion();

  let exitCode = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping = false;
  const stop = (reason: string, code = 0) => {
    // The first reason wins: `exit` without `shutdown` followed by the end of stdin still exits 1.
    if (stopping) return;
    stopping = true;
    exitCode = code;
    void daemon
      .shutdown(reason)
      .then(() => dev?.stop())
      .catch((err) => logger.error(`shutdown: ${(err as Error).message}`))
      .finally(() => resolveDone());
  };
  // Without its embedded server the daemon can only answer UNAVAILABLE (and an in-memory
  // server's workflows are gone): say so and stop, rather than linger.
  void dev?.whenExited().then((code) => {
    if (stopping) return;
    logger.error(`the embedded dev server exited unexpectedly (code ${code}); stopping`);
    stop('embedded dev server exited', 1);
  });
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  try {
    if (args.socket !== undefined) await daemon.listenSocket(args.socket);
    if (args.port !== undefined) {
      const tokenFile = args.tokenFile ?? defaultTokenFile();
      const { secret, created } = loadOrCreateSecret(tokenFile);
      if (created) logger.info(`wrote the TCP shared secret to ${tokenFile} (mode 0600)`);
      await daemon.listenTcp(args.port, secret);
    }
  } catch (err) {
    // Stopping: the dev server's exit below is expected, not a failure to report.
    stopping = true;
    await daemon.shutdown('start-up failed');
    await dev?.stop();
    throw err;
  }
  if (args.stdio) {
    // The session closes at the end of stdin, once what was read before it is handled
    // (so `exit` right before the end still decides the exit code), or when it is dropped.
    daemon.attach('stdio', process.stdin, process.stdout, {
      destroy: () => process.stdin.pause(),
      onExit: (s) => stop('exit notification', s.shutdownReceived ? 0 : 1),
      onClosed: (s) => stop(s.dropReason ? `stdio client dropped: ${s.dropReason}` : 'end of stdin', s.dropReason ? 1 : 0),
    });
  }
  if (args.connect) {
    // LSP's pipe and socket transports: the client listens, the daemon connects; that one
    // connection is the spawner's, as stdio is.
    const target = args.connect;
    const where = target.kind === 'pipe' ? target.path : `127.0.0.1:${target.port}`;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = target.kind === 'pipe' ? net.createConnection(target.path) : net.createConnection({ host: '127.0.0.1', port: target.port });
      s.once('connect', () => resolve(s));
      s.once('error', (err) => reject(new Error(`cannot connect to the client at ${where}: ${err.message}`)));
    }).catch(async (err) => {
      stopping = true;
      await daemon.shutdown('start-up failed');
      await dev?.stop();
      throw err;
    });
    socket.on('error', (err) => logger.debug(`client connection error: ${err.message}`));
    logger.info(`connected to the client at ${where}`);
    daemon.attach('socket', socket, socket, {
      destroy: () => socket.destroy(),
      end: () => socket.destroySoon(),
      onExit: (s) => stop('exit notification', s.shutdownReceived ? 0 : 1),
      onClosed: (s) => stop(s.dropReason ? `client dropped: ${s.dropReason}` : 'the client closed the connection', s.dropReason ? 1 : 0),
    });
  }
  if (args.clientProcessId !== undefined) {
    const pid = args.clientProcessId;
    const timer = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        stop(`client process ${pid} is gone`);
      }
    }, 3000);
    timer.unref();
  }
  logger.info('ready');
  // An editor's connection warms it up after its initialize is answered (see handlers.ts).
  if (!editor) setImmediate(warmUp);
  await done;
  return exitCode;
}
