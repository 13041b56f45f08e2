/**
 * proto-values.ts: a decoded message as the protocol shows it (describe's details), on
 * messages built here, for what a live server rarely shows (an int64 past 2^53, an enum number
 * this build does not know, a negative duration, a oneof) and the typed search attributes.
 */
import { expect } from 'chai';
import Long from 'long';
import { protoValue } from '../../src/temporal/proto-values';
import { decodeTypedSearchAttributes, encodeTypedSearchAttributes } from '../../src/temporal/search-attributes';
import { messageType } from '../../src/temporal/proto';

const W = 'temporal.api.workflow.v1.';
const json = (v: unknown) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(v)) });

describe('proto-values (unit)', () => {
  it('names every field of the message, with defaults, and flattens ActivityType to its name', () => {
    const v = protoValue(`${W}PendingActivityInfo`, { activityId: 'a1', activityType: { name: 'charge' }, attempt: 3 }) as Record<string, unknown>;
    const names = messageType(`${W}PendingActivityInfo`)
      .fieldsArray.filter((f) => !f.partOf)
      .map((f) => f.name);
    for (const n of names) expect(v, n).to.have.property(n);
    expect(v).to.include({ activityId: 'a1', activityType: 'charge', attempt: 3, state: null, lastFailure: null, paused: false, lastWorkerIdentity: '' });
    expect(v.heartbeatDetails).to.deep.equal([]);
  });

  it('int64 as a number while a double holds it, else as its decimal text', () => {
    expect((protoValue(`${W}PendingChildExecutionInfo`, { initiatedId: Long.fromNumber(12) }) as Record<string, unknown>).initiatedId).to.equal(12);
    expect((protoValue(`${W}PendingChildExecutionInfo`, { initiatedId: Long.fromString('9007199254740993') }) as Record<string, unknown>).initiatedId).to.equal('9007199254740993');
  });

  it('enums by name without their prefix; an unknown number as its text', () => {
    expect((protoValue(`${W}PendingActivityInfo`, { state: 2 }) as Record<string, unknown>).state).to.equal('STARTED');
    expect((protoValue(`${W}PendingChildExecutionInfo`, { parentClosePolicy: 3 }) as Record<string, unknown>).parentClosePolicy).to.equal('REQUEST_CANCEL');
    expect((protoValue(`${W}PendingActivityInfo`, { state: 99 }) as Record<string, unknown>).state).to.equal('99');
  });

  it('durations in protobuf JSON form, payloads as values, failures as Failures', () => {
    const v = protoValue(`${W}PendingActivityInfo`, {
      currentRetryInterval: { seconds: Long.fromNumber(1), nanos: 500_000_000 },
      heartbeatDetails: { payloads: [json({ step: 1 }), json('two')] },
      lastFailure: { message: 'boom', applicationFailureInfo: { type: 'Boom', details: { payloads: [json(5)] } } },
    }) as Record<string, any>;
    expect(v.currentRetryInterval).to.equal('1.500s');
    expect(v.heartbeatDetails).to.deep.equal([{ step: 1 }, 'two']);
    expect(v.lastFailure).to.include({ type: 'ApplicationError', message: 'boom', applicationType: 'Boom' });
    expect(v.lastFailure.details).to.deep.equal([5]);
    const neg = protoValue('temporal.api.workflow.v1.PendingNexusOperationInfo', { scheduleToCloseTimeout: { seconds: Long.fromNumber(0), nanos: -250_000_000 } }) as Record<string, unknown>;
    expect(neg.scheduleToCloseTimeout).to.equal('-0.250s');
  });

  it('of a oneof, only the member that is set', () => {
    const v = protoValue(`${W}PendingActivityInfo`, { lastIndependentlyAssignedBuildId: 'b-1' }) as Record<string, unknown>;
    expect(v.lastIndependentlyAssignedBuildId).to.equal('b-1');
    expect(v).to.not.have.property('useWorkflowBuildId');
  });
});

describe('typed search attributes (unit)', () => {
  it('encode writes the type metadata the SDKs read; decode reads it back, dropping what does not fit', () => {
    const fields = encodeTypedSearchAttributes(
      [
        { key: 'K', type: 'KEYWORD', value: 'x' },
        { key: 'L', type: 'KEYWORD_LIST', value: ['a'] },
      ],
      undefined,
    )!;
    expect(Buffer.from(fields.K!.metadata!.type!).toString()).to.equal('Keyword');
    expect(Buffer.from(fields.L!.metadata!.type!).toString()).to.equal('KeywordList');
    const read = decodeTypedSearchAttributes({
      ...fields,
      // As visibility may answer: a one-item list for a single-valued type, the long type name.
      I: { metadata: { ...json(0).metadata, type: Buffer.from('INDEXED_VALUE_TYPE_INT') }, data: Buffer.from('[5]') },
      Bad: { metadata: { ...json(0).metadata, type: Buffer.from('Bool') }, data: Buffer.from('"yes"') },
      Untyped: json('u'),
    });
    expect(read).to.deep.equal([
      { key: 'K', type: 'KEYWORD', value: 'x' },
      { key: 'L', type: 'KEYWORD_LIST', value: ['a'] },
      { key: 'I', type: 'INT', value: 5 },
    ]);
  });
});
