"""Exceptions, named and shaped as the Temporal Python SDK's.

The SDK spreads these over ``temporalio.exceptions``, ``temporalio.client`` and
``temporalio.service``; here they all live in one module (and are re-exported by
the package). Differences from the SDK:

* ``FailureError.failure`` is the daemon's Failure as a ``dict``
  (``{type, message, stackTrace?, details?, cause?, ...}``), not a protobuf message.
* ``RPCError.raw_grpc_status`` is empty; the decoded status details are in
  ``RPCError.details`` (``[{"typeUrl": ..., "value": "<base64>"}]``).
* ``InvalidHandleError``, ``DaemonError`` and its subclasses have no SDK counterpart:
  they are about the daemon, not about Temporal.
"""

from __future__ import annotations

from datetime import timedelta
from enum import IntEnum
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, cast

from . import _protocol
from ._values import decode_values
from .common import WorkflowExecutionStatus


class TemporalError(Exception):
    """Base for all Temporal exceptions."""

    @property
    def cause(self) -> Optional[BaseException]:
        """Cause of the exception. This is the same as ``Exception.__cause__``."""
        return self.__cause__


class FailureError(TemporalError):
    """Base for runtime failures during workflow/activity execution."""

    def __init__(
        self,
        message: str,
        *,
        failure: Optional[Mapping[str, Any]] = None,
        exc_args: Optional[Tuple[Any, ...]] = None,
    ) -> None:
        """Initialize a failure error."""
        if exc_args is None:
            exc_args = (message,)
        super().__init__(*exc_args)
        self._message = message
        self._failure = dict(failure) if failure is not None else None

    @property
    def message(self) -> str:
        """Message."""
        return self._message

    @property
    def failure(self) -> Optional[Dict[str, Any]]:
        """The Failure this error was built from, as the daemon sent it (a dict), if any."""
        return self._failure


class WorkflowAlreadyStartedError(FailureError):
    """Raised by ``start_workflow`` when a workflow execution has already started.

    Attributes:
        workflow_id: ID of the already-started workflow.
        workflow_type: Workflow type name of the already-started workflow.
        run_id: Run ID of the already-started workflow.
        first_run_id: Always ``None``: the daemon does not report it.
    """

    def __init__(
        self,
        workflow_id: str,
        workflow_type: str,
        *,
        run_id: Optional[str] = None,
        first_run_id: Optional[str] = None,
    ) -> None:
        """Initialize a workflow already started error."""
        super().__init__("Workflow execution already started")
        self.workflow_id = workflow_id
        self.workflow_type = workflow_type
        self.run_id = run_id
        self.first_run_id = first_run_id


class ApplicationErrorCategory(IntEnum):
    """Severity category of an application error."""

    UNSPECIFIED = 0
    BENIGN = 1


class ApplicationError(FailureError):
    """Error raised during workflow/activity execution."""

    def __init__(
        self,
        message: str,
        *details: Any,
        type: Optional[str] = None,
        non_retryable: bool = False,
        next_retry_delay: Optional[timedelta] = None,
        category: ApplicationErrorCategory = ApplicationErrorCategory.UNSPECIFIED,
    ) -> None:
        """Initialize an application error."""
        super().__init__(message, exc_args=(message if not type else f"{type}: {message}",))
        self._details = details
        self._type = type
        self._non_retryable = non_retryable
        self._next_retry_delay = next_retry_delay
        self._category = category

    @property
    def details(self) -> Sequence[Any]:
        """User-defined details on the error."""
        return self._details

    @property
    def type(self) -> Optional[str]:
        """General error type."""
        return self._type

    @property
    def non_retryable(self) -> bool:
        """Whether the error was set as non-retryable when created."""
        return self._non_retryable

    @property
    def next_retry_delay(self) -> Optional[timedelta]:
        """Delay before the next retry attempt, if the raiser set one."""
        return self._next_retry_delay

    @property
    def category(self) -> ApplicationErrorCategory:
        """Severity category of the application error."""
        return self._category


class CancelledError(FailureError):
    """Error raised on workflow/activity cancellation."""

    def __init__(self, message: str = "Cancelled", *details: Any) -> None:
        """Initialize a cancelled error."""
        super().__init__(message)
        self._details = details

    @property
    def details(self) -> Sequence[Any]:
        """User-defined details on the error."""
        return self._details


class TerminatedError(FailureError):
    """Error raised on workflow termination."""

    def __init__(self, message: str, *details: Any) -> None:
        """Initialize a terminated error."""
        super().__init__(message)
        self._details = details

    @property
    def details(self) -> Sequence[Any]:
        """Details stored on the termination."""
        return self._details


class TimeoutType(IntEnum):
    """Type of timeout for :py:class:`TimeoutError`."""

    START_TO_CLOSE = 1
    SCHEDULE_TO_START = 2
    SCHEDULE_TO_CLOSE = 3
    HEARTBEAT = 4


class TimeoutError(FailureError):  # noqa: A001 - the SDK's name
    """Error raised on workflow/activity timeout."""

    def __init__(
        self,
        message: str,
        *,
        type: Optional[TimeoutType],
        last_heartbeat_details: Sequence[Any],
    ) -> None:
        """Initialize a timeout error."""
        super().__init__(message)
        self._type = type
        self._last_heartbeat_details = last_heartbeat_details

    @property
    def type(self) -> Optional[TimeoutType]:
        """Type of timeout error."""
        return self._type

    @property
    def last_heartbeat_details(self) -> Sequence[Any]:
        """Last heartbeat details if this is for an activity heartbeat."""
        return self._last_heartbeat_details


class ServerError(FailureError):
    """Error originating in the Temporal server."""

    def __init__(self, message: str, *, non_retryable: bool = False) -> None:
        """Initialize a server error."""
        super().__init__(message)
        self._non_retryable = non_retryable

    @property
    def non_retryable(self) -> bool:
        """Whether this error is non-retryable."""
        return self._non_retryable


class RetryState(IntEnum):
    """Current retry state of the workflow/activity during error."""

    IN_PROGRESS = 1
    NON_RETRYABLE_FAILURE = 2
    TIMEOUT = 3
    MAXIMUM_ATTEMPTS_REACHED = 4
    RETRY_POLICY_NOT_SET = 5
    INTERNAL_SERVER_ERROR = 6
    CANCEL_REQUESTED = 7


class ActivityError(FailureError):
    """Error raised on activity failure."""

    def __init__(
        self,
        message: str,
        *,
        scheduled_event_id: int,
        started_event_id: int,
        identity: str,
        activity_type: str,
        activity_id: str,
        retry_state: Optional[RetryState],
    ) -> None:
        """Initialize an activity error."""
        super().__init__(message)
        self._scheduled_event_id = scheduled_event_id
        self._started_event_id = started_event_id
        self._identity = identity
        self._activity_type = activity_type
        self._activity_id = activity_id
        self._retry_state = retry_state

    @property
    def scheduled_event_id(self) -> int:
        """Scheduled event ID for this error."""
        return self._scheduled_event_id

    @property
    def started_event_id(self) -> int:
        """Started event ID for this error."""
        return self._started_event_id

    @property
    def identity(self) -> str:
        """Identity for this error."""
        return self._identity

    @property
    def activity_type(self) -> str:
        """Activity type for this error."""
        return self._activity_type

    @property
    def activity_id(self) -> str:
        """Activity ID for this error."""
        return self._activity_id

    @property
    def retry_state(self) -> Optional[RetryState]:
        """Retry state for this error."""
        return self._retry_state


class ChildWorkflowError(FailureError):
    """Error raised on child workflow failure."""

    def __init__(
        self,
        message: str,
        *,
        namespace: str,
        workflow_id: str,
        run_id: str,
        workflow_type: str,
        initiated_event_id: int,
        started_event_id: int,
        retry_state: Optional[RetryState],
    ) -> None:
        """Initialize a child workflow error."""
        super().__init__(message)
        self._namespace = namespace
        self._workflow_id = workflow_id
        self._run_id = run_id
        self._workflow_type = workflow_type
        self._initiated_event_id = initiated_event_id
        self._started_event_id = started_event_id
        self._retry_state = retry_state

    @property
    def namespace(self) -> str:
        """Namespace for this error."""
        return self._namespace

    @property
    def workflow_id(self) -> str:
        """Workflow ID for this error."""
        return self._workflow_id

    @property
    def run_id(self) -> str:
        """Run ID for this error."""
        return self._run_id

    @property
    def workflow_type(self) -> str:
        """Workflow type for this error."""
        return self._workflow_type

    @property
    def initiated_event_id(self) -> int:
        """Initiated event ID for this error."""
        return self._initiated_event_id

    @property
    def started_event_id(self) -> int:
        """Started event ID for this error."""
        return self._started_event_id

    @property
    def retry_state(self) -> Optional[RetryState]:
        """Retry state for this error."""
        return self._retry_state


class NexusOperationError(FailureError):
    """Error raised on Nexus operation failure inside a workflow."""

    def __init__(
        self,
        message: str,
        *,
        scheduled_event_id: int,
        endpoint: str,
        service: str,
        operation: str,
        operation_token: str,
    ) -> None:
        """Initialize a Nexus operation error."""
        super().__init__(message)
        self._scheduled_event_id = scheduled_event_id
        self._endpoint = endpoint
        self._service = service
        self._operation = operation
        self._operation_token = operation_token

    @property
    def scheduled_event_id(self) -> int:
        """The NexusOperationScheduled event ID for the failed operation."""
        return self._scheduled_event_id

    @property
    def endpoint(self) -> str:
        """The endpoint name for the failed operation."""
        return self._endpoint

    @property
    def service(self) -> str:
        """The service name for the failed operation."""
        return self._service

    @property
    def operation(self) -> str:
        """The name of the failed operation."""
        return self._operation

    @property
    def operation_token(self) -> str:
        """The operation token returned by the failed operation."""
        return self._operation_token


# --- client errors (temporalio.client) ---------------------------------------------------


class WorkflowFailureError(TemporalError):
    """Error that occurs when a workflow is unsuccessful."""

    def __init__(self, *, cause: BaseException) -> None:
        """Create workflow failure error."""
        super().__init__("Workflow execution failed")
        self.__cause__ = cause

    @property
    def cause(self) -> BaseException:
        """Cause of the workflow failure."""
        assert self.__cause__
        return self.__cause__


class WorkflowContinuedAsNewError(TemporalError):
    """Error that occurs when a workflow was continued as new (``follow_runs=False``)."""

    def __init__(self, new_execution_run_id: str) -> None:
        """Create workflow continue as new error."""
        super().__init__("Workflow continued as new")
        self._new_execution_run_id = new_execution_run_id

    @property
    def new_execution_run_id(self) -> str:
        """New execution run ID the workflow continued to."""
        return self._new_execution_run_id


class WorkflowQueryRejectedError(TemporalError):
    """Error that occurs when a query was rejected."""

    def __init__(self, status: Optional[WorkflowExecutionStatus]) -> None:
        """Create workflow query rejected error."""
        super().__init__(f"Query rejected, status: {status}")
        self._status = status

    @property
    def status(self) -> Optional[WorkflowExecutionStatus]:
        """Workflow execution status causing rejection."""
        return self._status


class WorkflowQueryFailedError(TemporalError):
    """Error that occurs when a query fails."""

    def __init__(self, message: str) -> None:
        """Create workflow query failed error."""
        super().__init__(message)
        self._message = message

    @property
    def message(self) -> str:
        """Query failed message."""
        return self._message


class WorkflowUpdateFailedError(TemporalError):
    """Error that occurs when an update fails (its validator rejected it or its handler raised)."""

    def __init__(self, cause: BaseException) -> None:
        """Create workflow update failed error."""
        super().__init__("Workflow update failed")
        self.__cause__ = cause

    @property
    def cause(self) -> BaseException:
        """Cause of the update failure."""
        assert self.__cause__
        return self.__cause__


class RPCTimeoutOrCancelledError(TemporalError):
    """Error that occurs on some client calls that timeout or get cancelled."""


class WorkflowUpdateRPCTimeoutOrCancelledError(RPCTimeoutOrCancelledError):
    """Error that occurs when update RPC call times out or is cancelled.

    Note, this is not related to any general concept of timing out or cancelling
    a running update, this is only related to the client call itself.
    """

    def __init__(self) -> None:
        """Create workflow update timeout or cancelled error."""
        super().__init__("Timeout or cancellation waiting for update")


# --- temporalio.service -------------------------------------------------------------------


class RPCStatusCode(IntEnum):
    """Status code for :py:class:`RPCError` (the gRPC codes)."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


class RPCError(TemporalError):
    """Error during a gRPC call to Temporal."""

    def __init__(
        self,
        message: str,
        status: RPCStatusCode,
        raw_grpc_status: bytes = b"",
        *,
        details: Optional[List[Dict[str, str]]] = None,
    ) -> None:
        """Initialize an RPC error."""
        super().__init__(message)
        self._message = message
        self._status = status
        self._raw_grpc_status = raw_grpc_status
        self._details = list(details or [])

    @property
    def message(self) -> str:
        """Message for the error."""
        return self._message

    @property
    def status(self) -> RPCStatusCode:
        """Status code for the error."""
        return self._status

    @property
    def raw_grpc_status(self) -> bytes:
        """Always empty: the daemon sends the status details decoded (see ``details``)."""
        return self._raw_grpc_status

    @property
    def details(self) -> List[Dict[str, str]]:
        """The ``google.rpc.Status`` details: ``[{"typeUrl": ..., "value": "<base64>"}]``."""
        return self._details


# --- daemon errors (no SDK counterpart) ---------------------------------------------------


class InvalidHandleError(TemporalError):
    """The daemon does not know a handle token (unknown, released, expired or evicted).

    :py:class:`temporal_handled.WorkflowHandle` re-creates its daemon handle
    transparently once when this happens, so it only surfaces from raw calls
    (:py:meth:`temporal_handled.Client.call`) or when that re-creation fails too.
    """

    def __init__(self, message: str, *, handle: Optional[str] = None, reason: Optional[str] = None) -> None:
        """Initialize an invalid handle error."""
        super().__init__(message)
        self.handle = handle
        self.reason = reason


class DaemonError(Exception):
    """A JSON-RPC error from the daemon that is not a Temporal error.

    Attributes:
        code: The JSON-RPC error code.
        data: The error's ``data`` member (``data["type"]`` names the error).
    """

    def __init__(self, message: str, *, code: int = 0, data: Optional[Mapping[str, Any]] = None) -> None:
        """Initialize a daemon error."""
        super().__init__(message)
        self.message = message
        self.code = code
        self.data: Dict[str, Any] = dict(data or {})


class InvalidParamsError(DaemonError, ValueError):
    """The daemon refused a param (JSON-RPC -32602, InvalidParams); the message names it."""


class RequestCancelledError(DaemonError):
    """The daemon cancelled the request (JSON-RPC -32800), e.g. because the session ended."""


class DaemonConnectionError(DaemonError, ConnectionError):
    """The connection to the daemon failed or was closed."""


class DaemonShuttingDownError(DaemonConnectionError):
    """The daemon stopped before it answered (``reason``: SIGTERM, SIGINT, the end of its stdin, ...)."""

    @property
    def reason(self) -> str:
        """Why the daemon stopped."""
        return str(self.data.get("reason") or "")


class CodecError(DaemonError):
    """The codec server could not encode or decode the call's payloads; nothing reached Temporal unencoded.

    ``operation`` is ``encode`` or ``decode``, ``endpoint`` the codec server's URL without
    credentials, ``http_status`` its HTTP status (None when it could not be reached in time).
    """

    @property
    def operation(self) -> str:
        """``encode`` or ``decode``."""
        return str(self.data.get("operation") or "")

    @property
    def endpoint(self) -> str:
        """The codec server's URL, without credentials."""
        return str(self.data.get("endpoint") or "")

    @property
    def http_status(self) -> Optional[int]:
        """The codec server's HTTP status, or None."""
        v = self.data.get("httpStatus")
        return v if isinstance(v, int) else None


# --- decoding from the wire ---------------------------------------------------------------


def _enum(cls: Any, name: Any) -> Any:
    if not isinstance(name, str):
        return None
    try:
        return cls[name]
    except KeyError:
        return None


def _int(v: Any) -> int:
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


def _failure_type(value: Any) -> Optional[_protocol.FailureType]:
    # Typed as the contract's Literal, so mypy's strict equality checks each name compared with.
    return cast(_protocol.FailureType, value) if value in _protocol.FAILURE_TYPE_VALUES else None


def _error_type(value: Any) -> Optional[_protocol.ErrorType]:
    return cast(_protocol.ErrorType, value) if value in _protocol.ERROR_TYPES else None


_INVALID_PARAMS = _protocol.ERROR_CODES["InvalidParams"]
_REQUEST_CANCELLED = _protocol.ERROR_CODES["RequestCancelled"]


def failure_to_error(f: Mapping[str, Any], _depth: int = 0) -> FailureError:
    """Builds the exception (with its ``__cause__`` chain) for a daemon Failure dict."""
    t = _failure_type(f.get("type"))
    msg = str(f.get("message") or "")
    err: FailureError
    if t == "ApplicationError":
        delay = f.get("nextRetryDelayMs")
        err = ApplicationError(
            msg,
            *decode_values(f.get("details")),
            type=f.get("applicationType") or None,
            non_retryable=bool(f.get("nonRetryable")),
            next_retry_delay=timedelta(milliseconds=delay) if isinstance(delay, (int, float)) else None,
            category=_enum(ApplicationErrorCategory, f.get("category")) or ApplicationErrorCategory.UNSPECIFIED,
        )
    elif t == "CancelledError":
        err = CancelledError(msg, *decode_values(f.get("details")))
    elif t == "TerminatedError":
        err = TerminatedError(msg, *decode_values(f.get("details")))
    elif t == "TimeoutError":
        err = TimeoutError(
            msg,
            type=_enum(TimeoutType, f.get("timeoutType")),
            last_heartbeat_details=decode_values(f.get("lastHeartbeatDetails")),
        )
    elif t == "ServerError":
        err = ServerError(msg, non_retryable=bool(f.get("nonRetryable")))
    elif t == "ActivityError":
        err = ActivityError(
            msg,
            scheduled_event_id=_int(f.get("scheduledEventId")),
            started_event_id=_int(f.get("startedEventId")),
            identity=str(f.get("identity") or ""),
            activity_type=str(f.get("activityType") or ""),
            activity_id=str(f.get("activityId") or ""),
            retry_state=_enum(RetryState, f.get("retryState")),
        )
    elif t == "ChildWorkflowError":
        err = ChildWorkflowError(
            msg,
            namespace=str(f.get("namespace") or ""),
            workflow_id=str(f.get("workflowId") or ""),
            run_id=str(f.get("runId") or ""),
            workflow_type=str(f.get("workflowType") or ""),
            initiated_event_id=_int(f.get("initiatedEventId")),
            started_event_id=_int(f.get("startedEventId")),
            retry_state=_enum(RetryState, f.get("retryState")),
        )
    elif t == "NexusOperationError":
        err = NexusOperationError(
            msg,
            scheduled_event_id=_int(f.get("scheduledEventId")),
            endpoint=str(f.get("endpoint") or ""),
            service=str(f.get("service") or ""),
            operation=str(f.get("operation") or ""),
            operation_token=str(f.get("operationToken") or ""),
        )
    else:
        err = FailureError(msg)
    err._failure = dict(f)
    cause = f.get("cause")
    if isinstance(cause, Mapping) and _depth < 100:
        err.__cause__ = failure_to_error(cause, _depth + 1)
    return err


def error_from_response(error: Mapping[str, Any]) -> BaseException:
    """Maps a JSON-RPC error object from the daemon to an exception."""
    code = _int(error.get("code"))
    message = str(error.get("message") or "")
    data = error.get("data")
    if not isinstance(data, Mapping):
        data = {}
    kind = _error_type(data.get("type"))
    if kind == "RPCError":
        status = _enum(RPCStatusCode, data.get("status"))
        if status is None:
            try:
                status = RPCStatusCode(_int(data.get("code")))
            except ValueError:
                status = RPCStatusCode.UNKNOWN
        return RPCError(message, status, details=data.get("details") or [])
    if kind == "WorkflowAlreadyStartedError":
        return WorkflowAlreadyStartedError(
            str(data.get("workflowId") or ""),
            str(data.get("workflowType") or ""),
            run_id=data.get("runId") or None,
            first_run_id=data.get("firstRunId") or data.get("firstExecutionRunId") or None,
        )
    if kind == "WorkflowFailureError":
        cause = data.get("cause")
        if not isinstance(cause, Mapping):
            cause = {"type": "FailureError", "message": "Failure error"}
        return WorkflowFailureError(cause=failure_to_error(cause))
    if kind == "WorkflowContinuedAsNewError":
        return WorkflowContinuedAsNewError(str(data.get("newExecutionRunId") or ""))
    if kind == "WorkflowQueryRejectedError":
        return WorkflowQueryRejectedError(_enum(WorkflowExecutionStatus, data.get("status")))
    if kind == "WorkflowQueryFailedError":
        return WorkflowQueryFailedError(message)
    if kind == "WorkflowUpdateFailedError":
        cause = data.get("cause")
        if not isinstance(cause, Mapping):
            cause = {"type": "FailureError", "message": "Failure error"}
        return WorkflowUpdateFailedError(failure_to_error(cause))
    if kind == "WorkflowUpdateRPCTimeoutOrCancelledError":
        timeout = WorkflowUpdateRPCTimeoutOrCancelledError()
        cause = data.get("cause")
        if isinstance(cause, Mapping) and cause.get("status") is not None:
            # The RPCError under it, when the daemon sends it (temporalio raises it "from" one).
            timeout.__cause__ = error_from_response(
                {"code": code, "message": cause.get("message") or "", "data": {"type": "RPCError", **cause}}
            )
        return timeout
    if kind == "InvalidHandleError":
        return InvalidHandleError(message, handle=data.get("handle"), reason=data.get("reason"))
    if kind == "DaemonShuttingDown":
        return DaemonShuttingDownError(message, code=code, data=data)
    if kind == "CodecError":
        return CodecError(message, code=code, data=data)
    if code == _INVALID_PARAMS:
        return InvalidParamsError(message, code=code, data=data)
    if code == _REQUEST_CANCELLED:
        return RequestCancelledError(message, code=code, data=data)
    return DaemonError(message, code=code, data=data)
