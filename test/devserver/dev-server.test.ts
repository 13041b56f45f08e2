/**
 * DevServer's handling of a server that dies before it is ready: it launches
 * again (with new ports) and, when it gives up, says what the server printed,
 * the first lines included (where a Go panic names its cause).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { DevServer, DevServerExitedError, DevServerStartError, freePort } from '../../src/devserver/dev-server';

describe('dev server launcher', function () {
  this.timeout(60_000);

  it('a server that exits before it is ready is launched `attempts` times, then the error carries its output', async () => {
    const retries: number[] = [];
    let caught: unknown;
    try {
      // The real CLI, given a flag it does not know, prints an error and exits at once.
      await DevServer.start({ extraArgs: ['--no-such-flag'], attempts: 3, onRetry: (_e, n) => retries.push(n) });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(DevServerExitedError);
    const e = caught as DevServerExitedError;
    expect(e.exitCode).to.not.equal(0);
    expect(e.output).to.match(/no-such-flag/);
    expect(e.message).to.match(/exited with code \d+ before it was ready/);
    expect(retries).to.deep.equal([1, 2]);
  });

  it('keeps the first and the last lines of a long crash report', async () => {
    // A stand-in executable (not a Temporal server): prints 100 numbered lines and exits 2, like a Go panic.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-devserver-'));
    const exe = path.join(dir, 'temporal');
    fs.writeFileSync(exe, '#!/bin/sh\ni=1; while [ $i -le 100 ]; do echo "line $i"; i=$((i+1)); done; exit 2\n', { mode: 0o755 });
    try {
      const err = await DevServer.start({ executable: exe, attempts: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DevServerExitedError);
      const lines = (err as DevServerExitedError).output.split('\n');
      expect(lines[0]).to.equal('line 1');
      expect(lines).to.include('line 30');
      expect(lines).to.not.include('line 50');
      expect(lines).to.include('... (40 lines left out) ...');
      expect(lines[lines.length - 1]).to.equal('line 100');
      expect((err as DevServerExitedError).exitCode).to.equal(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a server that never answers is stopped at the start timeout and launched again', async () => {
    // A stand-in executable (not a Temporal server) that prints a line and then never answers.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-devserver-'));
    const exe = path.join(dir, 'temporal');
    const pids = path.join(dir, 'pids');
    fs.writeFileSync(exe, `#!/bin/sh\necho "started $$"\necho $$ >> ${pids}\nexec sleep 30\n`, { mode: 0o755 });
    try {
      const retries: number[] = [];
      const err = await DevServer.start({ executable: exe, attempts: 2, startTimeoutMs: 700, onRetry: (_e, n) => retries.push(n) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DevServerStartError);
      expect(err).to.not.be.instanceOf(DevServerExitedError);
      expect((err as Error).message).to.match(/was not ready within 700 ms/);
      expect((err as DevServerStartError).output).to.match(/^started \d+/);
      expect(retries).to.deep.equal([1]);
      const launched = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
      expect(launched).to.have.length(2);
      for (const pid of launched) expect(() => process.kill(pid, 0), `process ${pid} still runs`).to.throw();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('attempts: 1 launches once', async () => {
    const retries: number[] = [];
    const err = await DevServer.start({ extraArgs: ['--no-such-flag'], attempts: 1, onRetry: (_e, n) => retries.push(n) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DevServerExitedError);
    expect(retries).to.deep.equal([]);
  });

  it('freePort gives a bindable loopback port below the ephemeral range (Linux)', async function () {
    let range: number[] | undefined;
    try {
      range = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    } catch {
      this.skip();
    }
    const ports = await Promise.all(Array.from({ length: 10 }, () => freePort()));
    for (const p of ports) {
      expect(p).to.be.at.least(10_000);
      if (range![0] - 10_000 >= 1000) expect(p).to.be.below(range![0]);
    }
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(ports[0], '127.0.0.1', () => resolve());
    });
    await new Promise((r) => srv.close(r));
  });
});
