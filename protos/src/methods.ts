/**
 * Every method and notification of the protocol, declared once.
 *
 * Adding a method: declare it here, then write its handler in the daemon
 * (src/protocol/handlers), which the compiler then requires and types.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { method, notification, param, type MethodDeclaration } from './declare';
import { Nullable, StringEnum } from './kinds';
import { Duration, IdConflictPolicy, IdReusePolicy, QueryRejectCondition, RetryPolicy, TypedSearchAttribute, Value, Values } from './values';
import {
  DaemonStatus,
  HandleInfo,
  HandleToken,
  InitializeResult,
  ProgressToken,
  QueryResult,
  ResultProgress,
  UpdateDescription,
  UpdateHandleInfo,
  UpdateToken,
  WorkflowExecution,
  WorkflowExecutionDescription,
  WorkflowResult,
} from './shapes';
import type { ErrorType } from './error-codes';

/** 2: updates (and the rest of version 2 as it lands); a version-1 client keeps working. */
export const PROTOCOL_VERSION = 2;

const { Optional } = Type;
const NonEmpty = (description: string) => Type.String({ minLength: 1, description });
const handle = param(HandleToken, 'The handle token.');
const args = (what: string) => Optional(Values(`Arguments to the ${what}, one payload each.`));
const namespace = Optional(NonEmpty('Namespace; the session default when unset.'));
const NullResult = Type.Null();
const temporalErrors: readonly ErrorType[] = ['RPCError', 'InvalidHandleError'];

/**
 * PROTOCOL.md, "Per-call options": every method that calls Temporal takes them. gRPC metadata
 * keys are case-insensitive (sent in lower case); binary (`-bin`) and `grpc-` keys are refused,
 * and values are printable ASCII, as HTTP/2 headers carry them.
 */
export const CallParams = {
  rpcMetadata: Optional(
    Type.Record(Type.String({ pattern: '^(?!grpc-)(?!.*-bin$)[0-9A-Za-z_.-]+$' }), Type.String({ pattern: '^[\\x20-\\x7E]*$' }), {
      additionalProperties: false,
      description: 'Added to the gRPC metadata of each call the method makes ({KEY: string}; keys of letters, digits, `-`, `_`, `.`).',
    }),
  ),
  rpcTimeout: Optional(param(Duration, "The deadline of each gRPC call the method makes, as the Python SDK's rpc_timeout (a result wait re-polls within it).")),
};

/** A method that calls Temporal: its params also take the per-call options, and a codec server's failure is one of its errors. */
function calls<P extends TProperties, R extends TSchema>(d: Omit<MethodDeclaration<TObject<P & typeof CallParams>, R>, 'params'> & { params: P }) {
  return method({ ...d, params: { ...d.params, ...CallParams }, errors: [...d.errors, 'CodecError'] });
}

/** The params of workflow/start (also the start of update-with-start). */
export const StartWorkflowParams = {
  workflowType: NonEmpty('Workflow type name.'),
  taskQueue: NonEmpty('Task queue.'),
  workflowId: NonEmpty('Workflow ID.'),
  args: args('workflow'),
  namespace,
  executionTimeout: Optional(param(Duration, 'Workflow execution timeout.')),
  runTimeout: Optional(param(Duration, 'Workflow run timeout.')),
  taskTimeout: Optional(param(Duration, 'Workflow task timeout.')),
  idReusePolicy: Optional(param(IdReusePolicy, 'Default ALLOW_DUPLICATE.')),
  idConflictPolicy: Optional(param(IdConflictPolicy, 'Default UNSPECIFIED (the server fails a duplicate start).')),
  retryPolicy: Optional(param(RetryPolicy, 'Workflow retry policy.')),
  cronSchedule: Optional(Type.String({ description: 'Cron schedule.' })),
  memo: Optional(Type.Record(Type.String(), Value, { description: 'Memo fields.' })),
  searchAttributes: Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Search attributes by name; the server knows each attribute's type." })),
  typedSearchAttributes: Optional(
    Type.Array(TypedSearchAttribute, { description: 'Search attributes with their types ({key, type, value}), as the Python SDK sends them; a key may not also be in searchAttributes.' }),
  ),
  startDelay: Optional(param(Duration, 'Delay before the first workflow task.')),
  startSignal: Optional(NonEmpty('Signal to deliver with the start (signal-with-start).')),
  startSignalArgs: Optional(Values('Arguments of the start signal.')),
  staticSummary: Optional(Type.String({ description: 'Static summary shown in the UI.' })),
  staticDetails: Optional(Type.String({ description: 'Static details shown in the UI.' })),
};

const updateToken = param(UpdateToken, 'The update handle token.');
const updateErrors: readonly ErrorType[] = ['RPCError', 'InvalidHandleError', 'WorkflowUpdateFailedError', 'WorkflowUpdateRPCTimeoutOrCancelledError'];
const updateCall = {
  update: NonEmpty('Update name.'),
  args: args('update'),
  updateId: Optional(NonEmpty('Update ID; a new UUID when unset (a retried call with the same ID is applied once).')),
};
const waitForStage = param(StringEnum(['ADMITTED', 'ACCEPTED', 'COMPLETED'] as const), 'The stage to wait for: ACCEPTED or COMPLETED (ADMITTED is refused, as the Python SDK refuses it).');
/** update-with-start's start: workflow/start's params without signal-with-start, idConflictPolicy required. */
const { startSignal: _s, startSignalArgs: _a, idConflictPolicy: _c, ...startFields } = StartWorkflowParams;
const WithStart = Type.Object(
  { ...startFields, idConflictPolicy: param(StringEnum(['FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'] as const), 'Required: what to do when the workflow is running.') },
  { additionalProperties: false, description: 'The params of workflow/start (no startSignal); idConflictPolicy required.' },
);
const WithStartResult = Type.Object({ handle: HandleInfo, update: UpdateHandleInfo });

const HistoryEvent = Type.Record(Type.String(), Type.Unknown(), {
  $id: 'HistoryEvent',
  description:
    "One event in the JSON form of Temporal's API (proto3 JSON, as `temporal workflow show -o json` prints it and as the SDKs' replayers read it); payloads untouched unless decode was asked.",
});
const historyRead = {
  eventFilterType: Optional(param(StringEnum(['ALL_EVENT', 'CLOSE_EVENT'] as const), 'ALL_EVENT (default) or CLOSE_EVENT (only the close event).')),
  skipArchival: Optional(Type.Boolean({ description: 'Do not look in the archive for a run the server no longer keeps (default false).' })),
  decode: Optional(Type.Boolean({ description: "Payloads as the protocol's values, for display; the events then no longer replay (default false)." })),
};
const partialResultToken = param(ProgressToken, 'With it, each batch is sent as it arrives as $/progress {token, value: batch}, and the answer carries only what was not streamed.');

export const methods = {
  initialize: method({
    summary: 'Starts the session (LSP lifecycle). On TCP, authToken must be the shared secret.',
    params: {
      clientInfo: Optional(Type.Object({ name: Type.String(), version: Optional(Type.String()) }, { description: '{name, version?} of the client.' })),
      namespace: Optional(NonEmpty('Default namespace for this session.')),
      authToken: Optional(Type.String({ description: 'The shared secret (required on TCP).' })),
      initializationOptions: Optional(
        Type.Object(
          { logLevel: Optional(param(StringEnum(['error', 'warn', 'info', 'debug'] as const), "Send the daemon's log lines about this connection at this level and above as window/logMessage.")) },
          { additionalProperties: true, description: 'LSP initializationOptions; the daemon reads logLevel.' },
        ),
      ),
    },
    openParams: true,
    beforeInitialize: true,
    resultName: 'InitializeResult',
    result: InitializeResult,
    errors: ['UnauthorizedError', 'InvalidRequest'],
  }),
  shutdown: method({ summary: 'Ends the session; only exit may follow.', params: {}, resultName: 'null', result: NullResult, errors: [] }),
  'workflow/start': calls({
    summary: 'Starts a workflow (signal-with-start when startSignal is given) and returns its handle.',
    params: StartWorkflowParams,
    resultName: 'HandleInfo',
    result: HandleInfo,
    errors: ['RPCError', 'WorkflowAlreadyStartedError'],
  }),
  'workflow/getHandle': method({
    summary: 'A handle for an existing workflow; no call to Temporal.',
    params: {
      workflowId: NonEmpty('Workflow ID.'),
      runId: Optional(Nullable(Type.String(), { description: 'Pins describe, query, signal and result to this run.' })),
      firstExecutionRunId: Optional(Nullable(Type.String(), { description: 'Chain guard for cancel and terminate.' })),
      namespace,
    },
    resultName: 'HandleInfo',
    result: HandleInfo,
    errors: [],
  }),
  'handle/info': method({ summary: 'What a handle stands for.', params: { handle }, resultName: 'HandleInfo', result: HandleInfo, errors: ['InvalidHandleError'] }),
  'handle/describe': calls({
    summary: 'Describes the workflow (runId, or the latest run): pending activities, children, Nexus operations, callbacks and workflow task decoded.',
    params: { handle, raw: Optional(Type.Boolean({ description: 'Also answer the whole DescribeWorkflowExecutionResponse in protobuf JSON as `raw` (default false).' })) },
    resultName: 'WorkflowExecutionDescription',
    result: WorkflowExecutionDescription,
    errors: temporalErrors,
  }),
  'handle/query': calls({
    summary: 'Queries the workflow (runId, or the latest run).',
    params: {
      handle,
      query: NonEmpty('Query name.'),
      args: args('query'),
      rejectCondition: Optional(param(QueryRejectCondition, "When to reject the query (default: the server's, NONE).")),
    },
    resultName: 'QueryResult',
    result: QueryResult,
    errors: ['RPCError', 'InvalidHandleError', 'WorkflowQueryRejectedError', 'WorkflowQueryFailedError'],
  }),
  'handle/signal': calls({
    summary: 'Signals the workflow (runId, or the latest run).',
    params: { handle, signal: NonEmpty('Signal name.'), args: args('signal') },
    resultName: 'null',
    result: NullResult,
    errors: temporalErrors,
  }),
  'handle/cancel': calls({
    summary: 'Requests cancellation (runId or the latest run, within the chain of firstExecutionRunId).',
    params: { handle, reason: Optional(Type.String({ description: 'Reason for the cancellation.' })) },
    resultName: 'null',
    result: NullResult,
    errors: temporalErrors,
  }),
  'handle/terminate': calls({
    summary: 'Terminates the workflow (runId or the latest run, within the chain of firstExecutionRunId).',
    params: {
      handle,
      reason: Optional(Type.String({ description: 'Reason for the termination.' })),
      details: Optional(Values('Details stored on the termination.')),
    },
    resultName: 'null',
    result: NullResult,
    errors: temporalErrors,
  }),
  'handle/result': calls({
    summary: 'Waits for the result from resultRunId, following the run chain unless followRuns is false; $/progress on workDoneToken.',
    params: {
      handle,
      followRuns: Optional(Type.Boolean({ description: 'Follow continue-as-new, retries and cron (default true).' })),
      workDoneToken: Optional(param(ProgressToken, 'Progress token for $/progress notifications.')),
    },
    progressParam: 'workDoneToken',
    waits: true,
    resultName: 'WorkflowResult',
    result: WorkflowResult,
    errors: ['RPCError', 'InvalidHandleError', 'WorkflowFailureError', 'WorkflowContinuedAsNewError'],
  }),
  'handle/release': method({
    summary: 'Forgets a handle; its token becomes invalid on every connection.',
    params: { handle },
    resultName: 'null',
    result: NullResult,
    errors: ['InvalidHandleError'],
  }),
  'handle/executeUpdate': calls({
    summary: "Sends an update to the workflow (the handle's runId, within the chain of its firstExecutionRunId) and waits for its outcome.",
    params: { handle, ...updateCall },
    waits: true,
    resultName: 'UpdateResult',
    result: Type.Object({ value: Value, updateId: Type.String() }),
    errors: updateErrors,
  }),
  'handle/startUpdate': calls({
    summary: 'Sends an update and returns its handle once it reaches waitForStage.',
    params: { handle, ...updateCall, waitForStage },
    waits: true,
    resultName: 'UpdateHandleInfo',
    result: UpdateHandleInfo,
    errors: updateErrors,
  }),
  'handle/getUpdateHandle': method({
    summary: 'A handle for an update already sent; no call to Temporal.',
    params: { handle, updateId: NonEmpty('Update ID.'), workflowRunId: Optional(Nullable(Type.String(), { description: "The run the update went to (default: the handle's runId)." })) },
    resultName: 'UpdateHandleInfo',
    result: UpdateHandleInfo,
    errors: ['InvalidHandleError'],
  }),
  'update/result': calls({
    summary: "Waits for the update's outcome (re-polling past the server's long-poll window).",
    params: { update: updateToken },
    waits: true,
    resultName: 'UpdateValue',
    result: Type.Object({ value: Value }),
    errors: updateErrors,
  }),
  'update/describe': calls({
    summary: "The update's stage and, once completed, its outcome; without waiting.",
    params: { update: updateToken },
    resultName: 'UpdateDescription',
    result: UpdateDescription,
    errors: ['RPCError', 'InvalidHandleError'],
  }),
  'update/release': method({
    summary: 'Forgets an update handle; its token becomes invalid on every connection.',
    params: { update: updateToken },
    resultName: 'null',
    result: NullResult,
    errors: ['InvalidHandleError'],
  }),
  'workflow/startUpdateWithStart': calls({
    summary: 'Starts the workflow unless it runs (per idConflictPolicy) and sends it an update; returns both handles once the update reaches waitForStage.',
    params: { start: WithStart, ...updateCall, waitForStage },
    waits: true,
    resultName: 'UpdateWithStartResult',
    result: WithStartResult,
    errors: [...updateErrors, 'WorkflowAlreadyStartedError'],
  }),
  'workflow/executeUpdateWithStart': calls({
    summary: 'Starts the workflow unless it runs (per idConflictPolicy), sends it an update and waits for its outcome.',
    params: { start: WithStart, ...updateCall },
    waits: true,
    resultName: 'ExecuteUpdateWithStartResult',
    result: Type.Object({ handle: HandleInfo, update: UpdateHandleInfo, value: Value }),
    errors: [...updateErrors, 'WorkflowAlreadyStartedError'],
  }),
  'handle/fetchHistory': calls({
    summary: "The run's whole history (the handle's runId, or the latest run), replay-ready; with partialResultToken, page by page.",
    params: { handle, ...historyRead, partialResultToken: Optional(partialResultToken) },
    progressParam: 'partialResultToken',
    resultName: 'WorkflowHistory',
    result: Type.Object({ workflowId: Type.String(), runId: Type.String(), events: Type.Array(HistoryEvent, { description: 'Every event; empty when they were streamed.' }) }),
    errors: temporalErrors,
  }),
  'handle/fetchHistoryEvents': calls({
    summary: "One page of the run's history, from nextPageToken; with waitNewEvent, a long poll for events not yet written.",
    params: {
      handle,
      pageSize: Optional(Type.Integer({ description: "Events per page asked of the server (0 or unset: the server's default; the server caps it)." })),
      nextPageToken: Optional(Nullable(Type.String(), { description: 'Where the previous page ended (base64, as returned).' })),
      waitNewEvent: Optional(Type.Boolean({ description: "On an open run at its end, wait (up to the server's ~20 s) for new events (default false)." })),
      ...historyRead,
      partialResultToken: Optional(partialResultToken),
    },
    progressParam: 'partialResultToken',
    resultName: 'HistoryEventsPage',
    result: Type.Object({ events: Type.Array(HistoryEvent), nextPageToken: Nullable(Type.String(), { description: 'null on the last page.' }) }),
    errors: temporalErrors,
  }),
  'handle/watch': calls({
    summary:
      'Streams each batch of new events as the run writes them ({runId, events, reason?, previousRunId?}), going on into each next run of the chain; answers {runId, status} when the last run closes.',
    params: {
      handle,
      fromEventId: Optional(param(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[1-9][0-9]*$' })]), "Skip the first run's events below this ID (default 1).")),
      followRuns: Optional(Type.Boolean({ description: 'Go on into each next run: continue-as-new, retry, cron (default true).' })),
      decode: historyRead.decode,
      partialResultToken,
    },
    progressParam: 'partialResultToken',
    waits: true,
    resultName: 'WatchEnd',
    result: Type.Object({
      runId: Type.String(),
      status: Type.String({ description: 'How the last run closed: COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT, or CONTINUED_AS_NEW with followRuns false.' }),
    }),
    errors: temporalErrors,
  }),
  'workflow/list': calls({
    summary: "Lists runs matching a visibility query (Temporal's list filter language); with partialResultToken each page streams as it arrives.",
    params: {
      query: Optional(Type.String({ description: 'A visibility query, e.g. `WorkflowType = "order" AND ExecutionStatus = "Running"` (default: every run).' })),
      limit: Optional(Type.Integer({ minimum: 1, description: 'At most this many entries, across pages (default: all).' })),
      pageSize: Optional(Type.Integer({ minimum: 1, description: "Entries per page asked of the server (default: the server's, 1,000)." })),
      nextPageToken: Optional(Nullable(Type.String(), { description: 'Resume where a previous answer stopped (base64, as returned).' })),
      namespace,
      partialResultToken: Optional(partialResultToken),
    },
    progressParam: 'partialResultToken',
    resultName: 'WorkflowList',
    result: Type.Object({
      executions: Type.Array(WorkflowExecution, { description: 'Every entry; empty when they were streamed.' }),
      nextPageToken: Nullable(Type.String(), { description: 'Where the list stopped at limit, to resume; null at the end.' }),
    }),
    errors: ['RPCError'],
  }),
  'workflow/count': calls({
    summary: 'Counts runs matching a visibility query; with GROUP BY (e.g. `GROUP BY ExecutionStatus`) the count of each group.',
    params: { query: Optional(Type.String({ description: 'A visibility query, optionally ending in GROUP BY.' })), namespace },
    resultName: 'WorkflowCount',
    result: Type.Object({ count: Type.Integer(), groups: Type.Array(Type.Object({ count: Type.Integer(), groupValues: Type.Array(Value) })) }),
    errors: ['RPCError'],
  }),
  'handle/metadata': calls({
    summary: "The workflow's handler metadata (the __temporal_workflow_metadata query): its type, query, signal and update definitions, and current details.",
    params: { handle },
    resultName: 'WorkflowMetadata',
    result: Type.Object({ definition: Value, currentDetails: Value }),
    errors: ['RPCError', 'InvalidHandleError', 'WorkflowQueryFailedError', 'WorkflowQueryRejectedError'],
  }),
  'handle/stackTrace': calls({
    summary: "Where the workflow's code waits (the __stack_trace query).",
    params: { handle },
    resultName: 'StackTrace',
    result: Type.Object({ stackTrace: Type.String() }),
    errors: ['RPCError', 'InvalidHandleError', 'WorkflowQueryFailedError', 'WorkflowQueryRejectedError'],
  }),
  'daemon/status': method({
    summary: 'Uptime, clients, handles, in-flight calls, gRPC connection state, Temporal server version.',
    params: {},
    resultName: 'DaemonStatus',
    result: DaemonStatus,
    errors: [],
  }),
  'rpc.discover': method({
    summary: 'The OpenRPC document of this protocol.',
    params: {},
    beforeInitialize: true,
    resultName: 'OpenRPC',
    result: Type.Record(Type.String(), Type.Unknown()),
    errors: [],
  }),
} satisfies Record<string, MethodDeclaration>;

export const notifications = {
  initialized: notification({ summary: 'Sent once after initialize (optional).', direction: 'clientToServer', params: {} }),
  exit: notification({ summary: 'On stdio ends the process; on a socket closes this connection.', direction: 'clientToServer', params: {} }),
  '$/cancelRequest': notification({
    summary: 'Cancels an in-flight request, which then answers -32800.',
    direction: 'clientToServer',
    params: { id: param(Type.Union([Type.String(), Type.Integer()]), 'The id of the request to cancel.') },
  }),
  '$/setTrace': notification({
    summary: "LSP's trace setting: messages (info) or verbose (debug) sends the daemon's log lines about this connection as window/logMessage; off stops them.",
    direction: 'clientToServer',
    params: { value: StringEnum(['off', 'messages', 'verbose'] as const) },
  }),
  'window/workDoneProgress/cancel': notification({
    summary: 'Cancels the request whose $/progress token this is (its begin said cancellable); the request answers -32800.',
    direction: 'clientToServer',
    params: { token: param(ProgressToken, 'The progress token.') },
  }),
  'window/logMessage': notification({
    summary: 'A log line of the daemon about this connection, at the level the client asked for (initializationOptions.logLevel or $/setTrace).',
    direction: 'serverToClient',
    params: {
      type: param(Type.Integer({ minimum: 1, maximum: 4 }), 'LSP MessageType: 1 error, 2 warning, 3 info, 4 log (debug).'),
      message: Type.String(),
    },
  }),
  '$/progress': notification({
    summary: 'Work-done progress of handle/result along the run chain, and the batches of streamed results (partialResultToken).',
    direction: 'serverToClient',
    params: {
      token: param(ProgressToken, 'The workDoneToken or partialResultToken of the request.'),
      value: param(Type.Union([ResultProgress, Type.Record(Type.String(), Type.Unknown())]), 'A work-done progress value (handle/result), or a batch of a streamed result (history events).'),
    },
  }),
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Static<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = Static<Methods[M]['result']>;
export type StartWorkflowParams = ParamsOf<'workflow/start'>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}
