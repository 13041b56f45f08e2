/**
 * The daemon's RSS per held result wait: starts N workflows on a task queue no worker polls
 * (they stay open), spawns a daemon (TS client over stdio), reads daemon/status before and
 * after issuing N `handle/result` waits, and prints the difference per wait.
 *   node dist/bench/mem-per-wait.js [N=5000] [longPollLimit]
 * A dev server of its own (frontend.namespaceCount at its default unless given).
 */
import { TemporalHandledClient } from 'temporal-handled-client';
import { diffCounts, startServer } from './env';
import { pool, sleep } from './stats';

/** The server's `service_requests` counters by operation. */
async function requestCounts(metricsPort: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  // A loaded server may drop the metrics request: counted as nothing then.
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  for (const line of text.split('\n')) {
    if (!line.startsWith('service_requests{') || !line.includes('service_name="frontend"')) continue;
    const op = /operation="([^"]*)"/.exec(line)?.[1] ?? '?';
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) out[op] = (out[op] ?? 0) + v;
  }
  return out;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const limit = process.argv[3] ? Number(process.argv[3]) : undefined;
  const server = await startServer(limit ? { longPollLimit: limit } : {});
  const daemon = await TemporalHandledClient.spawn({ address: server.address, args: ['--log-level', 'warn'], stderr: 'inherit' });
  try {
    const prefix = `mem-${Date.now()}`;
    const wfs = await pool(n, 64, async (i) => {
      const h = await server.client.workflow.start('waiter', { taskQueue: 'mem-parked-nobody-polls', workflowId: `${prefix}-${i}`, args: [] });
      return { id: h.workflowId, runId: h.firstExecutionRunId };
    });
    const st = async () => (await daemon.status()) as { memory: { rss: number; heapUsed: number; heapTotal: number; external: number }; grpcInFlight: number };
    // A handle and a describe first, so that gRPC and the protos are loaded before the idle reading.
    await daemon.getWorkflowHandle(wfs[0]!.id).describe();
    const g = global as { gc?: () => void };
    g.gc?.();
    await sleep(2000);
    const before = await st();
    const ctrl = wfs.map((w) =>
      daemon
        .getWorkflowHandle(w.id, { runId: w.runId })
        .result()
        .catch((e: Error) => e),
    );
    let errors = 0;
    for (const p of ctrl)
      void p.then((r) => {
        if (r instanceof Error) errors++;
      });
    // Let the waits settle (past the budget most of them are not in a long poll), then sample.
    const samples: number[] = [];
    const calls: Record<string, number>[] = [];
    let prev = await requestCounts(server.metricsPort);
    // At least 30 s, then until the registrations are over (fewer than 20 describes, the waits' first checks, in 2 s, twice), 10 min at most.
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    for (let k = 0; k < 300; k++) {
      await sleep(2000);
      const s = await st();
      samples.push(s.memory.rss);
      const now = await requestCounts(server.metricsPort);
      calls.push(diffCounts(now, prev));
      prev = now;
      if (k >= 14 && calls.slice(-2).every((c) => (c.DescribeWorkflowExecution ?? 0) < 20)) break;
    }
    // The server's calls per second over the last 10 s (every wait settled by then).
    const last: Record<string, number> = {};
    for (const c of calls.slice(-5)) for (const [k, v] of Object.entries(c)) last[k] = (last[k] ?? 0) + v / 10;
    const after = await st();
    // With MEM_SNAPSHOT set (and the daemon started with NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2),
    // a heap snapshot of the daemon, written in its working directory.
    if (process.env.MEM_SNAPSHOT) {
      process.kill(((await daemon.status()) as { pid: number }).pid, 'SIGUSR2');
      await sleep(20_000);
    }
    const perWait = (after.memory.rss - before.memory.rss) / n;
    const heapPerWait = (after.memory.heapUsed - before.memory.heapUsed) / n;
    console.log(
      JSON.stringify({
        n,
        limit: limit ?? 1200,
        rssBeforeMB: before.memory.rss / 1e6,
        rssAfterMB: after.memory.rss / 1e6,
        perWaitKB: perWait / 1e3,
        heapPerWaitKB: heapPerWait / 1e3,
        heapTotalMB: after.memory.heapTotal / 1e6,
        heapUsedMB: after.memory.heapUsed / 1e6,
        externalMB: after.memory.external / 1e6,
        grpcInFlight: after.grpcInFlight,
        errors,
        samplesMB: samples.map((x) => Math.round(x / 1e6)),
        callsPerSecLast10s: last,
        callsPer2s: calls.map(total),
        settledAfterS: calls.length * 2,
      }),
    );
  } finally {
    await daemon.close().catch(() => undefined);
    await server.stop();
  }
}
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
