/**
 * Logs hold no payload data above debug level (and at debug level they do, which
 * shows this test can see it when it is there).
 */
import { expect } from 'chai';
import { spawnDaemon, stdioClient, initialized } from '../harness/daemon';
import { rpcError } from '../harness/rpc-client';
import { testEnv, uniqueId, withWorker } from '../harness/env';

const SECRET = 'S3CRET-PAYLOAD-do-not-log';
const AUTH = 'AUTH-TOKEN-never-logged';

async function exercise(level: string): Promise<string> {
  const d = await spawnDaemon(['--stdio', '--log-level', level]);
  const c = stdioClient(d);
  try {
    await initialized(c, { authToken: AUTH });
    await withWorker(async (tq) => {
      const info = await c.request<{ handle: string }>('workflow/start', { workflowType: 'echo', taskQueue: tq, workflowId: uniqueId(), args: [SECRET], memo: { m: SECRET } });
      await c.request('handle/result', { handle: info.handle });
      await rpcError(c.request('handle/query', { handle: info.handle, query: SECRET, args: [SECRET] }));
    });
    // Malformed JSON and an invalid request that quote the secret.
    c.writeRaw(`Content-Length: ${SECRET.length + 2}\r\n\r\n{${SECRET}}`);
    c.send({ jsonrpc: '1.0', id: 99, method: SECRET });
    await c.waitFor((m) => m.id === 99);
    await c.request('shutdown');
    c.notify('exit');
    await d.exited;
    return d.stderr.join('\n');
  } finally {
    await d.kill();
  }
}

describe('daemon logs', function () {
  before(async function () {
    this.timeout(120_000);
    await testEnv();
  });

  for (const level of ['info', 'warn', 'error']) {
    it(`at --log-level ${level} hold no payload data, even from bad input`, async () => {
      const log = await exercise(level);
      expect(log).to.not.include(SECRET);
      expect(log).to.not.include(AUTH);
      if (level === 'info') expect(log).to.include('client connected');
    });
  }

  it('at --log-level debug do show it (so the checks above can fail)', async () => {
    const log = await exercise('debug');
    expect(log).to.include(SECRET);
    expect(log).to.not.include(AUTH);
  });
});
