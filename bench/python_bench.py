"""B1's Python measurements: per-call latency of describe, query and signal through
the temporal-handled Python client (a daemon spawned over stdio) and directly with
the Python SDK (temporalio.client.Client). Run by bench/run.ts with the project's
virtualenv; prints one JSON document on stdout:

  {"python": ..., "temporalio": ..., "samples": {path: {op: [[ms, ...] per rep]}}}

Paths take turns call by call, after a warm-up of each path and call.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import importlib.metadata
import json
import platform
import sys
import time
import urllib.parse
from typing import Any

from temporal_handled import Client as HandledClient
from temporalio.client import Client as SdkClient


class HttpApi:
    """The server's HTTP API (grpc-gateway) over one keep-alive connection, as a program without
    an SDK would call it: describe, query and signal of B7."""

    def __init__(self, host: str, port: int, live: str, parked: str) -> None:
        self.conn = http.client.HTTPConnection(host, port)
        self.live = urllib.parse.quote(live, safe="")
        self.parked = urllib.parse.quote(parked, safe="")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body)
        self.conn.request(
            method, path, body=data, headers={"content-type": "application/json"}
        )
        res = self.conn.getresponse()
        text = res.read()
        if res.status != 200:
            raise RuntimeError(f"HTTP {res.status}: {text[:200]!r}")
        return json.loads(text)

    async def describe(self) -> Any:
        return self._call("GET", f"/api/v1/namespaces/default/workflows/{self.parked}")

    async def query(self) -> Any:
        return self._call(
            "POST",
            f"/api/v1/namespaces/default/workflows/{self.live}/query/count",
            {"query": {}},
        )

    async def signal(self) -> Any:
        return self._call(
            "POST",
            f"/api/v1/namespaces/default/workflows/{self.parked}/signal/ping",
            {"input": [1]},
        )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument(
        "--live",
        required=True,
        help="workflow answering the `count` query (worker-run)",
    )
    ap.add_argument("--parked", required=True, help="workflow for describe and signal")
    ap.add_argument("--daemon", required=True, help="bin/temporal-handled.js")
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument(
        "--http-port", type=int, help="also time the server's HTTP API (B7), keep-alive"
    )
    a = ap.parse_args()

    sdk = await SdkClient.connect(a.address)
    handled = await HandledClient.spawn(
        a.daemon, address=a.address, args=["--log-level", "warn"]
    )
    try:
        handles: dict[str, Any] = {
            "python_daemon": (
                handled.get_workflow_handle(a.live),
                handled.get_workflow_handle(a.parked),
            ),
            "python_sdk": (
                sdk.get_workflow_handle(a.live),
                sdk.get_workflow_handle(a.parked),
            ),
        }
        if a.http_port:
            handles["python_http"] = HttpApi("127.0.0.1", a.http_port, a.live, a.parked)

        def op(path: str, name: str):
            if path == "python_http":
                return getattr(handles[path], name)
            live, parked = handles[path]
            if name == "describe":
                return parked.describe
            if name == "query":
                return lambda: live.query("count")
            return lambda: parked.signal("ping", 1)

        ops = ["describe", "query", "signal"]
        paths = list(handles)
        for path in paths:
            for name in ops:
                f = op(path, name)
                for _ in range(a.warmup):
                    await f()
        samples = {p: {o: [] for o in ops} for p in paths}
        # Paths take turns call by call, so that background load affects each alike.
        for rep in range(a.reps):
            order = paths if rep % 2 == 0 else list(reversed(paths))
            for name in ops:
                fs = {p: op(p, name) for p in paths}
                xs = {p: [] for p in paths}
                for i in range(a.calls):
                    for path in order if i % 2 == 0 else list(reversed(order)):
                        t0 = time.perf_counter()
                        await fs[path]()
                        xs[path].append((time.perf_counter() - t0) * 1000.0)
                for p in paths:
                    samples[p][name].append(xs[p])
    finally:
        await handled.close()
    json.dump(
        {
            "python": platform.python_version(),
            "temporalio": importlib.metadata.version("temporalio"),
            "samples": samples,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    asyncio.run(main())
