/**
 * The shapes methods answer with: handles, descriptions, results, progress, status.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, StringEnum } from './kinds';
import { Failure, RUN_STEP_REASONS, TypedSearchAttribute, Value } from './values';

export const HandleToken = Type.String({ $id: 'HandleToken', minLength: 1, description: 'An opaque handle token returned by workflow/start or workflow/getHandle.' });

export const HandleInfo = Type.Object(
  {
    handle: HandleToken,
    namespace: Type.String(),
    workflowId: Type.String(),
    runId: Nullable(Type.String(), { description: 'Used by describe, query and signal.' }),
    resultRunId: Nullable(Type.String(), { description: 'Used by result.' }),
    firstExecutionRunId: Nullable(Type.String(), { description: 'Used by cancel and terminate.' }),
  },
  { $id: 'HandleInfo' },
);
export type HandleInfo = Static<typeof HandleInfo>;

const NullableString = Nullable(Type.String());

export const WorkflowExecutionStatusName = Type.String({
  description: 'RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, CONTINUED_AS_NEW, TIMED_OUT, or a newer status by name.',
});

/** What a list entry carries of a run: the fields of a description that visibility holds. */
export const WorkflowExecution = Type.Object(
  {
    namespace: Type.String(),
    workflowId: Type.String(),
    runId: Type.String(),
    workflowType: Type.String(),
    taskQueue: Type.String(),
    status: Nullable(WorkflowExecutionStatusName),
    startTime: NullableString,
    executionTime: NullableString,
    closeTime: NullableString,
    historyLength: Type.Integer(),
    parentWorkflowId: NullableString,
    parentRunId: NullableString,
    memo: Type.Record(Type.String(), Value),
    searchAttributes: Type.Record(Type.String(), Value),
    typedSearchAttributes: Type.Array(TypedSearchAttribute, {
      description: "The search attributes whose payloads say their type, as the Python SDK's typed_search_attributes (those that do not are left out).",
    }),
  },
  { $id: 'WorkflowExecution' },
);
export type WorkflowExecution = Static<typeof WorkflowExecution>;

/** What describe answers: a list entry's fields and what only describe knows. */
export const WorkflowExecutionDescription = Type.Composite(
  [
    WorkflowExecution,
    Type.Object({
      historySizeBytes: Type.Integer(),
      rootWorkflowId: NullableString,
      rootRunId: NullableString,
      staticSummary: Value,
      staticDetails: Value,
      pendingActivityCount: Type.Integer(),
      pendingChildrenCount: Type.Integer(),
    }),
  ],
  { $id: 'WorkflowExecutionDescription', description: "Times are RFC 3339 strings with the server's precision, or null." },
);
export type WorkflowExecutionDescription = Static<typeof WorkflowExecutionDescription>;

export const QueryResult = Type.Object({ value: Value });
export const WorkflowResult = Type.Object({ value: Value, runId: Type.String({ description: 'The run the result came from.' }) });
export type WorkflowResult = Static<typeof WorkflowResult>;

export const ProgressToken = Type.Union([Type.String(), Type.Integer()], { $id: 'ProgressToken', description: 'A progress token (LSP ProgressToken).' });
export type ProgressToken = Static<typeof ProgressToken>;

/** LSP work-done progress of handle/result: begin, a report for each step along the run chain, end. */
export const ResultProgress = Type.Union(
  [
    Type.Object({
      kind: Type.Literal('begin'),
      title: Type.String(),
      cancellable: Type.Boolean(),
      workflowId: Type.String(),
      runId: Nullable(Type.String()),
    }),
    Type.Object({
      kind: Type.Literal('report'),
      message: Type.String(),
      workflowId: Type.String(),
      previousRunId: Type.String(),
      runId: Type.String(),
      reason: StringEnum(RUN_STEP_REASONS),
    }),
    Type.Object({
      kind: Type.Literal('end'),
      message: Type.String(),
      runId: Nullable(Type.String()),
      status: Nullable(WorkflowExecutionStatusName),
    }),
  ],
  { $id: 'ResultProgress' },
);
export type ResultProgress = Static<typeof ResultProgress>;

export const InitializeResult = Type.Object({
  serverInfo: Type.Object({ name: Type.String(), version: Type.String() }),
  protocolVersion: Type.Integer(),
  capabilities: Type.Record(Type.String(), Type.Unknown()),
  temporal: Type.Object({ address: Type.String(), namespace: Type.String(), serverVersion: NullableString }),
});
export type InitializeResult = Static<typeof InitializeResult>;

export const DaemonStatus = Type.Object({
  version: Type.String(),
  pid: Type.Integer(),
  uptime: Type.Number({ description: 'Seconds since the daemon started.' }),
  clients: Type.Integer(),
  clientsByTransport: Type.Record(Type.String(), Type.Integer()),
  handles: Type.Integer(),
  updateHandles: Type.Integer({ description: 'Live update handles (update/release forgets one).' }),
  inFlight: Type.Integer({ description: 'Requests being served, over all clients; this daemon/status request is not counted.' }),
  queued: Type.Integer({ description: "Temporal calls waiting for their client's share (maxCallsPerClient), over all clients." }),
  maxCallsPerClient: Type.Integer({ description: 'Short Temporal calls one client may have running at once; the rest wait in order, still cancellable.' }),
  grpcInFlight: Type.Integer(),
  connection: Type.Object({ state: Type.String(), address: Type.String(), namespace: Type.String() }),
  temporal: Type.Object({ serverVersion: NullableString }),
  memory: Type.Object({ rss: Type.Integer(), heapUsed: Type.Integer() }),
});
export type DaemonStatus = Static<typeof DaemonStatus>;

export const UpdateToken = Type.String({ $id: 'UpdateToken', minLength: 1, description: 'An opaque update handle token, valid on every connection until update/release.' });

export const UpdateHandleInfo = Type.Object(
  {
    update: UpdateToken,
    updateId: Type.String(),
    workflowId: Type.String(),
    workflowRunId: Nullable(Type.String(), { description: 'The run the update went to; null: the latest run.' }),
  },
  { $id: 'UpdateHandleInfo' },
);
export type UpdateHandleInfo = Static<typeof UpdateHandleInfo>;

export const UpdateStage = StringEnum(['ADMITTED', 'ACCEPTED', 'COMPLETED'] as const, { description: 'ADMITTED, ACCEPTED or COMPLETED.' });

export const UpdateDescription = Type.Object(
  {
    updateId: Type.String(),
    stage: UpdateStage,
    outcome: Type.Optional(Type.Union([Type.Object({ value: Value }), Type.Object({ failure: Failure })], { description: 'Once completed: the value, or the Failure.' })),
  },
  { $id: 'UpdateDescription' },
);
