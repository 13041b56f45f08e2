/**
 * The protocol's methods: one handler per method the contract declares, typed by it
 * (params in, result out). Handlers are thin adapters from validated params to the
 * handle table and the Temporal client; lifecycle methods move the session's state.
 */
import type { DaemonStatus, HandleInfo, MethodName, ParamsOf, ProgressToken, ResultOf, ResultProgress, UpdateHandleInfo } from '@temporal-handled/protocol';
import { METHOD_NAMES, PROTOCOL_VERSION } from '@temporal-handled/protocol/runtime';
import type { TemporalClient } from '../temporal/client';
import type { CallOptions } from '../temporal/connection';
import { parseDuration } from '../temporal/durations';
import type { WorkflowHandle } from '../temporal/workflow-handle';
import { closeStatusOf } from '../temporal/errors';
import { InvalidArgumentError } from '../temporal/invalid-argument';
import type { HandleTable, TokenTable } from '../handles/handle-table';
import type { WorkflowUpdateHandle } from '../temporal/workflow-update';

/**
 * The Temporal layer's modules that load gRPC, required on first use: the daemon answers
 * initialize without them (start-up; see the cold-start benchmark, B6).
 */
const temporal = {
  history: () => require('../temporal/history') as typeof import('../temporal/history'),
  watch: () => require('../temporal/history-watch') as typeof import('../temporal/history-watch'),
  updates: () => require('../temporal/workflow-update') as typeof import('../temporal/workflow-update'),
  visibility: () => require('../temporal/visibility') as typeof import('../temporal/visibility'),
};
import type { Logger } from '../log/logger';
import type { LogLevel } from '../log/levels';
import { invalidRequest } from './response-errors';
import type { CancelSignal } from '../temporal/cancel-signal';

/** What every session shares: one Temporal client, one handle table. */
export interface Services {
  client: TemporalClient;
  table: HandleTable;
  /** Update handles: tokens `wu_…`, shared by every session like workflow handles. */
  updates: TokenTable<WorkflowUpdateHandle>;
  logger: Logger;
  namespace: string;
  address: string;
  version: string;
  /** Requests in flight across all sessions. */
  inFlight: number;
  serverVersion(): Promise<string | null>;
  /** The server version if already known, else null. */
  knownServerVersion(): string | null;
  status(): Promise<DaemonStatus>;
  openrpc(): Record<string, unknown>;
}

/** What a handler may see and do of the session it serves. */
export interface SessionControl {
  readonly isInitialized: boolean;
  namespace: string;
  clientName: string | undefined;
  clientLogLevel: LogLevel | undefined;
  markInitialized(): void;
  markShutdown(): void;
  /** Sends `$/progress`: a work-done value, or a batch of a streamed result; resolves when the client's output queue is below its bound (a stream awaits it before its next batch). */
  sendProgress(token: ProgressToken, value: ResultProgress | Record<string, unknown>): Promise<void>;
}

export interface CallContext {
  session: SessionControl;
  services: Services;
  signal: CancelSignal;
}

/** The per-call options of PROTOCOL.md ("Per-call options"), as every call to Temporal takes them. */
function rpc(signal: CancelSignal, p: { rpcMetadata?: Record<string, string>; rpcTimeout?: string | number }): Pick<CallOptions, 'signal' | 'timeoutMs' | 'metadata'> {
  const timeoutMs = p.rpcTimeout === undefined ? undefined : parseDuration(p.rpcTimeout, 'rpcTimeout');
  if (timeoutMs === 0) throw new InvalidArgumentError('rpcTimeout must be above zero');
  return { signal, timeoutMs, metadata: p.rpcMetadata };
}

type Handlers = { [M in MethodName]: (ctx: CallContext, params: ParamsOf<M>) => Promise<ResultOf<M>> };

function handleInfo(token: string, h: WorkflowHandle): HandleInfo {
  return {
    handle: token,
    namespace: h.namespace,
    workflowId: h.workflowId,
    runId: h.runId,
    resultRunId: h.resultRunId,
    firstExecutionRunId: h.firstExecutionRunId,
  };
}

function updateInfo(token: string, u: WorkflowUpdateHandle): UpdateHandleInfo {
  return { update: token, updateId: u.updateId, workflowId: u.workflowId, workflowRunId: u.workflowRunId };
}

export const handlers: Handlers = {
  async initialize({ session, services }, p) {
    if (session.isInitialized) throw invalidRequest('initialize was already sent');
    session.markInitialized();
    if (p.namespace !== undefined) session.namespace = p.namespace;
    session.clientName = p.clientInfo?.name;
    if (p.initializationOptions?.logLevel !== undefined) session.clientLogLevel = p.initializationOptions.logLevel;
    // Not waited for: a cold start answers at once; daemon/status always has the version.
    const temporal = { address: services.address, namespace: session.namespace, serverVersion: services.knownServerVersion() };
    // Asked after this answer is written: loading the gRPC stack does not delay it.
    setImmediate(() => void services.serverVersion());
    const own = { methods: METHOD_NAMES, resultProgress: true, cancellation: true, values: ['json', '$bytes', '$payload'] };
    return {
      serverInfo: { name: 'temporal-handled', version: services.version },
      protocolVersion: PROTOCOL_VERSION,
      // Typed LSP clients (pygls) keep only the capabilities LSP defines and `experimental`: the daemon's own are there too.
      capabilities: Object.assign({}, own, { experimental: Object.assign({}, own, { protocolVersion: PROTOCOL_VERSION, temporal }) }),
      temporal,
    };
  },

  async shutdown({ session }) {
    session.markShutdown();
    return null;
  },

  async 'workflow/start'({ session, services, signal }, p) {
    const h = await services.client.startWorkflow(Object.assign({}, p, { namespace: p.namespace ?? session.namespace }), rpc(signal, p));
    return handleInfo(services.table.add(h), h);
  },

  async 'workflow/getHandle'({ session, services }, p) {
    const h = services.client.getWorkflowHandle(p.workflowId, p.runId, p.firstExecutionRunId, p.namespace ?? session.namespace);
    return handleInfo(services.table.add(h), h);
  },

  async 'handle/info'({ services }, p) {
    return handleInfo(p.handle, services.table.get(p.handle));
  },

  async 'handle/describe'({ services, signal }, p) {
    return services.table.use(p.handle, (h) => h.describe(rpc(signal, p), p.raw ?? false));
  },

  async 'handle/query'({ services, signal }, p) {
    const value = await services.table.use(p.handle, (h) => h.query(p.query, p.args ?? [], p.rejectCondition, rpc(signal, p)));
    return { value };
  },

  async 'handle/signal'({ services, signal }, p) {
    await services.table.use(p.handle, (h) => h.signal(p.signal, p.args ?? [], rpc(signal, p)));
    return null;
  },

  async 'handle/cancel'({ services, signal }, p) {
    await services.table.use(p.handle, (h) => h.cancel(p.reason ?? '', rpc(signal, p)));
    return null;
  },

  async 'handle/terminate'({ services, signal }, p) {
    await services.table.use(p.handle, (h) => h.terminate(p.reason, p.details ?? [], rpc(signal, p)));
    return null;
  },

  async 'handle/result'({ session, services, signal }, p) {
    const token = p.workDoneToken;
    const progress = (value: ResultProgress) => {
      if (token !== undefined) session.sendProgress(token, value);
    };
    let begun = false;
    // Leased in this frame rather than through `use`'s callback: a held wait costs one frame fewer.
    const lease = services.table.lease(p.handle);
    const h = lease.handle;
    try {
      const follow: Parameters<typeof h.result>[0] = {
        followRuns: p.followRuns ?? true,
        onStart: (runId) => {
          begun = true;
          progress({ kind: 'begin', title: `Waiting for the result of ${h.workflowId}`, cancellable: true, workflowId: h.workflowId, runId });
        },
        onStep: (s) => progress({ kind: 'report', message: `${s.reason}: ${s.previousRunId} -> ${s.runId}`, ...s }),
      };
      const r = await h.result(Object.assign(follow, rpc(signal, p)));
      if (begun) progress({ kind: 'end', message: 'COMPLETED', runId: r.runId, status: 'COMPLETED' });
      return r;
    } catch (err) {
      if (begun) {
        const status = closeStatusOf(err);
        const runId = (err as { runId?: string }).runId ?? null;
        progress({ kind: 'end', message: status ?? (signal.aborted ? 'cancelled' : (err as Error).message), runId, status });
      }
      throw err;
    } finally {
      services.table.unlease(lease);
    }
  },

  async 'handle/release'({ services }, p) {
    services.table.release(p.handle);
    return null;
  },

  async 'handle/executeUpdate'({ services, signal }, p) {
    const r = await services.table.use(p.handle, (h) => temporal.updates().executeUpdate(services.client, h.ids, p.update, { args: p.args, updateId: p.updateId, ...rpc(signal, p) }));
    return { value: r.value, updateId: r.update.updateId };
  },

  async 'handle/startUpdate'({ services, signal }, p) {
    const u = await services.table.use(p.handle, (h) =>
      temporal.updates().startUpdate(services.client, h.ids, p.update, { args: p.args, updateId: p.updateId, waitForStage: p.waitForStage as never, ...rpc(signal, p) }),
    );
    return updateInfo(services.updates.add(u), u);
  },

  async 'handle/getUpdateHandle'({ services }, p) {
    const h = services.table.get(p.handle);
    const u = temporal.updates().getUpdateHandle(services.client, h.ids, p.updateId, p.workflowRunId);
    return updateInfo(services.updates.add(u), u);
  },

  async 'update/result'({ services, signal }, p) {
    return { value: await services.updates.use(p.update, (u) => u.result(rpc(signal, p))) };
  },

  async 'update/describe'({ services, signal }, p) {
    return services.updates.use(p.update, (u) => u.describe(rpc(signal, p)));
  },

  async 'update/release'({ services }, p) {
    services.updates.release(p.update);
    return null;
  },

  async 'workflow/startUpdateWithStart'({ session, services, signal }, p) {
    const start = Object.assign({}, p.start, { namespace: p.start.namespace ?? session.namespace });
    const r = await temporal.updates().startUpdateWithStart(services.client, start, p.update, { args: p.args, updateId: p.updateId, waitForStage: p.waitForStage as never, ...rpc(signal, p) });
    return { handle: handleInfo(services.table.add(r.workflow), r.workflow), update: updateInfo(services.updates.add(r.update), r.update) };
  },

  async 'workflow/executeUpdateWithStart'({ session, services, signal }, p) {
    const start = Object.assign({}, p.start, { namespace: p.start.namespace ?? session.namespace });
    const r = await temporal.updates().executeUpdateWithStart(services.client, start, p.update, { args: p.args, updateId: p.updateId, ...rpc(signal, p) });
    return { handle: handleInfo(services.table.add(r.workflow), r.workflow), update: updateInfo(services.updates.add(r.update), r.update), value: r.value };
  },

  async 'handle/fetchHistory'({ session, services, signal }, p) {
    const token = p.partialResultToken;
    return services.table.use(p.handle, (h) =>
      temporal.history().fetchHistory(services.client, h.ids, {
        eventFilterType: p.eventFilterType,
        skipArchival: p.skipArchival,
        decode: p.decode,
        call: rpc(signal, p),
        // Streamed: each page goes out as it arrives, and the daemon never holds the whole history.
        onPage: token === undefined ? undefined : (events) => session.sendProgress(token, { events }),
      }),
    );
  },

  async 'handle/fetchHistoryEvents'({ session, services, signal }, p) {
    const page = await services.table.use(p.handle, (h) =>
      temporal.history().fetchHistoryEvents(services.client, h.ids, {
        pageSize: p.pageSize,
        nextPageToken: p.nextPageToken,
        waitNewEvent: p.waitNewEvent,
        eventFilterType: p.eventFilterType,
        skipArchival: p.skipArchival,
        decode: p.decode,
        call: rpc(signal, p),
      }),
    );
    if (p.partialResultToken === undefined) return page;
    session.sendProgress(p.partialResultToken, { events: page.events });
    return { events: [], nextPageToken: page.nextPageToken };
  },

  async 'handle/watch'({ session, services, signal }, p) {
    const token = p.partialResultToken;
    return services.table.use(p.handle, (h) =>
      temporal.watch().watch(services.client, h.ids, {
        fromEventId: p.fromEventId,
        followRuns: p.followRuns,
        decode: p.decode,
        signal,
        call: rpc(signal, p),
        onBatch: (batch) => session.sendProgress(token, { ...batch }),
      }),
    );
  },

  async 'workflow/list'({ session, services, signal }, p) {
    const token = p.partialResultToken;
    return temporal.visibility().listWorkflows(services.client, p.namespace ?? session.namespace, {
      query: p.query,
      limit: p.limit,
      pageSize: p.pageSize,
      nextPageToken: p.nextPageToken,
      call: rpc(signal, p),
      // Streamed: each page goes out as it arrives, and no list sits whole in the daemon.
      onPage: token === undefined ? undefined : (executions) => session.sendProgress(token, { executions }),
    });
  },

  async 'workflow/count'({ session, services, signal }, p) {
    return temporal.visibility().countWorkflows(services.client, p.namespace ?? session.namespace, p.query, rpc(signal, p));
  },

  async 'handle/metadata'({ services, signal }, p) {
    return services.table.use(p.handle, (h) => temporal.visibility().workflowMetadata(h, rpc(signal, p)));
  },

  async 'handle/stackTrace'({ services, signal }, p) {
    return { stackTrace: await services.table.use(p.handle, (h) => temporal.visibility().stackTrace(h, rpc(signal, p))) };
  },

  async 'daemon/status'({ services }) {
    const status = await services.status();
    // This request is in flight while it is answered; it is not counted.
    return Object.assign({}, status, { inFlight: Math.max(0, status.inFlight - 1) });
  },

  async 'rpc.discover'({ services }) {
    return services.openrpc();
  },
};

/** Runs the handler of `method` (whose params the caller has validated against the contract). */
export function runHandler<M extends MethodName>(method: M, ctx: CallContext, params: ParamsOf<M>): Promise<ResultOf<M>> {
  return (handlers[method] as (ctx: CallContext, params: ParamsOf<M>) => Promise<ResultOf<M>>)(ctx, params);
}
