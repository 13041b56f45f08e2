/**
 * Workflows of the benchmarks, run by a real @temporalio/worker (bench/worker-process.ts).
 * Bundled into the worker's sandbox: only @temporalio/workflow here.
 */
import { condition, continueAsNew, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';

export const pingSignal = defineSignal<[number?]>('ping');
export const finishSignal = defineSignal<[]>('finish');
export const countQuery = defineQuery<number>('count');

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
