/**
 * Shared pieces of the Temporal-layer tests: a client and a worker per describe block,
 * error assertions, polling, and raw history reads.
 */
import { expect } from 'chai';
import { newClient, startWorker, testEnv, type RunningWorker } from '../harness/env';
import type { TemporalClient } from '../../src/temporal/client';
import type { Connection } from '../../src/temporal/connection';
import type { IHistoryEvent } from '../../src/temporal/proto';

export interface TestContext {
  client: TemporalClient;
  connection: Connection;
  /** The task queue of this block's worker. */
  taskQueue: string;
}

/** Registers before/after hooks: the shared dev server, a client, and one worker on its own task queue. */
export function useTemporal(): TestContext {
  const ctx = {} as TestContext;
  let worker: RunningWorker | undefined;
  before(async function () {
    this.timeout(120_000);
    await testEnv();
    const c = await newClient();
    ctx.client = c.client;
    ctx.connection = c.connection;
    worker = await startWorker();
    ctx.taskQueue = worker.taskQueue;
  });
  after(async function () {
    this.timeout(30_000);
    await worker?.stop();
    ctx.connection?.close();
  });
  return ctx;
}

type Ctor<T> = abstract new (...args: any[]) => T;

/** Awaits `p`, expects it to reject with an instance of `cls`, and returns the error. */
export async function rejectsWith<T>(p: Promise<unknown>, cls: Ctor<T>): Promise<T> {
  let value: unknown;
  try {
    value = await p;
  } catch (err) {
    expect(err, `expected ${cls.name}, got ${String(err)}`).to.be.instanceOf(cls);
    return err as T;
  }
  return expect.fail(`expected a ${cls.name}, but it resolved to ${JSON.stringify(value)}`);
}

/** Calls `fn` until `ok` holds for its value (errors count as not yet), or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (ok(v)) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) return expect.fail(`condition not met within ${timeoutMs} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** RFC 3339 date-time, as description timestamps must be. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A run ID as the server makes them (a UUID). */
export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every history event of one run (or of the current run when `runId` is unset), read with the raw service. */
export async function historyEvents(client: TemporalClient, workflowId: string, runId?: string | null): Promise<IHistoryEvent[]> {
  const events: IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.service.getWorkflowExecutionHistory({ namespace: client.namespace, execution: { workflowId, runId: runId ?? '' }, nextPageToken });
    events.push(...(res.history?.events ?? []));
    nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

export function b64(s: string | Buffer): string {
  return Buffer.from(s).toString('base64');
}
