/**
 * `temporal-handled <client command>`: parse, check, connect (attach or start a daemon),
 * run, report; the exit code says how it went (see exit-codes.ts).
 */
import type { TemporalHandledClient } from 'temporal-handled-client';
import { CliUsageError, isClientCommand, parseClientArgs, type OutputFormat } from './args';
import { prepareCommand } from './commands';
import { connect } from './connect';
import { exitCodeFor } from './exit-codes';
import { clientHelp, commandHelp } from './help';
import { Output } from './output';

export { isClientCommand };

/** The --output asked for, best effort, so that usage errors are reported in it too. */
function requestedFormat(argv: string[]): OutputFormat {
  const i = argv.findIndex((a) => a === '-o' || a === '--output');
  const v = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--output='))?.slice('--output='.length);
  return v === 'text' || v === 'jsonl' ? v : 'json';
}

class Interrupted extends Error {
  override name = 'Interrupted';
}

class CommandTimeout extends Error {
  override name = 'CommandTimeout';
}

export async function runClient(argv: string[]): Promise<number> {
  const output = new Output(requestedFormat(argv));
  let run;
  let args;
  try {
    args = parseClientArgs(argv);
    if (args.help) {
      await output.usage(args.command === 'help-client' ? clientHelp() : commandHelp(args.command));
      return 0;
    }
    run = prepareCommand(args);
  } catch (err) {
    if (err instanceof CliUsageError) {
      const hint = err.command ? `temporal-handled ${err.command} --help` : 'temporal-handled help-client';
      await output.error(Object.assign(err, { message: `${err.message} (see: ${hint})` }));
      return exitCodeFor(err);
    }
    await output.error(err);
    return exitCodeFor(err);
  }

  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => ac.abort(new Interrupted(`interrupted by ${sig}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer =
    args.commandTimeoutMs !== undefined ? setTimeout(() => ac.abort(new CommandTimeout(`--command-timeout ${String(args.values['command-timeout'])} elapsed`)), args.commandTimeoutMs) : undefined;
  let client: TemporalHandledClient | undefined;
  const connecting = connect(args);
  try {
    client = await abortable(connecting, ac.signal);
    return await run({ client, output, signal: ac.signal, attached: args.target.kind !== 'spawn' });
  } catch (err) {
    await output.error(err);
    return exitCodeFor(err);
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const c = client ?? (await connecting.catch(() => undefined));
    await c?.close().catch(() => undefined);
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
