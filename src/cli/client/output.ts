/**
 * Everything the client commands write: results on stdout (json, jsonl or text),
 * errors as one JSON object on stderr, and the live progress line of `result`.
 * This is the only module of the project that writes to stdout.
 */
import { DaemonError } from 'temporal-handled-client';
import type { ResultProgress } from 'temporal-handled-client';
import type { OutputFormat } from './args';
import { ExactNumber, stringifyExact } from '../../json/exact-json';

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.write(text)) stream.once('drain', () => resolve());
    else resolve();
  });
}

/** The JSON object an error is reported as: `{type, message, code?, ...data}`. */
export function errorObject(err: unknown): Record<string, unknown> {
  if (err instanceof DaemonError) {
    // data.code of an RPCError is the gRPC status code: kept apart from the JSON-RPC code.
    const { type: _t, code: grpcCode, ...data } = err.data;
    return Object.assign({ type: err.type, message: err.message }, err.code !== null ? { code: err.code } : {}, grpcCode !== undefined ? { grpcCode } : {}, data);
  }
  const e = err as Error;
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    const type = e.name === 'Error' || !e.name ? 'InternalError' : e.name;
    return { type, message: e.message };
  }
  return { type: 'InternalError', message: String(err) };
}

/** Human-readable text for a value: strings as they are, scalars as JSON, objects as aligned `Key  value` rows. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof ExactNumber) return stringifyExact(value, 2) ?? '';
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries
    .map(([k, v]) => {
      const label = k.charAt(0).toUpperCase() + k.slice(1);
      const shown = v === null ? '-' : typeof v === 'string' ? v : stringifyExact(v);
      return `${label.padEnd(width + 2)}${shown}`;
    })
    .join('\n');
}

export class Output {
  private progressShown = false;
  private readonly progressTty: boolean;

  constructor(
    readonly format: OutputFormat,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.progressTty = Boolean(stderr.isTTY);
  }

  /** Writes a command's result; `title` heads the text form, which `asText` writes when given. */
  async result(value: unknown, title?: string, asText: (v: never) => string = toText): Promise<void> {
    let text: string;
    // Numbers exactly as the daemon sent them (an int64 ID stays exact): see src/json/exact-json.ts.
    if (this.format === 'json') text = stringifyExact(value, 2) ?? 'null';
    else if (this.format === 'jsonl') text = stringifyExact(value) ?? 'null';
    else text = [title, asText(value as never)].filter((x) => x !== undefined && x !== '').join('\n');
    await write(this.stdout, `${text}\n`);
  }

  /** Writes help text on stdout. */
  async usage(text: string): Promise<void> {
    await write(this.stdout, text);
  }

  /** Writes an error as one JSON object on stderr. */
  async error(err: unknown): Promise<void> {
    this.clearProgress();
    await write(this.stderr, `${stringifyExact({ error: errorObject(err) })}\n`);
  }

  /** Shows a `$/progress` value of result as a live line on stderr (rewritten in place on a terminal). */
  progress(p: ResultProgress): void {
    let line: string;
    if (p.kind === 'begin') line = `waiting for ${p.workflowId}${p.runId ? ` (run ${p.runId})` : ''}...`;
    else if (p.kind === 'report') line = `${p.workflowId}: ${p.reason} ${p.previousRunId} -> ${p.runId}; waiting...`;
    else line = `${p.status ?? p.message ?? 'ended'}${p.runId ? ` (run ${p.runId})` : ''}`;
    if (this.progressTty) {
      this.stderr.write(`\r\x1b[K${line}`);
      this.progressShown = p.kind !== 'end';
      if (p.kind === 'end') this.stderr.write('\r\x1b[K');
    } else {
      this.stderr.write(`${line}\n`);
    }
  }

  private clearProgress(): void {
    if (this.progressShown && this.progressTty) this.stderr.write('\r\x1b[K');
    this.progressShown = false;
  }
}
