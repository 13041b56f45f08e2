/**
 * How a streamed history read sizes its pages (history.ts, PageSizer): the server's page size
 * counts batches, so the next page's size is picked from the bytes of the last one.
 */
import { expect } from 'chai';
import { PAGE_BYTES_TARGET, PageSizer, approxBytes } from '../../src/temporal/history';

const eventOf = (bytes: number) => ({ eventId: 1, attributes: { input: { payloads: [{ data: Buffer.alloc(bytes) }] } } });

describe('PageSizer', () => {
  it('starts at 4 batches and doubles while pages come back small, up to the server maximum of 256', () => {
    const s = new PageSizer();
    expect(s.next).to.equal(4);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      s.saw([eventOf(1000)]);
      seen.push(s.next);
    }
    expect(seen).to.deep.equal([8, 16, 32, 64, 128, 256, 256, 256, 256, 256]);
  });

  it('shrinks in proportion after a large page (never below 1), and keeps its size for a page near the target; an empty page changes nothing', () => {
    const s = new PageSizer();
    s.saw([eventOf(4 * PAGE_BYTES_TARGET)]);
    expect(s.next).to.equal(1);
    s.saw([eventOf(10 * PAGE_BYTES_TARGET)]);
    expect(s.next).to.equal(1);
    const t = new PageSizer();
    t.saw([eventOf(0.75 * PAGE_BYTES_TARGET)]);
    expect(t.next).to.equal(4);
    t.saw([]);
    expect(t.next).to.equal(4);
  });

  it('approxBytes counts bytes and strings of nested messages', () => {
    expect(approxBytes({ a: 'x'.repeat(100), b: [Buffer.alloc(1000), { c: 'yy' }] })).to.be.within(1102, 1150);
  });
});
