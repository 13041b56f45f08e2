/**
 * The per-namespace share of result long polls (src/temporal/long-poll-budget.ts).
 */
import { expect } from 'chai';
import { LongPollBudget, LongPollBudgets } from '../../src/temporal/long-poll-budget';

describe('long-poll budget', function () {
  it('is unlimited until the server refuses a poll', () => {
    const b = new LongPollBudget();
    b.join();
    for (let i = 0; i < 1000; i++) expect(b.tryAcquire()).to.equal(true);
    expect([b.cap, b.inFlight]).to.deep.equal([Infinity, 1000]);
  });

  it('a refusal halves the share to the polls still held (at least 1); later refusals only lower it', () => {
    const b = new LongPollBudget();
    for (let i = 0; i < 10; i++) b.join(), b.tryAcquire();
    // The 10th poll is refused while the other 9 are held: 4 from now on.
    b.refused();
    b.release();
    expect(b.cap).to.equal(4);
    expect(b.tryAcquire()).to.equal(false);
    for (let i = 0; i < 5; i++) b.release();
    expect(b.inFlight).to.equal(4);
    expect(b.tryAcquire()).to.equal(false);
    b.release();
    expect(b.tryAcquire()).to.equal(true);
    // A refusal with 4 held (3 others) gives 1; never below 1.
    b.refused();
    expect(b.cap).to.equal(1);
    for (let i = 0; i < 4; i++) b.release();
    b.tryAcquire();
    b.refused();
    expect(b.cap).to.equal(1);
  });

  it('is lifted when the last wait leaves, not when the last poll ends', () => {
    const b = new LongPollBudget();
    b.join();
    b.join();
    b.tryAcquire();
    b.tryAcquire();
    b.refused();
    b.release();
    b.release();
    expect(b.cap).to.equal(1);
    b.leave();
    expect(b.cap).to.equal(1);
    b.leave();
    expect([b.cap, b.waiting]).to.deep.equal([Infinity, 0]);
  });

  it('is lifted a minute after the last refusal, and halved again by the next one', () => {
    let t = 1_000_000;
    const b = new LongPollBudget(() => t);
    b.join();
    for (let i = 0; i < 9; i++) b.tryAcquire();
    b.refused(); // 8 others: 4
    for (let i = 0; i < 9; i++) b.release();
    expect(b.cap).to.equal(4);
    t += 59_000;
    for (let i = 0; i < 4; i++) expect(b.tryAcquire()).to.equal(true);
    expect(b.tryAcquire()).to.equal(false);
    t += 1_000;
    expect(b.tryAcquire()).to.equal(true);
    expect(b.cap).to.equal(Infinity);
    b.refused(); // 4 others: 2
    expect(b.cap).to.equal(2);
  });

  it('one budget per namespace', () => {
    const all = new LongPollBudgets();
    expect(all.for('a')).to.equal(all.for('a'));
    expect(all.for('a')).to.not.equal(all.for('b'));
  });

  it('starts at its initial cap and is lifted back to it, not past it', () => {
    let t = 0;
    const b = new LongPollBudget(() => t, 1_000, 10);
    b.join();
    for (let i = 0; i < 10; i++) expect(b.tryAcquire()).to.equal(true);
    expect(b.tryAcquire()).to.equal(false);
    b.refused(); // 9 others: 4
    expect(b.cap).to.equal(4);
    t += 1_000;
    for (let i = 0; i < 10; i++) b.release();
    expect(b.tryAcquire()).to.equal(true);
    expect(b.cap).to.equal(10);
    b.release();
    b.refused();
    b.leave();
    expect(b.cap).to.equal(10);
    expect(new LongPollBudgets(7).for('a').cap).to.equal(7);
  });

  it('result waits leave a tenth of a finite budget to other callers', () => {
    const b = new LongPollBudget(Date.now, 60_000, 20);
    expect(b.reserve).to.equal(2);
    for (let i = 0; i < 18; i++) expect(b.tryAcquire(b.reserve)).to.equal(true);
    expect(b.tryAcquire(b.reserve)).to.equal(false);
    // Others still get the last two slots.
    expect([b.tryAcquire(), b.tryAcquire(), b.tryAcquire()]).to.deep.equal([true, true, false]);
    expect(new LongPollBudget().reserve).to.equal(0);
  });
});
