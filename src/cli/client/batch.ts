/**
 * `temporal-handled batch`: many client commands over one connection, one per line of
 * standard input, one JSON line of outcome each on stdout. A shell script that runs many
 * operations pays for one process start and one connection instead of one per operation.
 */
import * as readline from 'node:readline';
import { CliUsageError } from './args';
import { exitCodeFor } from './exit-codes';
import { errorObject, Output } from './output';
import type { PreparedCommand, RunContext } from './run-context';
import type { WorkflowHandle } from 'temporal-handled-client';

/** Splits a command line into words as a POSIX shell would for quotes and backslashes (no expansions). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CliUsageError('unterminated single quote');
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) throw new CliUsageError('unterminated double quote');
      i = j;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Flags that choose or configure a daemon: the batch has one connection, so lines may not. */
const REACH_FLAGS =
  /^--(socket|port|token-file|address|dev|dev-db|api-key|tls|no-tls|tls-[a-z-]+|grpc-meta|client-authority|profile|config-file|temporal-cli|log-file|log-level|command-timeout|output)(=|$)|^-o$/;

/** Captures what a command would print, instead of printing it. */
class Captured extends Output {
  value: unknown;
  failure: unknown;
  constructor() {
    super('jsonl');
  }
  override async result(value: unknown): Promise<void> {
    this.value = value;
  }
  override async error(err: unknown): Promise<void> {
    this.failure = err;
  }
  override progress(): void {
    /* no live line in a batch */
  }
}

/** Runs the lines of stdin in order; the exit code is the largest of the lines'. */
export function batchCommand(prepare: (words: string[]) => PreparedCommand): PreparedCommand {
  return async (ctx: RunContext) => {
    const out = new Output('jsonl');
    // Lines about the same workflow share one daemon handle; they are released at the end.
    const handleCache = new Map<string, WorkflowHandle>();
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    let worst = 0;
    let n = 0;
    for await (const raw of lines) {
      n++;
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (ctx.signal.aborted) break;
      const captured = new Captured();
      let command: string | undefined;
      let code: number;
      try {
        const words = line.startsWith('[') ? jsonWords(line) : splitWords(line);
        command = words[0];
        if (command === 'batch') throw new CliUsageError('batch cannot be nested');
        const reach = words.slice(1).find((w) => REACH_FLAGS.test(w));
        if (reach) throw new CliUsageError(`${reach} belongs on the batch command line, not on a line of the batch`, command as never);
        code = await prepare(words)(Object.assign({}, ctx, { output: captured, handleCache }));
      } catch (err) {
        captured.failure = err;
        code = exitCodeFor(err);
      }
      worst = Math.max(worst, code);
      const outcome: Record<string, unknown> = { line: n, command: command ?? null, exitCode: code };
      if (captured.value !== undefined) outcome.result = captured.value;
      if (captured.failure !== undefined) outcome.error = errorObject(captured.failure);
      await out.result(outcome);
    }
    if (ctx.attached) {
      await Promise.all([...handleCache.values()].map((h) => h.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined)));
    }
    return worst;
  };
}

function jsonWords(line: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new CliUsageError(`a line starting with "[" must be a JSON array of words: ${(err as Error).message}`);
  }
  if (!Array.isArray(v) || v.some((w) => typeof w !== 'string')) throw new CliUsageError('a JSON line must be an array of strings');
  return v as string[];
}
