import { expect } from 'chai';
import { spawnDaemon, stdioClient, initialized } from '../harness/daemon';
import { uniqueId, withWorker, testEnv } from '../harness/env';

describe('daemon over stdio (smoke)', function () {
  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });
  it('initializes, starts a workflow and returns its result', async () => {
    const d = await spawnDaemon(['--stdio']);
    const c = stdioClient(d);
    try {
      const init = await initialized(c);
      expect((init.serverInfo as { name: string }).name).to.equal('temporal-handled');
      await withWorker(async (tq) => {
        const info = await c.request<{ handle: string }>('workflow/start', { workflowType: 'echo', taskQueue: tq, workflowId: uniqueId(), args: ['hi'] });
        const r = await c.request<{ value: unknown }>('handle/result', { handle: info.handle, workDoneToken: 'p1' });
        expect(r.value).to.equal('hi');
        expect(c.progress.map((p) => p.value.kind)).to.deep.equal(['begin', 'end']);
      });
      await c.request('shutdown');
      c.notify('exit');
      expect(await d.exited).to.equal(0);
    } finally {
      await d.kill();
    }
  });
});
