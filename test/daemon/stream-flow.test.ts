/**
 * Flow control of a streamed workflow/list (real daemon and dev server): with a small output
 * limit (--max-output-buffer 65536, the least allowed: high-water mark 16 KiB), a client that
 * does not read a list of about 6 MB (more than the socket's buffers hold) is waited for (no next page is fetched while its output
 * is backed up) and not dropped; once it reads, every entry arrives once. Without flow control
 * the pages would pile up past the limit and the client would be dropped.
 * (Histories: test/daemon/history-large.test.ts.)
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, until } from '../harness/daemon';
import { testEnv, uniqueId } from '../harness/env';

type Msg = Record<string, any>;

describe('a streamed workflow/list read slowly', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });

  it('is waited for, not dropped: no page is fetched while the output is backed up; every entry arrives once it reads', async () => {
    const s = await startDaemon({ socket: true, args: ['--max-output-buffer', '65536'] });
    const c = await connectClient(s.socketPath!);
    const observer = await connectClient(s.socketPath!);
    const taskQueue = uniqueId('list-flow');
    const handles: string[] = [];
    try {
      await initialized(c);
      await initialized(observer);
      const N = 200;
      for (let i = 0; i < N; i++)
        handles.push((await observer.request<Msg>('workflow/start', { workflowType: 'forever', taskQueue, workflowId: uniqueId('lf'), memo: { pad: 'm'.repeat(30_000) } })).handle);
      const query = `TaskQueue = '${taskQueue}'`;
      await until(async () => (await observer.request<Msg>('workflow/count', { query })).count === N, 30_000, 'visibility to see every start');

      c.pauseReading();
      const { promise } = c.requestWithId<Msg>('workflow/list', { query, pageSize: 10, partialResultToken: 'lf' });
      let last: Msg = {};
      await until(
        async () => {
          last = await observer.request<Msg>('daemon/status');
          return last.inFlight === 1 && last.grpcInFlight === 0 && c.progress.length === 0;
        },
        30_000,
        'the list to be parked',
      ).catch((err) => {
        throw new Error(`${(err as Error).message}; last status ${JSON.stringify(last)}; client closed ${c.closed}; ${s.d.stderr.filter((l) => /warn|error/.test(l)).join('\n')}`);
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await observer.request<Msg>('daemon/status'), 'parked while the client does not read').to.deep.include({ clients: 2, inFlight: 1, grpcInFlight: 0 });
      expect(c.closed).to.equal(false);
      c.resumeReading();
      const answer = await promise;
      expect(answer.executions).to.deep.equal([]);
      const ids = c.progress.filter((p) => p.token === 'lf').flatMap((p) => (p.value.executions as Msg[]).map((e) => e.workflowId));
      expect(ids).to.have.length(N);
      expect(new Set(ids).size).to.equal(N);
      expect(s.d.stderr.some((l) => /dropping client/.test(l))).to.equal(false);
    } finally {
      for (const handle of handles) await observer.request('handle/terminate', { handle }).catch(() => undefined);
      c.destroy();
      observer.destroy();
      await s.stop();
    }
  });
});
