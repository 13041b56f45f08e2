/**
 * The TypeScript client's updates against the real daemon, dev server and a TS worker.
 */
import { expect } from 'chai';
import { TemporalHandledClient, WorkflowAlreadyStartedError, WorkflowUpdateFailedError, ApplicationError, RPCError } from 'temporal-handled-client';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../../harness/env';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('TypeScript client: updates', function () {
  this.timeout(60_000);
  let client: TemporalHandledClient;
  let worker: RunningWorker;
  before(async function () {
    this.timeout(120_000);
    const { server } = await testEnv();
    worker = await startWorker();
    client = await TemporalHandledClient.spawn({ address: server.address, clientName: 'ts-updates-test' });
  });
  after(async () => {
    await client?.close();
    await worker?.stop();
  });

  const start = (initial = 0) => client.startWorkflow({ workflowType: 'updatable', taskQueue: worker.taskQueue, workflowId: uniqueId('tsu'), args: [initial] });

  it('executeUpdate, startUpdate (ACCEPTED, then result and describe), getUpdateHandle', async () => {
    const h = await start(1);
    expect(await h.executeUpdate<number>('add', { args: [2] })).to.equal(3);
    const u = await h.startUpdate<string>('waitForRelease', { args: ['x'], waitForStage: 'ACCEPTED', updateId: 'ts-u1' });
    expect(u.updateId).to.equal('ts-u1');
    expect((await u.describe()).stage).to.equal('ACCEPTED');
    await h.signal('release');
    expect(await u.result()).to.equal('x');
    const again = await h.getUpdateHandle<string>('ts-u1');
    expect(await again.result()).to.equal('x');
    await again.release();
    await h.terminate();
  });

  it('a rejected update is WorkflowUpdateFailedError with the failure as cause; an unknown workflow is RPCError NOT_FOUND', async () => {
    const h = await start();
    const e = await rejection(h.executeUpdate('fail', { args: ['bad'] }));
    expect(e).to.be.instanceOf(WorkflowUpdateFailedError);
    expect((e as WorkflowUpdateFailedError).cause).to.be.instanceOf(ApplicationError);
    expect((e as WorkflowUpdateFailedError).failure).to.deep.include({ type: 'ApplicationError', applicationType: 'UpdateBoom' });
    await h.terminate();
    const nf = await rejection(client.getWorkflowHandle(uniqueId('none')).executeUpdate('add', { args: [1] }));
    expect(nf).to.be.instanceOf(RPCError);
    expect((nf as RPCError).status).to.equal('NOT_FOUND');
  });

  it('executeUpdateWithStart and startUpdateWithStart; FAIL on a running workflow is WorkflowAlreadyStartedError', async () => {
    const op = { workflowType: 'updatable', taskQueue: worker.taskQueue, workflowId: uniqueId('tsuws'), args: [10], idConflictPolicy: 'USE_EXISTING' as const };
    const r = await client.executeUpdateWithStart<number>('add', { args: [1], startWorkflowOperation: op });
    expect(r.value).to.equal(11);
    const s = await client.startUpdateWithStart<number>('add', { args: [1], waitForStage: 'COMPLETED', startWorkflowOperation: op });
    expect(s.workflow.resultRunId).to.equal(r.workflow.resultRunId);
    expect(await s.update.result()).to.equal(12);
    const e = await rejection(client.executeUpdateWithStart('add', { args: [1], startWorkflowOperation: { ...op, idConflictPolicy: 'FAIL' } }));
    expect(e).to.be.instanceOf(WorkflowAlreadyStartedError);
    await r.workflow.terminate();
  });
});
