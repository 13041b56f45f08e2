/**
 * Reading a run's history: one page (`fetchHistoryEvents`, the Python SDK's
 * `fetch_history_events` page by page) or every page (`fetchHistory` / `historyPages`), with the
 * events in the JSON form of Temporal's API (history-json.ts).
 *
 * They act on the handle's `runId`, the latest run when it is null, as the Python SDK does;
 * `fetchHistory` pins that run first (a describe) so that every page comes from one run and the
 * answer can name it. Pages are read one at a time, when the consumer asks for the next, so a
 * long history (tens of thousands of events, tens of MB) is never held whole unless the caller
 * collects it.
 *
 * What the server does with the request fields (found against `temporal server start-dev`,
 * tested in test/temporal/history.test.ts):
 * - an unknown workflow ID or run ID: NOT_FOUND; a run ID that is not a UUID: INVALID_ARGUMENT "Invalid RunId.";
 * - `maximumPageSize` 0 or negative is the server's default, and a larger one is cut to its
 *   maximum (frontend.historyMaxPageSize); pages hold whole batches of events as they were
 *   written, so a page can hold more events than asked for;
 * - a nextPageToken that is not one of its own: INVALID_ARGUMENT "Invalid NextPageToken.";
 *   one of another run: INVALID_ARGUMENT "RunId in the request does not match the NextPageToken.";
 *   with no run ID in the request the token's run is read (so a handle whose runId is null
 *   pages on in the run it started in, even after the workflow has moved on to a new run;
 *   a token of another workflow ID then gives NOT_FOUND); an old token of the run stays good
 *   (it reads on from where it was made);
 * - a page has no bound in bytes: 256 batches by default and at most (frontend.historyMaxPageSize),
 *   so a history of big payloads (each below limit.blobSize.error, 2 MiB) up to the history size
 *   limit (limit.historySize.error, 50 MiB) can come as one page of 50 MB: within the 128 MB the
 *   connection accepts (connection.ts), and the reason a streamed read sizes its pages (PageSizer);
 * - eventFilterType CLOSE_EVENT on an open run: the server holds the read until the run
 *   closes or its long-poll window (20 s) ends, waitNewEvent or not, then answers the close
 *   event, or no events and no token.
 * A page size that is not an int32 cannot be put in the request at all: an InvalidArgumentError naming it
 * (as the Python SDK's protobuf raises ValueError for it).
 */
import { InvalidArgumentError } from './invalid-argument';
import { sleep, type CallOptions } from './connection';
import type { TemporalClient } from './client';
import type { HandleIds } from './workflow-handle';
import { enums } from './proto';
import { RPCError } from './errors';
import { troublePauseMs } from './run-chain';
import { eventsToJson, type HistoryEventJson } from './history-json';

export type { HistoryEventJson } from './history-json';

export const EVENT_FILTER_TYPES = ['ALL_EVENT', 'CLOSE_EVENT'] as const;
export type EventFilterType = (typeof EVENT_FILTER_TYPES)[number];

/** Per-call gRPC options: the caller's AbortSignal, a deadline for each call, extra metadata. */
export type HistoryCallOptions = Pick<CallOptions, 'signal' | 'timeoutMs' | 'metadata'>;

export interface HistoryReadOptions {
  /** @default "ALL_EVENT" */
  eventFilterType?: EventFilterType;
  /** Do not look in the archive for a run the server no longer keeps. @default false */
  skipArchival?: boolean;
  /** Payloads as the protocol's values, for display (no longer replayable). @default false */
  decode?: boolean;
  /** Events per page asked of the server (0: its default). */
  pageSize?: number;
  call?: HistoryCallOptions;
}

export interface FetchHistoryEventsOptions extends HistoryReadOptions {
  /** Where the previous page ended (base64, as returned; or the raw bytes). */
  nextPageToken?: string | Uint8Array | null;
  /** Long-poll: on an open run at its end, wait (up to the server's ~20 s) for new events. @default false */
  waitNewEvent?: boolean;
}

export interface HistoryEventsPage {
  events: HistoryEventJson[];
  /** Base64; null when this was the last page (with waitNewEvent: when the run has closed). */
  nextPageToken: string | null;
}

export interface WorkflowHistory {
  workflowId: string;
  runId: string;
  /** Every event; empty when they went to `onPage` instead. */
  events: HistoryEventJson[];
}

export interface FetchHistoryOptions extends HistoryReadOptions {
  /**
   * Receives each page's events as it arrives (awaited before the next page is read); the
   * answer's `events` is then empty, so the history never sits whole in memory.
   */
  onPage?: (events: HistoryEventJson[]) => void | Promise<void>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const INT32_MAX = 2 ** 31 - 1;

function filterTypeOf(v: unknown): number {
  if (v === undefined || v === null) return enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT;
  if (v === 'ALL_EVENT') return enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT;
  if (v === 'CLOSE_EVENT') return enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
  throw new InvalidArgumentError(`eventFilterType must be one of ${EVENT_FILTER_TYPES.join(', ')}; got ${JSON.stringify(v)}`);
}

function pageSizeOf(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -INT32_MAX - 1 || v > INT32_MAX) {
    throw new InvalidArgumentError(`pageSize must be an integer of at most ${INT32_MAX} (0 or less: the server's default); got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * A CLOSE_EVENT read of an open run is held by the server until the run closes or its
 * long-poll window (20 s) ends, waitNewEvent or not (it polls the run's state for its end):
 * such a call gets the long-poll deadline. (The server's limit on concurrent long polls counts
 * it only with waitNewEvent.)
 */
function heldByServer(filter: number): boolean {
  return filter === enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
}

function tokenOf(v: unknown): Uint8Array | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (v instanceof Uint8Array) return v.length > 0 ? v : undefined;
  if (typeof v !== 'string' || v.length % 4 !== 0 || !BASE64.test(v)) throw new InvalidArgumentError('nextPageToken must be a base64 string, as a previous page returned it');
  return Buffer.from(v, 'base64');
}

function tokenText(t: Uint8Array | null | undefined): string | null {
  return t && t.length > 0 ? Buffer.from(t).toString('base64') : null;
}

/**
 * One page of the run's history. With `waitNewEvent` it is a long poll (it joins the namespace's
 * long-poll budget, long-poll-budget.ts; over the budget it reads without waiting, which the
 * server's limit does not count, and may then answer an empty page with a token to poll again).
 */
export async function fetchHistoryEvents(client: TemporalClient, handle: HandleIds, o: FetchHistoryEventsOptions = {}): Promise<HistoryEventsPage> {
  const request = {
    namespace: handle.namespace,
    execution: { workflowId: handle.workflowId, runId: handle.runId ?? '' },
    maximumPageSize: pageSizeOf(o.pageSize),
    nextPageToken: tokenOf(o.nextPageToken),
    historyEventFilterType: filterTypeOf(o.eventFilterType),
    skipArchival: Boolean(o.skipArchival),
  };
  let res;
  if (!o.waitNewEvent) {
    res = await client.service.getWorkflowExecutionHistory(
      Object.assign({}, request, { waitNewEvent: false }),
      Object.assign({}, o.call, { longPoll: heldByServer(request.historyEventFilterType), payloads: payloadsFor(o.decode) }),
    );
  } else {
    const budget = client.longPolls.for(handle.namespace);
    budget.join();
    try {
      // Over the budget, this page waits for a slot. (A read that does not wait is no substitute
      // here: at the end of an open run the server gives it no token to poll on from.)
      for (let n = 1; !budget.tryAcquire(); n++) await sleep(troublePauseMs(n, 500), o.call?.signal);
      try {
        res = await client.service.getWorkflowExecutionHistory(Object.assign({}, request, { waitNewEvent: true }), Object.assign({}, o.call, { longPoll: true, payloads: payloadsFor(o.decode) }));
      } catch (err) {
        if (err instanceof RPCError && err.status === 'RESOURCE_EXHAUSTED') budget.refused();
        throw err;
      } finally {
        budget.release();
      }
    } finally {
      budget.leave();
    }
  }
  return { events: eventsToJson(res.history?.events ?? [], o.decode), nextPageToken: tokenText(res.nextPageToken) };
}

/** The run a read acts on: the handle's `runId`, or the workflow ID's current run (one describe). */
export async function pinRunId(client: TemporalClient, handle: HandleIds, call?: HistoryCallOptions): Promise<string> {
  if (handle.runId) return handle.runId;
  const d = await client.service.describeWorkflowExecution({ namespace: handle.namespace, execution: { workflowId: handle.workflowId, runId: '' } }, { ...call });
  const runId = d.workflowExecutionInfo?.execution?.runId;
  if (!runId) throw new Error(`the server described workflow ${handle.workflowId} without a run ID`);
  return runId;
}

/**
 * Every page of one run's history, read lazily: the next page is asked for when the consumer
 * takes it. Each page names the run it came from (pinned before the first read).
 *
 * With `boundedPages` (and no `pageSize`) each page is sized by its bytes (see `PageSizer`), so
 * that no page holds much more than `PAGE_BYTES_TARGET` however large the events; otherwise the
 * server's default page (256 batches, which can be a whole 50 MB history) is asked for.
 */
export async function* historyPages(
  client: TemporalClient,
  handle: HandleIds,
  o: HistoryReadOptions & { boundedPages?: boolean } = {},
): AsyncGenerator<{ runId: string; events: HistoryEventJson[] }, void, undefined> {
  const fixed = pageSizeOf(o.pageSize);
  const sizer = o.boundedPages && fixed === 0 ? new PageSizer() : undefined;
  const filter = filterTypeOf(o.eventFilterType);
  const runId = await pinRunId(client, handle, o.call);
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.service.getWorkflowExecutionHistory(
      {
        namespace: handle.namespace,
        execution: { workflowId: handle.workflowId, runId },
        maximumPageSize: sizer ? sizer.next : fixed,
        nextPageToken,
        historyEventFilterType: filter,
        skipArchival: Boolean(o.skipArchival),
        waitNewEvent: false,
      },
      Object.assign({}, o.call, { longPoll: heldByServer(filter), payloads: payloadsFor(o.decode) }),
    );
    nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    const events = res.history?.events ?? [];
    sizer?.saw(events);
    // The server can end with an empty page (the token promised more than there was): not passed on.
    if (events.length > 0) yield { runId, events: eventsToJson(events, o.decode) };
  } while (nextPageToken);
}

/**
 * The whole history of one run (the Python SDK's `fetch_history`): collected, or, with
 * `onPage`, handed over page by page and not kept.
 */
export async function fetchHistory(client: TemporalClient, handle: HandleIds, o: FetchHistoryOptions = {}): Promise<WorkflowHistory> {
  const runId = await pinRunId(client, handle, o.call);
  const events: HistoryEventJson[] = [];
  // Streamed: pages bounded in bytes, so that only a few pages' worth is ever held.
  for await (const page of historyPages(client, Object.assign({}, handleIds(handle), { runId }), Object.assign({}, o, { boundedPages: o.onPage !== undefined }))) {
    if (o.onPage) await o.onPage(page.events);
    else for (const e of page.events) events.push(e);
  }
  return { workflowId: handle.workflowId, runId, events };
}

/** About how many bytes a page of history should hold when it is streamed (a few MB: far above any small event, below a 2 MB payload's page of 256 batches). */
export const PAGE_BYTES_TARGET = 2 * 1024 * 1024;
/** The server's largest page (frontend.historyMaxPageSize): 256 batches. */
const SERVER_MAX_PAGE = 256;

/**
 * Picks each page's `maximumPageSize` (the server counts batches of events, not events nor
 * bytes) so that a page holds about `PAGE_BYTES_TARGET`: it starts small (4 batches; a batch is one
 * transaction, which the server keeps to about 4 MB (system.transactionSizeLimit; inferred, not
 * tested), so the first page is at most about 16 MB), doubles while pages come
 * back small and shrinks in proportion when one came back large. A history of small events is still
 * read in a handful of pages (4, 8, … 256 batches).
 */
export class PageSizer {
  next = 4;
  saw(events: readonly object[]): void {
    if (events.length === 0) return;
    const bytes = approxBytes(events);
    if (bytes <= PAGE_BYTES_TARGET / 2) this.next = Math.min(SERVER_MAX_PAGE, this.next * 2);
    else if (bytes > PAGE_BYTES_TARGET) this.next = Math.max(1, Math.floor((this.next * PAGE_BYTES_TARGET) / bytes));
  }
}

/**
 * With a codec server: a history for display (`decode`) has its payloads decoded by it; one to
 * export is left as stored, so that it replays (workflow-service.ts).
 */
export function payloadsFor(decode: boolean | undefined): 'decode' | 'raw' {
  return decode ? 'decode' : 'raw';
}

/** About the encoded size of decoded protobuf messages: their bytes and strings (enough to size pages). */
export function approxBytes(v: unknown, depth = 0): number {
  if (v === null || v === undefined || depth > 64) return 0;
  if (typeof v === 'string') return v.length;
  if (v instanceof Uint8Array) return v.length;
  if (typeof v !== 'object') return 4;
  let n = 2;
  if (Array.isArray(v)) {
    for (const x of v) n += approxBytes(x, depth + 1);
    return n;
  }
  for (const k in v) {
    if (Object.hasOwn(v, k)) n += approxBytes((v as Record<string, unknown>)[k], depth + 1);
  }
  return n;
}

function handleIds(h: HandleIds): HandleIds {
  return { namespace: h.namespace, workflowId: h.workflowId, runId: h.runId, resultRunId: h.resultRunId, firstExecutionRunId: h.firstExecutionRunId };
}
