/**
 * The daemon loads only the protobuf descriptors it uses (dist/src/temporal/temporal-api.json,
 * written at build time), never @temporalio/proto's whole root: that halves its start-up.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '..', '..');

describe('protobuf descriptors', () => {
  it('the build wrote the trimmed descriptor set, with every WorkflowService message the daemon sends', () => {
    const file = path.join(dist, 'src', 'temporal', 'temporal-api.json');
    expect(fs.existsSync(file), 'run `npm run build`').to.equal(true);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of [
      'StartWorkflowExecutionRequest',
      'SignalWithStartWorkflowExecutionRequest',
      'GetWorkflowExecutionHistoryResponse',
      'QueryWorkflowResponse',
      'WorkflowExecutionAlreadyStartedFailure',
      'HistoryEvent',
    ]) {
      expect(text).to.include(`"${m}"`);
    }
    expect(text).to.not.include('coresdk');
  });

  it('loading the daemon does not load @temporalio/proto at run time', () => {
    const out = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(path.join(dist, 'src', 'daemon', 'run.js'))});` +
        `process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('@temporalio' + require('path').sep + 'proto'))))`,
    ]).toString();
    expect(out).to.equal('false');
  });
});
