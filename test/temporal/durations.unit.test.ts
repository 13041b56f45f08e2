/**
 * Durations: the CLI's (Go's) syntax or milliseconds, and the protobuf conversions.
 */
import { expect } from 'chai';
import Long from 'long';
import { InvalidArgumentError } from '../../src/temporal/invalid-argument';
import { msToProto, optionalDuration, parseDuration, protoDurationToMs, timestampToIso } from '../../src/temporal/durations';

describe('durations', function () {
  it('parses the CLI syntax to milliseconds', () => {
    const cases: [string, number][] = [
      ['100ms', 100],
      ['1.5s', 1500],
      ['1h30m', 5_400_000],
      ['2h45m30.5s', 9_930_500],
      ['1m', 60_000],
      ['.5s', 500],
      ['1.s', 1000],
      ['0', 0],
      ['0s', 0],
      ['300us', 0.3],
      ['300µs', 0.3],
      ['1500000ns', 1.5],
      ['1h1ms', 3_600_001],
      [' 5s ', 5000],
    ];
    for (const [text, ms] of cases) expect(parseDuration(text), text).to.be.closeTo(ms, 1e-9);
  });

  it('takes non-negative numbers as milliseconds', () => {
    expect(parseDuration(0)).to.equal(0);
    expect(parseDuration(250)).to.equal(250);
    expect(parseDuration(1.5)).to.equal(1.5);
  });

  it('rejects anything else with an InvalidArgumentError naming the setting', () => {
    const bad: unknown[] = ['', '   ', 'abc', '10', '1d', '-1s', '1h 30m', '1.5.5s', 's', '5 s', '1e3ms', -1, NaN, Infinity, null, undefined, true, {}, ['1s']];
    for (const v of bad) {
      expect(() => parseDuration(v, 'executionTimeout'), JSON.stringify(v) ?? String(v)).to.throw(InvalidArgumentError, /executionTimeout/);
    }
    expect(() => parseDuration('1x')).to.throw(InvalidArgumentError, /^duration "1x" is not a duration/);
  });

  it('converts milliseconds to a protobuf Duration', () => {
    const p = msToProto(1500);
    expect(Long.isLong(p.seconds)).to.equal(true);
    expect(p.seconds.toNumber()).to.equal(1);
    expect(p.nanos).to.equal(500_000_000);
    expect(msToProto(0.3)).to.deep.include({ nanos: 300_000 });
    expect(msToProto(0.3).seconds.toNumber()).to.equal(0);
    expect(msToProto(5_400_000).seconds.toNumber()).to.equal(5400);
    expect(optionalDuration(undefined, 'x')).to.equal(undefined);
    expect(optionalDuration(null, 'x')).to.equal(undefined);
    expect(optionalDuration('2s', 'x')!.seconds.toNumber()).to.equal(2);
    expect(() => optionalDuration('2 days', 'startDelay')).to.throw(InvalidArgumentError, /startDelay/);
  });

  it('converts protobuf Timestamps to RFC 3339 and Durations to milliseconds', () => {
    expect(timestampToIso({ seconds: Long.fromNumber(1_700_000_000), nanos: 123_456_789 })).to.equal('2023-11-14T22:13:20.123456789Z');
    expect(timestampToIso({ seconds: 1_700_000_000, nanos: 123_456_000 })).to.equal('2023-11-14T22:13:20.123456Z');
    expect(timestampToIso({ seconds: 1_700_000_000, nanos: 120_000_000 })).to.equal('2023-11-14T22:13:20.120Z');
    expect(timestampToIso({ seconds: 1_700_000_000, nanos: 0 })).to.equal('2023-11-14T22:13:20.000Z');
    expect(timestampToIso({ seconds: 1_700_000_000, nanos: 7 })).to.equal('2023-11-14T22:13:20.000000007Z');
    // Before 1970 too (the seconds are negative, the nanos count forward).
    expect(timestampToIso({ seconds: -1, nanos: 500_000_000 })).to.equal('1969-12-31T23:59:59.500Z');
    expect(timestampToIso(null)).to.equal(null);
    expect(timestampToIso({ seconds: 0, nanos: 0 })).to.equal(null);
    expect(protoDurationToMs({ seconds: Long.fromNumber(3), nanos: 250_000_000 })).to.equal(3250);
    expect(protoDurationToMs(undefined)).to.equal(null);
  });
});
