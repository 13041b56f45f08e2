"""History through the daemon: fetch_history (replayed by temporalio's Replayer via
WorkflowHistory.from_json), fetch_history_events pages, and watch across a chain."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowHistory as SdkWorkflowHistory
from temporalio.client import WorkflowHistoryEventFilterType
from temporalio.worker import Replayer

import temporal_handled
from handled_workflows import WORKFLOWS, ChainWorkflow, EchoWorkflow
from temporal_handled import WorkflowHistory

pytestmark = pytest.mark.asyncio


async def test_fetch_history_replays_in_temporalio(
    client: temporal_handled.Client, task_queue: str, wf_id: str
) -> None:
    handle = await client.start_workflow(EchoWorkflow.run, "hi", id=wf_id, task_queue=task_queue)
    assert await handle.result() == "hi"
    history = await handle.fetch_history()
    assert isinstance(history, WorkflowHistory)
    assert history.workflow_id == wf_id
    assert history.events[0]["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"
    sdk_history = SdkWorkflowHistory.from_json(wf_id, history.to_json())
    await Replayer(workflows=WORKFLOWS).replay_workflow(sdk_history)
    again = WorkflowHistory.from_json(wf_id, history.to_json())
    assert again.events == history.events
    close = await handle.fetch_history(event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT)
    assert [e["eventType"] for e in close.events] == ["EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED"]


async def test_fetch_history_events_pages(client: temporal_handled.Client, task_queue: str, wf_id: str) -> None:
    handle = await client.start_workflow(EchoWorkflow.run, "paged", id=wf_id, task_queue=task_queue)
    await handle.result()
    it = handle.fetch_history_events(page_size=1)
    events = [e async for e in it]
    assert it.next_page_token is None
    assert events == (await handle.fetch_history()).events


async def test_watch_follows_the_chain(client: temporal_handled.Client, task_queue: str, wf_id: str) -> None:
    handle = await client.start_workflow(ChainWorkflow.run, 2, id=wf_id, task_queue=task_queue)
    runs = []
    reasons = []
    # From the first run: without a run ID a watch starts at the current run, which may
    # already be a later one of the chain.
    first = client.get_workflow_handle(wf_id, run_id=handle.result_run_id)
    async for batch in first.watch():
        if batch["runId"] not in runs:
            runs.append(batch["runId"])
        if batch.get("reason"):
            reasons.append(batch["reason"])
    assert len(runs) == 3
    assert reasons == ["CONTINUED_AS_NEW", "CONTINUED_AS_NEW"]
    assert (await handle.result())["runs"] == runs


async def test_bad_event_filter_type_is_refused(client: temporal_handled.Client, wf_id: str) -> None:
    with pytest.raises(ValueError, match="ALL_EVENT or CLOSE_EVENT"):
        await client.get_workflow_handle(wf_id).fetch_history(event_filter_type="SOME")
