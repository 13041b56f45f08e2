/**
 * The command-line clients run as processes (`node bin/temporal-handled.js <cmd> ...`, and the
 * native `temporal-handled-rs <cmd> ...` when it is built):
 * stdout JSON, stderr error objects and exit codes, attached to a daemon this test
 * starts (socket and TCP), and once starting a daemon for the call.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { spawnDaemon, tmpPath, waitReady, type DaemonProcess } from '../harness/daemon';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../harness/env';

import { cliVariants } from '../harness/cli';

for (const client of cliVariants()) {
  const { start, run } = client;
  describe(`command-line client (${client.name})`, function () {
    let worker: RunningWorker;
    let daemon: DaemonProcess;
    let sock: string;
    let tq: string;
    let port: number;
    let tokenFile: string;
    /** Runs a command attached to the test's daemon socket. */
    const cli = (...args: string[]) => run([...args, '--socket', sock]);
    const daemonStatus = async () => (await cli('status')).out as { pid: number; handles: number; inFlight: number; clients: number };

    before(async function () {
      this.timeout(120_000);
      await testEnv();
      worker = await startWorker();
      tq = worker.taskQueue;
      sock = tmpPath('cli.sock');
      tokenFile = tmpPath('token');
      port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      daemon = await spawnDaemon(['--socket', sock, '--port', String(port), '--token-file', tokenFile]);
      await waitReady(daemon);
    });
    after(async function () {
      this.timeout(30_000);
      await daemon?.kill();
      await worker?.stop();
    });

    it('help-client and --help document the commands and the exit codes (exit 0)', async () => {
      const [all, one] = await Promise.all([run(['help-client']), run(['start', '--help'])]);
      expect(all.code).to.equal(0);
      for (const c of ['start', 'describe', 'query', 'signal', 'cancel', 'terminate', 'result', 'call', 'status']) expect(all.stdout).to.contain(`  ${c} `);
      expect(all.stdout).to.contain('Exit codes:').and.contain('Examples:');
      expect(all.stdout).to.match(/\n {2}2 +bad usage/);
      expect(one.code).to.equal(0);
      expect(one.stdout).to.contain('--task-queue').and.contain('Exit codes:');
    });

    it('bad usage exits 2 with a UsageError on stderr and nothing on stdout', async () => {
      const cases = [
        ['start', '-w', 'x', '--socket', sock],
        ['describe', '-w', 'x', '--bogus', '--socket', sock],
        ['start', '--type', 'echo', '-t', tq, '-w', 'x', '-i', '{not json', '--socket', sock],
        ['start', '--type', 'echo', '-t', tq, '-w', 'x', '--id-reuse-policy', 'Sometimes', '--socket', sock],
        ['start', '--type', 'echo', '-t', tq, '-w', 'x', '--memo', 'novalue', '--socket', sock],
        ['result', '-w', 'x', '--follow', '--no-follow', '--socket', sock],
        ['query', '-w', 'x', '--socket', sock],
        ['call', '--socket', sock],
        ['status', '-o', 'yaml', '--socket', sock],
        ['status', '--command-timeout', 'soon', '--socket', sock],
        ['status', '--socket', sock, '--address', 'localhost:7233'],
      ];
      const runs = await Promise.all(cases.map((c) => run(c)));
      runs.forEach((r, i) => {
        expect(r.code, cases[i]!.join(' ')).to.equal(2);
        expect(r.stdout, cases[i]!.join(' ')).to.equal('');
        expect(r.err.type, cases[i]!.join(' ')).to.equal('UsageError');
      });
      expect(runs[0]!.err.message).to.contain('--type is required');
      expect(runs[2]!.err.message).to.contain('--input must be JSON');
      expect(runs[3]!.err.message).to.contain('ALLOW_DUPLICATE');
      expect(runs[10]!.err.message).to.contain('--address');
      // The daemon rejecting params is bad usage too.
      const [badDuration, noMethod] = await Promise.all([cli('start', '--type', 'echo', '-t', tq, '-w', uniqueId(), '--execution-timeout', 'soon'), cli('call', 'no/such')]);
      expect(badDuration.code).to.equal(2);
      expect(badDuration.err).to.include({ type: 'InvalidParams', code: -32602 });
      expect(badDuration.err.message).to.contain('executionTimeout');
      expect(noMethod.code).to.equal(2);
      expect(noMethod.err.type).to.equal('MethodNotFound');
    });

    it('start, signal, query, describe and result of one workflow (exit 0), and the CLI policy spellings', async () => {
      const id = uniqueId('cli');
      const before = (await daemonStatus()).handles;
      const s = await cli('start', '--type', 'signals', '--task-queue', tq, '--workflow-id', id, '--memo', 'owner="cli"', '--id-reuse-policy', 'AllowDuplicate', '--id-conflict-policy', 'Fail');
      expect(s.code, s.stderr).to.equal(0);
      expect(s.stderr).to.equal('');
      expect(s.out).to.include({ workflowId: id, namespace: 'default', type: 'signals', taskQueue: tq });
      expect(s.out.runId).to.be.a('string');
      expect(s.out.firstExecutionRunId).to.equal(s.out.runId);

      const sig = await cli('signal', '-w', id, '--name', 'add', '-i', '{"n":1}');
      expect(sig.code).to.equal(0);
      expect(sig.out).to.deep.equal({ workflowId: id, runId: null, signal: 'add' });
      await cli('signal', '-w', id, '-r', s.out.runId, '--name', 'add', '--input', '"two"');

      const [state, greet, greetText, desc, descText] = await Promise.all([
        cli('query', '-w', id, '--name', 'state'),
        cli('query', '-w', id, '--name', 'greet', '-i', '"Hello"', '-i', '"World"', '-o', 'jsonl'),
        cli('query', '-w', id, '--name', 'greet', '-i', '"Hi"', '-i', '"you"', '-o', 'text'),
        cli('describe', '-w', id),
        cli('describe', '-w', id, '-r', s.out.runId, '-o', 'text'),
      ]);
      expect(state.code).to.equal(0);
      expect(state.out.result.values).to.deep.equal([{ n: 1 }, 'two']);
      expect(state.out).to.include({ workflowId: id, query: 'state' });
      expect(greet.stdout).to.equal(`${JSON.stringify({ workflowId: id, runId: null, query: 'greet', result: 'Hello, World!' })}\n`);
      expect(greetText.stdout).to.equal('Hi, you!\n');
      expect(desc.code).to.equal(0);
      expect(desc.out).to.include({ workflowId: id, runId: s.out.runId, workflowType: 'signals', taskQueue: tq, status: 'RUNNING' });
      expect(desc.out.memo).to.deep.equal({ owner: 'cli' });
      expect(descText.stdout).to.match(/^Status +RUNNING$/m);

      await cli('signal', '-w', id, '--name', 'finish');
      const r = await cli('result', '-w', id);
      expect(r.code).to.equal(0);
      expect(r.out).to.deep.equal({ workflowId: id, runId: s.out.runId, status: 'COMPLETED', result: [{ n: 1 }, 'two'] });
      expect(r.stderr).to.equal(''); // no progress line: stderr is not a terminal
      // Every handle the commands made in the shared daemon was released.
      expect((await daemonStatus()).handles).to.equal(before);
    });

    it('numbers stay exact through the command line: an int64 memo and termination details in, and out as JSON and text', async () => {
      const big = '12345678901234567891';
      const id = uniqueId('cli-exact');
      const s = await cli('start', '--type', 'forever', '-t', tq, '-w', id, '--memo', `id=${big}`, '--memo', 'f=1.0');
      expect(s.code, s.stderr).to.equal(0);
      const [json, jsonl, text] = await Promise.all([cli('describe', '-w', id), cli('describe', '-w', id, '-o', 'jsonl'), cli('describe', '-w', id, '-o', 'text')]);
      expect(json.stdout).to.match(new RegExp(`"id": ${big}[,\\n]`));
      expect(json.stdout).to.match(/"f": 1\.0[,\n]/);
      expect(jsonl.stdout).to.match(new RegExp(`"id":${big}[,}]`));
      expect(text.stdout).to.match(new RegExp(`^Memo +\\{.*"id":${big}`, 'm'));
      await cli('terminate', '-w', id, '--details', big, '--details', `{"n":-${big}}`);
      const r = await cli('result', '-w', id, '-o', 'jsonl');
      expect(r.code).to.equal(1);
      expect(r.stdout).to.contain(`"details":[${big},{"n":-${big}}]`);
    });

    it('failed calls exit 3: already started, not found, query failed and rejected', async () => {
      const id = uniqueId('cli');
      await cli('start', '--type', 'signals', '-t', tq, '-w', id);
      const [dup, missing, qfail] = await Promise.all([cli('start', '--type', 'signals', '-t', tq, '-w', id), cli('describe', '-w', uniqueId('missing')), cli('query', '-w', id, '--name', 'fail')]);
      expect(dup.code).to.equal(3);
      expect(dup.stdout).to.equal('');
      expect(dup.err).to.include({ type: 'WorkflowAlreadyStartedError', workflowId: id, workflowType: 'signals', code: 1002 });
      expect(missing.code).to.equal(3);
      expect(missing.err).to.include({ type: 'RPCError', status: 'NOT_FOUND' });
      expect(qfail.code).to.equal(3);
      expect(qfail.err.type).to.equal('WorkflowQueryFailedError');
      await cli('signal', '-w', id, '--name', 'finish');
      expect((await cli('result', '-w', id)).code).to.equal(0);
      const rejected = await cli('query', '-w', id, '--name', 'state', '--reject-condition', 'not_open');
      expect(rejected.code).to.equal(3);
      expect(rejected.err).to.include({ type: 'WorkflowQueryRejectedError', status: 'COMPLETED' });
    });

    it('result exits 1 when the workflow failed, was cancelled, terminated or timed out (outcome on stdout)', async () => {
      const ids = { failed: uniqueId('f'), cancelled: uniqueId('c'), terminated: uniqueId('t'), timedOut: uniqueId('o') };
      const starts = await Promise.all([
        cli('start', '--type', 'fail', '-t', tq, '-w', ids.failed, '-i', '"Oops"', '-i', 'true', '-i', '{"d":1}'),
        cli('start', '--type', 'cancellable', '-t', tq, '-w', ids.cancelled),
        cli('start', '--type', 'forever', '-t', tq, '-w', ids.terminated),
        cli('start', '--type', 'sleepy', '-t', tq, '-w', ids.timedOut, '--execution-timeout', '1s'),
      ]);
      starts.forEach((s) => expect(s.code, s.stderr).to.equal(0));
      await new Promise((r) => setTimeout(r, 300)); // let cancellable reach its wait
      const [cancel, term] = await Promise.all([
        cli('cancel', '-w', ids.cancelled, '--first-execution-run-id', starts[1]!.out.runId, '--reason', 'stop'),
        cli('terminate', '-w', ids.terminated, '--reason', 'enough', '--details', '"d1"', '--details', '2', '-o', 'text'),
      ]);
      expect(cancel.code).to.equal(0);
      expect(cancel.out).to.deep.equal({ workflowId: ids.cancelled, runId: null, firstExecutionRunId: starts[1]!.out.runId, cancelRequested: true });
      expect(term.code).to.equal(0);
      expect(term.stdout).to.match(/^Workflow terminated\n/);

      const [failed, cancelled, terminated, timedOut] = await Promise.all([
        cli('result', '-w', ids.failed),
        cli('result', '-w', ids.cancelled),
        cli('result', '-w', ids.terminated),
        cli('result', '-w', ids.timedOut),
      ]);
      for (const [r, status] of [
        [failed, 'FAILED'],
        [cancelled, 'CANCELED'],
        [terminated, 'TERMINATED'],
        [timedOut, 'TIMED_OUT'],
      ] as const) {
        expect(r.code, r.stderr).to.equal(1);
        expect(r.out.status).to.equal(status);
        expect(r.err.type).to.equal('WorkflowFailureError');
      }
      expect(failed.out.failure).to.include({ type: 'ApplicationError', applicationType: 'Oops', nonRetryable: true, message: 'failed with Oops' });
      expect(failed.out.failure.details).to.deep.equal([{ d: 1 }]);
      expect(failed.out.runId).to.equal(starts[0]!.out.runId);
      expect(cancelled.out.failure.type).to.equal('CancelledError');
      expect(terminated.out.failure).to.include({ type: 'TerminatedError', message: 'enough' });
      expect(timedOut.out.failure.type).to.equal('TimeoutError');
    });

    it('result follows continue-as-new (with --progress lines), and exits 1 with --no-follow', async () => {
      const id = uniqueId('chain');
      const s = await cli('start', '--type', 'chain', '-t', tq, '-w', id, '-i', '2');
      const [follow, noFollow] = await Promise.all([cli('result', '-w', id, '-r', s.out.runId, '--follow', '--progress'), cli('result', '-w', id, '-r', s.out.runId, '--no-follow')]);
      expect(follow.code).to.equal(0);
      expect(follow.out).to.include({ workflowId: id, status: 'COMPLETED' });
      expect(follow.out.result).to.deep.equal({ runs: 3, n: 2 });
      const lines = follow.stderr.trim().split('\n');
      expect(lines).to.have.length(4);
      expect(lines[0]).to.match(/^waiting for /);
      expect(lines[1]).to.contain('CONTINUED_AS_NEW');
      expect(lines[3]).to.equal(`COMPLETED (run ${follow.out.runId})`);
      expect(noFollow.code).to.equal(1);
      expect(noFollow.out).to.include({ workflowId: id, runId: s.out.runId, status: 'CONTINUED_AS_NEW' });
      expect(noFollow.out.newExecutionRunId).to.be.a('string');
      expect(noFollow.err.type).to.equal('WorkflowContinuedAsNewError');

      // On a terminal (here a pty from script(1)), the progress line is rewritten in place.
      if (fs.existsSync('/usr/bin/script')) {
        const cmd = [client.command, ...client.prefix, 'result', '-w', id, '-r', s.out.runId, '--socket', sock].map((a) => `'${a}'`).join(' ');
        const child = spawn('/usr/bin/script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout!.on('data', (c) => (out += c));
        expect(await new Promise((r) => child.on('close', r))).to.equal(0);
        expect(out).to.contain('\r\x1b[Kwaiting for').and.contain('CONTINUED_AS_NEW').and.contain('"status": "COMPLETED"');
      }
    });

    it('call any method, and status (exit 0)', async () => {
      const [st, call, getHandle, bad, positional] = await Promise.all([
        cli('status', '-o', 'jsonl'),
        cli('call', 'daemon/status'),
        cli('call', 'workflow/getHandle', '{"workflowId":"w-1","runId":"r-1"}'),
        cli('call', 'handle/describe', '{}'),
        cli('call', 'daemon/status', '[]'),
      ]);
      expect(positional.code, positional.stderr).to.equal(0);
      expect(st.code).to.equal(0);
      expect(st.stdout.trim().split('\n')).to.have.length(1);
      expect(st.out.pid).to.equal(daemon.child.pid);
      expect(call.code).to.equal(0);
      expect(call.out.pid).to.equal(daemon.child.pid);
      expect(getHandle.code).to.equal(0);
      expect(getHandle.out).to.include({ workflowId: 'w-1', runId: 'r-1', resultRunId: 'r-1', firstExecutionRunId: null });
      expect(bad.code).to.equal(2);
      expect(bad.err.type).to.equal('InvalidParams');
      await cli('call', 'handle/release', JSON.stringify({ handle: getHandle.out.handle }));
    });

    it('attaches by TEMPORAL_HANDLED_SOCKET, or over TCP with --port and --token-file', async () => {
      const badToken = tmpPath('bad-token');
      fs.writeFileSync(badToken, 'not-the-secret-at-all\n');
      const [env, tcp, tcpBad, gone] = await Promise.all([
        run(['status'], { TEMPORAL_HANDLED_SOCKET: sock }),
        run(['status', '--port', String(port), '--token-file', tokenFile]),
        run(['status', '--port', String(port), '--token-file', badToken]),
        run(['status', '--socket', tmpPath('nobody.sock')]),
      ]);
      expect(env.code).to.equal(0);
      expect(env.out.pid).to.equal(daemon.child.pid);
      expect(tcp.code).to.equal(0);
      expect(tcp.out.pid).to.equal(daemon.child.pid);
      expect(tcpBad.code).to.equal(3);
      expect(tcpBad.err.type).to.equal('UnauthorizedError');
      expect(gone.code).to.equal(3);
      expect(gone.err.type).to.equal('ConnectionError');
    });

    it('without a socket, starts a daemon for the call (passing --address and --namespace through)', async () => {
      const { server } = await testEnv();
      const id = uniqueId('own');
      const s = await run(['start', '--type', 'echo', '-t', tq, '-w', id, '-i', '"mine"', '--address', server.address, '-n', 'default']);
      expect(s.code, s.stderr).to.equal(0);
      const [r, st] = await Promise.all([run(['result', '-w', id, '--address', server.address]), run(['status', '--address', server.address])]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.out).to.include({ workflowId: id, status: 'COMPLETED', result: 'mine' });
      expect(st.out.pid).to.not.equal(daemon.child.pid);
      expect(st.out.connection.address).to.equal(server.address);
      // A daemon that cannot start is a failed call.
      const broken = await run(['status', '--address', server.address, '--dev']);
      expect(broken.code).to.equal(3);
      expect(broken.err.type).to.equal('ConnectionError');
      expect(broken.err.message).to.contain('exited with code 2').and.contain('--dev and --address');
    });

    it('--command-timeout cancels the call (exit 3); SIGINT cancels it too (exit 130)', async () => {
      const id = uniqueId('forever');
      await cli('start', '--type', 'forever', '-t', tq, '-w', id);
      const t0 = Date.now();
      const timedOut = await cli('result', '-w', id, '--command-timeout', '300ms');
      expect(timedOut.code).to.equal(3);
      expect(timedOut.err.type).to.equal('CommandTimeout');
      expect(Date.now() - t0).to.be.below(5000);

      const baseline = (await daemonStatus()).inFlight;
      const { child, done } = start(['result', '-w', id, '--socket', sock]);
      const deadline = Date.now() + 10_000;
      while ((await daemonStatus()).inFlight <= baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      const r = await done;
      expect(r.code).to.equal(130);
      expect(r.err.type).to.equal('Interrupted');
      // The daemon cancelled the abandoned call.
      const s = await daemonStatus();
      expect(s.inFlight).to.equal(baseline);
      await cli('terminate', '-w', id);
    });
  });
}
