"""Workflow history through the daemon: fetch it whole, page by page, or watch it live.

Events are dicts in the JSON form of Temporal's API (proto3 JSON, as ``temporal workflow
show -o json`` prints them). temporalio gives ``HistoryEvent`` protos instead; the JSON
document is the same, so ``WorkflowHistory.to_json()`` can be handed to temporalio's
``WorkflowHistory.from_json`` and its ``Replayer``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Any, AsyncIterator, Dict, List, Mapping, Optional, Union

from . import _protocol

if TYPE_CHECKING:
    from .client import WorkflowHandle

HistoryEvent = Dict[str, Any]

_FILTERS = ("ALL_EVENT", "CLOSE_EVENT")


class WorkflowHistoryEventFilterType(IntEnum):
    """Type of history events to get (``temporalio.client.WorkflowHistoryEventFilterType``)."""

    ALL_EVENT = 1
    CLOSE_EVENT = 2


def _filter_name(value: Any) -> Optional[str]:
    """An event filter as temporalio's ``WorkflowHistoryEventFilterType`` member, or its name."""
    if value is None:
        return None
    name = getattr(value, "name", value)
    if not isinstance(name, str):
        raise TypeError(f"event_filter_type must be ALL_EVENT or CLOSE_EVENT, got {value!r}")
    name = name.upper()
    if name not in _FILTERS:
        raise ValueError(f"event_filter_type must be ALL_EVENT or CLOSE_EVENT, got {value!r}")
    return name


class WorkflowHistory:
    """A workflow's event history, as temporalio's ``WorkflowHistory`` (events as dicts)."""

    def __init__(self, workflow_id: str, events: List[HistoryEvent], run_id: Optional[str] = None) -> None:
        self.workflow_id = workflow_id
        self.events = events
        #: The run the history is of (not in temporalio).
        self.run_id = run_id

    def to_json_dict(self) -> Dict[str, Any]:
        """The ``{"events": [...]}`` document replayers read."""
        return {"events": self.events}

    def to_json(self) -> str:
        """The history as JSON, as temporalio's ``WorkflowHistory.to_json`` writes it."""
        return json.dumps(self.to_json_dict())

    @staticmethod
    def from_json(workflow_id: str, history: Union[str, Mapping[str, Any]]) -> "WorkflowHistory":
        """A history from its JSON (a string or a parsed mapping), as temporalio's."""
        doc = json.loads(history) if isinstance(history, str) else history
        events = doc.get("events")
        if not isinstance(events, list):
            raise ValueError('history JSON must be an object with an "events" array')
        return WorkflowHistory(workflow_id, list(events))

    def __repr__(self) -> str:
        return f"WorkflowHistory(workflow_id={self.workflow_id!r}, events=<{len(self.events)}>)"


def _read_params(event_filter_type: Any, skip_archival: bool, decode: bool) -> Dict[str, Any]:
    params: Dict[str, Any] = {}
    name = _filter_name(event_filter_type)
    if name is not None:
        params["eventFilterType"] = name
    if skip_archival:
        params["skipArchival"] = True
    if decode:
        params["decode"] = True
    return params


async def fetch_history(
    handle: "WorkflowHandle[Any, Any]",
    *,
    event_filter_type: Any = WorkflowHistoryEventFilterType.ALL_EVENT,
    skip_archival: bool = False,
    decode: bool = False,
    rpc_metadata: Optional[Mapping[str, Union[str, bytes]]] = None,
    rpc_timeout: Optional[timedelta] = None,
) -> WorkflowHistory:
    """The whole history of the handle's run (its ``run_id``, or the latest run).

    The daemon streams it page by page (``partialResultToken``) and the pages are collected here.
    """
    client = handle._client
    token = client._progress_token()
    events: List[HistoryEvent] = []
    client._conn.add_progress(token, lambda value: events.extend(value.get("events") or []))
    try:
        params = {**_read_params(event_filter_type, skip_archival, decode), "partialResultToken": token}
        res = await handle._call(
            _protocol.HANDLE_FETCH_HISTORY, params, rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata
        )
    finally:
        client._conn.remove_progress(token)
    return WorkflowHistory(str(res["workflowId"]), events + list(res.get("events") or []), res.get("runId"))


class WorkflowHistoryEventAsyncIterator:
    """The events of a history, page by page, as temporalio's iterator of the same name.

    ``next_page_token`` is where the last page read ended (``None`` once the last was read).
    """

    def __init__(
        self,
        handle: "WorkflowHandle[Any, Any]",
        params: Dict[str, Any],
        rpc_timeout: Optional[timedelta],
        rpc_metadata: Optional[Mapping[str, Union[str, bytes]]] = None,
    ) -> None:
        self._handle = handle
        self._rpc_metadata = rpc_metadata
        self._params = params
        self._rpc_timeout = rpc_timeout
        self._page: List[HistoryEvent] = []
        self._started = False
        self.next_page_token: Optional[str] = params.get("nextPageToken")

    def __aiter__(self) -> "WorkflowHistoryEventAsyncIterator":
        return self

    async def __anext__(self) -> HistoryEvent:
        while not self._page:
            if self._started and self.next_page_token is None:
                raise StopAsyncIteration
            self._started = True
            res = await self._handle._call(
                _protocol.HANDLE_FETCH_HISTORY_EVENTS,
                {**self._params, "nextPageToken": self.next_page_token},
                rpc_timeout=self._rpc_timeout,
                rpc_metadata=self._rpc_metadata,
            )
            self._page = list(res.get("events") or [])
            self.next_page_token = res.get("nextPageToken")
            if not self._page and self.next_page_token is None:
                raise StopAsyncIteration
        return self._page.pop(0)


def fetch_history_events(
    handle: "WorkflowHandle[Any, Any]",
    *,
    page_size: Optional[int] = None,
    next_page_token: Optional[Union[str, bytes]] = None,
    wait_new_event: bool = False,
    event_filter_type: Any = WorkflowHistoryEventFilterType.ALL_EVENT,
    skip_archival: bool = False,
    decode: bool = False,
    rpc_metadata: Optional[Mapping[str, Union[str, bytes]]] = None,
    rpc_timeout: Optional[timedelta] = None,
) -> WorkflowHistoryEventAsyncIterator:
    """The history's events, page by page; with ``wait_new_event``, long polls for new ones."""
    params = _read_params(event_filter_type, skip_archival, decode)
    if page_size is not None:
        params["pageSize"] = int(page_size)
    if wait_new_event:
        params["waitNewEvent"] = True
    if next_page_token is not None:
        import base64

        params["nextPageToken"] = (
            base64.b64encode(next_page_token).decode("ascii") if isinstance(next_page_token, bytes) else next_page_token
        )
    return WorkflowHistoryEventAsyncIterator(handle, params, rpc_timeout, rpc_metadata)


async def watch(
    handle: "WorkflowHandle[Any, Any]",
    *,
    from_event_id: Optional[int] = None,
    follow_runs: bool = True,
    decode: bool = False,
) -> AsyncIterator[Dict[str, Any]]:
    """Each batch of new events as the runs write them: ``{"runId", "events", "reason"?,
    "previousRunId"?}``, across the run chain unless ``follow_runs`` is false; it ends when the
    last run closes. Leaving the loop (or cancelling) cancels the watch in the daemon.
    """
    client = handle._client
    token = client._progress_token()
    queue: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
    client._conn.add_progress(token, queue.put_nowait)
    params: Dict[str, Any] = {"partialResultToken": token, "followRuns": bool(follow_runs)}
    if from_event_id is not None:
        params["fromEventId"] = int(from_event_id)
    if decode:
        params["decode"] = True
    call = asyncio.ensure_future(handle._call(_protocol.HANDLE_WATCH, params))
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, call}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                yield getter.result()
                continue
            getter.cancel()
            while not queue.empty():
                yield queue.get_nowait()
            call.result()  # raises the watch's error, if any
            return
    finally:
        if not call.done():
            call.cancel()
            try:
                await call
            except (asyncio.CancelledError, Exception):
                pass
        client._conn.remove_progress(token)
