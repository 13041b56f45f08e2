"""Workflows and activities the tests run on a real temporalio Worker."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, IntEnum
from typing import Any, Dict, List, Optional, Tuple

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError


@activity.defn
async def failing_activity(message: str) -> None:
    """Always fails with a non-retryable application error."""
    raise ApplicationError(message, {"activity": True}, type="ActivityBoom", non_retryable=True)


@activity.defn
async def slow_activity() -> None:
    """Sleeps past any short start-to-close timeout."""
    await asyncio.sleep(10)


@activity.defn
async def flaky_activity(tag: str) -> None:
    """Heartbeats its attempt number, then fails (retryably) every time."""
    activity.heartbeat({"tag": tag, "attempt": activity.info().attempt})
    raise ApplicationError(f"flaky attempt {activity.info().attempt}", type="Flaky")


@workflow.defn(name="Flaky")
class FlakyWorkflow:
    """Runs flaky_activity with retries (1 s apart, 20 attempts) and a Waiter child at once."""

    @workflow.run
    async def run(self, child_id: str) -> None:
        child = await workflow.start_child_workflow(WaiterWorkflow.run, id=child_id)
        await workflow.execute_activity(
            flaky_activity,
            "t",
            start_to_close_timeout=timedelta(seconds=10),
            heartbeat_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=1), backoff_coefficient=1.0, maximum_attempts=20
            ),
        )
        await child


@workflow.defn(name="Echo")
class EchoWorkflow:
    """Returns its argument, its repr (second argument "<repr>"), or a list of both arguments."""

    @workflow.run
    async def run(self, a: Any = None, b: Any = "<none>") -> Any:
        if b == "<none>":
            return a
        if b == "<repr>":
            return repr(a)
        return [a, b]


@workflow.defn(name="Waiter")
class WaiterWorkflow:
    """Collects signals until `finish`; answers queries meanwhile and after."""

    @workflow.init
    def __init__(self, start: Any = None) -> None:
        # The start argument is recorded before any signal handler runs.
        self.values: List[Any] = [] if start is None else [start]
        self.finished = False
        self.result: Any = None

    @workflow.run
    async def run(self, start: Any = None) -> Any:
        await workflow.wait_condition(lambda: self.finished)
        values = [f"hex:{v.hex()}" if isinstance(v, bytes) else v for v in self.values]
        return {"values": values, "result": self.result, "runId": workflow.info().run_id}

    @workflow.signal
    def add(self, value: Any) -> None:
        self.values.append(value)

    @workflow.signal
    def add_two(self, a: Any, b: Any) -> None:
        self.values.append([a, b])

    @workflow.signal
    def finish(self, value: Any = None) -> None:
        self.result = value
        self.finished = True

    @workflow.query
    def state(self) -> Any:
        values = [f"hex:{v.hex()}" if isinstance(v, bytes) else v for v in self.values]
        return {"values": values, "finished": self.finished, "runId": workflow.info().run_id}

    @workflow.query
    def echo(self, value: Any) -> Any:
        return value

    @workflow.query
    def echo_two(self, a: Any, b: Any) -> Any:
        return [a, b]

    @workflow.query
    def broken(self) -> Any:
        raise RuntimeError("query handler broke")


@workflow.defn(name="Fail")
class FailWorkflow:
    """Fails in the way its argument names."""

    @workflow.run
    async def run(self, kind: str) -> Any:
        if kind == "app":
            raise ApplicationError("boom", {"x": 1}, b"raw", type="MyError", non_retryable=True)
        if kind == "retryable":
            raise ApplicationError("retry me", type="Transient")
        if kind == "retry_once":
            if workflow.info().attempt == 1:
                raise ApplicationError("first attempt fails", type="Transient")
            return {"attempt": workflow.info().attempt}
        if kind == "activity":
            await workflow.execute_activity(
                failing_activity,
                "activity boom",
                start_to_close_timeout=timedelta(seconds=5),
                retry_policy=RetryPolicy(maximum_attempts=1),
            )
        if kind == "activity_timeout":
            await workflow.execute_activity(
                slow_activity,
                start_to_close_timeout=timedelta(milliseconds=300),
                retry_policy=RetryPolicy(maximum_attempts=1),
            )
        if kind == "child":
            await workflow.execute_child_workflow(
                FailWorkflow.run,
                "app",
                id=f"{workflow.info().workflow_id}-child",
            )
        if kind == "sleep":
            await workflow.sleep(30)
        return kind


@workflow.defn(name="Chain")
class ChainWorkflow:
    """Continues as new `n` times, then returns the run IDs it went through."""

    @workflow.run
    async def run(self, n: int, seen: Optional[List[str]] = None) -> Any:
        seen = list(seen or []) + [workflow.info().run_id]
        if n > 0:
            workflow.continue_as_new(args=[n - 1, seen])
        return {"runs": seen}


@workflow.defn(name="ChainWait")
class ChainWaitWorkflow:
    """Continues as new once after a `next` signal, then waits for `finish`."""

    def __init__(self) -> None:
        self.go = False

    @workflow.run
    async def run(self, generation: int) -> Any:
        await workflow.wait_condition(lambda: self.go)
        if generation == 0:
            workflow.continue_as_new(1)
        return {"generation": generation, "runId": workflow.info().run_id}

    @workflow.signal
    def next(self) -> None:
        self.go = True

    @workflow.query
    def generation_run(self) -> str:
        return workflow.info().run_id


@workflow.defn(name="Parent")
class ParentWorkflow:
    """Starts a Waiter child and returns the child's result."""

    @workflow.run
    async def run(self, child_id: str) -> Any:
        return await workflow.execute_child_workflow(WaiterWorkflow.run, id=child_id)


@workflow.defn(name="CancelAware")
class CancelAwareWorkflow:
    """Waits forever; on cancellation returns how it was cancelled instead of failing."""

    @workflow.run
    async def run(self) -> Any:
        try:
            await workflow.wait_condition(lambda: False)
        except asyncio.CancelledError:
            return {"cancelled": True, "reason": workflow.cancellation_reason()}
        return None


@workflow.defn(name="Updatable")
class UpdatableWorkflow:
    """Keeps a running total that updates change; runs until the `finish` signal.

    Updates: `add` (validator rejects negative numbers), `fail` (the handler raises an
    ApplicationError), `wait_for_release` (returns its argument once `release` is signalled),
    `add_two` (two arguments).
    """

    @workflow.init
    def __init__(self, initial: int = 0) -> None:
        self.total = initial
        self.applied: List[Any] = []
        self.released = False
        self.finished = False

    @workflow.run
    async def run(self, initial: int = 0) -> Any:
        await workflow.wait_condition(lambda: self.finished and workflow.all_handlers_finished())
        return {"total": self.total, "applied": self.applied}

    @workflow.update
    def add(self, n: int) -> int:
        self.total += n
        self.applied.append(n)
        return self.total

    @add.validator
    def validate_add(self, n: int) -> None:
        if n < 0:
            raise ApplicationError(f"add rejects {n}", type="Rejected")

    @workflow.update
    def add_two(self, a: int, b: int) -> Any:
        self.applied.append([a, b])
        self.total += a + b
        return {"total": self.total, "pair": [a, b]}

    @workflow.update
    def fail(self, message: str) -> None:
        raise ApplicationError(message, {"detail": 1}, type="UpdateBoom", non_retryable=True)

    @workflow.update
    async def wait_for_release(self, value: Any) -> Any:
        await workflow.wait_condition(lambda: self.released)
        return value

    @workflow.signal
    def release(self) -> None:
        self.released = True

    @workflow.signal
    def finish(self) -> None:
        self.finished = True

    @workflow.query
    def state(self) -> Any:
        return {"total": self.total, "applied": self.applied, "runId": workflow.info().run_id}


class Color(IntEnum):
    RED = 1
    BLUE = 2


class Shade(str, Enum):
    DARK = "dark"
    LIGHT = "light"


@dataclass
class Point:
    x: int
    y: float


@dataclass
class Shape:
    """Every kind of value temporalio's converter types by hint, nested."""

    name: str
    points: List[Point]
    at: datetime
    id: uuid.UUID
    color: Color
    shade: Shade
    note: Optional[str] = None
    tags: Dict[str, int] = field(default_factory=dict)
    corners: Tuple[int, ...] = ()


@workflow.defn(name="Typed")
class TypedWorkflow:
    """Returns its Shape moved by the `move` updates; `points` and `origin` answer with typed values."""

    @workflow.init
    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.done = False

    @workflow.run
    async def run(self, shape: Shape) -> Shape:
        await workflow.wait_condition(lambda: self.done)
        return self.shape

    @workflow.query
    def points(self) -> List[Point]:
        return self.shape.points

    @workflow.query
    def origin(self) -> Optional[Point]:
        return self.shape.points[0] if self.shape.points else None

    @workflow.update
    def move(self, by: Point) -> Point:
        self.shape.points = [Point(p.x + by.x, p.y + by.y) for p in self.shape.points]
        return self.shape.points[0]

    @workflow.signal
    def done_(self) -> None:
        self.done = True


WORKFLOWS = [
    FlakyWorkflow,
    TypedWorkflow,
    EchoWorkflow,
    WaiterWorkflow,
    FailWorkflow,
    ChainWorkflow,
    ChainWaitWorkflow,
    ParentWorkflow,
    CancelAwareWorkflow,
    UpdatableWorkflow,
]
ACTIVITIES = [failing_activity, slow_activity, flaky_activity]
