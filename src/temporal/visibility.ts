/**
 * Visibility: list and count workflow runs with Temporal's visibility query language, and
 * the introspection queries every SDK worker answers (`__temporal_workflow_metadata`,
 * `__stack_trace`).
 */
import type { TemporalClient } from './client';
import type { CallOptions } from './connection';
import { toExecution, type WorkflowExecution } from './description';
import { fromPayload, type JsonValue } from './payload-converter';
import { toNumber } from './proto';
import type { WorkflowHandle } from './workflow-handle';
import { InvalidArgumentError } from './invalid-argument';

export interface ListOptions {
  query?: string;
  /** Entries per page asked of the server (its default when unset). */
  pageSize?: number;
  /** Where a previous page ended (base64, as returned). */
  nextPageToken?: string | null;
  /** Stop after this many entries in all (across pages). */
  limit?: number;
  /** Receives each page as it arrives; then the entries are not kept (a list of any size costs one page). */
  onPage?: (executions: WorkflowExecution[]) => void | Promise<void>;
  call?: CallOptions;
}

/** The page size asked for when a limit applies and none was given (the server's own default is 1,000). */
const DEFAULT_PAGE = 1000;

export interface ListResult {
  /** Every entry, or none when they went to `onPage`. */
  executions: WorkflowExecution[];
  /** Where the list stopped (at `limit`), to resume; null when it reached the end. */
  nextPageToken: string | null;
}

function token(t: string | null | undefined): Uint8Array | undefined {
  if (t === undefined || t === null || t === '') return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) throw new InvalidArgumentError('nextPageToken must be a base64 string, as a previous page returned it');
  return Buffer.from(t, 'base64');
}

/** Lists runs matching `query` page by page, up to `limit` entries. */
export async function listWorkflows(client: TemporalClient, namespace: string, o: ListOptions = {}): Promise<ListResult> {
  const limit = o.limit ?? Infinity;
  const kept: WorkflowExecution[] = [];
  let seen = 0;
  let next = token(o.nextPageToken);
  for (;;) {
    // Near the limit a smaller page is asked for, so that the list stops on a page boundary
    // and its nextPageToken resumes exactly where it stopped.
    const pageSize = Number.isFinite(limit) ? Math.min(o.pageSize || DEFAULT_PAGE, limit - seen) : (o.pageSize ?? 0);
    const res = await client.service.listWorkflowExecutions({ namespace, query: o.query ?? '', pageSize, nextPageToken: next }, o.call);
    const page = (res.executions ?? []).map((e) => toExecution(e, namespace)).slice(0, limit - seen);
    seen += page.length;
    if (o.onPage) {
      if (page.length > 0) await o.onPage(page);
    } else kept.push(...page);
    const more = res.nextPageToken && res.nextPageToken.length > 0 ? Buffer.from(res.nextPageToken).toString('base64') : null;
    if (seen >= limit || more === null) return { executions: kept, nextPageToken: more };
    next = Buffer.from(more, 'base64');
  }
}

export interface CountResult {
  count: number;
  /** With `GROUP BY`: each group's values (decoded) and count. */
  groups: { count: number; groupValues: JsonValue[] }[];
}

export async function countWorkflows(client: TemporalClient, namespace: string, query: string | undefined, call?: CallOptions): Promise<CountResult> {
  const res = await client.service.countWorkflowExecutions({ namespace, query: query ?? '' }, call);
  return {
    count: toNumber(res.count),
    groups: (res.groups ?? []).map((g) => ({ count: toNumber(g.count), groupValues: (g.groupValues ?? []).map((v) => fromPayload(v)) })),
  };
}

/** The `__temporal_workflow_metadata` query: the workflow's type, its query/signal/update definitions and current details. */
export async function workflowMetadata(handle: WorkflowHandle, call?: CallOptions): Promise<{ definition: JsonValue; currentDetails: JsonValue }> {
  const v = (await handle.query('__temporal_workflow_metadata', [], undefined, call)) as { definition?: JsonValue; currentDetails?: JsonValue } | null;
  return { definition: v?.definition ?? null, currentDetails: v?.currentDetails ?? '' };
}

/** The `__stack_trace` query: where the workflow's code waits. */
export async function stackTrace(handle: WorkflowHandle, call?: CallOptions): Promise<string> {
  const v = await handle.query('__stack_trace', [], undefined, call);
  return typeof v === 'string' ? v : JSON.stringify(v);
}
