/**
 * Workflow updates: start or execute an update on a handle, update handles (result,
 * describe), and update-with-start, each sending the request fields the Python SDK sends.
 *
 * - UpdateWorkflowExecution goes to the handle's `runId` within the chain of its
 *   `firstExecutionRunId` (both "" when null). The update ID is the caller's or a new
 *   UUID, made once per call, so the SDK's re-sends (and the connection's retries) are
 *   applied once: the server answers a known update ID with that update's state.
 * - The request is re-sent while the server answers with a stage below ACCEPTED, as the
 *   Python SDK's loop does, whatever stage was asked; COMPLETED then polls for the outcome.
 * - An update handle's `result` long-polls PollWorkflowExecutionUpdate (wait policy
 *   COMPLETED), re-polling past the server's window, over outages and within the
 *   namespace's long-poll budget, as WorkflowHandle.result does for workflows.
 * - A deadline that passes (DEADLINE_EXCEEDED or CANCELLED from the server) or an
 *   AbortSignal that fires is WorkflowUpdateRPCTimeoutOrCancelledError; a failure outcome
 *   (validator rejected, handler raised) is WorkflowUpdateFailedError.
 */
import { randomUUID } from 'node:crypto';
import { sleep, type CallOptions } from './connection';
import type { TemporalClient } from './client';
import { WorkflowHandle, type HandleIds } from './workflow-handle';
import { compileStartFields, type StartWorkflowOptions } from './start-options';
import { enumName, enums, errordetails, type IUpdateOutcome } from './proto';
import { firstValue, toPayloads, type JsonValue } from './payload-converter';
import { decodeFailure, type FailureInfo } from './failure-converter';
import { CallCancelledError, RPCError, WorkflowAlreadyStartedError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from './errors';
import { findDetail, statusName } from './rpc-errors';
import type { LongPollBudget } from './long-poll-budget';
import { InvalidArgumentError } from './invalid-argument';
import type { CancelSignal } from './cancel-signal';

export const UPDATE_STAGES = ['ADMITTED', 'ACCEPTED', 'COMPLETED'] as const;
export type UpdateStage = (typeof UPDATE_STAGES)[number];
/** The stages a start can wait for (ADMITTED is refused, as by the Python SDK). */
export type WaitForStage = Exclude<UpdateStage, 'ADMITTED'>;

const STAGE = enums.UpdateWorkflowExecutionLifecycleStage;
const ACCEPTED = STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED;
const COMPLETED = STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;

/** Options of every call about an update. */
export interface UpdateCallOptions {
  /** Aborting ends the call with WorkflowUpdateRPCTimeoutOrCancelledError. */
  signal?: CancelSignal;
  /** The deadline of each gRPC call, in ms (the Python SDK's rpc_timeout). */
  timeoutMs?: number;
  /** Extra gRPC metadata on each call. */
  metadata?: Record<string, string>;
}

export interface ExecuteUpdateOptions extends UpdateCallOptions {
  args?: unknown[];
  /** @default a new UUID */
  updateId?: string;
}

export interface StartUpdateOptions extends ExecuteUpdateOptions {
  /** Required: return once the update is ACCEPTED, or once it is COMPLETED. */
  waitForStage: WaitForStage;
}

/** What the server knows of an update now (no waiting). */
export interface UpdateDescription {
  updateId: string;
  stage: UpdateStage;
  outcome?: { value: JsonValue } | { failure: FailureInfo };
}

/** Start options of update-with-start: those of startWorkflow, with `idConflictPolicy` required and no start signal. */
export type WithStartWorkflowOptions = Omit<StartWorkflowOptions, 'startSignal' | 'startSignalArgs' | 'idConflictPolicy'> & {
  idConflictPolicy: 'FAIL' | 'USE_EXISTING' | 'TERMINATE_EXISTING';
};

/** A handle on one update of one workflow; `workflowRunId` null means the workflow ID's current run. */
export class WorkflowUpdateHandle {
  constructor(
    private readonly client: TemporalClient,
    readonly namespace: string,
    readonly updateId: string,
    readonly workflowId: string,
    readonly workflowRunId: string | null,
    private knownOutcome?: IUpdateOutcome,
  ) {}

  private ref() {
    return { workflowExecution: { workflowId: this.workflowId, runId: this.workflowRunId ?? '' }, updateId: this.updateId };
  }

  /**
   * The update's value once it has completed; raises WorkflowUpdateFailedError when its
   * validator rejected it or its handler raised. Waits for as long as it takes.
   */
  async result(o: UpdateCallOptions = {}): Promise<JsonValue> {
    return outcomeValue(await this.outcome(o));
  }

  /** The update's stage and, once completed, its outcome, without waiting. */
  async describe(o: UpdateCallOptions = {}): Promise<UpdateDescription> {
    const res = await guard(() => this.client.service.pollWorkflowExecutionUpdate({ namespace: this.namespace, updateRef: this.ref(), identity: this.client.identity }, callOptions(o, false)));
    if (res.outcome) this.knownOutcome = res.outcome;
    const d: UpdateDescription = { updateId: this.updateId, stage: stageName(res.stage) };
    if (res.outcome) d.outcome = res.outcome.failure ? { failure: decodeFailure(res.outcome.failure) } : { value: firstValue(res.outcome.success) };
    return d;
  }

  /** The outcome: the one already known, or polled for until the server has it. */
  async outcome(o: UpdateCallOptions = {}): Promise<IUpdateOutcome> {
    if (this.knownOutcome) return this.knownOutcome;
    const budget = this.client.longPolls.for(this.namespace);
    budget.join();
    try {
      this.knownOutcome = await this.pollUntilOutcome(budget, o);
      return this.knownOutcome;
    } finally {
      budget.leave();
    }
  }

  private async pollUntilOutcome(budget: LongPollBudget, o: UpdateCallOptions): Promise<IUpdateOutcome> {
    const service = this.client.service;
    const req = {
      namespace: this.namespace,
      updateRef: this.ref(),
      identity: this.client.identity,
      waitPolicy: { lifecycleStage: COMPLETED },
    };
    const call = callOptions(o, true);
    let trouble = 0;
    for (;;) {
      if (!budget.tryAcquire()) {
        // Over this namespace's share of long polls (see long-poll-budget.ts): ask without waiting, then pause.
        const peek = await this.peek(o);
        if (peek) return peek;
        trouble++;
        await pause(trouble, 500, o.signal);
        continue;
      }
      const t0 = Date.now();
      let res;
      let failure: unknown;
      try {
        res = await service.pollWorkflowExecutionUpdate(req, call);
      } catch (err) {
        failure = err;
      } finally {
        budget.release();
      }
      if (res) {
        if (res.outcome) return res.outcome;
        // The server's long-poll window passed with the update still open: poll again.
        // (An empty answer that comes back at once is paced, so nothing spins.)
        trouble = 0;
        if (Date.now() - t0 < 200) await sleep(200, o.signal).catch(rethrowCancelled);
        continue;
      }
      if (failure instanceof CallCancelledError) throw new WorkflowUpdateRPCTimeoutOrCancelledError(failure);
      if (!(failure instanceof RPCError)) throw failure;
      // Our own long-poll deadline (no caller deadline) passing only means the server held the
      // poll that long: poll again. The caller's deadline ends the wait, as in the Python SDK.
      const ownDeadline = o.timeoutMs === undefined && failure.status === 'DEADLINE_EXCEEDED';
      if (!ownDeadline && (failure.status === 'DEADLINE_EXCEEDED' || failure.status === 'CANCELLED')) throw new WorkflowUpdateRPCTimeoutOrCancelledError(failure);
      const exhausted = failure.status === 'RESOURCE_EXHAUSTED' && !/larger than max/i.test(failure.message);
      if (exhausted) budget.refused();
      // An outage longer than the connection's retry budget, once this server has answered,
      // does not end the wait (a wrong address, never answered, still fails at once).
      const outage = failure.status === 'UNAVAILABLE' && service.connection.everAnswered;
      if (!ownDeadline && !exhausted && !outage) throw failure;
      trouble++;
      if (exhausted) {
        const peek = await this.peek(o);
        if (peek) return peek;
      }
      await pause(trouble, 250, o.signal);
    }
  }

  /** The outcome if the server has it now, without waiting; undefined when not yet (or on a transient error). */
  private async peek(o: UpdateCallOptions): Promise<IUpdateOutcome | undefined> {
    try {
      const res = await this.client.service.pollWorkflowExecutionUpdate({ namespace: this.namespace, updateRef: this.ref(), identity: this.client.identity }, callOptions(o, false));
      return res.outcome ?? undefined;
    } catch (err) {
      if (err instanceof CallCancelledError) throw new WorkflowUpdateRPCTimeoutOrCancelledError(err);
      if (err instanceof RPCError && ['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED'].includes(err.status)) return undefined;
      throw err;
    }
  }
}

/** Starts update `update` on the workflow of `handle` and waits for `waitForStage`. */
export async function startUpdate(client: TemporalClient, handle: HandleIds, update: string, o: StartUpdateOptions): Promise<WorkflowUpdateHandle> {
  const stage = waitStage(o?.waitForStage);
  const req = updateRequest(client, handle.namespace, handle.workflowId, handle.runId, handle.firstExecutionRunId, update, o, stage);
  const call = callOptions(o, true);
  let res;
  for (;;) {
    const t0 = Date.now();
    res = await guard(() => client.service.updateWorkflowExecution(req, call));
    if (res.stage >= ACCEPTED) break;
    // Not yet durable (the server's wait ended with the update only admitted): send it again.
    if (Date.now() - t0 < 200) await sleep(200, o.signal).catch(rethrowCancelled);
  }
  const uh = new WorkflowUpdateHandle(client, handle.namespace, req.request.meta.updateId, handle.workflowId, res.updateRef?.workflowExecution?.runId || null, res.outcome ?? undefined);
  if (stage === COMPLETED) await uh.outcome(o);
  return uh;
}

/** Starts the update, waits for it to complete and returns its value (and its handle). */
export async function executeUpdate(client: TemporalClient, handle: HandleIds, update: string, o: ExecuteUpdateOptions = {}): Promise<{ value: JsonValue; update: WorkflowUpdateHandle }> {
  const uh = await startUpdate(client, handle, update, Object.assign({}, o, { waitForStage: 'COMPLETED' as const }));
  return { value: await uh.result(o), update: uh };
}

/** A handle on an existing update; no server call. The run is `workflowRunId`, else the handle's `runId`. */
export function getUpdateHandle(client: TemporalClient, handle: HandleIds, updateId: string, workflowRunId?: string | null): WorkflowUpdateHandle {
  if (typeof updateId !== 'string' || updateId === '') throw new InvalidArgumentError('updateId must be a non-empty string');
  if (workflowRunId !== undefined && workflowRunId !== null && typeof workflowRunId !== 'string') throw new InvalidArgumentError('workflowRunId must be a string');
  return new WorkflowUpdateHandle(client, handle.namespace, updateId, handle.workflowId, workflowRunId || handle.runId || null);
}

/**
 * Update-with-start (ExecuteMultiOperation): starts the workflow, or per `idConflictPolicy`
 * uses or terminates the running one, and starts the update on it, waiting for `waitForStage`.
 * The workflow handle is the Python SDK's: `runId` null, `resultRunId` and
 * `firstExecutionRunId` the run the start answered with.
 */
export async function startUpdateWithStart(
  client: TemporalClient,
  start: WithStartWorkflowOptions,
  update: string,
  o: StartUpdateOptions,
): Promise<{ workflow: WorkflowHandle; update: WorkflowUpdateHandle }> {
  const stage = waitStage(o?.waitForStage);
  if (typeof start !== 'object' || start === null) throw new InvalidArgumentError('start options must be an object');
  const s = start as StartWorkflowOptions;
  if (s.startSignal !== undefined && s.startSignal !== null) throw new InvalidArgumentError('update-with-start cannot take startSignal');
  if (s.startSignalArgs !== undefined && s.startSignalArgs !== null) throw new InvalidArgumentError('update-with-start cannot take startSignalArgs');
  if (s.idConflictPolicy === undefined || s.idConflictPolicy === null || s.idConflictPolicy === 'UNSPECIFIED') {
    throw new InvalidArgumentError('idConflictPolicy is required for update-with-start (FAIL, USE_EXISTING or TERMINATE_EXISTING)');
  }
  const namespace = s.namespace ?? client.namespace;
  // Built once: the re-sends carry the same start request ID and update ID.
  const startReq = Object.assign({}, compileStartFields(s), { namespace, identity: client.identity, requestId: randomUUID() });
  const updateReq = updateRequest(client, namespace, s.workflowId, null, null, update, o, stage);
  const call = callOptions(o, true);
  let startRes;
  let updateRes;
  for (;;) {
    const t0 = Date.now();
    let res;
    try {
      res = await guard(() => client.service.executeMultiOperation({ namespace, operations: [{ startWorkflow: startReq }, { updateWorkflow: updateReq }] }, call));
    } catch (err) {
      throw multiOperationError(err, s);
    }
    startRes = res.responses[0]?.startWorkflow;
    updateRes = res.responses[1]?.updateWorkflow;
    if (!startRes || !updateRes) throw new Error(`ExecuteMultiOperation answered ${res.responses.length} responses without a start and an update`);
    if ((updateRes.stage ?? 0) >= ACCEPTED) break;
    if (Date.now() - t0 < 200) await sleep(200, o.signal).catch(rethrowCancelled);
  }
  const runId = startRes.runId || null;
  const workflow = new WorkflowHandle(client, namespace, s.workflowId, null, runId, runId);
  const uh = new WorkflowUpdateHandle(client, namespace, updateReq.request.meta.updateId, s.workflowId, runId, updateRes.outcome ?? undefined);
  if (stage === COMPLETED) await uh.outcome(o);
  return { workflow, update: uh };
}

/** Update-with-start waiting for the update to complete; returns its value too. */
export async function executeUpdateWithStart(
  client: TemporalClient,
  start: WithStartWorkflowOptions,
  update: string,
  o: ExecuteUpdateOptions = {},
): Promise<{ workflow: WorkflowHandle; update: WorkflowUpdateHandle; value: JsonValue }> {
  const r = await startUpdateWithStart(client, start, update, Object.assign({}, o, { waitForStage: 'COMPLETED' as const }));
  return Object.assign({}, r, { value: await r.update.result(o) });
}

function waitStage(v: unknown): number {
  if (v === 'ADMITTED') throw new InvalidArgumentError('ADMITTED wait stage not supported');
  if (v === 'ACCEPTED') return ACCEPTED;
  if (v === 'COMPLETED') return COMPLETED;
  throw new InvalidArgumentError(`waitForStage must be ACCEPTED or COMPLETED; got ${JSON.stringify(v)}`);
}

function updateRequest(
  client: TemporalClient,
  namespace: string,
  workflowId: string,
  runId: string | null,
  firstExecutionRunId: string | null,
  update: string,
  o: ExecuteUpdateOptions,
  stage: number,
) {
  if (typeof update !== 'string' || update === '') throw new InvalidArgumentError('update must be a non-empty string');
  if (o.updateId !== undefined && o.updateId !== null && typeof o.updateId !== 'string') throw new InvalidArgumentError('updateId must be a string');
  if (o.args !== undefined && o.args !== null && !Array.isArray(o.args)) throw new InvalidArgumentError('args must be an array');
  return {
    namespace,
    workflowExecution: { workflowId, runId: runId ?? '' },
    firstExecutionRunId: firstExecutionRunId ?? '',
    request: {
      meta: { updateId: o.updateId || randomUUID(), identity: client.identity },
      input: { name: update, args: toPayloads(o.args ?? undefined, 'args') },
    },
    waitPolicy: { lifecycleStage: stage },
  };
}

function callOptions(o: UpdateCallOptions, longPoll: boolean): CallOptions {
  return { signal: o.signal, timeoutMs: o.timeoutMs, metadata: o.metadata, longPoll };
}

/** Runs one call, turning a passed deadline or a cancellation into WorkflowUpdateRPCTimeoutOrCancelledError. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw timeoutOrCancelled(err) ?? err;
  }
}

function timeoutOrCancelled(err: unknown): WorkflowUpdateRPCTimeoutOrCancelledError | undefined {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return err;
  if (err instanceof CallCancelledError) return new WorkflowUpdateRPCTimeoutOrCancelledError(err);
  if (err instanceof RPCError && (err.status === 'DEADLINE_EXCEEDED' || err.status === 'CANCELLED')) return new WorkflowUpdateRPCTimeoutOrCancelledError(err);
  return undefined;
}

function rethrowCancelled(err: unknown): never {
  throw timeoutOrCancelled(err) ?? err;
}

async function pause(n: number, stepMs: number, signal?: CancelSignal): Promise<void> {
  await sleep(Math.min(5000, stepMs * n) * (0.8 + Math.random() * 0.4), signal).catch(rethrowCancelled);
}

function stageName(v: number | null | undefined): UpdateStage {
  const name = enumName('UpdateWorkflowExecutionLifecycleStage', v ?? 0, 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_');
  return (UPDATE_STAGES as readonly string[]).includes(name ?? '') ? (name as UpdateStage) : 'ADMITTED';
}

function outcomeValue(outcome: IUpdateOutcome): JsonValue {
  if (outcome.failure) throw new WorkflowUpdateFailedError(decodeFailure(outcome.failure));
  return firstValue(outcome.success);
}

/**
 * An ExecuteMultiOperation failure as the Python SDK unpacks it: the first operation status
 * that is not OK and not "aborted because another failed" becomes the error, a start
 * conflict WorkflowAlreadyStartedError.
 */
function multiOperationError(err: unknown, start: StartWorkflowOptions): unknown {
  if (!(err instanceof RPCError)) return err;
  const failure =
    err.details[0]?.typeUrl === 'temporal.api.errordetails.v1.MultiOperationExecutionFailure'
      ? findDetail(err, 'temporal.api.errordetails.v1.MultiOperationExecutionFailure', errordetails.MultiOperationExecutionFailure)
      : undefined;
  if (!failure) return err;
  const status = (failure.statuses ?? []).find((st) => (st.code ?? 0) !== 0 && !(st.details?.[0]?.type_url ?? '').endsWith('temporal.api.failure.v1.MultiOperationExecutionAborted'));
  if (!status) return err;
  const code = status.code ?? 0;
  const details = (status.details ?? []).map((d) => ({
    typeUrl: (d.type_url ?? '').replace(/^type\.googleapis\.com\//, ''),
    value: Buffer.from(d.value ?? []).toString('base64'),
  }));
  const inner = new RPCError(status.message || statusName(code), statusName(code), code, details);
  if (inner.status === 'ALREADY_EXISTS') {
    const d = findDetail(inner, 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure', errordetails.WorkflowExecutionAlreadyStartedFailure);
    if (d) return new WorkflowAlreadyStartedError(start.workflowId, start.workflowType, d.runId || null, d.firstExecutionRunId || null);
  }
  return inner;
}
