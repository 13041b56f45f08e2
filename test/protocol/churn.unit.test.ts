/**
 * Churn: clients that connect, start a result wait and vanish leave nothing behind. Run in
 * a child Node with --expose-gc (the heap is measured after collecting), over the real
 * Daemon and Session on in-memory streams.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

const SCRIPT = `
const { inMemoryDaemon } = require(${JSON.stringify(path.join(root, 'dist/test/harness/in-memory.js'))});
const { PassThrough } = require('node:stream');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
(async () => {
  const m = inMemoryDaemon();
  await m.client.sendRequest('initialize', {});
  const { handle } = await m.client.sendRequest('workflow/getHandle', { workflowId: 'churn' });
  const heap = [];
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < 250; i++) {
      const toDaemon = new PassThrough();
      const fromDaemon = new PassThrough();
      m.daemon.attach('socket', toDaemon, fromDaemon, { destroy: () => toDaemon.destroy(), onExit: () => undefined });
      const c = createMessageConnection(new StreamMessageReader(fromDaemon), new StreamMessageWriter(toDaemon));
      c.listen();
      await c.sendRequest('initialize', {});
      c.sendRequest('handle/result', { handle }).catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      c.dispose();
      toDaemon.end();
    }
    await new Promise((r) => setTimeout(r, 50));
    global.gc();
    heap.push(process.memoryUsage().heapUsed);
  }
  const status = await m.client.sendRequest('daemon/status');
  console.log(JSON.stringify({ heap, clients: status.clients, inFlight: status.inFlight, grpcInFlight: status.grpcInFlight }));
  await m.close();
  process.exit(0);
})();`;

describe('churn (in memory)', function () {
  it('2,000 clients that start a result wait and vanish leave no session, call or memory behind', function () {
    this.timeout(120_000);
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', SCRIPT], { encoding: 'utf8', cwd: root }).trim().split('\n').pop()!);
    expect(out.clients, 'only the test client is left').to.equal(1);
    expect(out.inFlight).to.equal(0);
    expect(out.grpcInFlight).to.equal(0);
    // After the first rounds (caches, JIT), the heap stays flat: under 2 MB of growth over 1,500 more clients.
    const growth = out.heap.at(-1) - out.heap[1];
    expect(growth, `heap after each round: ${out.heap.map((h: number) => (h / 1e6).toFixed(1)).join(', ')} MB`).to.be.below(2e6);
  });
});
