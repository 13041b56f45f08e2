"""Enums, the retry policy and the workflow description, mirroring the Python SDK's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum, IntEnum
from typing import Any, Dict, List, Mapping, Optional, Sequence, Type, Union

from . import _protocol
from ._convert import to_type
from ._search_attributes import TypedSearchAttributes, decode_wire
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
    if isinstance(value, Enum):
        # temporalio's enum of the same name (duck-typed by member name; numbers are the same).
        if value.name in enum_cls.__members__:
            return str(value.name)
        raise ValueError(f"{name} must be a {enum_cls.__name__}, not {value!r}")
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


def retry_policy_param(policy: Any) -> Optional[Dict[str, Any]]:
    """The protocol's ``retryPolicy`` from this client's :class:`RetryPolicy` or temporalio's
    (duck-typed: any object with its five attributes), validated as temporalio validates it."""
    if policy is None:
        return None
    if isinstance(policy, RetryPolicy):
        return policy.to_params()
    names = ("initial_interval", "backoff_coefficient", "maximum_interval", "maximum_attempts")
    missing = [n for n in names if not hasattr(policy, n)]
    if missing:
        raise TypeError(
            f"retry_policy must be a RetryPolicy (this client's or temporalio's), not {type(policy).__name__} "
            f"(it has no {', '.join(missing)})"
        )
    for n in ("initial_interval", "maximum_interval"):
        v = getattr(policy, n)
        if v is not None and not isinstance(v, timedelta):
            raise TypeError(f"retry_policy.{n} must be a timedelta, not {type(v).__name__}")
    return RetryPolicy(
        initial_interval=policy.initial_interval,
        backoff_coefficient=policy.backoff_coefficient,
        maximum_interval=policy.maximum_interval,
        maximum_attempts=policy.maximum_attempts,
        non_retryable_error_types=getattr(policy, "non_retryable_error_types", None),
    ).to_params()


_ISO_FRACTION = re.compile(r"\.(\d+)")


def parse_time(value: Any) -> Optional[datetime]:
    """An RFC 3339 string from the daemon as a UTC-aware ``datetime`` (``None`` stays ``None``)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    # The daemon's form, "YYYY-MM-DDTHH:MM:SS.fffffffffZ": no regular expression needed.
    if len(text) > 21 and text[19] == "." and text[-1] in "Zz":
        frac = text[20:-1]
        if frac.isascii() and frac.isdigit():
            try:
                return datetime.fromisoformat(text[:20] + (frac + "000000")[:6]).replace(tzinfo=timezone.utc)
            except ValueError:
                pass  # the general path below raises its own error
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


_MISSING: Any = object()


@dataclass
class WorkflowExecution:
    """Info for a single workflow execution run (``temporalio.client.WorkflowExecution``):
    a :meth:`temporal_handled.Client.list_workflows` entry.

    Fields are temporalio's. ``raw_info`` is the daemon's list entry (a dict in the
    protocol's camelCase, not a protobuf message). ``search_attributes`` is temporalio's
    deprecated dict form (every value a list, datetimes decoded when the daemon sends the
    attribute types) and ``typed_search_attributes`` the typed collection. Times are
    UTC-aware with microsecond precision.
    """

    close_time: Optional[datetime]
    """When the workflow was closed if closed."""
    execution_time: Optional[datetime]
    """When this workflow run started or should start."""
    history_length: int
    """Number of events in the history."""
    id: str
    """ID for the workflow."""
    namespace: str
    """Namespace for the workflow."""
    parent_id: Optional[str]
    """ID for the parent workflow if this was started as a child."""
    parent_run_id: Optional[str]
    """Run ID for the parent workflow if this was started as a child."""
    root_id: Optional[str]
    """ID for the root workflow (``None`` in list entries: the daemon's entry lacks it)."""
    root_run_id: Optional[str]
    """Run ID for the root workflow (``None`` in list entries: the daemon's entry lacks it)."""
    raw_info: Dict[str, Any]
    """The daemon's entry, as sent (protocol camelCase)."""
    run_id: str
    """Run ID for this workflow run."""
    search_attributes: Dict[str, List[Any]]
    """Current set of search attributes if any (temporalio's deprecated dict form)."""
    start_time: Optional[datetime]
    """When the workflow was created."""
    status: Optional[WorkflowExecutionStatus]
    """Status for the workflow; ``None`` for a status newer than this enum."""
    task_queue: str
    """Task queue for the workflow."""
    typed_search_attributes: TypedSearchAttributes
    """Current set of search attributes if any."""
    workflow_type: str
    """Type name for the workflow."""
    _memo: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def memo_values(self) -> Dict[str, Any]:
        """The memo, decoded without type hints, for blocking code (not in temporalio; its
        ``memo()`` is a coroutine, as :meth:`memo` is here)."""
        return dict(self._memo)

    async def memo(self) -> Mapping[str, Any]:
        """Workflow's memo values, converted without type hints (a dataclass comes back as
        a dict; use :meth:`memo_value` with ``type_hint`` for the type)."""
        return dict(self._memo)

    async def memo_value(self, key: str, default: Any = _MISSING, *, type_hint: Optional[Any] = None) -> Any:
        """Memo value for the given key, optional default, and optional type hint.

        Raises:
            KeyError: Key not present and default not set.
            TypeError: The value does not fit ``type_hint``.
        """
        if key not in self._memo:
            if default is _MISSING:
                raise KeyError(f"Memo does not have a value for key {key}")
            return default
        value = self._memo[key]
        return to_type(type_hint, value) if type_hint is not None else value

    @classmethod
    def _fields_from_wire(cls, d: Mapping[str, Any]) -> Dict[str, Any]:
        typed = d.get("typedSearchAttributes")
        sa, tsa = decode_wire(d.get("searchAttributes"), typed if isinstance(typed, list) else None)
        return dict(
            close_time=parse_time(d.get("closeTime")),
            execution_time=parse_time(d.get("executionTime")),
            history_length=int(d.get("historyLength") or 0),
            id=str(d.get("workflowId") or ""),
            namespace=str(d.get("namespace") or ""),
            parent_id=d.get("parentWorkflowId") or None,
            parent_run_id=d.get("parentRunId") or None,
            root_id=d.get("rootWorkflowId") or None,
            root_run_id=d.get("rootRunId") or None,
            raw_info=dict(d),
            run_id=str(d.get("runId") or ""),
            search_attributes=sa,
            start_time=parse_time(d.get("startTime")),
            status=_status(d.get("status")),
            task_queue=str(d.get("taskQueue") or ""),
            typed_search_attributes=tsa,
            workflow_type=str(d.get("workflowType") or ""),
            _memo=decode_map(d.get("memo")),
        )

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> "WorkflowExecution":
        """Builds an entry from one of the daemon's ``workflow/list`` executions."""
        return cls(**cls._fields_from_wire(d))


@dataclass
class WorkflowExecutionDescription(WorkflowExecution):
    """Description for a single workflow execution run
    (``temporalio.client.WorkflowExecutionDescription``): a :class:`WorkflowExecution`
    plus what only describe knows.

    ``raw_description`` is a mapping, not temporalio's protobuf message: with
    ``describe(raw=True)``, the whole DescribeWorkflowExecutionResponse in protobuf JSON (the
    daemon's ``raw``, payloads untouched: the field names of temporalio's message, in camelCase);
    otherwise the daemon's decoded ``handle/describe`` answer (protocol camelCase). ``static_summary()`` and
    ``static_details()`` are async, as in temporalio (they make no call).
    """

    raw_description: Dict[str, Any] = field(default_factory=dict, repr=False)
    """With ``describe(raw=True)``, the DescribeWorkflowExecutionResponse in protobuf JSON;
    otherwise the daemon's decoded description, as sent."""
    history_size_bytes: int = 0
    """Size of the history in bytes (not in temporalio's class; its raw_description has it)."""
    pending_activity_count: int = 0
    """Number of pending activities (not in temporalio's class)."""
    pending_children_count: int = 0
    """Number of pending child workflows (not in temporalio's class)."""
    pending_activities: List[Dict[str, Any]] = field(default_factory=list, repr=False)
    """Pending activities (not in temporalio's class; its raw_description has them): the
    daemon's decoded PendingActivityInfo mappings (protocol camelCase: ``activityId``,
    ``activityType``, ``state``, ``attempt``, ``maximumAttempts``, ``heartbeatDetails`` as
    values, ``lastFailure`` as a Failure dict, times as RFC 3339 strings, ...)."""
    pending_children: List[Dict[str, Any]] = field(default_factory=list, repr=False)
    """Pending child workflows (PendingChildExecutionInfo mappings; not in temporalio's class)."""
    pending_nexus_operations: List[Dict[str, Any]] = field(default_factory=list, repr=False)
    """Pending Nexus operations (PendingNexusOperationInfo mappings; not in temporalio's class)."""
    callbacks: List[Dict[str, Any]] = field(default_factory=list, repr=False)
    """Completion callbacks (CallbackInfo mappings; not in temporalio's class)."""
    pending_workflow_task: Optional[Dict[str, Any]] = field(default=None, repr=False)
    """The pending workflow task (PendingWorkflowTaskInfo mapping), or None."""
    versioning_info: Optional[Dict[str, Any]] = field(default=None, repr=False)
    """Worker versioning info, or None when the run is not versioned."""
    priority: Optional[Dict[str, Any]] = field(default=None, repr=False)
    """The run's priority (``priorityKey``, ``fairnessKey``, ``fairnessWeight``), or None."""
    _static_summary: Optional[str] = field(default=None, repr=False)
    _static_details: Optional[str] = field(default=None, repr=False)

    async def static_summary(self) -> Optional[str]:
        """The single-line fixed summary given at start, if any."""
        return self._static_summary

    async def static_details(self) -> Optional[str]:
        """The general fixed details given at start, if any."""
        return self._static_details

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> "WorkflowExecutionDescription":
        """Builds a description from the daemon's ``handle/describe`` result."""
        summary, details = decode_value(d.get("staticSummary")), decode_value(d.get("staticDetails"))
        return cls(
            **cls._fields_from_wire(d),
            raw_description=dict(d["raw"]) if isinstance(d.get("raw"), Mapping) else dict(d),
            pending_activities=[dict(x) for x in d.get("pendingActivities") or []],
            pending_children=[dict(x) for x in d.get("pendingChildren") or []],
            pending_nexus_operations=[dict(x) for x in d.get("pendingNexusOperations") or []],
            callbacks=[dict(x) for x in d.get("callbacks") or []],
            pending_workflow_task=dict(d["pendingWorkflowTask"]) if d.get("pendingWorkflowTask") else None,
            versioning_info=dict(d["versioningInfo"]) if d.get("versioningInfo") else None,
            priority=dict(d["priority"]) if d.get("priority") else None,
            history_size_bytes=int(d.get("historySizeBytes") or 0),
            pending_activity_count=int(d.get("pendingActivityCount") or 0),
            pending_children_count=int(d.get("pendingChildrenCount") or 0),
            _static_summary=summary if summary is None or isinstance(summary, str) else str(summary),
            _static_details=details if details is None or isinstance(details, str) else str(details),
        )


@dataclass
class WorkflowExecutionCountAggregationGroup:
    """Aggregation group if the count query had a group-by clause
    (``temporalio.client.WorkflowExecutionCountAggregationGroup``)."""

    count: int
    """Approximate number of workflows matching the original query for this group."""
    group_values: Sequence[Any]
    """Search attribute values for this group."""


@dataclass
class WorkflowExecutionCount:
    """A count from :meth:`temporal_handled.Client.count_workflows`
    (``temporalio.client.WorkflowExecutionCount``)."""

    count: int
    """Approximate number of workflows matching the query (with GROUP BY: the sum of the groups)."""
    groups: Sequence[WorkflowExecutionCountAggregationGroup]
    """Groups if the query had a group-by clause, or empty if not."""

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> "WorkflowExecutionCount":
        """Builds a count from the daemon's ``workflow/count`` result."""
        return cls(
            count=int(d.get("count") or 0),
            groups=[
                WorkflowExecutionCountAggregationGroup(
                    count=int(g.get("count") or 0), group_values=[decode_value(v) for v in g.get("groupValues") or []]
                )
                for g in d.get("groups") or []
            ],
        )
