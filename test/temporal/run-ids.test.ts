/**
 * The seed's run-ID rules: which run each handle method reaches, for handles from
 * startWorkflow (with and without a start signal) and from getWorkflowHandle.
 */
import { expect } from 'chai';
import { uniqueId } from '../harness/env';
import { RPCError, WorkflowFailureError } from '../../src/temporal/errors';
import { RUN_ID, eventually, rejectsWith, useTemporal } from './helpers';

interface State {
  values: unknown[];
  finished: boolean;
  runId: string;
}

describe('run IDs of a handle', function () {
  this.timeout(30_000);
  const t = useTemporal();
  const start = (workflowType: string, workflowId = uniqueId(), extra: Record<string, unknown> = {}) => t.client.startWorkflow({ workflowType, taskQueue: t.taskQueue, workflowId, ...extra });

  it('start: runId is null, resultRunId and firstExecutionRunId are the new run', async () => {
    const h = await start('forever');
    expect(h.runId).to.equal(null);
    expect(h.resultRunId).to.match(RUN_ID);
    expect(h.firstExecutionRunId).to.equal(h.resultRunId);
    expect(h.ids).to.deep.equal({ namespace: 'default', workflowId: h.workflowId, runId: null, resultRunId: h.resultRunId, firstExecutionRunId: h.resultRunId });
    expect((await h.describe()).runId).to.equal(h.resultRunId);
    await h.terminate();
  });

  it('start with a start signal: firstExecutionRunId is null, resultRunId the new run', async () => {
    const h = await start('signals', uniqueId(), { startSignal: 'add', startSignalArgs: ['s'] });
    expect(h.runId).to.equal(null);
    expect(h.resultRunId).to.match(RUN_ID);
    expect(h.firstExecutionRunId).to.equal(null);
    expect(((await h.query('state')) as unknown as State).runId).to.equal(h.resultRunId);
    await h.terminate();
  });

  it('getWorkflowHandle: resultRunId is runId; firstExecutionRunId as given; no RPC is made', async () => {
    const id = uniqueId();
    expect(t.client.getWorkflowHandle(id).ids).to.deep.equal({ namespace: 'default', workflowId: id, runId: null, resultRunId: null, firstExecutionRunId: null });
    const run = '11111111-2222-4333-8444-555555555555';
    const first = '66666666-7777-4888-9999-000000000000';
    expect(t.client.getWorkflowHandle(id, run).ids).to.deep.include({ runId: run, resultRunId: run, firstExecutionRunId: null });
    expect(t.client.getWorkflowHandle(id, null, first).ids).to.deep.include({ runId: null, resultRunId: null, firstExecutionRunId: first });
    expect(t.client.getWorkflowHandle(id, run, first, 'other-ns').ids).to.deep.equal({ namespace: 'other-ns', workflowId: id, runId: run, resultRunId: run, firstExecutionRunId: first });
    // empty strings are "unset"
    expect(t.client.getWorkflowHandle(id, '', '').ids).to.deep.include({ runId: null, resultRunId: null, firstExecutionRunId: null });
  });

  describe('an ID reused by a newer run', function () {
    it('describe, query and signal on an old start handle reach the newer run; result stays on its own run', async () => {
      const id = uniqueId();
      const old = await start('signals', id);
      await old.signal('add', ['old']);
      await old.signal('finish');
      expect((await old.result()).value).to.deep.equal(['old']);

      const newer = await start('signals', id);
      expect(newer.resultRunId).to.not.equal(old.resultRunId);

      const d = await old.describe();
      expect(d.runId).to.equal(newer.resultRunId);
      expect(d.status).to.equal('RUNNING');
      const s = (await old.query('state')) as unknown as State;
      expect(s).to.deep.equal({ values: [], finished: false, runId: newer.resultRunId });
      await old.signal('add', ['sent via the old handle']);
      expect(((await newer.query('state')) as unknown as State).values).to.deep.equal(['sent via the old handle']);
      // result is pinned to the old handle's own run
      expect(await old.result()).to.deep.equal({ value: ['old'], runId: old.resultRunId });

      // a handle for the exact old run still sees the old run
      const pinned = t.client.getWorkflowHandle(id, old.resultRunId);
      const pd = await pinned.describe();
      expect(pd.runId).to.equal(old.resultRunId);
      expect(pd.status).to.equal('COMPLETED');
      expect(((await pinned.query('state')) as unknown as State).values).to.deep.equal(['old']);
      expect(await pinned.result()).to.deep.equal({ value: ['old'], runId: old.resultRunId });
      const se = await rejectsWith(pinned.signal('add', ['late']), RPCError);
      expect(se.status).to.equal('NOT_FOUND');

      // a handle without run IDs follows the current run
      await newer.signal('finish');
      expect(await t.client.getWorkflowHandle(id).result()).to.deep.equal({ value: ['sent via the old handle'], runId: newer.resultRunId });
    });

    it('cancel and terminate with the firstExecutionRunId of an older chain fail with NOT_FOUND and leave the newer run alone', async () => {
      const id = uniqueId();
      const old = await start('forever', id);
      await old.terminate('first run done');
      const newer = await start('forever', id);
      await newer.query('state');

      const ce = await rejectsWith(old.cancel('wrong chain'), RPCError);
      expect(ce.status).to.equal('NOT_FOUND');
      expect(ce.code).to.equal(5);
      const te = await rejectsWith(old.terminate('wrong chain'), RPCError);
      expect(te.status).to.equal('NOT_FOUND');
      // the same through getWorkflowHandle(firstExecutionRunId)
      const guarded = t.client.getWorkflowHandle(id, null, old.resultRunId);
      expect((await rejectsWith(guarded.cancel(), RPCError)).status).to.equal('NOT_FOUND');
      expect((await rejectsWith(guarded.terminate(), RPCError)).status).to.equal('NOT_FOUND');
      expect((await newer.describe()).status).to.equal('RUNNING');

      // the newer chain's own guard works
      await t.client.getWorkflowHandle(id, null, newer.resultRunId).terminate('right chain');
      const err = await rejectsWith(newer.result(), WorkflowFailureError);
      expect(err.cause.message).to.equal('right chain');
    });

    it('a handle from a start with a start signal cancels and terminates the latest run, even an unrelated one', async () => {
      const id = uniqueId();
      const sws = await start('signals', id, { startSignal: 'add', startSignalArgs: [1] });
      await sws.signal('finish');
      expect((await sws.result()).value).to.deep.equal([1]);

      const unrelated = await start('forever', id);
      await unrelated.query('state');
      await sws.cancel('via the signal-with-start handle');
      const ce = await rejectsWith(unrelated.result(), WorkflowFailureError);
      expect(ce.cause.type).to.equal('CancelledError');
      expect(ce.runId).to.equal(unrelated.resultRunId);

      const another = await start('forever', id);
      await sws.terminate('also via it', ['d']);
      const te = await rejectsWith(another.result(), WorkflowFailureError);
      expect(te.cause).to.deep.include({ type: 'TerminatedError', message: 'also via it', details: ['d'] });
      // and its result is still its own run's
      expect(await sws.result()).to.deep.equal({ value: [1], runId: sws.resultRunId });
    });

    it('getWorkflowHandle with an explicit old run ID describes, and reports the result of, that exact run', async () => {
      const id = uniqueId();
      const first = await start('echo', id, { args: ['first'] });
      await first.result();
      const second = await start('echo', id, { args: ['second'] });
      await second.result();
      const h1 = t.client.getWorkflowHandle(id, first.resultRunId);
      const h2 = t.client.getWorkflowHandle(id, second.resultRunId);
      expect((await h1.describe()).runId).to.equal(first.resultRunId);
      expect((await h2.describe()).runId).to.equal(second.resultRunId);
      expect((await t.client.getWorkflowHandle(id).describe()).runId).to.equal(second.resultRunId);
      expect(await h1.result()).to.deep.equal({ value: 'first', runId: first.resultRunId });
      expect(await h2.result()).to.deep.equal({ value: 'second', runId: second.resultRunId });
    });
  });

  describe('a continue-as-new chain', function () {
    it('cancel/terminate with the first run ID reach the current run of the chain; describe/query reach the latest run', async () => {
      const h = await start('chainThenWait', uniqueId(), { args: [3] });
      // wait until the chain's last run is up
      const s = (await eventually(
        () => h.query('state'),
        (v) => (v as unknown as State).values[0] === 3,
      )) as unknown as State;
      expect(s.runId).to.not.equal(h.resultRunId);
      expect((await h.describe()).runId).to.equal(s.runId);
      // the first run itself is closed as CONTINUED_AS_NEW
      expect((await t.client.getWorkflowHandle(h.workflowId, h.resultRunId).describe()).status).to.equal('CONTINUED_AS_NEW');
      await h.terminate('end of chain');
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.runId).to.equal(s.runId);
      expect(err.cause.message).to.equal('end of chain');
    });

    it('cancel with a run ID pinned to a closed run of the chain is accepted as a no-op by the server; terminate is NOT_FOUND', async () => {
      // Server behaviour (Temporal 1.32 dev server): RequestCancelWorkflowExecution on a closed
      // run succeeds without effect; TerminateWorkflowExecution answers NOT_FOUND "already completed".
      const h = await start('chainThenWait', uniqueId(), { args: [1] });
      const s = (await eventually(
        () => h.query('state'),
        (v) => (v as unknown as State).values[0] === 1,
      )) as unknown as State;
      const firstRun = t.client.getWorkflowHandle(h.workflowId, h.resultRunId);
      await firstRun.cancel('too late');
      const te = await rejectsWith(firstRun.terminate('too late'), RPCError);
      expect(te.status).to.equal('NOT_FOUND');
      expect((await h.describe()).status).to.equal('RUNNING');
      expect(((await h.query('state')) as unknown as State).runId).to.equal(s.runId);
      await h.signal('finish');
      expect(await h.result()).to.deep.equal({ value: { runs: 2 }, runId: s.runId });
    });
  });
});
