#!/usr/bin/env node
/**
 * For the Rust client's tests: the TS test harness's dev server (test/harness/env.ts, as the
 * mocha suites start it) and a real SDK worker of test/fixtures/workflows.ts on a fresh task
 * queue. Prints {address, taskQueue} as one JSON line, then runs until its stdin ends (the
 * test process exiting), when it stops the worker and the dev server.
 */
'use strict';
const path = require('node:path');
const harness = require(path.resolve(__dirname, '../../../../dist/test/harness/env.js'));

(async () => {
  const env = await harness.testEnv();
  const worker = await harness.startWorker();
  process.stdout.write(`${JSON.stringify({ address: env.server.address, taskQueue: worker.taskQueue })}\n`);
  const stop = async () => {
    await worker.stop().catch(() => undefined);
    await harness.stopEnv().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
})().catch((err) => {
  process.stderr.write(`worker-env: ${err?.stack ?? err}\n`);
  process.exit(1);
});
