/**
 * B5: following a chain of 100 continue-as-new runs: the time from the last run's
 * close to the answer, through the daemon (TS client, `result` following runs) and
 * directly (@temporalio/client handle.result()).
 */
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, ratio, uid } from './common';
import { median, round, wallMs, withTimeout } from './stats';
import { closeTimeMs } from './close-time';

export async function b5(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { runs: 100, reps: 2 } : { runs: 100, reps: 4 };
  const c = ctx.main.client;
  const res: Record<'daemon' | 'direct', { lagMs: number; totalMs: number; lastRunId: string }[]> = { daemon: [], direct: [] };
  const once = async (path: 'daemon' | 'direct', warm = false) => {
    const id = uid(`b5-${path}`);
    const t0 = wallMs();
    const started = await c.workflow.start('chain', { taskQueue: ctx.taskQueue, workflowId: id, args: [size.runs] });
    let value: { runs: number };
    if (path === 'daemon') value = await withTimeout(ctx.daemon.getWorkflowHandle(id, { runId: started.firstExecutionRunId }).result<{ runs: number }>(), 120_000, 'B5 daemon result');
    else value = await withTimeout(started.result() as Promise<{ runs: number }>, 120_000, 'B5 direct result');
    const answeredAt = wallMs();
    if (value.runs !== size.runs) throw new Error(`B5: expected ${size.runs} runs, got ${JSON.stringify(value)}`);
    const last = await c.workflow.getHandle(id).describe();
    const closedAt = closeTimeMs(last);
    if (!warm) res[path].push({ lagMs: answeredAt - closedAt, totalMs: answeredAt - t0, lastRunId: last.runId });
  };
  ctx.log(`B5: ${size.reps} chains of ${size.runs} runs per path${ctx.quick ? '' : ' (1 warm-up each)'}`);
  if (!ctx.quick) {
    await once('direct', true);
    await once('daemon', true);
  }
  for (let rep = 0; rep < size.reps; rep++) {
    for (const p of rep % 2 === 0 ? (['direct', 'daemon'] as const) : (['daemon', 'direct'] as const)) await once(p);
  }
  const lag = { daemon: median(res.daemon.map((r) => r.lagMs)), direct: median(res.direct.map((r) => r.lagMs)) };
  const total = { daemon: median(res.daemon.map((r) => r.totalMs)), direct: median(res.direct.map((r) => r.totalMs)) };
  const r = ratio(lag.daemon, lag.direct);
  const checks: TargetCheck[] = [
    {
      scenario: 'B5',
      what: `last run closed → answer, daemon ÷ direct (100-run chain)`,
      measured: round(r),
      unit: '×',
      target: '≤ 1.2',
      met: r <= 1.2,
      note: `daemon ${fmt(lag.daemon)} ms, direct ${fmt(lag.direct)} ms`,
    },
  ];
  const md = [
    `${size.reps} chains of ${size.runs} continue-as-new runs per path (medians; alternating order${ctx.quick ? '' : ', after one warm-up chain each'}). The wait starts right after the start, so it follows the chain as it runs. Close time: describe's closeTime of the last run; answer: when the result resolved in the benchmark process (same clock).`,
    '',
    mdTable(
      ['path', 'last close → answer, ms (median)', 'per chain', 'start → answer, ms (median)'],
      [
        ['direct, @temporalio/client result()', fmt(lag.direct), res.direct.map((x) => fmt(x.lagMs)).join(', '), fmt(total.direct, 0)],
        ['daemon, TS client result()', fmt(lag.daemon), res.daemon.map((x) => fmt(x.lagMs)).join(', '), fmt(total.daemon, 0)],
      ],
    ),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      checks.map((t) => [t.what, `${fmt(t.measured)}× (${t.note})`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { id: 'B5', title: 'B5: following 100 continue-as-new runs', data: { size, runs: res, medianLagMs: lag, medianTotalMs: total }, markdown: md, targets: checks };
}
