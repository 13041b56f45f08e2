/**
 * JSON whose numbers come through exactly as written.
 *
 * A JavaScript number is a double: `12345678901234567891` becomes
 * `12345678901234567000`, and `1.0` becomes `1` (an int, to a Python client).
 * The daemon carries other programs' values, so a number token that a double
 * would change is kept as its source text, in an `ExactNumber`, and written back
 * out as that same text. Every other number is an ordinary JS number, and text
 * without such tokens takes the fast path (`JSON.parse` / `JSON.stringify`).
 */
import { randomBytes } from 'node:crypto';

/**
 * Stands in for the JSON text of a number. `JSON.stringify` writes it as a marker
 * string (a per-process random tag: no value can hold it by chance), which
 * `stringifyExact` turns back into the bare number.
 */
const TAG = `\u0000exact-${randomBytes(12).toString('hex')}:`;
const TAG_IN_JSON = JSON.stringify(TAG).slice(1, -1);
const MARKER = new RegExp(`"${TAG_IN_JSON.replace(/\\/g, '\\\\')}([-+.0-9eE]+)"`, 'g');

let created = 0;

/** A JSON number that a double would not carry exactly, held as its text. */
export class ExactNumber {
  constructor(readonly text: string) {
    created++;
  }

  /** The nearest double (what JSON.parse would have given). */
  valueOf(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return TAG + this.text;
  }
}

/** Whether any ExactNumber was ever made in this process (until then there is none to look for). */
export function exactNumbersSeen(): boolean {
  return created > 0;
}

/** A JSON object or array: `typeof` says "object" for an ExactNumber too, which is neither. */
export function isJsonStructure(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && !(v instanceof ExactNumber);
}

/** A JSON object (not an array, null, or a number kept exact). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return isJsonStructure(v) && !Array.isArray(v);
}

/** Whether the double of `token` prints back as `token`. */
function roundTrips(token: string): boolean {
  return String(Number(token)) === token;
}

// A number token follows `:`, `,`, `[` or the start, and is followed by `,`, `}`, `]`
// or the end. This also matches inside strings now and then, which only costs the
// slow path; it never misses a real token.
const NUMBER_TOKEN = /(?:^|[:,[])\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?=\s*(?:[,}\]]|$))/g;

/** Whether every number token of `text` round-trips through a double. */
function allNumbersRoundTrip(text: string): boolean {
  NUMBER_TOKEN.lastIndex = 0;
  for (let m = NUMBER_TOKEN.exec(text); m; m = NUMBER_TOKEN.exec(text)) {
    if (!roundTrips(m[1]!)) return false;
  }
  return true;
}

/**
 * `JSON.parse`, except that a number a double would change becomes an
 * `ExactNumber`. Throws `SyntaxError` for text that is not JSON.
 */
export function parseExact(text: string): unknown {
  if (allNumbersRoundTrip(text)) return JSON.parse(text);
  // JSON.parse first: it gives the familiar SyntaxError for text that is not JSON.
  const plain: unknown = JSON.parse(text);
  // Loaded on first need: most processes (the shell client above all) never need it.
  const { parse: parseLossless } = require('lossless-json') as typeof import('lossless-json');
  try {
    return parseLossless(text, null, (token: string) => (roundTrips(token) ? Number(token) : new ExactNumber(token)));
  } catch {
    // Valid JSON the exact parser refuses (duplicate keys): JSON.parse's reading, as before.
    return plain;
  }
}

/** `JSON.stringify`, writing each `ExactNumber` as its own text. */
export function stringifyExact(value: unknown, space?: number): string | undefined {
  const text = JSON.stringify(value, null, space);
  if (created === 0 || text === undefined || !text.includes(TAG_IN_JSON)) return text;
  MARKER.lastIndex = 0;
  return text.replace(MARKER, '$1');
}
