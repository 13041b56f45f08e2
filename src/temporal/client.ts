/**
 * The Temporal client: starts workflows and makes handles, over one WorkflowService.
 */
import { randomUUID } from 'node:crypto';
import type { CallOptions, Connection } from './connection';
import { defaultIdentity } from './connection';
import { WorkflowService } from './workflow-service';
import { WorkflowHandle } from './workflow-handle';
import { compileStartFields, type StartWorkflowOptions } from './start-options';
import { toPayloads } from './payload-converter';
import { errordetails } from './proto';
import { RPCError, WorkflowAlreadyStartedError } from './errors';
import { findDetail } from './rpc-errors';
import { LongPollBudgets } from './long-poll-budget';
import { CloseWatchers, type CloseWatcherOptions } from './close-watcher';
import type { RemoteCodec } from './remote-codec';

export interface ClientOptions {
  /** @default "default" */
  namespace?: string;
  /** @default `${pid}@${hostname}` */
  identity?: string;
  /** A codec server every payload goes through (remote-codec.ts). */
  codec?: RemoteCodec;
  /** Result long polls held at most per namespace; the waits over it go through the close watcher. @default 1000 */
  maxLongPolls?: number;
  /** How the close watcher queries (close-watcher.ts). */
  closeWatcher?: CloseWatcherOptions;
}

export class TemporalClient {
  readonly service: WorkflowService;
  readonly namespace: string;
  readonly identity: string;
  /** This client's share of each namespace's long polls (see long-poll-budget.ts). */
  readonly longPolls: LongPollBudgets;
  /** Finds the closes of the waits over the budget in bulk (see close-watcher.ts). */
  readonly closeWatchers: CloseWatchers;

  constructor(
    readonly connection: Connection,
    options: ClientOptions = {},
  ) {
    this.service = new WorkflowService(connection, options.codec);
    this.longPolls = new LongPollBudgets(options.maxLongPolls ?? 1000);
    this.closeWatchers = new CloseWatchers(this.service, options.closeWatcher);
    this.namespace = options.namespace ?? 'default';
    this.identity = options.identity ?? defaultIdentity();
  }

  /**
   * Starts a workflow (or signal-with-start when `startSignal` is set) and returns its handle:
   * `runId` unset, `resultRunId` the new run, `firstExecutionRunId` the new run unless a start signal was given.
   */
  async startWorkflow(o: StartWorkflowOptions, call?: CallOptions): Promise<WorkflowHandle> {
    const namespace = o.namespace ?? this.namespace;
    const fields = compileStartFields(o);
    const common = Object.assign({}, fields, { namespace, identity: this.identity, requestId: randomUUID() });
    let runId: string;
    try {
      if (o.startSignal != null) {
        const res = await this.service.signalWithStartWorkflowExecution(Object.assign({}, common, { signalName: o.startSignal, signalInput: toPayloads(o.startSignalArgs, 'startSignalArgs') }), call);
        runId = res.runId;
      } else {
        const res = await this.service.startWorkflowExecution(common, call);
        runId = res.runId;
      }
    } catch (err) {
      if (err instanceof RPCError && err.status === 'ALREADY_EXISTS') {
        const d = findDetail(err, 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure', errordetails.WorkflowExecutionAlreadyStartedFailure);
        if (d) throw new WorkflowAlreadyStartedError(o.workflowId, o.workflowType, d.runId || null, d.firstExecutionRunId || null);
      }
      throw err;
    }
    return new WorkflowHandle(this, namespace, o.workflowId, null, runId, o.startSignal != null ? null : runId);
  }

  /** A handle for an existing workflow; no RPC is made. `resultRunId` is `runId`. */
  getWorkflowHandle(workflowId: string, runId?: string | null, firstExecutionRunId?: string | null, namespace?: string): WorkflowHandle {
    return new WorkflowHandle(this, namespace ?? this.namespace, workflowId, runId || null, runId || null, firstExecutionRunId || null);
  }

  /** The server's version and capabilities. */
  async getSystemInfo(call?: CallOptions) {
    return this.service.getSystemInfo(call);
  }
}
