/**
 * The failure converter on hand-made Failure protos (the kinds a TypeScript worker does not
 * produce in these tests), complementing errors.test.ts, which uses real failures.
 */
import { expect } from 'chai';
import Long from 'long';
import { decodeFailure } from '../../src/temporal/failure-converter';
import { toPayload, toPayloads } from '../../src/temporal/payload-converter';
import type { IFailure } from '../../src/temporal/proto';

describe('failure converter', function () {
  it('restores message and stack trace from encoded attributes', () => {
    const f: IFailure = {
      message: 'Encoded failure',
      stackTrace: '',
      encodedAttributes: toPayload({ message: 'the real message', stack_trace: 'at somewhere' }),
      applicationFailureInfo: { type: 'Secret', nonRetryable: false },
    };
    expect(decodeFailure(f)).to.deep.include({ type: 'ApplicationError', message: 'the real message', stackTrace: 'at somewhere', applicationType: 'Secret' });
  });

  it('maps every failure_info to its Python SDK name, with fallbacks for empty messages', () => {
    expect(decodeFailure({ applicationFailureInfo: {} })).to.deep.include({ type: 'ApplicationError', message: 'Application error', applicationType: null, nonRetryable: false, details: [] });
    expect(decodeFailure({ applicationFailureInfo: { nextRetryDelay: { seconds: Long.fromNumber(2), nanos: 0 }, category: 1 } })).to.deep.include({ nextRetryDelayMs: 2000, category: 'BENIGN' });
    expect(decodeFailure({ timeoutFailureInfo: { timeoutType: 3, lastHeartbeatDetails: toPayloads(['hb']) } })).to.deep.include({
      type: 'TimeoutError',
      message: 'Timeout',
      timeoutType: 'SCHEDULE_TO_CLOSE',
      lastHeartbeatDetails: ['hb'],
    });
    expect(decodeFailure({ canceledFailureInfo: { details: toPayloads([1]) } })).to.deep.include({ type: 'CancelledError', message: 'Cancelled', details: [1] });
    expect(decodeFailure({ terminatedFailureInfo: {} })).to.deep.include({ type: 'TerminatedError', message: 'Terminated' });
    expect(decodeFailure({ message: 'srv', serverFailureInfo: { nonRetryable: true } })).to.deep.include({ type: 'ServerError', message: 'srv', nonRetryable: true });
    expect(
      decodeFailure({
        activityFailureInfo: { activityType: { name: 'act' }, activityId: '7', identity: 'w', scheduledEventId: Long.fromNumber(5), startedEventId: Long.fromNumber(6), retryState: 4 },
      }),
    ).to.deep.include({
      type: 'ActivityError',
      message: 'Activity error',
      activityType: 'act',
      activityId: '7',
      identity: 'w',
      scheduledEventId: 5,
      startedEventId: 6,
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
    });
    expect(decodeFailure({ nexusOperationExecutionFailureInfo: { scheduledEventId: Long.fromNumber(9), endpoint: 'e', service: 's', operation: 'o', operationToken: 't' } })).to.deep.include({
      type: 'NexusOperationError',
      scheduledEventId: 9,
      endpoint: 'e',
      service: 's',
      operation: 'o',
      operationToken: 't',
    });
    expect(decodeFailure({ message: 'reset', resetWorkflowFailureInfo: { lastHeartbeatDetails: toPayloads(['x']) } })).to.deep.include({
      type: 'FailureError',
      message: 'reset',
      lastHeartbeatDetails: ['x'],
    });
    expect(decodeFailure({})).to.deep.include({ type: 'FailureError', message: 'Failure error' });
  });

  it('keeps source and stack trace, and omits them when empty', () => {
    const d = decodeFailure({ message: 'm', source: 'GoSDK', stackTrace: 'trace', applicationFailureInfo: { type: 'T' } });
    expect(d.source).to.equal('GoSDK');
    expect(d.stackTrace).to.equal('trace');
    const e = decodeFailure({ message: 'm', applicationFailureInfo: { type: 'T' } });
    expect(e).to.not.have.property('stackTrace');
    expect(e).to.not.have.property('source');
    expect(e).to.not.have.property('cause');
  });

  it('decodes the cause chain, and truncates a pathologically deep one', () => {
    let f: IFailure = { message: 'root', applicationFailureInfo: { type: 'Root' } };
    for (let i = 0; i < 3; i++) f = { message: `level ${i}`, applicationFailureInfo: { type: `L${i}` }, cause: f };
    const d = decodeFailure(f);
    expect(d.message).to.equal('level 2');
    expect(d.cause!.cause!.cause).to.deep.include({ message: 'root', applicationType: 'Root' });

    let deep: IFailure = { message: 'bottom' };
    for (let i = 0; i < 200; i++) deep = { message: `d${i}`, cause: deep };
    let cur = decodeFailure(deep);
    let depth = 0;
    while (cur.cause) {
      cur = cur.cause;
      depth++;
    }
    expect(depth).to.be.at.most(70);
    expect(cur.message).to.equal('cause chain truncated');
  });
});
