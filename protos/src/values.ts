/**
 * The shapes that carry data: values (payloads), durations, failures, and the enums that
 * name Temporal's options. Each is written once; every method refers to it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, Nullable } from './kinds';

/** Shapes with an `$id` are published once under components.schemas and referred to by `$ref`. */
export const Value = Type.Unknown({
  $id: 'Value',
  description: 'A JSON value (a json/plain payload), {"$bytes": base64} (binary/plain) or {"$payload": {metadata, data}} (passed through).',
});

export const Duration = Type.Union([Type.String(), Type.Number()], {
  $id: 'Duration',
  description: 'A duration in the Temporal CLI syntax ("100ms", "1.5s", "1h30m") or a number of milliseconds.',
});
export type Duration = Static<typeof Duration>;

export const Values = (description: string) => Type.Array(Value, { description });

export const ID_REUSE_POLICIES = ['ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY', 'REJECT_DUPLICATE', 'TERMINATE_IF_RUNNING'] as const;
export const ID_CONFLICT_POLICIES = ['UNSPECIFIED', 'FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'] as const;
export const QUERY_REJECT_CONDITIONS = ['NONE', 'NOT_OPEN', 'NOT_COMPLETED_CLEANLY'] as const;
export const RUN_STEP_REASONS = ['CONTINUED_AS_NEW', 'RETRY', 'CRON'] as const;
export const FAILURE_TYPES = [
  'ApplicationError',
  'CancelledError',
  'TerminatedError',
  'TimeoutError',
  'ActivityError',
  'ChildWorkflowError',
  'ServerError',
  'NexusOperationError',
  'FailureError',
] as const;

export const IdReusePolicy = StringEnum(ID_REUSE_POLICIES, { description: 'Default ALLOW_DUPLICATE.' });
export type IdReusePolicy = Static<typeof IdReusePolicy>;
export const IdConflictPolicy = StringEnum(ID_CONFLICT_POLICIES, { description: 'Default UNSPECIFIED (the server fails a duplicate start).' });
export type IdConflictPolicy = Static<typeof IdConflictPolicy>;
export const QueryRejectCondition = StringEnum(QUERY_REJECT_CONDITIONS, { description: 'When to reject the query.' });
export type QueryRejectCondition = Static<typeof QueryRejectCondition>;
export type RunStepReason = (typeof RUN_STEP_REASONS)[number];

export const RetryPolicy = Type.Object(
  {
    initialInterval: Type.Optional(Duration),
    backoffCoefficient: Type.Optional(Type.Number({ minimum: 1 })),
    maximumInterval: Type.Optional(Duration),
    maximumAttempts: Type.Optional(Type.Integer({ minimum: 0 })),
    nonRetryableErrorTypes: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'RetryPolicy', additionalProperties: false, description: "Defaults are the server's: 1s, 2.0, 100 × initialInterval, unlimited." },
);
export type RetryPolicy = Static<typeof RetryPolicy>;

/** The types of search attributes, named as Temporal's IndexedValueType. */
export const SEARCH_ATTRIBUTE_TYPES = ['KEYWORD', 'TEXT', 'INT', 'DOUBLE', 'BOOL', 'DATETIME', 'KEYWORD_LIST'] as const;
export const SearchAttributeType = StringEnum(SEARCH_ATTRIBUTE_TYPES, { description: "A search attribute's type, as Temporal's IndexedValueType names it." });
export type SearchAttributeType = Static<typeof SearchAttributeType>;

/** One typed search attribute, as the Python SDK's SearchAttributePair: the type travels with the value. */
export const TypedSearchAttribute = Type.Object(
  {
    key: Type.String({ minLength: 1, description: "The attribute's name." }),
    type: SearchAttributeType,
    value: Type.Unknown({
      description: 'KEYWORD and TEXT: a string; INT: an integer; DOUBLE: a number; BOOL: a boolean; DATETIME: an RFC 3339 string with an offset; KEYWORD_LIST: an array of strings.',
    }),
  },
  { $id: 'TypedSearchAttribute', additionalProperties: false },
);
export type TypedSearchAttribute = Static<typeof TypedSearchAttribute>;

/** `type` is one of FAILURE_TYPES; per-type fields (applicationType, nonRetryable, timeoutType, ...) come with it. */
export const Failure = Type.Recursive(
  (This) =>
    Type.Object(
      {
        type: StringEnum(FAILURE_TYPES),
        message: Type.String(),
        stackTrace: Type.Optional(Type.String()),
        source: Type.Optional(Type.String()),
        details: Type.Optional(Type.Array(Value)),
        cause: Type.Optional(This),
        applicationType: Type.Optional(Nullable(Type.String())),
        nonRetryable: Type.Optional(Type.Boolean()),
        timeoutType: Type.Optional(Nullable(Type.String())),
      },
      { additionalProperties: true },
    ),
  { $id: 'Failure' },
);
export type Failure = Static<typeof Failure>;
