/**
 * B3: one describe per operation from the command line: the shell client (Node, and the native
 * one from clients/rust when built) attached to a running daemon's socket vs
 * `temporal workflow describe` started per operation, with
 * the pieces that explain the difference (a bare Node start, loading the CLI, an
 * in-process client, a raw socket round trip).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TemporalHandledClient } from 'temporal-handled-client';
import { findTemporalCli } from '../src/devserver/dev-server';
import { DAEMON_BIN, track } from './env';
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, ratio, uid } from './common';
import { nowMs, percentile, round, sleep } from './stats';
import { RawRpc } from './raw-rpc';

/** The native client (clients/rust, built by `npm run setup` when cargo is there), or $TH_NATIVE_CLI. */
const NATIVE_CLI = process.env.TH_NATIVE_CLI || path.resolve(__dirname, '..', '..', 'clients', 'rust', 'target', 'release', 'temporal-handled-rs');

/** Wall time of running `cmd args` to its exit (output drained); throws on a non-zero exit. */
function timeProcess(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = nowMs() - t0;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err.slice(-500)}`));
      else resolve(ms);
    });
  });
}

/** Wall time of `temporal-handled batch` running `lines` describe commands from stdin over one connection. */
function timeBatch(socket: string, id: string, lines: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn(process.execPath, [DAEMON_BIN, 'batch', '--socket', socket, '-o', 'jsonl'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = nowMs() - t0;
      const answered = out.split('\n').filter((l) => l.trim()).length;
      if (code !== 0 || answered !== lines) reject(new Error(`batch exited with ${code}, ${answered}/${lines} lines answered: ${err.slice(-300)}`));
      else resolve(ms);
    });
    child.stdin.end(`describe -w ${id}\n`.repeat(lines));
  });
}

async function measure(n: number, warmup: number, f: () => Promise<number | void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = nowMs();
    const r = await f();
    xs.push(typeof r === 'number' ? r : nowMs() - t0);
  }
  return xs;
}

export async function startSocketDaemon(address: string): Promise<{ socket: string; child: ChildProcess; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-bench-'));
  const socket = path.join(dir, 'd.sock');
  const child = track(spawn(process.execPath, [DAEMON_BIN, '--socket', socket, '--address', address, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] }));
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const c = await TemporalHandledClient.attach(socket);
      await c.close();
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the socket daemon did not come up: ${(err as Error).message}`);
      await sleep(50);
    }
  }
  return {
    socket,
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function b3(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { procs: 8, inproc: 50, warmup: 2 } : { procs: 20, inproc: 200, warmup: 3 };
  const id = uid('b3');
  await ctx.main.client.workflow.start('target', { taskQueue: ctx.parkedQueue, workflowId: id });
  const temporal = findTemporalCli();
  const d = await startSocketDaemon(ctx.main.address);
  const rows: { key: string; label: string; what: string; samples: number[] }[] = [];
  try {
    ctx.log(`B3: per-process paths, ${size.procs} runs each`);
    const run = async (key: string, label: string, what: string, n: number, f: () => Promise<number | void>) => {
      rows.push({ key, label, what, samples: await measure(n, size.warmup, f) });
    };
    // Process-per-operation paths, interleaved so that drift affects each alike.
    const procPaths: [string, string, string, string, string[]][] = [
      ['temporal_cli', '`temporal workflow describe -w ID --address …`', 'process per op', temporal, ['workflow', 'describe', '-w', id, '--address', ctx.main.address]],
      ['handled_cli', '`temporal-handled describe -w ID --socket …`', 'process per op, attached to the daemon', process.execPath, [DAEMON_BIN, 'describe', '-w', id, '--socket', d.socket]],
      ['node_bare', '`node -e 0`', 'a bare Node start (no module loaded)', process.execPath, ['-e', '0']],
      ['handled_version', '`temporal-handled --version`', 'Node start + loading the CLI, no I/O', process.execPath, [DAEMON_BIN, '--version']],
    ];
    if (fs.existsSync(NATIVE_CLI)) {
      procPaths.splice(
        2,
        0,
        [
          'native_cli',
          '`temporal-handled-rs describe -w ID --socket …`',
          'native client (clients/rust), process per op, attached to the daemon',
          NATIVE_CLI,
          ['describe', '-w', id, '--socket', d.socket],
        ],
        ['native_version', '`temporal-handled-rs --version`', 'a bare start of the native binary, no I/O', NATIVE_CLI, ['--version']],
      );
    } else {
      ctx.log(`B3: the native client ${NATIVE_CLI} is not built (npm run setup builds it when cargo is there): no native rows`);
    }
    const samples: Record<string, number[]> = Object.fromEntries(procPaths.map((p) => [p[0], []]));
    for (const p of procPaths) for (let i = 0; i < size.warmup; i++) await timeProcess(p[3], p[4]);
    for (let i = 0; i < size.procs; i++) for (const p of procPaths) samples[p[0]]!.push(await timeProcess(p[3], p[4]));
    for (const p of procPaths) rows.push({ key: p[0], label: p[1], what: p[2], samples: samples[p[0]]! });

    // The shell client's batch command: one process and one connection for many operations.
    try {
      const perOp: number[] = [];
      await timeBatch(d.socket, id, 10);
      for (let i = 0; i < 3; i++) perOp.push((await timeBatch(d.socket, id, size.inproc)) / size.inproc);
      rows.push({ key: 'handled_batch', label: `\`temporal-handled batch --socket …\`, ${size.inproc} describe lines`, what: 'one process for all lines: wall time ÷ lines (3 runs)', samples: perOp });
    } catch (err) {
      ctx.log(`B3: batch not measured: ${(err as Error).message}`);
    }

    ctx.log(`B3: in-process paths, ${size.inproc} calls each`);
    await run('ts_attach_per_op', 'TS client: attach + describe + close', 'in process, new connection per op', size.inproc, async () => {
      const c = await TemporalHandledClient.attach(d.socket);
      await c.getWorkflowHandle(id).describe();
      await c.close();
    });
    const attached = await TemporalHandledClient.attach(d.socket);
    const h = attached.getWorkflowHandle(id);
    await run('ts_warm', 'TS client: describe', 'in process, warm connection', size.inproc, async () => {
      await h.describe();
    });
    await attached.close();
    await run('raw_per_op', 'raw socket: connect, initialize, getHandle, describe, close', 'in process, no client library', size.inproc, async () => {
      const r = await RawRpc.connect(d.socket);
      await r.handshake();
      const info = await r.request<{ handle: string }>('workflow/getHandle', { workflowId: id });
      await r.request('handle/describe', { handle: info.handle });
      await r.close();
    });
    const raw = await RawRpc.connect(d.socket);
    await raw.handshake();
    const info = await raw.request<{ handle: string }>('workflow/getHandle', { workflowId: id });
    await run('raw_warm', 'raw socket: describe', 'one round trip on an open connection', size.inproc, async () => {
      await raw.request('handle/describe', { handle: info.handle });
    });
    await run('raw_status', 'raw socket: daemon/status', 'round trip without a Temporal call', size.inproc, async () => {
      await raw.request('daemon/status');
    });
    await raw.close();
  } finally {
    await d.stop();
  }
  const summary = Object.fromEntries(rows.map((r) => [r.key, { label: r.label, what: r.what, n: r.samples.length, p50: round(percentile(r.samples, 50)), p99: round(percentile(r.samples, 99)) }]));
  const cliP50 = summary.temporal_cli!.p50;
  const speedup = ratio(cliP50, summary.handled_cli!.p50);
  const checks: TargetCheck[] = [
    { scenario: 'B3', what: 'describe per process: `temporal` CLI p50 ÷ `temporal-handled describe` p50', measured: round(speedup), unit: '×', target: '≥ 20', met: speedup >= 20 },
  ];
  if (summary.native_cli) {
    const nativeP50 = summary.native_cli.p50;
    const nativeSpeedup = ratio(cliP50, nativeP50);
    checks.push(
      { scenario: 'B3', what: 'describe per process, native client attached to the daemon: p50', measured: nativeP50, unit: 'ms', target: '≤ 10', met: nativeP50 <= 10 },
      { scenario: 'B3', what: 'describe per process: `temporal` CLI p50 ÷ `temporal-handled-rs describe` p50', measured: round(nativeSpeedup), unit: '×', target: '≥ 4', met: nativeSpeedup >= 4 },
    );
  }
  const order = [
    'temporal_cli',
    'handled_cli',
    'native_cli',
    'native_version',
    'node_bare',
    'handled_version',
    'handled_batch',
    'ts_attach_per_op',
    'ts_warm',
    'raw_per_op',
    'raw_warm',
    'raw_status',
  ].filter((k) => summary[k]);
  const md = [
    `${size.procs} runs per command (interleaved, after ${size.warmup} warm-up runs); ${size.inproc} calls per in-process path. The workflow is on a task queue no worker polls.`,
    '',
    mdTable(
      ['path', 'what it measures', 'p50 ms', 'p99 ms', '`temporal` CLI p50 ÷ this'],
      order.map((k) => summary[k]!).map((s) => [s.label, s.what, fmt(s.p50), fmt(s.p99), fmt(ratio(cliP50, s.p50))]),
    ),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      checks.map((t) => [t.what, `${fmt(t.measured)}${t.unit === 'ms' ? ' ms' : '×'}`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { id: 'B3', title: 'B3: command line, one operation per process', data: { size, summary }, markdown: md, targets: checks };
}
