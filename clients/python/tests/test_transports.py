"""Client.spawn / Client.attach / close over stdio, a Unix socket and loopback TCP."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import AsyncIterator, List

import pytest
import pytest_asyncio

import temporal_handled
from handled_support import DAEMON_ARGS, DAEMON_JS, daemon_command, free_port, unique, wait_until
from temporal_handled import (
    Client,
    CodecError,
    DaemonConnectionError,
    DaemonError,
    DaemonShuttingDownError,
    RPCError,
    RPCStatusCode,
    WorkflowExecutionStatus,
)


async def _start_daemon(extra: List[str], dev_server: str) -> subprocess.Popen:
    return subprocess.Popen(
        daemon_command() + ["--address", dev_server] + DAEMON_ARGS + extra,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


async def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        await asyncio.get_running_loop().run_in_executor(None, proc.wait, 10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        proc.wait()


@pytest_asyncio.fixture(scope="module")
async def shared_daemon(dev_server: str, daemon_built: Path) -> AsyncIterator[dict]:
    """One daemon serving a Unix socket and a TCP port (with a token file)."""
    tmp = tempfile.mkdtemp(prefix="th-")
    sock = os.path.join(tmp, "d.sock")
    token_file = os.path.join(tmp, "token")
    port = free_port()
    proc = await _start_daemon(["--socket", sock, "--port", str(port), "--token-file", token_file], dev_server)

    async def ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"daemon exited with {proc.returncode}")
        return os.path.exists(sock) and os.path.exists(token_file) and os.path.getsize(token_file) > 0

    try:
        await wait_until(ready, timeout=20)
        with open(token_file) as f:
            token = f.read().strip()
        yield {"socket": sock, "port": port, "token": token}
    finally:
        await _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


async def test_attach_unix_socket_shares_the_daemon(shared_daemon: dict, task_queue: str) -> None:
    async with (
        await Client.attach(shared_daemon["socket"]) as a,
        await Client.attach(Path(shared_daemon["socket"])) as b,
    ):
        h = await a.start_workflow("Waiter", id=unique("sock"), task_queue=task_queue)
        # Another connection of the same daemon sees the workflow through its own handle.
        other = b.get_workflow_handle(h.id)
        await other.signal("finish", "via-b")
        assert (await h.result())["result"] == "via-b"
        assert (await b.daemon_status())["clients"] >= 2


async def test_attach_tcp_with_secret(shared_daemon: dict, task_queue: str) -> None:
    async with await Client.attach(shared_daemon["port"], auth_token=shared_daemon["token"]) as c:
        h = await c.start_workflow("Echo", "tcp", id=unique("tcp"), task_queue=task_queue)
        assert await h.result() == "tcp"
    async with await Client.attach(
        str(shared_daemon["port"]), auth_token=shared_daemon["token"], namespace="default"
    ) as c:
        assert c.namespace == "default"


async def test_attach_tcp_wrong_secret(shared_daemon: dict) -> None:
    with pytest.raises(DaemonError) as e:
        await Client.attach(shared_daemon["port"], auth_token="wrong")
    assert e.value.data.get("type") == "UnauthorizedError"


async def test_spawn_close_and_context_manager(dev_server: str, daemon_built: Path) -> None:
    c = await Client.spawn(daemon_command(), address=dev_server, namespace="default", args=DAEMON_ARGS)
    assert c.process is not None and c.process.returncode is None
    await c.close()
    assert c.process.returncode == 0
    await c.close()  # idempotent
    async with await Client.spawn(str(DAEMON_JS), address=dev_server, args=DAEMON_ARGS) as c2:
        assert (await c2.daemon_status())["clients"] == 1
    assert c2.process is not None and c2.process.returncode == 0
    with pytest.raises(DaemonConnectionError):
        await c2.get_workflow_handle("x").describe()


async def test_codec_server_unreachable_is_codec_error(dev_server: str, daemon_built: Path, task_queue: str) -> None:
    """A daemon whose codec server cannot be reached: a start fails with CodecError naming the
    endpoint (without its credentials) and the operation; nothing was started."""
    args = [*DAEMON_ARGS, "--codec-endpoint", "http://user:pw@127.0.0.1:1/codec?token=t"]
    async with await Client.spawn(daemon_command(), address=dev_server, args=args) as c:
        wid = unique("codec")
        with pytest.raises(CodecError) as err:
            await c.start_workflow("Waiter", "an argument", id=wid, task_queue=task_queue)
        assert err.value.operation == "encode"
        assert err.value.endpoint == "http://127.0.0.1:1/codec"
        assert err.value.http_status is None
        assert "pw" not in str(err.value) and "token" not in str(err.value)
        with pytest.raises(RPCError) as missing:
            await c.get_workflow_handle(wid).describe()
        assert missing.value.status == RPCStatusCode.NOT_FOUND


async def test_spawn_default_command_from_env(
    dev_server: str, daemon_built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPORAL_HANDLED_BIN", str(DAEMON_JS))
    assert temporal_handled.default_daemon_command()[-1] == str(DAEMON_JS)
    async with await Client.spawn(address=dev_server, args=DAEMON_ARGS, env={"TEMPORAL_NAMESPACE": "default"}) as c:
        assert c.server_info["temporal"]["address"] == dev_server
    monkeypatch.delenv("TEMPORAL_HANDLED_BIN")
    monkeypatch.setenv("PATH", "/nonexistent-dir" + os.pathsep + os.environ.get("PATH", ""))
    # Installed from the repo checkout: the repo's bin/temporal-handled.js, run with node.
    assert temporal_handled.default_daemon_command()[-1] == str(DAEMON_JS)


async def test_spawn_bad_flag_reports_exit(dev_server: str, daemon_built: Path) -> None:
    with pytest.raises(DaemonConnectionError) as e:
        await Client.spawn(daemon_command(), address=dev_server, args=["--no-such-flag"])
    assert "exited with code" in str(e.value)


async def test_describe_over_socket_matches_stdio(shared_daemon: dict, client: Client, task_queue: str) -> None:
    h = await client.start_workflow("Waiter", id=unique("both"), task_queue=task_queue)
    async with await Client.attach(shared_daemon["socket"]) as other:
        d1 = await h.describe()
        d2 = await other.get_workflow_handle(h.id, run_id=h.result_run_id).describe()
        assert (d1.run_id, d1.status, d1.start_time) == (d2.run_id, d2.status, d2.start_time)
        assert d2.status == WorkflowExecutionStatus.RUNNING
    await h.terminate()


async def test_daemon_shutdown_mid_call_then_reconnect(dev_server: str, daemon_built: Path, task_queue: str) -> None:
    """SIGTERM during a result wait: the call fails with DaemonShuttingDownError saying why (not
    "Request cancelled" as if this client had cancelled it); once a daemon serves the socket again, the
    attached client's next call reconnects and its handles work again (re-made on the new session)."""
    tmp = tempfile.mkdtemp(prefix="th-")
    sock = os.path.join(tmp, "r.sock")

    async def start() -> subprocess.Popen:
        proc = await _start_daemon(["--listen-socket", sock], dev_server)

        async def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"daemon exited with {proc.returncode}")
            return os.path.exists(sock)

        await wait_until(ready, timeout=20)
        return proc

    first = await start()
    second = None
    client = await Client.attach(sock)
    try:
        h = await client.start_workflow("Waiter", id=unique("restart"), task_queue=task_queue)
        waiting = asyncio.ensure_future(h.result())
        await wait_until(lambda: _waits(client), timeout=10)
        first.terminate()
        with pytest.raises(DaemonShuttingDownError, match="Daemon shutting down") as stopped:
            await waiting
        assert stopped.value.reason == "SIGTERM"
        assert isinstance(stopped.value, DaemonConnectionError)
        await asyncio.get_running_loop().run_in_executor(None, first.wait, 10)
        # No daemon: the next call says so.
        with pytest.raises(DaemonConnectionError, match="does not answer"):
            await h.describe()
        second = await start()
        assert (await h.describe()).status == WorkflowExecutionStatus.RUNNING  # reconnected
        await h.signal("finish", "after restart")
        assert (await h.result())["result"] == "after restart"
        assert int((await client.daemon_status())["pid"]) == second.pid
    finally:
        await client.close()
        for p in (first, second):
            if p is not None and p.poll() is None:
                await _stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


async def _waits(client: Client) -> bool:
    return int((await client.daemon_status())["inFlight"]) >= 1
