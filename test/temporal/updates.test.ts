/**
 * Workflow updates against the real dev server and real workers (the `updatable` fixture,
 * on a TypeScript worker and on a Python SDK worker): execute, start with a wait stage,
 * update IDs, describe, failures, NOT_FOUND, run-ID pinning, update-with-start in each
 * conflict policy, cancellation, the server's 20 s long-poll window and a server restart.
 */
import { InvalidArgumentError } from '../../src/temporal/invalid-argument';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startPythonWorker, testEnv, uniqueId, type RunningWorker } from '../harness/env';
import { DevServer, freePort } from '../../src/devserver/dev-server';
import { Connection } from '../../src/temporal/connection';
import { TemporalClient } from '../../src/temporal/client';
import type { WorkflowHandle } from '../../src/temporal/workflow-handle';
import { CallCancelledError, RPCError, WorkflowAlreadyStartedError, WorkflowFailureError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '../../src/temporal/errors';
import { enums } from '../../src/temporal/proto';
import { executeUpdate, executeUpdateWithStart, getUpdateHandle, startUpdate, startUpdateWithStart, type WithStartWorkflowOptions } from '../../src/temporal/workflow-update';
import { historyEvents, rejectsWith, RUN_ID, sleep, useTemporal, type TestContext } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EV = enums.EventType;

/** Records the WorkflowService methods `client` calls while `fn` runs (real calls, only observed). */
async function callsDuring<T>(client: TemporalClient, fn: () => Promise<T>): Promise<{ value: T; calls: { method: string; at: number; ms: number }[] }> {
  const conn = client.connection;
  const original = conn.unary.bind(conn);
  const calls: { method: string; at: number; ms: number }[] = [];
  conn.unary = ((method: string, ...rest: unknown[]) => {
    const at = Date.now();
    const p = (original as (...a: unknown[]) => Promise<unknown>)(method, ...rest);
    return p.finally(() => calls.push({ method, at, ms: Date.now() - at }));
  }) as typeof conn.unary;
  try {
    return { value: await fn(), calls };
  } finally {
    conn.unary = original;
  }
}

async function state(h: WorkflowHandle): Promise<{ total: number; applied: number[]; runId: string }> {
  return (await h.query('state')) as { total: number; applied: number[]; runId: string };
}

async function updateEvents(client: TemporalClient, h: WorkflowHandle, type: number) {
  return (await historyEvents(client, h.workflowId, h.resultRunId)).filter((e) => e.eventType === type);
}

/** The cases that must behave the same whichever SDK's worker runs the workflow. */
function sameOnEveryWorker(t: TestContext, validatorFailure: Record<string, unknown>) {
  const start = (args: unknown[] = []) => t.client.startWorkflow({ workflowType: 'updatable', taskQueue: t.taskQueue, workflowId: uniqueId(), args });

  it('executeUpdate returns the value; the update handle names the update, the workflow and its run', async () => {
    const h = await start([10]);
    const r = await executeUpdate(t.client, h, 'add', { args: [5] });
    expect(r.value).to.equal(15);
    expect(r.update.updateId).to.match(UUID);
    expect(r.update.workflowId).to.equal(h.workflowId);
    expect(r.update.workflowRunId).to.equal(h.resultRunId);
    expect(await state(h)).to.deep.include({ total: 15, applied: [5] });
  });

  it('a validator rejection is WorkflowUpdateFailedError with the Failure as cause, and nothing is applied', async () => {
    const h = await start();
    const err = await rejectsWith(executeUpdate(t.client, h, 'add', { args: [-1] }), WorkflowUpdateFailedError);
    expect(err.message).to.equal('Workflow update failed');
    expect(err.cause).to.deep.include(validatorFailure);
    expect(err.data().cause).to.equal(err.cause);
    expect((await state(h)).applied).to.deep.equal([]);
    // a rejected update leaves no trace in history
    expect(await updateEvents(t.client, h, EV.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)).to.have.length(0);
  });

  it('a handler that raises is WorkflowUpdateFailedError with its ApplicationError; describe shows the failure', async () => {
    const h = await start();
    const err = await rejectsWith(executeUpdate(t.client, h, 'fail', { args: ['boom'], updateId: 'fails-1' }), WorkflowUpdateFailedError);
    expect(err.cause).to.deep.include({ type: 'ApplicationError', message: 'boom', applicationType: 'UpdateBoom', nonRetryable: true, details: ['boom'] });
    const d = await getUpdateHandle(t.client, h, 'fails-1').describe();
    expect(d.stage).to.equal('COMPLETED');
    expect(d.outcome).to.have.key('failure');
    expect((d.outcome as { failure: unknown }).failure).to.deep.include({ type: 'ApplicationError', applicationType: 'UpdateBoom' });
    expect(await updateEvents(t.client, h, EV.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)).to.have.length(1);
  });

  it('startUpdate ACCEPTED returns before completion; describe answers at once before and after; result waits for the signal', async () => {
    const h = await start();
    const u = await startUpdate(t.client, h, 'waitForRelease', { args: [{ v: 1 }], waitForStage: 'ACCEPTED', updateId: uniqueId('upd') });
    expect(u.workflowRunId).to.equal(h.resultRunId);
    const t0 = Date.now();
    expect(await u.describe()).to.deep.equal({ updateId: u.updateId, stage: 'ACCEPTED' });
    expect(Date.now() - t0).to.be.below(2000);
    const pending = u.result();
    await sleep(300);
    await h.signal('release');
    expect(await pending).to.deep.equal({ v: 1 });
    const t1 = Date.now();
    expect(await getUpdateHandle(t.client, h, u.updateId).describe()).to.deep.equal({ updateId: u.updateId, stage: 'COMPLETED', outcome: { value: { v: 1 } } });
    expect(Date.now() - t1).to.be.below(2000);
  });

  it('update-with-start USE_EXISTING updates the running workflow; FAIL on it is WorkflowAlreadyStartedError', async () => {
    const h = await start([1]);
    const opts = (idConflictPolicy: WithStartWorkflowOptions['idConflictPolicy']): WithStartWorkflowOptions => ({
      workflowType: 'updatable',
      taskQueue: t.taskQueue,
      workflowId: h.workflowId,
      args: [1000],
      idConflictPolicy,
    });
    const r = await executeUpdateWithStart(t.client, opts('USE_EXISTING'), 'add', { args: [2] });
    expect(r.value).to.equal(3);
    expect(r.workflow.resultRunId).to.equal(h.resultRunId);
    const err = await rejectsWith(executeUpdateWithStart(t.client, opts('FAIL'), 'add', { args: [2] }), WorkflowAlreadyStartedError);
    expect(err.runId).to.equal(h.resultRunId);
    expect(err.workflowType).to.equal('updatable');
    expect((await state(h)).applied).to.deep.equal([2]);
  });
}

describe('updates', function () {
  this.timeout(30_000);

  describe('on a TypeScript worker', function () {
    const t = useTemporal();
    const start = (args: unknown[] = [], extra: Record<string, unknown> = {}) => t.client.startWorkflow({ workflowType: 'updatable', taskQueue: t.taskQueue, workflowId: uniqueId(), args, ...extra });

    sameOnEveryWorker(t, { type: 'ApplicationError', message: 'add rejects -1' });

    it('startUpdate COMPLETED returns with the outcome known: result makes no further call', async () => {
      const h = await start();
      const u = await startUpdate(t.client, h, 'add', { args: [4], waitForStage: 'COMPLETED' });
      const { value, calls } = await callsDuring(t.client, () => u.result());
      expect(value).to.equal(4);
      expect(calls).to.deep.equal([]);
    });

    it('ADMITTED is refused as the Python SDK refuses it, before any call; so is an unknown stage', async () => {
      const h = await start();
      const { calls } = await callsDuring(t.client, async () => {
        for (const [stage, msg] of [
          ['ADMITTED', /^ADMITTED wait stage not supported$/],
          ['STARTED', /waitForStage must be ACCEPTED or COMPLETED/],
          [undefined, /waitForStage must be ACCEPTED or COMPLETED/],
        ] as const) {
          const err = await rejectsWith(startUpdate(t.client, h, 'add', { args: [1], waitForStage: stage as never }), InvalidArgumentError);
          expect(err.message).to.match(msg);
        }
        const err = await rejectsWith(
          startUpdateWithStart(t.client, { workflowType: 'updatable', taskQueue: t.taskQueue, workflowId: uniqueId(), idConflictPolicy: 'FAIL' }, 'add', { waitForStage: 'ADMITTED' as never }),
          InvalidArgumentError,
        );
        expect(err.message).to.equal('ADMITTED wait stage not supported');
      });
      expect(calls).to.deep.equal([]);
      expect((await state(h)).applied).to.deep.equal([]);
    });

    it('update IDs: generated ones are fresh UUIDs; a reused ID is applied once and answers the first outcome, whatever its args or name', async () => {
      const h = await start();
      const a = await executeUpdate(t.client, h, 'add', { args: [1] });
      const b = await executeUpdate(t.client, h, 'add', { args: [1] });
      expect(a.update.updateId).to.match(UUID).and.not.equal(b.update.updateId);
      expect([a.value, b.value]).to.deep.equal([1, 2]);

      const id = uniqueId('same');
      expect((await executeUpdate(t.client, h, 'add', { args: [10], updateId: id })).value).to.equal(12);
      // the same ID again: the server answers the existing update, without running the handler again
      expect((await executeUpdate(t.client, h, 'add', { args: [10], updateId: id })).value).to.equal(12);
      // ... even with other args, or another update name: the server does not compare them
      expect((await executeUpdate(t.client, h, 'add', { args: [500], updateId: id })).value).to.equal(12);
      expect((await executeUpdate(t.client, h, 'fail', { args: ['x'], updateId: id })).value).to.equal(12);
      const s = await state(h);
      expect(s.applied).to.deep.equal([1, 1, 10]);
      expect(s.total).to.equal(12);
      const accepted = await updateEvents(t.client, h, EV.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
      expect(accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.protocolInstanceId)).to.deep.equal([a.update.updateId, b.update.updateId, id]);
    });

    it('an update name the workflow has no handler for is WorkflowUpdateFailedError (the worker rejects it)', async () => {
      const h = await start();
      const err = await rejectsWith(executeUpdate(t.client, h, 'noSuchUpdate', { args: [1] }), WorkflowUpdateFailedError);
      expect(err.cause.type).to.equal('ApplicationError');
      expect(err.cause.message).to.match(/No registered handler for update: noSuchUpdate/);
    });

    it('a closed workflow: a new update is RPCError NOT_FOUND; an update it completed can still be described and awaited', async () => {
      const h = await start();
      const done = await executeUpdate(t.client, h, 'add', { args: [3], updateId: 'before-close' });
      await h.signal('finish');
      expect((await h.result()).value).to.deep.equal({ total: 3, applied: [3] });
      const err = await rejectsWith(executeUpdate(t.client, h, 'add', { args: [1] }), RPCError);
      expect(err.status).to.equal('NOT_FOUND');
      expect(err.message).to.match(/workflow execution already completed/);
      const again = getUpdateHandle(t.client, h, done.update.updateId);
      expect(await again.describe()).to.deep.equal({ updateId: 'before-close', stage: 'COMPLETED', outcome: { value: 3 } });
      expect(await again.result()).to.equal(3);
    });

    it('unknown workflow or update ID: RPCError NOT_FOUND from start, describe and result', async () => {
      const ghost = t.client.getWorkflowHandle(uniqueId('ghost'));
      for (const call of [() => executeUpdate(t.client, ghost, 'add', { args: [1] }), () => getUpdateHandle(t.client, ghost, 'x').describe(), () => getUpdateHandle(t.client, ghost, 'x').result()]) {
        const err = await rejectsWith(call(), RPCError);
        expect(err.status).to.equal('NOT_FOUND');
        expect(err.message).to.match(/workflow not found/);
      }
      const h = await start();
      for (const call of [() => getUpdateHandle(t.client, h, 'no-such-update').describe(), () => getUpdateHandle(t.client, h, 'no-such-update').result()]) {
        const err = await rejectsWith(call(), RPCError);
        expect(err.status).to.equal('NOT_FOUND');
        expect(err.message).to.match(/update "no-such-update" not found/);
      }
    });

    it("getUpdateHandle makes no call; its run is the one given, else the handle's runId", async () => {
      const h = await start();
      const u = await startUpdate(t.client, h, 'waitForRelease', { args: ['x'], waitForStage: 'ACCEPTED' });
      const { value: handles, calls } = await callsDuring(t.client, async () => [
        getUpdateHandle(t.client, h, u.updateId),
        getUpdateHandle(t.client, t.client.getWorkflowHandle(h.workflowId, h.resultRunId), u.updateId),
        getUpdateHandle(t.client, h, u.updateId, h.resultRunId),
      ]);
      expect(calls).to.deep.equal([]);
      expect(handles.map((x) => x.workflowRunId)).to.deep.equal([null, h.resultRunId, h.resultRunId]);
      expect(() => getUpdateHandle(t.client, h, '')).to.throw(InvalidArgumentError, /updateId/);
      await h.signal('release');
      expect(await Promise.all(handles.map((x) => x.result()))).to.deep.equal(['x', 'x', 'x']);
    });

    it('run-ID pinning, as the Python SDK sends it: a handle on an older run of the ID fails NOT_FOUND; one without a run reaches the current run', async () => {
      const first = await start();
      await first.signal('finish');
      await first.result();
      const second = await t.client.startWorkflow({ workflowType: 'updatable', taskQueue: t.taskQueue, workflowId: first.workflowId, args: [100] });
      // the start handle of the first chain (firstExecutionRunId = run 1): the chain guard refuses the new run
      const chainErr = await rejectsWith(executeUpdate(t.client, first, 'add', { args: [1] }), RPCError);
      expect(chainErr.status).to.equal('NOT_FOUND');
      expect(chainErr.message).to.match(/workflow execution not found/);
      // a handle pinned to run 1 by runId: that run is closed
      const pinnedErr = await rejectsWith(executeUpdate(t.client, t.client.getWorkflowHandle(first.workflowId, first.resultRunId), 'add', { args: [1] }), RPCError);
      expect(pinnedErr.status).to.equal('NOT_FOUND');
      expect(pinnedErr.message).to.match(/workflow execution already completed/);
      // no run: the current run; the update handle names the run the server resolved
      const r = await executeUpdate(t.client, t.client.getWorkflowHandle(first.workflowId), 'add', { args: [1] });
      expect(r.value).to.equal(101);
      expect(r.update.workflowRunId).to.equal(second.resultRunId);
      // the second chain's own start handle works
      expect((await executeUpdate(t.client, second, 'add', { args: [1] })).value).to.equal(102);
      expect((await state(second)).applied).to.deep.equal([1, 1]);
    });

    describe('update-with-start', function () {
      const withStart = (workflowId: string, idConflictPolicy: WithStartWorkflowOptions['idConflictPolicy'], args: unknown[] = [7]): WithStartWorkflowOptions => ({
        workflowType: 'updatable',
        taskQueue: t.taskQueue,
        workflowId,
        args,
        idConflictPolicy,
      });

      it("starts a new workflow and updates it; the handles are the Python SDK's (runId null, resultRunId = firstExecutionRunId = the new run)", async () => {
        const id = uniqueId();
        const r = await executeUpdateWithStart(t.client, withStart(id, 'FAIL'), 'add', { args: [3] });
        expect(r.value).to.equal(10);
        expect(r.workflow.ids).to.deep.equal({ namespace: 'default', workflowId: id, runId: null, resultRunId: r.workflow.resultRunId, firstExecutionRunId: r.workflow.resultRunId });
        expect(r.workflow.resultRunId).to.match(RUN_ID);
        expect(r.update.workflowRunId).to.equal(r.workflow.resultRunId);
        expect((await state(r.workflow)).applied).to.deep.equal([3]);
      });

      it('FAIL on a running workflow: WorkflowAlreadyStartedError naming the running run, and no update', async () => {
        const running = await start([1]);
        const err = await rejectsWith(executeUpdateWithStart(t.client, withStart(running.workflowId, 'FAIL'), 'add', { args: [3] }), WorkflowAlreadyStartedError);
        expect(err.data()).to.deep.equal({ workflowId: running.workflowId, workflowType: 'updatable', runId: running.resultRunId, firstRunId: running.firstExecutionRunId });
        expect((await state(running)).applied).to.deep.equal([]);
      });

      it('USE_EXISTING updates the running run and does not start another', async () => {
        const running = await start([1]);
        const r = await executeUpdateWithStart(t.client, withStart(running.workflowId, 'USE_EXISTING'), 'add', { args: [3] });
        expect(r.value).to.equal(4);
        expect(r.workflow.resultRunId).to.equal(running.resultRunId);
        expect((await t.client.getWorkflowHandle(running.workflowId).describe()).runId).to.equal(running.resultRunId);
      });

      it('TERMINATE_EXISTING terminates the running run and updates a new one', async () => {
        const running = await start([1]);
        const r = await executeUpdateWithStart(t.client, withStart(running.workflowId, 'TERMINATE_EXISTING'), 'add', { args: [3] });
        expect(r.value).to.equal(10);
        expect(r.workflow.resultRunId).to.match(RUN_ID).and.not.equal(running.resultRunId);
        const err = await rejectsWith(running.result(), WorkflowFailureError);
        expect(err.closeStatus).to.equal('TERMINATED');
        expect((await state(r.workflow)).applied).to.deep.equal([3]);
      });

      it('startUpdateWithStart ACCEPTED, then result; re-sent with the same update ID it is applied once', async () => {
        const id = uniqueId();
        const updateId = uniqueId('uws');
        const r = await startUpdateWithStart(t.client, withStart(id, 'USE_EXISTING', [0]), 'waitForRelease', { args: ['w'], updateId, waitForStage: 'ACCEPTED' });
        expect(await r.update.describe()).to.deep.equal({ updateId, stage: 'ACCEPTED' });
        const again = await startUpdateWithStart(t.client, withStart(id, 'USE_EXISTING', [0]), 'waitForRelease', { args: ['other'], updateId, waitForStage: 'ACCEPTED' });
        expect(again.workflow.resultRunId).to.equal(r.workflow.resultRunId);
        await r.workflow.signal('release');
        expect(await r.update.result()).to.equal('w');
        expect(await again.update.result()).to.equal('w');
        expect(await updateEvents(t.client, r.workflow, EV.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)).to.have.length(1);
      });

      it("a rejected update still starts the workflow; a bad start is the start's own error; idConflictPolicy is required", async () => {
        const id = uniqueId();
        const err = await rejectsWith(executeUpdateWithStart(t.client, withStart(id, 'FAIL'), 'add', { args: [-5] }), WorkflowUpdateFailedError);
        expect(err.cause.message).to.equal('add rejects -5');
        expect((await t.client.getWorkflowHandle(id).describe()).status).to.equal('RUNNING');

        const bad = await rejectsWith(executeUpdateWithStart(t.client, { ...withStart(uniqueId(), 'FAIL'), cronSchedule: 'not a cron' }, 'add', { args: [1] }), RPCError);
        expect(bad.status).to.equal('INVALID_ARGUMENT');
        expect(bad.message).to.match(/CronSchedule/i);

        for (const p of [undefined, 'UNSPECIFIED']) {
          const e = await rejectsWith(executeUpdateWithStart(t.client, { ...withStart(uniqueId(), 'FAIL'), idConflictPolicy: p as never }, 'add', { args: [1] }), InvalidArgumentError);
          expect(e.message).to.match(/idConflictPolicy is required/);
        }
        await rejectsWith(executeUpdateWithStart(t.client, { ...withStart(uniqueId(), 'FAIL'), startSignal: 'x' } as never, 'add', {}), InvalidArgumentError);
      });
    });

    it('an AbortSignal ends a waiting result with WorkflowUpdateRPCTimeoutOrCancelledError; the update goes on', async () => {
      const h = await start();
      const u = await startUpdate(t.client, h, 'waitForRelease', { args: [1], waitForStage: 'ACCEPTED' });
      const ac = new AbortController();
      const budget = t.client.longPolls.for(t.client.namespace);
      const pending = u.result({ signal: ac.signal });
      await sleep(300);
      // the wait holds one of the namespace's long polls
      expect(budget.waiting).to.equal(1);
      expect(budget.inFlight).to.equal(1);
      const t0 = Date.now();
      ac.abort();
      const err = await rejectsWith(pending, WorkflowUpdateRPCTimeoutOrCancelledError);
      expect(Date.now() - t0).to.be.below(1000);
      expect(err.message).to.equal('Timeout or cancellation waiting for update');
      expect(err.cause).to.be.instanceOf(CallCancelledError);
      expect([budget.waiting, budget.inFlight, t.connection.inFlight]).to.deep.equal([0, 0, 0]);
      expect((await u.describe()).stage).to.equal('ACCEPTED');
      // an already aborted signal ends a start before it is sent
      await rejectsWith(startUpdate(t.client, h, 'add', { args: [1], waitForStage: 'ACCEPTED', signal: AbortSignal.abort() }), WorkflowUpdateRPCTimeoutOrCancelledError);
      await h.signal('release');
      expect(await u.result()).to.equal(1);
      expect((await state(h)).applied).to.deep.equal([]);
    });

    it('a per-call deadline that passes is WorkflowUpdateRPCTimeoutOrCancelledError (result, and a start no worker accepts)', async () => {
      const h = await start();
      const u = await startUpdate(t.client, h, 'waitForRelease', { args: [1], waitForStage: 'ACCEPTED' });
      const err = await rejectsWith(u.result({ timeoutMs: 1000 }), WorkflowUpdateRPCTimeoutOrCancelledError);
      expect(err.cause).to.be.instanceOf(RPCError);
      expect(['DEADLINE_EXCEEDED', 'CANCELLED']).to.include((err.cause as RPCError).status);
      const idle = await t.client.startWorkflow({ workflowType: 'updatable', taskQueue: uniqueId('no-worker'), workflowId: uniqueId() });
      await rejectsWith(startUpdate(t.client, idle, 'add', { args: [1], waitForStage: 'ACCEPTED', timeoutMs: 1500 }), WorkflowUpdateRPCTimeoutOrCancelledError);
      await idle.terminate();
    });

    it("an update that completes after the server's 20-second window: result re-polls, and a COMPLETED start re-polls too", async function () {
      this.timeout(60_000);
      const h = await start();
      const slow = await startUpdate(t.client, h, 'delayed', { args: [23_000, 'late'], waitForStage: 'ACCEPTED' });
      const t0 = Date.now();
      const { value, calls } = await callsDuring(t.client, () =>
        Promise.all([slow.result(), startUpdate(t.client, h, 'delayed', { args: [23_000, 'late too'], waitForStage: 'COMPLETED' }).then((u) => u.result())]),
      );
      expect(value).to.deep.equal(['late', 'late too']);
      expect(Date.now() - t0).to.be.at.least(22_000);
      const polls = calls.filter((c) => c.method === 'PollWorkflowExecutionUpdate');
      const updates = calls.filter((c) => c.method === 'UpdateWorkflowExecution');
      // one window passed empty (about 20 s), then the poll that got the outcome
      expect(polls.length).to.be.at.least(3);
      expect(polls.filter((c) => c.ms >= 15_000).length).to.be.at.least(1);
      // the COMPLETED start: the server held it for its window, answered ACCEPTED, and the outcome came from a poll
      expect(updates).to.have.length(1);
      expect(updates[0]!.ms).to.be.at.least(15_000);
    });
  });

  describe('on a Python SDK worker', function () {
    const t = {} as TestContext;
    let py: RunningWorker | undefined;

    before(async function () {
      this.timeout(120_000);
      const { server } = await testEnv();
      py = await startPythonWorker();
      t.taskQueue = py.taskQueue;
      t.connection = new Connection({ address: server.address });
      t.client = new TemporalClient(t.connection);
    });

    after(async function () {
      this.timeout(30_000);
      await py?.stop();
      t.connection?.close();
    });

    sameOnEveryWorker(t, { type: 'ApplicationError', message: 'add rejects -1', applicationType: 'ValueError' });
  });

  describe('a restart of the Temporal server between start and result', function () {
    let dir: string;
    let server: DevServer | undefined;
    let native: NativeConnection | undefined;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    let connection: Connection | undefined;

    before(async function () {
      this.timeout(120_000);
      await testEnv();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-handled-upd-restart-'));
    });

    after(async function () {
      this.timeout(60_000);
      connection?.close();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      await native?.close().catch(() => undefined);
      await server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the result wait spans the restart and returns the value; describe works after it', async function () {
      this.timeout(90_000);
      const { bundle } = await testEnv();
      const port = await freePort();
      const dbFilename = path.join(dir, 'temporal.sqlite');
      server = await DevServer.start({ port, dbFilename });
      // A retry budget of two quick attempts: only result()'s own outage handling can bridge the gap.
      connection = new Connection({ address: server.address, retry: { maxAttempts: 2, initialIntervalMs: 50 } });
      const client = new TemporalClient(connection);
      native = await NativeConnection.connect({ address: server.address });
      const taskQueue = uniqueId('tq-upd-restart');
      worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, shutdownGraceTime: '1s' });
      running = worker.run();

      const h = await client.startWorkflow({ workflowType: 'updatable', taskQueue, workflowId: uniqueId() });
      const u = await startUpdate(client, h, 'delayed', { args: [4000, 'survived the restart'], waitForStage: 'ACCEPTED' });
      const pending = u.result();
      await sleep(300);
      await server.stop();
      const e = await u.describe().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(RPCError);
      expect((e as RPCError).status).to.equal('UNAVAILABLE');
      await sleep(1500);
      server = await DevServer.start({ port, dbFilename });
      expect(await pending).to.equal('survived the restart');
      expect(await u.describe()).to.deep.equal({ updateId: u.updateId, stage: 'COMPLETED', outcome: { value: 'survived the restart' } });
    });
  });
});
