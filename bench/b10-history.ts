/**
 * B10: history. Fetching a ~10,000-event history through the daemon (streamed page by page),
 * direct through @temporalio/client's fetchHistory, and with `temporal workflow show -o json`;
 * time and peak memory of each. Then a watch's latency: from a signal sent to its event's
 * batch arriving over handle/watch.
 */
import { spawn } from 'node:child_process';
import { findTemporalCli } from '../src/devserver/dev-server';
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mdTable, uid } from './common';
import { median, nowMs, percentile, round, sleep } from './stats';

/** Runs a command under /usr/bin/time: wall time and peak RSS (MB). */
function timed(cmd: string, args: string[]): Promise<{ ms: number; peakMB: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (c: Buffer) => (bytes += c.length));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err.slice(-500)}`));
      const kb = Number(err.trim().split('\n').pop());
      resolve({ ms: nowMs() - t0, peakMB: kb / 1024, bytes });
    });
  });
}

export async function b10(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { events: 3000, reps: 2, signals: 20 } : { events: 10_000, reps: 3, signals: 50 };
  ctx.log(`B10: a ${size.events}-event history fetched three ways; watch latency over ${size.signals} signals`);
  const id = uid('b10');
  const c = ctx.main.client;
  await (await c.workflow.start('manyEvents', { taskQueue: ctx.taskQueue, workflowId: id, args: [size.events] })).result();
  const daemonHandle = ctx.daemon.getWorkflowHandle(id);
  const rows: { path: string; ms: number[]; events: number; peakMB: string }[] = [];

  const dm: number[] = [];
  let dEvents = 0;
  const rssBefore = ((await ctx.daemon.status()) as { memory: { rss: number } }).memory.rss;
  for (let i = 0; i < size.reps; i++) {
    const t0 = nowMs();
    dEvents = (await daemonHandle.fetchHistory()).events.length;
    dm.push(nowMs() - t0);
  }
  const rssAfter = ((await ctx.daemon.status()) as { memory: { rss: number } }).memory.rss;
  rows.push({ path: 'daemon (TS client, streamed pages)', ms: dm, events: dEvents, peakMB: `daemon RSS ${fmt(rssBefore / 1e6)} → ${fmt(rssAfter / 1e6)}` });

  const xm: number[] = [];
  let xEvents = 0;
  for (let i = 0; i < size.reps; i++) {
    const t0 = nowMs();
    xEvents = (await c.workflow.getHandle(id).fetchHistory()).events?.length ?? 0;
    xm.push(nowMs() - t0);
  }
  rows.push({ path: 'direct @temporalio/client fetchHistory', ms: xm, events: xEvents, peakMB: '(in the bench process)' });

  const cm: number[] = [];
  let cliPeak = 0;
  for (let i = 0; i < size.reps; i++) {
    const r = await timed(findTemporalCli(), ['workflow', 'show', '-w', id, '-o', 'json', '--address', ctx.main.address]);
    cm.push(r.ms);
    cliPeak = Math.max(cliPeak, r.peakMB);
  }
  rows.push({ path: '`temporal workflow show -o json` (a process each)', ms: cm, events: dEvents, peakMB: `${fmt(cliPeak)} peak RSS` });

  // Watch latency: a signal sent, then its WorkflowExecutionSignaled event's batch over handle/watch.
  const wid = uid('b10w');
  await c.workflow.start('target', { taskQueue: ctx.taskQueue, workflowId: wid, args: [] });
  const seen = new Map<number, number>();
  const ac = new AbortController();
  const watching = (async () => {
    let signals = 0;
    try {
      for await (const batch of ctx.daemon.getWorkflowHandle(wid).watch({ signal: ac.signal })) {
        for (const e of batch.events) if (e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED') seen.set(signals++, nowMs());
      }
    } catch {
      /* aborted at the end */
    }
  })();
  await sleep(300);
  const sent: number[] = [];
  for (let i = 0; i < size.signals; i++) {
    sent.push(nowMs());
    await c.workflow.getHandle(wid).signal('ping', 1);
    const deadline = Date.now() + 5000;
    while (!seen.has(i) && Date.now() < deadline) await sleep(1);
  }
  const lags = sent.map((t, i) => (seen.get(i) ?? NaN) - t).filter((x) => Number.isFinite(x));
  ac.abort();
  await c.workflow.getHandle(wid).signal('finish');
  await watching;

  const checks: TargetCheck[] = [];
  const md = [
    `A workflow of ${dEvents} events (patch markers) fetched ${size.reps} times each way; times in ms (median, and max).`,
    '',
    mdTable(
      ['path', 'median, ms', 'max, ms', 'events', 'memory'],
      rows.map((r) => [r.path, fmt(median(r.ms)), fmt(Math.max(...r.ms)), String(r.events), r.peakMB]),
    ),
    '',
    `Watch latency, signal sent → its event's batch received over handle/watch (${lags.length} of ${size.signals} signals seen): p50 ${fmt(percentile(lags, 50))} ms, p99 ${fmt(percentile(lags, 99))} ms.`,
  ].join('\n');
  return {
    id: 'B10',
    title: 'B10: history: a large fetch three ways, and watch latency',
    data: { size, fetch: rows.map((r) => ({ ...r, ms: r.ms.map(round) })), watchLagMs: lags.map(round) },
    markdown: md,
    targets: checks,
  };
}
