/**
 * The framed writer: each message one Content-Length frame, and the frames of one tick in one
 * write to the stream (one system call for the answers that complete together).
 */
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { FramedMessageWriter } from '../../src/transport/framed-writer';

/** A stream that records each write it is handed: one entry per write or writev. */
function recorder() {
  const writes: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk);
      cb();
    },
    writev(chunks, cb) {
      writes.push(Buffer.concat(chunks.map((c) => c.chunk as Buffer)));
      cb();
    },
  });
  return { stream, writes };
}

describe('framed writer (unit)', function () {
  it('frames each message with its byte length (UTF-8), header and body together', async () => {
    const { stream, writes } = recorder();
    const w = new FramedMessageWriter(stream, { highWaterBytes: 1 << 20, maxPendingBytes: 1 << 24 });
    await w.write({ jsonrpc: '2.0', id: 1, result: 'héllo' } as never);
    await new Promise((r) => setImmediate(r));
    const body = '{"jsonrpc":"2.0","id":1,"result":"héllo"}';
    expect(Buffer.concat(writes).toString('utf8')).to.equal(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });

  it('the frames written in one tick reach the stream in one write; the next tick starts another', async () => {
    const { stream, writes } = recorder();
    const w = new FramedMessageWriter(stream, { highWaterBytes: 1 << 20, maxPendingBytes: 1 << 24 });
    for (let i = 1; i <= 5; i++) void w.write({ jsonrpc: '2.0', id: i, result: i } as never);
    expect(writes, 'nothing is written before the tick ends').to.have.length(0);
    await new Promise((r) => setImmediate(r));
    expect(writes).to.have.length(1);
    const text = writes[0]!.toString();
    expect(text.match(/Content-Length: \d+\r\n\r\n/g)).to.have.length(5);
    expect(text.endsWith('{"jsonrpc":"2.0","id":5,"result":5}')).to.equal(true);
    void w.write({ jsonrpc: '2.0', id: 6, result: 6 } as never);
    await new Promise((r) => setImmediate(r));
    expect(writes).to.have.length(2);
    expect(w.pendingBytes, 'every frame flushed').to.equal(0);
  });

  it('flush and end hand the frames of this tick to the stream at once (an exit right after must not lose them)', () => {
    const { stream, writes } = recorder();
    const w = new FramedMessageWriter(stream, { highWaterBytes: 1 << 20, maxPendingBytes: 1 << 24 });
    void w.write({ jsonrpc: '2.0', id: 1, result: 1 } as never);
    void w.write({ jsonrpc: '2.0', id: 2, result: 2 } as never);
    w.flush();
    expect(writes).to.have.length(1);
    void w.write({ jsonrpc: '2.0', id: 3, result: 3 } as never);
    w.end();
    expect(writes).to.have.length(2);
    expect(writes[1]!.toString()).to.match(/"id":3/);
  });
});
