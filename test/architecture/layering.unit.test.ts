/**
 * The layering of src/, as ARCHITECTURE.md states it, enforced on every import
 * (type-only imports included):
 *
 *   cli      -> daemon, config, temporal (durations), transport (token file), json, log, version
 *   daemon   -> protocol, transport, handles, temporal, config, devserver, json, log, version
 *   protocol -> transport, handles, temporal, json, log
 *   handles  -> temporal
 *   transport, temporal, config, devserver -> json, log, version (and config, devserver -> temporal)
 *   json, log, version -> nothing of ours
 *
 * Nothing imports upward; only src/temporal and src/devserver import gRPC or @temporalio/*
 * (but src/config, which alone imports @temporalio/envconfig);
 * only the transport and protocol layers know vscode-jsonrpc; only the cli imports the
 * TypeScript client package; and no two files import each other, even for types.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const src = path.join(root, 'src');

const BOTTOM = ['json', 'log', 'version'];
const ALLOWED: Record<string, string[]> = {
  json: [],
  log: [],
  version: [],
  transport: [...BOTTOM],
  temporal: [...BOTTOM],
  devserver: [...BOTTOM, 'temporal'],
  config: [...BOTTOM, 'temporal'],
  handles: [...BOTTOM, 'temporal'],
  protocol: [...BOTTOM, 'transport', 'handles', 'temporal'],
  daemon: [...BOTTOM, 'protocol', 'transport', 'handles', 'temporal', 'config', 'devserver'],
  cli: [...BOTTOM, 'daemon', 'config', 'temporal', 'transport'],
};

/** Packages only some layers may import. Everything else (node:, the contract, typebox, winston, ...) is open. */
const RESTRICTED: [RegExp, string[]][] = [
  // The gRPC channel is ours (temporal/grpc-channel.ts, over node:http2): the Temporal layer's alone.
  [/^(node:)?http2$/, ['temporal']],
  [/^@grpc\//, ['temporal', 'devserver']],
  // Temporal's own settings loader (profiles, TEMPORAL_*): configuration, no gRPC.
  [/^@temporalio\/envconfig$/, ['config']],
  [/^@temporalio\/(?!envconfig$)/, ['temporal', 'devserver']],
  [/^protobufjs/, ['temporal']],
  [/^vscode-jsonrpc/, ['transport', 'protocol']],
  [/^temporal-handled-client/, ['cli']],
];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every module a file imports or re-exports, type-only ones included. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) out.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+'([^']+)'/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  return out;
}

function layerOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
}

function resolveLocal(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c)) return c;
  return base;
}

describe('architecture: layering of src/', function () {
  const files = sourceFiles(src);

  it('knows the layer of every file', () => {
    for (const f of files) expect(Object.keys(ALLOWED), path.relative(root, f)).to.include(layerOf(f));
  });

  it('no layer imports one above it or beside it that it may not use', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = resolveLocal(f, spec);
        if (!target.startsWith(src + path.sep)) {
          bad.push(`${path.relative(root, f)} reaches outside src/: ${spec}`);
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !ALLOWED[from]!.includes(to)) bad.push(`${path.relative(root, f)} (${from}) imports ${path.relative(root, target)} (${to})`);
      }
    }
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });

  it('only the layers that own them import gRPC, @temporalio/*, vscode-jsonrpc and the TS client package', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      for (const spec of importsOf(f)) {
        for (const [re, layers] of RESTRICTED) if (re.test(spec) && !layers.includes(from)) bad.push(`${path.relative(root, f)} (${from}) imports ${spec}`);
      }
    }
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });

  it('has no import cycles, type-only imports included', () => {
    const graph = new Map(
      files.map((f) => [
        f,
        importsOf(f)
          .filter((s) => s.startsWith('.'))
          .map((s) => resolveLocal(f, s)),
      ]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, stack: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map((x) => path.relative(src, x)).join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const t of graph.get(f) ?? []) visit(t, [...stack, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles, cycles.join('\n')).to.deep.equal([]);
  });

  it('the test can fail: it sees a known import of each kind', () => {
    // Guards against a regex that matches nothing: these imports exist today.
    const session = importsOf(path.join(src, 'protocol', 'session.ts'));
    expect(session).to.include('../transport/framed-reader');
    expect(session.some((s) => s.startsWith('vscode-jsonrpc'))).to.equal(true);
    const wh = importsOf(path.join(src, 'temporal', 'workflow-handle.ts'));
    expect(wh.some((s) => s.startsWith('import type') || s === './proto')).to.equal(true);
  });
});
