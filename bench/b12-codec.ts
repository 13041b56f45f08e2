/**
 * B12: what a codec server costs. describe (of a run with a memo field) and result (of a
 * completed run) p50/p99 through a daemon without a codec and through one with
 * --codec-endpoint, interleaved; and the codec's own cost apart: one `/decode` round trip of one
 * payload from this process. The codec server is the tests' AES-256-GCM one
 * (test/harness/codec-server.ts); the runs were started without it, so it passes their payloads
 * through, which costs the same round trip as a decryption of a payload this size.
 */
import { TemporalHandledClient } from 'temporal-handled-client';
import { startCodecServer } from '../test/harness/codec-server';
import { type Ctx, type ScenarioResult, fmt, mdTable, uid } from './common';
import { nowMs, percentile, round } from './stats';

export async function b12(ctx: Ctx): Promise<ScenarioResult> {
  const size = ctx.quick ? { warmup: 20, rounds: 3, calls: 50 } : { warmup: 50, rounds: 5, calls: 150 };
  ctx.log(`B12: describe and result with and without a codec server, ${size.rounds} rounds of ${size.calls}`);
  const codec = await startCodecServer();
  const withCodec = await TemporalHandledClient.spawn({ address: ctx.main.address, args: ['--log-level', 'warn', '--codec-endpoint', codec.url] });
  try {
    const c = ctx.main.client;
    const parked = uid('b12');
    await c.workflow.start('target', { taskQueue: ctx.parkedQueue, workflowId: parked, args: [], memo: { owner: 'bench' } });
    const done = uid('b12r');
    const finished = await c.workflow.start('target', { taskQueue: ctx.taskQueue, workflowId: done, args: [] });
    await finished.signal('finish');
    await finished.result();
    const paths: Record<string, () => Promise<unknown>> = {
      'describe, no codec': () => ctx.daemon.getWorkflowHandle(parked).describe(),
      'describe, codec': () => withCodec.getWorkflowHandle(parked).describe(),
      'result, no codec': () => ctx.daemon.getWorkflowHandle(done).result(),
      'result, codec': () => withCodec.getWorkflowHandle(done).result(),
      'codec /decode alone (1 payload)': () =>
        fetch(`${codec.url}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
          body: JSON.stringify({ payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"bench"').toString('base64') }] }),
        }).then((r) => r.text()),
    };
    for (const f of Object.values(paths)) for (let i = 0; i < size.warmup; i++) await f();
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
    for (let r = 0; r < size.rounds; r++) {
      for (const [name, f] of Object.entries(paths)) {
        for (let i = 0; i < size.calls; i++) {
          const t0 = nowMs();
          await f();
          samples[name]!.push(nowMs() - t0);
        }
      }
    }
    const p = (name: string, q: number) => percentile(samples[name]!, q);
    const md = [
      `${size.rounds} interleaved rounds of ${size.calls} sequential calls per path (after ${size.warmup} warm-up each), TS client over stdio; one daemon without a codec, one with \`--codec-endpoint\` (the AES-256-GCM test codec server on 127.0.0.1).`,
      '',
      mdTable(
        ['path', 'p50, ms', 'p99, ms'],
        Object.keys(paths).map((n) => [n, fmt(p(n, 50)), fmt(p(n, 99))]),
      ),
      '',
      `The codec adds ${fmt(p('describe, codec', 50) - p('describe, no codec', 50))} ms to a describe's p50 and ${fmt(p('result, codec', 50) - p('result, no codec', 50))} ms to a result's (each makes one /decode call); the round trip alone is ${fmt(p('codec /decode alone (1 payload)', 50))} ms.`,
    ].join('\n');
    return {
      id: 'B12',
      title: 'B12: codec server cost: describe and result with and without it',
      data: { size, samples: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(round)])) },
      markdown: md,
      targets: [],
    };
  } finally {
    await withCodec.close();
    await codec.close();
  }
}
