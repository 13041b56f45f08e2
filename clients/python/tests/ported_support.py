"""What temporalio's own tests take from their helpers, for test_ported_temporalio.py.

temporalio's client tests drive a "kitchen sink" workflow (a Go worker there, run by
``tests/helpers/worker.py``) with ``KSWorkflowParams``. These are the same parameter shapes and
the same behaviour, written here as a temporalio (Python) workflow, so that the ported tests keep
their bodies: each action runs in order; ``result`` returns its value (or the run ID), ``error``
raises an ``ApplicationError`` (``"attempt N"`` with ``attempt``), ``continue_as_new`` continues
as new while its counter is above zero, ``sleep`` sleeps, ``query_handler`` answers a query of
that name with its argument, ``signal`` waits for a signal of that name; with ``action_signal``
the workflow runs each action that arrives on that signal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable, List, Optional, Sequence, Type, TypeVar

from temporalio import workflow
from temporalio.client import Client as SdkClient
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker


@dataclass
class KSResultAction:
    value: Any = None
    run_id: bool = False


@dataclass
class KSErrorAction:
    message: Optional[str] = None
    details: Any = None
    attempt: bool = False


@dataclass
class KSContinueAsNewAction:
    while_above_zero: Optional[int] = None


@dataclass
class KSSleepAction:
    millis: int = 0


@dataclass
class KSQueryHandlerAction:
    name: str = ""


@dataclass
class KSSignalAction:
    name: str = ""


@dataclass
class KSAction:
    result: Optional[KSResultAction] = None
    error: Optional[KSErrorAction] = None
    continue_as_new: Optional[KSContinueAsNewAction] = None
    sleep: Optional[KSSleepAction] = None
    query_handler: Optional[KSQueryHandlerAction] = None
    signal: Optional[KSSignalAction] = None


@dataclass
class KSWorkflowParams:
    actions: Sequence[KSAction] = field(default_factory=list)
    action_signal: Optional[str] = None


class _Done(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


@workflow.defn(name="kitchen_sink")
class KitchenSinkWorkflow:
    def __init__(self) -> None:
        self._signals: dict = {}

    @workflow.run
    async def run(self, params: KSWorkflowParams) -> Any:
        try:
            for action in params.actions:
                await self._act(action, params)
            if params.action_signal:
                queue: List[Any] = []
                workflow.set_signal_handler(params.action_signal, lambda a: queue.append(a))
                while True:
                    await workflow.wait_condition(lambda: bool(queue))
                    await self._act(value_to_type(KSAction, queue.pop(0)), params)
        except _Done as done:
            return done.value
        return None

    async def _act(self, action: KSAction, params: KSWorkflowParams) -> None:
        if action.result is not None:
            raise _Done(workflow.info().run_id if action.result.run_id else action.result.value)
        if action.error is not None:
            if action.error.attempt:
                raise ApplicationError(f"attempt {workflow.info().attempt}")
            details = [] if action.error.details is None else [action.error.details]
            raise ApplicationError(action.error.message or "", *details)
        if action.continue_as_new is not None:
            n = action.continue_as_new.while_above_zero or 0
            if n > 0:
                actions = [
                    dataclasses.replace(a, continue_as_new=KSContinueAsNewAction(n - 1)) if a is action else a
                    for a in params.actions
                ]
                workflow.continue_as_new(dataclasses.replace(params, actions=actions))
        if action.sleep is not None:
            await asyncio.sleep(action.sleep.millis / 1000)
        if action.query_handler is not None:
            workflow.set_query_handler(action.query_handler.name, lambda arg=None: arg)
        if action.signal is not None:
            name = action.signal.name
            got: List[Any] = []
            workflow.set_signal_handler(name, lambda *args: got.append(args))
            await workflow.wait_condition(lambda: bool(got))


@dataclass
class ExternalWorker:
    """What the tests read of temporalio's ExternalWorker: its task queue."""

    task_queue: str


@dataclass
class Env:
    """temporalio's WorkflowEnvironment, as far as the ported tests ask: a real dev server."""

    supports_time_skipping: bool = False


_SDK: List[SdkClient] = []


def set_worker_client(client: SdkClient) -> None:
    """The temporalio client the workers poll with (the tests' own client is this package's)."""
    _SDK[:] = [client]


def new_worker(client: Any, *workflows: Type[Any], activities: Sequence[Callable[..., Any]] = (), **kw: Any) -> Worker:
    """temporalio's tests.helpers.new_worker: a Worker on a new task queue. The worker stays on
    temporalio (its client, not the client under test)."""
    return Worker(
        _SDK[0],
        task_queue=kw.pop("task_queue", str(uuid.uuid4())),
        workflows=workflows,
        activities=activities,
        workflow_runner=UnsandboxedWorkflowRunner(),
        graceful_shutdown_timeout=timedelta(seconds=0),
        **kw,
    )


T = TypeVar("T")


async def assert_eq_eventually(
    expected: T, fn: Callable[[], Awaitable[T]], *, timeout: timedelta = timedelta(seconds=10)
) -> None:
    """temporalio's tests.helpers.assert_eq_eventually."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout.total_seconds()
    last: Any = None
    while loop.time() < deadline:
        last = await fn()
        if last == expected:
            return
        await asyncio.sleep(0.1)
    assert expected == last
