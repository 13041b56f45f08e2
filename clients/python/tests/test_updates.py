"""Workflow updates through the daemon with temporalio's signatures, on a temporalio worker,
and the same calls through temporalio's own client for comparison."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import Client as SdkClient
from temporalio.client import WithStartWorkflowOperation as SdkWithStart
from temporalio.client import WorkflowUpdateFailedError as SdkUpdateFailed
from temporalio.client import WorkflowUpdateStage as SdkStage
from temporalio.common import WorkflowIDConflictPolicy as SdkConflict

import temporal_handled
from handled_workflows import UpdatableWorkflow
from temporal_handled import (
    ApplicationError,
    RPCError,
    RPCStatusCode,
    WithStartWorkflowOperation,
    WorkflowAlreadyStartedError,
    WorkflowIDConflictPolicy,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)

pytestmark = pytest.mark.asyncio


async def test_execute_start_and_get_update_handle(
    client: temporal_handled.Client, task_queue: str, wf_id: str
) -> None:
    handle = await client.start_workflow(UpdatableWorkflow.run, 1, id=wf_id, task_queue=task_queue)
    assert await handle.execute_update(UpdatableWorkflow.add, 2) == 3
    assert await handle.execute_update("add", 2, id="same") == 5
    assert await handle.execute_update("add", 2, id="same") == 5  # a reused ID is applied once
    u = await handle.start_update(
        UpdatableWorkflow.wait_release, "v", wait_for_stage=WorkflowUpdateStage.ACCEPTED, id="u1"
    )
    assert (u.id, u.workflow_id) == ("u1", wf_id)
    assert (await u.describe())["stage"] == "ACCEPTED"
    await handle.signal(UpdatableWorkflow.release)
    assert await u.result() == "v"
    again = await handle.get_update_handle_for(UpdatableWorkflow.wait_release, "u1")
    assert await again.result() == "v"
    with pytest.raises(Exception, match="ADMITTED wait stage not supported"):
        await handle.start_update("add", 1, wait_for_stage=WorkflowUpdateStage.ADMITTED)
    await handle.terminate()


async def test_failures_as_temporalio_raises_them(
    client: temporal_handled.Client, sdk_client: SdkClient, task_queue: str, wf_id: str
) -> None:
    handle = await client.start_workflow(UpdatableWorkflow.run, 0, id=wf_id, task_queue=task_queue)
    sdk_handle = sdk_client.get_workflow_handle(wf_id)
    with pytest.raises(WorkflowUpdateFailedError) as ours:
        await handle.execute_update(UpdatableWorkflow.add, -1)
    with pytest.raises(SdkUpdateFailed) as theirs:
        await sdk_handle.execute_update(UpdatableWorkflow.add, -1)
    assert type(ours.value.cause).__name__ == type(theirs.value.cause).__name__ == "ApplicationError"
    assert str(ours.value.cause) == str(theirs.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await handle.execute_update(UpdatableWorkflow.fail, "boom")
    assert isinstance(raised.value.cause, ApplicationError) and raised.value.cause.type == "UpdateBoom"
    await handle.terminate()
    with pytest.raises(RPCError) as closed:
        await handle.execute_update("add", 1)
    assert closed.value.status == RPCStatusCode.NOT_FOUND


async def test_update_with_start(
    client: temporal_handled.Client, sdk_client: SdkClient, task_queue: str, wf_id: str
) -> None:
    op = WithStartWorkflowOperation(
        UpdatableWorkflow.run,
        10,
        id=wf_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    assert await client.execute_update_with_start_workflow(UpdatableWorkflow.add, 1, start_workflow_operation=op) == 11
    workflow_handle = await op.workflow_handle()
    assert workflow_handle.id == wf_id
    sdk_op = SdkWithStart(
        UpdatableWorkflow.run, 10, id=wf_id, task_queue=task_queue, id_conflict_policy=SdkConflict.USE_EXISTING
    )
    assert (
        await sdk_client.execute_update_with_start_workflow(UpdatableWorkflow.add, 1, start_workflow_operation=sdk_op)
        == 12
    )
    op2 = WithStartWorkflowOperation(
        UpdatableWorkflow.run,
        10,
        id=wf_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    u = await client.start_update_with_start_workflow(
        UpdatableWorkflow.add, 1, wait_for_stage=WorkflowUpdateStage.COMPLETED, start_workflow_operation=op2
    )
    assert await u.result() == 13
    fail_op = WithStartWorkflowOperation(
        UpdatableWorkflow.run, 10, id=wf_id, task_queue=task_queue, id_conflict_policy=WorkflowIDConflictPolicy.FAIL
    )
    with pytest.raises(WorkflowAlreadyStartedError):
        await client.execute_update_with_start_workflow(UpdatableWorkflow.add, 1, start_workflow_operation=fail_op)
    with pytest.raises(WorkflowAlreadyStartedError):
        await fail_op.workflow_handle()
    await workflow_handle.terminate()


async def test_cancelling_a_waiting_result(client: temporal_handled.Client, task_queue: str, wf_id: str) -> None:
    handle = await client.start_workflow(UpdatableWorkflow.run, 0, id=wf_id, task_queue=task_queue)
    u = await handle.start_update(UpdatableWorkflow.wait_release, 1, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    task = asyncio.ensure_future(u.result())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await client.daemon_status())["inFlight"] == 0
    await handle.terminate()


async def test_stage_values_match_temporalio() -> None:
    assert {s.name: s.value for s in WorkflowUpdateStage} == {s.name: s.value for s in SdkStage}
