/**
 * B6: cold start: from spawning the daemon (with --address of the running server)
 * to its answer to initialize, and its RSS when idle.
 */
import { spawn } from 'node:child_process';
import { TemporalHandledClient } from 'temporal-handled-client';
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable } from './common';
import { median, nowMs, percentile, round, sleep } from './stats';

function nodeBare(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    c.once('error', reject);
    c.once('exit', () => resolve(nowMs() - t0));
  });
}

export async function b6(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { reps: 5, warmup: 1 } : { reps: 12, warmup: 2 };
  const startMs: number[] = [];
  const rssMB: number[] = [];
  const bare: number[] = [];
  ctx.log(`B6: ${size.reps} cold starts (after ${size.warmup} warm-up)`);
  for (let i = 0; i < size.warmup + size.reps; i++) {
    const t0 = nowMs();
    const c = await TemporalHandledClient.spawn({ address: ctx.main.address, args: ['--log-level', 'warn'] });
    const ms = nowMs() - t0;
    await sleep(500);
    const s = (await c.status()) as { memory?: { rss?: number } };
    await c.close();
    const b = await nodeBare();
    if (i < size.warmup) continue;
    startMs.push(ms);
    rssMB.push((s.memory?.rss ?? NaN) / 1e6);
    bare.push(b);
  }
  const p50 = median(startMs);
  // The previous value: 278 ms (the full run of stop 7, before initialize stopped loading TypeBox and gRPC).
  const checks: TargetCheck[] = [{ scenario: 'B6', what: 'spawn → initialize answered (median)', measured: round(p50), unit: 'ms', target: '≤ 150 ms', met: p50 <= 150, note: 'was 278 ms' }];
  const md = [
    `${size.reps} spawns of \`node bin/temporal-handled.js --stdio --address …\` through TemporalHandledClient.spawn (after ${size.warmup} warm-up); the daemon answers initialize before loading gRPC (the server version is there once known; daemon/status always has it). RSS: daemon/status memory.rss 0.5 s after initialize.`,
    '',
    mdTable(
      ['measure', 'median', 'p90', 'min', 'max'],
      [
        ['spawn → initialize answered, ms', fmt(p50), fmt(percentile(startMs, 90)), fmt(Math.min(...startMs)), fmt(Math.max(...startMs))],
        ['idle RSS, MB (10^6 bytes)', fmt(median(rssMB)), fmt(percentile(rssMB, 90)), fmt(Math.min(...rssMB)), fmt(Math.max(...rssMB))],
        ['for scale: `node -e 0`, ms', fmt(median(bare)), fmt(percentile(bare, 90)), fmt(Math.min(...bare)), fmt(Math.max(...bare))],
      ],
    ),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      checks.map((t) => [t.what, `${fmt(t.measured)} ms`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { id: 'B6', title: 'B6: cold start', data: { size, startMs: startMs.map(round), idleRssMB: rssMB.map(round), nodeBareMs: bare.map(round) }, markdown: md, targets: checks };
}
