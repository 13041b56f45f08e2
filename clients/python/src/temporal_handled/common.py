"""Enums, the retry policy and the workflow description, mirroring the Python SDK's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum, IntEnum
from typing import Any, Dict, Mapping, Optional, Sequence, Type, Union

from . import _protocol
from ._values import decode_map, decode_value

Duration = Union[timedelta, str]
"""A duration: a ``timedelta`` or a string in the Temporal CLI's syntax (``"1.5s"``, ``"1h30m"``)."""


class WorkflowExecutionStatus(IntEnum):
    """Status of a workflow execution (``temporalio.client.WorkflowExecutionStatus``)."""

    RUNNING = 1
    COMPLETED = 2
    FAILED = 3
    CANCELED = 4
    TERMINATED = 5
    CONTINUED_AS_NEW = 6
    TIMED_OUT = 7


class QueryRejectCondition(IntEnum):
    """Whether a query should be rejected (``temporalio.common.QueryRejectCondition``)."""

    NONE = 1
    """Query will not be rejected."""
    NOT_OPEN = 2
    """Query will be rejected if the workflow is not open."""
    NOT_COMPLETED_CLEANLY = 3
    """Query will be rejected if the workflow did not complete cleanly."""


class WorkflowIDReusePolicy(IntEnum):
    """How already-closed workflow IDs are handled on start (``temporalio.common``)."""

    ALLOW_DUPLICATE = 1
    ALLOW_DUPLICATE_FAILED_ONLY = 2
    REJECT_DUPLICATE = 3
    TERMINATE_IF_RUNNING = 4


class WorkflowIDConflictPolicy(IntEnum):
    """How already-running workflow IDs are handled on start (``temporalio.common``)."""

    UNSPECIFIED = 0
    FAIL = 1
    USE_EXISTING = 2
    TERMINATE_EXISTING = 3


class WorkflowUpdateStage(IntEnum):
    """Stage to wait for workflow update to reach before returning from ``start_update``
    (``temporalio.client.WorkflowUpdateStage``).

    ``ADMITTED`` is not supported as a wait stage (the daemon refuses it, as the SDK does);
    it can be the stage :meth:`temporal_handled.WorkflowUpdateHandle.describe` reports.
    """

    ADMITTED = 1
    ACCEPTED = 2
    COMPLETED = 3


def _check_enum_members(enum_cls: Type[Enum], values: Sequence[str], source: str) -> None:
    """Raises if ``enum_cls``'s member names are not exactly the protocol's ``values``.

    The enum classes keep the SDK's names and numbers, so they are written out here;
    this ties their members to the generated contract (:mod:`._protocol`) at import time.
    """
    members = set(enum_cls.__members__)
    if members != set(values):
        raise RuntimeError(
            f"{enum_cls.__name__} has members {sorted(members)} but the protocol's {source} takes {sorted(values)}: "
            "update the enum or regenerate _protocol.py (npm run gen:python)"
        )


_check_enum_members(QueryRejectCondition, _protocol.REJECT_CONDITION_VALUES, "handle/query rejectCondition")
_check_enum_members(WorkflowIDReusePolicy, _protocol.ID_REUSE_POLICY_VALUES, "workflow/start idReusePolicy")
_check_enum_members(WorkflowIDConflictPolicy, _protocol.ID_CONFLICT_POLICY_VALUES, "workflow/start idConflictPolicy")
_check_enum_members(WorkflowUpdateStage, _protocol.WAIT_FOR_STAGE_VALUES, "handle/startUpdate waitForStage")
_check_enum_members(WorkflowUpdateStage, _protocol.UPDATE_DESCRIPTION_STAGE_VALUES, "update/describe stage")


def duration_param(value: Optional[Duration], name: str) -> Union[float, str, None]:
    """A duration as the protocol takes it: milliseconds (from a timedelta) or a CLI string."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        ms = value.total_seconds() * 1000
        if ms < 0:
            raise ValueError(f"{name} cannot be negative")
        return int(ms) if float(ms).is_integer() else ms
    if isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a timedelta or a duration string like '1.5s', not {type(value).__name__}")


def enum_param(value: Any, enum_cls: Any, name: str) -> Optional[str]:
    """An enum-valued param by member name; accepts the enum member, its value or its name."""
    if value is None:
        return None
    if isinstance(value, enum_cls):
        return str(value.name)
    if isinstance(value, str) and value in enum_cls.__members__:
        return value
    if isinstance(value, int):
        try:
            return str(enum_cls(value).name)
        except ValueError:
            pass
    raise ValueError(f"{name} must be a {enum_cls.__name__}, not {value!r}")


@dataclass
class RetryPolicy:
    """Options for retrying workflows (``temporalio.common.RetryPolicy``)."""

    initial_interval: timedelta = timedelta(seconds=1)
    """Backoff interval for the first retry. Default 1s."""

    backoff_coefficient: float = 2.0
    """Coefficient to multiply the previous backoff interval by. Default 2.0."""

    maximum_interval: Optional[timedelta] = None
    """Maximum backoff interval between retries. Default 100x :py:attr:`initial_interval`."""

    maximum_attempts: int = 0
    """Maximum number of attempts. If 0, the default, there is no maximum."""

    non_retryable_error_types: Optional[Sequence[str]] = None
    """List of error types that are not retryable."""

    def _validate(self) -> None:
        # The SDK's validation (taken from the Go SDK).
        if self.maximum_attempts == 1:
            return
        if self.initial_interval.total_seconds() < 0:
            raise ValueError("Initial interval cannot be negative")
        if self.backoff_coefficient < 1:
            raise ValueError("Backoff coefficient cannot be less than 1")
        if self.maximum_interval:
            if self.maximum_interval.total_seconds() < 0:
                raise ValueError("Maximum interval cannot be negative")
            if self.maximum_interval < self.initial_interval:
                raise ValueError("Maximum interval cannot be less than initial interval")
        if self.maximum_attempts < 0:
            raise ValueError("Maximum attempts cannot be negative")

    def to_params(self) -> Dict[str, Any]:
        """The protocol's ``retryPolicy`` object, with the SDK's defaults filled in."""
        self._validate()
        return {
            "initialInterval": duration_param(self.initial_interval, "initial_interval"),
            "backoffCoefficient": float(self.backoff_coefficient),
            "maximumInterval": duration_param(self.maximum_interval or self.initial_interval * 100, "maximum_interval"),
            "maximumAttempts": int(self.maximum_attempts),
            "nonRetryableErrorTypes": list(self.non_retryable_error_types or []),
        }


_ISO_FRACTION = re.compile(r"\.(\d+)")


def parse_time(value: Any) -> Optional[datetime]:
    """An RFC 3339 string from the daemon as a UTC-aware ``datetime`` (``None`` stays ``None``)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.9's fromisoformat takes exactly 3 or 6 fraction digits.
    text = _ISO_FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _status(value: Any) -> Optional[WorkflowExecutionStatus]:
    if isinstance(value, str) and value in WorkflowExecutionStatus.__members__:
        return WorkflowExecutionStatus[value]
    return None


@dataclass
class WorkflowExecutionDescription:
    """Details of a workflow execution (``temporalio.client.WorkflowExecutionDescription``).

    Field names are the SDK's. ``memo``, ``static_summary`` and ``static_details``
    are plain, already decoded fields here (the SDK has async methods of these names),
    and ``search_attributes`` maps each name to its decoded value (the SDK's deprecated
    dict form wraps each value in a list). Times are UTC-aware, with microsecond precision.
    """

    id: str
    """ID for the workflow."""
    run_id: str
    """Run ID for this workflow run (the run the server resolved)."""
    workflow_type: str
    """Type name for the workflow."""
    task_queue: str
    """Task queue for the workflow."""
    status: Optional[WorkflowExecutionStatus]
    """Status for the workflow; ``None`` for a status newer than this enum (see ``raw_description``)."""
    start_time: Optional[datetime]
    """When the workflow was created."""
    execution_time: Optional[datetime]
    """When this workflow run started or should start."""
    close_time: Optional[datetime]
    """When the workflow was closed if closed."""
    history_length: int
    """Number of events in the history."""
    namespace: str = ""
    """Namespace for the workflow."""
    parent_id: Optional[str] = None
    """ID for the parent workflow if this was started as a child."""
    parent_run_id: Optional[str] = None
    """Run ID for the parent workflow if this was started as a child."""
    root_id: Optional[str] = None
    """ID for the root workflow."""
    root_run_id: Optional[str] = None
    """Run ID for the root workflow."""
    memo: Dict[str, Any] = field(default_factory=dict)
    """Memo fields, decoded."""
    search_attributes: Dict[str, Any] = field(default_factory=dict)
    """Search attributes by name, decoded."""
    static_summary: Any = None
    """The static summary given at start, if any."""
    static_details: Any = None
    """The static details given at start, if any."""
    history_size_bytes: int = 0
    """Size of the history in bytes."""
    pending_activity_count: int = 0
    """Number of pending activities."""
    pending_children_count: int = 0
    """Number of pending child workflows."""
    raw_description: Dict[str, Any] = field(default_factory=dict, repr=False)
    """The daemon's WorkflowExecutionDescription, as sent."""

    def memo_value(self, key: str, default: Any = ...) -> Any:
        """A memo value by key; raises ``KeyError`` if absent and no default is given."""
        if key in self.memo:
            return self.memo[key]
        if default is ...:
            raise KeyError(f"Memo does not have a value for key {key}")
        return default

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> "WorkflowExecutionDescription":
        """Builds a description from the daemon's ``handle/describe`` result."""
        return cls(
            id=str(d.get("workflowId") or ""),
            run_id=str(d.get("runId") or ""),
            workflow_type=str(d.get("workflowType") or ""),
            task_queue=str(d.get("taskQueue") or ""),
            status=_status(d.get("status")),
            start_time=parse_time(d.get("startTime")),
            execution_time=parse_time(d.get("executionTime")),
            close_time=parse_time(d.get("closeTime")),
            history_length=int(d.get("historyLength") or 0),
            namespace=str(d.get("namespace") or ""),
            parent_id=d.get("parentWorkflowId") or None,
            parent_run_id=d.get("parentRunId") or None,
            root_id=d.get("rootWorkflowId") or None,
            root_run_id=d.get("rootRunId") or None,
            memo=decode_map(d.get("memo")),
            search_attributes=decode_map(d.get("searchAttributes")),
            static_summary=decode_value(d.get("staticSummary")),
            static_details=decode_value(d.get("staticDetails")),
            history_size_bytes=int(d.get("historySizeBytes") or 0),
            pending_activity_count=int(d.get("pendingActivityCount") or 0),
            pending_children_count=int(d.get("pendingChildrenCount") or 0),
            raw_description=dict(d),
        )
