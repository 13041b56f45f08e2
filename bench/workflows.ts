/**
 * Workflows of the benchmarks, run by a real @temporalio/worker (bench/worker-process.ts).
 * Bundled into the worker's sandbox: only @temporalio/workflow here.
 */
import { condition, continueAsNew, defineQuery, defineSignal, defineUpdate, patched, setHandler, sleep } from '@temporalio/workflow';

export const pingSignal = defineSignal<[number?]>('ping');
export const finishSignal = defineSignal<[]>('finish');
export const countQuery = defineQuery<number>('count');
export const bumpUpdate = defineUpdate<number, [number]>('bump');

/** The target of describe, query and signal calls: counts `ping` signals, answers `count`, ends on `finish`. */
export async function target(): Promise<number> {
  let count = 0;
  let finished = false;
  setHandler(pingSignal, () => {
    count++;
  });
  setHandler(finishSignal, () => {
    finished = true;
  });
  setHandler(countQuery, () => count);
  setHandler(bumpUpdate, (n) => (count += n));
  await condition(() => finished);
  return count;
}

/** Blocks until `finish`; returns the workflow clock at completion (close times come from describe). */
export async function waiter(): Promise<{ doneAt: number }> {
  let finished = false;
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
  return { doneAt: Date.now() };
}

/** Continues as new until `n` runs have run; the last returns how many. */
export async function chain(n: number, done = 1): Promise<{ runs: number }> {
  if (done < n) await continueAsNew<typeof chain>(n, done + 1);
  return { runs: done };
}

/** Writes about `markers` events quickly (a patch marker each, 2,000 to a workflow task) for the history benchmark. */
export async function manyEvents(markers: number): Promise<number> {
  let written = 0;
  while (written < markers) {
    const n = Math.min(2000, markers - written);
    for (let i = 0; i < n; i++) patched(`p${written + i}`);
    written += n;
    await sleep(1);
  }
  return written;
}
