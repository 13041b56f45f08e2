"""Client.connect: temporalio's signature over a shared daemon it starts or attaches to."""

from __future__ import annotations

import os
import shutil
import signal
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from handled_support import unique
from temporal_handled import (
    Client,
    DaemonConnectionError,
    QueryRejectCondition,
    WorkflowQueryRejectedError,
)


@pytest.fixture
def runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, daemon_built: Any) -> Iterator[Path]:
    """A private runtime directory for the daemons connect() starts; they are stopped after."""
    short = Path("/tmp") / f"th-{os.getpid()}-{unique('c')[-6:]}"  # Unix socket paths are short
    short.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short))
    monkeypatch.delenv("TEMPORAL_HANDLED_SOCKET", raising=False)
    monkeypatch.setenv("TEMPORAL_HANDLED_BIN", str(daemon_built))
    _started.clear()
    yield short
    pids = list(_started)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
    shutil.rmtree(short, ignore_errors=True)


_started: List[int] = []


async def _pid(client: Client) -> int:
    pid = int((await client.daemon_status())["pid"])
    if pid not in _started:
        _started.append(pid)
    return pid


async def test_connect_starts_then_shares_a_daemon(dev_server: str, runtime_dir: Path, task_queue: str) -> None:
    first = await Client.connect(dev_server)
    pid = await _pid(first)
    sockets = list((runtime_dir / "temporal-handled").glob("*.sock"))
    assert len(sockets) == 1
    assert first.namespace == "default"
    second = await Client.connect(dev_server, namespace="default")
    assert await _pid(second) == pid  # the same daemon, attached to
    assert first.process is None and second.process is None
    h = await first.start_workflow("Echo", {"a": 1}, id=unique("connect"), task_queue=task_queue)
    assert await second.get_workflow_handle(h.id).result() == {"a": 1}
    await first.close()
    # Closing one client leaves the shared daemon serving the other, and later connects.
    third = await Client.connect(dev_server)
    assert await _pid(third) == pid
    await second.close()
    await third.close()


async def test_connect_default_reject_condition(dev_server: str, runtime_dir: Path, task_queue: str) -> None:
    """temporalio's test_single_client_config_change, through connect's option."""
    c = await Client.connect(dev_server)
    await _pid(c)
    h = await c.start_workflow("Waiter", id=unique("reject"), task_queue=task_queue)
    await h.signal("finish")
    await h.result()
    assert (await h.query("state"))["finished"] is True
    reject = await Client.connect(dev_server, default_workflow_query_reject_condition=QueryRejectCondition.NOT_OPEN)
    with pytest.raises(WorkflowQueryRejectedError):
        await reject.get_workflow_handle(h.id).query("state")
    # A query's own condition still wins.
    assert (await reject.get_workflow_handle(h.id).query("state", reject_condition="NONE"))["finished"] is True
    await c.close()
    await reject.close()


async def test_connect_refuses_what_it_cannot_honour(runtime_dir: Path) -> None:
    for kw in (
        {"data_converter": object()},
        {"interceptors": [object()]},
        {"identity": "me"},
        {"retry_config": object()},
        {"tls": object()},
    ):
        with pytest.raises(NotImplementedError, match=next(iter(kw)) if "tls" not in kw else "TLSConfig"):
            await Client.connect("127.0.0.1:1", **kw)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="binary metadata"):
        await Client.connect("127.0.0.1:1", rpc_metadata={"k-bin": b"\x00"})
    with pytest.raises(TypeError, match="target_host"):
        await Client.connect("")
    assert not (runtime_dir / "temporal-handled").exists()  # nothing was started


async def test_connect_to_a_named_socket_that_is_not_there(runtime_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = runtime_dir / "nobody.sock"
    monkeypatch.setenv("TEMPORAL_HANDLED_SOCKET", str(missing))
    with pytest.raises(DaemonConnectionError, match="TEMPORAL_HANDLED_SOCKET"):
        await Client.connect("127.0.0.1:7233", connect_timeout=timedelta(seconds=2))


async def test_connect_side_by_side_with_temporalios(dev_server: str, runtime_dir: Path, task_queue: str) -> None:
    """The same connect call on both libraries, then the same calls: equal outcomes."""
    from temporalio.client import Client as SdkClient

    from handled_workflows import Point, TypedWorkflow

    outcomes = []
    for connect in (SdkClient.connect, Client.connect):
        c: Any = await connect(dev_server, namespace="default", rpc_metadata={"x-side": "by-side"})
        if isinstance(c, Client):
            await _pid(c)
        echo = await c.execute_workflow("Echo", {"k": [1]}, id=unique("side"), task_queue=task_queue)
        wf = unique("side-typed")
        h = await c.start_workflow(TypedWorkflow.run, _shape(), id=wf, task_queue=task_queue)
        moved = await h.execute_update(TypedWorkflow.move, Point(1, 1.0))
        await h.signal(TypedWorkflow.done_)
        result = await c.get_workflow_handle_for(TypedWorkflow.run, wf).result()
        outcomes.append((c.namespace, echo, moved, result))
        if isinstance(c, Client):
            await c.close()
    assert outcomes[0] == outcomes[1]
    assert isinstance(outcomes[1][3].points[0], Point)


def _shape() -> Any:
    import uuid as _uuid
    from datetime import datetime, timezone

    from handled_workflows import Color, Point, Shade, Shape

    return Shape(
        name="s",
        points=[Point(0, 0.5)],
        at=datetime(2024, 1, 1, tzinfo=timezone.utc),
        id=_uuid.UUID(int=7),
        color=Color.RED,
        shade=Shade.LIGHT,
    )
