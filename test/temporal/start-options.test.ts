/**
 * Every startWorkflow option of the protocol, checked through what the server recorded
 * and how the workflow behaves; and bad option values.
 */
import { expect } from 'chai';
import { uniqueId } from '../harness/env';
import { RPCError, WorkflowAlreadyStartedError, WorkflowFailureError } from '../../src/temporal/errors';
import { protoDurationToMs } from '../../src/temporal/durations';
import type { StartWorkflowOptions } from '../../src/temporal/start-options';
import { validateParams } from '../../src/protocol/validate-params';
import { InvalidArgumentError } from '../../src/temporal/invalid-argument';
import { ResponseError } from 'vscode-jsonrpc/node';
import type { RunStep } from '../../src/temporal/workflow-handle';
import { RFC3339, historyEvents, rejectsWith, useTemporal } from './helpers';

describe('startWorkflow options', function () {
  this.timeout(30_000);
  const t = useTemporal();
  const opts = (workflowType: string, extra: Partial<StartWorkflowOptions> = {}): StartWorkflowOptions => ({
    workflowType,
    taskQueue: t.taskQueue,
    workflowId: uniqueId(),
    ...extra,
  });
  const start = (workflowType: string, extra: Partial<StartWorkflowOptions> = {}) => t.client.startWorkflow(opts(workflowType, extra));
  const startedEvent = async (workflowId: string, runId?: string | null) => (await historyEvents(t.client, workflowId, runId))[0]!.workflowExecutionStartedEventAttributes!;

  describe('timeouts', function () {
    it('executionTimeout, runTimeout and taskTimeout reach the server', async () => {
      const h = await start('forever', { executionTimeout: '1h', runTimeout: '30m', taskTimeout: 15_000 });
      const raw = await t.client.service.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: h.workflowId } });
      const cfg = raw.executionConfig!;
      expect(protoDurationToMs(cfg.workflowExecutionTimeout)).to.equal(3_600_000);
      expect(protoDurationToMs(cfg.workflowRunTimeout)).to.equal(1_800_000);
      expect(protoDurationToMs(cfg.defaultWorkflowTaskTimeout)).to.equal(15_000);
      await h.terminate();
    });

    it('defaults: no execution or run timeout, the server default task timeout (10 s)', async () => {
      const h = await start('forever');
      const ev = await startedEvent(h.workflowId);
      expect(protoDurationToMs(ev.workflowExecutionTimeout) ?? 0).to.equal(0);
      expect(protoDurationToMs(ev.workflowRunTimeout) ?? 0).to.equal(0);
      expect(protoDurationToMs(ev.workflowTaskTimeout)).to.equal(10_000);
      await h.terminate();
    });

    it('runTimeout ends a run with TIMED_OUT', async () => {
      const h = await start('sleepy', { runTimeout: '1.5s' });
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.cause).to.deep.include({ type: 'TimeoutError', timeoutType: 'START_TO_CLOSE' });
      expect(err.closeStatus).to.equal('TIMED_OUT');
      expect((await h.describe()).status).to.equal('TIMED_OUT');
    });
  });

  describe('idReusePolicy', function () {
    it('ALLOW_DUPLICATE (the default) starts a new run after a closed one', async () => {
      const first = await start('echo', { args: [1] });
      await first.result();
      const second = await start('echo', { workflowId: first.workflowId, args: [2] });
      expect(second.resultRunId).to.not.equal(first.resultRunId);
      expect((await second.result()).value).to.equal(2);
      const third = await start('echo', { workflowId: first.workflowId, args: [3], idReusePolicy: 'ALLOW_DUPLICATE' });
      expect((await third.result()).value).to.equal(3);
    });

    it('REJECT_DUPLICATE refuses any earlier run with WorkflowAlreadyStartedError', async () => {
      const first = await start('echo', { args: [1] });
      await first.result();
      const err = await rejectsWith(start('echo', { workflowId: first.workflowId, idReusePolicy: 'REJECT_DUPLICATE' }), WorkflowAlreadyStartedError);
      expect(err.workflowId).to.equal(first.workflowId);
      expect(err.workflowType).to.equal('echo');
      expect(err.runId).to.equal(first.resultRunId);
    });

    it('ALLOW_DUPLICATE_FAILED_ONLY refuses after a success and allows after a termination', async () => {
      const ok = await start('echo', { args: [1] });
      await ok.result();
      await rejectsWith(start('echo', { workflowId: ok.workflowId, idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }), WorkflowAlreadyStartedError);
      const bad = await start('forever');
      await bad.terminate();
      const again = await start('echo', { workflowId: bad.workflowId, idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY', args: ['again'] });
      expect((await again.result()).value).to.equal('again');
    });

    it('TERMINATE_IF_RUNNING terminates the running run and starts a new one', async () => {
      const first = await start('forever');
      const second = await start('echo', { workflowId: first.workflowId, idReusePolicy: 'TERMINATE_IF_RUNNING', args: ['second'] });
      expect(second.resultRunId).to.not.equal(first.resultRunId);
      const err = await rejectsWith(first.result(), WorkflowFailureError);
      expect(err.cause.type).to.equal('TerminatedError');
      expect((await second.result()).value).to.equal('second');
    });
  });

  describe('idConflictPolicy', function () {
    it('unset and FAIL reject a start while a run is open', async () => {
      const h = await start('forever');
      for (const idConflictPolicy of [undefined, 'FAIL', 'UNSPECIFIED'] as const) {
        const err = await rejectsWith(start('forever', { workflowId: h.workflowId, idConflictPolicy }), WorkflowAlreadyStartedError);
        expect(err.runId, String(idConflictPolicy)).to.equal(h.resultRunId);
      }
      await h.terminate();
    });

    it('USE_EXISTING returns a handle on the running run; no new run is made', async () => {
      const h = await start('signals');
      const again = await start('signals', { workflowId: h.workflowId, idConflictPolicy: 'USE_EXISTING' });
      expect(again.resultRunId).to.equal(h.resultRunId);
      expect(again.firstExecutionRunId).to.equal(h.resultRunId);
      await again.signal('add', ['through the second handle']);
      await h.signal('finish');
      expect((await again.result()).value).to.deep.equal(['through the second handle']);
    });

    it('TERMINATE_EXISTING terminates the running run and starts a new one', async () => {
      const h = await start('forever');
      const again = await start('echo', { workflowId: h.workflowId, idConflictPolicy: 'TERMINATE_EXISTING', args: ['new'] });
      expect(again.resultRunId).to.not.equal(h.resultRunId);
      expect((await rejectsWith(h.result(), WorkflowFailureError)).cause.type).to.equal('TerminatedError');
      expect((await again.result()).value).to.equal('new');
    });
  });

  describe('retryPolicy', function () {
    it('reaches the server with its fields and the defaults', async () => {
      const h = await start('forever', { retryPolicy: { initialInterval: '250ms', backoffCoefficient: 3, maximumInterval: '1m', maximumAttempts: 7, nonRetryableErrorTypes: ['Fatal', 'Other'] } });
      const rp = (await startedEvent(h.workflowId)).retryPolicy!;
      expect(protoDurationToMs(rp.initialInterval)).to.equal(250);
      expect(rp.backoffCoefficient).to.equal(3);
      expect(protoDurationToMs(rp.maximumInterval)).to.equal(60_000);
      expect(rp.maximumAttempts).to.equal(7);
      expect(rp.nonRetryableErrorTypes).to.deep.equal(['Fatal', 'Other']);
      await h.terminate();

      const d = await start('forever', { retryPolicy: {} });
      const drp = (await startedEvent(d.workflowId)).retryPolicy!;
      expect(protoDurationToMs(drp.initialInterval)).to.equal(1000);
      expect(drp.backoffCoefficient).to.equal(2);
      expect(protoDurationToMs(drp.maximumInterval)).to.equal(100_000); // the server's 100 × initial
      expect(drp.maximumAttempts).to.equal(0);
      await d.terminate();
    });

    it('does not retry a non-retryable error type, nor a non-retryable failure', async () => {
      const [byType, byFlag] = await Promise.all([
        start('fail', { args: ['Fatal', false], retryPolicy: { initialInterval: '100ms', maximumAttempts: 5, nonRetryableErrorTypes: ['Fatal'] } }),
        start('fail', { args: ['Flagged', true], retryPolicy: { initialInterval: '100ms', maximumAttempts: 5 } }),
      ]);
      for (const h of [byType, byFlag]) {
        const steps: RunStep[] = [];
        const err = await rejectsWith(h.result({ onStep: (s) => steps.push(s) }), WorkflowFailureError);
        expect(steps).to.deep.equal([]);
        expect(err.retryState).to.equal('NON_RETRYABLE_FAILURE');
        expect(err.runId).to.equal(h.resultRunId);
      }
    });
  });

  describe('cronSchedule', function () {
    it('reaches the workflow and delays the first run to the schedule', async () => {
      const h = await start('cronRun', { cronSchedule: '@every 1h' });
      const d = await h.describe();
      expect(Date.parse(d.executionTime!) - Date.parse(d.startTime!))
        .to.be.above(0)
        .and.at.most(3_600_000);
      expect((await startedEvent(h.workflowId)).cronSchedule).to.equal('@every 1h');
      await h.terminate();
    });

    it('a malformed schedule is refused by the server with INVALID_ARGUMENT', async () => {
      const err = await rejectsWith(start('cronRun', { cronSchedule: 'not a schedule' }), RPCError);
      expect(err.status).to.equal('INVALID_ARGUMENT');
    });
  });

  it('memo values of every JSON kind come back decoded (null ones are dropped by the server)', async () => {
    const memo = { s: 'text ✓', n: 12.5, b: false, list: [1, [2]], obj: { deep: { er: 'x' } }, bin: { $bytes: 'AAEC' } };
    const h = await start('echo', { memo: { ...memo, nil: null }, args: [1] });
    await h.result();
    // Server behaviour: a null memo value means "no entry" and is dropped.
    expect((await h.describe()).memo).to.deep.equal(memo);
  });

  describe('searchAttributes', function () {
    it('values of every attribute type come back decoded from describe', async () => {
      const sa = {
        CustomKeywordField: 'keyword-1',
        CustomTextField: 'some free text',
        CustomIntField: -17,
        CustomDoubleField: 2.75,
        CustomBoolField: true,
        CustomDatetimeField: '2024-05-06T07:08:09Z',
        CustomKeywordListField: ['k1', 'k2'],
      };
      const h = await start('forever', { searchAttributes: sa });
      const d = await h.describe();
      expect(d.searchAttributes).to.deep.include(sa);
      await h.terminate();
    });

    it('the server refuses an unknown attribute and a value of the wrong type (INVALID_ARGUMENT)', async () => {
      const unknown = await rejectsWith(start('forever', { searchAttributes: { NoSuchAttribute: 'x' } }), RPCError);
      expect(unknown.status).to.equal('INVALID_ARGUMENT');
      expect(unknown.message).to.contain('NoSuchAttribute');
      const wrong = await rejectsWith(start('forever', { searchAttributes: { CustomIntField: 'not a number' } }), RPCError);
      expect(wrong.status).to.equal('INVALID_ARGUMENT');
      expect(wrong.message).to.contain('CustomIntField');
    });
  });

  it('startDelay: the run executes after the delay; describe shows executionTime after startTime', async () => {
    const h = await start('echo', { startDelay: '2s', args: ['delayed start'] });
    const t0 = Date.now();
    const d = await h.describe();
    expect(d.status).to.equal('RUNNING');
    expect(d.startTime).to.match(RFC3339);
    expect(d.executionTime).to.match(RFC3339);
    expect(Date.parse(d.executionTime!) - Date.parse(d.startTime!)).to.be.within(1900, 2100);
    expect(d.historyLength).to.equal(1); // not even a workflow task yet
    expect((await h.result()).value).to.equal('delayed start');
    expect(Date.now() - t0).to.be.at.least(1500);
  });

  describe('startSignal', function () {
    it('signal-with-start delivers the start signal with its args to the new run', async () => {
      const h = await start('signals', { startSignal: 'add', startSignalArgs: [{ first: true }] });
      expect(await h.query('state')).to.deep.include({ values: [{ first: true }], runId: h.resultRunId });
      // again on the running workflow: only the signal is delivered, to the same run
      const again = await start('signals', { workflowId: h.workflowId, startSignal: 'add', startSignalArgs: ['second'] });
      expect(again.resultRunId).to.equal(h.resultRunId);
      expect(again.firstExecutionRunId).to.equal(null);
      await h.signal('finish');
      expect((await h.result()).value).to.deep.equal([{ first: true }, 'second']);
    });

    it('passes several start signal args, and the workflow args too', async () => {
      const h = await start('recorder', { startSignal: 'multi', startSignalArgs: [1, 'two', { three: [3] }], args: [] });
      expect(await h.query('received')).to.deep.equal([{ name: 'multi', args: [1, 'two', { three: [3] }] }]);
      const n = await start('recorder', { startSignal: 'bare' });
      expect(await n.query('received')).to.deep.equal([{ name: 'bare', args: [] }]);
      await h.terminate();
      await n.terminate();
    });
  });

  it('staticSummary and staticDetails are shown by describe', async () => {
    const h = await start('echo', { staticSummary: 'Summary ✓', staticDetails: '# Details\n- one\n- two', args: [1] });
    await h.result();
    const d = await h.describe();
    expect(d.staticSummary).to.equal('Summary ✓');
    expect(d.staticDetails).to.equal('# Details\n- one\n- two');
    const onlyDetails = await start('echo', { staticDetails: 'just details', args: [1] });
    const d2 = await onlyDetails.describe();
    expect(d2.staticSummary).to.equal(null);
    expect(d2.staticDetails).to.equal('just details');
  });

  it('workflow args: several of them, of any kind', async () => {
    const h = await start('echoArgs', { args: ['a', 1, null, { b: [true] }] });
    expect((await h.result()).value).to.deep.equal(['a', 1, null, { b: [true] }]);
  });

  it('namespace: explicit default works; an unknown namespace is NOT_FOUND', async () => {
    const h = await start('echo', { namespace: 'default', args: [1] });
    expect(h.namespace).to.equal('default');
    expect((await h.result()).value).to.equal(1);
    const err = await rejectsWith(start('echo', { namespace: 'no-such-namespace' }), RPCError);
    expect(err.status).to.equal('NOT_FOUND');
  });

  describe('bad option values', function () {
    const cases: [string, Partial<StartWorkflowOptions> | Record<string, unknown>, RegExp][] = [
      ['workflowId empty', { workflowId: '' }, /workflowId/],
      ['workflowId not a string', { workflowId: 5 }, /workflowId/],
      ['workflowType missing', { workflowType: undefined }, /workflowType/],
      ['taskQueue empty', { taskQueue: '' }, /taskQueue/],
      ['namespace not a string', { namespace: 7 }, /namespace/],
      ['args not an array', { args: 'x' }, /args/],
      ['args with bad $bytes', { args: [1, { $bytes: '***' }] }, /args\[1\]\.\$bytes/],
      ['executionTimeout', { executionTimeout: 'soon' }, /executionTimeout/],
      ['runTimeout negative', { runTimeout: -5 }, /runTimeout/],
      ['taskTimeout object', { taskTimeout: {} }, /taskTimeout/],
      ['startDelay in days', { startDelay: '1d' }, /startDelay/],
      ['idReusePolicy', { idReusePolicy: 'SOMETIMES' }, /"idReusePolicy" must be one of ALLOW_DUPLICATE/],
      ['idReusePolicy lower case', { idReusePolicy: 'allow_duplicate' }, /idReusePolicy/],
      ['idConflictPolicy', { idConflictPolicy: 2 }, /"idConflictPolicy" must be one of/],
      ['retryPolicy not an object', { retryPolicy: 'often' }, /"retryPolicy" must be an object/],
      ['retryPolicy.initialInterval', { retryPolicy: { initialInterval: 'zz' } }, /retryPolicy\.initialInterval/],
      ['retryPolicy.backoffCoefficient', { retryPolicy: { backoffCoefficient: 0.5 } }, /retryPolicy\.backoffCoefficient/],
      ['retryPolicy.maximumAttempts negative', { retryPolicy: { maximumAttempts: -1 } }, /retryPolicy\.maximumAttempts/],
      ['retryPolicy.maximumAttempts fractional', { retryPolicy: { maximumAttempts: 1.5 } }, /retryPolicy\.maximumAttempts/],
      ['retryPolicy.maximumInterval below initial', { retryPolicy: { initialInterval: '10s', maximumInterval: '1s' } }, /retryPolicy\.maximumInterval/],
      ['retryPolicy.nonRetryableErrorTypes', { retryPolicy: { nonRetryableErrorTypes: [1] } }, /retryPolicy\.nonRetryableErrorTypes/],
      ['retryPolicy unknown field', { retryPolicy: { maxAttempts: 3 } }, /"retryPolicy" has an unknown field "maxAttempts"/],
      ['cronSchedule not a string', { cronSchedule: 5 }, /cronSchedule/],
      ['memo not an object', { memo: ['x'] }, /"memo" must be an object/],
      ['memo value not JSON', { memo: { k: undefined } }, /memo\.k is not a JSON value/],
      ['searchAttributes not an object', { searchAttributes: 'x' }, /"searchAttributes" must be an object/],
      ['startSignal empty', { startSignal: '' }, /startSignal/],
      ['startSignalArgs not an array', { startSignal: 'add', startSignalArgs: 'x' }, /startSignalArgs/],
      ['startSignalArgs with bad $bytes', { startSignal: 'add', startSignalArgs: [{ $bytes: '!' }] }, /startSignalArgs\[0\]\.\$bytes/],
      ['staticSummary not a string', { staticSummary: 5 }, /staticSummary/],
      ['staticDetails not a string', { staticDetails: { md: 'x' } }, /staticDetails/],
    ];
    // Shapes are refused where params enter the daemon (the contract's schema: InvalidParams);
    // what a schema cannot say (durations, intervals, base64) by the Temporal layer (InvalidArgumentError).
    const refusal = async (o: StartWorkflowOptions): Promise<Error> => {
      try {
        validateParams('workflow/start', o);
      } catch (err) {
        expect(err).to.be.instanceOf(ResponseError);
        return err as Error;
      }
      return rejectsWith(t.client.startWorkflow(o), InvalidArgumentError);
    };
    for (const [name, bad, re] of cases) {
      it(`${name} -> an error naming the option, and nothing is started`, async () => {
        const o = { ...opts('echo'), ...bad } as StartWorkflowOptions;
        const err = await refusal(o);
        expect(err).to.not.be.instanceOf(RPCError);
        expect(err.message).to.match(re);
        if (typeof o.workflowId === 'string' && o.workflowId) {
          expect((await rejectsWith(t.client.getWorkflowHandle(o.workflowId).describe(), RPCError)).status).to.equal('NOT_FOUND');
        }
      });
    }
  });
});
