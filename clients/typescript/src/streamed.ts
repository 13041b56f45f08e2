/**
 * A streamed call (a `partialResultToken` request) as an async generator: it yields each
 * `$/progress` batch as it arrives and returns the call's answer. Leaving the loop early
 * (or aborting `outer`) cancels the call.
 */
export async function* streamed<R>(run: (onBatch: (batch: unknown) => void, signal: AbortSignal) => Promise<R>, outer?: AbortSignal): AsyncGenerator<unknown, R, undefined> {
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const queue: unknown[] = [];
  let wake: (() => void) | undefined;
  let done: { ok: true; value: R } | { ok: false; error: unknown } | undefined;
  void run((batch) => {
    queue.push(batch);
    wake?.();
  }, ac.signal)
    .then(
      (value) => (done = { ok: true, value }),
      (error) => (done = { ok: false, error }),
    )
    .finally(() => wake?.());
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift();
      if (done) {
        if (done.ok) return done.value;
        throw done.error;
      }
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    if (!done) ac.abort();
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
