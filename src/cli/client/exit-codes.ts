/**
 * The client commands' exit codes: what a shell script can tell apart from `$?`.
 */
import { DaemonError, WorkflowContinuedAsNewError, WorkflowFailureError, WorkflowUpdateFailedError } from 'temporal-handled-client';
import { CliUsageError } from './args';

export const ExitCode = {
  /** The command did what was asked (result: the workflow completed). */
  Ok: 0,
  /** result: the workflow ended unsuccessfully (failed, cancelled, terminated, timed out, or continued as new with --no-follow). */
  WorkflowUnsuccessful: 1,
  /** Bad usage: unknown command or flag, a missing or malformed value, or params the daemon rejected (InvalidParams). */
  Usage: 2,
  /** A call failed: Temporal RPC error, daemon unreachable, invalid handle, query failed or rejected, workflow already started, --command-timeout elapsed. */
  CallFailed: 3,
  /** Interrupted by SIGINT or SIGTERM (the in-flight call was cancelled). */
  Interrupted: 130,
} as const;

export const EXIT_CODE_TABLE = `Exit codes:
  0    success (result: the workflow completed)
  1    result: the workflow ended unsuccessfully: failed, cancelled, terminated, timed out,
       or continued as new with --no-follow; update: the update failed (its validator
       rejected it or its handler raised); the outcome is still printed on stdout
  2    bad usage: unknown command or flag, missing or malformed value, or params the
       daemon rejected as invalid (InvalidParams)
  3    a call failed: Temporal RPC error (e.g. NOT_FOUND), daemon unreachable or gone,
       invalid handle, query failed or rejected, workflow already started,
       --command-timeout elapsed
  130  interrupted (SIGINT/SIGTERM); the in-flight call was cancelled
`;

/** The exit code for an error a command ended with. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliUsageError) return ExitCode.Usage;
  if (err instanceof WorkflowFailureError || err instanceof WorkflowContinuedAsNewError || err instanceof WorkflowUpdateFailedError) return ExitCode.WorkflowUnsuccessful;
  if (err instanceof DaemonError && (err.type === 'InvalidParams' || err.type === 'MethodNotFound')) return ExitCode.Usage;
  if ((err as Error)?.name === 'Interrupted') return ExitCode.Interrupted;
  return ExitCode.CallFailed;
}
