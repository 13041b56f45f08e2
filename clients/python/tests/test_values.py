"""Value conversion, error decoding and framing, without a server."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from temporal_handled import (
    ActivityError,
    ApplicationError,
    ApplicationErrorCategory,
    CancelledError,
    ChildWorkflowError,
    DaemonConnectionError,
    DaemonError,
    FailureError,
    InvalidHandleError,
    InvalidParamsError,
    NexusOperationError,
    RequestCancelledError,
    RetryPolicy,
    RetryState,
    RPCError,
    RPCStatusCode,
    ServerError,
    TerminatedError,
    TimeoutError,
    TimeoutType,
    WorkflowAlreadyStartedError,
    WorkflowContinuedAsNewError,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporal_handled._connection import Connection, frame
from temporal_handled._values import decode_value, encode_value
from temporal_handled.common import duration_param, parse_time
from temporal_handled.exceptions import error_from_response, failure_to_error


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclasses.dataclass
class Point:
    x: int
    y: str


def test_encode_values() -> None:
    assert encode_value(b"\x00\xff") == {"$bytes": b64(b"\x00\xff")}
    assert encode_value(bytearray(b"ab")) == {"$bytes": b64(b"ab")}
    assert encode_value({"a": [1, "x", None, True]}) == {"a": [1, "x", None, True]}
    assert encode_value(Point(1, "y")) == {"x": 1, "y": "y"}
    u = uuid.uuid4()
    assert encode_value(u) == str(u)
    assert encode_value(datetime(2024, 1, 2, tzinfo=timezone.utc)) == "2024-01-02T00:00:00+00:00"
    assert encode_value((1, 2)) == [1, 2]
    payload = {"$payload": {"metadata": {"encoding": b64(b"x/y")}, "data": ""}}
    assert encode_value(payload) is payload
    with pytest.raises(TypeError):
        encode_value(object())


@pytest.mark.parametrize(
    "value, text",
    [(2**60 + 1, "1152921504606846977"), (1.0, "1.0"), ([0.5, 2.0], "[0.5,2.0]"), ({"$bytes": "x"}, '{"$bytes":"x"}')],
)
def test_values_javascript_cannot_carry_go_as_exact_payloads(value: Any, text: str) -> None:
    enc = encode_value(value)
    assert set(enc) == {"$payload"}
    assert base64.b64decode(enc["$payload"]["metadata"]["encoding"]) == b"json/plain"
    assert base64.b64decode(enc["$payload"]["data"]).decode() == text


@pytest.mark.parametrize(
    "value",
    [
        1,
        -(2**53 - 1),
        "é\ud800",
        None,
        True,
        0.5,
        [1, [2.25, None]],
        {"b": 1, "a": {"d": [True], "c": "x"}},
        {},
        [],
        # Not on the fast path (each must still come out as the encoder gives it):
        2**53,
        -0.0,
        {"n": 2.0},
        {1: "int key"},
        (1, 2),
        [{"$bytes": "x"}],
        {"$bytes": "x"},
    ],
)
def test_encode_value_fast_path_matches_the_encoder(value: Any) -> None:
    """encode_value skips the encoder for plain JSON; it must give what the encoder path gives
    (sorted keys, exact payloads for numbers a double would change)."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    plain = json.loads(text)
    enc = encode_value(value)
    if isinstance(enc, dict) and set(enc) == {"$payload"}:
        assert base64.b64decode(enc["$payload"]["data"]).decode() == text
    else:
        assert json.dumps(enc) == json.dumps(plain)


def test_decode_values() -> None:
    assert decode_value({"$bytes": b64(b"\x01")}) == b"\x01"
    assert decode_value({"a": 1}) == {"a": 1}
    payload = {"$payload": {"metadata": {"encoding": b64(b"x/y")}, "data": b64(b"zz")}}
    assert decode_value(payload) == payload
    assert decode_value(None) is None


def test_durations_and_retry_policy() -> None:
    assert duration_param(timedelta(seconds=1.5), "t") == 1500
    assert duration_param(timedelta(microseconds=1500), "t") == 1.5
    assert duration_param("1h30m", "t") == "1h30m"
    assert duration_param(None, "t") is None
    with pytest.raises(TypeError):
        duration_param(3, "t")  # type: ignore[arg-type]
    assert RetryPolicy().to_params() == {
        "initialInterval": 1000,
        "backoffCoefficient": 2.0,
        "maximumInterval": 100000,
        "maximumAttempts": 0,
        "nonRetryableErrorTypes": [],
    }
    for bad in (
        RetryPolicy(backoff_coefficient=0.5),
        RetryPolicy(maximum_attempts=-1),
        RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(seconds=1)),
    ):
        with pytest.raises(ValueError):
            bad.to_params()
    # maximum_attempts=1 skips validation, as in the SDK.
    RetryPolicy(backoff_coefficient=0.5, maximum_attempts=1).to_params()


def test_parse_time() -> None:
    assert parse_time("2024-05-06T07:08:09.123Z") == datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    assert parse_time("2024-05-06T07:08:09.1234567+00:00") == datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
    assert parse_time(None) is None


def test_description_from_wire_unknown_status() -> None:
    d = WorkflowExecutionDescription.from_wire(
        {"workflowId": "w", "runId": "r", "status": "PAUSED", "historyLength": 3}
    )
    assert d.status is None and d.raw_description["status"] == "PAUSED"
    d2 = WorkflowExecutionDescription.from_wire({"status": "TIMED_OUT", "memo": {"b": {"$bytes": b64(b"1")}}})
    assert d2.status == WorkflowExecutionStatus.TIMED_OUT and d2.memo_values == {"b": b"1"}


def test_failure_to_error_every_type() -> None:
    chain = {
        "type": "ChildWorkflowError",
        "message": "child failed",
        "namespace": "ns",
        "workflowId": "c",
        "runId": "r",
        "workflowType": "T",
        "initiatedEventId": 5,
        "startedEventId": 6,
        "retryState": "NON_RETRYABLE_FAILURE",
        "cause": {
            "type": "ActivityError",
            "message": "act",
            "activityType": "A",
            "activityId": "1",
            "identity": "me",
            "scheduledEventId": 7,
            "startedEventId": 8,
            "retryState": "MAXIMUM_ATTEMPTS_REACHED",
            "cause": {
                "type": "TimeoutError",
                "message": "to",
                "timeoutType": "HEARTBEAT",
                "lastHeartbeatDetails": [{"$bytes": b64(b"h")}],
                "cause": {
                    "type": "ApplicationError",
                    "message": "app",
                    "applicationType": "E",
                    "nonRetryable": True,
                    "details": [1, {"$bytes": b64(b"d")}],
                    "nextRetryDelayMs": 1500,
                    "category": "BENIGN",
                    "cause": {
                        "type": "ServerError",
                        "message": "srv",
                        "nonRetryable": True,
                        "cause": {
                            "type": "NexusOperationError",
                            "message": "nx",
                            "scheduledEventId": 9,
                            "endpoint": "e",
                            "service": "s",
                            "operation": "o",
                            "operationToken": "t",
                            "cause": {
                                "type": "CancelledError",
                                "message": "c",
                                "details": ["x"],
                                "cause": {
                                    "type": "TerminatedError",
                                    "message": "t",
                                    "cause": {"type": "FailureError", "message": "f"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
    err = failure_to_error(chain)
    types = []
    e: Any = err
    while e is not None:
        types.append(type(e))
        e = e.cause
    assert types == [
        ChildWorkflowError,
        ActivityError,
        TimeoutError,
        ApplicationError,
        ServerError,
        NexusOperationError,
        CancelledError,
        TerminatedError,
        FailureError,
    ]
    assert isinstance(err, ChildWorkflowError)
    assert (
        err.namespace,
        err.workflow_id,
        err.run_id,
        err.workflow_type,
        err.initiated_event_id,
        err.started_event_id,
    ) == ("ns", "c", "r", "T", 5, 6)
    assert err.retry_state == RetryState.NON_RETRYABLE_FAILURE
    act = err.cause
    assert isinstance(act, ActivityError)
    assert (act.activity_type, act.activity_id, act.identity, act.scheduled_event_id, act.started_event_id) == (
        "A",
        "1",
        "me",
        7,
        8,
    )
    assert act.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED
    to = act.cause
    assert (
        isinstance(to, TimeoutError) and to.type == TimeoutType.HEARTBEAT and list(to.last_heartbeat_details) == [b"h"]
    )
    app = to.cause
    assert isinstance(app, ApplicationError)
    assert (app.type, app.non_retryable, list(app.details), app.next_retry_delay, app.category) == (
        "E",
        True,
        [1, b"d"],
        timedelta(milliseconds=1500),
        ApplicationErrorCategory.BENIGN,
    )
    srv = app.cause
    assert isinstance(srv, ServerError) and srv.non_retryable and srv.message == "srv"
    nx = srv.cause
    assert isinstance(nx, NexusOperationError)
    assert (nx.scheduled_event_id, nx.endpoint, nx.service, nx.operation, nx.operation_token) == (9, "e", "s", "o", "t")
    assert isinstance(nx.cause, CancelledError) and list(nx.cause.details) == ["x"]
    assert isinstance(nx.cause.cause, TerminatedError)
    assert type(nx.cause.cause.cause) is FailureError and nx.cause.cause.cause.message == "f"
    assert err.failure is not None and err.failure["type"] == "ChildWorkflowError"


def test_error_from_response_every_type() -> None:
    def err(rpc_code: int, message: str, **data: Any) -> BaseException:
        return error_from_response({"code": rpc_code, "message": message, "data": data})

    e = err(1001, "not found", type="RPCError", status="NOT_FOUND", code=5, details=[{"typeUrl": "t", "value": ""}])
    assert isinstance(e, RPCError) and e.status == RPCStatusCode.NOT_FOUND and e.details[0]["typeUrl"] == "t"
    e = err(
        1002,
        "Workflow execution already started",
        type="WorkflowAlreadyStartedError",
        workflowId="w",
        workflowType="T",
        runId="r",
    )
    assert isinstance(e, WorkflowAlreadyStartedError) and (e.workflow_id, e.workflow_type, e.run_id) == ("w", "T", "r")
    e = err(
        1003,
        "Workflow execution failed",
        type="WorkflowFailureError",
        cause={"type": "ApplicationError", "message": "m"},
    )
    assert isinstance(e, WorkflowFailureError) and isinstance(e.cause, ApplicationError)
    e = err(1004, "Workflow continued as new", type="WorkflowContinuedAsNewError", newExecutionRunId="n")
    assert isinstance(e, WorkflowContinuedAsNewError) and e.new_execution_run_id == "n"
    e = err(1005, "Query rejected", type="WorkflowQueryRejectedError", status="FAILED")
    assert isinstance(e, WorkflowQueryRejectedError) and e.status == WorkflowExecutionStatus.FAILED
    e = err(1006, "bad query", type="WorkflowQueryFailedError")
    assert isinstance(e, WorkflowQueryFailedError) and e.message == "bad query"
    e = err(1007, "Unknown handle", type="InvalidHandleError", handle="h", reason="unknown")
    assert isinstance(e, InvalidHandleError) and (e.handle, e.reason) == ("h", "unknown")
    e = err(-32602, "Invalid params: x", type="InvalidParams")
    assert isinstance(e, InvalidParamsError) and isinstance(e, ValueError)
    e = err(-32800, "Request cancelled", type="RequestCancelled")
    assert isinstance(e, RequestCancelledError)
    e = err(1008, "Unauthorized", type="UnauthorizedError")
    assert type(e) is DaemonError and e.code == 1008


def test_frame_counts_utf8_bytes() -> None:
    data = frame({"jsonrpc": "2.0", "method": "x", "params": {"s": "\u00e9\u4e2d"}})
    header, body = data.split(b"\r\n\r\n", 1)
    assert header == f"Content-Length: {len(body)}".encode()
    assert json.loads(body)["params"]["s"] == "\u00e9\u4e2d"


async def test_connection_framing_progress_and_cancel() -> None:
    """A scripted peer: headers in any case, extra headers, split writes, cancellation."""
    reader = asyncio.StreamReader()
    sent: list = []

    class Writer:
        def write(self, data: bytes) -> None:
            sent.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

        async def drain(self) -> None:
            pass

        def close(self) -> None:
            reader.feed_eof()

    conn = Connection(reader, Writer())
    conn.start()
    progress: list = []
    conn.add_progress("tok", progress.append)
    task = asyncio.ensure_future(conn.request("m", {"a": 1}))
    await asyncio.sleep(0)
    assert sent[0]["method"] == "m" and sent[0]["id"] == 1
    body = json.dumps(
        {"jsonrpc": "2.0", "method": "$/progress", "params": {"token": "tok", "value": {"kind": "begin"}}}
    ).encode()
    reader.feed_data(
        b"content-length: "
        + str(len(body)).encode()
        + b"\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
    )
    reader.feed_data(body[:5])
    await asyncio.sleep(0)
    reader.feed_data(body[5:])
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"ok": True}}).encode()
    reader.feed_data(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert await task == {"ok": True}
    assert progress == [{"kind": "begin"}]
    slow = asyncio.ensure_future(conn.request("slow"))
    await asyncio.sleep(0)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert sent[-1] == {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 2}}
    pending = asyncio.ensure_future(conn.request("never"))
    await asyncio.sleep(0)
    await conn.close()
    with pytest.raises(DaemonConnectionError):
        await pending


def test_update_timeout_error_takes_its_cause_from_the_data() -> None:
    from temporal_handled import RPCError, RPCStatusCode, WorkflowUpdateRPCTimeoutOrCancelledError
    from temporal_handled.exceptions import error_from_response

    bare = error_from_response(
        {"code": 1011, "message": "x", "data": {"type": "WorkflowUpdateRPCTimeoutOrCancelledError"}}
    )
    assert isinstance(bare, WorkflowUpdateRPCTimeoutOrCancelledError) and bare.__cause__ is None
    err = error_from_response(
        {
            "code": 1011,
            "message": "x",
            "data": {
                "type": "WorkflowUpdateRPCTimeoutOrCancelledError",
                "cause": {"status": "DEADLINE_EXCEEDED", "message": "deadline"},
            },
        }
    )
    assert isinstance(err, WorkflowUpdateRPCTimeoutOrCancelledError)
    assert isinstance(err.__cause__, RPCError) and err.__cause__.status == RPCStatusCode.DEADLINE_EXCEEDED
    assert err.__cause__.message == "deadline"
