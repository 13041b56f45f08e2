# generated from protos/openrpc.json by scripts/gen-python-protocol.js; do not edit
"""The daemon's protocol contract, generated from protos/openrpc.json.

Regenerate it with ``npm run gen:python`` whenever the contract changes; a test fails
while this module and protos/openrpc.json disagree.
"""

import collections.abc
import typing

PROTOCOL_VERSION: typing.Final = 2
"""The protocol version ``initialize`` answers with (``info['x-protocolVersion']``)."""

# --- errors (components.errors): each data.type, and its JSON-RPC error code -------------------

ErrorType = typing.Literal[
    "RequestCancelled",
    "ParseError",
    "InternalError",
    "InvalidParams",
    "MethodNotFound",
    "InvalidRequest",
    "ServerNotInitialized",
    "RPCError",
    "WorkflowAlreadyStartedError",
    "WorkflowFailureError",
    "WorkflowContinuedAsNewError",
    "WorkflowQueryRejectedError",
    "WorkflowQueryFailedError",
    "InvalidHandleError",
    "UnauthorizedError",
    "MessageTooLarge",
    "WorkflowUpdateFailedError",
    "WorkflowUpdateRPCTimeoutOrCancelledError",
    "CodecError",
]
ERROR_TYPES: typing.Final[tuple[ErrorType, ...]] = (
    "RequestCancelled",
    "ParseError",
    "InternalError",
    "InvalidParams",
    "MethodNotFound",
    "InvalidRequest",
    "ServerNotInitialized",
    "RPCError",
    "WorkflowAlreadyStartedError",
    "WorkflowFailureError",
    "WorkflowContinuedAsNewError",
    "WorkflowQueryRejectedError",
    "WorkflowQueryFailedError",
    "InvalidHandleError",
    "UnauthorizedError",
    "MessageTooLarge",
    "WorkflowUpdateFailedError",
    "WorkflowUpdateRPCTimeoutOrCancelledError",
    "CodecError",
)
ERROR_CODES: typing.Final[collections.abc.Mapping[ErrorType, int]] = {
    "RequestCancelled": -32800,
    "ParseError": -32700,
    "InternalError": -32603,
    "InvalidParams": -32602,
    "MethodNotFound": -32601,
    "InvalidRequest": -32600,
    "ServerNotInitialized": -32002,
    "RPCError": 1001,
    "WorkflowAlreadyStartedError": 1002,
    "WorkflowFailureError": 1003,
    "WorkflowContinuedAsNewError": 1004,
    "WorkflowQueryRejectedError": 1005,
    "WorkflowQueryFailedError": 1006,
    "InvalidHandleError": 1007,
    "UnauthorizedError": 1008,
    "MessageTooLarge": 1009,
    "WorkflowUpdateFailedError": 1010,
    "WorkflowUpdateRPCTimeoutOrCancelledError": 1011,
    "CodecError": 1013,
}

# --- methods (requests) ---------------------------------------------------------------------

DAEMON_STATUS: typing.Final = "daemon/status"
HANDLE_CANCEL: typing.Final = "handle/cancel"
HANDLE_DESCRIBE: typing.Final = "handle/describe"
HANDLE_EXECUTE_UPDATE: typing.Final = "handle/executeUpdate"
HANDLE_FETCH_HISTORY: typing.Final = "handle/fetchHistory"
HANDLE_FETCH_HISTORY_EVENTS: typing.Final = "handle/fetchHistoryEvents"
HANDLE_GET_UPDATE_HANDLE: typing.Final = "handle/getUpdateHandle"
HANDLE_INFO: typing.Final = "handle/info"
HANDLE_METADATA: typing.Final = "handle/metadata"
HANDLE_QUERY: typing.Final = "handle/query"
HANDLE_RELEASE: typing.Final = "handle/release"
HANDLE_RESULT: typing.Final = "handle/result"
HANDLE_SIGNAL: typing.Final = "handle/signal"
HANDLE_STACK_TRACE: typing.Final = "handle/stackTrace"
HANDLE_START_UPDATE: typing.Final = "handle/startUpdate"
HANDLE_TERMINATE: typing.Final = "handle/terminate"
HANDLE_WATCH: typing.Final = "handle/watch"
INITIALIZE: typing.Final = "initialize"
RPC_DISCOVER: typing.Final = "rpc.discover"
SHUTDOWN: typing.Final = "shutdown"
UPDATE_DESCRIBE: typing.Final = "update/describe"
UPDATE_RELEASE: typing.Final = "update/release"
UPDATE_RESULT: typing.Final = "update/result"
WORKFLOW_COUNT: typing.Final = "workflow/count"
WORKFLOW_EXECUTE_UPDATE_WITH_START: typing.Final = "workflow/executeUpdateWithStart"
WORKFLOW_GET_HANDLE: typing.Final = "workflow/getHandle"
WORKFLOW_LIST: typing.Final = "workflow/list"
WORKFLOW_START: typing.Final = "workflow/start"
WORKFLOW_START_UPDATE_WITH_START: typing.Final = "workflow/startUpdateWithStart"

METHODS: typing.Final[tuple[str, ...]] = (
    DAEMON_STATUS,
    HANDLE_CANCEL,
    HANDLE_DESCRIBE,
    HANDLE_EXECUTE_UPDATE,
    HANDLE_FETCH_HISTORY,
    HANDLE_FETCH_HISTORY_EVENTS,
    HANDLE_GET_UPDATE_HANDLE,
    HANDLE_INFO,
    HANDLE_METADATA,
    HANDLE_QUERY,
    HANDLE_RELEASE,
    HANDLE_RESULT,
    HANDLE_SIGNAL,
    HANDLE_STACK_TRACE,
    HANDLE_START_UPDATE,
    HANDLE_TERMINATE,
    HANDLE_WATCH,
    INITIALIZE,
    RPC_DISCOVER,
    SHUTDOWN,
    UPDATE_DESCRIBE,
    UPDATE_RELEASE,
    UPDATE_RESULT,
    WORKFLOW_COUNT,
    WORKFLOW_EXECUTE_UPDATE_WITH_START,
    WORKFLOW_GET_HANDLE,
    WORKFLOW_LIST,
    WORKFLOW_START,
    WORKFLOW_START_UPDATE_WITH_START,
)

# Each method's param names, in the contract's order, and the required ones among them.
METHOD_PARAMS: typing.Final[collections.abc.Mapping[str, tuple[str, ...]]] = {
    DAEMON_STATUS: (),
    HANDLE_CANCEL: (
        "handle",
        "reason",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_DESCRIBE: (
        "handle",
        "raw",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_EXECUTE_UPDATE: (
        "handle",
        "update",
        "args",
        "updateId",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_FETCH_HISTORY: (
        "handle",
        "eventFilterType",
        "skipArchival",
        "decode",
        "partialResultToken",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_FETCH_HISTORY_EVENTS: (
        "handle",
        "pageSize",
        "nextPageToken",
        "waitNewEvent",
        "eventFilterType",
        "skipArchival",
        "decode",
        "partialResultToken",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_GET_UPDATE_HANDLE: (
        "handle",
        "updateId",
        "workflowRunId",
    ),
    HANDLE_INFO: ("handle",),
    HANDLE_METADATA: (
        "handle",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_QUERY: (
        "handle",
        "query",
        "args",
        "rejectCondition",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_RELEASE: ("handle",),
    HANDLE_RESULT: (
        "handle",
        "followRuns",
        "workDoneToken",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_SIGNAL: (
        "handle",
        "signal",
        "args",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_STACK_TRACE: (
        "handle",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_START_UPDATE: (
        "handle",
        "update",
        "args",
        "updateId",
        "waitForStage",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_TERMINATE: (
        "handle",
        "reason",
        "details",
        "rpcMetadata",
        "rpcTimeout",
    ),
    HANDLE_WATCH: (
        "handle",
        "fromEventId",
        "followRuns",
        "decode",
        "partialResultToken",
        "rpcMetadata",
        "rpcTimeout",
    ),
    INITIALIZE: (
        "clientInfo",
        "namespace",
        "authToken",
        "initializationOptions",
    ),
    RPC_DISCOVER: (),
    SHUTDOWN: (),
    UPDATE_DESCRIBE: (
        "update",
        "rpcMetadata",
        "rpcTimeout",
    ),
    UPDATE_RELEASE: ("update",),
    UPDATE_RESULT: (
        "update",
        "rpcMetadata",
        "rpcTimeout",
    ),
    WORKFLOW_COUNT: (
        "query",
        "namespace",
        "rpcMetadata",
        "rpcTimeout",
    ),
    WORKFLOW_EXECUTE_UPDATE_WITH_START: (
        "start",
        "update",
        "args",
        "updateId",
        "rpcMetadata",
        "rpcTimeout",
    ),
    WORKFLOW_GET_HANDLE: (
        "workflowId",
        "runId",
        "firstExecutionRunId",
        "namespace",
    ),
    WORKFLOW_LIST: (
        "query",
        "limit",
        "pageSize",
        "nextPageToken",
        "namespace",
        "partialResultToken",
        "rpcMetadata",
        "rpcTimeout",
    ),
    WORKFLOW_START: (
        "workflowType",
        "taskQueue",
        "workflowId",
        "args",
        "namespace",
        "executionTimeout",
        "runTimeout",
        "taskTimeout",
        "idReusePolicy",
        "idConflictPolicy",
        "retryPolicy",
        "cronSchedule",
        "memo",
        "searchAttributes",
        "typedSearchAttributes",
        "startDelay",
        "startSignal",
        "startSignalArgs",
        "staticSummary",
        "staticDetails",
        "rpcMetadata",
        "rpcTimeout",
    ),
    WORKFLOW_START_UPDATE_WITH_START: (
        "start",
        "update",
        "args",
        "updateId",
        "waitForStage",
        "rpcMetadata",
        "rpcTimeout",
    ),
}
METHOD_REQUIRED_PARAMS: typing.Final[collections.abc.Mapping[str, tuple[str, ...]]] = {
    DAEMON_STATUS: (),
    HANDLE_CANCEL: ("handle",),
    HANDLE_DESCRIBE: ("handle",),
    HANDLE_EXECUTE_UPDATE: (
        "handle",
        "update",
    ),
    HANDLE_FETCH_HISTORY: ("handle",),
    HANDLE_FETCH_HISTORY_EVENTS: ("handle",),
    HANDLE_GET_UPDATE_HANDLE: (
        "handle",
        "updateId",
    ),
    HANDLE_INFO: ("handle",),
    HANDLE_METADATA: ("handle",),
    HANDLE_QUERY: (
        "handle",
        "query",
    ),
    HANDLE_RELEASE: ("handle",),
    HANDLE_RESULT: ("handle",),
    HANDLE_SIGNAL: (
        "handle",
        "signal",
    ),
    HANDLE_STACK_TRACE: ("handle",),
    HANDLE_START_UPDATE: (
        "handle",
        "update",
        "waitForStage",
    ),
    HANDLE_TERMINATE: ("handle",),
    HANDLE_WATCH: (
        "handle",
        "partialResultToken",
    ),
    INITIALIZE: (),
    RPC_DISCOVER: (),
    SHUTDOWN: (),
    UPDATE_DESCRIBE: ("update",),
    UPDATE_RELEASE: ("update",),
    UPDATE_RESULT: ("update",),
    WORKFLOW_COUNT: (),
    WORKFLOW_EXECUTE_UPDATE_WITH_START: (
        "start",
        "update",
    ),
    WORKFLOW_GET_HANDLE: ("workflowId",),
    WORKFLOW_LIST: (),
    WORKFLOW_START: (
        "workflowType",
        "taskQueue",
        "workflowId",
    ),
    WORKFLOW_START_UPDATE_WITH_START: (
        "start",
        "update",
        "waitForStage",
    ),
}

# --- notifications (x-notifications) -------------------------------------------------------

CANCEL_REQUEST: typing.Final = "$/cancelRequest"
PROGRESS: typing.Final = "$/progress"
SET_TRACE: typing.Final = "$/setTrace"
EXIT: typing.Final = "exit"
INITIALIZED: typing.Final = "initialized"
WINDOW_LOG_MESSAGE: typing.Final = "window/logMessage"
WINDOW_WORK_DONE_PROGRESS_CANCEL: typing.Final = "window/workDoneProgress/cancel"

NOTIFICATIONS: typing.Final[tuple[str, ...]] = (
    CANCEL_REQUEST,
    PROGRESS,
    SET_TRACE,
    EXIT,
    INITIALIZED,
    WINDOW_LOG_MESSAGE,
    WINDOW_WORK_DONE_PROGRESS_CANCEL,
)

NOTIFICATION_PARAMS: typing.Final[collections.abc.Mapping[str, tuple[str, ...]]] = {
    CANCEL_REQUEST: ("id",),
    PROGRESS: (
        "token",
        "value",
    ),
    SET_TRACE: ("value",),
    EXIT: (),
    INITIALIZED: (),
    WINDOW_LOG_MESSAGE: (
        "type",
        "message",
    ),
    WINDOW_WORK_DONE_PROGRESS_CANCEL: ("token",),
}
NOTIFICATION_REQUIRED_PARAMS: typing.Final[collections.abc.Mapping[str, tuple[str, ...]]] = {
    CANCEL_REQUEST: ("id",),
    PROGRESS: (
        "token",
        "value",
    ),
    SET_TRACE: ("value",),
    EXIT: (),
    INITIALIZED: (),
    WINDOW_LOG_MESSAGE: (
        "type",
        "message",
    ),
    WINDOW_WORK_DONE_PROGRESS_CANCEL: ("token",),
}

# --- string enums (in params and components.schemas) ----------------------------------------

# handle/fetchHistory param eventFilterType
# handle/fetchHistoryEvents param eventFilterType
EventFilterType = typing.Literal[
    "ALL_EVENT",
    "CLOSE_EVENT",
]
EVENT_FILTER_TYPE_VALUES: typing.Final[tuple[EventFilterType, ...]] = (
    "ALL_EVENT",
    "CLOSE_EVENT",
)

# components.schemas.Failure.type
FailureType = typing.Literal[
    "ApplicationError",
    "CancelledError",
    "TerminatedError",
    "TimeoutError",
    "ActivityError",
    "ChildWorkflowError",
    "ServerError",
    "NexusOperationError",
    "FailureError",
]
FAILURE_TYPE_VALUES: typing.Final[tuple[FailureType, ...]] = (
    "ApplicationError",
    "CancelledError",
    "TerminatedError",
    "TimeoutError",
    "ActivityError",
    "ChildWorkflowError",
    "ServerError",
    "NexusOperationError",
    "FailureError",
)

# workflow/start param idConflictPolicy
IdConflictPolicy = typing.Literal[
    "UNSPECIFIED",
    "FAIL",
    "USE_EXISTING",
    "TERMINATE_EXISTING",
]
ID_CONFLICT_POLICY_VALUES: typing.Final[tuple[IdConflictPolicy, ...]] = (
    "UNSPECIFIED",
    "FAIL",
    "USE_EXISTING",
    "TERMINATE_EXISTING",
)

# workflow/start param idReusePolicy
IdReusePolicy = typing.Literal[
    "ALLOW_DUPLICATE",
    "ALLOW_DUPLICATE_FAILED_ONLY",
    "REJECT_DUPLICATE",
    "TERMINATE_IF_RUNNING",
]
ID_REUSE_POLICY_VALUES: typing.Final[tuple[IdReusePolicy, ...]] = (
    "ALLOW_DUPLICATE",
    "ALLOW_DUPLICATE_FAILED_ONLY",
    "REJECT_DUPLICATE",
    "TERMINATE_IF_RUNNING",
)

# initialize param initializationOptions.logLevel
InitializationOptionsLogLevel = typing.Literal[
    "error",
    "warn",
    "info",
    "debug",
]
INITIALIZATION_OPTIONS_LOG_LEVEL_VALUES: typing.Final[tuple[InitializationOptionsLogLevel, ...]] = (
    "error",
    "warn",
    "info",
    "debug",
)

# handle/query param rejectCondition
RejectCondition = typing.Literal[
    "NONE",
    "NOT_OPEN",
    "NOT_COMPLETED_CLEANLY",
]
REJECT_CONDITION_VALUES: typing.Final[tuple[RejectCondition, ...]] = (
    "NONE",
    "NOT_OPEN",
    "NOT_COMPLETED_CLEANLY",
)

# components.schemas.ResultProgress.anyOf[1].reason
ResultProgressReason = typing.Literal[
    "CONTINUED_AS_NEW",
    "RETRY",
    "CRON",
]
RESULT_PROGRESS_REASON_VALUES: typing.Final[tuple[ResultProgressReason, ...]] = (
    "CONTINUED_AS_NEW",
    "RETRY",
    "CRON",
)

# workflow/executeUpdateWithStart param start.idConflictPolicy
# workflow/startUpdateWithStart param start.idConflictPolicy
StartIdConflictPolicy = typing.Literal[
    "FAIL",
    "USE_EXISTING",
    "TERMINATE_EXISTING",
]
START_ID_CONFLICT_POLICY_VALUES: typing.Final[tuple[StartIdConflictPolicy, ...]] = (
    "FAIL",
    "USE_EXISTING",
    "TERMINATE_EXISTING",
)

# workflow/executeUpdateWithStart param start.idReusePolicy
# workflow/startUpdateWithStart param start.idReusePolicy
StartIdReusePolicy = typing.Literal[
    "ALLOW_DUPLICATE",
    "ALLOW_DUPLICATE_FAILED_ONLY",
    "REJECT_DUPLICATE",
    "TERMINATE_IF_RUNNING",
]
START_ID_REUSE_POLICY_VALUES: typing.Final[tuple[StartIdReusePolicy, ...]] = (
    "ALLOW_DUPLICATE",
    "ALLOW_DUPLICATE_FAILED_ONLY",
    "REJECT_DUPLICATE",
    "TERMINATE_IF_RUNNING",
)

# components.schemas.TypedSearchAttribute.type
TypedSearchAttributeType = typing.Literal[
    "KEYWORD",
    "TEXT",
    "INT",
    "DOUBLE",
    "BOOL",
    "DATETIME",
    "KEYWORD_LIST",
]
TYPED_SEARCH_ATTRIBUTE_TYPE_VALUES: typing.Final[tuple[TypedSearchAttributeType, ...]] = (
    "KEYWORD",
    "TEXT",
    "INT",
    "DOUBLE",
    "BOOL",
    "DATETIME",
    "KEYWORD_LIST",
)

# components.schemas.UpdateDescription.stage
UpdateDescriptionStage = typing.Literal[
    "ADMITTED",
    "ACCEPTED",
    "COMPLETED",
]
UPDATE_DESCRIPTION_STAGE_VALUES: typing.Final[tuple[UpdateDescriptionStage, ...]] = (
    "ADMITTED",
    "ACCEPTED",
    "COMPLETED",
)

# $/setTrace param value
Value = typing.Literal[
    "off",
    "messages",
    "verbose",
]
VALUE_VALUES: typing.Final[tuple[Value, ...]] = (
    "off",
    "messages",
    "verbose",
)

# handle/startUpdate param waitForStage
# workflow/startUpdateWithStart param waitForStage
WaitForStage = typing.Literal[
    "ADMITTED",
    "ACCEPTED",
    "COMPLETED",
]
WAIT_FOR_STAGE_VALUES: typing.Final[tuple[WaitForStage, ...]] = (
    "ADMITTED",
    "ACCEPTED",
    "COMPLETED",
)

# Each enum's values by its alias's name.
ENUMS: typing.Final[collections.abc.Mapping[str, tuple[str, ...]]] = {
    "EventFilterType": EVENT_FILTER_TYPE_VALUES,
    "FailureType": FAILURE_TYPE_VALUES,
    "IdConflictPolicy": ID_CONFLICT_POLICY_VALUES,
    "IdReusePolicy": ID_REUSE_POLICY_VALUES,
    "InitializationOptionsLogLevel": INITIALIZATION_OPTIONS_LOG_LEVEL_VALUES,
    "RejectCondition": REJECT_CONDITION_VALUES,
    "ResultProgressReason": RESULT_PROGRESS_REASON_VALUES,
    "StartIdConflictPolicy": START_ID_CONFLICT_POLICY_VALUES,
    "StartIdReusePolicy": START_ID_REUSE_POLICY_VALUES,
    "TypedSearchAttributeType": TYPED_SEARCH_ATTRIBUTE_TYPE_VALUES,
    "UpdateDescriptionStage": UPDATE_DESCRIPTION_STAGE_VALUES,
    "Value": VALUE_VALUES,
    "WaitForStage": WAIT_FOR_STAGE_VALUES,
}
