#!/usr/bin/env node
/** Writes protos/openrpc.json from the contract's declarations in protos/src (run after `npm run build`). */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { buildOpenRpcDocument } = require('@temporal-handled/protocol');
const { VERSION } = require(path.join(root, 'dist/src/version.js'));
const out = path.join(root, 'protos', 'openrpc.json');
fs.writeFileSync(out, `${JSON.stringify(buildOpenRpcDocument(VERSION), null, 2)}\n`);
process.stderr.write(`wrote ${path.relative(root, out)}\n`);
