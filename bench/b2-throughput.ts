/**
 * B2: throughput (ops/s) of signals and describes at concurrency 1, 16 and 64,
 * through the daemon (TS client over stdio) and directly (@temporalio/client).
 */
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, ratio, startWorkflows, uid } from './common';
import { median, nowMs, pool, round } from './stats';

const CONCURRENCY = [1, 16, 64] as const;
const OPS = ['signal', 'describe'] as const;

export async function b2(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick
    ? { reps: 2, warmup: 100, ops: { 1: 100, 16: 500, 64: 800 } as Record<number, number> }
    : { reps: 3, warmup: 200, ops: { 1: 300, 16: 1500, 64: 2000 } as Record<number, number> };
  // Parked workflows (no worker): the server work per call is the same on both paths, and no
  // worker competes for the CPU. Calls go round-robin over them (signals per workflow stay far
  // below the server's 10,000 per execution).
  const targets = await startWorkflows(ctx, 32, 'target', ctx.parkedQueue, uid('b2'));
  const daemonHandles = targets.map((w) => ctx.daemon.getWorkflowHandle(w.id));
  const directHandles = targets.map((w) => ctx.main.client.workflow.getHandle(w.id));
  const call = {
    daemon: { signal: (i: number) => daemonHandles[i % 32]!.signal('ping', i), describe: (i: number) => daemonHandles[i % 32]!.describe() },
    direct: { signal: (i: number) => directHandles[i % 32]!.signal('ping', i), describe: (i: number) => directHandles[i % 32]!.describe() },
  } as const;
  const paths = ['direct', 'daemon'] as const;
  ctx.log(`B2: warm-up (${size.warmup} per path and op at concurrency 16)`);
  for (const p of paths) for (const op of OPS) await pool(size.warmup, 16, (i) => call[p][op](i) as Promise<unknown>);

  const raw: Record<string, Record<string, Record<number, number[]>>> = { daemon: { signal: {}, describe: {} }, direct: { signal: {}, describe: {} } };
  for (let rep = 0; rep < size.reps; rep++) {
    for (const op of OPS) {
      for (const c of CONCURRENCY) {
        const order = (rep + c) % 2 === 0 ? paths : [...paths].reverse();
        for (const p of order) {
          const n = size.ops[c]!;
          const t0 = nowMs();
          await pool(n, c, (i) => call[p][op](i) as Promise<unknown>);
          const opsPerS = n / ((nowMs() - t0) / 1000);
          (raw[p]![op]![c] ??= []).push(round(opsPerS));
        }
      }
    }
    ctx.log(`B2: repetition ${rep + 1}/${size.reps} done`);
  }
  const med = (p: string, op: string, c: number) => median(raw[p]![op]![c]!);
  const rows: string[][] = [];
  const checks: TargetCheck[] = [];
  for (const op of OPS) {
    for (const c of CONCURRENCY) {
      const d = med('daemon', op, c);
      const x = med('direct', op, c);
      rows.push([op, String(c), String(size.ops[c]), fmt(x, 0), fmt(d, 0), fmt(ratio(d, x))]);
    }
    const r = ratio(med('daemon', op, 64), med('direct', op, 64));
    checks.push({ scenario: 'B2', what: `${op} throughput at concurrency 64, daemon ÷ direct`, measured: round(r), unit: '×', target: '≥ 0.9', met: r >= 0.9 });
  }
  const md = [
    `Fixed number of calls per cell, ${size.reps} repetitions (median ops/s), after a warm-up; the daemon is driven by the TS client over one stdio connection. Calls go round-robin over 32 workflows on a task queue no worker polls.`,
    '',
    mdTable(['op', 'concurrency', 'calls', 'direct ops/s', 'daemon ops/s', 'daemon ÷ direct'], rows),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      checks.map((t) => [t.what, `${fmt(t.measured)}×`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { id: 'B2', title: 'B2: throughput', data: { size, opsPerSecond: raw }, markdown: md, targets: checks };
}
