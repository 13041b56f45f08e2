"""WorkflowHandle and Client.start_workflow against the real daemon and dev server."""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import timedelta
from typing import Any, Dict, List

import pytest

from handled_support import in_flight, unique, wait_until
from handled_workflows import WaiterWorkflow
from temporal_handled import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
    Client,
    InvalidHandleError,
    InvalidParamsError,
    QueryRejectCondition,
    RetryPolicy,
    RetryState,
    RPCError,
    RPCStatusCode,
    SearchAttributeKey,
    TerminatedError,
    TimeoutError,
    TimeoutType,
    WorkflowAlreadyStartedError,
    WorkflowContinuedAsNewError,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)


async def start_waiter(client: Client, wf_id: str, task_queue: str, **kw: Any) -> WorkflowHandle:
    return await client.start_workflow("Waiter", id=wf_id, task_queue=task_queue, **kw)


# --- run IDs -------------------------------------------------------------------------------


async def test_start_handle_run_ids(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start_waiter(client, wf_id, task_queue)
    assert h.id == wf_id
    assert h.run_id is None
    assert h.result_run_id is not None
    assert h.first_execution_run_id == h.result_run_id
    assert (await h.describe()).run_id == h.result_run_id
    await h.signal("finish", "done")
    assert (await h.result())["result"] == "done"


async def test_start_with_signal_leaves_first_execution_run_id_unset(
    client: Client, task_queue: str, wf_id: str
) -> None:
    h = await start_waiter(client, wf_id, task_queue, start_signal="add", start_signal_args=["from-start"])
    assert h.run_id is None
    assert h.first_execution_run_id is None
    assert h.result_run_id is not None
    state = await h.query("state")
    assert state["values"] == ["from-start"]
    assert state["runId"] == h.result_run_id
    await h.terminate()


async def test_get_workflow_handle_is_lazy(client: Client, task_queue: str, wf_id: str) -> None:
    started = await start_waiter(client, wf_id, task_queue)
    before = (await client.daemon_status())["handles"]
    h = client.get_workflow_handle(wf_id, run_id=started.result_run_id, first_execution_run_id="fe-x")
    assert (h.id, h.run_id, h.result_run_id, h.first_execution_run_id) == (
        wf_id,
        started.result_run_id,
        started.result_run_id,
        "fe-x",
    )
    # No daemon handle yet: nothing was sent.
    assert (await client.daemon_status())["handles"] == before
    assert (await h.describe()).status == WorkflowExecutionStatus.RUNNING
    assert (await client.daemon_status())["handles"] == before + 1
    plain = client.get_workflow_handle(wf_id)
    assert (plain.run_id, plain.result_run_id, plain.first_execution_run_id) == (None, None, None)
    await started.terminate()


async def test_run_id_pins_describe_query_signal_and_result_follows(
    client: Client, task_queue: str, wf_id: str
) -> None:
    h = await client.start_workflow("ChainWait", 0, id=wf_id, task_queue=task_queue)
    first = h.result_run_id
    await h.signal("next")
    second = await wait_until(lambda: _new_run(client, wf_id, first))
    pinned = client.get_workflow_handle(wf_id, run_id=first)
    d = await pinned.describe()
    assert (d.run_id, d.status) == (first, WorkflowExecutionStatus.CONTINUED_AS_NEW)
    assert await pinned.query("generation_run") == first
    with pytest.raises(RPCError) as e:
        await pinned.signal("next")
    assert e.value.status == RPCStatusCode.NOT_FOUND
    # The start handle has no run_id: describe/query go to the latest run.
    assert (await h.describe()).run_id == second
    assert await h.query("generation_run") == second
    with pytest.raises(WorkflowContinuedAsNewError) as can:
        await h.result(follow_runs=False)
    assert can.value.new_execution_run_id == second
    with pytest.raises(WorkflowContinuedAsNewError):
        await pinned.result(follow_runs=False)
    await h.signal("next")
    assert await h.result() == {"generation": 1, "runId": second}
    assert await pinned.result() == {"generation": 1, "runId": second}
    latest = client.get_workflow_handle(wf_id, run_id=second)
    assert await latest.result(follow_runs=False) == {"generation": 1, "runId": second}


async def _new_run(client: Client, wf_id: str, old: str) -> Any:
    d = await client.get_workflow_handle(wf_id).describe()
    return d.run_id if d.run_id != old else None


async def test_first_execution_run_id_guards_cancel_and_terminate(client: Client, task_queue: str, wf_id: str) -> None:
    a = await start_waiter(client, wf_id, task_queue)
    await a.signal("finish", "a")
    assert (await a.result())["result"] == "a"
    b = await start_waiter(client, wf_id, task_queue)
    assert b.result_run_id != a.result_run_id
    # a's chain is over: its first_execution_run_id no longer matches the running chain.
    with pytest.raises(RPCError) as e1:
        await a.cancel()
    with pytest.raises(RPCError) as e2:
        await a.terminate(reason="wrong chain")
    assert e1.value.status == e2.value.status == RPCStatusCode.NOT_FOUND
    assert (await b.describe()).status == WorkflowExecutionStatus.RUNNING
    guarded = client.get_workflow_handle(wf_id, first_execution_run_id=b.result_run_id)
    await guarded.terminate(reason="right chain")
    assert (await b.describe()).status == WorkflowExecutionStatus.TERMINATED
    # result_run_id pins result to a's run even though b is the latest.
    assert (await a.result())["result"] == "a"


# --- signal, query, args -------------------------------------------------------------------


async def test_signal_and_query_args(client: Client, task_queue: str, wf_id: str) -> None:
    h = await client.start_workflow(WaiterWorkflow, "first", id=wf_id, task_queue=task_queue)
    await h.signal("add", {"k": [1, 2]})
    await h.signal("add_two", args=["x", None])
    await h.signal(WaiterWorkflow.add, b"\x00\xff")
    assert await h.query("echo", b"\x01bytes") == b"\x01bytes"
    assert await h.query("echo_two", args=[1, {"a": None}]) == [1, {"a": None}]
    assert await h.query("echo", None) is None
    state = await h.query(WaiterWorkflow.state)
    assert state["values"] == ["first", {"k": [1, 2]}, ["x", None], "hex:00ff"]
    await h.signal(WaiterWorkflow.finish, {"done": True})
    result = await h.result()
    assert result["result"] == {"done": True}


async def test_arg_and_args_together_raise_value_error(client: Client, task_queue: str, wf_id: str) -> None:
    with pytest.raises(ValueError, match="Cannot have arg and args"):
        await client.start_workflow("Echo", 1, args=[2], id=wf_id, task_queue=task_queue)
    h = client.get_workflow_handle(wf_id)
    with pytest.raises(ValueError, match="Cannot have arg and args"):
        await h.signal("add", 1, args=[2])
    with pytest.raises(ValueError, match="Cannot have arg and args"):
        await h.query("echo", 1, args=[2])


async def test_values_roundtrip(client: Client, task_queue: str) -> None:
    async def echo(*args: Any) -> Any:
        h = await client.start_workflow("Echo", args=list(args), id=unique("echo"), task_queue=task_queue)
        return await h.result()

    assert await echo(b"\x00\x01\xfe") == b"\x00\x01\xfe"
    assert await echo({"a": [1, 2.5, None, True], "b": "\u00e9\u4e2d"}) == {
        "a": [1, 2.5, None, True],
        "b": "\u00e9\u4e2d",
    }
    assert await echo(None) is None
    assert await echo("x", 3) == ["x", 3]
    # Numbers JavaScript cannot carry exactly arrive exactly (sent as json/plain $payload).
    assert await echo(2**60 + 1, "<repr>") == repr(2**60 + 1)
    assert await echo(1.0, "<repr>") == "1.0"
    assert await echo({"$bytes": "not bytes"}, "<repr>") == repr({"$bytes": "not bytes"})
    # A $payload passes through as it is.
    payload = {
        "$payload": {
            "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
            "data": base64.b64encode(b'"raw"').decode(),
        }
    }
    assert await echo(payload) == "raw"


# --- describe ------------------------------------------------------------------------------


async def test_describe_fields(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start_waiter(
        client,
        wf_id,
        task_queue,
        memo={"note": "hello", "blob": b"\x00\x01", "nested": {"n": 1}},
        search_attributes={"HandledKeyword": "kw-1", "HandledInt": 42},
        static_summary="a summary",
        static_details="some details",
    )
    d = await h.describe()
    assert d.id == wf_id
    assert d.run_id == h.result_run_id
    assert d.workflow_type == "Waiter"
    assert d.task_queue == task_queue
    assert d.status == WorkflowExecutionStatus.RUNNING
    assert d.start_time is not None and d.start_time.tzinfo is not None
    assert d.execution_time is not None
    assert d.close_time is None
    assert d.history_length >= 2
    assert d.namespace == client.namespace == "default"
    assert d.parent_id is None and d.parent_run_id is None
    assert await d.memo() == {"note": "hello", "blob": b"\x00\x01", "nested": {"n": 1}}
    assert d.memo_values == await d.memo()
    assert await d.memo_value("note") == "hello"
    assert await d.memo_value("missing", None) is None
    with pytest.raises(KeyError):
        await d.memo_value("missing")
    # temporalio's shape: the deprecated dict form has lists; the typed collection has the values.
    assert d.search_attributes["HandledKeyword"] == ["kw-1"]
    assert d.search_attributes["HandledInt"] == [42]
    assert d.typed_search_attributes[SearchAttributeKey.for_keyword("HandledKeyword")] == "kw-1"
    assert d.typed_search_attributes.get(SearchAttributeKey.for_int("HandledInt")) == 42
    assert await d.static_summary() == "a summary"
    assert await d.static_details() == "some details"
    await h.signal("finish")
    await h.result()
    d2 = await h.describe()
    assert d2.status == WorkflowExecutionStatus.COMPLETED
    assert d2.close_time is not None and d2.close_time >= d2.start_time
    assert d2.history_length > d.history_length


async def test_describe_child_parent_ids(client: Client, task_queue: str, wf_id: str) -> None:
    child_id = f"{wf_id}-child"
    parent = await client.start_workflow("Parent", child_id, id=wf_id, task_queue=task_queue)
    child = client.get_workflow_handle(child_id)
    d = await wait_until(lambda: _describe_or_none(child))
    assert d.parent_id == wf_id
    assert d.parent_run_id == parent.result_run_id
    assert d.root_id == wf_id
    await child.signal("finish", "child-done")
    assert (await parent.result())["result"] == "child-done"


async def _describe_or_none(h: WorkflowHandle) -> Any:
    try:
        return await h.describe()
    except RPCError:
        return None


# --- start options -------------------------------------------------------------------------


async def test_start_options(client: Client, task_queue: str, wf_id: str) -> None:
    h = await client.start_workflow(
        "Echo",
        "opts",
        id=wf_id,
        task_queue=task_queue,
        execution_timeout=timedelta(minutes=5),
        run_timeout="2m",
        task_timeout=timedelta(seconds=10),
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        retry_policy=RetryPolicy(
            initial_interval=timedelta(milliseconds=100), maximum_attempts=2, non_retryable_error_types=["X"]
        ),
    )
    assert await h.result() == "opts"
    # ALLOW_DUPLICATE_FAILED_ONLY: a completed run blocks the ID.
    with pytest.raises(WorkflowAlreadyStartedError):
        await client.start_workflow(
            "Echo", id=wf_id, task_queue=task_queue, id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY
        )


async def test_start_delay_and_cron(client: Client, task_queue: str) -> None:
    delayed = await client.start_workflow("Echo", 1, id=unique("delay"), task_queue=task_queue, start_delay="3s")
    d = await delayed.describe()
    assert d.execution_time is not None and d.start_time is not None
    assert d.execution_time - d.start_time >= timedelta(seconds=2)
    await delayed.terminate(reason="done with delay")
    cron = await client.start_workflow("Echo", 1, id=unique("cron"), task_queue=task_queue, cron_schedule="0 0 1 1 *")
    d = await cron.describe()
    assert d.status == WorkflowExecutionStatus.RUNNING
    assert d.execution_time is not None and d.execution_time > d.start_time
    await cron.terminate()
    with pytest.raises(WorkflowFailureError) as e:
        await cron.result()
    assert isinstance(e.value.cause, TerminatedError)


async def test_already_started_and_conflict_policies(client: Client, task_queue: str, wf_id: str) -> None:
    first = await start_waiter(client, wf_id, task_queue)
    with pytest.raises(WorkflowAlreadyStartedError) as e:
        await start_waiter(client, wf_id, task_queue)
    assert (e.value.workflow_id, e.value.workflow_type, e.value.run_id) == (wf_id, "Waiter", first.result_run_id)
    assert e.value.message == "Workflow execution already started"
    existing = await start_waiter(client, wf_id, task_queue, id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    assert existing.result_run_id == first.result_run_id
    replaced = await start_waiter(client, wf_id, task_queue, id_conflict_policy="TERMINATE_EXISTING")
    assert replaced.result_run_id != first.result_run_id
    with pytest.raises(WorkflowFailureError) as f:
        await first.result()
    assert isinstance(f.value.cause, TerminatedError)
    await replaced.signal("finish")
    await replaced.result()
    with pytest.raises(WorkflowAlreadyStartedError):
        await start_waiter(client, wf_id, task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)


# --- result: errors and run chains ---------------------------------------------------------


async def fail(client: Client, task_queue: str, kind: str, **kw: Any) -> WorkflowFailureError:
    h = await client.start_workflow("Fail", kind, id=unique(f"fail-{kind}"), task_queue=task_queue, **kw)
    with pytest.raises(WorkflowFailureError) as e:
        await h.result()
    assert str(e.value) == "Workflow execution failed"
    return e.value


async def test_application_error(client: Client, task_queue: str) -> None:
    err = await fail(client, task_queue, "app")
    cause = err.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.message, cause.type, cause.non_retryable) == ("boom", "MyError", True)
    assert list(cause.details) == [{"x": 1}, b"raw"]
    assert str(cause) == "MyError: boom"
    assert cause.failure is not None and "stackTrace" in cause.failure
    assert err.cause is err.__cause__


async def test_activity_error_chain(client: Client, task_queue: str) -> None:
    err = await fail(client, task_queue, "activity")
    act = err.cause
    assert isinstance(act, ActivityError)
    assert act.activity_type == "failing_activity"
    assert act.retry_state == RetryState.NON_RETRYABLE_FAILURE
    assert act.scheduled_event_id > 0 and act.started_event_id > 0 and act.activity_id
    app = act.cause
    assert isinstance(app, ApplicationError)
    assert (app.message, app.type, list(app.details)) == ("activity boom", "ActivityBoom", [{"activity": True}])


async def test_activity_timeout_chain(client: Client, task_queue: str) -> None:
    err = await fail(client, task_queue, "activity_timeout")
    assert isinstance(err.cause, ActivityError)
    timeout = err.cause.cause
    assert isinstance(timeout, TimeoutError)
    assert timeout.type == TimeoutType.START_TO_CLOSE
    assert list(timeout.last_heartbeat_details) == []


async def test_child_workflow_error_chain(client: Client, task_queue: str) -> None:
    err = await fail(client, task_queue, "child")
    child = err.cause
    assert isinstance(child, ChildWorkflowError)
    assert child.workflow_type == "Fail"
    assert child.workflow_id.endswith("-child")
    assert child.namespace == "default"
    assert child.run_id
    assert isinstance(child.cause, ApplicationError) and child.cause.type == "MyError"


async def test_workflow_timeout(client: Client, task_queue: str) -> None:
    err = await fail(client, task_queue, "sleep", execution_timeout=timedelta(seconds=1))
    assert isinstance(err.cause, TimeoutError)
    assert err.cause.type == TimeoutType.START_TO_CLOSE
    assert err.cause.message == "Workflow timed out"


async def test_cancel(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start_waiter(client, wf_id, task_queue)
    await h.cancel()
    with pytest.raises(WorkflowFailureError) as e:
        await h.result()
    assert isinstance(e.value.cause, CancelledError)
    assert (await h.describe()).status == WorkflowExecutionStatus.CANCELED
    aware = await client.start_workflow("CancelAware", id=unique("aware"), task_queue=task_queue)
    await aware.cancel(reason="because")
    assert await aware.result() == {"cancelled": True, "reason": "because"}


async def test_terminate(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start_waiter(client, wf_id, task_queue)
    await h.terminate("detail", b"\x02", {"k": 1}, reason="stop now")
    with pytest.raises(WorkflowFailureError) as e:
        await h.result()
    cause = e.value.cause
    assert isinstance(cause, TerminatedError)
    assert cause.message == "stop now"
    assert list(cause.details) == ["detail", b"\x02", {"k": 1}]
    assert (await h.describe()).status == WorkflowExecutionStatus.TERMINATED


async def test_continue_as_new_following_and_progress(client: Client, task_queue: str, wf_id: str) -> None:
    h = await client.start_workflow("Chain", 2, id=wf_id, task_queue=task_queue)
    seen: List[Dict[str, Any]] = []
    result = await h.result(progress=seen.append)
    runs = result["runs"]
    assert len(runs) == 3 and runs[0] == h.result_run_id
    kinds = [p["kind"] for p in seen]
    assert kinds == ["begin", "report", "report", "end"]
    assert seen[0]["runId"] == runs[0]
    assert [(p["previousRunId"], p["runId"], p["reason"]) for p in seen[1:3]] == [
        (runs[0], runs[1], "CONTINUED_AS_NEW"),
        (runs[1], runs[2], "CONTINUED_AS_NEW"),
    ]
    assert seen[3]["runId"] == runs[2] and seen[3]["status"] == "COMPLETED"
    with pytest.raises(WorkflowContinuedAsNewError) as e:
        await h.result(follow_runs=False)
    assert e.value.new_execution_run_id == runs[1]
    middle = client.get_workflow_handle(wf_id, run_id=runs[1])
    with pytest.raises(WorkflowContinuedAsNewError) as e2:
        await middle.result(follow_runs=False)
    assert e2.value.new_execution_run_id == runs[2]
    assert (await middle.result())["runs"] == runs


async def test_retry_following_and_async_progress(client: Client, task_queue: str, wf_id: str) -> None:
    policy = RetryPolicy(initial_interval=timedelta(milliseconds=100), maximum_attempts=3)
    h = await client.start_workflow("Fail", "retry_once", id=wf_id, task_queue=task_queue, retry_policy=policy)
    seen: List[Dict[str, Any]] = []

    async def on_progress(value: Dict[str, Any]) -> None:
        seen.append(value)

    assert await h.result(progress=on_progress) == {"attempt": 2}
    await wait_until(lambda: _ready(len(seen) >= 3))
    reports = [p for p in seen if p["kind"] == "report"]
    assert [p["reason"] for p in reports] == ["RETRY"]
    with pytest.raises(WorkflowFailureError) as e:
        await h.result(follow_runs=False)
    assert isinstance(e.value.cause, ApplicationError)
    assert (e.value.cause.message, e.value.cause.type, e.value.cause.non_retryable) == (
        "first attempt fails",
        "Transient",
        False,
    )


async def _ready(value: bool) -> bool:
    return value


# --- query errors --------------------------------------------------------------------------


async def test_query_reject_conditions(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start_waiter(client, wf_id, task_queue)
    assert (await h.query("state", reject_condition=QueryRejectCondition.NOT_OPEN))["finished"] is False
    await h.signal("finish")
    await h.result()
    with pytest.raises(WorkflowQueryRejectedError) as e:
        await h.query("state", reject_condition=QueryRejectCondition.NOT_OPEN)
    assert e.value.status == WorkflowExecutionStatus.COMPLETED
    assert str(e.value) == f"Query rejected, status: {WorkflowExecutionStatus.COMPLETED}"
    assert (await h.query("state", reject_condition="NOT_COMPLETED_CLEANLY"))["finished"] is True
    assert (await h.query("state", reject_condition=QueryRejectCondition.NONE))["finished"] is True
    failed = await client.start_workflow("Waiter", id=unique("qr"), task_queue=task_queue)
    await failed.terminate()
    with pytest.raises(WorkflowQueryRejectedError) as e2:
        await failed.query("state", reject_condition=QueryRejectCondition.NOT_COMPLETED_CLEANLY)
    assert e2.value.status == WorkflowExecutionStatus.TERMINATED


async def test_query_failed(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start_waiter(client, wf_id, task_queue)
    with pytest.raises(WorkflowQueryFailedError) as e:
        await h.query("no_such_query")
    assert "no_such_query" in e.value.message
    with pytest.raises(WorkflowQueryFailedError) as e2:
        await h.query("broken")
    assert "query handler broke" in e2.value.message
    await h.terminate()


async def test_rpc_errors_for_unknown_workflow(client: Client) -> None:
    h = client.get_workflow_handle(unique("missing"))
    for call in (h.describe(), h.signal("x"), h.cancel(), h.terminate(), h.result(), h.query("x")):
        with pytest.raises(RPCError) as e:
            await call
        assert e.value.status == RPCStatusCode.NOT_FOUND
        assert e.value.message


async def test_invalid_handle_and_params(client: Client, task_queue: str, wf_id: str) -> None:
    with pytest.raises(InvalidHandleError) as e:
        await client.call("handle/describe", {"handle": "wh_does_not_exist"})
    assert e.value.reason == "unknown"
    with pytest.raises(InvalidParamsError) as p:
        await client.start_workflow("Echo", id=wf_id, task_queue=task_queue, execution_timeout="soon")
    assert "executionTimeout" in str(p.value)
    with pytest.raises(TypeError):
        await client.start_workflow("Echo", id=wf_id, task_queue=task_queue, run_timeout=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RetryPolicy(backoff_coefficient=0.5).to_params()


# --- daemon handles, cancellation, deadlines -----------------------------------------------


async def test_handles_survive_expiry_and_release(
    dev_server: str, daemon_built: Any, task_queue: str, wf_id: str
) -> None:
    from handled_support import DAEMON_ARGS, daemon_command

    async with await Client.spawn(
        daemon_command(), address=dev_server, args=DAEMON_ARGS + ["--handle-idle-timeout", "200ms"]
    ) as c:
        a = await c.start_workflow("Waiter", id=wf_id, task_queue=task_queue)
        await a.signal("finish", "first")
        await asyncio.sleep(0.8)  # the daemon forgets a's handle
        assert (await c.daemon_status())["handles"] == 0
        assert (await a.result())["result"] == "first"
        b = await c.start_workflow("Waiter", id=wf_id, task_queue=task_queue)
        await a.release()
        # Re-created: result still pinned to a's run, describe goes to the latest run.
        assert (await a.result())["result"] == "first"
        assert (await a.describe()).run_id == b.result_run_id
        await b.release()
        await b.release()
        await b.terminate()


async def test_cancel_result_with_asyncio(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start_waiter(client, wf_id, task_queue)
    baseline = await in_flight(client)
    task = asyncio.ensure_future(h.result())
    await wait_until(lambda: _at_least(client, baseline + 1))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The daemon received $/cancelRequest and dropped the call.
    await wait_until(lambda: _at_most(client, baseline))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(h.result(), 0.3)
    await wait_until(lambda: _at_most(client, baseline))
    # The connection is still fine.
    await h.signal("finish", "after")
    assert (await h.result())["result"] == "after"


async def test_rpc_timeout_is_each_calls_deadline(client: Client, task_queue: str, wf_id: str) -> None:
    """temporalio's meaning: the deadline of each RPC; for result(), of each long poll, so a
    wait longer than it is not cut off."""
    h = await start_waiter(client, wf_id, task_queue)
    waiting = asyncio.ensure_future(h.result(rpc_timeout=timedelta(milliseconds=300)))
    await asyncio.sleep(1.5)
    assert not waiting.done()
    await h.signal("finish", "late")
    assert (await waiting)["result"] == "late"
    # A query to a workflow no worker serves waits for a worker: the deadline ends it.
    nobody = await client.start_workflow("Waiter", id=f"{wf_id}-nw", task_queue=unique("no-worker"))
    t0 = time.monotonic()
    with pytest.raises(RPCError) as e:
        await nobody.query("state", rpc_timeout=timedelta(milliseconds=500))
    assert e.value.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)
    assert time.monotonic() - t0 < 5
    with pytest.raises(ValueError, match="rpc_timeout"):
        await nobody.describe(rpc_timeout=timedelta(0))
    with pytest.raises(TypeError, match="rpc_timeout"):
        await nobody.describe(rpc_timeout=5)  # type: ignore[arg-type]
    await nobody.terminate()


async def _at_least(client: Client, n: int) -> bool:
    return await in_flight(client) >= n


async def _at_most(client: Client, n: int) -> bool:
    return await in_flight(client) <= n


async def test_client_info(client: Client) -> None:
    assert client.namespace == "default"
    info = client.server_info
    assert info["protocolVersion"] == 2
    assert info["serverInfo"]["name"] == "temporal-handled"
    status = await client.daemon_status()
    assert status["connection"]["namespace"] == "default"
    assert status["clients"] >= 1


async def test_describe_details_and_raw(client: Client, task_queue: str, wf_id: str) -> None:
    """describe's details (issue 13, the daemon's decoded fields): a retrying, heartbeating
    activity with its last failure and heartbeat details, a pending child; raw=True gives the
    whole response in protobuf JSON as raw_description."""
    h = await client.start_workflow("Flaky", f"{wf_id}-child", id=wf_id, task_queue=task_queue)

    async def retried() -> Any:
        d = await h.describe()
        acts = d.pending_activities
        return d if acts and acts[0].get("attempt", 0) >= 2 and acts[0].get("lastFailure") else None

    d = await wait_until(retried, timeout=20)
    (act,) = d.pending_activities
    assert act["activityType"] == "flaky_activity"
    assert act["lastFailure"]["message"].startswith("flaky attempt ")
    assert act["lastFailure"]["applicationType"] == "Flaky"
    assert act["heartbeatDetails"][0]["tag"] == "t"
    assert act["maximumAttempts"] == 20
    assert d.pending_activity_count == 1
    (child,) = d.pending_children
    assert child["workflowId"] == f"{wf_id}-child" and child["workflowTypeName"] == "Waiter"
    raw = await h.describe(raw=True)
    assert raw.raw_description["workflowExecutionInfo"]["execution"]["workflowId"] == wf_id
    assert "pendingActivities" in raw.raw_description
    assert (await h.describe()).raw_description["workflowId"] == wf_id  # the decoded form without raw
    await h.terminate()  # the child goes with it (parent close policy TERMINATE)
