/**
 * `npm run bench` (`-- --quick` for a short run; `-- --only B1,B3` to run some scenarios):
 * starts a real dev server and a worker, measures every scenario side by side, and writes
 * bench/results/results.json and results.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TemporalHandledClient } from 'temporal-handled-client';
import { ROOT, WorkerHost, gitState, machineInfo, startServer, type BenchServer } from './env';
import type { Ctx, ScenarioResult } from './common';
import { fmt, mark, mdTable } from './common';
import { b1 } from './b1-latency';
import { b2 } from './b2-throughput';
import { b3 } from './b3-cli';
import { b4 } from './b4-waits';
import { b5 } from './b5-chain';
import { b6 } from './b6-cold-start';
import { b8 } from './b8-fairness';
import { b9 } from './b9-updates';
import { b10 } from './b10-history';
import { b11 } from './b11-list';
import { b12 } from './b12-codec';
import { b7 } from './b7-per-call';
import { round } from './stats';

const RESULTS = path.join(ROOT, 'bench', 'results');

function parseArgs(argv: string[]): { quick: boolean; only: Set<string> | null } {
  const quick = argv.includes('--quick');
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  let only: Set<string> | null = null;
  if (i >= 0) {
    const v = argv[i]!.includes('=') ? argv[i]!.split('=')[1]! : (argv[i + 1] ?? '');
    only = new Set(
      v
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
    );
  }
  return { quick, only };
}

async function main(): Promise<number> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
  // Every scenario is bounded; this is the backstop.
  const watchdog = setTimeout(
    () => {
      log('the run took too long: giving up');
      process.exit(2);
    },
    (quick ? 8 : 25) * 60_000,
  );
  watchdog.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

  const machine = machineInfo();
  const loadAtStart = os.loadavg().map((x) => round(x));
  const git = gitState();
  log(`${quick ? 'quick' : 'full'} run on ${machine.cpuModel} × ${machine.cores}, ${machine.memoryGiB} GiB; node ${machine.node}, python ${machine.python}, temporal ${machine.temporalCli}`);
  const wanted = (id: string) => !only || only.has(id);
  const needBig = wanted('B4');
  const taskQueue = 'bench';
  const parkedQueue = 'bench-parked';

  let main: BenchServer | undefined;
  let big: BenchServer | undefined;
  let workers: WorkerHost | undefined;
  let daemon: TemporalHandledClient | undefined;
  const results: ScenarioResult[] = [];
  const failures: { id: string; error: string }[] = [];
  try {
    [main, workers] = await Promise.all([startServer(), WorkerHost.start()]);
    await workers.startWorker(main.address, taskQueue);
    daemon = await TemporalHandledClient.spawn({ address: main.address, args: ['--log-level', 'warn'], stderr: 'inherit' });
    log(`dev server ${main.address} (metrics :${main.metricsPort}), worker pid ${workers.pid}, daemon ready`);
    const ctx: Ctx = { quick, main, workers, taskQueue, parkedQueue, daemon, log };
    const scenarios: [string, () => Promise<ScenarioResult>][] = [
      ['B6', () => b6(ctx)],
      ['B1', () => b1(ctx)],
      ['B7', () => b7(ctx)],
      ['B2', () => b2(ctx)],
      ['B3', () => b3(ctx)],
      ['B5', () => b5(ctx)],
      ['B8', () => b8(ctx)],
      ['B9', () => b9(ctx)],
      ['B10', () => b10(ctx)],
      ['B11', () => b11(ctx)],
      ['B12', () => b12(ctx)],
      [
        'B4',
        async () => {
          if (needBig) {
            // A second server: in a quick run with a lowered long-poll limit (what happens past it),
            // in a full run a fresh one at the default limit for the 100,000 waits.
            big = await startServer(quick ? { longPollLimit: 250 } : {});
            await workers!.startWorker(big.address, taskQueue);
            log(`second dev server ${big.address} with frontend.namespaceCount=${big.longPollLimit}`);
          }
          return b4(ctx, { big: big ? { server: big, taskQueue } : undefined });
        },
      ],
    ];
    for (const [id, run] of scenarios) {
      if (!wanted(id)) continue;
      const s0 = Date.now();
      log(`${id}: start`);
      try {
        const r = await run();
        r.durationMs = Date.now() - s0;
        results.push(r);
        log(`${id}: done in ${((Date.now() - s0) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures.push({ id, error: (err as Error).stack ?? String(err) });
        log(`${id}: FAILED: ${(err as Error).stack ?? String(err)}`);
      }
    }
  } finally {
    await daemon?.close().catch(() => undefined);
    await workers?.stop().catch(() => workers?.kill());
    await big?.stop().catch(() => undefined);
    await main?.stop().catch(() => undefined);
  }
  const totalMs = Date.now() - t0;
  results.sort((a, b) => a.id.localeCompare(b.id));
  const targets = results.flatMap((r) => r.targets);
  fs.mkdirSync(RESULTS, { recursive: true });
  const json = {
    generatedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    only: only ? [...only] : null,
    totalSeconds: round(totalMs / 1000),
    machine,
    git,
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => round(x)) },
    targets,
    scenarios: Object.fromEntries(results.map((r) => [r.id, { title: r.title, seconds: round((r.durationMs ?? 0) / 1000), ...((r.data as object) ?? {}) }])),
    failures,
  };
  fs.writeFileSync(path.join(RESULTS, 'results.json'), JSON.stringify(json, null, 2) + '\n');
  const md = [
    `# temporal-handled benchmarks`,
    '',
    `${quick ? 'Quick' : 'Full'} run of ${json.generatedAt}, ${fmt(totalMs / 1000, 0)} s${only ? ` (only ${[...only].join(', ')})` : ''}. Generated by \`npm run bench${quick ? ' -- --quick' : ''}\`; raw numbers in results.json.`,
    '',
    mdTable(
      ['machine', ''],
      [
        ['CPU', `${machine.cpuModel}, ${machine.cores} cores`],
        ['memory', `${machine.memoryGiB} GiB`],
        ['OS', machine.os],
        ['Node', machine.node],
        ['Python', machine.python],
        ['Temporal CLI (dev server)', machine.temporalCli],
        ['SDKs', `@temporalio/client ${machine.temporalio.typescript}, temporalio (Python) ${machine.temporalio.python}`],
        ['tree', `${git.commit}${git.changedFiles ? ` + ${git.changedFiles} changed or new files outside bench/` : ''}`],
      ],
    ),
    '',
    `Everything runs on this one machine: the dev server (in memory, SQLite), the worker, the daemon, the clients; all traffic on 127.0.0.1. Load average (1, 5, 15 min) at the start ${json.loadAverage.atStart.join(', ')}, at the end ${json.loadAverage.atEnd.join(', ')}: numbers near a target's threshold move from run to run on a busy machine.`,
    '',
    '## Targets',
    '',
    mdTable(
      ['scenario', 'target', 'measured', 'goal', ''],
      targets.map((t) => [t.scenario, t.what, `${fmt(t.measured)} ${t.unit}${t.note ? ` (${t.note})` : ''}`, t.target, mark(t.met)]),
    ),
    ...(failures.length ? ['', '## Failed scenarios', '', ...failures.map((f) => `- ${f.id}: \`${f.error.split('\n')[0]}\``)] : []),
    ...results.flatMap((r) => ['', `## ${r.title}`, '', r.markdown]),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(RESULTS, 'results.md'), md);
  log(
    `wrote ${path.relative(ROOT, RESULTS)}/results.json and results.md in ${(totalMs / 1000).toFixed(0)} s; ${targets.filter((t) => t.met).length}/${targets.length} targets met${failures.length ? `; ${failures.length} scenario(s) failed` : ''}`,
  );
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
