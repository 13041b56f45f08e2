/**
 * vscode-languageclient's other two transports, TransportKind.pipe and TransportKind.socket.
 * The editor owns the endpoint: it listens (on generateRandomPipeName(), or on a 127.0.0.1
 * port), then spawns the server with `--pipe=NAME` or `--socket=PORT`, and the server DIALS it.
 * vscode-languageclient does this with vscode-jsonrpc's createClientPipeTransport and
 * createClientSocketTransport (client/src/node/main.ts); vscode-languageclient itself needs
 * VS Code to run, so these tests use those same vscode-jsonrpc functions.
 *
 * Before the daemon supported them, `--pipe NAME` was an alias of `--socket PATH` (the daemon
 * listened there, found the editor's listener live, and exited) and `--socket=PORT` was taken
 * as a Unix socket path named after the port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { createClientPipeTransport, createClientSocketTransport, createMessageConnection, generateRandomPipeName, type MessageReader, type MessageWriter } from 'vscode-jsonrpc/node';
import { BIN } from '../harness/daemon';
import { testEnv } from '../harness/env';

function spawnLikeVscode(arg: string, cwd: string): { child: ChildProcess; stderr: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, '--address', addressOf.value, arg, `--clientProcessId=${process.pid}`], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr, exited };
}
const addressOf = { value: '' };

async function session(connected: Promise<[MessageReader, MessageWriter]>, d: ReturnType<typeof spawnLikeVscode>, cwd: string): Promise<void> {
  const outcome = await Promise.race([
    connected.then((rw) => ({ rw })),
    d.exited.then((code) => ({ exited: code })),
    new Promise<{ timeout: true }>((r) => setTimeout(() => r({ timeout: true }), 15_000)),
  ]);
  if (!('rw' in outcome)) {
    const files = fs.readdirSync(cwd);
    throw new Error(
      `the daemon never connected to the client's endpoint (${'exited' in outcome ? `it exited ${outcome.exited}` : 'nothing in 15 s'}; files it left in its working directory: ${JSON.stringify(files)})\ndaemon stderr:\n${d.stderr.join('').slice(-3000)}`,
    );
  }
  const [reader, writer] = outcome.rw;
  const conn = createMessageConnection(reader, writer);
  conn.listen();
  try {
    await talk(conn, d);
  } catch (err) {
    await Promise.race([d.exited, new Promise((r) => setTimeout(r, 2000))]);
    (err as Error).message = `something connected to the client's endpoint, then: ${(err as Error).message} (daemon exit code: ${d.child.exitCode})\ndaemon stderr:\n${d.stderr.join('').slice(-3000)}`;
    throw err;
  } finally {
    conn.dispose();
  }
}

async function talk(conn: ReturnType<typeof createMessageConnection>, d: ReturnType<typeof spawnLikeVscode>): Promise<void> {
  const init = await conn.sendRequest<{ serverInfo: { name: string } }>('initialize', { processId: process.pid, clientInfo: { name: 'vscode-languageclient transports' }, capabilities: {} });
  expect(init.serverInfo.name).to.equal('temporal-handled');
  await conn.sendNotification('initialized', {});
  const st = await conn.sendRequest<{ clients: number }>('daemon/status');
  expect(st.clients).to.equal(1);
  expect(await conn.sendRequest('shutdown')).to.equal(null);
  await conn.sendNotification('exit');
  expect(await d.exited, 'the daemon exits 0 after shutdown and exit').to.equal(0);
}

describe('vscode-languageclient transports: the daemon dials the editor', function () {
  this.timeout(60_000);
  let cwd: string;
  let d: ReturnType<typeof spawnLikeVscode> | undefined;

  before(async function () {
    this.timeout(120_000);
    addressOf.value = (await testEnv()).server.address;
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'th-vscode-'));
  });
  afterEach(async () => {
    if (d && d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGKILL');
      await d.exited;
    }
    d = undefined;
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it(`TransportKind.pipe: --pipe=NAME connects to the pipe the client listens on`, async () => {
    const name = generateRandomPipeName();
    const transport = await createClientPipeTransport(name);
    try {
      d = spawnLikeVscode(`--pipe=${name}`, cwd);
      await session(transport.onConnected(), d, cwd);
    } finally {
      transport.close();
    }
  });

  it(`TransportKind.socket: --socket=PORT connects to 127.0.0.1:PORT where the client listens`, async () => {
    const transport = await createClientSocketTransport(0);
    try {
      d = spawnLikeVscode(`--socket=${transport.port()}`, cwd);
      await session(transport.onConnected(), d, cwd);
    } finally {
      transport.close();
    }
  });
});
