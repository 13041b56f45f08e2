/**
 * B7: per-call cost from every client, against the server's own HTTP API. describe, query and
 * signal p50/p99, sequential, through:
 * - the Temporal server's HTTP API (grpc-gateway, `/api/v1/...`) with a keep-alive client,
 *   from Node (node:http with a keep-alive Agent) and from Python (http.client, one connection);
 * - the daemon from the TS client (stdio), the shell client's `batch` (one process, one line a
 *   call) and the Python client (stdio);
 * - direct through @temporalio/client and the Python SDK.
 * The paths of one process take turns call by call (Node's in this process, Python's in
 * bench/python_bench.py); ratios are to the HTTP API and to the direct SDK of the same language.
 */
import * as http from 'node:http';
import { spawn } from 'node:child_process';
import { DAEMON_BIN } from './env';
import { startSocketDaemon } from './b3-cli';
import { OPS, type Op, runPython, summarize, type Summary } from './b1-latency';
import { type Ctx, type ScenarioResult, type TargetCheck, fmt, mark, mdTable, ratio, uid, untilQueryable } from './common';
import { nowMs } from './stats';

/** The server's HTTP API over keep-alive connections (one at a time: calls are sequential). */
function httpApi(port: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (method: 'GET' | 'POST', path: string, body?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`))));
      });
      req.once('error', reject);
      req.end(data);
    });
}

/** One `temporal-handled batch` process: each call writes a line and waits for its outcome line. */
function batchSession(socket: string) {
  const child = spawn(process.execPath, [DAEMON_BIN, 'batch', '--socket', socket, '-o', 'jsonl'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (c: string) => {
    buffer += c;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      waiting.shift()?.(line);
    }
  });
  return {
    call: (line: string) =>
      new Promise<string>((resolve) => {
        waiting.push(resolve);
        child.stdin!.write(`${line}\n`);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.stdin!.end();
      }),
  };
}

export async function b7(ctx: Ctx): Promise<ScenarioResult> {
  // The batch and Python paths each start a daemon of their own: V8 is still compiling its hot
  // paths over its first few thousand calls (about 1 ms of CPU a describe over the first 2,000,
  // 0.44 ms after 6,000), and a long-lived daemon is measured warm, as the SDKs' are.
  const size = ctx.quick ? { warmup: 30, reps: 3, calls: 100 } : { warmup: 1000, reps: 5, calls: 200 };
  const c = ctx.main.client;
  const ids = { live: uid('b7-live'), parkedTs: uid('b7-parked-ts'), parkedPy: uid('b7-parked-py') };
  await c.workflow.start('target', { taskQueue: ctx.taskQueue, workflowId: ids.live });
  await c.workflow.start('target', { taskQueue: ctx.parkedQueue, workflowId: ids.parkedTs });
  await c.workflow.start('target', { taskQueue: ctx.parkedQueue, workflowId: ids.parkedPy });
  await untilQueryable(ctx, ids.live, 'count');
  const httpPort = ctx.main.server.httpPort;
  const api = httpApi(httpPort);
  const enc = encodeURIComponent;
  const socketDaemon = await startSocketDaemon(ctx.main.address);
  const batch = batchSession(socketDaemon.socket);
  const samples: Record<string, Record<Op, number[][]>> = {};
  try {
    const live = { daemon: ctx.daemon.getWorkflowHandle(ids.live), direct: c.workflow.getHandle(ids.live) };
    const parked = { daemon: ctx.daemon.getWorkflowHandle(ids.parkedTs), direct: c.workflow.getHandle(ids.parkedTs) };
    const calls: Record<string, Record<Op, () => Promise<unknown>>> = {
      node_http: {
        describe: () => api('GET', `/api/v1/namespaces/default/workflows/${enc(ids.parkedTs)}`),
        query: () => api('POST', `/api/v1/namespaces/default/workflows/${enc(ids.live)}/query/count`, { query: {} }),
        signal: () => api('POST', `/api/v1/namespaces/default/workflows/${enc(ids.parkedTs)}/signal/ping`, { input: [1] }),
      },
      ts_daemon: { describe: () => parked.daemon.describe(), query: () => live.daemon.query('count'), signal: () => parked.daemon.signal('ping', 1) },
      shell_batch: {
        describe: () => batch.call(`describe -w ${ids.parkedTs}`),
        query: () => batch.call(`query -w ${ids.live} --name count`),
        signal: () => batch.call(`signal -w ${ids.parkedTs} --name ping -i 1`),
      },
      ts_direct: { describe: () => parked.direct.describe(), query: () => live.direct.query('count'), signal: () => parked.direct.signal('ping', 1) },
    };
    const paths = Object.keys(calls);
    ctx.log(`B7: Node, ${size.reps} × ${size.calls} calls per path and call (warm-up ${size.warmup})`);
    for (const p of paths) for (const op of OPS) for (let i = 0; i < size.warmup; i++) await calls[p]![op]();
    for (const p of paths) samples[p] = { describe: [], query: [], signal: [] };
    for (let rep = 0; rep < size.reps; rep++) {
      const order = rep % 2 === 0 ? paths : [...paths].reverse();
      for (const op of OPS) {
        const xs: Record<string, number[]> = Object.fromEntries(paths.map((p) => [p, []]));
        for (let i = 0; i < size.calls; i++) {
          for (const p of i % 2 === 0 ? order : [...order].reverse()) {
            const t0 = nowMs();
            await calls[p]![op]();
            xs[p]!.push(nowMs() - t0);
          }
        }
        for (const p of paths) samples[p]![op].push(xs[p]!);
      }
    }
  } finally {
    await batch.close();
    await socketDaemon.stop();
  }
  ctx.log('B7: Python');
  const py = await runPython(
    [
      '--address',
      ctx.main.address,
      '--live',
      ids.live,
      '--parked',
      ids.parkedPy,
      '--daemon',
      DAEMON_BIN,
      '--warmup',
      String(size.warmup),
      '--reps',
      String(size.reps),
      '--calls',
      String(size.calls),
      '--http-port',
      String(httpPort),
    ],
    ctx.quick ? 180_000 : 360_000,
  );
  for (const [p, byOp] of Object.entries(py.samples)) samples[p] = byOp;
  const summary: Record<string, Record<Op, Summary>> = {};
  for (const [p, byOp] of Object.entries(samples)) summary[p] = Object.fromEntries(OPS.map((op) => [op, summarize(byOp[op])])) as Record<Op, Summary>;

  const label: Record<string, string> = {
    node_http: 'HTTP API, Node keep-alive',
    ts_daemon: 'daemon, TS client (stdio)',
    shell_batch: 'daemon, shell client batch (one line a call)',
    ts_direct: 'direct, @temporalio/client',
    python_http: 'HTTP API, Python keep-alive (http.client)',
    python_daemon: 'daemon, Python client (stdio)',
    python_sdk: 'direct, Python SDK (temporalio)',
  };
  const lang = (p: string) => (p.startsWith('python') ? { http: 'python_http', direct: 'python_sdk' } : { http: 'node_http', direct: 'ts_direct' });
  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  for (const op of OPS) {
    for (const p of ['node_http', 'ts_direct', 'ts_daemon', 'shell_batch', 'python_http', 'python_sdk', 'python_daemon']) {
      const s = summary[p]?.[op];
      if (!s) continue;
      const { http: h, direct: d } = lang(p);
      rows.push([op, label[p]!, fmt(s.p50), fmt(s.p99), fmt(ratio(s.p50, summary[h]![op].p50)), fmt(ratio(s.p50, summary[d]![op].p50))]);
      if (p === 'ts_daemon' || p === 'python_daemon' || p === 'shell_batch') {
        const vsHttp = ratio(s.p50, summary[h]![op].p50);
        const vsDirect = ratio(s.p50, summary[d]![op].p50);
        targets.push({ scenario: 'B7', what: `${op} p50, ${label[p]} ÷ HTTP API`, measured: Math.round(vsHttp * 100) / 100, unit: '×', target: '≤ 1.0', met: vsHttp <= 1.0 });
        targets.push({ scenario: 'B7', what: `${op} p50, ${label[p]} ÷ direct SDK`, measured: Math.round(vsDirect * 100) / 100, unit: '×', target: '≤ 1.1', met: vsDirect <= 1.1 });
      }
    }
  }
  const md = [
    `Sequential calls; ${size.reps} repetitions × ${size.calls} calls per path and call after a warm-up of ${size.warmup}; the paths of one process (Node: this one; Python: bench/python_bench.py) take turns call by call. Medians over repetitions of each repetition's p50 and p99. Ratios are to the same language's HTTP API client and direct SDK (the shell client's to Node's).`,
    '',
    mdTable(['call', 'path', 'p50 ms', 'p99 ms', 'p50 ÷ HTTP API', 'p50 ÷ direct SDK'], rows),
    '',
    mdTable(
      ['target', 'measured', 'target', ''],
      targets.map((t) => [t.what, `${fmt(t.measured)}×`, t.target, mark(t.met)]),
    ),
  ].join('\n');
  return { id: 'B7', title: 'B7: per-call cost against the HTTP API and the direct SDKs', data: { size, workflows: ids, summary }, markdown: md, targets };
}
