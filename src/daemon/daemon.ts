/**
 * The daemon: one Temporal connection, one handle table, and the sessions of
 * every transport. It owns start-up, status and graceful shutdown.
 */
import * as fs from 'node:fs';
import type * as net from 'node:net';
import type { Connection, ConnectionOptions } from '../temporal/connection';
import type { CodecSettings, RemoteCodec } from '../temporal/remote-codec';
import type { TemporalClient } from '../temporal/client';
import { normalizeAddress } from '../temporal/address';
import { HandleTable, TokenTable, type HandleTableOptions } from '../handles/handle-table';
import type { WorkflowUpdateHandle } from '../temporal/workflow-update';
import { Session, type SessionOptions, type TransportKind } from '../protocol/session';

/**
 * Before a TCP client has passed the secret: 64 KiB is far more than any initialize needs;
 * 10 s is ample for a local client to send one; 32 such clients at once are more than any
 * honest use (each holds at most 64 KiB, so together at most 2 MiB).
 */
const PRE_AUTH = { maxMessageBytes: 64 * 1024, timeoutMs: 10_000 };
const MAX_UNAUTHENTICATED = 32;
import type { Services } from '../protocol/handlers';
import type { DaemonStatus } from '@temporal-handled/protocol';
import { listenSocket, listenTcp, isWindowsPipe } from '../transport/listeners';
import type { Logger } from '../log/logger';
import type { LogLevel } from '../log/levels';
import { ClientLogTransport, applyLogLevel } from './client-log';

export interface DaemonOptions {
  connection: ConnectionOptions;
  namespace: string;
  /** A codec server every payload goes through. */
  codec?: CodecSettings;
  identity?: string;
  handles?: HandleTableOptions;
  /** @default 64 MiB */
  maxMessageBytes?: number;
  /** Output queued for a client that does not read it before the client is dropped. @default max(64 MiB, 2 × maxMessageBytes) */
  maxOutputBytes?: number;
  logger: Logger;
  version: string;
  /** Short Temporal calls one client may have running at once; the rest wait in order. @default 64 */
  maxCallsPerClient?: number;
}

/** 64: more than a single client needs to keep the server busy (a call takes about 1.5 ms), few enough to leave room for others. */
const DEFAULT_MAX_CALLS_PER_CLIENT = 64;

export class Daemon {
  /** The gRPC stack, made on first use (loading it costs tens of milliseconds of start-up). */
  private temporal: { connection: Connection; client: TemporalClient } | undefined;
  /** The Temporal address, host:port. */
  readonly address: string;
  readonly table: HandleTable;
  readonly updates: TokenTable<WorkflowUpdateHandle>;
  readonly services: Services;
  private readonly sessions = new Set<Session>();
  private readonly servers: { server: net.Server; socketPath?: string }[] = [];
  private readonly startedAt = Date.now();
  private readonly maxMessageBytes: number;
  private cachedServerVersion: string | null = null;
  private pendingServerVersion: Promise<string | null> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly baseLogLevel: LogLevel;
  private readonly sessionById = new Map<number, Session>();

  constructor(private readonly options: DaemonOptions) {
    this.log = options.logger;
    this.baseLogLevel = options.logger.level as LogLevel;
    options.logger.add(new ClientLogTransport((id) => this.sessionById.get(id)));
    this.address = normalizeAddress(options.connection.address);
    this.table = new HandleTable(options.handles);
    this.updates = new TokenTable<WorkflowUpdateHandle>(options.handles, 'wu_', 'update handle');
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
    const self = this;
    this.services = {
      get client() {
        return self.client;
      },
      table: this.table,
      updates: this.updates,
      logger: options.logger,
      namespace: options.namespace,
      address: this.address,
      version: options.version,
      inFlight: 0,
      serverVersion: () => this.serverVersion(),
      knownServerVersion: () => this.cachedServerVersion,
      status: () => this.status(),
      // The whole contract (TypeBox) is loaded only when a client asks for the document.
      openrpc: () => (require('@temporal-handled/protocol') as typeof import('@temporal-handled/protocol')).buildOpenRpcDocument(options.version),
    };
  }

  /** The gRPC connection to Temporal (made, with the client, on first use). */
  get connection(): Connection {
    return this.loadTemporal().connection;
  }

  get client(): TemporalClient {
    return this.loadTemporal().client;
  }

  /** Whether the gRPC stack has been made (status does not make it just to report on it). */
  get temporalLoaded(): boolean {
    return this.temporal !== undefined;
  }

  private loadTemporal(): { connection: Connection; client: TemporalClient } {
    if (!this.temporal) {
      const { Connection } = require('../temporal/connection') as typeof import('../temporal/connection');
      const { TemporalClient } = require('../temporal/client') as typeof import('../temporal/client');
      const connection = new Connection(Object.assign({}, this.options.connection, { clientName: 'temporal-handled', clientVersion: this.options.version }));
      this.temporal = { connection, client: new TemporalClient(connection, { namespace: this.options.namespace, identity: this.options.identity, codec: this.codec }) };
    }
    return this.temporal;
  }

  private codecClient: RemoteCodec | undefined;

  /** The codec server's client, when one is configured (made on first use, like the gRPC stack). */
  private get codec(): RemoteCodec | undefined {
    if (!this.options.codec) return undefined;
    if (!this.codecClient) {
      const { RemoteCodec } = require('../temporal/remote-codec') as typeof import('../temporal/remote-codec');
      this.codecClient = new RemoteCodec(this.options.codec);
    }
    return this.codecClient;
  }

  /** The Temporal server's version, asked once and cached; null while it cannot be reached. */
  async serverVersion(): Promise<string | null> {
    if (this.cachedServerVersion) return this.cachedServerVersion;
    // Callers that arrive while the question is out share its answer.
    this.pendingServerVersion ??= this.client
      .getSystemInfo({ timeoutMs: 3000, noRetry: true })
      .then((info) => (this.cachedServerVersion = info.serverVersion || null))
      .catch((err) => {
        this.log.debug(`GetSystemInfo failed: ${(err as Error).message}`);
        return null;
      })
      .finally(() => (this.pendingServerVersion = undefined));
    return this.pendingServerVersion;
  }

  async status(): Promise<DaemonStatus> {
    const mem = process.memoryUsage();
    return {
      version: this.options.version,
      pid: process.pid,
      uptime: (Date.now() - this.startedAt) / 1000,
      clients: this.sessions.size,
      clientsByTransport: {
        stdio: [...this.sessions].filter((s) => s.transport === 'stdio').length,
        socket: [...this.sessions].filter((s) => s.transport === 'socket').length,
        tcp: [...this.sessions].filter((s) => s.transport === 'tcp').length,
      },
      handles: this.table.size,
      updateHandles: this.updates.size,
      inFlight: this.services.inFlight,
      queued: [...this.sessions].reduce((n, s) => n + s.queuedCount, 0),
      maxCallsPerClient: this.options.maxCallsPerClient ?? DEFAULT_MAX_CALLS_PER_CLIENT,
      grpcInFlight: this.temporal?.connection.inFlight ?? 0,
      connection: { state: this.temporal?.connection.state ?? 'IDLE', address: this.address, namespace: this.options.namespace },
      temporal: { serverVersion: await this.serverVersion() },
      memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external },
      codec: this.codec?.status() ?? null,
    };
  }

  /** Serves one client over a pair of streams. */
  attach(
    kind: TransportKind,
    input: NodeJS.ReadableStream,
    output: NodeJS.WritableStream,
    opts: {
      secret?: string;
      preAuth?: SessionOptions['preAuth'];
      destroy: () => void;
      end?: () => void;
      onExit: (s: Session) => void;
      onClosed?: (s: Session) => void;
    },
  ): Session {
    const session = new Session(this.services, {
      kind,
      input,
      output,
      secret: opts.secret,
      preAuth: opts.preAuth,
      maxMessageBytes: this.maxMessageBytes,
      maxOutputBytes: this.options.maxOutputBytes,
      maxCallsPerClient: this.options.maxCallsPerClient ?? DEFAULT_MAX_CALLS_PER_CLIENT,
      destroy: opts.destroy,
      end: opts.end,
      onExit: opts.onExit,
      onClosed: (s) => {
        this.sessions.delete(s);
        this.sessionById.delete(s.id);
        if (s.clientLogLevel !== undefined) applyLogLevel(this.log, this.baseLogLevel, this.sessions);
        opts.onClosed?.(s);
      },
      onLogLevelChange: () => applyLogLevel(this.log, this.baseLogLevel, this.sessions),
    });
    this.sessions.add(session);
    this.sessionById.set(session.id, session);
    session.start();
    return session;
  }

  private attachSocket(kind: TransportKind, socket: net.Socket, secret?: string): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (secret !== undefined && [...this.sessions].filter((s) => s.awaitingAuth).length >= MAX_UNAUTHENTICATED) {
      this.log.warn(`refusing a TCP client: ${MAX_UNAUTHENTICATED} clients are already waiting to authenticate`);
      socket.destroy();
      return;
    }
    socket.on('error', (err) => this.log.debug(`socket error: ${err.message}`));
    this.attach(kind, socket, socket, {
      secret,
      preAuth: secret === undefined ? undefined : PRE_AUTH,
      destroy: () => socket.destroy(),
      // Ends the write side once flushed (the socket is half-open: see listeners.ts).
      end: () => socket.destroySoon(),
      onExit: (s) => void s.close(),
    });
  }

  async listenSocket(socketPath: string): Promise<void> {
    const server = await listenSocket(socketPath, (s) => this.attachSocket('socket', s));
    this.servers.push({ server, socketPath: isWindowsPipe(socketPath) ? undefined : socketPath });
    this.log.info(`listening on socket ${socketPath}`);
  }

  /** Listens on loopback TCP; returns the port (useful with port 0). */
  async listenTcp(port: number, secret: string): Promise<number> {
    const server = await listenTcp(port, (s) => this.attachSocket('tcp', s, secret));
    const actual = (server.address() as net.AddressInfo).port;
    this.servers.push({ server });
    this.log.info(`listening on tcp 127.0.0.1:${actual}`);
    return actual;
  }

  /**
   * Stops: no new clients, in-flight calls answered (DaemonShuttingDown), sessions closed,
   * socket files removed, the gRPC channel closed.
   */
  shutdown(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info(`shutting down: ${reason}`);
      for (const { server } of this.servers) server.close();
      // Requests in flight answer DaemonShuttingDown (not -32800, the client's own cancellation).
      await Promise.all([...this.sessions].map((s) => s.close(reason)));
      for (const { socketPath } of this.servers) {
        if (socketPath) {
          try {
            fs.unlinkSync(socketPath);
          } catch {
            /* already gone */
          }
        }
      }
      this.table.close();
      this.updates.close();
      this.temporal?.connection.close();
    })();
    return this.stopping;
  }
}
