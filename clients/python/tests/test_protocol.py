"""The client against the generated contract (temporal_handled._protocol), without a server.

A recording connection stands in for the daemon: every request and notification the
typed API sends must name a method of the contract, with only its params and all of
its required ones.
"""

from __future__ import annotations

from datetime import timedelta
from enum import IntEnum
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import pytest

from temporal_handled import (
    Client,
    CodecError,
    DaemonError,
    DaemonShuttingDownError,
    InvalidHandleError,
    InvalidParamsError,
    QueryRejectCondition,
    RequestCancelledError,
    RetryPolicy,
    RPCError,
    TemporalError,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
    _protocol,
)
from temporal_handled.common import _check_enum_members
from temporal_handled.exceptions import error_from_response


class RecordingConnection:
    """Just enough of ``_connection.Connection`` for Client and WorkflowHandle."""

    def __init__(self) -> None:
        self.requests: List[Tuple[str, Optional[Dict[str, Any]]]] = []
        self.notifications: List[Tuple[str, Optional[Dict[str, Any]]]] = []
        self.progress: Dict[Union[int, str], Any] = {}
        self.is_closed = False
        self._handles = 0

    async def request(self, method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        self.requests.append((method, dict(params) if params is not None else None))
        if method in (_protocol.WORKFLOW_START, _protocol.WORKFLOW_GET_HANDLE):
            self._handles += 1
            p = params or {}
            return {
                "handle": f"h{self._handles}",
                "namespace": "default",
                "workflowId": p.get("workflowId"),
                "runId": p.get("runId") or "run",
                "resultRunId": p.get("runId") or "run",
                "firstExecutionRunId": p.get("firstExecutionRunId"),
            }
        if method == _protocol.INITIALIZE:
            return {"protocolVersion": _protocol.PROTOCOL_VERSION, "temporal": {"namespace": "default"}}
        return {}

    async def notify(self, method: str, params: Optional[Mapping[str, Any]] = None) -> None:
        self.notifications.append((method, dict(params) if params is not None else None))

    def add_progress(self, token: Union[int, str], callback: Any) -> None:
        self.progress[token] = callback

    def remove_progress(self, token: Union[int, str]) -> None:
        self.progress.pop(token, None)

    async def close(self) -> None:
        self.is_closed = True


def _check_params(
    kind: str,
    name: str,
    params: Optional[Dict[str, Any]],
    known: Mapping[str, Tuple[str, ...]],
    required: Mapping[str, Tuple[str, ...]],
) -> None:
    assert name in known, f"{kind} {name!r} is not in protos/openrpc.json"
    keys = set(params or {})
    assert keys <= set(known[name]), f"{name}: params {sorted(keys - set(known[name]))} are not in the contract"
    assert set(required[name]) <= keys, f"{name}: required params {sorted(set(required[name]) - keys)} missing"


async def test_every_call_of_the_typed_api_matches_the_contract() -> None:
    conn = RecordingConnection()
    init = await Client._initialize(conn, namespace="default", auth_token="secret")  # type: ignore[arg-type]
    client = Client(conn, init)  # type: ignore[arg-type]
    handle = await client.start_workflow(
        "Wf",
        "arg",
        id="wf",
        task_queue="tq",
        execution_timeout=timedelta(minutes=1),
        run_timeout="30s",
        task_timeout=timedelta(seconds=10),
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        id_conflict_policy="USE_EXISTING",
        retry_policy=RetryPolicy(maximum_attempts=3),
        cron_schedule="",
        memo={"m": 1},
        search_attributes={"s": "v"},
        static_summary="sum",
        static_details="det",
        start_delay=timedelta(seconds=1),
        start_signal="go",
        start_signal_args=[1],
    )
    await handle.describe()
    await handle.query("q", 1, reject_condition=QueryRejectCondition.NOT_OPEN)
    await handle.signal("s", 2)
    await handle.cancel(reason="r")
    await handle.terminate("d", reason="r")
    await handle.result(follow_runs=False, progress=lambda v: None)
    await handle.release()
    other = client.get_workflow_handle("wf2", run_id="r1", first_execution_run_id="f1")
    await other.describe()
    await other.result()
    assert await client.daemon_status() == {}
    await client.close()

    sent = {method for method, _ in conn.requests}
    assert sent >= {
        _protocol.INITIALIZE,
        _protocol.WORKFLOW_START,
        _protocol.WORKFLOW_GET_HANDLE,
        _protocol.HANDLE_DESCRIBE,
        _protocol.HANDLE_QUERY,
        _protocol.HANDLE_SIGNAL,
        _protocol.HANDLE_CANCEL,
        _protocol.HANDLE_TERMINATE,
        _protocol.HANDLE_RESULT,
        _protocol.HANDLE_RELEASE,
        _protocol.DAEMON_STATUS,
        _protocol.SHUTDOWN,
    }
    for method, params in conn.requests:
        _check_params("method", method, params, _protocol.METHOD_PARAMS, _protocol.METHOD_REQUIRED_PARAMS)
    assert [n for n, _ in conn.notifications] == [_protocol.INITIALIZED, _protocol.EXIT]
    for name, params in conn.notifications:
        _check_params(
            "notification", name, params, _protocol.NOTIFICATION_PARAMS, _protocol.NOTIFICATION_REQUIRED_PARAMS
        )
    start = dict(conn.requests)[_protocol.WORKFLOW_START] or {}
    assert start["idReusePolicy"] in _protocol.ID_REUSE_POLICY_VALUES
    assert start["idConflictPolicy"] in _protocol.ID_CONFLICT_POLICY_VALUES
    query = dict(conn.requests)[_protocol.HANDLE_QUERY] or {}
    assert query["rejectCondition"] in _protocol.REJECT_CONDITION_VALUES


def test_enums_have_the_contracts_values() -> None:
    assert set(WorkflowIDReusePolicy.__members__) == set(_protocol.ID_REUSE_POLICY_VALUES)
    assert set(WorkflowIDConflictPolicy.__members__) == set(_protocol.ID_CONFLICT_POLICY_VALUES)
    assert set(QueryRejectCondition.__members__) == set(_protocol.REJECT_CONDITION_VALUES)

    class Short(IntEnum):
        NONE = 1

    with pytest.raises(RuntimeError, match="npm run gen:python"):
        _check_enum_members(Short, _protocol.REJECT_CONDITION_VALUES, "handle/query rejectCondition")


def test_every_error_code_maps_to_an_exception() -> None:
    expected = {
        "InvalidParams": InvalidParamsError,
        "RequestCancelled": RequestCancelledError,
        "InvalidHandleError": InvalidHandleError,
        "RPCError": RPCError,
        "CodecError": CodecError,
        "DaemonShuttingDown": DaemonShuttingDownError,
    }
    assert set(_protocol.ERROR_TYPES) == set(_protocol.ERROR_CODES)
    for kind, code in _protocol.ERROR_CODES.items():
        err = error_from_response({"code": code, "message": "m", "data": {"type": kind}})
        if kind in expected:
            assert type(err) is expected[kind], kind
        elif kind.startswith("Workflow"):
            assert isinstance(err, TemporalError), kind
        else:
            assert type(err) is DaemonError and err.code == code, kind


def test_protocol_module_shape() -> None:
    assert isinstance(_protocol.PROTOCOL_VERSION, int)
    assert set(_protocol.METHODS) == set(_protocol.METHOD_PARAMS) == set(_protocol.METHOD_REQUIRED_PARAMS)
    for method in _protocol.METHODS:
        assert set(_protocol.METHOD_REQUIRED_PARAMS[method]) <= set(_protocol.METHOD_PARAMS[method])
    assert set(_protocol.NOTIFICATIONS) == set(_protocol.NOTIFICATION_PARAMS)
    assert _protocol.CANCEL_REQUEST == "$/cancelRequest" and _protocol.PROGRESS == "$/progress"
    for name, values in _protocol.ENUMS.items():
        assert values and len(set(values)) == len(values), name
