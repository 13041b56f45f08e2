/**
 * What the daemon process is configured with: the transports, the Temporal connection's
 * flags, the embedded dev server, logging and limits. The command line (src/cli) fills it.
 */
import type { ConnectionFlags } from '../config/settings';

export interface DaemonConfig {
  stdio: boolean;
  socket?: string;
  port?: number;
  tokenFile?: string;
  connection: ConnectionFlags;
  dev: boolean;
  devDb?: string;
  temporalCli?: string;
  logFile?: string;
  logLevel: string;
  maxHandles?: number;
  handleIdleTimeoutMs?: number;
  maxMessageBytes?: number;
  maxOutputBytes?: number;
  clientProcessId?: number;
  help: boolean;
  version: boolean;
}

/** A configuration that cannot work (contradictory or missing settings): the process exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
