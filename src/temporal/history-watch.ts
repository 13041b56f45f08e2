/**
 * Watching a workflow's history live: each batch of new events as the run writes them, on
 * into the next run when the run continues as new, retries or runs its next cron run, until
 * the chain ends.
 *
 * It long-polls GetWorkflowExecutionHistory (waitNewEvent) from the page token of the previous
 * answer; the server answers as soon as there are new events, or empty with a token after its
 * long-poll window (history.longPollExpirationInterval, 20 s), and with no token once the run
 * has closed and every event has been read. Like `WorkflowHandle.result` (and with its helpers,
 * run-chain.ts) it has no deadline of its own: it outlasts server restarts and the server's
 * limit on concurrent long polls, and takes part in the namespace's long-poll budget
 * (long-poll-budget.ts), reading without waiting when over it.
 *
 * No event is passed on twice, and none is skipped: the watch keeps the highest event ID it has
 * handed over, polls on from the server's token (which points into the run's event sequence),
 * and passes on only events above that ID, whatever a retried or repeated read returns.
 *
 * `fromEventId` resumes a watch: events of the first run below it are skipped. Temporal's
 * history API has no start position, so the run is read from its start and the skipping is done
 * here. An ID past the end of an open run waits for the run to write it; past the end of a closed
 * run (more than one past its close event) it is refused with an InvalidArgumentError naming `fromEventId`.
 * One past the close event (everything seen) goes straight on to the next run, or ends.
 */
import { InvalidArgumentError } from './invalid-argument';
import { sleep } from './connection';
import type { TemporalClient } from './client';
import type { HandleIds } from './workflow-handle';
import { enums, toNumber } from './proto';
import { CallCancelledError, RPCError } from './errors';
import { eventsToJson, type HistoryEventJson } from './history-json';
import { PageSizer, payloadsFor, pinRunId, type HistoryCallOptions } from './history';
import { closeStatusOfEvent, nextRunOf, troublePauseMs, waitCanOutlast, type RunStepReason } from './run-chain';
import type { CancelSignal } from './cancel-signal';

export interface WatchBatch {
  runId: string;
  /** New events of `runId`, in order, in proto3 JSON (history-json.ts). */
  events: HistoryEventJson[];
  /** Set on the first batch of each run the watch went on into: why that run exists. */
  reason?: RunStepReason;
  /** With `reason`: the run that handed over to this one. */
  previousRunId?: string;
}

export interface WatchOptions {
  /** Skip the first run's events below this ID (a decimal string for int64s is fine). @default 1 */
  fromEventId?: number | string | null;
  /** Go on into each next run of the chain. @default true */
  followRuns?: boolean;
  /** Payloads as the protocol's values, for display (history-json.ts). @default false */
  decode?: boolean;
  /** Receives each batch; awaited before the next poll (so a slow consumer slows the watch, not memory). */
  onBatch: (batch: WatchBatch) => void | Promise<void>;
  /** Ends the watch: the in-flight poll is cancelled and the watch rejects with CallCancelledError. */
  signal?: CancelSignal;
  /** Deadline and metadata of each call (the signal is `signal` above). */
  call?: Omit<HistoryCallOptions, 'signal'>;
}

export interface WatchEnd {
  /** The last run watched. */
  runId: string;
  /** How it closed: COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT, or CONTINUED_AS_NEW (with followRuns false). */
  status: string;
}

type HistoryResponse = Awaited<ReturnType<TemporalClient['service']['getWorkflowExecutionHistory']>>;

function fromEventIdOf(v: unknown): number {
  if (v === undefined || v === null) return 1;
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`fromEventId must be a positive integer (an event ID); got ${JSON.stringify(v)}`);
  return n;
}

/**
 * Watches the handle's `runId` (or the current run) and, with followRuns, each run after it;
 * resolves with the run the chain ended on and how it closed.
 */
export async function watch(client: TemporalClient, handle: HandleIds, o: WatchOptions): Promise<WatchEnd> {
  const from = fromEventIdOf(o.fromEventId);
  const followRuns = o.followRuns ?? true;
  const signal = o.signal;
  // With a codec server, payloads are decoded only when the watch is for display (decode); see history.ts.
  const call = Object.assign({}, o.call, { signal, payloads: payloadsFor(o.decode) });
  let runId = await pinRunId(client, handle, call);
  const budget = client.longPolls.for(handle.namespace);
  budget.join();
  try {
    /** The highest event ID of `runId` handed over (or skipped). */
    let seen = from - 1;
    let firstRun = true;
    let step: { reason: RunStepReason; previousRunId: string } | undefined;
    let token: Uint8Array | undefined;
    let outage = 0;
    let overBudget = 0;
    let emptyQuick = 0;
    // Pages bounded in bytes (history.ts): watching a long history from its start holds a few MB at a time.
    const sizer = new PageSizer();
    for (;;) {
      const request = {
        namespace: handle.namespace,
        execution: { workflowId: handle.workflowId, runId },
        nextPageToken: token,
        maximumPageSize: sizer.next,
        historyEventFilterType: enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT,
        skipArchival: true,
      };
      let res: HistoryResponse | undefined;
      let waited = false;
      const t0 = Date.now();
      if (!budget.tryAcquire()) {
        // Over this namespace's share of long polls: read what there is without waiting (a call
        // the server's limit does not count); pause when there is nothing new.
        res = await peek(client, request, call);
        if (!res || !hasEventsAfter(res, seen)) {
          overBudget++;
          await sleep(troublePauseMs(overBudget, 500), signal);
          if (!res) continue;
        }
      } else {
        overBudget = 0;
        waited = true;
        let failure: unknown;
        try {
          res = await client.service.getWorkflowExecutionHistory(Object.assign({}, request, { waitNewEvent: true }), Object.assign({}, call, { longPoll: true }));
        } catch (err) {
          failure = err;
        } finally {
          budget.release();
        }
        if (!res) {
          if (failure instanceof CallCancelledError) throw failure;
          const exhausted = failure instanceof RPCError && failure.status === 'RESOURCE_EXHAUSTED';
          if (exhausted) budget.refused();
          // A long poll the server ends (DEADLINE_EXCEEDED, CANCELLED) is polled again, as a result wait does.
          if (!waitCanOutlast(failure, client.service.connection, true)) throw failure;
          outage++;
          await sleep(troublePauseMs(outage, 250), signal);
          continue;
        }
      }
      outage = 0;

      const raw = res.history?.events ?? [];
      sizer.saw(raw);
      const fresh = raw.filter((e) => toNumber(e.eventId) > seen);
      if (fresh.length > 0) {
        seen = toNumber(fresh[fresh.length - 1]!.eventId);
        await o.onBatch({ runId, events: eventsToJson(fresh, o.decode), ...step });
        step = undefined;
      }
      const last = raw[raw.length - 1];
      const status = last ? closeStatusOfEvent(last) : null;
      if (last && status) {
        const closeId = toNumber(last.eventId);
        if (firstRun && from > closeId + 1) {
          throw new InvalidArgumentError(`fromEventId ${from} is past the end of run ${runId}, which closed (${status}) at event ${closeId}`);
        }
        const next = followRuns ? nextRunOf(last) : undefined;
        if (!next) return { runId, status };
        step = { reason: next.reason, previousRunId: runId };
        runId = next.runId;
        firstRun = false;
        seen = 0;
        token = undefined;
        continue;
      }
      const nextToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
      if (nextToken) token = nextToken;
      else if (waited) {
        // A waiting read gives no token only once the run has closed and all was read, and then
        // its last event was the close event (handled above). Should a server do otherwise,
        // read the run again from its start (the IDs already passed on are skipped).
        token = undefined;
      }
      // (A read that did not wait gives no token at the end of an open run: poll on from the old one.)
      if (waited && raw.length === 0 && Date.now() - t0 < 50) {
        // An empty answer at once (an old token is brought up to date this way): poll again, but
        // never in a tight loop.
        if (++emptyQuick > 2) await sleep(troublePauseMs(emptyQuick - 2, 100), signal);
      } else emptyQuick = 0;
    }
  } finally {
    budget.leave();
  }
}

function hasEventsAfter(res: HistoryResponse, seen: number): boolean {
  const events = res.history?.events ?? [];
  return events.length > 0 && toNumber(events[events.length - 1]!.eventId) > seen;
}

/** A read that does not wait; undefined on a failure that is not the caller's cancellation. */
async function peek(client: TemporalClient, request: Parameters<TemporalClient['service']['getWorkflowExecutionHistory']>[0], call: HistoryCallOptions): Promise<HistoryResponse | undefined> {
  try {
    return await client.service.getWorkflowExecutionHistory(Object.assign({}, request, { waitNewEvent: false }), call);
  } catch (err) {
    if (err instanceof CallCancelledError) throw err;
    return undefined;
  }
}
