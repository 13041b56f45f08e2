/**
 * The cancellation signal the Temporal layer takes: the part of AbortSignal it uses. An
 * AbortSignal fits it; so does RequestSignal, the daemon's lighter signal for each request.
 *
 * Why not AbortSignal everywhere: Node's AbortController with its signal and one listener
 * costs about 940 bytes of heap (an EventTarget with two maps and a shape of its own); a
 * RequestSignal with its listener, about 100. A daemon holding 100,000 result waits holds one
 * per wait.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A signal that fires once, when `abort` is called; its listeners are called once each, in order. */
export class RequestSignal implements CancelSignal {
  private fired = false;
  /** Its listeners: none, one (the usual case: a function), or several. */
  private listeners: (() => void) | (() => void)[] | undefined;

  get aborted(): boolean {
    return this.fired;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.fired) return;
    const l = this.listeners;
    if (l === undefined) this.listeners = listener;
    else if (typeof l === 'function') this.listeners = [l, listener];
    else l.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const l = this.listeners;
    if (l === listener) this.listeners = undefined;
    else if (Array.isArray(l)) {
      const i = l.indexOf(listener);
      if (i >= 0) l.splice(i, 1);
    }
  }

  /** Fires: every listener is called, even past one that throws; the first error is then thrown. */
  abort(): void {
    if (this.fired) return;
    this.fired = true;
    const l = this.listeners;
    this.listeners = undefined;
    if (typeof l === 'function') l();
    else if (l) {
      let first: { err: unknown } | undefined;
      for (const f of l) {
        try {
          f();
        } catch (err) {
          first ??= { err };
        }
      }
      if (first) throw first.err;
    }
  }
}

/**
 * An AbortSignal that fires with `signal` (for APIs that need a real one, such as fetch), and
 * `dispose` to stop following it once the call is over: a long request (a watch decoding batch
 * after batch) would otherwise gather one listener per call.
 */
export function toAbortSignal(signal: CancelSignal): { signal: AbortSignal; dispose: () => void } {
  if (signal instanceof AbortSignal) return { signal, dispose: () => undefined };
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  if (signal.aborted) ac.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { signal: ac.signal, dispose: () => signal.removeEventListener('abort', onAbort) };
}
