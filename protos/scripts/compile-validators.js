#!/usr/bin/env node
/**
 * Writes dist/compiled.js: each method's params checker, compiled by TypeBox from the
 * declarations into plain JavaScript, and what the daemon reads of each declaration at
 * run time. The daemon then starts without loading TypeBox (about 60 ms of start-up);
 * src/runtime.ts compiles in process when this file is missing.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { TypeCompiler } = require('@sinclair/typebox/compiler');
const { methods, PROTOCOL_VERSION } = require('../dist/index.js');

const out = [
  "'use strict';",
  '// Generated at build time by protos/scripts/compile-validators.js from protos/src/methods.ts: do not edit.',
  `exports.PROTOCOL_VERSION = ${JSON.stringify(PROTOCOL_VERSION)};`,
  'exports.methods = {',
];
for (const [name, m] of Object.entries(methods)) {
  const code = TypeCompiler.Code(m.params, { language: 'javascript' });
  // Standalone code only: a custom kind, format or hash would need TypeBox's registries at run time.
  for (const needs of ['kind(', 'format(', 'hash(']) {
    if (code.includes(needs)) throw new Error(`${name}: its params' checker needs TypeBox at run time (${needs}); use standard schemas`);
  }
  const meta = {
    params: Object.keys(m.params.properties),
    errors: m.errors,
    beforeInitialize: m.beforeInitialize === true,
    openParams: m.openParams === true,
    waits: m.waits === true,
    progressParam: m.progressParam ?? null,
  };
  out.push(`  ${JSON.stringify(name)}: { ...${JSON.stringify(meta)}, check: (function () {\n${code}\n})() },`);
}
out.push('};', '');
fs.writeFileSync(path.join(__dirname, '..', 'dist', 'compiled.js'), out.join('\n'));
