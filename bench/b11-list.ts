/**
 * B11: listing 2,000 runs (page size 100): time to the first entry and to the last, through the
 * daemon (the TS client's list(), pages streamed), direct through @temporalio/client's list(),
 * and with `temporal workflow list -q ... -o json` (a process, which prints at the end).
 */
import { spawn } from 'node:child_process';
import { findTemporalCli } from '../src/devserver/dev-server';
import { type Ctx, type ScenarioResult, fmt, mdTable, startWorkflows, uid } from './common';
import { median, nowMs, round, sleep } from './stats';

interface Run {
  firstMs: number;
  totalMs: number;
  entries: number;
}

async function timeIterable(it: AsyncIterable<unknown>): Promise<Run> {
  const t0 = nowMs();
  let firstMs = Number.NaN;
  let entries = 0;
  for await (const _ of it) {
    if (entries++ === 0) firstMs = nowMs() - t0;
  }
  return { firstMs, totalMs: nowMs() - t0, entries };
}

/** `temporal workflow list -o json`: the first entry is the first byte of stdout. */
function timeCli(address: string, query: string): Promise<Run & { peakMB: number }> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    let firstMs = Number.NaN;
    let out = '';
    let err = '';
    const child = spawn('/usr/bin/time', ['-f', '%M', findTemporalCli(), 'workflow', 'list', '--address', address, '-q', query, '--limit', '100000', '-o', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => {
      if (Number.isNaN(firstMs)) firstMs = nowMs() - t0;
      out += c;
    });
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`temporal workflow list exited ${code}: ${err.slice(-500)}`));
      const entries = (JSON.parse(out) as unknown[]).length;
      resolve({ firstMs, totalMs: nowMs() - t0, entries, peakMB: Number(err.trim().split('\n').pop()) / 1024 });
    });
  });
}

export async function b11(ctx: Ctx): Promise<ScenarioResult> {
  const n = 2000;
  const reps = ctx.quick ? 2 : 4;
  const type = uid('b11');
  ctx.log(`B11: listing ${n} runs (page size 100), ${reps} times each way`);
  // Parked (no worker): they stay open, and only this scenario has their type.
  await startWorkflows(ctx, n, type, ctx.parkedQueue, type);
  const query = `WorkflowType = "${type}"`;
  const c = ctx.main.client;
  for (let i = 0; (await c.workflow.count(query)).count < n; i++) {
    if (i > 300) throw new Error(`visibility did not show ${n} runs of ${type}`);
    await sleep(200);
  }
  const daemon: Run[] = [];
  const direct: Run[] = [];
  const cli: (Run & { peakMB: number })[] = [];
  const rss = () => ctx.daemon.status().then((s) => (s as { memory: { rss: number } }).memory.rss / 1e6);
  const rssBefore = await rss();
  for (let i = 0; i < reps; i++) {
    daemon.push(await timeIterable(ctx.daemon.list({ query, pageSize: 100 })));
    direct.push(await timeIterable(c.workflow.list({ query, pageSize: 100 })));
    cli.push(await timeCli(ctx.main.address, query));
  }
  const rssAfter = await rss();
  for (const r of [...daemon, ...direct, ...cli]) if (r.entries !== n) throw new Error(`a list gave ${r.entries} entries, not ${n}`);
  const row = (path: string, runs: Run[], memory: string) => [path, fmt(median(runs.map((r) => r.firstMs))), fmt(median(runs.map((r) => r.totalMs))), memory];
  const dMed = median(daemon.map((r) => r.totalMs));
  const xMed = median(direct.map((r) => r.totalMs));
  const md = [
    `${n} open runs of one type, listed with page size 100, ${reps} times each way (median ms).`,
    '',
    mdTable(
      ['path', 'first entry, ms', 'all entries, ms', 'memory'],
      [
        row('daemon (TS client list(), pages streamed)', daemon, `daemon RSS ${fmt(rssBefore)} → ${fmt(rssAfter)} MB`),
        row('direct @temporalio/client list()', direct, '(in the bench process)'),
        row('`temporal workflow list -o json` (a process each)', cli, `${fmt(Math.max(...cli.map((r) => r.peakMB)))} MB peak RSS`),
      ],
    ),
    '',
    `Daemon / direct, all entries: ${fmt(dMed / xMed)}×.`,
  ].join('\n');
  return {
    id: 'B11',
    title: 'B11: list 2,000 runs: time to first entry and to the last',
    data: {
      n,
      reps,
      daemon: daemon.map((r) => ({ firstMs: round(r.firstMs), totalMs: round(r.totalMs) })),
      direct: direct.map((r) => ({ firstMs: round(r.firstMs), totalMs: round(r.totalMs) })),
      cli: cli.map((r) => ({ firstMs: round(r.firstMs), totalMs: round(r.totalMs), peakMB: round(r.peakMB) })),
      daemonRssMB: { before: round(rssBefore), after: round(rssAfter) },
    },
    markdown: md,
    targets: [],
  };
}
