/**
 * The handle table: opaque, unguessable tokens standing for WorkflowHandles,
 * shared by every client of the daemon.
 *
 * Bounded: at most `maxHandles` live handles (the least recently used is evicted)
 * and a handle idle for `idleTtlMs` expires. A handle with a call in flight is
 * never evicted or expired, nor is one just made. Tokens carry 192 random bits.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '../temporal/workflow-handle';

export interface HandleTableOptions {
  /** @default 100000 */
  maxHandles?: number;
  /** @default 3600000 (one hour) */
  idleTtlMs?: number;
}

/** An unknown, released or expired token (of a workflow handle, or of an update handle: `noun`). */
export class InvalidHandleError extends Error {
  readonly type = 'InvalidHandleError';
  constructor(
    readonly handle: string,
    readonly reason: 'unknown' | 'released' | 'expired' | 'evicted',
    noun = 'handle',
  ) {
    const Noun = noun[0]!.toUpperCase() + noun.slice(1);
    super(
      reason === 'unknown'
        ? `Unknown ${noun} "${handle}"`
        : reason === 'released'
          ? `${Noun} "${handle}" was released`
          : reason === 'expired'
            ? `${Noun} "${handle}" expired after being idle`
            : `${Noun} "${handle}" was evicted (the ${noun} table was full)`,
    );
  }
  data() {
    return { handle: this.handle, reason: this.reason };
  }
}

interface Entry<T> {
  handle: T;
  lastUsed: number;
  busy: number;
}

/** A handle held by `lease` until `unlease`. */
export interface Lease<T> {
  readonly handle: T;
}

const TOMBSTONES = 10_000;

/**
 * Tokens (`prefix` + 192 random bits) standing for objects every session shares, bounded
 * (least recently used evicted) and expiring when idle; in-flight use pins an entry.
 */
export class TokenTable<T> {
  // A Map iterates in insertion order; touching an entry re-inserts it, so the first is least recently used.
  private readonly entries = new Map<string, Entry<T>>();
  private readonly gone = new Map<string, InvalidHandleError['reason']>();
  private readonly maxHandles: number;
  readonly idleTtlMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    options: HandleTableOptions = {},
    private readonly prefix = 'wh_',
    private readonly noun = 'handle',
  ) {
    this.maxHandles = options.maxHandles ?? 100_000;
    this.idleTtlMs = options.idleTtlMs ?? 3_600_000;
    if (!(this.maxHandles >= 1)) throw new TypeError('maxHandles must be at least 1');
    if (!(this.idleTtlMs > 0)) throw new TypeError('idleTtlMs must be positive');
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(50, this.idleTtlMs / 2)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds a handle and returns its new token. */
  add(handle: T): string {
    const token = `${this.prefix}${randomBytes(24).toString('base64url')}`;
    this.entries.set(token, { handle, lastUsed: Date.now(), busy: 0 });
    this.evictOverflow(token);
    return token;
  }

  /** The handle for a token; throws InvalidHandleError naming it. */
  get(token: string): T {
    return this.touch(token).handle;
  }

  /** Runs `fn` with the handle, keeping it from expiring or being evicted meanwhile. */
  async use<R>(token: string, fn: (h: T) => Promise<R>): Promise<R> {
    const lease = this.lease(token);
    try {
      return await fn(lease.handle);
    } finally {
      this.unlease(lease);
    }
  }

  /**
   * The handle, kept from expiring or being evicted until `unlease`: `use` without a callback,
   * for a caller that holds the handle for long (a result wait) in a frame of its own.
   */
  lease(token: string): Lease<T> {
    const entry = this.touch(token);
    entry.busy++;
    return entry;
  }

  unlease(lease: Lease<T>): void {
    const entry = lease as Entry<T>;
    entry.busy--;
    entry.lastUsed = Date.now();
  }

  release(token: string): void {
    this.touch(token);
    this.entries.delete(token);
    this.bury(token, 'released');
  }

  /** Removes handles idle longer than the TTL; returns how many. */
  sweep(now = Date.now()): number {
    let n = 0;
    for (const [token, e] of this.entries) {
      if (e.busy === 0 && now - e.lastUsed > this.idleTtlMs) {
        this.entries.delete(token);
        this.bury(token, 'expired');
        n++;
      }
    }
    return n;
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private touch(token: string): Entry<T> {
    const e = this.entries.get(token);
    if (!e) throw new InvalidHandleError(token, this.gone.get(token) ?? 'unknown', this.noun);
    if (e.busy === 0 && Date.now() - e.lastUsed > this.idleTtlMs) {
      this.entries.delete(token);
      this.bury(token, 'expired');
      throw new InvalidHandleError(token, 'expired', this.noun);
    }
    e.lastUsed = Date.now();
    this.entries.delete(token);
    this.entries.set(token, e);
    return e;
  }

  /**
   * Evicts the least recently used idle handles over the bound; never `added`, the handle just
   * made: when every other handle is in use (as many result waits as the bound), the table
   * grows past it instead of handing out a token that is already gone.
   */
  private evictOverflow(added: string): void {
    if (this.entries.size <= this.maxHandles) return;
    for (const [token, e] of this.entries) {
      if (this.entries.size <= this.maxHandles) break;
      if (e.busy > 0 || token === added) continue;
      this.entries.delete(token);
      this.bury(token, 'evicted');
    }
  }

  private bury(token: string, reason: InvalidHandleError['reason']): void {
    this.gone.set(token, reason);
    if (this.gone.size > TOMBSTONES) this.gone.delete(this.gone.keys().next().value!);
  }
}

/** The workflow handles: tokens `wh_…`. */
export class HandleTable extends TokenTable<WorkflowHandle> {}
