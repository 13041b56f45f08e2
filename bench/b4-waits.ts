/**
 * B4: many concurrent result waits on distinct workflows that block until a signal,
 * held by one daemon (TS client over stdio) or by @temporalio/client directly, each in
 * a child process of its own (bench/waiter-process.ts): the holder's RSS before and
 * while waiting, and the lag from each workflow's close to its answer. Also what
 * happens past the server's limit on concurrent long polls per namespace.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { TemporalHandledClient } from 'temporal-handled-client';
import { type BenchServer, diffCounts, resourceExhaustedCount, track } from './env';
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, startWorkflows, uid } from './common';
import { closeTimeMs } from './close-time';
import { nowMs, percentile, pool, round, sleep, wallMs } from './stats';

type Path = 'daemon' | 'direct';

export interface WaitCase {
  key: string;
  title: string;
  server: BenchServer;
  taskQueue: string;
  n: number;
  paths: Path[];
  /** How long the waits are held after they are established, before the signals. */
  holdMs: number;
  /**
   * How many workflows are signalled (default: all). They are spread evenly over the start
   * order and run on `taskQueue`; the others run on `parkedQueue`, which no worker polls, so
   * they stay open and only their waits cost anything (no worker or history load).
   */
  signalled?: number;
  parkedQueue?: string;
  /** Signals in flight at once. @default 64 */
  signalConcurrency?: number;
  /** How long after the signals answers are waited for. @default 120 s (60 s in a quick run) */
  answerDeadlineMs?: number;
  /** The signalled workflows close in this many waves, `waveGapMs` apart. @default 1 */
  waves?: number;
  waveGapMs?: number;
  /** While the waits are held, another client's describes through the daemon (its Unix socket), sequential: their latency. */
  probeDescribes?: number;
}

export interface WaitResult {
  path: Path;
  n: number;
  signalled: number;
  startWorkflowsMs: number;
  settleMs: number;
  holdMs: number;
  /** Holder process RSS, bytes: idle (before any wait), once every wait is established, the maximum seen. */
  rss: { idle: number | null; waiting: number | null; max: number | null };
  heapUsedWaiting: number | null;
  grpcInFlightWaiting: number | null;
  /** Waits that ended in an error before the signals were sent. */
  failedBeforeSignal: number;
  errors: Record<string, number>;
  answered: number;
  /** Signalled waits that got no answer within the deadline, and their workflows' status then. */
  missing: number;
  missingStatus: Record<string, number>;
  lagMs: { p50: number; p99: number; max: number; n: number };
  signalMs: number;
  /** Signals sent → last answer. */
  answersMs: number;
  resourceExhausted: { untilSignal: Record<string, number>; total: Record<string, number> };
  /** Requests the server counted (service_requests) while the waits were held, per second, in all and by operation; null without a hold. */
  callsPerSecHeld: number | null;
  callsHeldByOp: Record<string, number>;
  /** Another client's describe latency while the waits were held (daemon path, `probeDescribes`). */
  probe: { p50: number; p99: number; n: number; errors: number } | null;
}

/** The frontend's `service_requests` counters by operation (every RPC a client or worker made; the history service counts its own too). */
async function requestCounts(s: BenchServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('service_requests{') || !line.includes('service_name="frontend"')) continue;
      const op = /operation="([^"]*)"/.exec(line)?.[1] ?? '?';
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(v)) out[op] = (out[op] ?? 0) + v;
    }
  } catch {
    /* metrics unavailable */
  }
  return out;
}

const MB = 1e6;

class Holder {
  private handlers = new Set<(m: Record<string, unknown>) => void>();
  readonly arrivals = new Map<number, number>();
  readonly errors = new Map<number, [number, string]>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Record<string, unknown>) => {
      if (m.type === 'ended') {
        for (const [i, t] of m.arrivals as [number, number][]) this.arrivals.set(i, t);
        for (const [i, t, msg] of m.errors as [number, number, string][]) this.errors.set(i, [t, msg]);
      }
      for (const h of [...this.handlers]) h(m);
    });
  }

  static start(): Holder {
    return new Holder(track(fork(path.join(__dirname, 'waiter-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
  }

  ask<T extends Record<string, unknown>>(msg: object, reply: string, timeoutMs = 60_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.handlers.delete(h);
        reject(new Error(`waiter process: no ${reply} within ${timeoutMs} ms`));
      }, timeoutMs);
      const h = (m: Record<string, unknown>) => {
        if (m.type === reply || m.type === 'error') {
          clearTimeout(t);
          this.handlers.delete(h);
          if (m.type === 'error') reject(new Error(`waiter process: ${String(m.message)}`));
          else resolve(m as T);
        }
      };
      this.handlers.add(h);
      this.child.send(msg);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      await this.ask({ type: 'close' }, 'closed', 20_000);
    } catch {
      this.child.kill('SIGKILL');
    }
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

interface Status extends Record<string, unknown> {
  rss: number | null;
  heapUsed: number | null;
  grpcInFlight?: number | null;
}

function errorGroup(msg: string): string {
  return msg
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '…')
    .replace(/b4-[\w-]+/g, 'ID')
    .slice(0, 160);
}

export async function runWaitCase(ctx: Ctx, c: WaitCase, p: Path): Promise<WaitResult> {
  const signalled = c.signalled ?? c.n;
  const tag = `${c.key}/${p}`;
  let t = nowMs();
  const every = Math.max(1, Math.floor(c.n / signalled));
  const isSignalled = (i: number) => i % every === 0 && i / every < signalled;
  const wfs = await startWorkflows(ctx, c.n, 'waiter', (i) => (isSignalled(i) || !c.parkedQueue ? c.taskQueue : c.parkedQueue), uid(`b4-${c.key}-${p}`), c.server);
  const startWorkflowsMs = nowMs() - t;
  ctx.log(`B4 ${tag}: started ${c.n} workflows in ${fmt(startWorkflowsMs / 1000)} s`);
  const holder = Holder.start();
  try {
    const probeSocket = c.probeDescribes && p === 'daemon' ? path.join(os.tmpdir(), `th-b4-${process.pid}-${Date.now()}.sock`) : undefined;
    const ready = await holder.ask<Status>({ type: 'init', mode: p, address: c.server.address, listenSocket: probeSocket }, 'ready', 60_000);
    const reBefore = await resourceExhaustedCount(c.server);
    let maxRss = ready.rss ?? 0;
    const sampleStatus = async () => {
      const s = await holder.ask<Status>({ type: 'status' }, 'status', 30_000);
      if (s.rss !== null) maxRss = Math.max(maxRss, s.rss);
      return s;
    };
    t = nowMs();
    await holder.ask({ type: 'wait', workflows: wfs }, 'issued', 600_000);
    // Established: the daemon reports its gRPC calls in flight; the direct client cannot, so both
    // also wait a fixed time proportional to the number of waits.
    const fixed = 2000 + c.n;
    const settleDeadline = nowMs() + fixed + 30_000;
    for (;;) {
      const s = await sampleStatus();
      const elapsed = nowMs() - t;
      // Every wait is a request in flight in the daemon (most of them, past the long-poll budget,
      // without a gRPC call of their own).
      const established = p === 'direct' || ((s as { inFlight?: number }).inFlight ?? 0) >= c.n;
      if ((established && elapsed >= fixed) || nowMs() > settleDeadline) break;
      await sleep(500);
    }
    const settleMs = nowMs() - t;
    const waiting = await sampleStatus();
    ctx.log(`B4 ${tag}: waits established after ${fmt(settleMs / 1000)} s; holder RSS ${fmt((waiting.rss ?? NaN) / MB)} MB${c.holdMs ? `; holding ${c.holdMs / 1000} s` : ''}`);
    // Calls per second over the hold's second half: the waits' registration (one check each,
    // past the long-poll budget) is over by then, and a long poll is renewed every 20 s.
    const holdStart = nowMs();
    const holdEnd = holdStart + c.holdMs;
    // Another client's describes while the waits are held (one after another, through the socket).
    const probe = probeSocket ? probeDescribes(probeSocket, wfs[0]!.id, c.probeDescribes!, holdEnd) : Promise.resolve(null);
    let callsAtHold: Record<string, number> | undefined;
    let countFrom = holdStart;
    while (nowMs() < holdEnd) {
      await sleep(Math.min(1000, Math.max(0, holdEnd - nowMs())));
      await sampleStatus();
      if (!callsAtHold && nowMs() >= holdStart + c.holdMs / 2) {
        callsAtHold = await requestCounts(c.server);
        countFrom = nowMs();
      }
    }
    const probed = await probe;
    if (probed) ctx.log(`B4 ${tag}: another client's describe while the waits are held: p50 ${fmt(probed.p50)} ms, p99 ${fmt(probed.p99)} ms (${probed.n} calls, ${probed.errors} errors)`);
    const callsHeldByOp = callsAtHold ? diffCounts(await requestCounts(c.server), callsAtHold) : {};
    const heldS = (nowMs() - countFrom) / 1000;
    const callsPerSecHeld = c.holdMs > 0 && callsAtHold ? round(reSum(callsHeldByOp) / heldS) : null;
    for (const k of Object.keys(callsHeldByOp)) callsHeldByOp[k] = round(callsHeldByOp[k]! / heldS);
    const reAtSignal = await resourceExhaustedCount(c.server);
    const failedBeforeSignal = holder.errors.size;

    // Signal (the same way for both paths: @temporalio/client in this process, 64 at a time).
    const chosen = wfs.map((_, i) => i).filter(isSignalled);
    const signalStart = wallMs();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sampleStatus().catch(() => undefined);
        await sleep(1000);
      }
    })();
    const waves = c.waves ?? 1;
    for (let w = 0; w < waves; w++) {
      const wave = chosen.filter((_, k) => k % waves === w);
      if (w > 0) await sleep(c.waveGapMs ?? 10_000);
      await pool(wave.length, c.signalConcurrency ?? 64, (k) => c.server.client.workflow.getHandle(wfs[wave[k]!]!.id).signal('finish'));
    }
    const signalMs = round(wallMs() - signalStart);
    const answerDeadline = wallMs() + (c.answerDeadlineMs ?? (ctx.quick ? 60_000 : 120_000));
    const ended = () => chosen.filter((i) => holder.arrivals.has(i) || holder.errors.has(i)).length;
    while (ended() < chosen.length && wallMs() < answerDeadline) await sleep(100);
    sampling = false;
    await sampler;
    const answered = chosen.filter((i) => holder.arrivals.has(i));
    const unanswered = chosen.filter((i) => !holder.arrivals.has(i) && !holder.errors.has(i));
    const lastAnswer = Math.max(signalStart, ...answered.map((i) => holder.arrivals.get(i)!));
    const reAfter = await resourceExhaustedCount(c.server);

    // Signalled waits without an answer: was their workflow closed (a lost answer) or still running?
    const missingStatus: Record<string, number> = {};
    await pool(unanswered.length, 32, async (k) => {
      const d = await c.server.client.workflow.getHandle(wfs[unanswered[k]!]!.id).describe();
      missingStatus[d.status.name] = (missingStatus[d.status.name] ?? 0) + 1;
    });
    // Close times of the answered workflows.
    const lags = await pool(answered.length, 32, async (k) => {
      const i = answered[k]!;
      const d = await c.server.client.workflow.getHandle(wfs[i]!.id).describe();
      return holder.arrivals.get(i)! - closeTimeMs(d);
    });
    const errors: Record<string, number> = {};
    for (const [, msg] of holder.errors.values()) errors[errorGroup(msg)] = (errors[errorGroup(msg)] ?? 0) + 1;
    const r: WaitResult = {
      path: p,
      n: c.n,
      signalled,
      startWorkflowsMs: round(startWorkflowsMs),
      settleMs: round(settleMs),
      holdMs: c.holdMs,
      rss: { idle: ready.rss, waiting: waiting.rss, max: maxRss },
      heapUsedWaiting: waiting.heapUsed,
      grpcInFlightWaiting: waiting.grpcInFlight ?? null,
      failedBeforeSignal,
      errors,
      answered: answered.length,
      missing: unanswered.length,
      missingStatus,
      lagMs: { p50: round(percentile(lags, 50)), p99: round(percentile(lags, 99)), max: round(Math.max(...lags)), n: lags.length },
      signalMs,
      answersMs: round(lastAnswer - signalStart),
      resourceExhausted: { untilSignal: diffCounts(reAtSignal, reBefore), total: diffCounts(reAfter, reBefore) },
      callsPerSecHeld,
      callsHeldByOp,
      probe: probed,
    };
    ctx.log(
      `B4 ${tag}: ${r.answered}/${signalled} answered, ${holder.errors.size} errors, ${r.missing} missing; lag p50 ${fmt(r.lagMs.p50)} ms p99 ${fmt(r.lagMs.p99)} ms; ` +
        `RESOURCE_EXHAUSTED ${JSON.stringify(r.resourceExhausted.total)}; held: ${callsPerSecHeld ?? '–'} calls/s ${JSON.stringify(callsHeldByOp)}; RSS waiting ${rssMB(r.rss.waiting)} MB`,
    );
    return r;
  } finally {
    await holder.close();
  }
}

/** `n` describes of `workflowId` through the daemon's socket, one after another, until `untilMs` at the latest. */
async function probeDescribes(socket: string, workflowId: string, n: number, untilMs: number): Promise<{ p50: number; p99: number; n: number; errors: number }> {
  const client = await TemporalHandledClient.attach(socket);
  const lat: number[] = [];
  let errors = 0;
  try {
    const h = client.getWorkflowHandle(workflowId);
    for (let i = 0; i < n && nowMs() < untilMs; i++) {
      const t0 = nowMs();
      try {
        await h.describe();
        lat.push(nowMs() - t0);
      } catch {
        errors++;
      }
      await sleep(20);
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  return { p50: round(percentile(lat, 50)), p99: round(percentile(lat, 99)), n: lat.length, errors };
}

const rssMB = (x: number | null) => (x === null ? '–' : fmt(x / MB));
const reSum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

export function b4Markdown(cases: { c: WaitCase; results: WaitResult[] }[], limitNote: string): { md: string; targets: TargetCheck[] } {
  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  for (const { c, results } of cases) {
    for (const r of results) {
      const errs = Object.values(r.errors).reduce((a, b) => a + b, 0);
      rows.push([
        c.title,
        r.path === 'daemon' ? 'daemon (TS client, stdio)' : 'direct (@temporalio/client)',
        `${r.n}${r.signalled !== r.n ? ` (${r.signalled} signalled)` : ''}`,
        rssMB(r.rss.idle),
        rssMB(r.rss.waiting),
        rssMB(r.rss.max),
        fmt(r.lagMs.p50),
        fmt(r.lagMs.p99),
        fmt(r.lagMs.max),
        `${r.answered}/${r.signalled}`,
        errs ? `${errs} (${r.failedBeforeSignal} before the signals)` : '0',
        String(reSum(r.resourceExhausted.total)),
        r.callsPerSecHeld === null ? '–' : fmt(r.callsPerSecHeld),
      ]);
    }
  }
  const main = cases.find((x) => x.c.key === 'main');
  const d = main?.results.find((r) => r.path === 'daemon');
  if (main && d) {
    const rss = d.rss.waiting ?? NaN;
    targets.push({ scenario: 'B4', what: `${main.c.n} waits: daemon RSS while waiting`, measured: round(rss / MB), unit: 'MB', target: '< 150 MB', met: rss < 150 * MB });
    const direct = main.results.find((r) => r.path === 'direct');
    const paced = cases.find((x) => x.c.key === 'paced')?.results;
    const pd = paced?.find((r) => r.path === 'daemon');
    const px = paced?.find((r) => r.path === 'direct');
    const note = [direct ? `direct ${fmt(direct.lagMs.p99)} ms` : '', pd && px ? `signals paced: daemon ${fmt(pd.lagMs.p99)} ms, direct ${fmt(px.lagMs.p99)} ms` : ''].filter(Boolean).join('; ');
    targets.push({
      scenario: 'B4',
      what: `${main.c.n} waits, all signalled at once: close → answer lag p99 (daemon)`,
      measured: d.lagMs.p99,
      unit: 'ms',
      target: '≤ 250 ms',
      met: d.lagMs.p99 <= 250 && d.answered === d.signalled,
      note,
    });
  }
  const manyCase = cases.find((x) => x.c.key === 'many');
  const m = manyCase?.results.find((r) => r.path === 'daemon');
  if (manyCase && m) {
    const errs = reSum(m.errors);
    const perWait = m.rss.waiting !== null && m.rss.idle !== null ? (m.rss.waiting - m.rss.idle) / m.n : NaN;
    targets.push({
      scenario: 'B4',
      what: `${manyCase.c.n} waits on the default limit: signalled waits answered, errors`,
      measured: m.answered,
      unit: `/${m.signalled} answered, ${errs} errors`,
      target: 'all, 0 errors',
      met: m.answered === m.signalled && errs === 0,
      note: `lag p50 ${fmt(m.lagMs.p50)} ms, p99 ${fmt(m.lagMs.p99)} ms; ${fmt(perWait / 1e3)} KB RSS per wait; ${m.callsPerSecHeld ?? '–'} server calls/s while held`,
    });
  }
  const hugeCase = cases.find((x) => x.c.key === 'huge');
  const hg = hugeCase?.results.find((r) => r.path === 'daemon');
  if (hugeCase && hg) {
    const errs = reSum(hg.errors);
    targets.push({
      scenario: 'B4',
      what: `${hugeCase.c.n.toLocaleString('en')} waits on one daemon: signalled waits answered, errors, daemon RSS`,
      measured: hg.answered,
      unit: `/${hg.signalled} answered, ${errs} errors, ${rssMB(hg.rss.max)} MB RSS at most`,
      target: 'all, 0 errors, < 1000 MB',
      met: hg.answered === hg.signalled && errs === 0 && (hg.rss.max ?? Infinity) < 1000 * MB,
      note: `lag p50 ${fmt(hg.lagMs.p50)} ms, p99 ${fmt(hg.lagMs.p99)} ms; ${hg.callsPerSecHeld ?? '–'} server calls/s while held`,
    });
    if (hg.probe)
      targets.push({
        scenario: 'B4',
        what: `${hugeCase.c.n.toLocaleString('en')} waits held: another client's describe p99`,
        measured: hg.probe.p99,
        unit: 'ms',
        target: '< 100 ms',
        met: hg.probe.p99 < 100 && hg.probe.errors === 0,
        note: `p50 ${fmt(hg.probe.p50)} ms over ${hg.probe.n} describes`,
      });
  }
  const errorLines: string[] = [];
  for (const { c, results } of cases) {
    for (const r of results) {
      for (const [msg, count] of Object.entries(r.errors)) errorLines.push(`- ${c.title}, ${r.path}: ${count} × \`${msg.replace(/`/g, "'")}\``);
      if (r.missing) errorLines.push(`- ${c.title}, ${r.path}: ${r.missing} signalled waits without an answer after the deadline; their workflows then: ${JSON.stringify(r.missingStatus)}`);
    }
  }
  const md = [
    `Each holder runs in a child process of its own; the signals (\`finish\`, 64 at a time) come from @temporalio/client in the benchmark process. RSS in MB (10^6 bytes): the daemon's daemon/status memory.rss (daemon path) or the holder process's own RSS (direct path); "waiting" is read once every wait is established, "max" is the highest reading until the last answer. Lag: answer arrival in the holder minus the workflow's close time (describe), same clock. ${limitNote}`,
    '',
    mdTable(
      [
        'case',
        'path',
        'waits',
        'RSS idle',
        'RSS waiting',
        'RSS max',
        'lag p50 ms',
        'lag p99 ms',
        'lag max ms',
        'answered',
        'errors',
        'RESOURCE_EXHAUSTED at the server',
        "server calls/s, hold's 2nd half",
      ],
      rows,
    ),
    '',
    ...(errorLines.length ? ['Errors and missing answers:', '', ...errorLines, ''] : []),
    mdTable(
      ['target', 'measured', 'target', ''],
      targets.map((t) => [t.what, `${fmt(t.measured)} ${t.unit}${t.note ? ` (${t.note})` : ''}`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { md, targets };
}

export async function b4(ctx: Ctx, extra: { big?: { server: BenchServer; taskQueue: string } }): Promise<ScenarioResult> {
  const n = ctx.quick ? 200 : 1000;
  const parkedQueue = ctx.parkedQueue;
  const cases: WaitCase[] = [
    { key: 'main', title: `${n} waits, all signalled at once (64 signals in flight)`, server: ctx.main, taskQueue: ctx.taskQueue, n, paths: ['daemon', 'direct'], holdMs: 0 },
    { key: 'paced', title: `${n} waits, signals paced (4 in flight)`, server: ctx.main, taskQueue: ctx.taskQueue, n, paths: ['daemon', 'direct'], holdMs: 0, signalConcurrency: 4 },
  ];
  // Many waits on the default long-poll limit: most of them past the daemon's budget of 1,000
  // long polls, multiplexed by the close watcher; 10 % signalled in one wave.
  const many = ctx.quick ? 5000 : 20_000;
  cases.push({
    key: 'many',
    title: `${many.toLocaleString('en')} waits on the default limit (1200), held ${ctx.quick ? 20 : 60} s, ${(many / 10).toLocaleString('en')} signalled`,
    server: ctx.main,
    taskQueue: ctx.taskQueue,
    parkedQueue,
    n: many,
    paths: ['daemon'],
    holdMs: ctx.quick ? 20_000 : 60_000,
    signalled: many / 10,
  });
  if (ctx.quick) {
    if (extra.big) {
      const limit = extra.big.server.longPollLimit;
      cases.push({
        key: 'over',
        title: `500 waits past a lowered limit (${limit}), held 5 s, 125 signalled, answers awaited 15 s`,
        server: extra.big.server,
        taskQueue: extra.big.taskQueue,
        parkedQueue,
        n: 500,
        paths: ['daemon', 'direct'],
        holdMs: 5_000,
        signalled: 125,
        answerDeadlineMs: 15_000,
      });
    }
  } else {
    cases.push({
      key: 'over',
      title: '2,000 waits past the default limit (1200), held 42 s, 500 signalled',
      server: ctx.main,
      taskQueue: ctx.taskQueue,
      parkedQueue,
      n: 2000,
      paths: ['daemon', 'direct'],
      holdMs: 42_000,
      signalled: 500,
    });
    cases.push({
      key: 'tenk',
      title: '10,000 waits on the default limit (1200), held 42 s, 1,000 signalled',
      server: ctx.main,
      taskQueue: ctx.taskQueue,
      parkedQueue,
      n: 10_000,
      paths: ['daemon', 'direct'],
      holdMs: 42_000,
      signalled: 1000,
    });
    if (extra.big) {
      // TH_B4_HUGE: fewer waits, to try the case on a smaller machine.
      const huge = Number(process.env.TH_B4_HUGE ?? 100_000);
      cases.push({
        key: 'huge',
        title: `${huge.toLocaleString('en')} waits on one daemon, default limit (1200), held 60 s, ${(huge / 10).toLocaleString('en')} signalled in 5 waves 10 s apart`,
        server: extra.big.server,
        taskQueue: extra.big.taskQueue,
        parkedQueue,
        n: huge,
        paths: ['daemon'],
        holdMs: 60_000,
        signalled: huge / 10,
        waves: 5,
        waveGapMs: 10_000,
        answerDeadlineMs: 300_000,
        probeDescribes: 1000,
      });
    }
  }
  // TH_B4_CASES=huge,tenk: only those cases.
  const only = process.env.TH_B4_CASES?.split(',').map((x) => x.trim());
  if (only) cases.splice(0, cases.length, ...cases.filter((c) => only.includes(c.key)));
  const done: { c: WaitCase; results: WaitResult[] }[] = [];
  for (const c of cases) {
    const results: WaitResult[] = [];
    for (const p of c.paths) results.push(await runWaitCase(ctx, c, p));
    done.push({ c, results });
  }
  const limitNote = [
    'Where only some workflows are signalled, the others run on a task queue no worker polls: they stay open and cost only their wait.',
    ctx.quick
      ? 'Past the limit (quick run): a second dev server with frontend.namespaceCount=250 and 500 waits.'
      : "Past the limit: 2,000 and 10,000 waits on the default limit of 1200 long polls per namespace, held 42 s, past the ~40 s that 10 attempts with the RESOURCE_EXHAUSTED backoff last (the daemon and @temporalio/client retry alike). The largest case runs on a second, fresh dev server at the default limit; while its waits are held, another client attached to the daemon's Unix socket describes a workflow every 20 ms.",
  ].join(' ');
  const { md, targets } = b4Markdown(done, limitNote);
  return {
    id: 'B4',
    title: 'B4: concurrent result waits',
    data: done.map(({ c, results }) => ({
      case: c.key,
      title: c.title,
      n: c.n,
      holdMs: c.holdMs,
      signalConcurrency: c.signalConcurrency ?? 64,
      longPollLimit: c.server.longPollLimit ?? 1200,
      results,
    })),
    markdown: md,
    targets,
  };
}
