/**
 * B8: fairness between clients. One client floods the daemon with handle/describe requests
 * and never reads the answers; another client's describe latency is measured meanwhile.
 * Run twice on one daemon build: with the per-client bound (`--max-calls-per-client`, the
 * default 64) and with it lifted (1,000,000: what the daemon did before the bound).
 */
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TemporalHandledClient } from 'temporal-handled-client';
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, uid } from './common';
import { median, nowMs, percentile, round, sleep } from './stats';

function frame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

interface Run {
  bound: number;
  p50: number;
  p99: number;
  max: number;
  samples: number;
  /** daemon/status while the flood was on: Temporal calls in flight and queued. */
  grpcInFlightPeak: number;
  queuedPeak: number;
}

async function measure(ctx: Ctx, bound: number, flood: number, samples: number): Promise<Run> {
  const socketPath = path.join(os.tmpdir(), `th-b8-${process.pid}-${bound}.sock`);
  const owner = await TemporalHandledClient.spawn({ address: ctx.main.address, args: ['--log-level', 'warn', '--listen-socket', socketPath, '--max-calls-per-client', String(bound)] });
  try {
    const good = await TemporalHandledClient.attach(socketPath);
    const id = uid('b8');
    await ctx.main.client.workflow.start('parked', { taskQueue: ctx.parkedQueue, workflowId: id, args: [] });
    const h = good.getWorkflowHandle(id);
    for (let i = 0; i < 20; i++) await h.describe(); // warm-up
    const token = await h.handleToken();

    // The flooding client: initialize, then `flood` describes written at once, never read.
    const bad = net.createConnection(socketPath);
    await new Promise((r) => bad.once('connect', r));
    bad.pause();
    bad.write(frame({ jsonrpc: '2.0', id: 0, method: 'initialize', params: {} }));
    const burst: Buffer[] = [];
    for (let i = 1; i <= flood; i++) burst.push(frame({ jsonrpc: '2.0', id: i, method: 'handle/describe', params: { handle: token } }));
    bad.write(Buffer.concat(burst));

    const lat: number[] = [];
    let grpcPeak = 0;
    let queuedPeak = 0;
    for (let i = 0; i < samples; i++) {
      const t0 = nowMs();
      await h.describe();
      lat.push(nowMs() - t0);
      if (i % 10 === 0) {
        const s = (await good.status()) as { grpcInFlight?: number; queued?: number };
        grpcPeak = Math.max(grpcPeak, s.grpcInFlight ?? 0);
        queuedPeak = Math.max(queuedPeak, s.queued ?? 0);
      }
    }
    bad.destroy();
    await sleep(200);
    await good.close();
    return { bound, p50: median(lat), p99: percentile(lat, 99), max: Math.max(...lat), samples: lat.length, grpcInFlightPeak: grpcPeak, queuedPeak };
  } finally {
    await owner.close();
  }
}

export async function b8(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { flood: 2000, samples: 100 } : { flood: 5000, samples: 300 };
  ctx.log(`B8: another client's describes while one client floods ${size.flood} describes without reading`);
  const unbounded = await measure(ctx, 1_000_000, size.flood, size.samples);
  const bounded = await measure(ctx, 64, size.flood, size.samples);
  const checks: TargetCheck[] = [
    { scenario: 'B8', what: "another client's describe p99 while one client floods (bounded, 64 per client)", measured: round(bounded.p99), unit: 'ms', target: '< 100 ms', met: bounded.p99 < 100 },
  ];
  const row = (name: string, r: Run) => [name, fmt(r.p50), fmt(r.p99), fmt(r.max), String(r.grpcInFlightPeak), String(r.queuedPeak)];
  const md = [
    `One client writes initialize and ${size.flood} handle/describe requests at once over the daemon's socket and never reads; meanwhile another client (the TS client, same socket) runs ${size.samples} describes one after another. Both on the same daemon build, with and without the per-client bound.`,
    '',
    mdTable(
      ['per-client bound', "other client's describe p50, ms", 'p99, ms', 'max, ms', 'gRPC calls in flight (peak seen)', 'queued (peak seen)'],
      [row('none (1,000,000: as before the bound)', unbounded), row('64 (the default)', bounded)],
    ),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      checks.map((t) => [t.what, `${fmt(t.measured)} ms`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { id: 'B8', title: 'B8: fairness: one flooding client, another client served', data: { size, unbounded, bounded }, markdown: md, targets: checks };
}
