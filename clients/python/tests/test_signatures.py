"""The public signatures match temporalio's for every member both have (issue 14).

For each class pair, every public member that exists on both sides is compared with
``inspect``: the parameter names, their kinds (positional, keyword-only, ...) and order, and
the defaults that are plain values (``None``, numbers, strings, booleans, empty containers).
This client may add keyword-only parameters after temporalio's (listed in EXTRAS, each with
why); anything else that differs fails. Whether a member is a coroutine function must match too.
"""

from __future__ import annotations

import enum
import inspect
from typing import Any, Dict, List, Set, Tuple

import pytest
import temporalio.client as sdk
import temporalio.common as sdk_common

import temporal_handled as th

PAIRS: List[Tuple[Any, Any]] = [
    (th.Client, sdk.Client),
    (th.WorkflowHandle, sdk.WorkflowHandle),
    (th.WorkflowUpdateHandle, sdk.WorkflowUpdateHandle),
    (th.WithStartWorkflowOperation, sdk.WithStartWorkflowOperation),
    (th.WorkflowExecution, sdk.WorkflowExecution),
    (th.WorkflowExecutionDescription, sdk.WorkflowExecutionDescription),
    (th.WorkflowExecutionAsyncIterator, sdk.WorkflowExecutionAsyncIterator),
    (th.WorkflowExecutionCount, sdk.WorkflowExecutionCount),
    (th.WorkflowExecutionCountAggregationGroup, sdk.WorkflowExecutionCountAggregationGroup),
    (th.WorkflowHistoryEventAsyncIterator, sdk.WorkflowHistoryEventAsyncIterator),
    (th.RetryPolicy, sdk_common.RetryPolicy),
    (th.TypedSearchAttributes, sdk_common.TypedSearchAttributes),
    (th.SearchAttributeKey, sdk_common.SearchAttributeKey),
]

# Parameters this client adds (keyword-only, with defaults), by "Class.member".
EXTRAS: Dict[str, Set[str]] = {
    "WorkflowHandle.result": {"progress"},  # $/progress along the run chain
    "WorkflowHandle.describe": {"raw"},  # raw_description as the response's protobuf JSON
    "WorkflowHandle.fetch_history": {"decode"},  # payloads decoded for display
    "WorkflowHandle.fetch_history_events": {"decode"},
}

# Members compared only by name (documented differences).
SKIP: Dict[str, str] = {
    "Client.__init__": "wraps a daemon connection (Client.spawn/attach/connect make one)",
    "WorkflowUpdateHandle.__init__": "takes the parent handle instead of known_outcome (the daemon's outcome)",
    "WorkflowExecutionAsyncIterator.__init__": "keyword arguments instead of temporalio's ListWorkflowsInput",
    "WorkflowHistoryEventAsyncIterator.__init__": "the handle and the daemon params",
    "WorkflowExecution.__init__": "dataclass fields: raw_info is the daemon's dict; no data converter",
    "WorkflowExecutionDescription.__init__": "dataclass fields: raw_description is the daemon's dict",
    "SearchAttributeKey.__init__": "a concrete frozen dataclass (temporalio's is abstract)",
    "TypedSearchAttributes.__init__": "same field; temporalio's dataclass signature carries its own generic alias",
}

# Defaults that differ on purpose: "Class.member(param)" -> why.
DEFAULTS_DIFFER: Dict[str, str] = {
    "Client.connect(header_codec_behavior)": "temporalio's machinery options default to None (unset) here; "
    "any other value raises NotImplementedError",
}

PLAIN = (type(None), bool, int, float, str)


def _plain_default(p: inspect.Parameter) -> Any:
    d = p.default
    if d is inspect.Parameter.empty:
        return "<required>"
    if isinstance(d, enum.Enum):
        return f"enum {d.name}"  # temporalio's enum or this client's of the same name
    if isinstance(d, PLAIN):
        return d
    if isinstance(d, (list, dict, tuple)) and not d:
        return type(d).__name__ + "()"
    return "<object>"


def _shape(fn: Any) -> List[Tuple[str, str, Any]]:
    sig = inspect.signature(fn)
    return [(p.name, p.kind.name, _plain_default(p)) for p in sig.parameters.values()]


def _members(cls: Any) -> Dict[str, Any]:
    out = {}
    for name in dir(cls):
        if name.startswith("_") and name != "__init__":
            continue
        out[name] = inspect.getattr_static(cls, name)
    return out


def _callable(member: Any) -> Any:
    if isinstance(member, (staticmethod, classmethod)):
        return member.__func__
    if isinstance(member, property):
        return None
    return member if callable(member) else None


def _compare(ours: Any, theirs: Any, label: str) -> List[str]:
    problems: List[str] = []
    mine, sdks = _shape(ours), _shape(theirs)
    extras = EXTRAS.get(label, set())
    mine_core = [p for p in mine if p[0] not in extras]
    # temporalio's defaults that are objects (its enums, Priority, DataConverter) are not compared.
    for i, (a, b) in enumerate(zip(mine_core, sdks)):
        if a[0] != b[0] or a[1] != b[1]:
            problems.append(f"{label}: parameter {i} is {a[:2]}, temporalio's is {b[:2]}")
        elif f"{label}({a[0]})" in DEFAULTS_DIFFER:
            continue
        elif b[2] != "<object>" and a[2] != "<object>" and a[2] != b[2]:
            problems.append(f"{label}({a[0]}=): default {a[2]!r}, temporalio's {b[2]!r}")
    if len(mine_core) != len(sdks):
        problems.append(f"{label}: parameters {[p[0] for p in mine_core]} vs temporalio's {[p[0] for p in sdks]}")
    for name in extras:
        p = next((p for p in mine if p[0] == name), None)
        if p is None or p[1] != "KEYWORD_ONLY" or p[2] == "<required>":
            problems.append(f"{label}: extra {name} must be keyword-only with a default")
    if inspect.iscoroutinefunction(ours) != inspect.iscoroutinefunction(theirs):
        problems.append(f"{label}: async-ness differs")
    if inspect.isasyncgenfunction(ours) != inspect.isasyncgenfunction(theirs):
        problems.append(f"{label}: async-generator-ness differs")
    return problems


@pytest.mark.parametrize("ours,theirs", PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_signatures_match_temporalios(ours: Any, theirs: Any) -> None:
    problems: List[str] = []
    mine, sdks = _members(ours), _members(theirs)
    shared = sorted(set(mine) & set(sdks))
    assert shared, f"{ours.__name__} shares no member with temporalio's"
    for name in shared:
        label = f"{ours.__name__}.{name}"
        if label in SKIP:
            continue
        a, b = _callable(mine[name]), _callable(sdks[name])
        if (a is None) != (b is None):
            problems.append(f"{label}: a {'method' if a else 'property/attribute'} here, not in temporalio")
            continue
        if a is None or b is None:
            continue
        try:
            problems += _compare(a, b, label)
        except (TypeError, ValueError):
            continue  # builtins without a signature
    assert not problems, "\n".join(problems)


def test_every_temporalio_client_call_exists() -> None:
    """The calls issue 14 names exist with temporalio's names."""
    for name in (
        "connect",
        "start_workflow",
        "execute_workflow",
        "get_workflow_handle",
        "get_workflow_handle_for",
        "list_workflows",
        "count_workflows",
        "start_update_with_start_workflow",
        "execute_update_with_start_workflow",
    ):
        assert hasattr(th.Client, name), name
    assert th.WorkflowHandle[Any, Any] is not None  # generic, as temporalio's
    assert th.WorkflowUpdateHandle[Any] is not None
