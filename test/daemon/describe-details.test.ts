/**
 * handle/describe's details (PROTOCOL.md "Visibility and introspection"), end to end against
 * the real dev server and a TS worker: a failing, retrying, heartbeating activity (heartbeat
 * details and last failure decoded), a pending child, a pending workflow task, priority, and
 * `raw: true` with the whole response in protobuf JSON.
 */
import { expect } from 'chai';
import { startDaemon, connectClient, initialized, type StartedDaemon } from '../harness/daemon';
import type { RawRpcClient } from '../harness/rpc-client';
import { startWorker, uniqueId, type RunningWorker } from '../harness/env';

type Msg = Record<string, any>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('handle/describe details through the daemon', function () {
  this.timeout(60_000);
  let s: StartedDaemon;
  let c: RawRpcClient;
  let worker: RunningWorker;
  const started: string[] = [];

  before(async function () {
    this.timeout(120_000);
    worker = await startWorker();
    s = await startDaemon({ socket: true });
    c = await connectClient(s.socketPath!);
    await initialized(c);
  });
  after(async () => {
    for (const handle of started) await c.request('handle/terminate', { handle }).catch(() => undefined);
    c?.destroy();
    await s?.stop();
    await worker?.stop();
  });

  async function start(params: Msg): Promise<Msg> {
    const h = await c.request<Msg>('workflow/start', { taskQueue: worker.taskQueue, workflowId: uniqueId('det'), ...params });
    started.push(h.handle);
    return h;
  }

  async function describeUntil(handle: string, ok: (d: Msg) => boolean, extra: Msg = {}): Promise<Msg> {
    for (let i = 0; ; i++) {
      const d = await c.request<Msg>('handle/describe', { handle, ...extra });
      if (ok(d) || i >= 100) return d;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('a failing, retrying, heartbeating activity: state, attempts, times, heartbeat details and last failure decoded', async () => {
    const h = await start({ workflowType: 'withFailingActivity', args: [{ order: 7, big: '9007199254740993' }] });
    const d = await describeUntil(h.handle, (x) => x.pendingActivities[0]?.attempt >= 2 && x.pendingActivities[0]?.lastFailure !== null);
    expect(d.pendingActivityCount).to.equal(1);
    const a = d.pendingActivities[0];
    expect(a.activityId).to.be.a('string').and.not.equal('');
    expect(a.activityType).to.equal('heartbeatThenFail');
    expect(a.state).to.be.oneOf(['SCHEDULED', 'STARTED']);
    expect(a.attempt).to.be.at.least(2);
    expect(a.maximumAttempts).to.equal(100);
    expect(a.scheduledTime).to.match(RFC3339);
    // Between attempts (SCHEDULED) the server clears the start time and names the next attempt's.
    if (a.state === 'STARTED') expect(a.lastStartedTime).to.match(RFC3339);
    else expect(a.nextAttemptScheduleTime).to.match(RFC3339);
    expect(a.lastAttemptCompleteTime).to.match(RFC3339);
    expect(a.lastHeartbeatTime).to.match(RFC3339);
    // Heartbeat details come back as the values the activity sent.
    expect(a.heartbeatDetails).to.deep.equal([{ detail: { order: 7, big: '9007199254740993' }, at: 'before-failure' }]);
    expect(a.lastFailure).to.include({ type: 'ApplicationError', message: 'activity boom', applicationType: 'ActivityBoom' });
    expect(a.lastFailure.details).to.deep.equal([{ order: 7, big: '9007199254740993' }]);
    expect(a.lastWorkerIdentity).to.be.a('string').and.not.equal('');
    expect(a.currentRetryInterval).to.match(/^1(\.\d+)?s$/);
    expect(a.paused).to.equal(false);
    expect(a.pauseInfo).to.equal(null);
    // The activity's options as the server holds them (a field this project names nowhere).
    expect(a.activityOptions?.retryPolicy?.maximumAttempts).to.equal(100);
    expect(a.activityOptions?.heartbeatTimeout).to.equal('10s');
  });

  it('a pending child workflow', async () => {
    const childId = uniqueId('det-child');
    const h = await start({ workflowType: 'parent', args: [childId, 'forever'] });
    const d = await describeUntil(h.handle, (x) => x.pendingChildren.length === 1 && x.pendingChildren[0].runId !== '');
    expect(d.pendingChildrenCount).to.equal(1);
    expect(d.pendingChildren[0]).to.include({ workflowId: childId, workflowTypeName: 'forever', parentClosePolicy: 'TERMINATE' });
    expect(d.pendingChildren[0].initiatedId).to.be.a('number').and.above(0);
    const child = await c.request<Msg>('workflow/getHandle', { workflowId: childId });
    started.push(child.handle);
    const cd = await c.request<Msg>('handle/describe', { handle: child.handle });
    expect(cd.parentWorkflowId).to.equal(h.workflowId);
    expect(cd.runId).to.equal(d.pendingChildren[0].runId);
  });

  it('a pending workflow task no worker has taken, then none once a worker has run it', async () => {
    const h = await c.request<Msg>('workflow/start', { workflowType: 'forever', taskQueue: uniqueId('no-worker'), workflowId: uniqueId('det-wft') });
    started.push(h.handle);
    const d = await c.request<Msg>('handle/describe', { handle: h.handle });
    expect(d.pendingWorkflowTask).to.include({ state: 'SCHEDULED', attempt: 1, startedTime: null });
    expect(d.pendingWorkflowTask.scheduledTime).to.match(RFC3339);
    const ran = await start({ workflowType: 'forever' });
    const after = await describeUntil(ran.handle, (x) => x.pendingWorkflowTask === null && x.historyLength >= 4);
    expect(after.pendingWorkflowTask).to.equal(null);
    expect(after.pendingActivities).to.deep.equal([]);
    expect(after.pendingChildren).to.deep.equal([]);
    expect(after.pendingNexusOperations).to.deep.equal([]);
    expect(after.callbacks).to.deep.equal([]);
  });

  it('raw: true adds the whole response in protobuf JSON, payloads untouched; without it there is no raw', async () => {
    const h = await start({ workflowType: 'forever', memo: { note: 'hello' } });
    const plain = await c.request<Msg>('handle/describe', { handle: h.handle });
    expect(plain).to.not.have.property('raw');
    const d = await c.request<Msg>('handle/describe', { handle: h.handle, raw: true });
    expect(d.raw.workflowExecutionInfo.execution.workflowId).to.equal(h.workflowId);
    expect(d.raw.workflowExecutionInfo.status).to.equal('WORKFLOW_EXECUTION_STATUS_RUNNING');
    const memo = d.raw.workflowExecutionInfo.memo.fields.note;
    expect(Buffer.from(memo.data, 'base64').toString()).to.equal('"hello"');
    expect(Buffer.from(memo.metadata.encoding, 'base64').toString()).to.equal('json/plain');
    expect(d.raw.executionConfig.taskQueue.name).to.equal(worker.taskQueue);
    expect(d.memo).to.deep.equal({ note: 'hello' });
  });

  it('refuses a raw that is not a boolean, naming it', async () => {
    const h = await start({ workflowType: 'forever' });
    const err = (await c.request('handle/describe', { handle: h.handle, raw: 'yes' }).catch((e) => e)) as Msg;
    expect(err.code).to.equal(-32602);
    expect(err.message).to.contain('raw');
  });
});
