/**
 * The daemon's protocol stack in one process, over in-memory streams: the real Daemon,
 * Session, reader and writer, with a vscode-jsonrpc client on the other end. Its Temporal
 * connection points at a loopback port where nothing listens, so calls that reach
 * Temporal fail (UNAVAILABLE, after retries) unless cancelled first. For the fast tier.
 */
import { PassThrough } from 'node:stream';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { Daemon } from '../../src/daemon/daemon';
import { createLogger } from '../../src/log/logger';
import type { Session } from '../../src/protocol/session';

export interface InMemory {
  daemon: Daemon;
  session: Session;
  client: MessageConnection;
  /** Writes raw bytes to the daemon, as a client would. */
  raw(bytes: Buffer | string): void;
  /** Every frame the daemon wrote, parsed. */
  received: unknown[];
  close(): Promise<void>;
}

/** A port on loopback where nothing listens (1 is never bound by tests). */
const NOWHERE = '127.0.0.1:1';

export function inMemoryDaemon(opts: { maxMessageBytes?: number; maxCallsPerClient?: number } = {}): InMemory {
  const daemon = new Daemon({
    connection: { address: NOWHERE },
    namespace: 'default',
    logger: createLogger({ level: process.env.TH_UNIT_LOG ?? 'error' }),
    version: '0.0.0-test',
    maxMessageBytes: opts.maxMessageBytes,
    maxCallsPerClient: opts.maxCallsPerClient,
  });
  const toDaemon = new PassThrough();
  const fromDaemon = new PassThrough();
  const received: unknown[] = [];
  // A second reader of the daemon's output records every frame.
  const tap = new StreamMessageReader(fromDaemon);
  tap.listen((m) => received.push(m));
  const session = daemon.attach('socket', toDaemon, fromDaemon, { destroy: () => toDaemon.destroy(), onExit: (s) => void s.close() });
  const client = createMessageConnection(new StreamMessageReader(fromDaemon), new StreamMessageWriter(toDaemon));
  client.listen();
  return {
    daemon,
    session,
    client,
    raw: (bytes) => toDaemon.write(bytes),
    received,
    close: async () => {
      client.dispose();
      await daemon.shutdown('test done');
    },
  };
}

/** A frame as the LSP base protocol writes it. */
export function frame(body: string | Buffer): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, 'ascii'), b]);
}

/** Resolves once `pred` holds, checking after each turn of the event loop (fails after `ms`). */
export async function until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
