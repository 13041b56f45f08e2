#!/usr/bin/env node
/** Writes protos/openrpc.json from src/protocol/methods.ts (run after `npm run build`). */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { buildOpenRpcDocument } = require(path.join(root, 'dist/src/protocol/openrpc.js'));
const { VERSION } = require(path.join(root, 'dist/src/version.js'));
const out = path.join(root, 'protos', 'openrpc.json');
fs.writeFileSync(out, `${JSON.stringify(buildOpenRpcDocument(VERSION), null, 2)}\n`);
process.stderr.write(`wrote ${path.relative(root, out)}\n`);
