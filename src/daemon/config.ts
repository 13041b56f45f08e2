/**
 * What the daemon process is configured with: the transports, the Temporal connection's
 * flags, the embedded dev server, logging and limits. The command line (src/cli) fills it.
 */
import type { ConnectionFlags } from '../config/settings';
import type { LogLevel } from '../log/levels';

export interface DaemonConfig {
  stdio: boolean;
  /**
   * Connect to a client that listens (LSP's `--pipe=NAME` and `--socket=PORT`, as
   * vscode-languageclient passes them): like stdio, that connection is the process's spawner.
   */
  connect?: { kind: 'pipe'; path: string } | { kind: 'port'; port: number };
  /** Listen on this Unix socket path or Windows pipe for attaching clients. */
  socket?: string;
  port?: number;
  tokenFile?: string;
  connection: ConnectionFlags;
  dev: boolean;
  devDb?: string;
  temporalCli?: string;
  logFile?: string;
  /** Default: info; warn when an editor's connection is served and the log goes to stderr. */
  logLevel?: LogLevel;
  maxHandles?: number;
  handleIdleTimeoutMs?: number;
  maxMessageBytes?: number;
  maxOutputBytes?: number;
  maxCallsPerClient?: number;
  /** V8's heap growth past the live heap before a collection, in percent; 0: V8's own. @default 20 */
  heapGrowthPercent?: number;
  clientProcessId?: number;
  help: boolean;
  version: boolean;
}

/** A configuration that cannot work (contradictory or missing settings): the process exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
