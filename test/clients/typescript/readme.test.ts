/**
 * The example of clients/typescript/README.md type-checks and runs as written, printing
 * what the README says it prints.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { startWorker, testEnv } from '../../harness/env';
import { tmpPath } from '../../harness/daemon';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const README = path.join(ROOT, 'clients', 'typescript', 'README.md');

function codeBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);
}

describe('TypeScript client README', function () {
  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });

  it('its example type-checks and runs as written', async function () {
    this.timeout(60_000);
    const md = fs.readFileSync(README, 'utf8');
    const [example] = codeBlocks(md, 'ts');
    const expected = codeBlocks(md, '')[0]!;
    expect(example).to.contain("from 'temporal-handled-client'");

    // The package as a user installs it: node_modules/temporal-handled-client is the built
    // clients/typescript (its package.json, dist/ and its dependency on the contract package).
    const dir = path.dirname(tmpPath('x'));
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'clients', 'typescript'), path.join(dir, 'node_modules', 'temporal-handled-client'), 'dir');
    const file = path.join(dir, 'example.ts');
    fs.writeFileSync(file, example!);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      skipLibCheck: true,
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diags).to.deep.equal([]);

    // Run it, with the package resolving to the built client.
    const js = ts.transpileModule(example!, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    fs.writeFileSync(path.join(dir, 'example.js'), js);

    const { server } = await testEnv();
    const worker = await startWorker('examples');
    try {
      const child = spawn(process.execPath, [path.join(dir, 'example.js')], { cwd: dir, env: { ...process.env, TEMPORAL_ADDRESS: server.address } });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(err).to.equal('');
      expect(code).to.equal(0);
      expect(out).to.equal(expected);
    } finally {
      await worker.stop();
    }
  });
});
