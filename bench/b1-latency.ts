/**
 * B1: per-call latency (p50, p99) of describe, query and signal, sequential calls:
 * through the daemon (TS client over stdio; Python client over stdio) and directly
 * (@temporalio/client in process; the Python SDK).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { TemporalHandledClient } from 'temporal-handled-client';
import { DAEMON_BIN, PYTHON, ROOT } from './env';
import { startSocketDaemon } from './b3-cli';
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, ratio, uid, untilQueryable } from './common';
import { median, nowMs, percentile, round } from './stats';

export const OPS = ['describe', 'query', 'signal'] as const;
export type Op = (typeof OPS)[number];

export interface Summary {
  p50: number;
  p99: number;
  /** Per repetition. */
  reps: { p50: number; p99: number }[];
}

export function summarize(repSamples: number[][]): Summary {
  const reps = repSamples.map((xs) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) }));
  return { p50: round(median(reps.map((r) => r.p50))), p99: round(median(reps.map((r) => r.p99))), reps: reps.map((r) => ({ p50: round(r.p50), p99: round(r.p99) })) };
}

export function runPython(args: string[], timeoutMs: number): Promise<{ python: string; temporalio: string; samples: Record<string, Record<Op, number[][]>> }> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [path.join(ROOT, 'bench', 'python_bench.py'), ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python_bench.py failed: ${err.message}\n${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(stdout));
      } catch (e) {
        reject(new Error(`python_bench.py printed no JSON: ${(e as Error).message}\n${stderr.slice(-2000)}`));
      }
    });
  });
}

export async function b1(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { warmup: 30, reps: 3, calls: 100 } : { warmup: 100, reps: 5, calls: 200 };
  const c = ctx.main.client;
  // A worker-run workflow for queries; parked ones (no worker) for describe and signal,
  // so that signals do not add worker load to the measurement. One of each per language.
  const ids = { live: uid('b1-live'), parkedTs: uid('b1-parked-ts'), parkedPy: uid('b1-parked-py') };
  await c.workflow.start('target', { taskQueue: ctx.taskQueue, workflowId: ids.live });
  await c.workflow.start('target', { taskQueue: ctx.parkedQueue, workflowId: ids.parkedTs });
  await c.workflow.start('target', { taskQueue: ctx.parkedQueue, workflowId: ids.parkedPy });
  await untilQueryable(ctx, ids.live, 'count');

  const calls: Record<string, Record<Op, () => Promise<unknown>>> = {};
  {
    const live = ctx.daemon.getWorkflowHandle(ids.live);
    const parked = ctx.daemon.getWorkflowHandle(ids.parkedTs);
    calls.ts_daemon = { describe: () => parked.describe(), query: () => live.query('count'), signal: () => parked.signal('ping', 1) };
  }
  {
    const live = c.workflow.getHandle(ids.live);
    const parked = c.workflow.getHandle(ids.parkedTs);
    calls.ts_direct = { describe: () => parked.describe(), query: () => live.query('count'), signal: () => parked.signal('ping', 1) };
  }
  // For comparison (not a target): the same TS client attached to a daemon's Unix socket.
  const socketDaemon = await startSocketDaemon(ctx.main.address);
  const attached = await TemporalHandledClient.attach(socketDaemon.socket);
  const floors: Record<string, number[][]> = { ts_daemon: [], ts_daemon_socket: [] };
  const samples: Record<string, Record<Op, number[][]>> = {};
  try {
    {
      const live = attached.getWorkflowHandle(ids.live);
      const parked = attached.getWorkflowHandle(ids.parkedTs);
      calls.ts_daemon_socket = { describe: () => parked.describe(), query: () => live.query('count'), signal: () => parked.signal('ping', 1) };
    }
    // The protocol's own round trip: handle/info answers from the handle table, no Temporal call.
    const infoOf = async (c: TemporalHandledClient) => {
      const { handle } = await c.request<{ handle: string }>('workflow/getHandle', { workflowId: ids.parkedTs });
      return () => c.request('handle/info', { handle });
    };
    const floorCalls: Record<string, () => Promise<unknown>> = { ts_daemon: await infoOf(ctx.daemon), ts_daemon_socket: await infoOf(attached) };
    const paths = Object.keys(calls);
    ctx.log(`B1: TypeScript, ${size.reps} × ${size.calls} calls per path and call (warm-up ${size.warmup})`);
    for (const p of paths) for (const op of OPS) for (let i = 0; i < size.warmup; i++) await calls[p]![op]();
    for (const f of Object.values(floorCalls)) for (let i = 0; i < size.warmup; i++) await f();
    for (const p of paths) samples[p] = { describe: [], query: [], signal: [] };
    // Paths take turns call by call, so that background load affects each alike.
    const interleaved = async (fs: Record<string, () => Promise<unknown>>, order: string[]) => {
      const xs: Record<string, number[]> = Object.fromEntries(order.map((p) => [p, []]));
      for (let i = 0; i < size.calls; i++) {
        for (const p of i % 2 === 0 ? order : [...order].reverse()) {
          const t0 = nowMs();
          await fs[p]!();
          xs[p]!.push(nowMs() - t0);
        }
      }
      return xs;
    };
    for (let rep = 0; rep < size.reps; rep++) {
      const order = rep % 2 === 0 ? paths : [...paths].reverse();
      for (const op of OPS) {
        const xs = await interleaved(Object.fromEntries(paths.map((p) => [p, calls[p]![op]])), order);
        for (const p of paths) samples[p]![op].push(xs[p]!);
      }
      const xs = await interleaved(floorCalls, Object.keys(floorCalls));
      for (const p of Object.keys(floorCalls)) floors[p]!.push(xs[p]!);
    }
  } finally {
    await attached.close();
    await socketDaemon.stop();
  }

  ctx.log('B1: Python');
  const py = await runPython(
    ['--address', ctx.main.address, '--live', ids.live, '--parked', ids.parkedPy, '--daemon', DAEMON_BIN, '--warmup', String(size.warmup), '--reps', String(size.reps), '--calls', String(size.calls)],
    ctx.quick ? 120_000 : 240_000,
  );
  for (const [p, byOp] of Object.entries(py.samples)) samples[p] = byOp;

  const summary: Record<string, Record<Op, Summary>> = {};
  for (const [p, byOp] of Object.entries(samples)) summary[p] = Object.fromEntries(OPS.map((op) => [op, summarize(byOp[op])])) as Record<Op, Summary>;

  const floorSummary = Object.fromEntries(Object.entries(floors).map(([p, reps]) => [p, summarize(reps)]));
  const label: Record<string, string> = {
    ts_daemon: 'daemon, TS client (stdio)',
    ts_direct: 'direct, @temporalio/client',
    ts_daemon_socket: 'daemon, TS client (Unix socket; for comparison)',
    python_daemon: 'daemon, Python client (stdio)',
    python_sdk: 'direct, Python SDK (temporalio)',
  };
  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  for (const op of OPS) {
    const base = summary.ts_direct![op].p50;
    const pyBase = summary.python_sdk?.[op].p50 ?? NaN;
    for (const p of ['ts_direct', 'ts_daemon', 'ts_daemon_socket', 'python_sdk', 'python_daemon']) {
      const s = summary[p]?.[op];
      if (!s) continue;
      const vsPy = p.startsWith('python') ? fmt(ratio(s.p50, pyBase)) : '';
      rows.push([op, label[p]!, fmt(s.p50), fmt(s.p99), fmt(ratio(s.p50, base)), vsPy]);
    }
    const r = ratio(summary.ts_daemon![op].p50, base);
    targets.push({ scenario: 'B1', what: `${op} p50, daemon (TS) ÷ direct TS SDK`, measured: round(r), unit: '×', target: '≤ 1.2', met: r <= 1.2 });
  }
  const md = [
    `Sequential calls; ${size.reps} repetitions × ${size.calls} calls per path and call after a warm-up of ${size.warmup}, the paths of one language taking turns call by call; the medians over repetitions of each repetition's p50 and p99.`,
    `Describe and signal target a workflow on a task queue no worker polls (no worker load from the signals); query targets a worker-run workflow.`,
    '',
    mdTable(['call', 'path', 'p50 ms', 'p99 ms', 'p50 ÷ direct TS', 'p50 ÷ Python SDK'], rows),
    '',
    'The protocol alone (handle/info: answered from the handle table, no Temporal call), TS client:',
    '',
    mdTable(
      ['path', 'p50 ms', 'p99 ms'],
      Object.entries(floorSummary).map(([p, f]) => [label[p]!, fmt(f.p50), fmt(f.p99)]),
    ),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      targets.map((t) => [t.what, `${fmt(t.measured)}×`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return {
    id: 'B1',
    title: 'B1: per-call latency',
    data: { size, workflows: ids, summary, protocolRoundTrip: floorSummary, python: { version: py.python, temporalio: py.temporalio } },
    markdown: md,
    targets,
  };
}
