"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
import random
import shutil
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, List

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parents[2]
TEMPORAL_CLI = REPO_ROOT / ".venv" / "bin" / "temporal"
DAEMON_JS = REPO_ROOT / "bin" / "temporal-handled.js"
DAEMON_MAIN = REPO_ROOT / "dist" / "src" / "cli" / "main.js"

# Search attributes the tests set; registered on the dev server at start.
SEARCH_ATTRIBUTES = {
    "HandledKeyword": "Keyword",
    "HandledInt": "Int",
    "HandledWhen": "Datetime",
    "HandledTags": "KeywordList",
}

DAEMON_ARGS = ["--log-level", "warn"]


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def free_port() -> int:
    """A currently free TCP port on loopback.

    Taken from below the kernel's ephemeral range where there is room, so that no
    outgoing connection can be given it before the server that is told it binds it.
    """
    low = _ephemeral_low()
    if low - 10_000 >= 1000:
        for _ in range(20):
            candidate = random.randrange(10_000, low)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", candidate))
                except OSError:
                    continue
                return candidate
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def daemon_command() -> List[str]:
    """The daemon under test: the repository's bin/temporal-handled.js run with node."""
    node = shutil.which("node")
    assert node, "node is needed to run the daemon"
    return [node, str(DAEMON_JS)]


def unique(prefix: str) -> str:
    """A unique workflow ID or task queue name."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def wait_until(check: Callable[[], Awaitable[Any]], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Polls ``check`` until it returns a truthy value; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        await asyncio.sleep(interval)


async def in_flight(client: Any) -> int:
    """Requests in flight in the daemon (the status request itself is not counted)."""
    status = await client.daemon_status()
    return int(status["inFlight"])
