/**
 * WorkflowUpdateHandle: one update of one workflow, backed by a daemon update token
 * (valid on every connection of that daemon until released).
 */
import type { RpcConnection } from './connection';
import type { CallOptions, ParamsOf, ResultOf, UpdateHandleInfo, Value } from './types';
import { callParams } from './types';

export type UpdateDescription = ResultOf<'update/describe'>;
export type WaitForStage = ParamsOf<'handle/startUpdate'>['waitForStage'];

export class WorkflowUpdateHandle<T = Value> {
  /** The update ID. */
  readonly updateId: string;
  readonly workflowId: string;
  /** The run the update went to; null: the latest run. */
  readonly workflowRunId: string | null;
  /** The daemon's token for this update handle. */
  readonly token: string;

  /** @internal Made by a workflow handle or the client. */
  constructor(
    private readonly rpc: RpcConnection,
    info: UpdateHandleInfo,
  ) {
    this.updateId = info.updateId;
    this.workflowId = info.workflowId;
    this.workflowRunId = info.workflowRunId;
    this.token = info.update;
  }

  /** Waits for the update's outcome: its value, or WorkflowUpdateFailedError. */
  async result(opts: CallOptions = {}): Promise<T> {
    return (await this.rpc.call('update/result', { update: this.token, ...callParams(opts) }, opts)).value as T;
  }

  /** The update's stage and, once completed, its outcome; without waiting. */
  async describe(opts: CallOptions = {}): Promise<UpdateDescription> {
    return this.rpc.call('update/describe', { update: this.token, ...callParams(opts) }, opts);
  }

  /** Forgets the daemon's update token. */
  async release(opts: CallOptions = {}): Promise<void> {
    await this.rpc.call('update/release', { update: this.token }, opts);
  }
}
