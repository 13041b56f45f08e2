"""Fixtures: a real Temporal dev server, the real daemon, and real temporalio Workers.

* ``dev_server`` (session): ``<repo>/.venv/bin/temporal server start-dev`` on a free
  loopback port, waited for with temporalio's ``Client.connect``, stopped at the end.
* ``sdk_client`` (session): a ``temporalio.client.Client`` on it.
* ``client`` (session): a :class:`temporal_handled.Client` spawned over stdio against it.
* ``task_queue`` (module): a unique task queue served by a temporalio Worker running
  the workflows of ``handled_workflows`` for the module's tests.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client as SdkClient
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

import temporal_handled
from handled_support import (
    DAEMON_ARGS,
    DAEMON_JS,
    DAEMON_MAIN,
    REPO_ROOT,
    SEARCH_ATTRIBUTES,
    TEMPORAL_CLI,
    daemon_command,
    free_port,
    unique,
)
from handled_workflows import ACTIVITIES, WORKFLOWS


@pytest.fixture(scope="session")
def daemon_built() -> Path:
    """Makes sure the daemon is compiled (the project's test runner builds it first)."""
    if not DAEMON_MAIN.exists():
        tsc = REPO_ROOT / "node_modules" / ".bin" / "tsc"
        subprocess.run([str(tsc), "-p", str(REPO_ROOT)], cwd=REPO_ROOT, check=False)
    assert DAEMON_MAIN.exists(), f"the daemon is not built: {DAEMON_MAIN} is missing (run `npx tsc -p .`)"
    return DAEMON_JS


async def _launch_dev_server() -> tuple[subprocess.Popen, str, "tempfile._TemporaryFileWrapper"]:
    """One launch of ``temporal server start-dev``; raises if it exits before it answers."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    argv = [
        str(TEMPORAL_CLI),
        "server",
        "start-dev",
        "--headless",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warn",
    ]
    for name, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            log.close()
            raise DevServerExited(f"temporal dev server exited with {proc.returncode}: {output}")
        try:
            c = await asyncio.wait_for(SdkClient.connect(address), 5)
            await c.workflow_service.get_system_info(GetSystemInfoRequest())
            return proc, address, log
        except Exception:
            if time.monotonic() > deadline:
                _stop(proc)
                log.close()
                raise
            await asyncio.sleep(0.2)


class DevServerExited(RuntimeError):
    """The dev server died before it was ready."""


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest_asyncio.fixture(scope="session")
async def dev_server() -> AsyncIterator[str]:
    """A real Temporal dev server; yields its HOST:PORT.

    The CLI picks its internal ports by binding and releasing them, so another
    process can take one first and the server dies; it is launched up to three times.
    """
    assert TEMPORAL_CLI.exists(), f"the Temporal CLI is missing at {TEMPORAL_CLI} (run `npm run setup`)"
    for attempt in range(1, 4):
        try:
            proc, address, log = await _launch_dev_server()
            break
        except DevServerExited as e:
            if attempt == 3:
                raise
            print(f"[conftest] dev server launch {attempt} failed, retrying: {e}", file=sys.stderr)
    try:
        yield address
    finally:
        _stop(proc)
        log.close()


@pytest_asyncio.fixture(scope="session")
async def sdk_client(dev_server: str) -> SdkClient:
    """The real Python SDK's client on the dev server."""
    return await SdkClient.connect(dev_server)


@pytest_asyncio.fixture(scope="session")
async def client(dev_server: str, daemon_built: Path) -> AsyncIterator[temporal_handled.Client]:
    """This package's client, on a daemon it spawned over stdio."""
    c = await temporal_handled.Client.spawn(daemon_command(), address=dev_server, args=DAEMON_ARGS)
    try:
        yield c
    finally:
        await c.close()


@pytest_asyncio.fixture(scope="module")
async def task_queue(sdk_client: SdkClient, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A unique task queue with a real temporalio Worker for this module's tests."""
    queue = unique(f"tq-{request.module.__name__}")
    worker = Worker(
        sdk_client,
        task_queue=queue,
        workflows=WORKFLOWS,
        activities=ACTIVITIES,
        workflow_runner=UnsandboxedWorkflowRunner(),
        graceful_shutdown_timeout=timedelta(seconds=0),
    )
    async with worker:
        yield queue


@pytest.fixture
def wf_id(request: pytest.FixtureRequest) -> str:
    """A unique workflow ID named after the test."""
    return unique(request.node.name[:40].replace("[", "-").replace("]", ""))


def pytest_report_header(config: pytest.Config) -> str:
    return f"temporal-handled client {temporal_handled.__version__}; repo {REPO_ROOT}; python {sys.version.split()[0]}"
