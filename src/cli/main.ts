/**
 * The `temporal-handled` command: the daemon, or (with a subcommand) the
 * command-line client for shell scripts.
 */
import { parseDaemonArgs, DAEMON_USAGE, UsageError } from './daemon-args';
import { VERSION } from '../version';

export async function main(argv: string[]): Promise<number> {
  // The daemon takes flags only: a first word that is not a flag is a client command (the
  // client names an unknown one), so the daemon's start-up never loads the client's modules.
  if (argv[0] !== undefined && !argv[0].startsWith('-')) {
    // Loaded only for client commands, as the daemon's modules are only for the daemon.
    const { runClient } = require('./client') as typeof import('./client');
    return runClient(argv);
  }
  try {
    const args = parseDaemonArgs(argv);
    if (args.help) {
      process.stdout.write(DAEMON_USAGE);
      return 0;
    }
    if (args.version) {
      process.stdout.write(`temporal-handled ${VERSION}\n`);
      return 0;
    }
    // Loaded only for the daemon: client commands start faster without gRPC and the protos.
    const { runDaemon } = require('../daemon/run') as typeof import('../daemon/run');
    return await runDaemon(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`temporal-handled: ${err.message}\nRun temporal-handled --help for usage.\n`);
      return 2;
    }
    process.stderr.write(`temporal-handled: ${(err as Error).message}\n`);
    return 1;
  }
}
