/**
 * The Python client's generated contract module (clients/python/src/temporal_handled/_protocol.py)
 * against protos/openrpc.json, and the generator's handling of schema shapes. No Temporal server.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const generatorPath = path.join(root, 'scripts', 'gen-python-protocol.js');
const docPath = path.join(root, 'protos', 'openrpc.json');
const modulePath = path.join(root, 'clients', 'python', 'src', 'temporal_handled', '_protocol.py');

const generator = require(generatorPath) as { render(doc: unknown): string };

/** The first line where two texts differ, for a readable failure. */
function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: committed ${JSON.stringify(la[i])}, generated ${JSON.stringify(lb[i])}`;
  }
  return 'no difference';
}

/** The same JSON with every object's keys in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .reverse()
        .map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

describe('Python protocol module (scripts/gen-python-protocol.js)', function () {
  const doc = JSON.parse(fs.readFileSync(docPath, 'utf8'));

  it('is up to date with protos/openrpc.json (run `npm run gen:python`)', () => {
    const committed = fs.existsSync(modulePath) ? fs.readFileSync(modulePath, 'utf8') : '';
    const generated = generator.render(doc);
    expect(committed === generated, `${path.relative(root, modulePath)} is stale: run \`npm run gen:python\` (${firstDifference(committed, generated)})`).to.equal(true);
  });

  it('starts with the do-not-edit header and holds the contract', () => {
    const text = generator.render(doc);
    expect(text.split('\n')[0]).to.equal('# generated from protos/openrpc.json by scripts/gen-python-protocol.js; do not edit');
    expect(text).to.include(`PROTOCOL_VERSION: typing.Final = ${doc.info['x-protocolVersion']}\n`);
    expect(text).to.include('WORKFLOW_START: typing.Final = "workflow/start"\n');
    expect(text).to.include('CANCEL_REQUEST: typing.Final = "$/cancelRequest"\n');
    for (const [name, e] of Object.entries(doc.components.errors as Record<string, { code: number }>)) {
      expect(text).to.include(`    "${name}": ${e.code},\n`);
    }
    for (const name of ['IdReusePolicy', 'IdConflictPolicy', 'RejectCondition']) {
      expect(text).to.match(new RegExp(`^${name} = typing\\.Literal\\[`, 'm'));
    }
  });

  it('does not depend on the order of object keys', () => {
    expect(generator.render(reverseKeys(doc))).to.equal(generator.render(doc));
  });

  it('finds string enums of any shape, and names clashing ones by their method', () => {
    const text = generator.render({
      info: { 'x-protocolVersion': 7 },
      methods: [
        {
          name: 'a/one',
          params: [
            { name: 'mode', schema: { anyOf: [{ const: 'x' }, { const: 'y' }, { type: 'null' }] } },
            { name: 'opts', schema: { type: 'object', properties: { level: { oneOf: [{ const: 'lo' }, { const: 'hi' }] } } } },
            { name: 'tags', schema: { type: 'array', items: { type: 'string', enum: ['t1', 't2'] } } },
            { name: 'count', schema: { enum: [1, 2] } },
          ],
        },
        { name: 'b/two', params: [{ name: 'mode', schema: { type: ['string', 'null'], enum: ['p', null] } }] },
      ],
      components: { schemas: { Shape: { allOf: [{ properties: { kind: { enum: ['round', 'square'] } } }] } }, errors: {} },
    });
    expect(text).to.match(/^AOneMode = typing\.Literal\[\n {4}"x",\n {4}"y",\n\]$/m);
    expect(text).to.include('BTwoMode = typing.Literal["p"]\n');
    expect(text).to.match(/^OptsLevel = typing\.Literal\[\n {4}"lo",\n {4}"hi",\n\]$/m);
    expect(text).to.match(/^Tags = typing\.Literal\[/m);
    expect(text).to.match(/^ShapeKind = typing\.Literal\[/m);
    expect(text).to.include('SHAPE_KIND_VALUES: typing.Final[tuple[ShapeKind, ...]] = (\n');
    expect(text).not.to.match(/^Count = /m);
    expect(text).to.include('ErrorType = str\n');
  });
});
