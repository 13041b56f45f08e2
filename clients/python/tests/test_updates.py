"""Workflow updates through the daemon: WorkflowHandle.execute_update / start_update /
get_update_handle, WorkflowUpdateHandle, update-with-start, their errors, cancellation,
and the blocking facade, against the real daemon, dev server and a temporalio Worker
running ``Updatable`` (handled_workflows.py)."""

from __future__ import annotations

import asyncio
import gc
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict

import pytest

from handled_support import DAEMON_ARGS, daemon_command, in_flight, unique, wait_until
from handled_workflows import UpdatableWorkflow
from temporal_handled import (
    ApplicationError,
    Client,
    InvalidParamsError,
    RPCError,
    RPCStatusCode,
    RPCTimeoutOrCancelledError,
    WithStartWorkflowOperation,
    WorkflowAlreadyStartedError,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowIDConflictPolicy,
    WorkflowUpdateFailedError,
    WorkflowUpdateHandle,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporal_handled import client as th_client
from temporal_handled import sync as th_sync


async def start(client: Client, wf_id: str, task_queue: str, initial: int = 0) -> WorkflowHandle:
    return await client.start_workflow("Updatable", initial, id=wf_id, task_queue=task_queue)


async def update_tokens(client: Client) -> int:
    return int((await client.daemon_status())["updateHandles"])


# --- execute_update --------------------------------------------------------------------------


async def test_execute_update_values_args_and_ids(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue, 10)
    assert await h.execute_update("add", 5) == 15
    assert await h.execute_update(UpdatableWorkflow.add, 1) == 16
    assert await h.execute_update("add_two", args=[2, 3]) == {"total": 21, "pair": [2, 3]}
    # A reused update ID is applied once: the second call answers the first one's result.
    assert await h.execute_update("add", 100, id="same-id") == 121
    assert await h.execute_update("add", 100, id="same-id") == 121
    assert (await h.query("state"))["applied"] == [5, 1, [2, 3], 100]
    with pytest.raises(ValueError, match="Cannot have arg and args"):
        await h.execute_update("add", 1, args=[2])
    await h.terminate()


# --- start_update at each stage --------------------------------------------------------------


async def test_start_update_accepted_then_result(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue)
    u = await h.start_update("wait_for_release", "v", wait_for_stage=WorkflowUpdateStage.ACCEPTED, id="u-acc")
    assert isinstance(u, WorkflowUpdateHandle)
    assert (u.id, u.workflow_id, u.workflow_run_id) == ("u-acc", wf_id, h.result_run_id)
    d = await u.describe()
    assert (d.id, d.stage, d.completed) == ("u-acc", WorkflowUpdateStage.ACCEPTED, False)
    waiting = asyncio.ensure_future(u.result())
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await h.signal("release")
    assert await waiting == "v"
    d = await u.describe()
    assert (d.stage, d.completed, d.value, d.failure) == (WorkflowUpdateStage.COMPLETED, True, "v", None)
    await h.terminate()


async def test_start_update_completed_and_admitted_refused(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue, 1)
    u = await h.start_update("add", 2, wait_for_stage=WorkflowUpdateStage.COMPLETED)
    assert u.id  # a UUID made by the daemon
    d = await u.describe()
    assert (d.stage, d.value) == (WorkflowUpdateStage.COMPLETED, 3)
    assert await u.result() == 3
    # Names and numbers are accepted for the stage, as enum values elsewhere.
    u2 = await h.start_update("add", args=[1], wait_for_stage="COMPLETED")
    assert await u2.result() == 4
    # ADMITTED: refused by the daemon with the SDK's message, as a ValueError.
    with pytest.raises(InvalidParamsError, match="ADMITTED wait stage not supported") as e:
        await h.start_update("add", 1, wait_for_stage=WorkflowUpdateStage.ADMITTED)
    assert isinstance(e.value, ValueError)
    with pytest.raises(TypeError, match="wait_for_stage is required"):
        await h.start_update("add", 1, wait_for_stage=None)  # type: ignore[arg-type]
    assert (await h.query("state"))["applied"] == [2, 1]
    await h.terminate()


# --- get_update_handle -----------------------------------------------------------------------


async def test_get_update_handle_and_for(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue)
    await h.execute_update("add", 4, id="u-get")
    u = h.get_update_handle("u-get")
    assert (u.id, u.workflow_id, u.workflow_run_id) == ("u-get", wf_id, None)
    assert await u.result() == 4
    pinned = client.get_workflow_handle(wf_id, run_id=h.result_run_id)
    p = pinned.get_update_handle("u-get")
    assert p.workflow_run_id == h.result_run_id
    assert await p.result() == 4
    typed = h.get_update_handle_for(UpdatableWorkflow.add, "u-get", workflow_run_id=h.result_run_id)
    assert typed.workflow_run_id == h.result_run_id
    assert (await typed.describe()).value == 4
    await h.terminate()


# --- errors ----------------------------------------------------------------------------------


async def test_validator_rejection_and_handler_failure(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue)
    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await h.execute_update("add", -1)
    assert str(rejected.value) == "Workflow update failed"
    cause = rejected.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.message, cause.type) == ("add rejects -1", "Rejected")
    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await h.execute_update("fail", "boom")
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.message, cause.type, list(cause.details), cause.non_retryable) == (
        "boom",
        "UpdateBoom",
        [{"detail": 1}],
        True,
    )
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await h.execute_update("nope")
    assert "nope" in str(unknown.value.cause)
    # start_update at COMPLETED does not raise; the handle's result does (every time).
    u = await h.start_update("fail", "later", wait_for_stage=WorkflowUpdateStage.COMPLETED)
    for _ in range(2):
        with pytest.raises(WorkflowUpdateFailedError) as later:
            await u.result()
        assert isinstance(later.value.cause, ApplicationError) and later.value.cause.message == "later"
    d = await u.describe()
    assert d.completed and isinstance(d.failure, ApplicationError) and d.failure.type == "UpdateBoom"
    # A rejected update never ran: the total is unchanged.
    assert (await h.query("state"))["applied"] == []
    await h.terminate()


async def test_not_found(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue)
    missing = h.get_update_handle("no-such-update")
    with pytest.raises(RPCError) as e:
        await missing.describe()
    assert e.value.status == RPCStatusCode.NOT_FOUND
    with pytest.raises(RPCError) as e:
        await missing.result(rpc_timeout=timedelta(seconds=10))
    assert e.value.status == RPCStatusCode.NOT_FOUND
    await h.terminate()
    with pytest.raises(RPCError) as e:
        await h.execute_update("add", 1)
    assert e.value.status == RPCStatusCode.NOT_FOUND
    with pytest.raises(RPCError) as e:
        await client.get_workflow_handle(unique("none")).execute_update("add", 1)
    assert e.value.status == RPCStatusCode.NOT_FOUND


async def test_result_type_and_per_call_options(client: Client, task_queue: str, wf_id: str) -> None:
    """result_type converts update results (as temporalio's converter); rpc_metadata reaches the
    daemon; binary metadata and bad keys are refused with errors that name them."""
    h = await start(client, wf_id, task_queue)
    assert await h.execute_update("add", 1, result_type=float, rpc_metadata={"x-test": "v"}) == 1.0
    assert type(await h.execute_update("add", 1, result_type=float)) is float
    u = await h.start_update("add", 1, wait_for_stage=WorkflowUpdateStage.COMPLETED, result_type=str)
    with pytest.raises(TypeError, match="str"):
        await u.result()
    got = h.get_update_handle(u.id, result_type=float)
    assert await got.result(rpc_metadata={"x-test": "v"}) == 3.0
    with pytest.raises(NotImplementedError, match="binary metadata"):
        await h.execute_update("add", 1, rpc_metadata={"x-bin": b"\x00"})
    with pytest.raises(ValueError, match="rpcMetadata"):
        await h.execute_update("add", 1, rpc_metadata={"grpc-timeout": "1"})
    await h.terminate()


# --- cancellation and deadlines --------------------------------------------------------------


async def test_cancelling_a_waiting_result(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue)
    u = await h.start_update("wait_for_release", 7, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    before = await in_flight(client)
    waiting = asyncio.ensure_future(u.result())
    await wait_until(lambda: _more_in_flight(client, before))
    waiting.cancel()
    # As in temporalio: the awaiting task ends with WorkflowUpdateRPCTimeoutOrCancelledError
    # raised from the CancelledError; the daemon was sent $/cancelRequest.
    with pytest.raises(WorkflowUpdateRPCTimeoutOrCancelledError) as e:
        await waiting
    assert isinstance(e.value, RPCTimeoutOrCancelledError)
    assert isinstance(e.value.__cause__, asyncio.CancelledError)
    assert str(e.value) == "Timeout or cancellation waiting for update"
    await wait_until(lambda: _in_flight_is(client, before))
    # A deadline (each poll's, now the daemon applies rpcTimeout): the same error, raised from the
    # RPCError the daemon sends as data.cause (DEADLINE_EXCEEDED), as temporalio raises it from one.
    with pytest.raises(WorkflowUpdateRPCTimeoutOrCancelledError) as e:
        await u.result(rpc_timeout=timedelta(milliseconds=300))
    assert isinstance(e.value.__cause__, RPCError)
    assert e.value.__cause__.status == RPCStatusCode.DEADLINE_EXCEEDED
    # The update itself is untouched and still completes.
    await h.signal("release")
    assert await u.result() == 7
    await h.terminate()


async def _more_in_flight(client: Client, before: int) -> bool:
    return await in_flight(client) > before


async def _in_flight_is(client: Client, n: int) -> bool:
    return await in_flight(client) == n


# --- daemon tokens ---------------------------------------------------------------------------


async def test_tokens_released_explicitly_on_gc_and_remade(client: Client, task_queue: str, wf_id: str) -> None:
    h = await start(client, wf_id, task_queue)
    await settle_collected()  # update handles of earlier tests, collected now, not during this test
    base = await update_tokens(client)
    u = await h.start_update("add", 1, wait_for_stage=WorkflowUpdateStage.COMPLETED, id="u-tok")
    assert await update_tokens(client) == base + 1
    await u.release()
    assert await update_tokens(client) == base
    # Still usable: a new daemon handle is made (no server call for that).
    assert await u.result() == 1
    assert await update_tokens(client) == base + 1
    fresh = h.get_update_handle("u-tok")
    assert await update_tokens(client) == base + 1  # made lazily, on first use
    assert await fresh.result() == 1
    assert await update_tokens(client) == base + 2
    # Released behind its back (e.g. by another client): made again transparently.
    token = fresh._token.token
    assert token is not None
    await client.call("update/release", {"update": token})
    assert (await fresh.describe()).value == 1
    # Garbage collected: released in the background.
    del u, fresh
    gc.collect()
    await wait_until(lambda: _tokens_are(client, base))
    await h.terminate()


async def settle_collected() -> None:
    gc.collect()
    await asyncio.sleep(0.05)  # the finalizers' call_soon_threadsafe callbacks start the releases
    await wait_until(lambda: _no_releases_pending())


async def _no_releases_pending() -> bool:
    return not th_client._RELEASES


async def _tokens_are(client: Client, n: int) -> bool:
    return await update_tokens(client) == n


# --- update-with-start -----------------------------------------------------------------------


def op(wf_id: str, task_queue: str, policy: Any, initial: int = 100) -> WithStartWorkflowOperation:
    return WithStartWorkflowOperation("Updatable", initial, id=wf_id, task_queue=task_queue, id_conflict_policy=policy)


async def test_update_with_start_each_conflict_policy(client: Client, task_queue: str, wf_id: str) -> None:
    # FAIL, nothing running: starts the workflow.
    first = op(wf_id, task_queue, WorkflowIDConflictPolicy.FAIL)
    assert await client.execute_update_with_start_workflow("add", 1, start_workflow_operation=first) == 101
    h1 = await first.workflow_handle()
    assert (h1.id, h1.run_id) == (wf_id, None)
    assert h1.result_run_id is not None and h1.first_execution_run_id == h1.result_run_id
    # USE_EXISTING: the running workflow gets the update.
    existing = op(wf_id, task_queue, WorkflowIDConflictPolicy.USE_EXISTING)
    u = await client.start_update_with_start_workflow(
        "add", 2, start_workflow_operation=existing, wait_for_stage=WorkflowUpdateStage.ACCEPTED, id="uws-2"
    )
    assert (u.id, u.workflow_id, u.workflow_run_id) == ("uws-2", wf_id, h1.result_run_id)
    assert await u.result() == 103
    assert (await existing.workflow_handle()).result_run_id == h1.result_run_id
    # FAIL, running: WorkflowAlreadyStartedError, from the call and from workflow_handle().
    conflict = op(wf_id, task_queue, "FAIL")
    with pytest.raises(WorkflowAlreadyStartedError) as e:
        await client.execute_update_with_start_workflow("add", 3, start_workflow_operation=conflict)
    assert (e.value.workflow_id, e.value.workflow_type, e.value.run_id) == (wf_id, "Updatable", h1.result_run_id)
    with pytest.raises(WorkflowAlreadyStartedError):
        await conflict.workflow_handle()
    # TERMINATE_EXISTING: a new run replaces the running one.
    replace = op(wf_id, task_queue, WorkflowIDConflictPolicy.TERMINATE_EXISTING, initial=0)
    u = await client.start_update_with_start_workflow(
        "add", 5, start_workflow_operation=replace, wait_for_stage=WorkflowUpdateStage.COMPLETED
    )
    h2 = await replace.workflow_handle()
    assert h2.result_run_id not in (None, h1.result_run_id)
    assert u.workflow_run_id == h2.result_run_id
    assert await u.result() == 5
    first_run = client.get_workflow_handle(wf_id, run_id=h1.result_run_id)
    assert (await first_run.describe()).status == WorkflowExecutionStatus.TERMINATED
    assert (await h2.query("state"))["applied"] == [5]
    await h2.terminate()


async def test_update_with_start_failures_and_misuse(client: Client, task_queue: str, wf_id: str) -> None:
    with pytest.raises(ValueError, match="WorkflowIDConflictPolicy is required"):
        WithStartWorkflowOperation("Updatable", id=wf_id, task_queue=task_queue, id_conflict_policy="UNSPECIFIED")
    o = op(wf_id, task_queue, WorkflowIDConflictPolicy.USE_EXISTING, initial=0)
    # ADMITTED is refused before the operation is used.
    with pytest.raises(InvalidParamsError, match="ADMITTED wait stage not supported"):
        await client.start_update_with_start_workflow(
            "add", 1, start_workflow_operation=o, wait_for_stage=WorkflowUpdateStage.ADMITTED
        )
    # The update fails, but the workflow was started: its handle is there.
    waiter = asyncio.ensure_future(o.workflow_handle())
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await client.execute_update_with_start_workflow("add", -5, start_workflow_operation=o)
    assert isinstance(e.value.cause, ApplicationError) and e.value.cause.message == "add rejects -5"
    h = await waiter
    assert h.id == wf_id and h.result_run_id is not None
    assert (await h.query("state"))["applied"] == []
    with pytest.raises(RuntimeError, match="cannot be reused"):
        await client.execute_update_with_start_workflow("add", 1, start_workflow_operation=o)
    # A workflow-level decorated update and multiple args.
    o2 = op(wf_id, task_queue, "USE_EXISTING")
    value = await client.execute_update_with_start_workflow("add_two", args=[1, 2], start_workflow_operation=o2)
    assert value == {"total": 3, "pair": [1, 2]}
    await h.terminate()


# --- the blocking facade ---------------------------------------------------------------------


async def test_sync_facade_updates(dev_server: str, daemon_built: Path, task_queue: str) -> None:
    def script() -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        wf = unique("sync-upd")
        with th_sync.Client.spawn(daemon_command(), address=dev_server, args=DAEMON_ARGS) as c:
            o = th_sync.WithStartWorkflowOperation(
                "Updatable", 1, id=wf, task_queue=task_queue, id_conflict_policy=WorkflowIDConflictPolicy.FAIL
            )
            with pytest.raises(RuntimeError, match="not been used"):
                o.workflow_handle()
            out["uws"] = c.execute_update_with_start_workflow("add", 1, start_workflow_operation=o)
            h = o.workflow_handle()
            out["exec"] = h.execute_update("add", 10, id="s-1")
            u = h.start_update("wait_for_release", "x", wait_for_stage=WorkflowUpdateStage.ACCEPTED)
            out["stage"] = u.describe().stage
            h.signal("release")
            out["result"] = u.result()
            out["get"] = h.get_update_handle("s-1").result()
            out["for"] = h.get_update_handle_for(UpdatableWorkflow.add, "s-1").describe().value
            with pytest.raises(WorkflowUpdateFailedError):
                h.execute_update("fail", "f")
            o2 = th_sync.WithStartWorkflowOperation(
                "Updatable", id=wf, task_queue=task_queue, id_conflict_policy="USE_EXISTING"
            )
            u2 = c.start_update_with_start_workflow(
                "add", 100, start_workflow_operation=o2, wait_for_stage=WorkflowUpdateStage.COMPLETED
            )
            out["uws2"] = (u2.result(), u2.workflow_run_id == o2.workflow_handle().result_run_id)
            u2.release()
            h.terminate()
        return out

    out = await asyncio.to_thread(script)
    assert out == {
        "uws": 2,
        "exec": 12,
        "stage": WorkflowUpdateStage.ACCEPTED,
        "result": "x",
        "get": 12,
        "for": 12,
        "uws2": (112, True),
    }
