/**
 * Follows the README's quick start exactly as written, in a fresh temporary clone:
 * the first command (install + demo) runs as is; the second (`npm test`) runs as is
 * with TH_TEST_GREP narrowing it to the contract suite, so this test does not run
 * itself recursively.
 */
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function quickStartCommands(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Quick start$/m)[1];
  expect(section, 'README has a "## Quick start" section').to.be.a('string');
  const block = /```sh\n([\s\S]*?)```/.exec(section!)?.[1] ?? '';
  return block.split('\n').filter((l) => l.trim() !== '');
}

/** Runs `cmd`: `out` is stdout and stderr as they arrived (for messages), `stdout` alone (its order is the command's). */
function run(cmd: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', cmd], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      out += `\n[killed after ${timeoutMs} ms]`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, stdout });
    });
  });
}

/** Cloning and installing takes minutes: local runs ask for it with TH_QUICKSTART=1; .ci/run always does. */
const wanted = process.env.TH_QUICKSTART === '1';

describe('README quick start, in a fresh clone', function () {
  this.timeout(20 * 60_000);
  let dir: string;

  before(function () {
    if (!wanted) {
      this.skip();
      return;
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-quickstart-'));
    execFileSync('git', ['clone', '-q', root, path.join(dir, 'p')]);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has exactly two commands: install-and-demo, then npm test', () => {
    const cmds = quickStartCommands();
    expect(cmds).to.have.length(2);
    expect(cmds[1]).to.equal('npm test');
  });

  it('command 1 installs everything and runs the demo end to end on the embedded dev server', async () => {
    const [first] = quickStartCommands();
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_loglevel: 'error' };
    delete env.TEMPORAL_ADDRESS;
    const { code, out } = await run(first!, path.join(dir, 'p'), env, 12 * 60_000);
    expect(code, out.slice(-4000)).to.equal(0);
    expect(out).to.include('dev server');
    expect(out).to.match(/progress CONTINUED_AS_NEW/);
    expect(out).to.include('CancelledError');
    expect(out).to.include('TerminatedError');
    expect(out).to.include('PaymentDeclined');
    expect(out).to.match(/Done in [\d.]+ s/);
    expect(fs.existsSync(path.join(dir, 'p', '.venv'))).to.equal(true);
  });

  it('command 2 runs the tests and ends with "N passed, 0 failed"', async () => {
    const [, second] = quickStartCommands();
    const { code, out, stdout } = await run(second!, path.join(dir, 'p'), { ...process.env, TH_TEST_GREP: 'contract' }, 8 * 60_000);
    expect(code, out.slice(-4000)).to.equal(0);
    // The last line of stdout: what a suite writes on stderr can arrive after it on another pipe.
    const last = stdout.trim().split('\n').pop()!;
    expect(last).to.match(/^[1-9]\d* passed, 0 failed$/);
  });
});
