/**
 * The client commands. Each one first checks and converts its flags (bad usage fails
 * before any daemon is reached), then runs against a connected client.
 */
import { WorkflowContinuedAsNewError, WorkflowFailureError, WorkflowUpdateFailedError, type ResultProgress, type StartWorkflowOptions, type WorkflowHandle } from 'temporal-handled-client';
import { CliUsageError, enumValue, jsonValue, jsonValues, keyedJson, parseClientArgs, type ClientArgs, type ClientCommand } from './args';
import { batchCommand } from './batch';
import { ExitCode } from './exit-codes';
import { Output } from './output';
import { randomUUID } from 'node:crypto';
import { isJsonStructure } from '../../json/exact-json';
import { ID_CONFLICT_POLICIES, ID_REUSE_POLICIES, QUERY_REJECT_CONDITIONS } from '@temporal-handled/protocol';

import type { PreparedCommand, RunContext } from './run-context';
import { describeText } from './describe-text';
export type { PreparedCommand, RunContext };

const UPDATE_STAGES = ['ACCEPTED', 'COMPLETED', 'ADMITTED'] as const;
const WITH_START_CONFLICT = ['FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'] as const;

/** An update's outcome printed, and its exit code: 1 when it failed (the failure is printed too). */
async function updateOutcome(ctx: RunContext, base: Record<string, unknown>, run: () => Promise<unknown>): Promise<number> {
  try {
    await ctx.output.result(Object.assign({}, base, { result: await run() }));
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) await ctx.output.result(Object.assign({}, base, { failure: err.failure }));
    throw err;
  }
}

const ID_REUSE = ID_REUSE_POLICIES;
const ID_CONFLICT = ID_CONFLICT_POLICIES;
const REJECT = QUERY_REJECT_CONDITIONS;

/** The object without its undefined members. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const str = (v: unknown) => v as string | undefined;

/** A handle for -w/-r (and --first-execution-run-id), released afterwards when the daemon outlives us. */
async function withHandle<T>(ctx: RunContext, a: ClientArgs, fn: (h: WorkflowHandle) => Promise<T>): Promise<T> {
  const v = a.values;
  const make = () =>
    ctx.client.getWorkflowHandle(v['workflow-id'] as string, {
      runId: str(v['run-id']),
      firstExecutionRunId: str(v['first-execution-run-id']),
    });
  if (ctx.handleCache) {
    const key = JSON.stringify([v['workflow-id'], v['run-id'] ?? null, v['first-execution-run-id'] ?? null]);
    let cached = ctx.handleCache.get(key);
    if (!cached) ctx.handleCache.set(key, (cached = make()));
    return fn(cached);
  }
  const h = make();
  try {
    return await fn(h);
  } finally {
    if (ctx.attached) await h.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  }
}

/** How a run closed, from the daemon's progress `end` or else the failure's type. */
function closeStatus(err: WorkflowFailureError, fromProgress: string | null | undefined): string {
  if (fromProgress) return fromProgress;
  switch (err.failure.type) {
    case 'CancelledError':
      return 'CANCELED';
    case 'TerminatedError':
      return 'TERMINATED';
    case 'TimeoutError':
      return 'TIMED_OUT';
    default:
      return 'FAILED';
  }
}

const prepare: Record<Exclude<ClientCommand, 'help-client'>, (a: ClientArgs) => PreparedCommand> = {
  start(a) {
    const v = a.values;
    if (v['start-signal-input'] !== undefined && v['start-signal'] === undefined) throw new CliUsageError('--start-signal-input goes with --start-signal', 'start');
    const opts: StartWorkflowOptions = defined({
      workflowType: v.type as string,
      taskQueue: v['task-queue'] as string,
      workflowId: v['workflow-id'] as string,
      args: jsonValues(v.input, '--input'),
      executionTimeout: str(v['execution-timeout']),
      runTimeout: str(v['run-timeout']),
      taskTimeout: str(v['task-timeout']),
      startDelay: str(v['start-delay']),
      idReusePolicy: enumValue(v['id-reuse-policy'], '--id-reuse-policy', ID_REUSE) as StartWorkflowOptions['idReusePolicy'],
      idConflictPolicy: enumValue(v['id-conflict-policy'], '--id-conflict-policy', ID_CONFLICT) as StartWorkflowOptions['idConflictPolicy'],
      cronSchedule: str(v.cron),
      memo: keyedJson(v.memo, '--memo'),
      searchAttributes: keyedJson(v['search-attribute'], '--search-attribute'),
      startSignal: str(v['start-signal']),
      startSignalArgs: jsonValues(v['start-signal-input'], '--start-signal-input'),
      staticSummary: str(v['static-summary']),
      staticDetails: str(v['static-details']),
    });
    return async (ctx) => {
      const h = await ctx.client.startWorkflow(Object.assign({}, opts, { signal: ctx.signal }));
      if (ctx.attached) await h.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      await ctx.output.result(
        {
          workflowId: h.workflowId,
          runId: h.resultRunId,
          firstExecutionRunId: h.firstExecutionRunId,
          namespace: h.namespace,
          type: opts.workflowType,
          taskQueue: opts.taskQueue,
        },
        'Started workflow',
      );
      return ExitCode.Ok;
    };
  },

  describe(a) {
    return async (ctx) => {
      const d = await withHandle(ctx, a, (h) => h.describe({ signal: ctx.signal }));
      await ctx.output.result(d, undefined, describeText);
      return ExitCode.Ok;
    };
  },

  query(a) {
    const v = a.values;
    const args = jsonValues(v.input, '--input') ?? [];
    const rejectCondition = enumValue(v['reject-condition'], '--reject-condition', REJECT) as (typeof REJECT)[number] | undefined;
    return async (ctx) => {
      const result = await withHandle(ctx, a, (h) => h.queryWithOptions(v.name as string, args, { rejectCondition, signal: ctx.signal }));
      if (ctx.output.format === 'text') await ctx.output.result(result);
      else await ctx.output.result({ workflowId: v['workflow-id'], runId: v['run-id'] ?? null, query: v.name, result });
      return ExitCode.Ok;
    };
  },

  signal(a) {
    const v = a.values;
    const args = jsonValues(v.input, '--input') ?? [];
    return async (ctx) => {
      await withHandle(ctx, a, (h) => h.signalWithOptions(v.name as string, args, { signal: ctx.signal }));
      await ctx.output.result({ workflowId: v['workflow-id'], runId: v['run-id'] ?? null, signal: v.name }, 'Signal sent');
      return ExitCode.Ok;
    };
  },

  cancel(a) {
    const v = a.values;
    return async (ctx) => {
      await withHandle(ctx, a, (h) => h.cancel({ reason: str(v.reason), signal: ctx.signal }));
      await ctx.output.result({ workflowId: v['workflow-id'], runId: v['run-id'] ?? null, firstExecutionRunId: v['first-execution-run-id'] ?? null, cancelRequested: true }, 'Cancellation requested');
      return ExitCode.Ok;
    };
  },

  terminate(a) {
    const v = a.values;
    const details = jsonValues(v.details, '--details');
    return async (ctx) => {
      await withHandle(ctx, a, (h) => h.terminate({ reason: str(v.reason), details, signal: ctx.signal }));
      await ctx.output.result({ workflowId: v['workflow-id'], runId: v['run-id'] ?? null, firstExecutionRunId: v['first-execution-run-id'] ?? null, terminated: true }, 'Workflow terminated');
      return ExitCode.Ok;
    };
  },

  result(a) {
    const v = a.values;
    const followRuns = !v['no-follow'];
    const showProgress = v.progress ? true : v['no-progress'] ? false : Boolean(process.stderr.isTTY);
    const workflowId = v['workflow-id'] as string;
    return async (ctx) => {
      let endStatus: string | null | undefined;
      const onProgress = (p: ResultProgress) => {
        if (p.kind === 'end') endStatus = p.status;
        if (showProgress) ctx.output.progress(p);
      };
      try {
        const r = await withHandle(ctx, a, (h) => h.resultWithRunId({ followRuns, onProgress, signal: ctx.signal }));
        await ctx.output.result({ workflowId, runId: r.runId, status: 'COMPLETED', result: r.value });
        return ExitCode.Ok;
      } catch (err) {
        if (err instanceof WorkflowFailureError) {
          await ctx.output.result({ workflowId, runId: err.runId, status: closeStatus(err, endStatus), failure: err.failure, retryState: err.retryState });
        } else if (err instanceof WorkflowContinuedAsNewError) {
          await ctx.output.result({ workflowId, runId: err.runId, status: 'CONTINUED_AS_NEW', newExecutionRunId: err.newExecutionRunId });
        }
        throw err;
      }
    };
  },

  update(a) {
    const v = a.values;
    const sub = a.positionals[0] as 'start' | 'execute' | 'result' | 'describe';
    const args = jsonValues(v.input, '--input') ?? [];
    const updateId = str(v['update-id']);
    const stage = (enumValue(v['wait-for-stage'], '--wait-for-stage', UPDATE_STAGES) ?? 'ACCEPTED') as 'ACCEPTED' | 'COMPLETED';
    const name = str(v.name)!;
    return async (ctx) => {
      const base = { workflowId: v['workflow-id'], runId: v['run-id'] ?? null };
      return withHandle(ctx, a, async (h) => {
        if (sub === 'execute') {
          const id = updateId ?? randomUUID();
          return updateOutcome(ctx, Object.assign({}, base, { update: name, updateId: id }), () => h.executeUpdate(name, { args, updateId: id, signal: ctx.signal }));
        }
        if (sub === 'start') {
          const u = await h.startUpdate(name, { args, updateId, waitForStage: stage, signal: ctx.signal });
          const d = await u.describe({ signal: ctx.signal });
          if (ctx.attached) await u.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
          await ctx.output.result(Object.assign({}, base, { update: name, updateId: u.updateId, stage: d.stage }, d.outcome ? d.outcome : {}), 'Update started');
          return ExitCode.Ok;
        }
        const u = await h.getUpdateHandle(updateId!, { signal: ctx.signal });
        try {
          if (sub === 'describe') {
            await ctx.output.result(Object.assign({}, base, await u.describe({ signal: ctx.signal })));
            return ExitCode.Ok;
          }
          return await updateOutcome(ctx, Object.assign({}, base, { updateId }), () => u.result({ signal: ctx.signal }));
        } finally {
          if (ctx.attached) await u.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        }
      });
    };
  },

  'update-with-start'(a) {
    const v = a.values;
    const conflict = enumValue(v['id-conflict-policy'], '--id-conflict-policy', WITH_START_CONFLICT) as (typeof WITH_START_CONFLICT)[number];
    const stage = enumValue(v['wait-for-stage'], '--wait-for-stage', UPDATE_STAGES) as 'ACCEPTED' | 'COMPLETED' | undefined;
    const name = str(v.name)!;
    const op = defined({
      workflowType: v.type as string,
      taskQueue: v['task-queue'] as string,
      workflowId: v['workflow-id'] as string,
      args: jsonValues(v.input, '--input'),
      idConflictPolicy: conflict,
    });
    const updateArgs = jsonValues(v['update-input'], '--update-input');
    const updateId = str(v['update-id']) ?? randomUUID();
    return async (ctx) => {
      const base = { workflowId: op.workflowId, update: name, updateId };
      if (stage !== undefined) {
        const r = await ctx.client.startUpdateWithStart(name, { args: updateArgs, updateId, waitForStage: stage, startWorkflowOperation: op, signal: ctx.signal });
        const d = await r.update.describe({ signal: ctx.signal });
        if (ctx.attached) {
          await r.update.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
          await r.workflow.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        }
        await ctx.output.result(Object.assign({}, base, { runId: r.workflow.resultRunId, stage: d.stage }, d.outcome ? d.outcome : {}), 'Update started');
        return ExitCode.Ok;
      }
      return updateOutcome(ctx, base, async () => {
        const r = await ctx.client.executeUpdateWithStart(name, { args: updateArgs, updateId, startWorkflowOperation: op, signal: ctx.signal });
        if (ctx.attached) {
          await r.update.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
          await r.workflow.release({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        }
        return r.value;
      });
    };
  },

  show(a) {
    const v = a.values;
    const decode = v.decode ? true : undefined;
    return async (ctx) => {
      await withHandle(ctx, a, async (h) => {
        if (v.follow) {
          // Streamed: one event a line (jsonl, the default here) or text; never one indented document.
          const out = ctx.output.format === 'json' ? new Output('jsonl') : ctx.output;
          const it = h.watch({ decode, signal: ctx.signal });
          for (;;) {
            const next = await it.next();
            if (next.done) {
              if (out.format === 'text') await out.result(next.value, 'Watch ended');
              return;
            }
            for (const event of next.value.events) await out.result(out.format === 'text' ? eventLine(event) : { runId: next.value.runId, ...event });
          }
        }
        const history = await h.fetchHistory({ decode, signal: ctx.signal });
        if (ctx.output.format === 'json') await ctx.output.result({ events: history.events });
        else for (const event of history.events) await ctx.output.result(ctx.output.format === 'text' ? eventLine(event) : event);
      });
      return ExitCode.Ok;
    };
  },

  list(a) {
    const v = a.values;
    const int = (flag: string) => {
      if (v[flag] === undefined) return undefined;
      const n = Number(v[flag]);
      if (!Number.isInteger(n) || n < 1) throw new CliUsageError(`--${flag} must be a positive integer; got "${String(v[flag])}"`, 'list');
      return n;
    };
    const limit = int('limit');
    const pageSize = int('page-size');
    return async (ctx) => {
      const runs = ctx.client.list(defined({ query: str(v.query), limit, pageSize, signal: ctx.signal }));
      if (ctx.output.format === 'json') {
        const all = [];
        for await (const e of runs) all.push(e);
        await ctx.output.result(all);
      } else {
        for await (const e of runs) await ctx.output.result(ctx.output.format === 'text' ? `${e.workflowId}  ${e.runId}  ${e.workflowType}  ${e.status}  ${e.startTime}` : e);
      }
      return ExitCode.Ok;
    };
  },

  count(a) {
    return async (ctx) => {
      await ctx.output.result(await ctx.client.count(str(a.values.query), { signal: ctx.signal }));
      return ExitCode.Ok;
    };
  },

  metadata(a) {
    return async (ctx) => {
      await ctx.output.result(await withHandle(ctx, a, (h) => h.metadata({ signal: ctx.signal })));
      return ExitCode.Ok;
    };
  },

  stack(a) {
    return async (ctx) => {
      const stackTrace = await withHandle(ctx, a, (h) => h.stackTrace({ signal: ctx.signal }));
      if (ctx.output.format === 'text') await ctx.output.result(stackTrace);
      else await ctx.output.result({ workflowId: a.values['workflow-id'], runId: a.values['run-id'] ?? null, stackTrace });
      return ExitCode.Ok;
    };
  },

  call(a) {
    const [method, paramsText] = a.positionals as [string, string | undefined];
    const params = paramsText === undefined ? undefined : jsonValue(paramsText, 'PARAMS');
    if (params !== undefined && !isJsonStructure(params)) throw new CliUsageError('call PARAMS must be a JSON object (or array)', 'call');
    return async (ctx) => {
      const result = await ctx.client.request(method, params as object | undefined, { signal: ctx.signal });
      await ctx.output.result(result);
      return ExitCode.Ok;
    };
  },

  status() {
    return async (ctx) => {
      await ctx.output.result(await ctx.client.status({ signal: ctx.signal }));
      return ExitCode.Ok;
    };
  },

  batch() {
    return batchCommand((words) => {
      const line = parseClientArgs(words);
      if (line.help) throw new CliUsageError('help is not available inside a batch', line.command);
      return prepareCommand(line);
    });
  },
};

/** One event as a line of text: `ID  TIME  TYPE`. */
function eventLine(e: Record<string, unknown>): string {
  const type = String(e.eventType ?? '').replace(/^EVENT_TYPE_/, '');
  return `${String(e.eventId ?? '').padStart(5)}  ${String(e.eventTime ?? '')}  ${type}`;
}

/** Checks a command's flags (throwing CliUsageError) and returns what runs it. */
export function prepareCommand(a: ClientArgs): PreparedCommand {
  if (a.command === 'help-client') throw new Error('help-client has nothing to run');
  try {
    return prepare[a.command](a);
  } catch (err) {
    if (err instanceof CliUsageError && err.command === undefined) throw new CliUsageError(err.message, a.command);
    throw err;
  }
}
