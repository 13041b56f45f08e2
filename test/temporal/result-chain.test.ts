/**
 * `result` along the run chain: continue-as-new, workflow retries and cron, with
 * followRuns on and off, and a wait longer than the server's 20-second long poll.
 */
import { expect } from 'chai';
import { uniqueId } from '../harness/env';
import { CallCancelledError, WorkflowContinuedAsNewError, WorkflowFailureError } from '../../src/temporal/errors';
import { closeStatusOf, type RunStep } from '../../src/temporal/workflow-handle';
import { RUN_ID, rejectsWith, useTemporal } from './helpers';

describe('result along the run chain', function () {
  this.timeout(30_000);
  const t = useTemporal();
  const start = (workflowType: string, extra: Record<string, unknown> = {}) => t.client.startWorkflow({ workflowType, taskQueue: t.taskQueue, workflowId: uniqueId(), ...extra });

  /** Checks that steps form one linked chain starting at `first`, all with `reason`. */
  function expectLinked(steps: RunStep[], workflowId: string, first: string, reason: RunStep['reason']) {
    let prev = first;
    for (const s of steps) {
      expect(s.workflowId).to.equal(workflowId);
      expect(s.previousRunId).to.equal(prev);
      expect(s.runId).to.match(RUN_ID).and.not.equal(prev);
      expect(s.reason).to.equal(reason);
      prev = s.runId;
    }
    expect(new Set(steps.map((s) => s.runId)).size).to.equal(steps.length);
    return prev;
  }

  describe('continue-as-new', function () {
    for (const runs of [1, 2, 50]) {
      it(`follows a chain of ${runs} run(s) to the last run's value`, async function () {
        this.timeout(60_000);
        const h = await start('chain', { args: [runs - 1] });
        const steps: RunStep[] = [];
        const starts: string[] = [];
        const r = await h.result({ onStep: (s) => steps.push(s), onStart: (id) => starts.push(id) });
        expect(r.value).to.deep.equal({ runs, n: runs - 1 });
        expect(starts).to.deep.equal([h.resultRunId]);
        expect(steps).to.have.length(runs - 1);
        const last = expectLinked(steps, h.workflowId, h.resultRunId!, 'CONTINUED_AS_NEW');
        expect(r.runId).to.equal(last);
        const current = await t.client.getWorkflowHandle(h.workflowId).describe();
        expect(current.runId).to.equal(r.runId);
        expect(current.status).to.equal('COMPLETED');
        if (runs > 1) {
          const firstRun = await t.client.getWorkflowHandle(h.workflowId, h.resultRunId).describe();
          expect(firstRun.status).to.equal('CONTINUED_AS_NEW');
          // a handle on a middle run follows from there
          const mid = steps[Math.floor(steps.length / 2)]!;
          const rest: RunStep[] = [];
          expect(await t.client.getWorkflowHandle(h.workflowId, mid.previousRunId).result({ onStep: (s) => rest.push(s) })).to.deep.equal(r);
          expect(rest).to.deep.equal(steps.slice(Math.floor(steps.length / 2)));
        }
      });
    }

    it('with followRuns false raises WorkflowContinuedAsNewError naming the next run', async () => {
      const h = await start('chain', { args: [2] });
      const err = await rejectsWith(h.result({ followRuns: false }), WorkflowContinuedAsNewError);
      expect(err.message).to.equal('Workflow continued as new');
      expect(err.runId).to.equal(h.resultRunId);
      expect(err.newExecutionRunId).to.match(RUN_ID).and.not.equal(h.resultRunId);
      expect(err.data()).to.deep.equal({ newExecutionRunId: err.newExecutionRunId, runId: h.resultRunId });
      expect(closeStatusOf(err)).to.equal('CONTINUED_AS_NEW');
      const second = t.client.getWorkflowHandle(h.workflowId, err.newExecutionRunId);
      expect((await second.describe()).runId).to.equal(err.newExecutionRunId);
      const err2 = await rejectsWith(second.result({ followRuns: false }), WorkflowContinuedAsNewError);
      const third = t.client.getWorkflowHandle(h.workflowId, err2.newExecutionRunId);
      expect(await third.result({ followRuns: false })).to.deep.equal({ value: { runs: 3, n: 2 }, runId: err2.newExecutionRunId });
    });

    it('with followRuns false returns the value of a single run', async () => {
      const h = await start('chain', { args: [0] });
      expect(await h.result({ followRuns: false })).to.deep.equal({ value: { runs: 1, n: 0 }, runId: h.resultRunId });
    });
  });

  describe('retries', function () {
    const retryPolicy = { initialInterval: '100ms', maximumAttempts: 5 };

    it('follows the retries to the successful attempt (2 RETRY steps); followRuns false raises the first failure', async () => {
      const [followed, single] = await Promise.all([start('flaky', { retryPolicy }), start('flaky', { retryPolicy })]);
      const steps: RunStep[] = [];
      const [r, err] = await Promise.all([followed.result({ onStep: (s) => steps.push(s) }), rejectsWith(single.result({ followRuns: false }), WorkflowFailureError)]);
      expect(r.value).to.deep.equal({ attempt: 3 });
      expect(steps).to.have.length(2);
      expect(r.runId).to.equal(expectLinked(steps, followed.workflowId, followed.resultRunId!, 'RETRY'));

      expect(err.runId).to.equal(single.resultRunId);
      expect(err.retryState).to.equal('IN_PROGRESS');
      expect(err.closeStatus).to.equal('FAILED');
      expect(err.cause).to.deep.include({ type: 'ApplicationError', message: 'attempt 1 failed', applicationType: 'Flaky', nonRetryable: false });
      expect((await t.client.getWorkflowHandle(single.workflowId, single.resultRunId).describe()).status).to.equal('FAILED');
      // the retries go on regardless: the ID's current run ends with attempt 3
      expect((await t.client.getWorkflowHandle(single.workflowId).result()).value).to.deep.equal({ attempt: 3 });
    });

    it('raises the last failure when the attempts run out', async () => {
      const h = await start('flaky', { retryPolicy: { initialInterval: '100ms', maximumAttempts: 2 } });
      const steps: RunStep[] = [];
      const err = await rejectsWith(h.result({ onStep: (s) => steps.push(s) }), WorkflowFailureError);
      expect(steps).to.have.length(1);
      expect(steps[0]!.reason).to.equal('RETRY');
      expect(err.runId).to.equal(steps[0]!.runId);
      expect(err.retryState).to.equal('MAXIMUM_ATTEMPTS_REACHED');
      expect(err.cause.message).to.equal('attempt 2 failed');
    });

    it('follows a retry after a run timeout (timed-out close event with a new run)', async () => {
      const retry = { retryPolicy: { initialInterval: '100ms', maximumAttempts: 2 }, runTimeout: '1s' };
      const [followed, single] = await Promise.all([start('sleepy', retry), start('sleepy', retry)]);
      const steps: RunStep[] = [];
      const [err, first] = await Promise.all([
        rejectsWith(followed.result({ onStep: (s) => steps.push(s) }), WorkflowFailureError),
        rejectsWith(single.result({ followRuns: false }), WorkflowFailureError),
      ]);
      expect(steps).to.have.length(1);
      expect(err.runId).to.equal(expectLinked(steps, followed.workflowId, followed.resultRunId!, 'RETRY'));
      expect(err.cause).to.deep.include({ type: 'TimeoutError', timeoutType: 'START_TO_CLOSE' });
      expect(err.closeStatus).to.equal('TIMED_OUT');
      expect(err.retryState).to.equal('MAXIMUM_ATTEMPTS_REACHED');
      expect(first.runId).to.equal(single.resultRunId);
      expect(first.retryState).to.equal('IN_PROGRESS');
      expect(first.cause.type).to.equal('TimeoutError');
    });
  });

  describe('cron', function () {
    it("'@every 2s': followRuns false returns the first run's value; followRuns true keeps following (CRON steps) until aborted", async function () {
      this.timeout(30_000);
      const h = await start('cronRun', { cronSchedule: '@every 2s' });
      const d = await h.describe();
      // the first run waits for its schedule
      expect(Date.parse(d.executionTime!)).to.be.above(Date.parse(d.startTime!));
      try {
        const first = await h.result({ followRuns: false });
        expect(first).to.deep.equal({ value: { runId: h.resultRunId, cron: '@every 2s' }, runId: h.resultRunId });

        const ac = new AbortController();
        const steps: RunStep[] = [];
        const t0 = Date.now();
        let abortedAt = 0;
        const err = await rejectsWith(
          h.result({
            signal: ac.signal,
            onStep: (s) => {
              steps.push(s);
              if (steps.length === 2) {
                abortedAt = Date.now();
                ac.abort();
              }
            },
          }),
          CallCancelledError,
        );
        expect(err.name).to.equal('CallCancelledError');
        expect(Date.now() - abortedAt).to.be.below(1000);
        expect(Date.now() - t0).to.be.at.least(900); // it waited for the next scheduled run (at least 1 s after the previous one closed)
        expect(steps).to.have.length(2);
        expectLinked(steps, h.workflowId, h.resultRunId!, 'CRON');
        // the second cron run really produced its own value
        expect(await t.client.getWorkflowHandle(h.workflowId, steps[0]!.runId).result({ followRuns: false })).to.deep.equal({
          value: { runId: steps[0]!.runId, cron: '@every 2s' },
          runId: steps[0]!.runId,
        });
        expect((await t.client.getWorkflowHandle(h.workflowId).describe()).runId).to.equal(steps[1]!.runId);
      } finally {
        // the start handle's firstExecutionRunId guards the whole cron chain
        await h.terminate('cron test over');
      }
      const end = await rejectsWith(t.client.getWorkflowHandle(h.workflowId).result(), WorkflowFailureError);
      expect(end.cause).to.deep.include({ type: 'TerminatedError', message: 'cron test over' });
    });
  });

  describe('long poll', function () {
    it('returns a value that takes longer than the 20-second long-poll window, re-polling after the empty answer', async function () {
      this.timeout(60_000);
      const conn = t.client.connection;
      const polls: number[] = [];
      const original = conn.unary.bind(conn);
      // count the history long polls this handle makes (real calls, only observed)
      const spy = (method: string, ...rest: unknown[]) => {
        if (method === 'GetWorkflowExecutionHistory') polls.push(Date.now());
        return (original as (...a: unknown[]) => Promise<unknown>)(method, ...rest);
      };
      conn.unary = spy as unknown as typeof conn.unary;
      try {
        const h = await start('delayed', { args: [23_000, { late: 'but here' }] });
        const t0 = Date.now();
        const r = await h.result();
        expect(r).to.deep.equal({ value: { late: 'but here' }, runId: h.resultRunId });
        expect(Date.now() - t0).to.be.at.least(22_000);
        expect(polls.length).to.be.at.least(2);
        expect(polls[1]! - polls[0]!).to.be.at.least(15_000);
      } finally {
        conn.unary = original;
      }
    });
  });
});
