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
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable, List, NoReturn, Optional, Sequence, Type, TypeVar

import pytest
from temporalio import activity, workflow
from temporalio.client import Client as SdkClient
from temporalio.common import RawValue
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from typing_extensions import Protocol, runtime_checkable


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


# --- workflows of temporalio's tests/worker/test_workflow.py (as written there) ----------------


@workflow.defn
class SignalAndQueryWorkflow:
    def __init__(self) -> None:
        self._last_event: str | None = None

    @workflow.run
    async def run(self) -> None:
        # Wait forever
        await asyncio.Future()

    @workflow.signal
    def signal1(self, arg: str) -> None:
        self._last_event = f"signal1: {arg}"

    @workflow.signal(dynamic=True)
    def signal_dynamic(self, name: str, args: Sequence[RawValue]) -> None:
        arg = workflow.payload_converter().from_payload(args[0].payload, str)
        self._last_event = f"signal_dynamic {name}: {arg}"

    @workflow.signal(name="Custom Name")
    def signal_custom(self, arg: str) -> None:
        self._last_event = f"signal_custom: {arg}"

    @workflow.query
    def last_event(self) -> str:
        return self._last_event or "<no event>"

    @workflow.query(dynamic=True)
    def query_dynamic(self, name: str, args: Sequence[RawValue]) -> str:
        arg = workflow.payload_converter().from_payload(args[0].payload, str)
        return f"query_dynamic {name}: {arg}"

    @workflow.query(name="Custom Name")
    def query_custom(self, arg: str) -> str:
        return f"query_custom: {arg}"


@workflow.defn
class SignalAndQueryHandlersWorkflow:
    def __init__(self) -> None:
        self._last_event: str | None = None

    @workflow.run
    async def run(self) -> None:
        # Wait forever
        await asyncio.Future()

    @workflow.query
    def last_event(self) -> str:
        return self._last_event or "<no event>"

    @workflow.signal
    def set_signal_handler(self, signal_name: str) -> None:
        def new_handler(arg: str) -> None:
            self._last_event = f"signal {signal_name}: {arg}"

        workflow.set_signal_handler(signal_name, new_handler)

    @workflow.signal
    def set_query_handler(self, query_name: str) -> None:
        def new_handler(arg: str) -> str:
            return f"query {query_name}: {arg}"

        workflow.set_query_handler(query_name, new_handler)

    @workflow.signal
    def set_dynamic_signal_handler(self) -> None:
        def new_handler(name: str, args: Sequence[RawValue]) -> None:
            arg = workflow.payload_converter().from_payload(args[0].payload, str)
            self._last_event = f"signal dynamic {name}: {arg}"

        workflow.set_dynamic_signal_handler(new_handler)

    @workflow.signal
    def set_dynamic_query_handler(self) -> None:
        def new_handler(name: str, args: Sequence[RawValue]) -> str:
            arg = workflow.payload_converter().from_payload(args[0].payload, str)
            return f"query dynamic {name}: {arg}"

        workflow.set_dynamic_query_handler(new_handler)


@workflow.defn
class SignalAndQueryErrorsWorkflow:
    @workflow.run
    async def run(self) -> None:
        # Wait forever
        await asyncio.Future()

    @workflow.signal
    def bad_signal(self) -> NoReturn:
        raise ApplicationError("signal fail", 123)

    @workflow.query
    def bad_query(self) -> NoReturn:
        raise ApplicationError("query fail", 456)

    @workflow.query
    def other_query(self) -> str:
        raise NotImplementedError


@dataclass
class MyDataClass:
    field1: str

    def assert_expected(self) -> None:
        # Part of the assertion is that this is the right type, which is
        # confirmed just by calling the method. We also check the field.
        assert self.field1 == "some value"


@activity.defn
async def data_class_typed_activity(param: MyDataClass) -> MyDataClass:
    param.assert_expected()
    return param


@runtime_checkable
@workflow.defn(name="DataClassTypedWorkflow")
class DataClassTypedWorkflowProto(Protocol):
    @workflow.run
    async def run(self, arg: MyDataClass) -> MyDataClass: ...

    @workflow.signal
    def signal_sync(self, param: MyDataClass) -> None: ...

    @workflow.query
    def query_sync(self, param: MyDataClass) -> MyDataClass: ...

    @workflow.signal
    def complete(self) -> None: ...


@workflow.defn(name="DataClassTypedWorkflow")
class DataClassTypedWorkflowAbstract(ABC):
    @workflow.run
    @abstractmethod
    async def run(self, param: MyDataClass) -> MyDataClass: ...

    @workflow.signal
    @abstractmethod
    def signal_sync(self, param: MyDataClass) -> None: ...

    @workflow.query
    @abstractmethod
    def query_sync(self, param: MyDataClass) -> MyDataClass: ...

    @workflow.signal
    @abstractmethod
    def complete(self) -> None: ...


@workflow.defn
class DataClassTypedWorkflow(DataClassTypedWorkflowAbstract):
    def __init__(self) -> None:
        self._should_complete = asyncio.Event()

    @workflow.run
    async def run(self, param: MyDataClass) -> MyDataClass:
        param.assert_expected()
        # Only do activities and child workflows on top level
        if not workflow.info().parent:
            param = await workflow.execute_activity(
                data_class_typed_activity,
                param,
                start_to_close_timeout=timedelta(seconds=30),
            )
            param.assert_expected()
            param = await workflow.execute_local_activity(
                data_class_typed_activity,
                param,
                start_to_close_timeout=timedelta(seconds=30),
            )
            param.assert_expected()
            child_handle = await workflow.start_child_workflow(
                DataClassTypedWorkflow.run,
                param,
                id=f"{workflow.info().workflow_id}_child",
            )
            await child_handle.signal(DataClassTypedWorkflow.signal_sync, param)
            await child_handle.signal(DataClassTypedWorkflow.signal_async, param)
            await child_handle.signal(DataClassTypedWorkflow.complete)
            param = await child_handle
            param.assert_expected()
        await self._should_complete.wait()
        return param

    @workflow.signal
    def signal_sync(self, param: MyDataClass) -> None:
        param.assert_expected()

    @workflow.signal
    async def signal_async(self, param: MyDataClass) -> None:
        param.assert_expected()

    @workflow.query
    def query_sync(self, param: MyDataClass) -> MyDataClass:
        param.assert_expected()
        return param

    @workflow.query
    async def query_async(self, param: MyDataClass) -> MyDataClass:
        return param

    @workflow.signal
    def complete(self) -> None:
        self._should_complete.set()


@workflow.defn
class HelloWorkflowWithQuery:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"Hello, {name}!"

    @workflow.query
    def some_query(self) -> str:
        return "some value"


@dataclass
class MemoValue:
    field1: str


@workflow.defn
class MemoWorkflow:
    @workflow.run
    async def run(self, run_child: bool) -> None:
        expected_memo = {
            "dict_memo": {"field1": "dict"},
            "dataclass_memo": {"field1": "data"},
            "changed_memo": {"field1": "old value"},
            "removed_memo": {"field1": "removed"},
        }

        # Test getting all memos (child)
        # Alternating order of operations between parent and child workflow for more coverage
        if run_child:
            assert workflow.memo() == expected_memo

        # Test getting single memo with and without type hint
        assert workflow.memo_value("dict_memo", type_hint=MemoValue) == MemoValue(field1="dict")
        assert workflow.memo_value("dict_memo") == {"field1": "dict"}
        assert workflow.memo_value("dataclass_memo", type_hint=MemoValue) == MemoValue(field1="data")
        assert workflow.memo_value("dataclass_memo") == {"field1": "data"}

        # Test getting all memos (parent)
        if not run_child:
            assert workflow.memo() == expected_memo

        # Test missing value handling
        with pytest.raises(KeyError):
            workflow.memo_value("absent_memo", type_hint=MemoValue)
        with pytest.raises(KeyError):
            workflow.memo_value("absent_memo")

        # Test default value handling
        assert workflow.memo_value("absent_memo", "default value", type_hint=MemoValue) == "default value"
        assert workflow.memo_value("absent_memo", "default value") == "default value"
        assert workflow.memo_value("dict_memo", "default value", type_hint=MemoValue) == MemoValue(field1="dict")
        assert workflow.memo_value("dict_memo", "default value") == {"field1": "dict"}

        # Saving original memo to pass to child workflow
        old_memo = dict(workflow.memo())

        # Test upsert
        assert workflow.memo_value("changed_memo", type_hint=MemoValue) == MemoValue(field1="old value")
        assert workflow.memo_value("removed_memo", type_hint=MemoValue) == MemoValue(field1="removed")
        with pytest.raises(KeyError):
            workflow.memo_value("added_memo", type_hint=MemoValue)

        workflow.upsert_memo(
            {
                "changed_memo": MemoValue(field1="new value"),
                "added_memo": MemoValue(field1="added"),
                "removed_memo": None,
            }
        )

        assert workflow.memo_value("changed_memo", type_hint=MemoValue) == MemoValue(field1="new value")
        assert workflow.memo_value("added_memo", type_hint=MemoValue) == MemoValue(field1="added")
        with pytest.raises(KeyError):
            workflow.memo_value("removed_memo", type_hint=MemoValue)

        # Run second time as child workflow
        if run_child:
            await workflow.execute_child_workflow(MemoWorkflow.run, False, memo=old_memo)
