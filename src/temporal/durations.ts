/**
 * Durations in the syntax of Temporal's CLI (Go's `time.ParseDuration`:
 * `"100ms"`, `"1.5s"`, `"1h30m"`) or numbers of milliseconds, and their
 * conversion to `google.protobuf.Duration` / `Timestamp`.
 */
import { InvalidArgumentError } from './invalid-argument';
import Long from 'long';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

// As Go: digits with an optional fraction ("1.5", "1.", ".5"), then a unit.
const PART = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a duration to milliseconds; throws `InvalidArgumentError` naming what was wrong. */
export function parseDuration(value: unknown, what = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`${what} must be a non-negative number of milliseconds, got ${value}`);
    return value;
  }
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a duration string like "1.5s" or a number of milliseconds`);
  let rest = value.trim();
  if (rest === '0') return 0;
  if (rest === '') throw new InvalidArgumentError(`${what} must not be empty`);
  let total = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) throw new InvalidArgumentError(`${what} "${value}" is not a duration (use units ns, us, ms, s, m, h, e.g. "1h30m" or "1.5s")`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

export interface ProtoDuration {
  seconds: Long;
  nanos: number;
}

/** Milliseconds to a protobuf Duration/Timestamp shape. */
export function msToProto(ms: number): ProtoDuration {
  const wholeMs = Math.floor(ms);
  const seconds = Math.floor(wholeMs / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return { seconds: Long.fromNumber(seconds), nanos };
}

export function optionalDuration(value: unknown, what: string): ProtoDuration | undefined {
  if (value === undefined || value === null) return undefined;
  return msToProto(parseDuration(value, what));
}

/**
 * A protobuf Timestamp to an RFC 3339 string in UTC, or null when unset. The fraction
 * keeps the server's precision with 3, 6 or 9 digits, as protobuf's JSON form does
 * (`…:20.123Z`, `…:20.123456Z`, `…:20.123456789Z`).
 */
export function timestampToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!ts) return null;
  const s = ts.seconds;
  const secs = typeof s === 'number' ? s : s && typeof (s as Long).toNumber === 'function' ? (s as Long).toNumber() : Number(s ?? 0);
  const nanos = Math.max(0, Math.min(999_999_999, Math.trunc(ts.nanos ?? 0)));
  if (secs === 0 && nanos === 0) return null;
  let fraction = String(nanos).padStart(9, '0');
  while (fraction.length > 3 && fraction.endsWith('000')) fraction = fraction.slice(0, -3);
  return `${new Date(secs * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** A protobuf Duration to milliseconds, or null when unset. */
export function protoDurationToMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number | null {
  if (!d) return null;
  const s = d.seconds;
  const secs = typeof s === 'number' ? s : s && typeof (s as Long).toNumber === 'function' ? (s as Long).toNumber() : Number(s ?? 0);
  return secs * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}
