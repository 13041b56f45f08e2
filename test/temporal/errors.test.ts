/**
 * Every error the Temporal layer raises, with its fields, from the real server.
 */
import { expect } from 'chai';
import { uniqueId } from '../harness/env';
import {
  RPCError,
  TemporalError,
  WorkflowAlreadyStartedError,
  WorkflowContinuedAsNewError,
  WorkflowFailureError,
  WorkflowQueryFailedError,
  WorkflowQueryRejectedError,
} from '../../src/temporal/errors';
import { closeStatusOf } from '../../src/temporal/workflow-handle';
import { RUN_ID, rejectsWith, useTemporal } from './helpers';

describe('errors', function () {
  this.timeout(30_000);
  const t = useTemporal();
  const start = (workflowType: string, extra: Record<string, unknown> = {}) => t.client.startWorkflow({ workflowType, taskQueue: t.taskQueue, workflowId: uniqueId(), ...extra });

  it('WorkflowAlreadyStartedError on a duplicate start, naming the running run', async () => {
    const h = await start('forever');
    const err = await rejectsWith(t.client.startWorkflow({ workflowType: 'signals', taskQueue: t.taskQueue, workflowId: h.workflowId }), WorkflowAlreadyStartedError);
    expect(err).to.be.instanceOf(TemporalError);
    expect(err.type).to.equal('WorkflowAlreadyStartedError');
    expect(err.message).to.equal('Workflow execution already started');
    expect(err.workflowId).to.equal(h.workflowId);
    expect(err.workflowType).to.equal('signals');
    expect(err.runId).to.equal(h.resultRunId);
    expect(err.data()).to.deep.equal({ workflowId: h.workflowId, workflowType: 'signals', runId: h.resultRunId, firstRunId: h.firstExecutionRunId });
    await h.terminate();
  });

  describe('WorkflowFailureError', function () {
    it('carries an ApplicationError cause with type, nonRetryable, details, stack trace and its own cause', async () => {
      const h = await start('fail', { args: ['BadThing', true, { detail: 1 }, 'two', null] });
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.type).to.equal('WorkflowFailureError');
      expect(err.message).to.equal('Workflow execution failed');
      expect(err.runId).to.equal(h.resultRunId);
      expect(err.retryState).to.equal('RETRY_POLICY_NOT_SET');
      expect(closeStatusOf(err)).to.equal('FAILED');
      const c = err.cause;
      expect(c.type).to.equal('ApplicationError');
      expect(c.message).to.equal('failed with BadThing');
      expect(c.applicationType).to.equal('BadThing');
      expect(c.nonRetryable).to.equal(true);
      expect(c.details).to.deep.equal([{ detail: 1 }, 'two', null]);
      expect(c.stackTrace).to.be.a('string').and.contain('failed with BadThing');
      expect(c.cause).to.deep.include({ type: 'ApplicationError', message: 'the root cause', applicationType: 'RootCause', nonRetryable: true, details: [] });
      expect(c.cause!.stackTrace).to.be.a('string').and.not.equal('');
      expect(c.cause!.cause).to.equal(undefined);
      expect(err.data()).to.deep.equal({ cause: c, runId: h.resultRunId, retryState: 'RETRY_POLICY_NOT_SET', status: 'FAILED' });
      expect(JSON.parse(JSON.stringify(err.data()))).to.deep.equal(err.data());
      expect((await h.describe()).status).to.equal('FAILED');
    });

    it('reports nonRetryable false and no details', async () => {
      const h = await start('fail', { args: ['Soft', false] });
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.cause).to.deep.include({ type: 'ApplicationError', applicationType: 'Soft', nonRetryable: false, details: [] });
    });

    it('carries a ChildWorkflowError cause for a failed child, with the child failure as its cause', async () => {
      const childId = uniqueId('child');
      const h = await start('parent', { args: [childId, 'fail', 'ChildBad', true, 'child detail'] });
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      const c = err.cause;
      expect(c.type).to.equal('ChildWorkflowError');
      expect(c).to.deep.include({ namespace: 'default', workflowId: childId, workflowType: 'fail', retryState: 'RETRY_POLICY_NOT_SET' });
      expect(c.runId).to.match(RUN_ID);
      expect(c.runId).to.equal((await t.client.getWorkflowHandle(childId).describe()).runId);
      expect(c.initiatedEventId).to.be.a('number').and.above(0);
      expect(c.startedEventId).to.be.a('number').and.above(0);
      expect(c.cause).to.deep.include({ type: 'ApplicationError', applicationType: 'ChildBad', message: 'failed with ChildBad', details: ['child detail'] });
      expect(c.cause!.cause).to.deep.include({ type: 'ApplicationError', applicationType: 'RootCause' });
    });

    it('carries a TimeoutError cause when the execution timeout fires', async function () {
      this.timeout(20_000);
      const h = await start('sleepy', { executionTimeout: '2s' });
      const t0 = Date.now();
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(Date.now() - t0).to.be.within(1000, 10_000);
      expect(err.cause).to.deep.equal({ type: 'TimeoutError', message: 'Workflow timed out', timeoutType: 'START_TO_CLOSE', lastHeartbeatDetails: [] });
      expect(err.retryState).to.equal('TIMEOUT');
      expect(err.closeStatus).to.equal('TIMED_OUT');
      expect((await h.describe()).status).to.equal('TIMED_OUT');
    });
  });

  it('WorkflowContinuedAsNewError with followRuns false', async () => {
    const h = await start('chain', { args: [1] });
    const err = await rejectsWith(h.result({ followRuns: false }), WorkflowContinuedAsNewError);
    expect(err.type).to.equal('WorkflowContinuedAsNewError');
    expect(err.newExecutionRunId).to.match(RUN_ID);
    expect(err.runId).to.equal(h.resultRunId);
  });

  describe('query errors', function () {
    it('WorkflowQueryFailedError for an unknown query name and for a handler that throws', async () => {
      const h = await start('signals');
      const unknown = await rejectsWith(h.query('no-such-query'), WorkflowQueryFailedError);
      expect(unknown.type).to.equal('WorkflowQueryFailedError');
      expect(unknown.message).to.contain('no-such-query');
      expect(unknown.message).to.contain('state'); // the worker lists the registered queries
      expect(unknown.data()).to.deep.equal({});
      const failed = await rejectsWith(h.query('fail'), WorkflowQueryFailedError);
      expect(failed.message).to.equal('query handler failed on purpose');
      await h.terminate();
    });

    it('WorkflowQueryRejectedError with the workflow status', async () => {
      const h = await start('fail', { args: ['X', true] });
      await rejectsWith(h.result(), WorkflowFailureError);
      const err = await rejectsWith(h.query('anything', [], 'NOT_COMPLETED_CLEANLY'), WorkflowQueryRejectedError);
      expect(err.type).to.equal('WorkflowQueryRejectedError');
      expect(err.status).to.equal('FAILED');
      expect(err.message).to.equal('Query rejected, status: FAILED');
    });
  });

  describe('RPCError', function () {
    it('NOT_FOUND for every method on an unknown workflow ID', async () => {
      const h = t.client.getWorkflowHandle(uniqueId('missing'));
      const calls: [string, () => Promise<unknown>][] = [
        ['describe', () => h.describe()],
        ['query', () => h.query('state')],
        ['signal', () => h.signal('add', [1])],
        ['cancel', () => h.cancel('x')],
        ['terminate', () => h.terminate('x')],
        ['result', () => h.result()],
      ];
      for (const [name, call] of calls) {
        const err = await rejectsWith(call(), RPCError);
        expect(err.status, name).to.equal('NOT_FOUND');
        expect(err.code, name).to.equal(5);
        expect(err.type).to.equal('RPCError');
        expect(err.message, name).to.contain(h.workflowId);
        expect(err.data().status).to.equal('NOT_FOUND');
        expect(
          err.details.map((d) => d.typeUrl),
          name,
        ).to.include('temporal.api.errordetails.v1.NotFoundFailure');
      }
    });

    it('NOT_FOUND for result and describe of an unknown run of a known ID', async () => {
      const known = await start('echo', { args: [1] });
      await known.result();
      const h = t.client.getWorkflowHandle(known.workflowId, '0f0e0d0c-0b0a-4908-8706-050403020100');
      expect((await rejectsWith(h.result(), RPCError)).status).to.equal('NOT_FOUND');
      expect((await rejectsWith(h.describe(), RPCError)).status).to.equal('NOT_FOUND');
    });

    it('INVALID_ARGUMENT for a malformed run ID', async () => {
      const err = await rejectsWith(t.client.getWorkflowHandle(uniqueId(), 'not-a-uuid').describe(), RPCError);
      expect(err.status).to.equal('INVALID_ARGUMENT');
      expect(err.code).to.equal(3);
    });

    it('NOT_FOUND for an unknown namespace', async () => {
      const err = await rejectsWith(t.client.getWorkflowHandle(uniqueId(), null, null, 'no-such-namespace').describe(), RPCError);
      expect(err.status).to.equal('NOT_FOUND');
      expect(err.message).to.contain('no-such-namespace');
    });
  });
});
