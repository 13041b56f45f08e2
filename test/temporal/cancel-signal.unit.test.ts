/**
 * RequestSignal, the daemon's light cancellation signal: fires once, calls each listener once
 * in order, forgets removed ones; toAbortSignal bridges it to APIs that need an AbortSignal.
 */
import { expect } from 'chai';
import { RequestSignal, toAbortSignal } from '../../src/temporal/cancel-signal';
import { sleep } from '../../src/temporal/connection';
import { CallCancelledError } from '../../src/temporal/errors';

describe('RequestSignal', function () {
  it('calls its listeners once each, in order, on the first abort only', () => {
    const s = new RequestSignal();
    const calls: string[] = [];
    s.addEventListener('abort', () => calls.push('a'));
    s.addEventListener('abort', () => calls.push('b'));
    s.addEventListener('abort', () => calls.push('c'));
    expect(s.aborted).to.equal(false);
    s.abort();
    s.abort();
    expect(s.aborted).to.equal(true);
    expect(calls).to.deep.equal(['a', 'b', 'c']);
  });

  it('forgets a removed listener, the only one or one of several', () => {
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    const one = new RequestSignal();
    one.addEventListener('abort', a);
    one.removeEventListener('abort', a);
    one.abort();
    const two = new RequestSignal();
    two.addEventListener('abort', a);
    two.addEventListener('abort', b);
    two.removeEventListener('abort', a);
    two.removeEventListener('abort', () => undefined);
    two.abort();
    expect(calls).to.deep.equal(['b']);
  });

  it('a listener that throws does not keep the others from being called; its error is thrown after', () => {
    const s = new RequestSignal();
    const calls: string[] = [];
    s.addEventListener('abort', () => {
      throw new Error('boom');
    });
    s.addEventListener('abort', () => calls.push('after'));
    expect(() => s.abort()).to.throw('boom');
    expect(calls).to.deep.equal(['after']);
    expect(s.aborted).to.equal(true);
  });

  it('a listener added after the abort is not called (as an aborted AbortSignal does not call it)', () => {
    const s = new RequestSignal();
    s.abort();
    let called = false;
    s.addEventListener('abort', () => (called = true));
    expect(called).to.equal(false);
  });

  it('cancels what the Temporal layer waits on (sleep)', async () => {
    const s = new RequestSignal();
    const p = sleep(60_000, s);
    s.abort();
    let err: unknown;
    await p.catch((e) => (err = e));
    expect(err).to.be.instanceOf(CallCancelledError);
  });

  it('toAbortSignal: an AbortSignal that fires with it until disposed, or the AbortSignal itself', () => {
    const s = new RequestSignal();
    const a = toAbortSignal(s);
    expect(a.signal).to.be.instanceOf(AbortSignal);
    expect(a.signal.aborted).to.equal(false);
    s.abort();
    expect(a.signal.aborted).to.equal(true);
    const fired = new RequestSignal();
    fired.abort();
    expect(toAbortSignal(fired).signal.aborted).to.equal(true);
    const later = new RequestSignal();
    const d = toAbortSignal(later);
    d.dispose();
    later.abort();
    expect(d.signal.aborted, 'no longer follows it once disposed').to.equal(false);
    const real = new AbortController().signal;
    expect(toAbortSignal(real).signal).to.equal(real);
  });
});
