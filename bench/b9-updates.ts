/**
 * B1's update row: the p50 and p99 of an update (executeUpdate: the request, the worker's
 * handler, the outcome) through the daemon and direct through @temporalio/client, sequential,
 * interleaved in rounds on one worker-run workflow.
 */
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, uid } from './common';
import { nowMs, percentile, round } from './stats';

export async function b9(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { warmup: 20, rounds: 3, calls: 50 } : { warmup: 50, rounds: 5, calls: 150 };
  ctx.log(`B9: update latency, ${size.rounds} rounds of ${size.calls} per path`);
  const id = uid('b9');
  await ctx.main.client.workflow.start('target', { taskQueue: ctx.taskQueue, workflowId: id, args: [] });
  const viaDaemon = ctx.daemon.getWorkflowHandle(id);
  const direct = ctx.main.client.workflow.getHandle(id);
  const paths: Record<string, () => Promise<unknown>> = {
    daemon: () => viaDaemon.executeUpdate('bump', { args: [1] }),
    direct: () => direct.executeUpdate('bump', { args: [1] }),
  };
  for (const f of Object.values(paths)) for (let i = 0; i < size.warmup; i++) await f();
  const samples: Record<string, number[]> = { daemon: [], direct: [] };
  for (let r = 0; r < size.rounds; r++) {
    for (const [name, f] of Object.entries(paths)) {
      for (let i = 0; i < size.calls; i++) {
        const t0 = nowMs();
        await f();
        samples[name]!.push(nowMs() - t0);
      }
    }
  }
  await direct.signal('finish');
  const p = (name: string, q: number) => percentile(samples[name]!, q);
  const ratio = p('daemon', 50) / p('direct', 50);
  const checks: TargetCheck[] = [{ scenario: 'B1', what: 'update p50, daemon (TS) ÷ direct TS SDK', measured: round(ratio), unit: '×', target: '≤ 1.2', met: ratio <= 1.2 }];
  const md = [
    `${size.rounds} interleaved rounds of ${size.calls} sequential \`executeUpdate('bump')\` per path on one worker-run workflow (after ${size.warmup} warm-up each): through the daemon (TS client over stdio) and direct through @temporalio/client.`,
    '',
    mdTable(
      ['path', 'p50, ms', 'p99, ms'],
      Object.keys(paths).map((n) => [n, fmt(p(n, 50)), fmt(p(n, 99))]),
    ),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      checks.map((t) => [t.what, `${fmt(t.measured)} ×`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { id: 'B9', title: 'B1 (updates): update latency', data: { size, samples: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(round)])) }, markdown: md, targets: checks };
}
