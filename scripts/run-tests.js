#!/usr/bin/env node
/**
 * `npm test`: every suite, TypeScript (mocha), Python (pytest) and, when a Rust toolchain is
 * there, the Rust client's `cargo test` (clients/rust), then one plain closing line
 * `N passed, N failed` totalling all of them.
 *
 *   node scripts/run-tests.js [--only ts|py|rust] [--grep PATTERN] [--unit]
 *
 * --unit runs the fast tier only: the `*.unit.test.js` files, which need no Temporal
 * server, no daemon process and no Python (seconds).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : process.env.TH_TEST_GREP || undefined;
const unitOnly = args.includes('--unit');

function findTests(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findTests(p, out);
    else if (e.name.endsWith(unitOnly ? '.unit.test.js' : '.test.js')) out.push(p);
  }
  return out.sort();
}

function runMocha() {
  return new Promise((resolve) => {
    const mod = require('mocha');
    const Mocha = mod.default ?? mod.Mocha ?? mod;
    const mocha = new Mocha({ timeout: 60_000, slow: 5_000, reporter: 'spec', grep });
    mocha.rootHooks(require(path.join(root, 'dist/test/harness/hooks.js')).mochaHooks);
    const files = findTests(path.join(root, 'dist/test'));
    for (const f of files) mocha.addFile(f);
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const runner = mocha.run(() => resolve(counts));
    runner.on('pass', () => counts.passed++);
    runner.on('fail', () => counts.failed++);
    runner.on('pending', () => counts.skipped++);
  });
}

function runPytest() {
  const py = path.join(root, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
  const suites = ['clients/python/tests'].filter((s) => fs.existsSync(path.join(root, s)));
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (suites.length === 0) return counts;
  if (!fs.existsSync(py)) {
    process.stderr.write('run-tests: .venv is missing; run `npm run setup` first\n');
    counts.failed++;
    return counts;
  }
  fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
  const xml = path.join(root, 'test-results', 'pytest.xml');
  fs.rmSync(xml, { force: true });
  const pyArgs = ['-m', 'pytest', ...suites, '-p', 'no:cacheprovider', `--junitxml=${xml}`, '-ra'];
  if (grep) pyArgs.push('-k', grep);
  const r = spawnSync(py, pyArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  if (!fs.existsSync(xml)) {
    process.stderr.write(`run-tests: pytest wrote no report (exit ${r.status})\n`);
    counts.failed++;
    return counts;
  }
  const text = fs.readFileSync(xml, 'utf8');
  for (const m of text.matchAll(/<testsuite\b([^>]*)>/g)) {
    const attr = (name) => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(m[1]) || [0, 0])[1]);
    const tests = attr('tests');
    const failed = attr('failures') + attr('errors');
    const skipped = attr('skipped');
    counts.passed += tests - failed - skipped;
    counts.failed += failed;
    counts.skipped += skipped;
  }
  if (r.status !== 0 && counts.failed === 0 && r.status !== 5) counts.failed++;
  return counts;
}

/** Whether cargo runs here (the Rust client's suite and the native shell client depend on it). */
function hasCargo() {
  const r = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

const rustDir = path.join(root, 'clients', 'rust');
const nativeCli = path.join(rustDir, 'target', 'release', process.platform === 'win32' ? 'temporal-handled-rs.exe' : 'temporal-handled-rs');

/**
 * The Rust client's tests (`cargo test`, against the real daemon and a dev server; with --unit
 * only the contract tests, which need neither), offline: `npm run setup` fetched and built them.
 * Counted from cargo's `test result:` lines; a build that fails is one failure.
 */
function runCargo() {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (!fs.existsSync(path.join(rustDir, 'Cargo.toml'))) return counts;
  if (!hasCargo()) {
    process.stdout.write('\n  Rust client (clients/rust): no cargo here, skipped\n');
    return counts;
  }
  process.stdout.write('\n  Rust client (cargo test)\n');
  const cargoArgs = ['test', '--release', '--offline', '--locked', ...(unitOnly ? ['--test', 'contract'] : [])];
  if (grep) cargoArgs.push('--', grep);
  const r = spawnSync('cargo', cargoArgs, { cwd: rustDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_BACKTRACE: '0' } });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  for (const m of (r.stdout ?? '').matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)) {
    counts.passed += Number(m[1]);
    counts.failed += Number(m[2]);
    counts.skipped += Number(m[3]);
  }
  if (r.status !== 0 && counts.failed === 0) {
    process.stderr.write(`run-tests: cargo test exited with ${r.status} (run \`npm run setup\` to build the Rust client)\n`);
    counts.failed++;
  }
  return counts;
}

/** The lint and format gate (Biome) for the TypeScript and the scripts: one test, passed or failed. */
function runLint() {
  const biome = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'biome.cmd' : 'biome');
  process.stdout.write('\n  lint and format (biome check)\n');
  const r = spawnSync(biome, ['check', '.'], { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  process.stdout.write(ok ? '    ✔ biome check: no lint or format findings\n' : '    ✗ biome check found problems (npm run format fixes the formatting)\n');
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
}

(async () => {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const add = (c) => {
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  };
  if (!only && !unitOnly) add(runLint());
  // With a Rust toolchain, the shell-client command tests also run the native client (built by setup).
  if (only !== 'py' && only !== 'rust' && !unitOnly && hasCargo() && fs.existsSync(path.join(rustDir, 'Cargo.toml'))) {
    if (fs.existsSync(nativeCli)) process.env.TH_NATIVE = process.env.TH_NATIVE ?? '1';
    else {
      process.stderr.write(`run-tests: cargo is here but the native client ${path.relative(root, nativeCli)} is not built: run \`npm run setup\`\n`);
      total.failed++;
    }
  }
  if (only !== 'py' && only !== 'rust') add(await runMocha());
  if (only !== 'ts' && only !== 'rust' && !unitOnly) add(runPytest());
  if (only !== 'ts' && only !== 'py') add(runCargo());
  const ran = total.passed + total.failed;
  console.log('');
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  process.exit(total.failed > 0 || ran === 0 ? 1 : 0);
})();
