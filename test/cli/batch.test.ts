/**
 * `temporal-handled batch`: many commands over one connection, one JSON line each.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { spawnDaemon, tmpPath, waitReady, type DaemonProcess } from '../harness/daemon';
import { startWorker, testEnv, uniqueId, type RunningWorker } from '../harness/env';
import { splitWords } from '../../src/cli/client/batch';
import { cliVariants, type CliVariant } from '../harness/cli';

function batchWith(client: CliVariant, args: string[], input: string): Promise<{ code: number | null; lines: any[]; stderr: string }> {
  const env = { ...process.env };
  delete env.TEMPORAL_HANDLED_SOCKET;
  const child = spawn(client.command, [...client.prefix, 'batch', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(input);
  return new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({
        code,
        stderr,
        lines: stdout.trim()
          ? stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l))
          : [],
      }),
    ),
  );
}

for (const client of cliVariants()) {
  const batch = (args: string[], input: string) => batchWith(client, args, input);
  describe(`command-line client (${client.name}): batch`, function () {
    let worker: RunningWorker;
    let daemon: DaemonProcess;
    let sock: string;

    before(async function () {
      this.timeout(120_000);
      await testEnv();
      worker = await startWorker();
      sock = tmpPath('batch.sock');
      daemon = await spawnDaemon(['--socket', sock]);
      await waitReady(daemon);
    });
    after(async () => {
      await daemon?.kill();
      await worker?.stop();
    });

    it('splits lines as a shell does for quotes and backslashes', () => {
      expect(splitWords(`start --type echo -i '"a b"' -i "{\\"k\\": 1}" -w x\\ y`)).to.deep.equal(['start', '--type', 'echo', '-i', '"a b"', '-i', '{"k": 1}', '-w', 'x y']);
      expect(() => splitWords(`query -w 'open`)).to.throw(/unterminated single quote/);
    });

    it('runs every line in order over one connection and reports each with its exit code', async () => {
      const id = uniqueId('batch');
      const tq = worker.taskQueue;
      const input = [
        '# a comment, then an empty line',
        '',
        `start --type signals -t ${tq} -w ${id}`,
        `signal -w ${id} --name add -i '"first"'`,
        JSON.stringify(['signal', '-w', id, '--name', 'add', '-i', '{"n": 2}']),
        `query -w ${id} --name state`,
        `signal -w ${id} --name finish`,
        `result -w ${id}`,
        `describe -w no-such-${id}`,
        `describe --bogus`,
        `status`,
      ].join('\n');
      const connections = () => daemon.stderr.filter((l) => l.includes('client connected')).length;
      const handles = async () => (await batch(['--socket', sock], 'status\n')).lines[0].result.handles as number;
      const handlesBefore = await handles();
      const before = connections();
      const r = await batch(['--socket', sock], input);
      expect(r.lines.map((l) => [l.line, l.command, l.exitCode])).to.deep.equal([
        [3, 'start', 0],
        [4, 'signal', 0],
        [5, 'signal', 0],
        [6, 'query', 0],
        [7, 'signal', 0],
        [8, 'result', 0],
        [9, 'describe', 3],
        [10, 'describe', 2],
        [11, 'status', 0],
      ]);
      expect(r.lines[0].result.workflowId).to.equal(id);
      expect(r.lines[3].result.result.values).to.deep.equal(['first', { n: 2 }]);
      expect(r.lines[5].result).to.include({ status: 'COMPLETED' });
      expect(r.lines[5].result.result).to.deep.equal(['first', { n: 2 }]);
      expect(r.lines[6].error).to.include({ type: 'RPCError', status: 'NOT_FOUND' });
      expect(r.lines[7].error.message).to.match(/bogus/);
      // All lines shared the batch's one connection: the daemon saw one more client, not nine.
      expect(connections() - before).to.equal(1);
      // Lines about one workflow shared a daemon handle, and the batch released every handle it made.
      expect(await handles()).to.equal(handlesBefore);
      expect(r.code).to.equal(3);
    });

    it('refuses flags that choose a daemon on a line, and nested batches', async () => {
      const r = await batch(['--socket', sock], `status --socket ${sock}\nbatch\nstatus\n`);
      expect(r.lines.map((l) => l.exitCode)).to.deep.equal([2, 2, 0]);
      expect(r.lines[0].error.message).to.match(/--socket belongs on the batch command line/);
      expect(r.code).to.equal(2);
    });

    it('exits 1 when a workflow ended unsuccessfully and nothing worse happened', async () => {
      const id = uniqueId('batch-fail');
      const r = await batch(['--socket', sock], `start --type fail -t ${worker.taskQueue} -w ${id} -i '"Bad"' -i true\nresult -w ${id}\n`);
      expect(r.lines.map((l) => l.exitCode)).to.deep.equal([0, 1]);
      expect(r.lines[1].result.status).to.equal('FAILED');
      expect(r.code).to.equal(1);
    });
  });
}
