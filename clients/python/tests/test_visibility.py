"""list_workflows and count_workflows against the real dev server and daemon (issue 13, Python).

Each test tags its runs with a unique ``HandledKeyword`` value (a custom search attribute
registered at dev-server start) so that its queries see only its own runs. Visibility is
eventually consistent, so counts are awaited with ``wait_until``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any, List

import pytest

from handled_support import DAEMON_ARGS, daemon_command, unique, wait_until
from temporal_handled import (
    Client,
    RPCError,
    RPCStatusCode,
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    WorkflowExecution,
    WorkflowExecutionAsyncIterator,
    WorkflowExecutionCount,
    WorkflowExecutionStatus,
)


async def _start_tagged(client: Client, tag: str, task_queue: str, n: int, *, finish: int = 0) -> List[Any]:
    """``n`` Waiter runs tagged ``tag``; the first ``finish`` of them are completed."""
    handles = []
    for i in range(n):
        h = await client.start_workflow(
            "Waiter",
            i,
            id=f"{tag}-{i:02d}",
            task_queue=task_queue,
            memo={"i": i, "tag": tag},
            search_attributes={"HandledKeyword": tag, "HandledInt": i},
        )
        handles.append(h)
    for h in handles[:finish]:
        await h.signal("finish", "done")
        await h.result()
    return handles


async def _count_is(client: Client, query: str, n: int) -> None:
    async def check() -> bool:
        return (await client.count_workflows(query)).count == n

    await wait_until(check, timeout=20)


async def _all(it: WorkflowExecutionAsyncIterator) -> List[WorkflowExecution]:
    return [e async for e in it]


async def _terminate(handles: List[Any]) -> None:
    for h in handles:
        try:
            await h.terminate(reason="test cleanup")
        except RPCError:
            pass


async def test_list_entries_have_temporalios_fields(client: Client, task_queue: str) -> None:
    tag = unique("vis-fields")
    handles = await _start_tagged(client, tag, task_queue, 3, finish=1)
    query = f'HandledKeyword = "{tag}"'
    await _count_is(client, query, 3)
    it = client.list_workflows(query)
    assert isinstance(it, WorkflowExecutionAsyncIterator)
    entries = await _all(it)
    assert sorted(e.id for e in entries) == [f"{tag}-00", f"{tag}-01", f"{tag}-02"]
    by_id = {e.id: e for e in entries}
    done, running = by_id[f"{tag}-00"], by_id[f"{tag}-01"]
    assert isinstance(done, WorkflowExecution)
    assert done.run_id == handles[0].result_run_id
    assert done.workflow_type == "Waiter" and done.task_queue == task_queue
    assert done.namespace == client.namespace
    assert done.status == WorkflowExecutionStatus.COMPLETED and running.status == WorkflowExecutionStatus.RUNNING
    assert isinstance(done.start_time, datetime) and done.start_time.tzinfo is not None
    assert done.close_time is not None and done.close_time >= done.start_time and running.close_time is None
    assert done.history_length > 0
    assert done.parent_id is None and done.parent_run_id is None
    assert await done.memo() == {"i": 0, "tag": tag}
    assert await running.memo_value("i") == 1
    assert await running.memo_value("nope", "dflt") == "dflt"
    with pytest.raises(KeyError):
        await running.memo_value("nope")
    assert done.search_attributes["HandledKeyword"] == [tag] and done.search_attributes["HandledInt"] == [0]
    assert done.typed_search_attributes[SearchAttributeKey.for_keyword("HandledKeyword")] == tag
    assert running.typed_search_attributes.get(SearchAttributeKey.for_int("HandledInt")) == 1
    assert done.raw_info["workflowId"] == done.id
    # The describe of the same run agrees with its entry.
    d = await client.get_workflow_handle(done.id, run_id=done.run_id).describe()
    assert (d.start_time, d.close_time, d.status, await d.memo()) == (
        done.start_time,
        done.close_time,
        done.status,
        await done.memo(),
    )
    await _terminate(handles)


async def test_list_queries_on_status_type_attributes_and_time(client: Client, task_queue: str) -> None:
    tag = unique("vis-query")
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    handles = await _start_tagged(client, tag, task_queue, 4, finish=2)
    base = f'HandledKeyword = "{tag}"'
    await _count_is(client, base, 4)
    await _count_is(client, f'{base} AND ExecutionStatus = "Completed"', 2)

    async def ids(query: str) -> List[str]:
        return sorted(e.id for e in await _all(client.list_workflows(query)))

    assert await ids(f'{base} AND ExecutionStatus = "Completed"') == [f"{tag}-00", f"{tag}-01"]
    assert await ids(f'{base} AND ExecutionStatus = "Running"') == [f"{tag}-02", f"{tag}-03"]
    assert await ids(f'{base} AND WorkflowType = "Waiter"') == [f"{tag}-{i:02d}" for i in range(4)]
    assert await ids(f'{base} AND WorkflowType = "NoSuchType"') == []
    assert await ids(f"{base} AND HandledInt >= 2") == [f"{tag}-02", f"{tag}-03"]
    assert await ids(f'{base} AND WorkflowId = "{tag}-01"') == [f"{tag}-01"]
    since = before.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert len(await ids(f'{base} AND StartTime > "{since}"')) == 4
    assert await ids(f'{base} AND StartTime < "{since}"') == []
    await _terminate(handles)


async def test_limit_page_size_and_resumption(client: Client, task_queue: str) -> None:
    tag = unique("vis-pages")
    handles = await _start_tagged(client, tag, task_queue, 7)
    query = f'HandledKeyword = "{tag}"'
    await _count_is(client, query, 7)
    everything = [e.id for e in await _all(client.list_workflows(query))]
    assert sorted(everything) == [f"{tag}-{i:02d}" for i in range(7)]

    # limit across pages: 5 entries from pages of 2.
    it = client.list_workflows(query, limit=5, page_size=2)
    got = []
    async for e in it:
        got.append(e.id)
        assert it.current_page is not None and len(it.current_page) <= 2
    assert got == everything[:5]
    assert await _all(client.list_workflows(query, limit=0)) == []
    assert [e.id for e in await _all(client.list_workflows(query, limit=100))] == everything

    # Page by page by hand, then resume a new iterator from the token.
    pager = client.list_workflows(query, page_size=3)
    assert pager.current_page is None and pager.next_page_token is None
    await pager.fetch_next_page()
    first = [e.id for e in pager.current_page or []]
    assert first == everything[:3]
    token = pager.next_page_token
    assert isinstance(token, bytes) and token
    rest = [e.id for e in await _all(client.list_workflows(query, page_size=3, next_page_token=token))]
    assert rest == everything[3:]
    # A page size override for one page.
    await pager.fetch_next_page(page_size=1)
    assert [e.id for e in pager.current_page or []] == everything[3:4]
    await _terminate(handles)


async def test_count_with_and_without_group_by(client: Client, task_queue: str) -> None:
    tag = unique("vis-count")
    handles = await _start_tagged(client, tag, task_queue, 5, finish=2)
    base = f'HandledKeyword = "{tag}"'
    await _count_is(client, f'{base} AND ExecutionStatus = "Completed"', 2)
    plain = await client.count_workflows(base)
    assert isinstance(plain, WorkflowExecutionCount)
    assert plain.count == 5 and list(plain.groups) == []
    grouped = await client.count_workflows(f"{base} GROUP BY ExecutionStatus")
    assert grouped.count == 5
    groups = {tuple(g.group_values): g.count for g in grouped.groups}
    assert groups == {("Running",): 3, ("Completed",): 2}
    assert (await client.count_workflows(f'{base} AND WorkflowType = "None"')).count == 0
    total = (await client.count_workflows()).count
    assert total >= 5
    await _terminate(handles)


async def test_bad_queries_and_arguments_are_named(client: Client) -> None:
    it = client.list_workflows("WorkflowType = ")  # no request yet, as in temporalio
    with pytest.raises(RPCError) as bad_list:
        await it.__anext__()
    assert bad_list.value.status == RPCStatusCode.INVALID_ARGUMENT
    assert "WorkflowType" in bad_list.value.message or "syntax" in bad_list.value.message.lower()
    with pytest.raises(RPCError) as bad_count:
        await client.count_workflows("NoSuchAttribute = 1")
    assert bad_count.value.status == RPCStatusCode.INVALID_ARGUMENT and "NoSuchAttribute" in bad_count.value.message
    with pytest.raises(RPCError) as unknown:
        await _all(client.list_workflows("NoSuchAttribute = 'x'"))
    assert unknown.value.status == RPCStatusCode.INVALID_ARGUMENT and "NoSuchAttribute" in unknown.value.message
    with pytest.raises(ValueError, match="limit"):
        client.list_workflows(limit=-1)
    with pytest.raises(ValueError, match="page_size"):
        client.list_workflows(page_size=0)
    with pytest.raises(TypeError, match="query"):
        client.list_workflows(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="next_page_token"):
        client.list_workflows(next_page_token="not base64!")
    # The daemon keeps serving.
    assert (await client.count_workflows("WorkflowType = 'x'")).count >= 0


async def test_list_stops_early_and_cancels(client: Client, task_queue: str) -> None:
    """Leaving the loop early makes no more calls; cancelling a page fetch leaves nothing in flight."""
    tag = unique("vis-early")
    handles = await _start_tagged(client, tag, task_queue, 4)
    query = f'HandledKeyword = "{tag}"'
    await _count_is(client, query, 4)
    it = client.list_workflows(query, page_size=1)
    async for _ in it:
        break
    assert it.next_page_token is not None  # more pages exist, none fetched
    task = asyncio.ensure_future(_all(client.list_workflows(query, page_size=1)))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_until(lambda: _no_calls(client))
    await _terminate(handles)


async def _no_calls(client: Client) -> bool:
    return int((await client.daemon_status())["inFlight"]) == 0


async def test_typed_search_attribute_keys_from_either_library(client: Client, task_queue: str) -> None:
    """temporalio's own keys look up this client's entries (duck-typed by name and index type)."""
    from temporalio.common import SearchAttributeKey as SdkKey

    tag = unique("vis-keys")
    handles = await _start_tagged(client, tag, task_queue, 1)
    await _count_is(client, f'HandledKeyword = "{tag}"', 1)
    (entry,) = await _all(client.list_workflows(f'HandledKeyword = "{tag}"'))
    tsa = entry.typed_search_attributes
    assert tsa[SdkKey.for_keyword("HandledKeyword")] == tag
    assert SdkKey.for_int("HandledInt") in tsa
    assert SdkKey.for_keyword("HandledInt") not in tsa  # same name, other type
    assert tsa.get(SdkKey.for_text("HandledKeyword")) is None
    kinds = {p.key.name: p.key.indexed_value_type for p in tsa}
    assert kinds["HandledInt"] == SearchAttributeIndexedValueType.INT
    await _terminate(handles)


async def test_sync_facade_list_and_count(dev_server: str, daemon_built: Any, task_queue: str, client: Client) -> None:
    from temporal_handled.sync import Client as SyncClient

    tag = unique("vis-sync")
    handles = await _start_tagged(client, tag, task_queue, 3)
    query = f'HandledKeyword = "{tag}"'
    await _count_is(client, query, 3)

    def script() -> Any:
        with SyncClient.spawn(daemon_command(), address=dev_server, args=DAEMON_ARGS) as c:
            ids = sorted(e.id for e in c.list_workflows(query, page_size=2))
            limited = [e.id for e in c.list_workflows(query, limit=2)]
            return ids, len(limited), c.count_workflows(query).count

    ids, limited, count = await asyncio.get_running_loop().run_in_executor(None, script)
    assert ids == [f"{tag}-00", f"{tag}-01", f"{tag}-02"] and limited == 2 and count == 3
    await _terminate(handles)
