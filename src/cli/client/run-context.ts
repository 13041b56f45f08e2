/**
 * What a client command runs with, and a command with its flags checked.
 */
import type { TemporalHandledClient, WorkflowHandle } from 'temporal-handled-client';
import type { Output } from './output';

export interface RunContext {
  client: TemporalHandledClient;
  output: Output;
  signal: AbortSignal;
  /** Whether the daemon outlives this command (attached): then handles are released. */
  attached: boolean;
  /** Handles kept across the lines of a batch (released when the batch ends), by workflow and run IDs. */
  handleCache?: Map<string, WorkflowHandle>;
}

/** A command with its flags checked: run it to get the exit code. */
export type PreparedCommand = (ctx: RunContext) => Promise<number>;
