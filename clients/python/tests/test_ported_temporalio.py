"""temporalio's own client-side tests, ported: the client under test is this package's.

From sdk-python's ``tests/test_client.py`` and ``tests/worker/test_workflow.py`` (commit
00ef528). The test bodies are as temporalio wrote them; the one change is the import: the
client-side names (``Client``, its errors, ``RetryPolicy``, the enums, the count classes) come
from ``temporal_handled`` instead of ``temporalio.client`` / ``temporalio.common`` /
``temporalio.exceptions``. Workers and workflows stay on temporalio (``new_worker`` runs them
on a temporalio client; the kitchen-sink workflow, a Go worker there, is a Python twin in
``ported_support``).

Ported from tests/test_client.py: test_start_id_reuse, test_start_with_signal,
test_result_follow_continue_as_new, test_workflow_failed, test_cancel, test_terminate,
test_cancel_not_found, test_describe, test_query, test_query_rejected, test_signal,
test_retry_policy, test_count_workflows. From tests/worker/test_workflow.py:
test_workflow_hello, test_workflow_multi_param, test_workflow_signal_and_query,
test_workflow_signal_and_query_handlers, test_workflow_signal_and_query_errors,
test_workflow_dataclass_typed, test_workflow_separate_protocol, test_workflow_query_rpc_timeout,
test_workflow_memo (their workflows are in ported_support, as written there). The ones left,
and why, are in the README (section "temporalio's own tests").
"""

from __future__ import annotations

import types
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, List, cast

import pytest
import pytest_asyncio
from temporalio import activity, workflow

import temporal_handled
from ported_support import (
    DataClassTypedWorkflow,
    DataClassTypedWorkflowProto,
    Env,
    ExternalWorker,
    HelloWorkflowWithQuery,
    KitchenSinkWorkflow,
    KSAction,
    KSContinueAsNewAction,
    KSErrorAction,
    KSQueryHandlerAction,
    KSResultAction,
    KSSignalAction,
    KSSleepAction,
    KSWorkflowParams,
    MemoValue,
    MemoWorkflow,
    MyDataClass,
    SignalAndQueryErrorsWorkflow,
    SignalAndQueryHandlersWorkflow,
    SignalAndQueryWorkflow,
    assert_eq_eventually,
    data_class_typed_activity,
    new_worker,
    set_worker_client,
)

# --- the one change: the client-side names are temporal_handled's --------------------------
from temporal_handled import (  # was: from temporalio.client / .exceptions import (...)
    ApplicationError,
    Client,
    RPCError,
    RPCStatusCode,
    WorkflowAlreadyStartedError,
    WorkflowContinuedAsNewError,
    WorkflowExecutionCount,
    WorkflowExecutionCountAggregationGroup,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)

WorkflowEnvironment = Env  # was: from temporalio.testing import WorkflowEnvironment (a dev server here)
# was: import temporalio.common, temporalio.exceptions (used as temporalio.common.X in the bodies)
temporalio = types.SimpleNamespace(common=temporal_handled, exceptions=temporal_handled)
# --------------------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module")
async def worker(sdk_client: Any) -> AsyncIterator[ExternalWorker]:
    set_worker_client(sdk_client)
    w = new_worker(sdk_client, KitchenSinkWorkflow)
    async with w:
        yield ExternalWorker(task_queue=w.task_queue)


@pytest.fixture
def env() -> Env:
    return Env()


@pytest.fixture(autouse=True)
def _worker_client(sdk_client: Any) -> None:
    set_worker_client(sdk_client)


# --- tests/test_client.py --------------------------------------------------------------------


async def test_start_id_reuse(client: Client, worker: ExternalWorker, env: Env):
    # TODO(cretz): Fix
    if env.supports_time_skipping:
        pytest.skip("Java test server: https://github.com/temporalio/sdk-java/issues/1220")
    # Run to return "some result"
    id = str(uuid.uuid4())
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(actions=[KSAction(result=KSResultAction(value="some result"))]),
        id=id,
        task_queue=worker.task_queue,
    )
    assert "some result" == await handle.result()
    # Run again with reject duplicate
    with pytest.raises(WorkflowAlreadyStartedError) as err:
        handle = await client.start_workflow(
            "kitchen_sink",
            KSWorkflowParams(actions=[KSAction(result=KSResultAction(value="some result 2"))]),
            id=id,
            task_queue=worker.task_queue,
            id_reuse_policy=temporalio.common.WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        await handle.result()
    assert err.value.run_id == handle.result_run_id

    # Run again allowing duplicate (the default)
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(actions=[KSAction(result=KSResultAction(value="some result 3"))]),
        id=id,
        task_queue=worker.task_queue,
    )
    assert "some result 3" == await handle.result()


async def test_start_with_signal(client: Client, worker: ExternalWorker):
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(action_signal="my-signal"),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
        start_signal="my-signal",
        start_signal_args=[KSAction(result=KSResultAction(value="some signal arg"))],
    )
    assert "some signal arg" == await handle.result()


async def test_result_follow_continue_as_new(client: Client, worker: ExternalWorker, env: Env):
    # TODO(cretz): Fix
    if env.supports_time_skipping:
        pytest.skip("Java test server: https://github.com/temporalio/sdk-java/issues/1424")
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(
            actions=[
                KSAction(continue_as_new=KSContinueAsNewAction(while_above_zero=1)),
                KSAction(result=KSResultAction(run_id=True)),
            ],
        ),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
    )
    final_run_id = await handle.result()
    assert len(final_run_id) > 5 and handle.run_id != final_run_id

    # Get a handle and check result without following and confirm
    # continue-as-new error
    with pytest.raises(WorkflowContinuedAsNewError) as err:
        await handle.result(follow_runs=False)
    assert err.value.new_execution_run_id == final_run_id


async def test_workflow_failed(client: Client, worker: ExternalWorker):
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(
            actions=[KSAction(error=KSErrorAction(message="some error", details={"foo": "bar", "baz": 123.45}))],
        ),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as err:
        await handle.result()
    assert isinstance(err.value.cause, temporalio.exceptions.ApplicationError)
    assert str(err.value.cause) == "some error"
    assert list(err.value.cause.details)[0] == {"foo": "bar", "baz": 123.45}


async def test_cancel(client: Client, worker: ExternalWorker):
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(actions=[KSAction(sleep=KSSleepAction(millis=50000))]),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
    )
    await handle.cancel()
    with pytest.raises(WorkflowFailureError) as err:
        await handle.result()
    assert isinstance(err.value.cause, temporalio.exceptions.CancelledError)


async def test_terminate(client: Client, worker: ExternalWorker):
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(actions=[KSAction(sleep=KSSleepAction(millis=50000))]),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
    )
    await handle.terminate("arg1", "arg2", reason="some reason")
    with pytest.raises(WorkflowFailureError) as err:
        await handle.result()
    assert isinstance(err.value.cause, temporalio.exceptions.TerminatedError)
    assert str(err.value.cause) == "some reason"
    assert list(err.value.cause.details) == ["arg1", "arg2"]


async def test_cancel_not_found(client: Client):
    with pytest.raises(RPCError) as err:
        await client.get_workflow_handle("does-not-exist").cancel()
    assert err.value.status == RPCStatusCode.NOT_FOUND


async def test_describe(client: Client, worker: ExternalWorker, env: Env):
    # TODO(cretz): Fix
    if env.supports_time_skipping:
        pytest.skip("Java test server: https://github.com/temporalio/sdk-java/issues/1425")
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(actions=[KSAction(result=KSResultAction(value="some value"))]),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
        memo={"foo": "bar"},
    )
    assert "some value" == await handle.result()
    desc = await handle.describe()
    assert desc.close_time and abs(desc.close_time - datetime.now(timezone.utc)) < timedelta(seconds=20)
    assert desc.execution_time and abs(desc.execution_time - datetime.now(timezone.utc)) < timedelta(seconds=20)
    assert desc.id == handle.id
    assert (await desc.memo()) == {"foo": "bar"}
    assert not desc.parent_id
    assert not desc.parent_run_id
    assert desc.run_id == handle.first_execution_run_id
    assert abs(desc.start_time - datetime.now(timezone.utc)) < timedelta(seconds=20)
    assert desc.status == WorkflowExecutionStatus.COMPLETED
    assert desc.task_queue == worker.task_queue
    assert desc.workflow_type == "kitchen_sink"
    assert desc.root_id == desc.id
    assert desc.root_run_id == desc.run_id


async def test_query(client: Client, worker: ExternalWorker):
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(actions=[KSAction(query_handler=KSQueryHandlerAction(name="some query"))]),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
    )
    await handle.result()
    assert "some query arg" == await handle.query("some query", "some query arg")
    # Try a query not on the workflow
    with pytest.raises(WorkflowQueryFailedError) as err:  # noqa: F841 (as temporalio wrote it)
        await handle.query("does not exist")


async def test_query_rejected(client: Client, worker: ExternalWorker):
    # Make a queryable workflow that waits on a signal
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(
            actions=[
                KSAction(query_handler=KSQueryHandlerAction(name="some query")),
                KSAction(signal=KSSignalAction(name="some signal")),
            ],
        ),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
    )
    # Confirm we can query w/ a not-open rejection condition since it's still
    # open
    assert "some query arg" == await handle.query(
        "some query",
        "some query arg",
        reject_condition=temporalio.common.QueryRejectCondition.NOT_OPEN,
    )
    # But if we signal then wait for result, that same query should fail
    await handle.signal("some signal", "some signal arg")
    await handle.result()
    with pytest.raises(WorkflowQueryRejectedError) as err:
        assert "some query arg" == await handle.query(
            "some query",
            "some query arg",
            reject_condition=temporalio.common.QueryRejectCondition.NOT_OPEN,
        )
    assert err.value.status == WorkflowExecutionStatus.COMPLETED


async def test_signal(client: Client, worker: ExternalWorker):
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(action_signal="some signal"),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
    )
    await handle.signal(
        "some signal",
        KSAction(result=KSResultAction(value="some signal arg")),
    )
    assert "some signal arg" == await handle.result()


async def test_retry_policy(client: Client, worker: ExternalWorker):
    # Make the workflow retry 3 times w/ no real backoff
    handle = await client.start_workflow(
        "kitchen_sink",
        KSWorkflowParams(actions=[KSAction(error=KSErrorAction(attempt=True))]),
        id=str(uuid.uuid4()),
        task_queue=worker.task_queue,
        retry_policy=temporalio.common.RetryPolicy(
            initial_interval=timedelta(milliseconds=1),
            maximum_attempts=3,
        ),
    )
    with pytest.raises(WorkflowFailureError) as err:
        await handle.result()
    assert isinstance(err.value.cause, temporalio.exceptions.ApplicationError)
    assert str(err.value.cause) == "attempt 3"


@workflow.defn
class CountableWorkflow:
    @workflow.run
    async def run(self, wait_forever: bool) -> None:
        await workflow.wait_condition(lambda: not wait_forever)


async def test_count_workflows(client: Client, env: Env):
    if env.supports_time_skipping:
        pytest.skip("Java test server doesn't support newer workflow listing")

    # 3 workflows that complete, 2 that don't
    async with new_worker(client, CountableWorkflow) as worker:
        for _ in range(3):
            await client.execute_workflow(
                CountableWorkflow.run,
                False,
                id=f"id-{uuid.uuid4()}",
                task_queue=worker.task_queue,
            )
        for _ in range(2):
            await client.start_workflow(
                CountableWorkflow.run,
                True,
                id=f"id-{uuid.uuid4()}",
                task_queue=worker.task_queue,
            )

    async def fetch_count() -> WorkflowExecutionCount:
        resp = await client.count_workflows(f"TaskQueue = '{worker.task_queue}' GROUP BY ExecutionStatus")
        cast(List[WorkflowExecutionCountAggregationGroup], resp.groups).sort(key=lambda g: g.count)
        return resp

    await assert_eq_eventually(
        WorkflowExecutionCount(
            count=5,
            groups=[
                WorkflowExecutionCountAggregationGroup(count=2, group_values=["Running"]),
                WorkflowExecutionCountAggregationGroup(count=3, group_values=["Completed"]),
            ],
        ),
        fetch_count,
    )


# --- tests/worker/test_workflow.py -----------------------------------------------------------


@workflow.defn
class HelloWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"Hello, {name}!"


async def test_workflow_hello(client: Client):
    async with new_worker(client, HelloWorkflow) as worker:
        result = await client.execute_workflow(
            HelloWorkflow.run,
            "Temporal",
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )
        assert result == "Hello, Temporal!"


@activity.defn
async def multi_param_activity(param1: int, param2: str) -> str:
    return f"param1: {param1}, param2: {param2}"


@workflow.defn
class MultiParamWorkflow:
    @workflow.run
    async def run(self, param1: int, param2: str) -> str:
        return await workflow.execute_activity(
            multi_param_activity,
            args=[param1, param2],
            schedule_to_close_timeout=timedelta(seconds=30),
        )


async def test_workflow_multi_param(client: Client):
    # This test is mostly just here to confirm MyPy type checks the multi-param
    # overload approach properly
    async with new_worker(client, MultiParamWorkflow, activities=[multi_param_activity]) as worker:
        result = await client.execute_workflow(
            MultiParamWorkflow.run,
            args=[123, "val1"],
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )
        assert result == "param1: 123, param2: val1"


async def test_workflow_signal_and_query(client: Client):
    async with new_worker(client, SignalAndQueryWorkflow) as worker:
        handle = await client.start_workflow(
            SignalAndQueryWorkflow.run,
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )

        # Simple signals and queries
        await handle.signal(SignalAndQueryWorkflow.signal1, "some arg")
        assert "signal1: some arg" == await handle.query(SignalAndQueryWorkflow.last_event)

        # Dynamic signals and queries (old form)
        await handle.signal("signal2", "dyn arg")
        assert "signal_dynamic signal2: dyn arg" == await handle.query(SignalAndQueryWorkflow.last_event)
        assert "query_dynamic query2: dyn arg" == await handle.query("query2", "dyn arg")

        # Custom named signals and queries
        await handle.signal("Custom Name", "custom arg1")
        assert "signal_custom: custom arg1" == await handle.query(SignalAndQueryWorkflow.last_event)
        await handle.signal(SignalAndQueryWorkflow.signal_custom, "custom arg2")
        assert "signal_custom: custom arg2" == await handle.query(SignalAndQueryWorkflow.last_event)
        assert "query_custom: custom arg1" == await handle.query("Custom Name", "custom arg1")
        assert "query_custom: custom arg1" == await handle.query(SignalAndQueryWorkflow.query_custom, "custom arg1")


async def test_workflow_signal_and_query_handlers(client: Client):
    async with new_worker(client, SignalAndQueryHandlersWorkflow) as worker:
        handle = await client.start_workflow(
            SignalAndQueryHandlersWorkflow.run,
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )

        # Confirm signals buffered when not found
        await handle.signal("unknown_signal1", "val1")
        await handle.signal(SignalAndQueryHandlersWorkflow.set_signal_handler, "unknown_signal1")
        assert "signal unknown_signal1: val1" == await handle.query(SignalAndQueryHandlersWorkflow.last_event)

        # Normal signal handling
        await handle.signal("unknown_signal1", "val2")
        assert "signal unknown_signal1: val2" == await handle.query(SignalAndQueryHandlersWorkflow.last_event)

        # Dynamic signal handling buffered and new
        await handle.signal("unknown_signal2", "val3")
        await handle.signal(SignalAndQueryHandlersWorkflow.set_dynamic_signal_handler)
        assert "signal dynamic unknown_signal2: val3" == await handle.query(SignalAndQueryHandlersWorkflow.last_event)
        await handle.signal("unknown_signal3", "val4")
        assert "signal dynamic unknown_signal3: val4" == await handle.query(SignalAndQueryHandlersWorkflow.last_event)

        # Normal query handling
        await handle.signal(SignalAndQueryHandlersWorkflow.set_query_handler, "unknown_query1")
        assert "query unknown_query1: val5" == await handle.query("unknown_query1", "val5")

        # Dynamic query handling
        await handle.signal(SignalAndQueryHandlersWorkflow.set_dynamic_query_handler)
        assert "query dynamic unknown_query2: val6" == await handle.query("unknown_query2", "val6")


async def test_workflow_signal_and_query_errors(client: Client):
    async with new_worker(client, SignalAndQueryErrorsWorkflow) as worker:
        handle = await client.start_workflow(
            SignalAndQueryErrorsWorkflow.run,
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )
        # Send bad signal
        await handle.signal(SignalAndQueryErrorsWorkflow.bad_signal)
        # Wait on workflow
        with pytest.raises(WorkflowFailureError) as err:
            await handle.result()
        assert isinstance(err.value.cause, ApplicationError)
        assert list(err.value.cause.details) == [123]
        # Fail query (no details on query failure)
        with pytest.raises(WorkflowQueryFailedError) as rpc_err:
            await handle.query(SignalAndQueryErrorsWorkflow.bad_query)
        assert str(rpc_err.value) == "query fail"
        # Unrecognized query
        with pytest.raises(WorkflowQueryFailedError) as rpc_err:
            await handle.query("non-existent query")
        assert str(rpc_err.value) == (
            "Query handler for 'non-existent query' expected but not found,"
            " known queries: [__enhanced_stack_trace __stack_trace __temporal_workflow_metadata bad_query other_query]"
        )


async def test_workflow_dataclass_typed(client: Client, env: WorkflowEnvironment):
    # TODO(cretz): Fix
    if env.supports_time_skipping:
        pytest.skip("Java test server: https://github.com/temporalio/sdk-rust/issues/390")
    async with new_worker(client, DataClassTypedWorkflow, activities=[data_class_typed_activity]) as worker:
        val = MyDataClass(field1="some value")
        handle = await client.start_workflow(
            DataClassTypedWorkflow.run,
            val,
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )
        await handle.signal(DataClassTypedWorkflow.signal_sync, val)
        await handle.signal(DataClassTypedWorkflow.signal_async, val)
        (await handle.query(DataClassTypedWorkflow.query_sync, val)).assert_expected()
        # TODO(cretz): Why does MyPy need this annotated?
        query_result: MyDataClass = await handle.query(DataClassTypedWorkflow.query_async, val)
        query_result.assert_expected()
        await handle.signal(DataClassTypedWorkflow.complete)
        (await handle.result()).assert_expected()


async def test_workflow_separate_protocol(client: Client):
    # This test is to confirm that protocols can be used as "interfaces" for
    # when the workflow impl is absent
    async with new_worker(client, DataClassTypedWorkflow, activities=[data_class_typed_activity]) as worker:
        assert isinstance(DataClassTypedWorkflow(), DataClassTypedWorkflowProto)
        val = MyDataClass(field1="some value")
        handle = await client.start_workflow(
            DataClassTypedWorkflowProto.run,
            val,
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )
        await handle.signal(DataClassTypedWorkflowProto.signal_sync, val)
        (await handle.query(DataClassTypedWorkflowProto.query_sync, val)).assert_expected()
        await handle.signal(DataClassTypedWorkflowProto.complete)
        (await handle.result()).assert_expected()


async def test_workflow_query_rpc_timeout(client: Client):
    # Run workflow under worker and confirm query works
    async with new_worker(
        client,
        HelloWorkflowWithQuery,
    ) as worker:
        handle = await client.start_workflow(
            HelloWorkflowWithQuery.run,
            "Temporal",
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
        )
        assert "Hello, Temporal!" == await handle.result()
        assert "some value" == await handle.query(HelloWorkflowWithQuery.some_query)

    # Now with the worker stopped, issue a query with a one second timeout
    with pytest.raises(RPCError) as err:
        await handle.query(HelloWorkflowWithQuery.some_query, rpc_timeout=timedelta(seconds=1))
    assert (
        err.value.status == RPCStatusCode.CANCELLED
        and ("timeout" in str(err.value).lower() or "http2 error" in str(err.value).lower())
    ) or err.value.status == RPCStatusCode.DEADLINE_EXCEEDED


async def test_workflow_memo(client: Client):
    async with new_worker(client, MemoWorkflow) as worker:
        # Run workflow
        handle = await client.start_workflow(
            MemoWorkflow.run,
            True,
            id=f"workflow-{uuid.uuid4()}",
            task_queue=worker.task_queue,
            memo={
                "dict_memo": {"field1": "dict"},
                "dataclass_memo": MemoValue(field1="data"),
                "changed_memo": MemoValue(field1="old value"),
                "removed_memo": MemoValue(field1="removed"),
            },
        )
        await handle.result()
        desc = await handle.describe()
        # Check untyped memo
        assert (await desc.memo()) == {
            "dict_memo": {"field1": "dict"},
            "dataclass_memo": {"field1": "data"},
            "changed_memo": {"field1": "new value"},
            "added_memo": {"field1": "added"},
        }
        # Check typed memo
        assert (await desc.memo_value("dataclass_memo", type_hint=MemoValue)) == MemoValue(field1="data")
        # Check default
        assert (await desc.memo_value("absent_memo", "default value")) == "default value"
        # Check key error
        with pytest.raises(KeyError):
            await desc.memo_value("absent_memo")
