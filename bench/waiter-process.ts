/**
 * B4's waiting side, in a child process of its own so that arrival times are not
 * delayed by the benchmark's signalling or the worker: holds one `result()` per
 * workflow, through a daemon it spawns over stdio (mode "daemon", the TS client)
 * or through @temporalio/client directly (mode "direct"). Driven over fork IPC:
 *   in  {type:'init', mode, address, listenSocket?} out {type:'ready', idleRss} (the daemon also listens on listenSocket: other clients' calls)
 *   in  {type:'wait', workflows:[{id, runId}]}  out {type:'issued'} once every wait is sent
 *   in  {type:'status'}                          out {type:'status', rss, grpcInFlight?, heapUsed}
 *   (every 200 ms while waits end)              out {type:'ended', arrivals:[[i, ms]], errors:[[i, ms, msg]]}
 *   in  {type:'close'}                           out {type:'closed'} then exit
 */
import { Client, Connection } from '@temporalio/client';
import { TemporalHandledClient } from 'temporal-handled-client';
import { wallMs } from './stats';

type In = { type: 'init'; mode: 'daemon' | 'direct'; address: string; listenSocket?: string } | { type: 'wait'; workflows: { id: string; runId: string }[] } | { type: 'status' } | { type: 'close' };

const send = (m: object) => process.send?.(m);

let mode: 'daemon' | 'direct' = 'direct';
let daemon: TemporalHandledClient | undefined;
let direct: { client: Client; connection: Connection } | undefined;

function errText(err: unknown): string {
  const e = err as { name?: string; message?: string; status?: string; cause?: { message?: string } };
  const status = e.status ? ` [${e.status}]` : '';
  const cause = e.cause?.message ? ` (cause: ${e.cause.message})` : '';
  return `${e.name ?? 'Error'}${status}: ${e.message ?? String(err)}${cause}`.slice(0, 300);
}

async function status(): Promise<object> {
  if (mode === 'daemon' && daemon) {
    const s = (await daemon.status()) as { memory?: { rss?: number; heapUsed?: number }; grpcInFlight?: number; handles?: number; inFlight?: number };
    return { rss: s.memory?.rss ?? null, heapUsed: s.memory?.heapUsed ?? null, grpcInFlight: s.grpcInFlight ?? null, handles: s.handles ?? null, inFlight: s.inFlight ?? null };
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

function wait(workflows: { id: string; runId: string }[]): void {
  let arrivals: [number, number][] = [];
  let errors: [number, number, string][] = [];
  let ended = 0;
  const flush = () => {
    if (arrivals.length || errors.length) send({ type: 'ended', arrivals, errors });
    arrivals = [];
    errors = [];
  };
  const timer = setInterval(flush, 200);
  const finish = () => {
    if (++ended === workflows.length) {
      clearInterval(timer);
      flush();
    }
  };
  workflows.forEach((w, i) => {
    let p: Promise<unknown>;
    if (mode === 'daemon') p = daemon!.getWorkflowHandle(w.id, { runId: w.runId }).result();
    else p = direct!.client.workflow.getHandle(w.id, w.runId).result();
    p.then(
      () => arrivals.push([i, wallMs()]),
      (err) => errors.push([i, wallMs(), errText(err)]),
    ).finally(finish);
  });
  send({ type: 'issued' });
}

process.on('message', (m: In) => {
  void (async () => {
    try {
      if (m.type === 'init') {
        mode = m.mode;
        if (mode === 'daemon') {
          const args = ['--log-level', 'warn', ...(m.listenSocket ? ['--listen-socket', m.listenSocket] : [])];
          daemon = await TemporalHandledClient.spawn({ address: m.address, args, stderr: 'inherit' });
        } else {
          const connection = await Connection.connect({ address: m.address });
          direct = { connection, client: new Client({ connection }) };
        }
        // Let start-up garbage settle before the idle reading.
        await new Promise((r) => setTimeout(r, 500));
        send({ type: 'ready', ...(await status()) });
      } else if (m.type === 'wait') {
        wait(m.workflows);
      } else if (m.type === 'status') {
        send({ type: 'status', ...(await status()) });
      } else if (m.type === 'close') {
        if (daemon) await daemon.close();
        if (direct) await direct.connection.close();
        send({ type: 'closed' });
        process.exit(0);
      }
    } catch (err) {
      send({ type: 'error', message: errText(err) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
