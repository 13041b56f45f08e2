/** What every scenario gets and returns. */
import { randomUUID } from 'node:crypto';
import type { TemporalHandledClient } from 'temporal-handled-client';
import type { BenchServer, WorkerHost } from './env';
import { sleep } from './stats';

export interface Ctx {
  quick: boolean;
  /** The dev server every scenario uses (default long-poll limit). */
  main: BenchServer;
  workers: WorkerHost;
  /** Task queue served by a worker on `main`. */
  taskQueue: string;
  /** Task queue nobody polls: its workflows stay open without worker load (describe and signal targets). */
  parkedQueue: string;
  /** A daemon spawned over stdio by the TS client, on `main`. */
  daemon: TemporalHandledClient;
  log(msg: string): void;
}

export interface TargetCheck {
  scenario: string;
  what: string;
  measured: number;
  unit: string;
  /** e.g. "≤ 1.2" */
  target: string;
  met: boolean;
  note?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  data: unknown;
  markdown: string;
  targets: TargetCheck[];
  durationMs?: number;
}

export function uid(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Starts `n` workflows of `type` on `taskQueue` (64 at a time); returns their IDs and first run IDs. */
export async function startWorkflows(ctx: Ctx, n: number, type: string, taskQueue: string | ((i: number) => string), prefix: string, server = ctx.main): Promise<{ id: string; runId: string }[]> {
  const out: { id: string; runId: string }[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(64, n) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const id = `${prefix}-${i}`;
        const h = await server.client.workflow.start(type, { taskQueue: typeof taskQueue === 'string' ? taskQueue : taskQueue(i), workflowId: id, args: [] });
        out[i] = { id, runId: h.firstExecutionRunId };
      }
    }),
  );
  return out;
}

/** Waits until a worker-run workflow answers a query (its first task has run). */
export async function untilQueryable(ctx: Ctx, id: string, query: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await ctx.main.client.workflow.getHandle(id).query(query);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

export const fmt = (x: number | null | undefined, digits?: number): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
};

export const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

export const mark = (met: boolean): string => (met ? '✅ met' : '❌ missed');

export function mdTable(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
