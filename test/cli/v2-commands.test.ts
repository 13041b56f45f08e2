/**
 * The command-line client's version-2 commands, as processes attached to a daemon:
 * `update start|execute|result|describe`, `update-with-start`, `show` (json, jsonl, --follow),
 * `list`, `count`, `metadata`, `stack`.
 */
import { expect } from 'chai';
import { spawnDaemon, tmpPath, waitReady, type DaemonProcess } from '../harness/daemon';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../harness/env';
import { run } from '../harness/cli';

describe('command-line client: updates, history, visibility', function () {
  this.timeout(60_000);
  let worker: RunningWorker;
  let daemon: DaemonProcess;
  let sock: string;
  const cli = (...args: string[]) => run([...args, '--socket', sock]);

  before(async function () {
    this.timeout(120_000);
    await testEnv();
    worker = await startWorker();
    sock = tmpPath('cli-uh.sock');
    daemon = await spawnDaemon(['--listen-socket', sock]);
    await waitReady(daemon);
  });
  after(async () => {
    await daemon?.kill();
    await worker?.stop();
  });

  it('update execute prints the result; a rejected update exits 1 with its failure; start, result and describe by update ID', async () => {
    const w = uniqueId('cliu');
    expect((await cli('start', '--type', 'updatable', '-t', worker.taskQueue, '-w', w, '-i', '5')).code).to.equal(0);
    const ex = await cli('update', 'execute', '-w', w, '--name', 'add', '-i', '2');
    expect(ex.code, ex.stderr).to.equal(0);
    expect(ex.out).to.deep.include({ workflowId: w, update: 'add', result: 7 });
    const bad = await cli('update', 'execute', '-w', w, '--name', 'add', '--input=-1');
    expect(bad.code).to.equal(1);
    expect(bad.out.failure.message).to.match(/add rejects -1/);
    expect(bad.err.type).to.equal('WorkflowUpdateFailedError');
    const st = await cli('update', 'start', '-w', w, '--name', 'waitForRelease', '-i', '"r"', '--update-id', 'cli-u1');
    expect(st.out).to.deep.include({ updateId: 'cli-u1', stage: 'ACCEPTED' });
    expect((await cli('update', 'describe', '-w', w, '--update-id', 'cli-u1')).out).to.deep.include({ updateId: 'cli-u1', stage: 'ACCEPTED' });
    expect((await cli('signal', '-w', w, '--name', 'release')).code).to.equal(0);
    expect((await cli('update', 'result', '-w', w, '--update-id', 'cli-u1')).out).to.deep.include({ updateId: 'cli-u1', result: 'r' });
    const usage = await cli('update', 'result', '-w', w);
    expect(usage.code).to.equal(2);
    expect(usage.err.message).to.match(/needs --update-id/);
    await cli('terminate', '-w', w);
  });

  it('update-with-start: executes, and with --wait-for-stage returns at that stage; --id-conflict-policy is required', async () => {
    const w = uniqueId('cliuws');
    const common = ['--type', 'updatable', '-t', worker.taskQueue, '-w', w, '-i', '1', '--name', 'add'];
    const ex = await cli('update-with-start', ...common, '--id-conflict-policy', 'USE_EXISTING', '--update-input', '2');
    expect(ex.code, ex.stderr).to.equal(0);
    expect(ex.out).to.deep.include({ workflowId: w, result: 3 });
    const st = await cli('update-with-start', ...common, '--id-conflict-policy', 'USE_EXISTING', '--update-input', '3', '--wait-for-stage', 'COMPLETED');
    expect(st.out).to.deep.include({ stage: 'COMPLETED', value: 6 });
    const missing = await cli('update-with-start', ...common);
    expect(missing.code).to.equal(2);
    expect(missing.err.message).to.match(/--id-conflict-policy is required/);
    await cli('terminate', '-w', w);
  });

  it('show prints the replay-ready document (json) or one event a line (jsonl); --follow streams across the chain until it ends', async () => {
    const w = uniqueId('clishow');
    const started = await cli('start', '--type', 'chain', '-t', worker.taskQueue, '-w', w, '-i', '1');
    await cli('result', '-w', w);
    // From the first run (without -r a watch starts at the current run, here the last).
    const followed = await cli('show', '-w', w, '-r', started.out.runId, '--follow');
    expect(followed.code, followed.stderr).to.equal(0);
    const lines = followed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const runs = [...new Set(lines.map((l) => l.runId))];
    expect(runs).to.have.length(2);
    const json = await cli('show', '-w', w);
    expect(json.out.events[0].eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(json.out.events.at(-1).eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    expect(lines.filter((l) => l.runId === runs[1]).map((l) => l.eventId)).to.deep.equal(json.out.events.map((e: { eventId: string }) => e.eventId));
    const jsonl = await cli('show', '-w', w, '-o', 'jsonl');
    expect(jsonl.stdout.trim().split('\n')).to.have.length(json.out.events.length);
    expect((await cli('show', '-w', w, '--follow', '-o', 'json')).code).to.equal(2);
  });

  it('list (json, jsonl, --limit), count with GROUP BY, metadata and stack', async () => {
    const tag = uniqueId('clil');
    for (let i = 0; i < 3; i++) await cli('start', '--type', 'echo', '-t', worker.taskQueue, '-w', `${tag}-${i}`, '-i', String(i), '--search-attribute', `CustomKeywordField="${tag}"`);
    const q = `CustomKeywordField = "${tag}" AND ExecutionStatus = "Completed"`;
    const deadline = Date.now() + 15_000;
    while ((await cli('count', '-q', q)).out?.count !== 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const list = await cli('list', '-q', q);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.out.map((e: { workflowId: string }) => e.workflowId).sort()).to.deep.equal([0, 1, 2].map((i) => `${tag}-${i}`));
    const lines = (await cli('list', '-q', q, '--limit', '2', '-o', 'jsonl')).stdout.trim().split('\n');
    expect(lines).to.have.length(2);
    const grouped = await cli('count', '-q', `CustomKeywordField = "${tag}" GROUP BY ExecutionStatus`);
    expect(grouped.out).to.deep.include({ count: 3 });
    expect(grouped.out.groups[0]).to.deep.equal({ count: 3, groupValues: ['Completed'] });
    expect((await cli('list', '--limit', '0')).code).to.equal(2);
    const w = uniqueId('clim');
    await cli('start', '--type', 'signals', '-t', worker.taskQueue, '-w', w);
    const meta = await cli('metadata', '-w', w);
    expect(meta.out.definition.type).to.equal('signals');
    const stack = await cli('stack', '-w', w);
    expect(stack.out.stackTrace).to.match(/signals/);
    await cli('terminate', '-w', w);
  });

  it('describe -o text shows each pending detail as its own section: activities with heartbeat details and last failure, the workflow task', async () => {
    const w = uniqueId('clidesc');
    expect((await cli('start', '--type', 'withFailingActivity', '-t', worker.taskQueue, '-w', w, '-i', '{"order":1}')).code).to.equal(0);
    let text = '';
    for (let i = 0; i < 50 && !/Attempt +[2-9]/.test(text); i++) {
      text = (await cli('describe', '-w', w, '-o', 'text')).stdout;
      if (!/Attempt +[2-9]/.test(text)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).to.match(/^Status +RUNNING$/m);
    expect(text).to.match(/^Pending activities \(1\)$/m);
    expect(text).to.match(/^ {2}ActivityType +heartbeatThenFail$/m);
    expect(text).to.match(/^ {2}HeartbeatDetails +\[\{"detail":\{"order":1\},"at":"before-failure"\}\]$/m);
    expect(text).to.match(/^ {2}LastFailure +\{"type":"ApplicationError","message":"activity boom"/m);
    // Empty details have no section; null fields of an entry no row.
    expect(text).to.not.match(/^Pending children/m);
    expect(text).to.not.match(/^ {2}PauseInfo/m);
    const json = (await cli('describe', '-w', w)).out;
    expect(json.pendingActivities[0].activityType).to.equal('heartbeatThenFail');
    await cli('terminate', '-w', w);
    const idle = uniqueId('clidesc-wft');
    expect((await cli('start', '--type', 'forever', '-t', uniqueId('no-worker'), '-w', idle)).code).to.equal(0);
    const idleText = (await cli('describe', '-w', idle, '-o', 'text')).stdout;
    expect(idleText).to.match(/^Pending workflow task\n {2}State +SCHEDULED$/m);
    await cli('terminate', '-w', idle);
  });
});
