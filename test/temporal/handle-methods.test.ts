/**
 * Every WorkflowHandle method against the real dev server and a real worker:
 * cancel, describe, query, result, signal, terminate.
 */
import { validateParams } from '../../src/protocol/validate-params';
import { expect } from 'chai';
import { uniqueId } from '../harness/env';
import { RPCError, WorkflowFailureError, WorkflowQueryRejectedError } from '../../src/temporal/errors';
import { closeStatusOf } from '../../src/temporal/workflow-handle';
import { RFC3339, RUN_ID, eventually, historyEvents, rejectsWith, useTemporal } from './helpers';

describe('WorkflowHandle methods', function () {
  this.timeout(30_000);
  const t = useTemporal();
  const start = (workflowType: string, extra: Record<string, unknown> = {}) => t.client.startWorkflow({ workflowType, taskQueue: t.taskQueue, workflowId: uniqueId(), ...extra });

  describe('cancel', function () {
    it('cancels with a reason: the workflow sees it, result raises CancelledError, history records the reason', async () => {
      const h = await start('cancellable');
      expect(await h.query('cancelled')).to.equal(false);
      await h.cancel('stop please');
      expect(
        await eventually(
          () => h.query('cancelled'),
          (v) => v === true,
        ),
      ).to.equal(true);
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.message).to.equal('Workflow execution failed');
      expect(err.cause.type).to.equal('CancelledError');
      expect(err.cause.message).to.equal('Workflow cancelled');
      expect(err.cause.details).to.deep.equal([]);
      expect(err.runId).to.equal(h.resultRunId);
      expect(err.closeStatus).to.equal('CANCELED');
      expect(closeStatusOf(err)).to.equal('CANCELED');
      expect((await h.describe()).status).to.equal('CANCELED');
      const requested = (await historyEvents(t.client, h.workflowId)).map((e) => e.workflowExecutionCancelRequestedEventAttributes).filter(Boolean);
      expect(requested).to.have.length(1);
      expect(requested[0]!.cause).to.equal('stop please');
      expect(requested[0]!.identity).to.equal(t.client.identity);
    });

    it('cancels without a reason (empty cause)', async () => {
      const h = await start('cancellable');
      await h.query('cancelled');
      await h.cancel();
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.cause.type).to.equal('CancelledError');
      const requested = (await historyEvents(t.client, h.workflowId)).map((e) => e.workflowExecutionCancelRequestedEventAttributes).filter(Boolean);
      expect(requested[0]!.cause).to.equal('');
    });
  });

  describe('describe', function () {
    it('returns every field of a running run and of the closed run', async () => {
      const h = await start('signals', {
        memo: { owner: 'tests', nested: { list: [1, 'two', null], ok: true } },
        searchAttributes: { CustomKeywordField: 'describe-kw', CustomIntField: 7 },
        staticSummary: 'a **summary**',
        staticDetails: 'some details\nover two lines',
      });
      await h.query('state'); // the first workflow task has run
      const d = await h.describe();
      expect(d.namespace).to.equal('default');
      expect(d.workflowId).to.equal(h.workflowId);
      expect(d.runId).to.equal(h.resultRunId);
      expect(d.workflowType).to.equal('signals');
      expect(d.taskQueue).to.equal(t.taskQueue);
      expect(d.status).to.equal('RUNNING');
      expect(d.startTime).to.match(RFC3339);
      expect(d.executionTime).to.match(RFC3339);
      expect(d.executionTime).to.equal(d.startTime);
      expect(d.closeTime).to.equal(null);
      expect(Math.abs(Date.parse(d.startTime!) - Date.now())).to.be.below(60_000);
      expect(d.historyLength).to.be.a('number').and.at.least(3);
      expect(d.parentWorkflowId).to.equal(null);
      expect(d.parentRunId).to.equal(null);
      expect(d.memo).to.deep.equal({ owner: 'tests', nested: { list: [1, 'two', null], ok: true } });
      expect(d.searchAttributes).to.include({ CustomKeywordField: 'describe-kw', CustomIntField: 7 });
      expect(d.staticSummary).to.equal('a **summary**');
      expect(d.staticDetails).to.equal('some details\nover two lines');

      await h.signal('finish');
      await h.result();
      const c = await h.describe();
      expect(c.status).to.equal('COMPLETED');
      expect(c.runId).to.equal(d.runId);
      expect(c.closeTime).to.match(RFC3339);
      expect(Date.parse(c.closeTime!)).to.be.at.least(Date.parse(c.startTime!));
      expect(c.historyLength).to.be.above(d.historyLength);
      expect(c.memo).to.deep.equal(d.memo);
      expect(c.staticSummary).to.equal('a **summary**');
    });

    it('describes a run without memo, search attributes or metadata as empty/null', async () => {
      const h = await start('echo', { args: ['x'] });
      await h.result();
      const d = await h.describe();
      expect(d.memo).to.deep.equal({});
      expect(d.searchAttributes).to.not.have.property('CustomKeywordField');
      expect(d.staticSummary).to.equal(null);
      expect(d.staticDetails).to.equal(null);
      expect(d.status).to.equal('COMPLETED');
    });

    it('reports the parent of a child workflow', async () => {
      const childId = uniqueId('child');
      const p = await start('parent', { args: [childId, 'echo', 'from child'] });
      expect((await p.result()).value).to.equal('from child');
      const d = await t.client.getWorkflowHandle(childId).describe();
      expect(d.workflowType).to.equal('echo');
      expect(d.parentWorkflowId).to.equal(p.workflowId);
      expect(d.parentRunId).to.equal(p.resultRunId);
      expect(d.rootWorkflowId).to.equal(p.workflowId);
      expect(d.rootRunId).to.equal(p.resultRunId);
    });
  });

  describe('query', function () {
    it('passes several args and returns the answer; no args works too', async () => {
      const h = await start('signals');
      expect(await h.query('greet', ['Hello', 'World'])).to.equal('Hello, World!');
      expect(await h.query('greet', ['Grüß Gott', '世界'])).to.equal('Grüß Gott, 世界!');
      const s = (await h.query('state')) as { values: unknown[]; finished: boolean; runId: string };
      expect(s).to.deep.equal({ values: [], finished: false, runId: h.resultRunId });
      await h.terminate();
    });

    it('applies each reject condition to a running, a completed and a terminated run', async () => {
      const running = await start('signals');
      const completed = await start('signals');
      const terminated = await start('signals');
      await Promise.all([running, completed, terminated].map((h) => h.query('state')));
      await completed.signal('add', ['done']);
      await completed.signal('finish');
      await completed.result();
      await terminated.terminate('gone');
      await rejectsWith(terminated.result(), WorkflowFailureError);

      for (const cond of [undefined, 'NONE', 'NOT_OPEN', 'NOT_COMPLETED_CLEANLY'] as const) {
        expect(await running.query('state', [], cond), `running, ${cond}`).to.deep.include({ finished: false });
      }
      expect(await completed.query('state', [], 'NONE')).to.deep.include({ values: ['done'], finished: true });
      expect(await completed.query('state')).to.deep.include({ values: ['done'], finished: true });
      expect(await completed.query('state', [], 'NOT_COMPLETED_CLEANLY')).to.deep.include({ values: ['done'] });
      const r1 = await rejectsWith(completed.query('state', [], 'NOT_OPEN'), WorkflowQueryRejectedError);
      expect(r1.status).to.equal('COMPLETED');
      expect(r1.message).to.equal('Query rejected, status: COMPLETED');
      expect(r1.data()).to.deep.equal({ status: 'COMPLETED' });

      expect(await terminated.query('state', [], 'NONE')).to.deep.include({ finished: false });
      const r2 = await rejectsWith(terminated.query('state', [], 'NOT_OPEN'), WorkflowQueryRejectedError);
      expect(r2.status).to.equal('TERMINATED');
      const r3 = await rejectsWith(terminated.query('state', [], 'NOT_COMPLETED_CLEANLY'), WorkflowQueryRejectedError);
      expect(r3.status).to.equal('TERMINATED');
      await running.terminate();
    });

    it('an unknown reject condition is refused where params enter the daemon, naming it', () => {
      expect(() => validateParams('handle/query', { handle: 'wh_x', query: 'state', rejectCondition: 'SOMETIMES' })).to.throw(/"rejectCondition" must be one of NONE, NOT_OPEN, NOT_COMPLETED_CLEANLY/);
    });
  });

  describe('signal', function () {
    it('delivers signals with one, several and no arguments, in order', async () => {
      const h = await start('recorder');
      await h.signal('one', [{ a: 1 }]);
      await h.signal('many', ['two', 3, [4, { five: 5 }], null, true]);
      await h.signal('none');
      await h.signal('emptyList', []);
      const expected = [
        { name: 'one', args: [{ a: 1 }] },
        { name: 'many', args: ['two', 3, [4, { five: 5 }], null, true] },
        { name: 'none', args: [] },
        { name: 'emptyList', args: [] },
      ];
      expect(await h.query('received')).to.deep.equal(expected);
      await h.signal('finish');
      expect((await h.result()).value).to.deep.equal(expected);
    });

    it('feeds a typed signal handler (signals fixture)', async () => {
      const h = await start('signals');
      await h.signal('add', ['x']);
      await h.signal('add', [{ y: 2 }]);
      await h.signal('finish');
      const r = await h.result();
      expect(r.value).to.deep.equal(['x', { y: 2 }]);
      expect(r.runId).to.equal(h.resultRunId);
    });
  });

  describe('terminate', function () {
    it('terminates with a reason and details: result raises TerminatedError carrying both', async () => {
      const h = await start('forever');
      await h.query('state');
      await h.terminate('because tests', [{ code: 42 }, 'two', null, ['list']]);
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.cause.type).to.equal('TerminatedError');
      expect(err.cause.message).to.equal('because tests');
      expect(err.cause.details).to.deep.equal([{ code: 42 }, 'two', null, ['list']]);
      expect(err.closeStatus).to.equal('TERMINATED');
      expect(err.retryState).to.equal('NON_RETRYABLE_FAILURE');
      expect(err.runId).to.equal(h.resultRunId);
      const d = await h.describe();
      expect(d.status).to.equal('TERMINATED');
      expect(d.closeTime).to.match(RFC3339);
      const ev = (await historyEvents(t.client, h.workflowId)).find((e) => e.workflowExecutionTerminatedEventAttributes)!;
      expect(ev.workflowExecutionTerminatedEventAttributes!.identity).to.equal(t.client.identity);
    });

    it('terminates without a reason or details', async () => {
      const h = await start('forever');
      await h.terminate();
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.cause.type).to.equal('TerminatedError');
      expect(err.cause.message).to.be.a('string').and.not.equal('');
      expect(err.cause.details).to.deep.equal([]);
    });

    it('cannot terminate a run twice (NOT_FOUND: already completed)', async () => {
      const h = await start('forever');
      await h.terminate('once');
      const err = await rejectsWith(h.terminate('twice'), RPCError);
      expect(err.status).to.equal('NOT_FOUND');
    });
  });

  describe('result', function () {
    it('returns the value and the run it came from, also from a handle without run IDs', async () => {
      const h = await start('echo', { args: [{ hello: 'world' }] });
      const starts: string[] = [];
      const r = await h.result({ onStart: (id) => starts.push(id) });
      expect(r).to.deep.equal({ value: { hello: 'world' }, runId: h.resultRunId });
      expect(starts).to.deep.equal([h.resultRunId]);
      const byId = t.client.getWorkflowHandle(h.workflowId);
      const starts2: string[] = [];
      const r2 = await byId.result({ onStart: (id) => starts2.push(id) });
      expect(r2).to.deep.equal(r);
      expect(starts2).to.deep.equal([h.resultRunId]);
      expect(r.runId).to.match(RUN_ID);
    });

    it('waits for a running workflow to finish', async () => {
      const h = await start('signals');
      const pending = h.result();
      let settled = false;
      void pending.then(() => (settled = true));
      await h.query('state');
      expect(settled).to.equal(false);
      await h.signal('add', [1]);
      await h.signal('finish');
      expect((await pending).value).to.deep.equal([1]);
    });

    it('returns null for a workflow that returns nothing', async () => {
      const h = await start('echo'); // no args: returns undefined
      expect((await h.result()).value).to.equal(null);
    });
  });
});
