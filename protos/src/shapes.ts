/**
 * The shapes methods answer with: handles, descriptions, results, progress, status.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
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
    rootWorkflowId: NullableString,
    rootRunId: NullableString,
    memo: Type.Record(Type.String(), Value),
    searchAttributes: Type.Record(Type.String(), Value),
    typedSearchAttributes: Type.Array(TypedSearchAttribute, {
      description: "The search attributes whose payloads say their type, as the Python SDK's typed_search_attributes (those that do not are left out).",
    }),
  },
  { $id: 'WorkflowExecution' },
);
export type WorkflowExecution = Static<typeof WorkflowExecution>;

/**
 * A detail of describe: the fields of Temporal's message of that name, in lowerCamelCase, with
 * payloads as values, failures as Failures, enums by name without their prefix (null when
 * unspecified), times as RFC 3339 (null when unset), durations as "10s". The fields listed are
 * documented; every other field of the message comes too (additionalProperties).
 */
const Detail = <T extends Record<string, TSchema>>(id: string, description: string, fields: T) => Type.Object(fields, { $id: id, additionalProperties: true, description });
const EnumName = (values: string) => Nullable(Type.String(), { description: `${values.split('|').join(', ')} (or a newer value by name); null when unspecified.` });
const Time = NullableString;
const DurationText = Nullable(Type.String({ description: 'A duration in protobuf JSON form, e.g. "10s", "1.500s".' }));

export const PendingActivityInfo = Detail('PendingActivityInfo', 'A pending activity (temporal.api.workflow.v1.PendingActivityInfo).', {
  activityId: Type.String(),
  activityType: Nullable(Type.String(), { description: "The activity type's name." }),
  state: EnumName('SCHEDULED|STARTED|CANCEL_REQUESTED|PAUSED|PAUSE_REQUESTED'),
  attempt: Type.Integer(),
  maximumAttempts: Type.Integer({ description: '0: unlimited.' }),
  scheduledTime: Time,
  lastStartedTime: Time,
  lastHeartbeatTime: Time,
  expirationTime: Time,
  heartbeatDetails: Type.Array(Value, { description: 'The last heartbeat details, decoded.' }),
  lastFailure: Nullable(Failure, { description: "The last attempt's failure, decoded." }),
  lastWorkerIdentity: Type.String(),
  currentRetryInterval: DurationText,
  lastAttemptCompleteTime: Time,
  nextAttemptScheduleTime: Time,
  paused: Type.Boolean(),
  pauseInfo: Nullable(Type.Record(Type.String(), Type.Unknown()), { description: 'Who paused the activity, when and why (null unless paused).' }),
});
export const PendingChildExecutionInfo = Detail('PendingChildExecutionInfo', 'A pending child workflow (temporal.api.workflow.v1.PendingChildExecutionInfo).', {
  workflowId: Type.String(),
  runId: Type.String(),
  workflowTypeName: Type.String(),
  initiatedId: Type.Union([Type.Integer(), Type.String()], { description: 'The initiating event ID (a decimal string past 2^53).' }),
  parentClosePolicy: EnumName('TERMINATE|ABANDON|REQUEST_CANCEL'),
});
export const PendingNexusOperationInfo = Detail('PendingNexusOperationInfo', 'A pending Nexus operation (temporal.api.workflow.v1.PendingNexusOperationInfo).', {
  endpoint: Type.String(),
  service: Type.String(),
  operation: Type.String(),
  operationToken: Type.String(),
  state: EnumName('SCHEDULED|BACKING_OFF|STARTED|BLOCKED'),
  attempt: Type.Integer(),
  scheduledTime: Time,
  scheduleToCloseTimeout: DurationText,
  lastAttemptCompleteTime: Time,
  lastAttemptFailure: Nullable(Failure),
  nextAttemptScheduleTime: Time,
  blockedReason: Type.String(),
});
export const CallbackInfo = Detail('CallbackInfo', "A callback of the workflow's completion (temporal.api.workflow.v1.CallbackInfo).", {
  callback: Nullable(Type.Record(Type.String(), Type.Unknown())),
  trigger: Nullable(Type.Record(Type.String(), Type.Unknown())),
  registrationTime: Time,
  state: EnumName('STANDBY|SCHEDULED|BACKING_OFF|FAILED|SUCCEEDED|BLOCKED'),
  attempt: Type.Integer(),
  lastAttemptCompleteTime: Time,
  lastAttemptFailure: Nullable(Failure),
  nextAttemptScheduleTime: Time,
  blockedReason: Type.String(),
});
export const PendingWorkflowTaskInfo = Detail('PendingWorkflowTaskInfo', 'The pending workflow task (temporal.api.workflow.v1.PendingWorkflowTaskInfo).', {
  state: EnumName('SCHEDULED|STARTED'),
  scheduledTime: Time,
  originalScheduledTime: Time,
  startedTime: Time,
  attempt: Type.Integer(),
});

/** What describe answers: a list entry's fields and what only describe knows. */
export const WorkflowExecutionDescription = Type.Composite(
  [
    WorkflowExecution,
    Type.Object({
      historySizeBytes: Type.Integer(),
      staticSummary: Value,
      staticDetails: Value,
      pendingActivityCount: Type.Integer(),
      pendingChildrenCount: Type.Integer(),
      pendingActivities: Type.Array(PendingActivityInfo),
      pendingChildren: Type.Array(PendingChildExecutionInfo),
      pendingNexusOperations: Type.Array(PendingNexusOperationInfo),
      callbacks: Type.Array(CallbackInfo),
      pendingWorkflowTask: Nullable(PendingWorkflowTaskInfo, { description: 'null when no workflow task is pending.' }),
      versioningInfo: Nullable(Type.Record(Type.String(), Type.Unknown()), {
        description: 'Worker versioning (temporal.api.workflow.v1.WorkflowExecutionVersioningInfo: behavior, deploymentVersion, versioningOverride, ...); null when the run is not versioned.',
      }),
      priority: Nullable(Type.Object({ priorityKey: Type.Integer(), fairnessKey: Type.String(), fairnessWeight: Type.Number() }, { additionalProperties: true }), {
        description: "The run's priority (temporal.api.common.v1.Priority); null when unset.",
      }),
      raw: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'With raw: true, the whole DescribeWorkflowExecutionResponse in protobuf JSON, payloads untouched.' })),
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
  memory: Type.Object(
    { rss: Type.Integer(), heapUsed: Type.Integer(), heapTotal: Type.Integer(), external: Type.Integer() },
    { description: "Bytes, from Node's process.memoryUsage(): resident set, V8 heap in use and reserved, memory outside the heap (buffers, native)." },
  ),
  codec: Nullable(
    Type.Object({
      endpoint: Type.String({ description: 'Without credentials, query or fragment.' }),
      encode: Type.Object({ calls: Type.Integer(), payloads: Type.Integer() }),
      decode: Type.Object({ calls: Type.Integer(), payloads: Type.Integer() }),
      errors: Type.Integer(),
      lastError: NullableString,
    }),
    { description: 'The codec server, when one is configured: its calls and errors.' },
  ),
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
