/**
 * Numbers a double would change survive parseExact/stringifyExact as written.
 */
import { expect } from 'chai';
import { ExactNumber, parseExact, stringifyExact } from '../../src/json/exact-json';

describe('exact JSON numbers', function () {
  it('text whose numbers all round-trip parses as JSON.parse does', () => {
    for (const text of ['{"a":1,"b":[2.5,-3,0],"c":"x"}', '12', '[]', '"1.0"', '{"jsonrpc":"2.0","id":7}', '1e+21', '0.1']) {
      expect(parseExact(text), text).to.deep.equal(JSON.parse(text));
    }
  });

  it('big integers, integral floats, exponents and -0 come back as ExactNumber holding their text', () => {
    const v = parseExact('{"big":12345678901234567891,"neg":-98765432109876543210,"f":1.0,"e":1E5,"z":-0,"inf":1e400,"ok":42}') as Record<string, unknown>;
    for (const [k, text] of Object.entries({ big: '12345678901234567891', neg: '-98765432109876543210', f: '1.0', e: '1E5', z: '-0', inf: '1e400' })) {
      expect(v[k], k).to.be.instanceOf(ExactNumber);
      expect((v[k] as ExactNumber).text, k).to.equal(text);
    }
    expect(v.ok).to.equal(42);
    expect(Number(v.big)).to.equal(12345678901234567891);
  });

  it('stringifyExact writes them back exactly, in any position, and leaves strings alone', () => {
    const text = '{"a":12345678901234567891,"b":[1.0,{"c":-0}],"s":"12345678901234567891","t":"x:12345678901234567891,","n":null}';
    const v = parseExact(text) as Record<string, unknown>;
    expect(v.s).to.equal('12345678901234567891');
    expect(v.t).to.equal('x:12345678901234567891,');
    expect(stringifyExact(v)).to.equal(text);
    expect(stringifyExact(parseExact('98765432109876543210'))).to.equal('98765432109876543210');
    expect(stringifyExact(undefined)).to.equal(undefined);
  });

  it('a string shaped like the marker, without its per-process tag, stays a string', () => {
    const v = { s: '\u0000exact-00000000:123' };
    expect(stringifyExact(v)).to.equal(JSON.stringify(v));
  });

  it('text that is not JSON throws a SyntaxError; duplicate keys read as JSON.parse reads them', () => {
    expect(() => parseExact('{"a":12345678901234567891')).to.throw(SyntaxError);
    expect(() => parseExact('{"a":1.0,}')).to.throw(SyntaxError);
    expect(parseExact('{"a":12345678901234567891,"a":2}')).to.deep.equal({ a: 2 });
  });
});
