"""A blocking facade for plain scripts: the same methods as the asyncio client.

Each :class:`Client` runs its own event loop on a background thread; every
method submits the asyncio call there and blocks until it finishes. Interrupting
a blocked call (Ctrl-C) cancels it, which sends ``$/cancelRequest`` to the daemon.
Progress callbacks of :meth:`WorkflowHandle.result` run on that background thread.
Update handles (:class:`WorkflowUpdateHandle`) release their daemon token when they
are garbage collected, or at once with :meth:`WorkflowUpdateHandle.release`.

Example::

    from temporal_handled.sync import Client

    with Client.spawn(address="127.0.0.1:7233") as client:
        handle = client.get_workflow_handle("my-workflow-id")
        print(handle.result())
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
from datetime import timedelta
from typing import Any, Awaitable, Dict, Mapping, Optional, Sequence, TypeVar, Union

from . import client as _aio
from ._connection import ProgressCallback
from .client import WorkflowUpdateDescription
from .common import (
    Duration,
    QueryRejectCondition,
    RetryPolicy,
    WorkflowExecution,
    WorkflowExecutionCount,
    WorkflowExecutionDescription,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
    WorkflowUpdateStage,
)

T = TypeVar("T")
_UNSET: Any = _aio._UNSET


class _LoopThread:
    """An event loop running forever on a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="temporal-handled-loop", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Awaitable[T]) -> T:
        fut: "concurrent.futures.Future[T]" = asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]
        try:
            # Wait in slices so that an interruption (KeyboardInterrupt, an asynchronous
            # exception) is seen promptly on every platform.
            while not fut.done():
                concurrent.futures.wait([fut], timeout=0.25)
            return fut.result()
        except BaseException:
            # KeyboardInterrupt and the like: cancel the call (sends $/cancelRequest).
            if not fut.done():
                fut.cancel()
            raise

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()


class Client:
    """Blocking counterpart of :class:`temporal_handled.Client`."""

    def __init__(self, client: _aio.Client, loop: _LoopThread) -> None:
        """Wraps an asyncio client running on ``loop``; use :meth:`spawn` or :meth:`attach`."""
        self._client = client
        self._loop = loop

    @classmethod
    def spawn(
        cls,
        command: Union[None, str, "os.PathLike[str]", Sequence[str]] = None,
        *,
        address: Optional[str] = None,
        namespace: Optional[str] = None,
        args: Sequence[str] = (),
        env: Optional[Mapping[str, str]] = None,
    ) -> "Client":
        """Starts a daemon over stdio; see :meth:`temporal_handled.Client.spawn`."""
        loop = _LoopThread()
        try:
            c = loop.run(_aio.Client.spawn(command, address=address, namespace=namespace, args=args, env=env))
        except BaseException:
            loop.stop()
            raise
        return cls(c, loop)

    @classmethod
    def connect(cls, target_host: str, **options: Any) -> "Client":
        """Starts or attaches to the shared daemon for ``target_host``; see
        :meth:`temporal_handled.Client.connect`."""
        loop = _LoopThread()
        try:
            c = loop.run(_aio.Client.connect(target_host, **options))
        except BaseException:
            loop.stop()
            raise
        return cls(c, loop)

    @classmethod
    def attach(
        cls,
        path_or_port: Union[str, "os.PathLike[str]", int],
        *,
        auth_token: Optional[str] = None,
        namespace: Optional[str] = None,
        host: str = "127.0.0.1",
    ) -> "Client":
        """Connects to a running daemon; see :meth:`temporal_handled.Client.attach`."""
        loop = _LoopThread()
        try:
            c = loop.run(_aio.Client.attach(path_or_port, auth_token=auth_token, namespace=namespace, host=host))
        except BaseException:
            loop.stop()
            raise
        return cls(c, loop)

    @property
    def namespace(self) -> str:
        """The session's namespace."""
        return self._client.namespace

    @property
    def server_info(self) -> Dict[str, Any]:
        """The ``initialize`` result."""
        return self._client.server_info

    @property
    def async_client(self) -> _aio.Client:
        """The underlying asyncio client (its loop runs on a background thread)."""
        return self._client

    def call(self, method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Sends one raw protocol request; see :meth:`temporal_handled.Client.call`."""
        return self._loop.run(self._client.call(method, params))

    def daemon_status(self) -> Dict[str, Any]:
        """The daemon's status."""
        return self._loop.run(self._client.daemon_status())

    def start_workflow(
        self,
        workflow: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        id: str,
        task_queue: str,
        execution_timeout: Optional[Duration] = None,
        run_timeout: Optional[Duration] = None,
        task_timeout: Optional[Duration] = None,
        id_reuse_policy: Union[WorkflowIDReusePolicy, str] = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy: Union[WorkflowIDConflictPolicy, str] = WorkflowIDConflictPolicy.UNSPECIFIED,
        retry_policy: Optional[RetryPolicy] = None,
        cron_schedule: str = "",
        memo: Optional[Mapping[str, Any]] = None,
        search_attributes: Optional[Mapping[str, Any]] = None,
        static_summary: Optional[str] = None,
        static_details: Optional[str] = None,
        start_delay: Optional[Duration] = None,
        start_signal: Optional[str] = None,
        start_signal_args: Sequence[Any] = [],
        rpc_timeout: Optional[timedelta] = None,
        **options: Any,
    ) -> "WorkflowHandle":
        """Starts a workflow; see :meth:`temporal_handled.Client.start_workflow` (``options``:
        its other keyword arguments, e.g. ``result_type``, ``rpc_metadata``)."""
        h = self._loop.run(
            self._client.start_workflow(
                workflow,
                arg,
                args=args,
                id=id,
                task_queue=task_queue,
                execution_timeout=execution_timeout,
                run_timeout=run_timeout,
                task_timeout=task_timeout,
                id_reuse_policy=id_reuse_policy,
                id_conflict_policy=id_conflict_policy,
                retry_policy=retry_policy,
                cron_schedule=cron_schedule,
                memo=memo,
                search_attributes=search_attributes,
                static_summary=static_summary,
                static_details=static_details,
                start_delay=start_delay,
                start_signal=start_signal,
                start_signal_args=start_signal_args,
                rpc_timeout=rpc_timeout,
                **options,
            )
        )
        return WorkflowHandle(h, self._loop)

    def execute_workflow(self, workflow: Any, arg: Any = _UNSET, **options: Any) -> Any:
        """Starts a workflow and waits for its result; see :meth:`temporal_handled.Client.execute_workflow`."""
        return self._loop.run(self._client.execute_workflow(workflow, arg, **options))

    def get_workflow_handle(
        self,
        workflow_id: str,
        *,
        run_id: Optional[str] = None,
        first_execution_run_id: Optional[str] = None,
        result_type: Optional[Any] = None,
    ) -> "WorkflowHandle":
        """A handle to an existing workflow; no call is made until it is used."""
        h = self._client.get_workflow_handle(
            workflow_id, run_id=run_id, first_execution_run_id=first_execution_run_id, result_type=result_type
        )
        return WorkflowHandle(h, self._loop)

    def get_workflow_handle_for(
        self,
        workflow: Any,
        workflow_id: str,
        *,
        run_id: Optional[str] = None,
        first_execution_run_id: Optional[str] = None,
    ) -> "WorkflowHandle":
        """A handle typed by a ``@workflow.run`` method; see :meth:`temporal_handled.Client.get_workflow_handle_for`."""
        h = self._client.get_workflow_handle_for(
            workflow, workflow_id, run_id=run_id, first_execution_run_id=first_execution_run_id
        )
        return WorkflowHandle(h, self._loop)

    def list_workflows(
        self,
        query: Optional[str] = None,
        *,
        limit: Optional[int] = None,
        page_size: int = 1000,
        next_page_token: Optional[Union[bytes, str]] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> "WorkflowExecutionIterator":
        """Lists workflows, page by page as iterated; see :meth:`temporal_handled.Client.list_workflows`."""
        it = self._client.list_workflows(
            query,
            limit=limit,
            page_size=page_size,
            next_page_token=next_page_token,
            rpc_metadata=rpc_metadata,
            rpc_timeout=rpc_timeout,
        )
        return WorkflowExecutionIterator(it, self._loop)

    def count_workflows(
        self,
        query: Optional[str] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> WorkflowExecutionCount:
        """Counts workflows; see :meth:`temporal_handled.Client.count_workflows`."""
        return self._loop.run(self._client.count_workflows(query, rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout))

    def start_update_with_start_workflow(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        start_workflow_operation: "WithStartWorkflowOperation",
        wait_for_stage: WorkflowUpdateStage,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> "WorkflowUpdateHandle":
        """Update-with-start; see :meth:`temporal_handled.Client.start_update_with_start_workflow`."""
        start_workflow_operation._loop = self._loop
        h = self._loop.run(
            self._client.start_update_with_start_workflow(
                update,
                arg,
                start_workflow_operation=start_workflow_operation._op,
                wait_for_stage=wait_for_stage,
                args=args,
                id=id,
                result_type=result_type,
                rpc_metadata=rpc_metadata,
                rpc_timeout=rpc_timeout,
            )
        )
        return WorkflowUpdateHandle(h, self._loop)

    def execute_update_with_start_workflow(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        start_workflow_operation: "WithStartWorkflowOperation",
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Update-with-start, waiting for the update's result; see
        :meth:`temporal_handled.Client.execute_update_with_start_workflow`."""
        start_workflow_operation._loop = self._loop
        return self._loop.run(
            self._client.execute_update_with_start_workflow(
                update,
                arg,
                start_workflow_operation=start_workflow_operation._op,
                args=args,
                id=id,
                result_type=result_type,
                rpc_metadata=rpc_metadata,
                rpc_timeout=rpc_timeout,
            )
        )

    def close(self) -> None:
        """Ends the session; a spawned daemon exits. Stops the background loop."""
        try:
            if not self._loop.loop.is_closed():
                self._loop.run(self._client.close())
        finally:
            self._loop.stop()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class WorkflowExecutionIterator:
    """Blocking iterator over :class:`temporal_handled.WorkflowExecutionAsyncIterator`."""

    def __init__(self, it: _aio.WorkflowExecutionAsyncIterator, loop: _LoopThread) -> None:
        self._it = it
        self._loop = loop

    @property
    def next_page_token(self) -> Optional[bytes]:
        """Token for the next page request if any."""
        return self._it.next_page_token

    @property
    def current_page(self) -> Optional[Sequence[WorkflowExecution]]:
        """Current page, if it has been fetched yet."""
        return self._it.current_page

    def fetch_next_page(self, *, page_size: Optional[int] = None) -> None:
        """Fetch the next page if any."""
        self._loop.run(self._it.fetch_next_page(page_size=page_size))

    def __iter__(self) -> "WorkflowExecutionIterator":
        return self

    def __next__(self) -> WorkflowExecution:
        try:
            return self._loop.run(self._it.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None


class WorkflowHandle:
    """Blocking counterpart of :class:`temporal_handled.WorkflowHandle`."""

    def __init__(self, handle: "_aio.WorkflowHandle[Any, Any]", loop: _LoopThread) -> None:
        """Wraps an asyncio handle; made by :class:`Client`."""
        self._handle = handle
        self._loop = loop

    @property
    def id(self) -> str:
        """ID for the workflow."""
        return self._handle.id

    @property
    def run_id(self) -> Optional[str]:
        """Run ID used for signal, query and describe."""
        return self._handle.run_id

    @property
    def result_run_id(self) -> Optional[str]:
        """Run ID used for result."""
        return self._handle.result_run_id

    @property
    def first_execution_run_id(self) -> Optional[str]:
        """Run ID used for cancel and terminate (the chain guard)."""
        return self._handle.first_execution_run_id

    @property
    def async_handle(self) -> "_aio.WorkflowHandle[Any, Any]":
        """The underlying asyncio handle."""
        return self._handle

    def __repr__(self) -> str:
        return repr(self._handle)

    def result(
        self,
        *,
        follow_runs: bool = True,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> Any:
        """Waits for the result; see :meth:`temporal_handled.WorkflowHandle.result`."""
        return self._loop.run(
            self._handle.result(
                follow_runs=follow_runs, rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout, progress=progress
            )
        )

    def cancel(
        self,
        *,
        reason: str = "",
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> None:
        """Cancels the workflow; see :meth:`temporal_handled.WorkflowHandle.cancel`."""
        self._loop.run(self._handle.cancel(reason=reason, rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout))

    def describe(
        self, *, rpc_metadata: Mapping[str, Union[str, bytes]] = {}, rpc_timeout: Optional[timedelta] = None
    ) -> WorkflowExecutionDescription:
        """Describes the workflow; see :meth:`temporal_handled.WorkflowHandle.describe`."""
        return self._loop.run(self._handle.describe(rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout))

    def query(
        self,
        query: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        result_type: Optional[Any] = None,
        reject_condition: Optional[Union[QueryRejectCondition, str]] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Queries the workflow; see :meth:`temporal_handled.WorkflowHandle.query`."""
        return self._loop.run(
            self._handle.query(
                query,
                arg,
                args=args,
                result_type=result_type,
                reject_condition=reject_condition,
                rpc_metadata=rpc_metadata,
                rpc_timeout=rpc_timeout,
            )
        )

    def signal(
        self,
        signal: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> None:
        """Signals the workflow; see :meth:`temporal_handled.WorkflowHandle.signal`."""
        self._loop.run(self._handle.signal(signal, arg, args=args, rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout))

    def terminate(
        self,
        *args: Any,
        reason: Optional[str] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> None:
        """Terminates the workflow; see :meth:`temporal_handled.WorkflowHandle.terminate`."""
        self._loop.run(self._handle.terminate(*args, reason=reason, rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout))

    def release(self) -> None:
        """Frees the daemon-side handle now; the handle stays usable."""
        self._loop.run(self._handle.release())

    def execute_update(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Sends an update and waits for its result; see :meth:`temporal_handled.WorkflowHandle.execute_update`."""
        return self._loop.run(
            self._handle.execute_update(
                update,
                arg,
                args=args,
                id=id,
                result_type=result_type,
                rpc_metadata=rpc_metadata,
                rpc_timeout=rpc_timeout,
            )
        )

    def start_update(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        wait_for_stage: WorkflowUpdateStage,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> "WorkflowUpdateHandle":
        """Sends an update and returns its handle; see :meth:`temporal_handled.WorkflowHandle.start_update`."""
        h = self._loop.run(
            self._handle.start_update(
                update,
                arg,
                wait_for_stage=wait_for_stage,
                args=args,
                id=id,
                result_type=result_type,
                rpc_metadata=rpc_metadata,
                rpc_timeout=rpc_timeout,
            )
        )
        return WorkflowUpdateHandle(h, self._loop)

    def get_update_handle(
        self, id: str, *, workflow_run_id: Optional[str] = None, result_type: Optional[type] = None
    ) -> "WorkflowUpdateHandle":
        """A handle to an update; no call is made until it is used."""
        h = self._handle.get_update_handle(id, workflow_run_id=workflow_run_id, result_type=result_type)
        return WorkflowUpdateHandle(h, self._loop)

    def get_update_handle_for(
        self, update: Any, id: str, *, workflow_run_id: Optional[str] = None
    ) -> "WorkflowUpdateHandle":
        """A handle to an update given its ``@workflow.update`` method; no call is made."""
        return WorkflowUpdateHandle(
            self._handle.get_update_handle_for(update, id, workflow_run_id=workflow_run_id), self._loop
        )


class WorkflowUpdateHandle:
    """Blocking counterpart of :class:`temporal_handled.WorkflowUpdateHandle`."""

    def __init__(self, handle: "_aio.WorkflowUpdateHandle[Any]", loop: _LoopThread) -> None:
        """Wraps an asyncio update handle; made by :class:`WorkflowHandle` and :class:`Client`."""
        self._handle = handle
        self._loop = loop

    @property
    def id(self) -> str:
        """ID of this Update request."""
        return self._handle.id

    @property
    def workflow_id(self) -> str:
        """The ID of the Workflow targeted by this Update."""
        return self._handle.workflow_id

    @property
    def workflow_run_id(self) -> Optional[str]:
        """If specified, the specific run of the Workflow targeted by this Update."""
        return self._handle.workflow_run_id

    @property
    def async_handle(self) -> "_aio.WorkflowUpdateHandle[Any]":
        """The underlying asyncio update handle."""
        return self._handle

    def __repr__(self) -> str:
        return repr(self._handle)

    def result(
        self, *, rpc_metadata: Mapping[str, Union[str, bytes]] = {}, rpc_timeout: Optional[timedelta] = None
    ) -> Any:
        """Waits for the update's result; see :meth:`temporal_handled.WorkflowUpdateHandle.result`."""
        return self._loop.run(self._handle.result(rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout))

    def describe(self, *, rpc_timeout: Optional[timedelta] = None) -> WorkflowUpdateDescription:
        """The update's stage and outcome now; see :meth:`temporal_handled.WorkflowUpdateHandle.describe`."""
        return self._loop.run(self._handle.describe(rpc_timeout=rpc_timeout))

    def release(self) -> None:
        """Frees the daemon-side update handle now; the handle stays usable."""
        self._loop.run(self._handle.release())


class WithStartWorkflowOperation:
    """Blocking counterpart of :class:`temporal_handled.WithStartWorkflowOperation` (same arguments)."""

    def __init__(self, workflow: Any, arg: Any = _UNSET, **kwargs: Any) -> None:
        """Create a WithStartWorkflowOperation; see :class:`temporal_handled.WithStartWorkflowOperation`."""
        self._op = _aio.WithStartWorkflowOperation(workflow, arg, **kwargs)
        self._loop: Optional[_LoopThread] = None

    @property
    def async_operation(self) -> _aio.WithStartWorkflowOperation:
        """The underlying asyncio operation."""
        return self._op

    def workflow_handle(self) -> "WorkflowHandle":
        """Waits until the workflow is running and returns its handle (or raises the call's error).

        Raises:
            RuntimeError: No update-with-start call has used this operation yet.
        """
        if self._loop is None:
            raise RuntimeError("WithStartWorkflowOperation has not been used by an update-with-start call yet")
        return WorkflowHandle(self._loop.run(self._op.workflow_handle()), self._loop)


__all__ = [
    "Client",
    "WithStartWorkflowOperation",
    "WorkflowExecutionIterator",
    "WorkflowHandle",
    "WorkflowUpdateHandle",
]
