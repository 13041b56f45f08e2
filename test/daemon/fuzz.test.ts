/**
 * A bounded fuzz test (fixed seed): random bytes and mutated JSON-RPC messages on
 * one socket connection, while a well-behaved client on another connection checks
 * every answer it gets. Afterwards a fresh connection gets correct answers.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, frame, until, type StartedDaemon } from '../harness/daemon';
import type { RawRpcClient } from '../harness/rpc-client';
import { testEnv, uniqueId } from '../harness/env';

const SEED = 0x5eed_f00d;
const MAX_OPS = 4000;
const MAX_MS = 12_000;

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}

type Rng = ReturnType<typeof prng>;

const KEYS = [
  'jsonrpc',
  'id',
  'method',
  'params',
  'result',
  'error',
  'handle',
  'workflowId',
  'runId',
  'args',
  'query',
  'signal',
  'token',
  'value',
  '__proto__',
  'constructor',
  'authToken',
  'namespace',
  'retryPolicy',
  'executionTimeout',
  'followRuns',
  'workDoneToken',
  '',
];
const METHODS = [
  'initialize',
  'initialized',
  'shutdown',
  'exit',
  'workflow/start',
  'workflow/getHandle',
  'handle/info',
  'handle/describe',
  'handle/query',
  'handle/signal',
  'handle/cancel',
  'handle/terminate',
  'handle/result',
  'handle/release',
  'daemon/status',
  'rpc.discover',
  '$/cancelRequest',
  '$/progress',
  '$/setTrace',
  'nope',
  'handle/',
  'HANDLE/INFO',
  'toString',
  '__proto__',
];
const STRINGS = [
  '',
  ' ',
  '2.0',
  '1.0',
  'Content-Length: 5\r\n\r\n',
  '\r\n\r\n',
  '\u0000',
  '\ud800',
  'é🙂',
  '{"a":',
  '0',
  '-1',
  'NaN',
  '1e400',
  'wh_',
  'x'.repeat(300),
  '100ms',
  'abc',
  'ALLOW_DUPLICATE',
  'NOT_OPEN',
];

function randomString(r: Rng): string {
  if (r.chance(0.6)) return r.pick(STRINGS);
  let s = '';
  const n = r.int(20);
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.8) ? 32 + r.int(95) : r.int(0x3000));
  return s;
}

function randomJson(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 5 : 8);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, 1, -1, 2 ** 53, -(2 ** 31), 1.5, 1e308, -0, 123456789]);
    case 3:
    case 4:
      return randomString(r);
    case 5:
    case 6: {
      const o: Record<string, unknown> = {};
      const n = r.int(5);
      for (let i = 0; i < n; i++) o[r.chance(0.7) ? r.pick(KEYS) : randomString(r)] = randomJson(r, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
  }
}

/** A well-formed request or notification of the protocol (with the fuzzer's own handle). */
function template(r: Rng, handle: string, nextId: () => number): Record<string, unknown> {
  // shutdown and exit end a connection's useful life: rare.
  const method = r.chance(0.01) ? r.pick(['shutdown', 'exit']) : r.pick(METHODS.slice(0, 17).filter((x) => x !== 'shutdown' && x !== 'exit'));
  const params: Record<string, unknown> = {};
  switch (method) {
    case 'workflow/start':
      Object.assign(params, { workflowType: 'echo', taskQueue: 'fuzz-no-worker', workflowId: `fuzz-${r.int(50)}`, args: [randomJson(r)] });
      break;
    case 'workflow/getHandle':
      Object.assign(params, { workflowId: `fuzz-missing-${r.int(50)}` });
      break;
    case 'handle/query':
      Object.assign(params, { handle, query: 'state' });
      break;
    case 'handle/signal':
      Object.assign(params, { handle, signal: 'add', args: [1] });
      break;
    case 'handle/result':
      Object.assign(params, { handle, followRuns: r.chance(0.5), workDoneToken: r.int(10) });
      break;
    case 'handle/info':
    case 'handle/describe':
    case 'handle/cancel':
    case 'handle/terminate':
    case 'handle/release':
      Object.assign(params, { handle });
      break;
    case '$/cancelRequest':
      Object.assign(params, { id: r.int(200) });
      break;
    default:
  }
  const isNotification = ['initialized', 'exit', '$/cancelRequest'].includes(method);
  return isNotification ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id: nextId(), method, params };
}

function mutate(r: Rng, msg: Record<string, unknown>): unknown {
  const m: Record<string, unknown> = { ...msg, params: { ...(msg.params as object) } };
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    switch (r.int(8)) {
      case 0:
        delete m[r.pick(Object.keys(m))];
        break;
      case 1:
        m[r.pick(KEYS)] = randomJson(r);
        break;
      case 2:
        m.params = randomJson(r);
        break;
      case 3:
        m.id = randomJson(r);
        break;
      case 4:
        m.method = r.chance(0.5) ? r.pick(METHODS) : randomString(r);
        break;
      case 5: {
        const p = m.params;
        if (p && typeof p === 'object' && !Array.isArray(p)) (p as Record<string, unknown>)[r.pick(KEYS)] = randomJson(r);
        break;
      }
      case 6:
        return [m];
      default: {
        const p = m.params;
        if (p && typeof p === 'object' && !Array.isArray(p)) {
          const keys = Object.keys(p);
          if (keys.length) (p as Record<string, unknown>)[r.pick(keys)] = randomJson(r);
        }
      }
    }
  }
  return m;
}

function randomBytes(r: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => r.int(256)));
}

/** One fuzz write. */
function fuzzBytes(r: Rng, handle: string, nextId: () => number): Buffer {
  const valid = () => JSON.stringify(template(r, handle, nextId));
  switch (r.int(10)) {
    case 0:
      return randomBytes(r, 1 + r.int(300));
    case 1: {
      // A valid frame whose JSON text is damaged.
      const text = Buffer.from(valid());
      const n = 1 + r.int(4);
      for (let i = 0; i < n; i++) text[r.int(text.length)] = r.int(256);
      return frame(text.toString('latin1'));
    }
    case 2: {
      // A Content-Length that lies.
      const body = Buffer.from(valid());
      const len = Math.max(0, body.length + r.pick([-20, -1, 1, 7, 40, -body.length]));
      return Buffer.concat([Buffer.from(`Content-Length: ${len}\r\n\r\n`), body]);
    }
    case 3: {
      // Damaged headers.
      const body = Buffer.from(valid());
      const header = r.pick([
        `content-length:${body.length}\r\n\r\n`,
        `Content-Length: ${body.length}\r\nX-Junk\r\n\r\n`,
        `Content-Length: ${body.length}\n\n`,
        `Content-Length: ${body.length}\r\nContent-Length: ${body.length + 1}\r\n\r\n`,
        `Content-Length: 0x${body.length.toString(16)}\r\n\r\n`,
        `Content-Length: ${body.length}\r\nContent-Type: text/plain; charset=ascii\r\n\r\n`,
        `: ${body.length}\r\n\r\n`,
        `Content-Length: ${r.int(2) ? '' : ' '}${body.length}${randomString(r)}\r\n\r\n`,
      ]);
      return Buffer.concat([Buffer.from(header, 'latin1'), body]);
    }
    case 4:
    case 5:
      return frame(JSON.stringify(mutate(r, template(r, handle, nextId))));
    case 6:
      return frame(JSON.stringify(randomJson(r)));
    default:
      return frame(valid());
  }
}

describe('fuzz (bounded, fixed seed)', function () {
  this.timeout(90_000);
  let s: StartedDaemon;

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    s = await startDaemon({ socket: true, args: ['--max-message-size', '65536'] });
  });

  after(async () => {
    await s?.stop();
  });

  it(`survives ${MAX_OPS} random writes; a well-behaved client is undisturbed and a fresh client is served`, async function () {
    const r = prng(SEED);
    const good = await connectClient(s.socketPath!);
    await initialized(good);
    const goodInfo = await good.request<Record<string, unknown>>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId('fuzz-good') });
    const base = await good.request<{ clients: number; inFlight: number; grpcInFlight: number }>('daemon/status');

    // The well-behaved client checks every answer throughout.
    let stop = false;
    const problems: string[] = [];
    let goodCalls = 0;
    const goodLoop = (async () => {
      while (!stop) {
        const [info, st, desc] = await Promise.all([
          good.request('handle/info', { handle: goodInfo.handle }),
          good.request<{ uptime: number }>('daemon/status'),
          good.request<{ workflowId: string; status: string }>('handle/describe', { handle: goodInfo.handle }),
        ]);
        if (JSON.stringify(info) !== JSON.stringify(goodInfo)) problems.push(`handle/info: ${JSON.stringify(info)}`);
        if (typeof st.uptime !== 'number') problems.push(`daemon/status: ${JSON.stringify(st)}`);
        if (desc.workflowId !== goodInfo.workflowId || desc.status !== 'RUNNING') problems.push(`handle/describe: ${JSON.stringify(desc)}`);
        goodCalls += 3;
        await new Promise((res) => setTimeout(res, 10));
      }
    })();

    let id = 1;
    const nextId = () => id++;
    const fuzzers: RawRpcClient[] = [];
    let fz: RawRpcClient | undefined;
    let reconnects = 0;
    let handle = 'wh_unknown';
    const t0 = Date.now();
    let ops = 0;
    for (; ops < MAX_OPS && Date.now() - t0 < MAX_MS; ops++) {
      if (!fz || fz.closed) {
        fz = await connectClient(s.socketPath!);
        fuzzers.push(fz);
        reconnects++;
        if (r.chance(0.8)) {
          await initialized(fz).catch(() => undefined);
          const h = await fz.request<{ handle: string }>('workflow/getHandle', { workflowId: `fuzz-${r.int(50)}` }).catch(() => undefined);
          if (h) handle = h.handle;
        }
      }
      if (r.chance(0.003)) {
        // Over the size limit: fatal for this connection (1009), then it is closed; unless
        // the header went into the body of an earlier frame that lied about its length.
        fz.writeRaw(`Content-Length: ${10 ** (5 + r.int(12))}\r\n\r\n`);
        await fz.whenClosed(1000).catch(() => fz!.destroy());
        continue;
      }
      fz.writeRaw(fuzzBytes(r, handle, nextId));
      // Let the daemon's answers (and a close) arrive now and then.
      await new Promise((res) => setImmediate(res));
      if (r.chance(0.01)) await new Promise((res) => setTimeout(res, 5));
    }
    await new Promise((res) => setTimeout(res, 500));
    stop = true;
    await goodLoop;

    expect(s.d.child.exitCode, 'the daemon is alive').to.equal(null);
    expect(problems).to.deep.equal([]);
    expect(goodCalls).to.be.above(10);
    expect(good.received.filter((m) => m.id === null || m.id === undefined)).to.deep.equal([]);

    // Everything the fuzzed connections got back is a well-formed JSON-RPC message (or a
    // batch answer: a non-empty array of them).
    let answers = 0;
    for (const f of fuzzers) {
      const all = f.received.flatMap((m) => {
        if (!Array.isArray(m)) return [m];
        expect(m.length, 'a batch answer is never empty').to.be.above(0);
        return m as Record<string, unknown>[];
      });
      for (const m of all) {
        answers++;
        expect(m.jsonrpc).to.equal('2.0');
        if (m.method === '$/progress') continue;
        expect('result' in m || 'error' in m, JSON.stringify(m)).to.equal(true);
        if (m.error) {
          const e = m.error as { code: unknown; message: unknown; data?: { type?: unknown } };
          expect(e.code).to.be.a('number');
          expect(e.message).to.be.a('string');
          expect(e.data?.type, JSON.stringify(m)).to.be.a('string');
        }
      }
    }
    expect(answers).to.be.above(MAX_OPS / 3);

    // A fresh connection is served correctly.
    for (const f of fuzzers) f.destroy();
    const fresh = await connectClient(s.socketPath!);
    await initialized(fresh);
    const h = await fresh.request<{ handle: string; workflowId: string }>('workflow/getHandle', { workflowId: goodInfo.workflowId as string });
    expect(await fresh.request('handle/info', { handle: h.handle })).to.include({ workflowId: goodInfo.workflowId });
    expect((await fresh.request<{ status: string }>('handle/describe', { handle: h.handle })).status).to.equal('RUNNING');
    expect(await fresh.request('handle/info', { handle: goodInfo.handle })).to.deep.equal(goodInfo);
    // The fuzzers' connections and calls are all gone.
    await until(
      async () => {
        const st = await fresh.request<{ clients: number; inFlight: number; grpcInFlight: number }>('daemon/status');
        return st.clients === base.clients + 1 && st.inFlight === base.inFlight && st.grpcInFlight === base.grpcInFlight;
      },
      10_000,
      'the fuzzers to be forgotten',
    );
    await good.request('handle/terminate', { handle: goodInfo.handle });
    this.test!.title += ` (${ops} writes, ${reconnects} connections, ${answers} answers)`;
  });
});
