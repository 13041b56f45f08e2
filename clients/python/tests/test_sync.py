"""The blocking facade, temporal_handled.sync.

Each test body runs in a worker thread (asyncio.to_thread) so the temporalio
Worker keeps running on the test's event loop meanwhile, just as it would run in
another process for a plain script.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List

import pytest

from handled_support import DAEMON_ARGS, daemon_command, unique
from temporal_handled import (
    ApplicationError,
    QueryRejectCondition,
    RPCError,
    RPCStatusCode,
    TerminatedError,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowQueryRejectedError,
)
from temporal_handled.sync import Client


async def test_sync_facade_end_to_end(dev_server: str, daemon_built: Path, task_queue: str) -> None:
    def script() -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        with Client.spawn(daemon_command(), address=dev_server, args=DAEMON_ARGS) as client:
            out["namespace"] = client.namespace
            h = client.start_workflow("Waiter", "s0", id=unique("sync"), task_queue=task_queue, memo={"m": b"\x01"})
            out["ids"] = (h.id, h.run_id, h.result_run_id, h.first_execution_run_id)
            h.signal("add", b"\x09")
            h.signal("add_two", args=[1, 2])
            out["state"] = h.query("state")
            out["echo"] = h.query("echo", b"\x07")
            d = h.describe()
            out["status"], out["memo"] = d.status, d.memo_values
            same = client.get_workflow_handle(h.id, run_id=h.result_run_id)
            same.signal("finish", "sync-done")
            progress: List[Dict[str, Any]] = []
            out["result"] = same.result(progress=progress.append)
            out["progress"] = [p["kind"] for p in progress]
            out["status_after"] = h.describe().status
            with pytest.raises(WorkflowQueryRejectedError):
                h.query("state", reject_condition=QueryRejectCondition.NOT_OPEN)
            failing = client.start_workflow("Fail", "app", id=unique("sync-fail"), task_queue=task_queue)
            with pytest.raises(WorkflowFailureError) as e:
                failing.result()
            out["fail_cause"] = e.value.cause
            victim = client.start_workflow("Waiter", id=unique("sync-term"), task_queue=task_queue)
            victim.cancel(reason="x")
            victim2 = client.start_workflow("Waiter", id=unique("sync-term2"), task_queue=task_queue)
            victim2.terminate("d", reason="sync-stop")
            with pytest.raises(WorkflowFailureError) as t:
                victim2.result()
            out["term"] = t.value.cause
            with pytest.raises(RPCError) as r:
                client.get_workflow_handle(unique("none")).describe()
            out["rpc"] = r.value.status
            out["status_call"] = client.daemon_status()["clients"]
            victim.release()
            out["after_release"] = victim.describe().status
        return out

    out = await asyncio.to_thread(script)
    assert out["namespace"] == "default"
    assert out["ids"][1] is None and out["ids"][2] == out["ids"][3]
    assert out["state"]["values"] == ["s0", "hex:09", [1, 2]]
    assert out["echo"] == b"\x07"
    assert out["status"] == WorkflowExecutionStatus.RUNNING and out["memo"] == {"m": b"\x01"}
    assert out["result"]["result"] == "sync-done"
    assert out["progress"] == ["begin", "end"]
    assert out["status_after"] == WorkflowExecutionStatus.COMPLETED
    assert isinstance(out["fail_cause"], ApplicationError) and out["fail_cause"].type == "MyError"
    assert isinstance(out["term"], TerminatedError) and out["term"].message == "sync-stop"
    assert out["rpc"] == RPCStatusCode.NOT_FOUND
    assert out["status_call"] == 1
    assert out["after_release"] == WorkflowExecutionStatus.CANCELED


async def test_sync_call_interrupted_sends_cancel(dev_server: str, daemon_built: Path, task_queue: str) -> None:
    """A blocked sync call that is interrupted (as by Ctrl-C) is cancelled in the daemon."""

    def script() -> Dict[str, Any]:
        with Client.spawn(daemon_command(), address=dev_server, args=DAEMON_ARGS) as client:
            h = client.start_workflow("Waiter", id=unique("sync-int"), task_queue=task_queue)
            # Interrupt the blocked result() from another thread, like a signal handler would.
            main = threading.get_ident()
            timer = threading.Timer(0.3, _raise_in, args=(main,))
            timer.start()
            try:
                h.result()
            except _Interrupt:
                pass
            deadline = time.monotonic() + 10
            while client.daemon_status()["inFlight"] > 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            in_flight = client.daemon_status()["inFlight"]
            nobody = client.start_workflow("Waiter", id=unique("sync-nw"), task_queue=unique("no-worker"))
            with pytest.raises(RPCError) as e:
                nobody.query("state", rpc_timeout=timedelta(milliseconds=300))
            nobody.terminate()
            h.terminate()
            return {"in_flight": in_flight, "deadline": e.value.status}

    out = await asyncio.to_thread(script)
    assert out["in_flight"] == 0  # the interrupted wait is gone; the status request is not counted
    assert out["deadline"] in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


class _Interrupt(Exception):
    pass


def _raise_in(thread_id: int) -> None:
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(_Interrupt))


async def test_sync_facade_typed_calls(dev_server: str, daemon_built: Path, task_queue: str) -> None:
    """The blocking facade's temporalio calls: execute_workflow, get_workflow_handle_for and
    result_type convert as the asyncio client does; rpc_metadata passes through."""
    from handled_workflows import Point, TypedWorkflow

    def script() -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        with Client.spawn(daemon_command(), address=dev_server, args=DAEMON_ARGS) as client:
            out["echo"] = client.execute_workflow(
                "Echo", [1, 2], id=unique("sync-ex"), task_queue=task_queue, result_type=tuple
            )
            wf = unique("sync-typed")
            h = client.start_workflow("Echo", {"x": 1, "y": 2.0}, id=wf, task_queue=task_queue, result_type=Point)
            out["point"] = h.result(rpc_metadata={"x-sync": "1"})
            out["query"] = client.get_workflow_handle(wf).query("__stack_trace", result_type=str)
            out["typed_for"] = client.get_workflow_handle_for(TypedWorkflow.run, wf).async_handle._result_type
        return out

    out = await asyncio.to_thread(script)
    assert out["echo"] == (1, 2)
    assert out["point"] == Point(1, 2.0)
    assert isinstance(out["query"], str)
    assert out["typed_for"].__name__ == "Shape"
