/**
 * Which gRPC failures are transient, and how long to wait before the next attempt.
 *
 * Retried: UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED, UNKNOWN, DATA_LOSS, OUT_OF_RANGE,
 * and INTERNAL when it is an HTTP/2 stream reset (as Temporal's SDKs do).
 * Backoff: 100 ms (1 s for RESOURCE_EXHAUSTED) times 1.7^attempt, capped at 5 s, with ±20 % jitter.
 */
import { Status } from './grpc-channel';

export interface RetryOptions {
  /** Attempts in all, the first included. @default 10 */
  maxAttempts: number;
  /** @default 100 */
  initialIntervalMs: number;
  /** @default 1.7 */
  factor: number;
  /** @default 5000 */
  maxIntervalMs: number;
  /** Jitter as a fraction of the delay. @default 0.2 */
  jitter: number;
}

export const defaultRetryOptions: RetryOptions = {
  maxAttempts: 10,
  initialIntervalMs: 100,
  factor: 1.7,
  maxIntervalMs: 5000,
  jitter: 0.2,
};

const RETRYABLE = new Set<number>([Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED, Status.ABORTED, Status.UNKNOWN, Status.DATA_LOSS, Status.OUT_OF_RANGE]);

export function isRetryable(code: number, details: string | undefined): boolean {
  if (RETRYABLE.has(code)) {
    // A message over the size limit comes back as RESOURCE_EXHAUSTED; retrying cannot help.
    if (code === Status.RESOURCE_EXHAUSTED && /larger than max/i.test(details ?? '')) return false;
    return true;
  }
  if (code === Status.INTERNAL) {
    const d = details ?? '';
    return /RST_STREAM with code 0|Call ended without gRPC status/i.test(d) || (/RST_STREAM with code 2/i.test(d) && !/SSL alert number/i.test(d));
  }
  return false;
}

/** Delay before attempt `attempt + 1`, where `attempt` counts from 1. */
export function backoffMs(attempt: number, code: number, o: RetryOptions = defaultRetryOptions): number {
  const initial = code === Status.RESOURCE_EXHAUSTED ? Math.max(1000, o.initialIntervalMs) : o.initialIntervalMs;
  const base = Math.min(o.maxIntervalMs, initial * o.factor ** attempt);
  const jitter = 1 - o.jitter + Math.random() * 2 * o.jitter;
  return Math.round(base * jitter);
}
