/**
 * The protocol's methods: thin adapters from validated params to the handle
 * table and the Temporal client. Lifecycle methods move the session's state.
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import type { TemporalClient } from '../temporal/client';
import type { WorkflowHandle, QueryRejectCondition } from '../temporal/workflow-handle';
import { closeStatusOf } from '../temporal/workflow-handle';
import type { StartWorkflowOptions } from '../temporal/start-options';
import type { HandleTable } from '../handles/handle-table';
import type { Logger } from '../log/logger';
import { ErrorCodes } from './error-codes';
import { methods, PROTOCOL_VERSION } from './methods';
import type { Session } from './session';

/** What every session shares: one Temporal client, one handle table. */
export interface Services {
  client: TemporalClient;
  table: HandleTable;
  logger: Logger;
  namespace: string;
  address: string;
  version: string;
  /** Requests in flight across all sessions. */
  inFlight: number;
  serverVersion(): Promise<string | null>;
  status(): Promise<Record<string, unknown>>;
  openrpc(): unknown;
}

export interface CallContext {
  session: Session;
  services: Services;
  signal: AbortSignal;
}

type Params = Record<string, unknown>;
type Handler = (ctx: CallContext, params: Params) => Promise<unknown>;

function handleInfo(token: string, h: WorkflowHandle) {
  return {
    handle: token,
    namespace: h.namespace,
    workflowId: h.workflowId,
    runId: h.runId,
    resultRunId: h.resultRunId,
    firstExecutionRunId: h.firstExecutionRunId,
  };
}

const args = (p: Params, key = 'args') => (p[key] as unknown[] | undefined) ?? [];

export const handlers: Record<string, Handler> = {
  async initialize({ session, services }, p) {
    if (session.isInitialized) {
      throw new ResponseError(ErrorCodes.InvalidRequest, 'Invalid request: initialize was already sent', { type: 'InvalidRequest' });
    }
    session.checkSecret(p);
    session.markInitialized();
    if (typeof p.namespace === 'string') session.namespace = p.namespace;
    const info = p.clientInfo as { name?: string } | undefined;
    session.clientName = info?.name;
    return {
      serverInfo: { name: 'temporal-handled', version: services.version },
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {
        methods: methods.map((m) => m.name),
        resultProgress: true,
        cancellation: true,
        values: ['json', '$bytes', '$payload'],
      },
      temporal: { address: services.address, namespace: session.namespace, serverVersion: await services.serverVersion() },
    };
  },

  async shutdown({ session }) {
    session.markShutdown();
    return null;
  },

  async 'workflow/start'({ session, services, signal }, p) {
    const opts = { ...(p as unknown as StartWorkflowOptions), namespace: (p.namespace as string | undefined) ?? session.namespace };
    const h = await services.client.startWorkflow(opts, { signal });
    return handleInfo(services.table.add(h), h);
  },

  async 'workflow/getHandle'({ session, services }, p) {
    const h = services.client.getWorkflowHandle(
      p.workflowId as string,
      p.runId as string | null | undefined,
      p.firstExecutionRunId as string | null | undefined,
      (p.namespace as string | undefined) ?? session.namespace,
    );
    return handleInfo(services.table.add(h), h);
  },

  async 'handle/info'({ services }, p) {
    const token = p.handle as string;
    return handleInfo(token, services.table.get(token));
  },

  async 'handle/describe'({ services, signal }, p) {
    return services.table.use(p.handle as string, (h) => h.describe({ signal }));
  },

  async 'handle/query'({ services, signal }, p) {
    const value = await services.table.use(p.handle as string, (h) => h.query(p.query as string, args(p), p.rejectCondition as QueryRejectCondition | undefined, { signal }));
    return { value };
  },

  async 'handle/signal'({ services, signal }, p) {
    await services.table.use(p.handle as string, (h) => h.signal(p.signal as string, args(p), { signal }));
    return null;
  },

  async 'handle/cancel'({ services, signal }, p) {
    await services.table.use(p.handle as string, (h) => h.cancel((p.reason as string | undefined) ?? '', { signal }));
    return null;
  },

  async 'handle/terminate'({ services, signal }, p) {
    await services.table.use(p.handle as string, (h) => h.terminate(p.reason as string | undefined, args(p, 'details'), { signal }));
    return null;
  },

  async 'handle/result'({ session, services, signal }, p) {
    const token = p.workDoneToken as string | number | undefined;
    const progress = (value: Record<string, unknown>) => {
      if (token !== undefined) session.sendProgress(token, value);
    };
    let begun = false;
    return services.table.use(p.handle as string, async (h) => {
      try {
        const r = await h.result({
          followRuns: (p.followRuns as boolean | undefined) ?? true,
          signal,
          onStart: (runId) => {
            begun = true;
            progress({ kind: 'begin', title: `Waiting for the result of ${h.workflowId}`, cancellable: true, workflowId: h.workflowId, runId });
          },
          onStep: (s) => progress({ kind: 'report', message: `${s.reason}: ${s.previousRunId} -> ${s.runId}`, ...s }),
        });
        if (begun) progress({ kind: 'end', message: 'COMPLETED', runId: r.runId, status: 'COMPLETED' });
        return r;
      } catch (err) {
        if (begun) {
          const status = closeStatusOf(err);
          const runId = (err as { runId?: string }).runId ?? null;
          progress({ kind: 'end', message: status ?? (signal.aborted ? 'cancelled' : (err as Error).message), runId, status });
        }
        throw err;
      }
    });
  },

  async 'handle/release'({ services }, p) {
    services.table.release(p.handle as string);
    return null;
  },

  async 'daemon/status'({ services }) {
    const status = await services.status();
    // This request is in flight while it is answered; it is not counted.
    return { ...status, inFlight: Math.max(0, (status.inFlight as number) - 1) };
  },

  async 'rpc.discover'({ services }) {
    return services.openrpc();
  },
};
