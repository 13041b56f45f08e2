/**
 * Finds the closes of many runs at once, for the result waits over the long-poll budget
 * (long-poll-budget.ts): instead of one call per wait, one visibility query a tick,
 * `CloseTime > T`, read in pages, wakes each wait whose run it names.
 *
 * A wake-up is only a hint: the wait then reads its run's close event (workflow-handle.ts) and
 * answers from that, never from visibility. What visibility may miss is caught as follows:
 * - visibility is written after the history, so a close can appear in it a moment late with a
 *   CloseTime already behind the last query: each query reaches `overlapMs` back past the start
 *   of the previous successful one, so a record up to that late is still found;
 * - a later one (a lagging visibility store, a clock skew between daemon and server past the
 *   overlap), or a failed query: T only moves once a query has read every page, and every
 *   wait is also woken by a slow sweep `sweepAfterMs` after it registered (at most
 *   `sweepPerTick` a tick, oldest first), so no close is missed, only found later;
 * - a server restart: queries fail (UNAVAILABLE) and are tried again on the next ticks with T
 *   unchanged.
 * A wait woken on a run that continued as new reads that close event, steps to the next run and
 * registers again under it.
 */
import type { WorkflowService } from './workflow-service';
import { CallCancelledError } from './errors';
import type { CancelSignal } from './cancel-signal';

export interface CloseWatcherOptions {
  /** Between visibility queries. @default 1000 */
  intervalMs?: number;
  /** How far each query reaches back before the start of the previous one. @default 5000 */
  overlapMs?: number;
  /** A registered wait is woken to look for itself this long after it registered. @default 60000 */
  sweepAfterMs?: number;
  /** Sweep wake-ups per tick at most. @default 20 */
  sweepPerTick?: number;
  /** @default 1000 */
  pageSize?: number;
  /** Non-waiting reads of the waits in flight at once. @default 64 */
  maxPeeks?: number;
  now?: () => number;
}

export type WakeReason = 'visibility' | 'sweep';

/** One registered run; `w` holds its waiters (usually one). */
interface Entry {
  workflowId: string;
  runId: string;
  sweepAt: number;
  w: Waiter[];
  done: boolean;
}
interface Waiter {
  resolve: (r: WakeReason) => void;
  reject: (e: Error) => void;
  signal: CancelSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class CloseWatcher {
  private readonly byRun = new Map<string, Entry>();
  /** Entries in registration order, for the sweep (woken ones are skipped when reached). */
  private queue: Entry[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private since = 0;
  private failures = 0;
  private readonly o: Required<CloseWatcherOptions>;
  /** Bounds the waits' non-waiting reads (workflow-handle.ts's peekClose) in flight at once. */
  readonly peeks: Limiter;
  /** Counters, for status and tests. */
  readonly stats = { queries: 0, pages: 0, failedQueries: 0, woken: 0, swept: 0 };

  constructor(
    private readonly service: WorkflowService,
    private readonly namespace: string,
    options: CloseWatcherOptions = {},
  ) {
    this.o = { intervalMs: 1000, overlapMs: 5000, sweepAfterMs: 60_000, sweepPerTick: 20, pageSize: 1000, maxPeeks: 64, now: Date.now, ...options };
    this.peeks = new Limiter(this.o.maxPeeks);
  }

  /** Waits registered now. */
  get size(): number {
    return this.byRun.size;
  }

  /**
   * Resolves once `runId` may have closed: a visibility query names it closed, or its sweep turn
   * has come. Rejects with CallCancelledError when `signal` fires. The caller must have seen the
   * run open just before (within `overlapMs`).
   */
  maybeClosed(workflowId: string, runId: string, signal?: CancelSignal): Promise<WakeReason> {
    if (signal?.aborted) return Promise.reject(new CallCancelledError());
    return new Promise<WakeReason>((resolve, reject) => {
      const now = this.o.now();
      let e = this.byRun.get(runId);
      if (!e || e.workflowId !== workflowId) {
        e = { workflowId, runId, sweepAt: now + this.o.sweepAfterMs * (0.8 + Math.random() * 0.4), w: [], done: false };
        this.byRun.set(runId, e);
        this.queue.push(e);
      }
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        const entry = e;
        waiter.onAbort = () => {
          const i = entry.w.indexOf(waiter);
          if (i >= 0) entry.w.splice(i, 1);
          if (entry.w.length === 0) this.drop(entry);
          reject(new CallCancelledError());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      e.w.push(waiter);
      if (this.since === 0) this.since = now - this.o.overlapMs;
      this.schedule();
    });
  }

  /** Stops the ticks (registered waits stay registered until woken or cancelled). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drop(e: Entry): void {
    e.done = true;
    if (this.byRun.get(e.runId) === e) this.byRun.delete(e.runId);
    if (this.byRun.size === 0) {
      this.queue = [];
      this.head = 0;
      this.since = 0;
      this.stop();
    }
  }

  private wake(e: Entry, reason: WakeReason): void {
    const waiters = e.w;
    e.w = [];
    this.drop(e);
    for (const w of waiters) {
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(reason);
    }
  }

  private schedule(): void {
    if (this.timer || this.byRun.size === 0) return;
    // Back off while queries fail (a server restart), up to 10 ticks.
    const delay = this.o.intervalMs * Math.min(10, 1 + this.failures);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick().finally(() => this.schedule());
    }, delay);
  }

  private async tick(): Promise<void> {
    if (this.byRun.size === 0) return;
    const start = this.o.now();
    try {
      await this.query();
      this.since = start - this.o.overlapMs;
      this.failures = 0;
    } catch {
      // T stays where it was: the next successful query covers this tick's closes too.
      this.stats.failedQueries++;
      this.failures++;
    }
    this.sweep();
  }

  private async query(): Promise<void> {
    this.stats.queries++;
    const query = `CloseTime > "${new Date(this.since).toISOString()}"`;
    let next: Uint8Array | undefined;
    do {
      // One attempt per page: a failed query is tried again on the next tick, from the same T.
      const res = await this.service.listWorkflowExecutions({ namespace: this.namespace, query, pageSize: this.o.pageSize, nextPageToken: next }, { payloads: 'raw', noRetry: true });
      this.stats.pages++;
      for (const x of res.executions ?? []) {
        const runId = x.execution?.runId;
        const e = runId ? this.byRun.get(runId) : undefined;
        if (e && e.workflowId === x.execution?.workflowId) {
          this.stats.woken++;
          this.wake(e, 'visibility');
        }
      }
      next = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    } while (next && this.byRun.size > 0);
  }

  private sweep(): void {
    const now = this.o.now();
    let n = 0;
    while (this.head < this.queue.length && n < this.o.sweepPerTick) {
      const e = this.queue[this.head]!;
      if (!e.done && e.sweepAt > now) break;
      this.head++;
      if (e.done) continue;
      n++;
      this.stats.swept++;
      this.wake(e, 'sweep');
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/** One watcher per namespace. */
export class CloseWatchers {
  private readonly byNamespace = new Map<string, CloseWatcher>();
  constructor(
    private readonly service: WorkflowService,
    private readonly options: CloseWatcherOptions = {},
  ) {}

  for(namespace: string): CloseWatcher {
    let w = this.byNamespace.get(namespace);
    if (!w) this.byNamespace.set(namespace, (w = new CloseWatcher(this.service, namespace, this.options)));
    return w;
  }
}

/** At most `max` holders at once; the others queue in order (a cancelled one leaves the queue). */
export class Limiter {
  private held = 0;
  private readonly queue: (() => void)[] = [];
  private qHead = 0;
  constructor(private readonly max: number) {}

  acquire(signal?: CancelSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CallCancelledError());
    if (this.held < this.max && this.qHead === this.queue.length) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      const grant = () => {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        this.held++;
        resolve();
      };
      if (signal) {
        onAbort = () => {
          const i = this.queue.indexOf(grant, this.qHead);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new CallCancelledError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.queue.push(grant);
    });
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
    if (this.qHead < this.queue.length) {
      const next = this.queue[this.qHead]!;
      this.qHead++;
      if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
        this.queue.splice(0, this.qHead);
        this.qHead = 0;
      }
      next();
    }
  }
}
