/**
 * Values (PROTOCOL.md "Values") round-tripping through the real server and worker,
 * and the payload converter's own rules.
 */
import { InvalidArgumentError } from '../../src/temporal/invalid-argument';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { uniqueId } from '../harness/env';
import { WorkflowFailureError } from '../../src/temporal/errors';
import { ValueError, firstValue, fromPayload, fromPayloads, toPayload, toPayloads } from '../../src/temporal/payload-converter';
import { b64, rejectsWith, useTemporal } from './helpers';

const meta = (p: ReturnType<typeof toPayload>) => Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString()]));

describe('values', function () {
  describe('round trips through a workflow', function () {
    this.timeout(30_000);
    const t = useTemporal();
    const echo = async (...args: unknown[]) => {
      const h = await t.client.startWorkflow({ workflowType: 'echoArgs', taskQueue: t.taskQueue, workflowId: uniqueId(), args });
      return (await h.result()).value;
    };

    const samples: Record<string, unknown> = {
      emoji: '😀 👩‍👩‍👧‍👦 🇯🇵 ❤️',
      cjk: '中文汉字 日本語のテキスト 한국어',
      rtl: 'مرحبا بالعالم — שלום עולם',
      controlChars: 'tab\tnewline\nquote" backslash\\ nul\u0000 bell\u0007',
      loneSurrogate: 'a\ud800b',
      empty: '',
      nullValue: null,
      trueValue: true,
      falseValue: false,
      zero: 0,
      negative: -42,
      float: 3.141592653589793,
      tiny: 5e-324,
      huge: 1.7976931348623157e308,
      maxSafe: Number.MAX_SAFE_INTEGER,
      minSafe: Number.MIN_SAFE_INTEGER,
      emptyObject: {},
      emptyArray: [],
      nested: { a: [1, { b: [null, true, 'x', { c: { d: [[], {}] } }] }], 'key with spaces': 1, ключ: 'значение', '': 'empty key' },
      dollarKeysInside: { inner: { $bytes: 'not-decoded-when-nested' }, $other: 1 },
    };

    it('unicode, null, booleans, numbers, nested objects and arrays, each as a single arg', async () => {
      const results = await Promise.all(Object.values(samples).map((v) => echo(v)));
      Object.keys(samples).forEach((name, i) => expect(results[i], name).to.deep.equal([samples[name]]));
    });

    it('many args at once, in order', async () => {
      const all = Object.values(samples);
      expect(await echo(...all)).to.deep.equal(all);
    });

    it('binary as {$bytes} (a binary/plain payload) comes back as $bytes', async () => {
      const bytes = randomBytes(257);
      const h = await t.client.startWorkflow({ workflowType: 'echo', taskQueue: t.taskQueue, workflowId: uniqueId(), args: [{ $bytes: bytes.toString('base64') }] });
      expect((await h.result()).value).to.deep.equal({ $bytes: bytes.toString('base64') });
      const empty = await t.client.startWorkflow({ workflowType: 'echo', taskQueue: t.taskQueue, workflowId: uniqueId(), args: [{ $bytes: '' }] });
      expect((await empty.result()).value).to.deep.equal({ $bytes: '' });
    });

    it('{$payload} with json/plain and binary/null encodings decode to plain values', async () => {
      const json = { $payload: { metadata: { encoding: b64('json/plain') }, data: b64('{"from":"raw payload","n":[1,2]}') } };
      const nul = { $payload: { metadata: { encoding: b64('binary/null') } } };
      expect(await echo(json, nul)).to.deep.equal([{ from: 'raw payload', n: [1, 2] }, null]);
    });

    it('{$payload} with a custom encoding round-trips unchanged through memo and terminate details', async () => {
      // A worker cannot decode an unknown encoding, so these go where the server keeps payloads as they are.
      const custom = { $payload: { metadata: { encoding: b64('my/custom-encoding'), 'x-extra': b64('meta ✓') }, data: randomBytes(48).toString('base64') } };
      const noData = { $payload: { metadata: { encoding: b64('my/empty') }, data: '' } };
      const h = await t.client.startWorkflow({ workflowType: 'forever', taskQueue: t.taskQueue, workflowId: uniqueId(), memo: { custom, noData, plain: 'x' } });
      const d = await h.describe();
      // Server behaviour: a memo entry whose payload has no data is dropped (empty data means "delete").
      expect(d.memo).to.deep.equal({ custom, plain: 'x' });
      await h.terminate('carry payloads', [custom, noData, { $bytes: b64('bin') }, 'plain']);
      const err = await rejectsWith(h.result(), WorkflowFailureError);
      expect(err.cause.details).to.deep.equal([custom, noData, { $bytes: b64('bin') }, 'plain']);
    });

    it('values in query args/results and signal args', async () => {
      const h = await t.client.startWorkflow({ workflowType: 'recorder', taskQueue: t.taskQueue, workflowId: uniqueId() });
      await h.signal('s', [samples.emoji, samples.nested, samples.rtl, null]);
      expect(await h.query('received')).to.deep.equal([{ name: 's', args: [samples.emoji, samples.nested, samples.rtl, null] }]);
      const g = await t.client.startWorkflow({ workflowType: 'signals', taskQueue: t.taskQueue, workflowId: uniqueId() });
      expect(await g.query('greet', [samples.cjk, samples.emoji])).to.equal(`${samples.cjk}, ${samples.emoji}!`);
      await h.terminate();
      await g.terminate();
    });

    it('a ~1 MB JSON string round-trips intact', async () => {
      const unit = 'abcdefghij-ÄÖÜ-中文-😀\n"\\';
      const big = unit.repeat(Math.ceil(1_000_000 / Buffer.byteLength(unit)));
      expect(Buffer.byteLength(big)).to.be.at.least(1_000_000);
      const h = await t.client.startWorkflow({ workflowType: 'echo', taskQueue: t.taskQueue, workflowId: uniqueId(), args: [big] });
      const r = await h.result();
      expect(typeof r.value).to.equal('string');
      expect((r.value as string).length).to.equal(big.length);
      expect(r.value === big).to.equal(true);
    });
  });

  describe('payload converter', function () {
    it('encodes JSON values as json/plain', () => {
      const p = toPayload({ a: 'ü' });
      expect(meta(p)).to.deep.equal({ encoding: 'json/plain' });
      expect(Buffer.from(p.data!).toString('utf8')).to.equal('{"a":"ü"}');
      expect(Buffer.from(toPayload(null).data!).toString()).to.equal('null');
    });

    it('encodes {$bytes} as binary/plain, and only when it is the only key', () => {
      const p = toPayload({ $bytes: b64('\x00\x01\xff') });
      expect(meta(p)).to.deep.equal({ encoding: 'binary/plain' });
      expect(Buffer.from(p.data!)).to.deep.equal(Buffer.from('\x00\x01\xff'));
      expect(meta(toPayload({ $bytes: 'AAAA', other: 1 }))).to.deep.equal({ encoding: 'json/plain' });
    });

    it('passes {$payload} through as it is', () => {
      const p = toPayload({ $payload: { metadata: { encoding: b64('x/y'), k: b64('v') }, data: b64('raw') } });
      expect(meta(p)).to.deep.equal({ encoding: 'x/y', k: 'v' });
      expect(Buffer.from(p.data!).toString()).to.equal('raw');
      const noMeta = toPayload({ $payload: {} });
      expect(noMeta.metadata).to.deep.equal({});
      expect(Buffer.from(noMeta.data!).length).to.equal(0);
    });

    it('rejects bad $bytes and $payload with a ValueError naming the path', () => {
      const cases: [unknown[], string, RegExp][] = [
        [[1, { $bytes: 'not base64!' }], 'args', /^args\[1\]\.\$bytes must be a base64 string/],
        [[{ $bytes: 'abc' }], 'args', /^args\[0\]\.\$bytes/], // length not a multiple of 4
        [[{ $bytes: 42 }], 'startSignalArgs', /^startSignalArgs\[0\]\.\$bytes/],
        [[{ $payload: 'x' }], 'details', /^details\[0\]\.\$payload must be an object/],
        [[{ $payload: { metadata: [] } }], 'args', /^args\[0\]\.\$payload\.metadata must be an object/],
        [[{ $payload: { metadata: { encoding: '###' } } }], 'args', /^args\[0\]\.\$payload\.metadata\.encoding must be a base64 string/],
        [[{ $payload: { data: 5 } }], 'args', /^args\[0\]\.\$payload\.data must be a base64 string/],
        [[undefined], 'args', /^args\[0\] is not a JSON value/],
        [[() => 1], 'args', /^args\[0\] is not a JSON value/],
        [[10n], 'args', /^args\[0\] cannot be encoded as JSON/],
      ];
      for (const [values, where, re] of cases) {
        let caught: unknown;
        try {
          toPayloads(values, where);
        } catch (err) {
          caught = err;
        }
        expect(caught, String(re)).to.be.instanceOf(ValueError);
        expect(caught).to.be.instanceOf(InvalidArgumentError);
        expect((caught as Error).name).to.equal('ValueError');
        expect((caught as Error).message).to.match(re);
      }
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(() => toPayload(circular, 'memo.x')).to.throw(ValueError, /^memo\.x cannot be encoded as JSON/);
    });

    it('encodes an empty or missing list as undefined (no payloads field)', () => {
      expect(toPayloads([])).to.equal(undefined);
      expect(toPayloads(undefined)).to.equal(undefined);
      expect(toPayloads([1, 'a'])!.payloads).to.have.length(2);
    });

    it('decodes every encoding, losing nothing', () => {
      const enc = (e: string) => ({ encoding: Buffer.from(e) });
      expect(fromPayload({ metadata: enc('json/plain'), data: Buffer.from('[1,"a"]') })).to.deep.equal([1, 'a']);
      expect(fromPayload({ metadata: enc('json/protobuf'), data: Buffer.from('{"x":1}') })).to.deep.equal({ x: 1 });
      expect(fromPayload({ metadata: enc('binary/null') })).to.equal(null);
      expect(fromPayload({ metadata: enc('binary/plain'), data: Buffer.from([1, 2, 3]) })).to.deep.equal({ $bytes: 'AQID' });
      expect(fromPayload({ metadata: enc('binary/protobuf'), data: Buffer.from([8, 1]) })).to.deep.equal({ $payload: { metadata: { encoding: b64('binary/protobuf') }, data: 'CAE=' } });
      // malformed data in a known encoding is passed through, not lost
      expect(fromPayload({ metadata: enc('json/plain'), data: Buffer.from('{oops') })).to.deep.equal({ $payload: { metadata: { encoding: b64('json/plain') }, data: b64('{oops') } });
      expect(fromPayload({ metadata: enc('binary/null'), data: Buffer.from('x') })).to.deep.equal({ $payload: { metadata: { encoding: b64('binary/null') }, data: b64('x') } });
      expect(fromPayload({ data: Buffer.from('no metadata') })).to.deep.equal({ $payload: { metadata: {}, data: b64('no metadata') } });
      expect(fromPayload(null)).to.equal(null);
      expect(fromPayloads({ payloads: [toPayload(1), toPayload('b')] })).to.deep.equal([1, 'b']);
      expect(fromPayloads(null)).to.deep.equal([]);
      expect(firstValue({ payloads: [] })).to.equal(null);
      expect(firstValue({ payloads: [toPayload('first'), toPayload('second')] })).to.equal('first');
    });

    it('round-trips any value through toPayload and fromPayload', () => {
      for (const v of [null, 0, -1.5, 'x', [1, [2]], { a: { b: null } }, { $bytes: 'AAEC' }, { $payload: { metadata: { encoding: b64('z') }, data: b64('q') } }]) {
        expect(fromPayload(toPayload(v))).to.deep.equal(v);
      }
    });
  });
});
