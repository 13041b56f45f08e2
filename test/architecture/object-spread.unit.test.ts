/**
 * No object literal has a spread with anything after it (`{ ...a, k: v }`, `{ ...a, ...b }`),
 * in the daemon (src/) and the TS client (clients/typescript/src). On Node 20 (V8 11.3) each
 * key after a spread gives the new object new hidden classes of its own: measured here, a
 * 31-key description built as `{ ...execution, ...13 keys }` cost 21 µs and 13 KB a call
 * against 0.2 µs and 0.8 KB with `Object.assign`, and the garbage pushed per-call state into
 * the old generation (ARCHITECTURE.md, "Per-call objects"). A spread as the last member, or
 * alone, is as fast as `Object.assign`, and allowed.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..', '..', '..');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Each `file:line` where an object literal has a member after a spread. */
function spreadsWithKeysAfter(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isObjectLiteralExpression(node)) {
      const props = node.properties;
      const i = props.findIndex((p) => ts.isSpreadAssignment(p));
      if (i >= 0 && i < props.length - 1) found.push(`${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(props[i]!.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('object literals (unit)', () => {
  it('finds a spread with keys after it, and lets a spread stand last or alone', () => {
    expect(spreadsWithKeysAfter(path.join(root, 'x.ts'), 'const a = { ...b, c: 1 };\nconst d = { ...b, ...e };')).to.deep.equal(['x.ts:1', 'x.ts:2']);
    expect(spreadsWithKeysAfter(path.join(root, 'x.ts'), 'const a = { c: 1, ...b };\nconst d = { ...b };\nconst [x, ...y] = z;\nf(...args);')).to.deep.equal([]);
  });

  it('no object literal in src/ or the TS client has a member after a spread', () => {
    const files = [...sourceFiles(path.join(root, 'src')), ...sourceFiles(path.join(root, 'clients', 'typescript', 'src'))];
    expect(files.length).to.be.above(50);
    const found = files.flatMap((f) => spreadsWithKeysAfter(f, fs.readFileSync(f, 'utf8')));
    expect(found, 'use Object.assign({}, a, { k: v }) (see this test file for why)').to.deep.equal([]);
  });
});
