/**
 * The daemon's embedded dev server (`--dev`, `--dev-db`): a real
 * `temporal server start-dev` the daemon starts, uses, keeps state in, and stops;
 * and what happens when it dies under the daemon.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { initialized, spawnDaemon, stdioClient, tmpPath, type DaemonProcess } from '../harness/daemon';
import { testEnv, uniqueId } from '../harness/env';
import type { RawRpcClient } from '../harness/rpc-client';

/** Parent pid and command name of every process, from /proc (Linux). */
function processTable(): { pid: number; ppid: number; comm: string }[] {
  const out: { pid: number; ppid: number; comm: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(entry), ppid, comm });
    } catch {
      /* the process ended meanwhile */
    }
  }
  return out;
}

/** The `temporal` server processes below the daemon (under its guard shell). */
function devServerPids(d: DaemonProcess): number[] {
  const table = processTable();
  const below = new Set([d.child.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) if (below.has(p.ppid) && !below.has(p.pid)) below.add(p.pid), (grew = true);
  }
  return table.filter((p) => below.has(p.pid) && p.comm === 'temporal').map((p) => p.pid);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function answers(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function startDev(args: string[]): Promise<{ d: DaemonProcess; c: RawRpcClient; address: string }> {
  const d = await spawnDaemon(['--stdio', ...args], { noAddress: true, env: { TEMPORAL_ADDRESS: '' } });
  const c = stdioClient(d);
  const init = await initialized(c);
  return { d, c, address: (init.temporal as { address: string }).address };
}

async function shutdown(d: DaemonProcess, c: RawRpcClient): Promise<number | null> {
  await c.request('shutdown');
  c.notify('exit');
  return d.exited;
}

describe('daemon with its embedded dev server', function () {
  this.timeout(90_000);

  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });

  it('--dev: starts a dev server, runs a workflow on it, and stops it on shutdown', async () => {
    const { d, c, address } = await startDev(['--dev']);
    try {
      expect(address).to.match(/^127\.0\.0\.1:\d+$/);
      expect(d.stderr.join('\n')).to.match(/dev server ready at 127\.0\.0\.1:\d+/);
      expect(devServerPids(d)).to.have.length(1);
      const native = await NativeConnection.connect({ address });
      const { bundle } = await testEnv();
      const taskQueue = uniqueId('tq');
      const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, shutdownGraceTime: '1s' });
      const running = worker.run();
      try {
        const h = await c.request<{ handle: string }>('workflow/start', { workflowType: 'echo', taskQueue, workflowId: uniqueId('dev'), args: ['on the embedded server'] });
        expect((await c.request<{ value: unknown }>('handle/result', { handle: h.handle })).value).to.equal('on the embedded server');
      } finally {
        worker.shutdown();
        await running;
        await native.close();
      }
      expect(await shutdown(d, c)).to.equal(0);
      expect(await answers(address)).to.equal(false);
    } finally {
      await d.kill();
    }
  });

  it('--dev-db: workflows outlive the daemon, and the next daemon on the same file sees them', async () => {
    const db = tmpPath('dev.db');
    const workflowId = uniqueId('kept');
    const first = await startDev(['--dev-db', db]);
    try {
      // No worker: the run stays RUNNING, stored in the file.
      await first.c.request('workflow/start', { workflowType: 'echo', taskQueue: uniqueId('nobody'), workflowId, args: [1] });
      expect(await shutdown(first.d, first.c)).to.equal(0);
    } finally {
      await first.d.kill();
    }
    expect(fs.statSync(db).size).to.be.greaterThan(0);
    const second = await startDev(['--dev-db', db]);
    try {
      const h = await second.c.request<{ handle: string }>('workflow/getHandle', { workflowId });
      const desc = await second.c.request<{ status: string; workflowId: string }>('handle/describe', { handle: h.handle });
      expect([desc.workflowId, desc.status]).to.deep.equal([workflowId, 'RUNNING']);
      await second.c.request('handle/terminate', { handle: h.handle });
      expect(await shutdown(second.d, second.c)).to.equal(0);
    } finally {
      await second.d.kill();
      fs.rmSync(path.dirname(db), { recursive: true, force: true });
    }
  });

  it('a dev server that dies under the daemon: the error is logged, waits answer, and the daemon exits 1', async () => {
    const { d, c } = await startDev(['--dev']);
    try {
      const h = await c.request<{ handle: string }>('workflow/start', { workflowType: 'echo', taskQueue: uniqueId('nobody'), workflowId: uniqueId('orphan') });
      const wait = c.request('handle/result', { handle: h.handle }).then(
        () => 'resolved',
        (e: { code?: number }) => e.code,
      );
      const [pid] = devServerPids(d);
      expect(pid, 'the dev server process').to.be.a('number');
      process.kill(pid!, 'SIGKILL');
      expect(await d.exited).to.equal(1);
      expect(d.stderr.join('\n')).to.match(/error the embedded dev server exited unexpectedly \(code \d+\); stopping/);
      // The wait in flight was answered (DaemonShuttingDown), not left hanging.
      expect(await wait).to.equal(1014);
    } finally {
      await d.kill();
    }
  });

  it('--dev with --address is refused (exit 2); a --temporal-cli that is not there names the path', async () => {
    const both = await spawnDaemon(['--stdio', '--dev', '--address', '127.0.0.1:7233'], { noAddress: true });
    expect(await both.exited).to.equal(2);
    expect(both.stderr.join('\n')).to.match(/--dev and --address contradict each other/);
    const missing = await spawnDaemon(['--stdio', '--dev', '--temporal-cli', '/no/such/temporal'], { noAddress: true });
    expect(await missing.exited).to.equal(1);
    expect(missing.stderr.join('\n')).to.match(/--temporal-cli \/no\/such\/temporal: no executable file there/);
  });

  it('a daemon killed with SIGKILL does not leave its dev server behind', async () => {
    const { d, address } = await startDev(['--dev']);
    const [pid] = devServerPids(d);
    expect(pid, 'the dev server process').to.be.a('number');
    expect(await answers(address)).to.equal(true);
    d.child.kill('SIGKILL');
    await d.exited;
    const deadline = Date.now() + 15_000;
    while (alive(pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid!), `dev server ${pid} still runs`).to.equal(false);
    expect(await answers(address)).to.equal(false);
  });

  it('a start-up failure after the dev server started (a taken --port) stops the server, without calling that a crash', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const d = await spawnDaemon(['--dev', '--port', String(port), '--token-file', tmpPath('token')], { noAddress: true, env: { TEMPORAL_ADDRESS: '' } });
      expect(await d.exited).to.equal(1);
      const log = d.stderr.join('\n');
      expect(log).to.match(/EADDRINUSE/);
      expect(log).to.not.match(/exited unexpectedly/);
      expect(log.match(/shutting down/g) ?? []).to.have.length(1);
      expect(devServerPids(d)).to.deep.equal([]);
    } finally {
      taken.close();
    }
  });
});
