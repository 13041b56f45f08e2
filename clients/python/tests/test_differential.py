"""Differential tests: the same scenarios through the real Python SDK and through this client.

Both sides use the same dev server and the same temporalio Worker (one task queue).

* "Own workflow" scenarios: each side starts and drives its own workflow (IDs end in
  ``-sdk`` / ``-th``) and records every outcome: values, handle run IDs, describe
  fields, error classes and their key fields along the cause chain. Workflow IDs and
  run IDs are replaced by placeholders in order of appearance, then the two records
  must be equal.
* "Same execution" scenarios: both clients observe one execution (describe, result,
  query), so even times and run IDs must match exactly.

Differences that come from Temporal or from deliberate design are asserted explicitly
where they occur, each with a comment saying why:

  D1. (Gone.) Times: the daemon sends the server's full precision, so they are compared
      exactly (both sides have microseconds; Python has no nanoseconds).
  D2. (Gone.) Search attributes: both forms (the deprecated dict of lists, datetimes decoded,
      and ``typed_search_attributes``, which leaves out attributes without type metadata such
      as the server-set ``BuildIds``) are equal, read from the daemon's ``typedSearchAttributes``.
  D3. (Gone.) ``memo()``, ``static_summary()``, ``static_details()`` are async methods on
      both sides; the same code reads both descriptions.
  D4. (Gone.) Numbers in results used to pass through JavaScript doubles in the daemon;
      they now come back exactly as the workflow wrote them, as with the SDK (asserted).
  D5. (Gone.) ``WorkflowAlreadyStartedError.first_run_id`` is filled on both sides from the
      server's ``first_execution_run_id`` (compared).
  D6. ``FailureError.failure`` is the protobuf Failure in the SDK and the daemon's Failure
      dict here (not compared).
  D7. ``start_workflow(..., start_signal=...)``: the SDK 1.35 sets ``first_execution_run_id``
      from the server's ``first_execution_run_id`` (or the run ID when ``started``); the
      daemon follows PROTOCOL.md and the seed (older SDKs) and leaves it unset. Likewise
      with ``USE_EXISTING`` the SDK 1.35 takes the server's ``first_execution_run_id``
      while the daemon takes the returned run ID (equal unless the existing run is a later
      run of a continue-as-new chain).
  D8. ``result(follow_runs=False)`` on a run that failed (or timed out) and was retried, or
      a cron run: the daemon declares the ``follows-next-run-id`` capability and gets the real
      close event, so it raises ``WorkflowFailureError`` with the run's failure (returns the
      cron run's result), as the SDK's own code intends. The server does not grant that
      capability to the Python SDK's client name and hands it a synthetic ContinuedAsNew
      event instead, so the SDK raises ``WorkflowContinuedAsNewError`` there.
  D9. ``wait_for_stage=ADMITTED``: the SDK raises a plain ``ValueError`` itself; here the
      daemon refuses it with ``InvalidParamsError``, a ``ValueError`` with the same message.
  D10. An update call's ``rpc_timeout`` (now each gRPC call's deadline on both sides): the SDK
      raises ``WorkflowUpdateRPCTimeoutOrCancelledError`` from an ``RPCError`` (CANCELLED, from
      its core); the daemon sends its RPCError as ``data.cause`` (DEADLINE_EXCEEDED when its own
      deadline passed), which this client raises it from. The class and message are compared,
      and that each cause is such an RPCError.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, List, Tuple

import pytest
import temporalio.client as sdk
import temporalio.common as sdk_common
import temporalio.exceptions as sdk_exc
import temporalio.service as sdk_service

import temporal_handled as th
from handled_support import unique, wait_until
from handled_workflows import Color, Point, Shade, Shape, TypedWorkflow, UpdatableWorkflow

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --- the two sides ---------------------------------------------------------------------------


@dataclass
class Side:
    """One of the two clients, with the few option types that are per-library."""

    name: str
    client: Any

    @property
    def is_sdk(self) -> bool:
        return self.name == "sdk"

    def retry_policy(self, **kw: Any) -> Any:
        return (sdk_common.RetryPolicy if self.is_sdk else th.RetryPolicy)(**kw)

    def reuse(self, name: str) -> Any:
        return (sdk_common.WorkflowIDReusePolicy if self.is_sdk else th.WorkflowIDReusePolicy)[name]

    def conflict(self, name: str) -> Any:
        return (sdk_common.WorkflowIDConflictPolicy if self.is_sdk else th.WorkflowIDConflictPolicy)[name]

    def reject(self, name: str) -> Any:
        return (sdk_common.QueryRejectCondition if self.is_sdk else th.QueryRejectCondition)[name]

    def stage(self, name: str) -> Any:
        return (sdk.WorkflowUpdateStage if self.is_sdk else th.WorkflowUpdateStage)[name]

    def with_start(self, *args: Any, **kw: Any) -> Any:
        return (sdk.WithStartWorkflowOperation if self.is_sdk else th.WithStartWorkflowOperation)(*args, **kw)

    def search_attributes(self, keyword: str, number: int, when: Any = None, tags: Any = None) -> Any:
        lib = sdk_common if self.is_sdk else th
        pairs = [
            lib.SearchAttributePair(lib.SearchAttributeKey.for_keyword("HandledKeyword"), keyword),
            lib.SearchAttributePair(lib.SearchAttributeKey.for_int("HandledInt"), number),
        ]
        if when is not None:
            pairs.append(lib.SearchAttributePair(lib.SearchAttributeKey.for_datetime("HandledWhen"), when))
        if tags is not None:
            pairs.append(lib.SearchAttributePair(lib.SearchAttributeKey.for_keyword_list("HandledTags"), tags))
        return lib.TypedSearchAttributes(pairs)

    async def describe(self, handle: Any) -> Dict[str, Any]:
        """The description's fields, as comparable plain data, read the same way on both sides."""
        return await execution_fields(await handle.describe())


async def execution_fields(d: Any) -> Dict[str, Any]:
    """A description's or list entry's fields through temporalio's API (the same code reads
    both libraries' objects): memo(), static_summary()/static_details() on descriptions, both
    search attribute forms."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sa = {k: list(v) for k, v in d.search_attributes.items()}
    typed = {p.key.name: (p.key.indexed_value_type.name, p.value) for p in d.typed_search_attributes}
    out = {
        "id": d.id,
        "run_id": d.run_id,
        "workflow_type": d.workflow_type,
        "task_queue": d.task_queue,
        "status": d.status.name if d.status is not None else None,
        "start_time": d.start_time,
        "execution_time": d.execution_time,
        "close_time": d.close_time,
        "history_length": d.history_length,
        "parent_id": d.parent_id,
        "parent_run_id": d.parent_run_id,
        "root_id": d.root_id,
        "root_run_id": d.root_run_id,
        "namespace": d.namespace,
        "memo": dict(await d.memo()),
        "search_attributes": sa,
        "typed_search_attributes": typed,
    }
    if hasattr(d, "static_summary"):
        out["static_summary"] = await d.static_summary()
        out["static_details"] = await d.static_details()
    return out


def handle_ids(h: Any) -> Dict[str, Any]:
    return {
        "id": h.id,
        "run_id": h.run_id,
        "result_run_id": h.result_run_id,
        "first_execution_run_id": h.first_execution_run_id,
    }


def update_ids(u: Any) -> Dict[str, Any]:
    return {"id": u.id, "workflow_id": u.workflow_id, "workflow_run_id": u.workflow_run_id}


def error_fields(e: BaseException) -> Dict[str, Any]:
    """An exception's class name and key fields, down its cause chain (names are the SDK's)."""
    out: Dict[str, Any] = {"class": type(e).__name__}
    name = lambda v: v.name if v is not None else None  # noqa: E731
    if isinstance(e, (sdk_exc.FailureError, th.FailureError)):
        out["message"] = e.message
    if isinstance(e, (sdk_exc.ApplicationError, th.ApplicationError)):
        out.update(
            type=e.type,
            non_retryable=e.non_retryable,
            details=list(e.details),
            next_retry_delay=e.next_retry_delay,
            category=name(e.category),
        )
    elif isinstance(e, (sdk_exc.CancelledError, th.CancelledError, sdk_exc.TerminatedError, th.TerminatedError)):
        out["details"] = list(e.details)
    elif isinstance(e, (sdk_exc.TimeoutError, th.TimeoutError)):
        out.update(type=name(e.type), last_heartbeat_details=list(e.last_heartbeat_details))
    elif isinstance(e, (sdk_exc.ActivityError, th.ActivityError)):
        out.update(
            activity_type=e.activity_type,
            activity_id=e.activity_id,
            identity=e.identity,
            scheduled_event_id=e.scheduled_event_id,
            started_event_id=e.started_event_id,
            retry_state=name(e.retry_state),
        )
    elif isinstance(e, (sdk_exc.ChildWorkflowError, th.ChildWorkflowError)):
        out.update(
            namespace=e.namespace,
            workflow_id=e.workflow_id,
            run_id=e.run_id,
            workflow_type=e.workflow_type,
            initiated_event_id=e.initiated_event_id,
            started_event_id=e.started_event_id,
            retry_state=name(e.retry_state),
        )
    elif isinstance(e, (sdk_exc.WorkflowAlreadyStartedError, th.WorkflowAlreadyStartedError)):
        out.update(
            workflow_id=e.workflow_id, workflow_type=e.workflow_type, run_id=e.run_id, first_run_id=e.first_run_id
        )
    elif isinstance(e, (sdk.WorkflowContinuedAsNewError, th.WorkflowContinuedAsNewError)):
        out["new_execution_run_id"] = e.new_execution_run_id
    elif isinstance(e, (sdk.WorkflowQueryRejectedError, th.WorkflowQueryRejectedError)):
        out["status"] = name(e.status)
    elif isinstance(e, (sdk.WorkflowQueryFailedError, th.WorkflowQueryFailedError)):
        out["message"] = e.message
    elif isinstance(e, (sdk_service.RPCError, th.RPCError)):
        out.update(status=e.status.name, message=e.message)
    if not isinstance(
        e, (sdk_service.RPCError, th.RPCError, sdk.WorkflowQueryFailedError, th.WorkflowQueryFailedError)
    ):
        out["str"] = str(e)
    if e.__cause__ is not None:
        out["cause"] = error_fields(e.__cause__)
    return out


class Recorder:
    """Records outcomes of one side's scenario, replacing IDs with placeholders."""

    def __init__(self, wf_ids: List[str]) -> None:
        self.wf_ids = sorted(wf_ids, key=len, reverse=True)
        self.runs: Dict[str, str] = {}
        self.steps: List[Any] = []

    def norm(self, v: Any) -> Any:
        if isinstance(v, str):
            for i, wf in enumerate(self.wf_ids):
                v = v.replace(wf, f"<wf{i}>")
            return UUID.sub(lambda m: self.runs.setdefault(m.group(0), f"<run{len(self.runs)}>"), v)
        if isinstance(v, dict):
            return {self.norm(k): self.norm(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [self.norm(x) for x in v]
        return v

    async def step(self, label: str, what: Any) -> Any:
        """Awaits ``what`` (if awaitable) and records its value or its error."""
        try:
            value = await what if asyncio.iscoroutine(what) or isinstance(what, asyncio.Future) else what
        except Exception as e:  # noqa: BLE001 - recording every outcome
            self.steps.append((label, "error", self.norm(error_fields(e))))
            return e
        self.steps.append((label, "ok", self.norm(value)))
        return value

    def note(self, label: str, value: Any) -> None:
        self.steps.append((label, "ok", self.norm(value)))


Scenario = Callable[[Side, str, str, Recorder], Awaitable[None]]


async def run_both(sdk_client: Any, client: Any, task_queue: str, scenario: Scenario) -> None:
    base = unique(scenario.__name__.replace("_", "-")[:30])
    sides = [Side("sdk", sdk_client), Side("handled", client)]
    recs = [Recorder([f"{base}-{s.name}"]) for s in sides]
    await asyncio.gather(*(scenario(s, f"{base}-{s.name}", task_queue, r) for s, r in zip(sides, recs)))
    sdk_steps, th_steps = recs[0].steps, recs[1].steps
    assert [s[0] for s in sdk_steps] == [s[0] for s in th_steps]
    for a, b in zip(sdk_steps, th_steps):
        assert a == b, f"step {a[0]!r} differs:\n  sdk:     {a}\n  handled: {b}"


# --- own-workflow scenarios ------------------------------------------------------------------


async def values_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    for i, value in enumerate(
        [None, 0, -7, 2.5, "text \u00e9\u4e2d", [1, "a", None], {"k": {"n": [True, False]}}, b"\x00\x01\xff", b"", ""]
    ):
        h = await side.client.start_workflow("Echo", value, id=f"{wf}-{i}", task_queue=tq)
        await rec.step(f"echo {value!r}", h.result())
    h = await side.client.start_workflow("Echo", args=["a", b"b"], id=f"{wf}-args", task_queue=tq)
    await rec.step("two args", h.result())
    # Arguments reach the workflow exactly, even those JavaScript cannot carry (D4 is results only).
    for i, value in enumerate([2**60 + 1, 1.0, -(2**63)]):
        h = await side.client.start_workflow("Echo", args=[value, "<repr>"], id=f"{wf}-repr-{i}", task_queue=tq)
        await rec.step(f"repr {value!r}", h.result())


async def signal_query_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    h = await side.client.start_workflow("Waiter", "start", id=wf, task_queue=tq)
    rec.note("ids", handle_ids(h))
    await rec.step("signal add", h.signal("add", {"v": 1}))
    await rec.step("signal add bytes", h.signal("add", b"\x05"))
    await rec.step("signal add_two", h.signal("add_two", args=[1, [2]]))
    await rec.step("query echo", h.query("echo", b"\x07"))
    await rec.step("query echo_two", h.query("echo_two", args=["a", None]))
    await rec.step("query state", h.query("state"))
    await rec.step("query state NOT_OPEN open", h.query("state", reject_condition=side.reject("NOT_OPEN")))
    await rec.step("query unknown", h.query("nope"))
    await rec.step("query raises", h.query("broken"))
    d = await side.describe(h)
    rec.note(
        "describe running",
        {k: d[k] for k in ("id", "run_id", "workflow_type", "task_queue", "status", "close_time", "parent_id")},
    )
    await rec.step("signal finish", h.signal("finish", "bye"))
    await rec.step("result", h.result())
    await rec.step("query NOT_OPEN closed", h.query("state", reject_condition=side.reject("NOT_OPEN")))
    await rec.step(
        "query NOT_COMPLETED_CLEANLY closed", h.query("state", reject_condition=side.reject("NOT_COMPLETED_CLEANLY"))
    )
    await rec.step("query NONE closed", h.query("state", reject_condition=side.reject("NONE")))
    await rec.step("signal closed", h.signal("add", 1))
    await rec.step("cancel closed", h.cancel())
    await rec.step("terminate closed", h.terminate())
    with pytest.raises(ValueError, match="Cannot have arg and args"):
        await h.signal("add", 1, args=[2])
    with pytest.raises(ValueError, match="Cannot have arg and args"):
        await h.query("echo", 1, args=[2])


async def failures_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    for kind in ("app", "activity", "activity_timeout", "child"):
        h = await side.client.start_workflow("Fail", kind, id=f"{wf}-{kind}", task_queue=tq)
        await rec.step(f"result {kind}", h.result())
        d = await side.describe(h)
        rec.note(f"status {kind}", d["status"])
    h = await side.client.start_workflow(
        "Fail", "sleep", id=f"{wf}-timeout", task_queue=tq, execution_timeout=timedelta(seconds=1)
    )
    await rec.step("result timeout", h.result())
    rec.note("status timeout", (await side.describe(h))["status"])


async def cancel_terminate_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    h = await side.client.start_workflow("Waiter", id=f"{wf}-c", task_queue=tq)
    await rec.step("cancel", h.cancel())
    await rec.step("result cancelled", h.result())
    rec.note("status cancelled", (await side.describe(h))["status"])
    aware = await side.client.start_workflow("CancelAware", id=f"{wf}-aware", task_queue=tq)
    await rec.step("cancel with reason", aware.cancel(reason="why not"))
    await rec.step("result cancel-aware", aware.result())
    t = await side.client.start_workflow("Waiter", id=f"{wf}-t", task_queue=tq)
    await rec.step("terminate", t.terminate("d1", {"d": 2}, b"\x03", reason="enough"))
    await rec.step("result terminated", t.result())
    t2 = await side.client.start_workflow("Waiter", id=f"{wf}-t2", task_queue=tq)
    await rec.step("terminate bare", t2.terminate())
    await rec.step("result terminated bare", t2.result())
    rec.note("status terminated", (await side.describe(t2))["status"])


async def run_ids_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    c = side.client
    a = await c.start_workflow("Waiter", id=wf, task_queue=tq)
    rec.note("start ids", handle_ids(a))
    await rec.step("already started", c.start_workflow("Waiter", id=wf, task_queue=tq))
    existing = await c.start_workflow("Waiter", id=wf, task_queue=tq, id_conflict_policy=side.conflict("USE_EXISTING"))
    rec.note("use existing ids", handle_ids(existing))
    await a.signal("finish", "a")
    await rec.step("result a", a.result())
    await rec.step(
        "reject duplicate",
        c.start_workflow("Waiter", id=wf, task_queue=tq, id_reuse_policy=side.reuse("REJECT_DUPLICATE")),
    )
    b = await c.start_workflow("Waiter", id=wf, task_queue=tq)
    rec.note("start ids b", handle_ids(b))
    await rec.step("cancel via a (other chain)", a.cancel())
    await rec.step("terminate via a (other chain)", a.terminate(reason="x"))
    await rec.step("describe via a (latest run)", _run_and_status(side, a))
    await rec.step("result via a (pinned to a)", a.result())
    got = c.get_workflow_handle(wf, run_id=a.result_run_id, first_execution_run_id=b.result_run_id)
    rec.note("get ids", handle_ids(got))
    await rec.step("describe pinned a", _run_and_status(side, got))
    await rec.step("signal pinned closed run", got.signal("add", 1))
    guarded = c.get_workflow_handle(wf, first_execution_run_id=b.result_run_id)
    rec.note("guarded ids", handle_ids(guarded))
    await rec.step("terminate guarded", guarded.terminate(reason="right chain"))
    s = await c.start_workflow(
        "Waiter", id=f"{wf}-sig", task_queue=tq, start_signal="add", start_signal_args=["via start"]
    )
    ids = handle_ids(s)
    # D7: the SDK 1.35 fills first_execution_run_id for signal-with-start; the daemon does not.
    assert (ids["first_execution_run_id"] is None) == (not side.is_sdk)
    ids["first_execution_run_id"] = "<D7>"
    rec.note("signal-with-start ids", {**ids, "result_run_id": s.result_run_id is not None})
    await rec.step("query signal-with-start", s.query("state"))
    await rec.step("terminate signal-with-start", s.terminate())


async def _outcome(what: Awaitable[Any]) -> Any:
    try:
        return await what
    except Exception as e:  # noqa: BLE001
        return e


async def _run_and_status(side: Side, h: Any) -> Any:
    d = await side.describe(h)
    return [d["run_id"], d["status"]]


async def chain_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    h = await side.client.start_workflow("Chain", 2, id=wf, task_queue=tq)
    result = await rec.step("result follow", h.result())
    await rec.step("result no follow", h.result(follow_runs=False))
    middle = side.client.get_workflow_handle(wf, run_id=result["runs"][1])
    await rec.step("middle no follow", middle.result(follow_runs=False))
    await rec.step("middle follow", middle.result())
    await rec.step(
        "describe first run", _run_and_status(side, side.client.get_workflow_handle(wf, run_id=result["runs"][0]))
    )
    await rec.step("describe latest", _run_and_status(side, side.client.get_workflow_handle(wf)))
    policy = side.retry_policy(initial_interval=timedelta(milliseconds=100), maximum_attempts=3)
    r = await side.client.start_workflow("Fail", "retry_once", id=f"{wf}-retry", task_queue=tq, retry_policy=policy)
    await rec.step("retry follow", r.result())
    # D8: the server hands the SDK a synthetic ContinuedAsNew for the retried run.
    no_follow = await _outcome(r.result(follow_runs=False))
    if side.is_sdk:
        assert isinstance(no_follow, sdk.WorkflowContinuedAsNewError)
    else:
        assert isinstance(no_follow, th.WorkflowFailureError) and isinstance(no_follow.cause, th.ApplicationError)
        assert (no_follow.cause.message, no_follow.cause.type) == ("first attempt fails", "Transient")
    nr = await side.client.start_workflow(
        "Fail", "retryable", id=f"{wf}-nr", task_queue=tq, retry_policy=side.retry_policy(maximum_attempts=1)
    )
    await rec.step("retryable with one attempt", nr.result())


async def missing_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    h = side.client.get_workflow_handle(wf)
    await rec.step("describe missing", _run_and_status(side, h))
    await rec.step("signal missing", h.signal("x"))
    await rec.step("query missing", h.query("x"))
    await rec.step("cancel missing", h.cancel())
    await rec.step("terminate missing", h.terminate())
    await rec.step("result missing", h.result())
    pinned = side.client.get_workflow_handle(wf, run_id="00000000-0000-4000-8000-000000000000")
    await rec.step("describe missing run", _run_and_status(side, pinned))


async def describe_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    h = await side.client.start_workflow(
        "Parent",
        f"{wf}-child",
        id=wf,
        task_queue=tq,
        memo={"m1": "v", "m2": {"n": [1, 2]}, "m3": b"\x01"},
        search_attributes=side.search_attributes(
            "kw", 42, datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc), ["a", "b"]
        ),
        static_summary="sum",
        static_details="det",
    )
    child = side.client.get_workflow_handle(f"{wf}-child")
    await wait_until(lambda: _exists(child))
    await child.signal("finish", "c")
    await rec.step("parent result", h.result())
    for label, handle in (("parent", h), ("child", child)):
        d = await side.describe(handle)
        assert d["close_time"] >= d["start_time"]
        d["start_time"] = d["execution_time"] = d["close_time"] = "<time>"
        d["history_length"] = d["history_length"] > 0
        rec.note(f"describe {label}", d)


async def _exists(h: Any) -> bool:
    try:
        await h.describe()
        return True
    except Exception:
        return False


# --- update scenarios ------------------------------------------------------------------------


async def _raises(fn: Callable[[], Any]) -> Any:
    """Calls ``fn`` (which may raise synchronously), for Recorder.step."""
    return fn()


async def _timeout_outcome(side: Side, what: Awaitable[Any]) -> Any:
    """D10: the error's class, and its cause's class where there is one."""
    try:
        return await what
    except Exception as e:  # noqa: BLE001
        cause = e.__cause__
        if side.is_sdk or cause is not None:
            assert isinstance(cause, (sdk_service.RPCError, th.RPCError))
            assert cause.status.name in ("CANCELLED", "DEADLINE_EXCEEDED")
        return {"class": type(e).__name__, "str": str(e), "cause": "<D10>"}


async def updates_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    h = await side.client.start_workflow("Updatable", 10, id=wf, task_queue=tq)
    await rec.step("execute add", h.execute_update("add", 5))
    await rec.step("execute decorated", h.execute_update(UpdatableWorkflow.add, 1))
    await rec.step("execute add_two", h.execute_update("add_two", args=[2, 3]))
    await rec.step("execute with id", h.execute_update("add", 100, id="fixed"))
    await rec.step("execute with same id", h.execute_update("add", 100, id="fixed"))
    await rec.step("validator rejects", h.execute_update("add", -1))
    await rec.step("handler raises", h.execute_update("fail", "boom"))
    await rec.step("unknown update", h.execute_update("nope"))
    u = await h.start_update("wait_for_release", "v", wait_for_stage=side.stage("ACCEPTED"), id="wr")
    rec.note("accepted ids", update_ids(u))
    waiting = asyncio.ensure_future(u.result())
    await asyncio.sleep(0.3)
    waiting.cancel()
    await rec.step("cancelled result", waiting)
    await rec.step("timed-out result", _timeout_outcome(side, u.result(rpc_timeout=timedelta(milliseconds=300))))
    await h.signal("release")
    await rec.step("result after release", u.result())
    done = await h.start_update("add", 1, wait_for_stage=side.stage("COMPLETED"))
    await rec.step("completed result", done.result())
    failed = await h.start_update("fail", "later", wait_for_stage=side.stage("COMPLETED"))
    await rec.step("completed failure", failed.result())
    got = h.get_update_handle("fixed")
    rec.note("got ids", update_ids(got))
    await rec.step("get_update_handle result", got.result())
    pinned = h.get_update_handle_for(UpdatableWorkflow.add, "fixed", workflow_run_id=h.result_run_id)
    rec.note("pinned ids", update_ids(pinned))
    await rec.step("get_update_handle_for result", pinned.result())
    await rec.step("missing update result", h.get_update_handle("no-such").result())
    # D9: ADMITTED is refused, by the SDK itself and by the daemon here; same message.
    try:
        await h.start_update("add", 1, wait_for_stage=side.stage("ADMITTED"))
        raise AssertionError("ADMITTED was not refused")
    except ValueError as e:
        assert (type(e) is ValueError) == side.is_sdk
        rec.note("admitted refused", "ADMITTED wait stage not supported" in str(e))
    with pytest.raises(ValueError, match="Cannot have arg and args"):
        await h.execute_update("add", 1, args=[2])
    await rec.step("state", h.query("state"))
    await h.terminate()
    await rec.step("execute on closed", h.execute_update("add", 1))
    await rec.step("execute on missing", side.client.get_workflow_handle(f"{wf}-none").execute_update("add", 1))


async def update_with_start_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    c = side.client

    def op(policy: str, initial: int = 100) -> Any:
        return side.with_start("Updatable", initial, id=wf, task_queue=tq, id_conflict_policy=side.conflict(policy))

    first = op("FAIL")
    await rec.step("FAIL, none running", c.execute_update_with_start_workflow("add", 1, start_workflow_operation=first))
    h1 = await first.workflow_handle()
    rec.note("started ids", handle_ids(h1))
    existing = op("USE_EXISTING")
    u = await c.start_update_with_start_workflow(
        "add", 2, start_workflow_operation=existing, wait_for_stage=side.stage("ACCEPTED"), id="uws-2"
    )
    rec.note("USE_EXISTING update ids", update_ids(u))
    await rec.step("USE_EXISTING result", u.result())
    rec.note("USE_EXISTING ids", handle_ids(await existing.workflow_handle()))
    conflict = op("FAIL")
    await rec.step("FAIL, running", c.execute_update_with_start_workflow("add", 3, start_workflow_operation=conflict))
    await rec.step("FAIL, running: workflow_handle", conflict.workflow_handle())
    replace = op("TERMINATE_EXISTING", 0)
    r = await c.start_update_with_start_workflow(
        "add", 5, start_workflow_operation=replace, wait_for_stage=side.stage("COMPLETED")
    )
    rec.note("TERMINATE_EXISTING update ids", update_ids(r))
    await rec.step("TERMINATE_EXISTING result", r.result())
    h2 = await replace.workflow_handle()
    rec.note("TERMINATE_EXISTING ids", handle_ids(h2))
    first_run = c.get_workflow_handle(wf, run_id=h1.result_run_id)
    await rec.step("first run after TERMINATE_EXISTING", _run_and_status(side, first_run))
    rejected = op("USE_EXISTING")
    await rec.step(
        "USE_EXISTING, rejected update",
        c.execute_update_with_start_workflow("add", -5, start_workflow_operation=rejected),
    )
    rec.note("rejected: ids", handle_ids(await rejected.workflow_handle()))
    await rec.step(
        "operation reused", c.execute_update_with_start_workflow("add", 1, start_workflow_operation=rejected)
    )
    await rec.step("conflict policy unspecified", _raises(lambda: op("UNSPECIFIED")))
    await rec.step("state", h2.query("state"))
    await h2.terminate()


# --- typed values, per-call options, the description's methods ------------------------------


def _shape() -> Shape:
    return Shape(
        name="tri",
        points=[Point(1, 2.5), Point(-3, 0.0)],
        at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc),
        id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        color=Color.BLUE,
        shade=Shade.DARK,
        tags={"a": 1},
        corners=(1, 2, 3),
    )


def _typed(v: Any) -> Any:
    """A value with its Python types spelled out (so that a dict never equals a dataclass)."""
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {"<type>": type(v).__name__, **{f.name: _typed(getattr(v, f.name)) for f in dataclasses.fields(v)}}
    if isinstance(v, (list, tuple)):
        return {"<type>": type(v).__name__, "items": [_typed(x) for x in v]}
    if isinstance(v, dict):
        return {k: _typed(x) for k, x in v.items()}
    if isinstance(v, float) and v != v:
        return "<nan>"
    return {"<type>": type(v).__name__, "repr": repr(v)}


async def typed_values_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    c = side.client
    h = await c.start_workflow(TypedWorkflow.run, _shape(), id=wf, task_queue=tq)
    rec.note("handle ids", handle_ids(h))
    await rec.step("query by method (List[Point])", _then(h.query(TypedWorkflow.points), _typed))
    await rec.step("query by method (Optional[Point])", _then(h.query(TypedWorkflow.origin), _typed))
    await rec.step("query by name: plain JSON", _then(h.query("points"), _typed))
    await rec.step("query by name, result_type", _then(h.query("origin", result_type=Point), _typed))
    await rec.step("update by method", _then(h.execute_update(TypedWorkflow.move, Point(1, 1.0)), _typed))
    await rec.step("update, result_type dict", _then(h.execute_update("move", Point(0, 0.0), result_type=dict), _typed))
    u = await h.start_update(TypedWorkflow.move, Point(0, 0.5), wait_for_stage=side.stage("COMPLETED"), id="mv")
    await rec.step("update handle by method", _then(u.result(), _typed))
    await rec.step("get_update_handle_for", _then(h.get_update_handle_for(TypedWorkflow.move, "mv").result(), _typed))
    await rec.step(
        "per-call options", h.signal(TypedWorkflow.done_, rpc_metadata={"x-handled": "1"}, rpc_timeout=timedelta(5))
    )
    await rec.step("result by run method", _then(h.result(rpc_timeout=timedelta(milliseconds=200)), _typed))
    typed = c.get_workflow_handle_for(TypedWorkflow.run, wf)
    await rec.step("get_workflow_handle_for result", _then(typed.result(), _typed))
    await rec.step(
        "get_workflow_handle result_type", _then(c.get_workflow_handle(wf, result_type=dict).result(), _typed)
    )
    await rec.step("result_type mismatch", c.get_workflow_handle(wf, result_type=int).result())
    await rec.step(
        "execute_workflow",
        _then(c.execute_workflow("Echo", [1, "x"], id=f"{wf}-ex", task_queue=tq, result_type=Tuple[int, str]), _typed),
    )
    for label, value in (("nan", float("nan")), ("inf", float("inf")), ("-inf", float("-inf"))):
        e = await c.start_workflow("Echo", args=[value], id=f"{wf}-{label}", task_queue=tq)
        await rec.step(f"result {label}", _then(e.result(), _typed))
    # A dict shaped like the protocol's {"$bytes": ...} goes in and comes back as the dict it is.
    e = await c.start_workflow("Echo", {"$bytes": "AAE="}, id=f"{wf}-b", task_queue=tq)
    await rec.step("dict shaped like bytes", e.result())
    d = await h.describe()
    await rec.step("memo_value type_hint", _then(_memo_values(side, wf, tq), _typed))
    rec.note("describe typed_search_attributes", list(d.typed_search_attributes))


async def _memo_values(side: Side, wf: str, tq: str) -> Any:
    h = await side.client.start_workflow(
        "Echo", 1, id=f"{wf}-memo", task_queue=tq, memo={"p": Point(1, 2.0), "when": "2024-01-02T03:04:05+00:00"}
    )
    await h.result()
    d = await h.describe()
    return [
        await d.memo_value("p"),
        await d.memo_value("p", type_hint=Point),
        await d.memo_value("when", type_hint=datetime),
        await d.memo_value("none", "dflt", type_hint=Point),
    ]


async def _then(what: Awaitable[Any], fn: Callable[[Any], Any]) -> Any:
    return fn(await what)


async def rpc_timeout_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    """rpc_timeout is each RPC's deadline on both sides: a result wait outlives it; a query that
    waits for a worker that is not there ends at it."""
    c = side.client
    h = await c.start_workflow("Waiter", id=wf, task_queue=tq)
    waiting = asyncio.ensure_future(h.result(rpc_timeout=timedelta(milliseconds=300), rpc_metadata={"x-diff": "1"}))
    await asyncio.sleep(1.2)
    rec.note("result still waiting past rpc_timeout", not waiting.done())
    await h.signal("finish", "late", rpc_metadata={"x-diff": "2"})
    await rec.step("result", waiting)
    nobody = await c.start_workflow("Waiter", id=f"{wf}-nw", task_queue=unique("no-worker"))
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        await nobody.query("state", rpc_timeout=timedelta(milliseconds=600))
        rec.note("query without a worker", "answered?!")
    except Exception as e:  # noqa: BLE001
        assert isinstance(e, (sdk_service.RPCError, th.RPCError))
        assert e.status.name in ("DEADLINE_EXCEEDED", "CANCELLED"), e.status
        rec.note("query without a worker", [type(e).__name__, loop.time() - t0 < 5])
    await nobody.terminate()


async def options_objects_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    """temporalio's parameter objects (RetryPolicy, TypedSearchAttributes, its enums) given to
    both clients: the same starts, the same descriptions."""
    c = side.client
    sa = sdk_common.TypedSearchAttributes(
        [
            sdk_common.SearchAttributePair(sdk_common.SearchAttributeKey.for_keyword("HandledKeyword"), wf),
            sdk_common.SearchAttributePair(sdk_common.SearchAttributeKey.for_int("HandledInt"), 7),
        ]
    )
    h = await c.start_workflow(
        "Fail",
        "retry_once",
        id=wf,
        task_queue=tq,
        retry_policy=sdk_common.RetryPolicy(initial_interval=timedelta(milliseconds=100), maximum_attempts=3),
        search_attributes=sa,
        id_reuse_policy=sdk_common.WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=sdk_common.WorkflowIDConflictPolicy.FAIL,
        execution_timeout=timedelta(minutes=5),
    )
    await rec.step("result after a retry", h.result())
    d = await side.describe(h)
    d["start_time"] = d["execution_time"] = d["close_time"] = "<time>"
    d["history_length"] = d["history_length"] > 0
    rec.note("describe", d)
    mine = (
        th.TypedSearchAttributes([th.SearchAttributePair(th.SearchAttributeKey.for_keyword("HandledKeyword"), wf)])
        if not side.is_sdk
        else sdk_common.TypedSearchAttributes(
            [sdk_common.SearchAttributePair(sdk_common.SearchAttributeKey.for_keyword("HandledKeyword"), wf)]
        )
    )
    h2 = await c.start_workflow("Echo", 1, id=f"{wf}-own", task_queue=tq, search_attributes=mine)
    await h2.result()
    rec.note("own typed attributes", (await side.describe(h2))["typed_search_attributes"])
    await rec.step(
        "bad retry policy",
        c.start_workflow("Echo", id=f"{wf}-x", task_queue=tq, retry_policy=side.retry_policy(backoff_coefficient=0.5)),
    )


# --- visibility scenarios --------------------------------------------------------------------


async def _visible(side: Side, query: str, n: int) -> None:
    async def check() -> bool:
        return (await side.client.count_workflows(query)).count == n

    await wait_until(check, timeout=20)


async def _listed(side: Side, query: str, **kw: Any) -> List[Dict[str, Any]]:
    out = []
    async for e in side.client.list_workflows(query, **kw):
        f = await execution_fields(e)
        assert f["close_time"] is None or f["close_time"] >= f["start_time"]
        f["start_time"] = f["execution_time"] = "<time>"
        f["close_time"] = f["close_time"] is not None
        f["history_length"] = f["history_length"] > 0
        f["root_id"], f["root_run_id"] = _root_ids(side, e)
        # BuildIds is set by the server once the run's first workflow task completes: when
        # that is, differs between the two sides' runs; only the test's own attributes count.
        f["search_attributes"] = {k: v for k, v in f["search_attributes"].items() if k.startswith("Handled")}
        f["typed_search_attributes"] = {
            k: v for k, v in f["typed_search_attributes"].items() if k.startswith("Handled")
        }
        out.append(f)
    return out


def _root_ids(side: Side, e: Any) -> Any:
    """A list entry's root_id/root_run_id: a top-level run is its own root, on both sides."""
    return e.root_id == e.id, e.root_run_id == e.run_id


async def list_count_scenario(side: Side, wf: str, tq: str, rec: Recorder) -> None:
    c = side.client
    handles = []
    for i in range(5):
        handles.append(
            await c.start_workflow(
                "Waiter",
                i,
                id=f"{wf}-{i}",
                task_queue=tq,
                memo={"i": i, "nested": {"l": [1, None]}},
                search_attributes=side.search_attributes(wf, i),
            )
        )
    for h in handles[:2]:
        await h.signal("finish", "x")
        await h.result()
    base = f'HandledKeyword = "{wf}"'
    await _visible(side, f'{base} AND ExecutionStatus = "Completed"', 2)
    await _visible(side, base, 5)
    rec.note("list all (by id)", sorted(await _listed(side, base), key=lambda f: f["id"]))
    rec.note(
        "list completed", sorted(f["id"] for f in await _listed(side, f'{base} AND ExecutionStatus = "Completed"'))
    )
    rec.note("list HandledInt >= 3", sorted(f["id"] for f in await _listed(side, f"{base} AND HandledInt >= 3")))
    rec.note("limit 3 of pages of 2", len(await _listed(side, base, limit=3, page_size=2)))
    it = c.list_workflows(base, page_size=2)
    await it.fetch_next_page()
    rec.note("first page", [len(it.current_page or []), it.next_page_token is not None, it.current_page_index])
    resumed = c.list_workflows(base, page_size=2, next_page_token=it.next_page_token)
    rec.note("resumed rest", len([e async for e in resumed]))
    count = await c.count_workflows(base)
    rec.note("count", [count.count, list(count.groups)])
    grouped = await c.count_workflows(f"{base} GROUP BY ExecutionStatus")
    rec.note(
        "count GROUP BY ExecutionStatus",
        [grouped.count, sorted((list(g.group_values), g.count) for g in grouped.groups)],
    )
    await rec.step("list malformed query", _listed(side, "WorkflowType = "))
    await rec.step("list unknown attribute", _listed(side, "NoSuchAttribute = 'x'"))
    await rec.step("count malformed query", c.count_workflows("ExecutionStatus = "))
    for h in handles[2:]:
        await h.terminate()


SCENARIOS = [
    values_scenario,
    signal_query_scenario,
    failures_scenario,
    cancel_terminate_scenario,
    run_ids_scenario,
    chain_scenario,
    missing_scenario,
    describe_scenario,
    updates_scenario,
    update_with_start_scenario,
    list_count_scenario,
    typed_values_scenario,
    options_objects_scenario,
    rpc_timeout_scenario,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_same_scenario_same_outcomes(
    sdk_client: Any, client: th.Client, task_queue: str, scenario: Scenario
) -> None:
    await run_both(sdk_client, client, task_queue, scenario)


# --- same-execution comparisons --------------------------------------------------------------


async def test_same_execution_describe_result_and_query(sdk_client: Any, client: th.Client, task_queue: str) -> None:
    wf = unique("same")
    s = Side("sdk", sdk_client)
    t = Side("handled", client)
    h = await sdk_client.start_workflow(
        "Waiter",
        "x",
        id=wf,
        task_queue=task_queue,
        memo={"k": [1, "two"]},
        search_attributes=s.search_attributes("same", 7),
        static_summary="S",
        static_details="D",
    )
    mine = client.get_workflow_handle(wf)
    # D1-D3 are handled by Side.describe; everything else must match exactly
    # (once the first workflow task is done, so that the history stands still).
    await h.query("state")
    assert await _stable_describe(t, mine, s, h)
    assert await mine.query("state") == await h.query("state")
    await mine.signal("finish", {"r": 1})
    assert await mine.result() == await h.result()
    assert await _stable_describe(t, mine, s, h)
    pinned = client.get_workflow_handle(wf, run_id=h.result_run_id)
    sdk_pinned = sdk_client.get_workflow_handle(wf, run_id=h.result_run_id)
    for reject in ("NOT_OPEN", "NOT_COMPLETED_CLEANLY"):
        errors = []
        for side, handle in ((s, sdk_pinned), (t, pinned)):
            try:
                errors.append(await handle.query("state", reject_condition=side.reject(reject)))
            except Exception as e:  # noqa: BLE001
                errors.append(error_fields(e))
        assert errors[0] == errors[1]
    failing = await client.start_workflow("Fail", "child", id=unique("same-fail"), task_queue=task_queue)
    outcomes = []
    for handle in (sdk_client.get_workflow_handle(failing.id), failing):
        try:
            await handle.result()
        except Exception as e:  # noqa: BLE001
            outcomes.append(error_fields(e))
    assert outcomes[0] == outcomes[1] and outcomes[0]["cause"]["class"] == "ChildWorkflowError"


async def _stable_describe(t: Side, mine: Any, s: Side, h: Any) -> bool:
    """Describes with both clients until both see the same history length, then compares."""
    for _ in range(50):
        a, b = await t.describe(mine), await s.describe(h)
        if a["history_length"] == b["history_length"]:
            assert a == b
            return True
        await asyncio.sleep(0.05)
    raise AssertionError("the history kept changing")


async def test_numbers_come_back_exactly(sdk_client: Any, client: th.Client, task_queue: str) -> None:
    """D4: results keep numbers as the workflow wrote them, as with the SDK: integers beyond
    2**53 exactly, and an integral float as a float (the daemon keeps such number tokens as
    text; see src/json/exact-json.ts)."""
    value = {"big": 2**60 + 1, "neg": -(2**64) - 7, "float": 1.0, "list": [2**63 - 1, 0.5, 3]}
    h = await client.start_workflow("Echo", value, id=unique("big"), task_queue=task_queue)
    sdk_value = await sdk_client.get_workflow_handle(h.id).result()
    mine = await h.result()
    assert sdk_value == value
    assert mine == sdk_value
    assert type(mine["float"]) is float and type(mine["big"]) is int
    # Describe's memo too.
    m = await client.start_workflow(
        "Echo", 1, id=unique("memo"), task_queue=task_queue, memo={"id": 2**62 + 3, "f": 2.0}
    )
    await m.result()
    assert await (await m.describe()).memo() == {"id": 2**62 + 3, "f": 2.0}
    assert type((await (await m.describe()).memo())["f"]) is float


async def test_same_update_seen_by_both_clients(sdk_client: Any, client: th.Client, task_queue: str) -> None:
    """An update started by one client, read by the other: equal values and failures."""
    wf = unique("same-upd")
    h = await sdk_client.start_workflow("Updatable", 1, id=wf, task_queue=task_queue)
    mine = client.get_workflow_handle(wf)
    su = await h.start_update("wait_for_release", {"k": [1]}, wait_for_stage=sdk.WorkflowUpdateStage.ACCEPTED, id="w")
    tu = mine.get_update_handle("w", workflow_run_id=su.workflow_run_id)
    both = asyncio.gather(su.result(), tu.result())
    await mine.signal("release")
    a, b = await both
    assert a == b == {"k": [1]}
    tf = await mine.start_update("fail", "f", wait_for_stage=th.WorkflowUpdateStage.COMPLETED, id="f")
    outcomes = []
    for u in (h.get_update_handle("f"), tf):
        try:
            await u.result()
        except Exception as e:  # noqa: BLE001
            outcomes.append(error_fields(e))
    assert outcomes[0] == outcomes[1] and outcomes[0]["cause"]["type"] == "UpdateBoom"
    assert await h.execute_update("add", 2, id="x") == await mine.execute_update("add", 2, id="x") == 3
    await mine.terminate()


async def test_same_runs_listed_by_both_clients(sdk_client: Any, client: th.Client, task_queue: str) -> None:
    """One set of runs listed and counted by both clients: every field equal, times included."""
    tag = unique("same-list")
    sdk_side = Side("sdk", sdk_client)
    handles = []
    for i in range(3):
        handles.append(
            await sdk_client.start_workflow(
                "Waiter",
                i,
                id=f"{tag}-{i}",
                task_queue=task_queue,
                memo={"i": i},
                search_attributes=sdk_side.search_attributes(tag, i),
                static_summary="ignored by list",
            )
        )
    await handles[0].signal("finish", "x")
    await handles[0].result()
    query = f'HandledKeyword = "{tag}"'
    await _visible(sdk_side, f'{query} AND ExecutionStatus = "Completed"', 1)
    await _visible(sdk_side, query, 3)
    th_side = Side("handled", client)
    for _ in range(50):
        mine, theirs = [], []
        for side, out in ((th_side, mine), (sdk_side, theirs)):
            async for e in side.client.list_workflows(query, page_size=2):
                f = await execution_fields(e)
                f["root_id"], f["root_run_id"] = _root_ids(side, e)
                out.append(f)
        if mine == theirs:
            break
        await asyncio.sleep(0.1)  # a run's visibility record changed between the two reads
    assert mine == theirs and len(mine) == 3
    for query_ in (query, f"{query} GROUP BY ExecutionStatus"):
        a, b = await client.count_workflows(query_), await sdk_client.count_workflows(query_)
        assert a.count == b.count
        assert sorted((list(g.group_values), g.count) for g in a.groups) == sorted(
            (list(g.group_values), g.count) for g in b.groups
        )
    for h in handles[1:]:
        await h.terminate()


async def test_same_execution_raw_description(sdk_client: Any, client: th.Client, task_queue: str) -> None:
    """describe(raw=True): raw_description is the response in protobuf JSON, as temporalio's
    protobuf message reads through json_format.MessageToDict (same execution, closed)."""
    from google.protobuf import json_format

    wf = unique("same-raw")
    h = await sdk_client.start_workflow("Echo", {"v": 1}, id=wf, task_queue=task_queue, memo={"m": 1})
    await h.result()
    theirs = json_format.MessageToDict((await h.describe()).raw_description)
    mine = (await client.get_workflow_handle(wf).describe(raw=True)).raw_description
    assert mine["workflowExecutionInfo"] == theirs["workflowExecutionInfo"]
    assert mine["executionConfig"] == theirs["executionConfig"]
