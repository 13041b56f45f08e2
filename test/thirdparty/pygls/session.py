"""Drives temporal-handled through a full session with pygls 2's client side.

    python session.py --flavour jsonrpc|lsp

``jsonrpc``: ``pygls.client.JsonRPCClient`` (untyped params and results).
``lsp``: ``pygls.lsp.client.LanguageClient``, whose protocol structures every LSP method it
knows with lsprotocol's types (``initialize``, ``shutdown``, ``exit``, ``$/progress``) and
passes the daemon's own methods through untyped, as an editor plugin written with pygls would.

The session's inputs come in TH_* variables (see ../README.md); over stdio the client spawns
the daemon (``start_io``), over the Unix socket it runs pygls' reader loop (``pygls.io_.run_async``)
on ``asyncio.open_unix_connection`` (pygls has no Unix-socket helper). Writes a JSON transcript
to $TH_TRANSCRIPT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from importlib.metadata import version
from typing import Any

from lsprotocol import types
from pygls.client import JsonRPCClient
from pygls.exceptions import JsonRpcException
from pygls.io_ import run_async
from pygls.lsp.client import LanguageClient


def ms(t0: float) -> int:
    return round((time.monotonic() - t0) * 1000)


async def session(flavour: str, t: dict[str, Any]) -> None:
    client: JsonRPCClient = (
        LanguageClient("pygls-lsp", "1") if flavour == "lsp" else JsonRPCClient()
    )
    proto = client.protocol
    report_errors(client, t)
    conv = proto._converter  # the converter pygls itself (un)structures with
    name = "pygls-lsp" if flavour == "lsp" else "pygls"
    steps: dict[str, Any] = t["steps"]
    env = os.environ

    def plain(v: Any) -> Any:
        """What the program got, as JSON: attrs classes unstructured, and the namedtuples
        (``Object``) that pygls' default converter makes of every untyped JSON object."""
        if hasattr(v, "__attrs_attrs__"):
            return plain(conv.unstructure(v))
        if isinstance(v, tuple) and hasattr(v, "_asdict"):
            return {k: plain(x) for k, x in v._asdict().items()}
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    @client.feature("$/progress")
    def on_progress(params: Any) -> None:
        p = plain(params)
        t["progress"].append({"token": p.get("token"), "value": p.get("value")})

    async def call(step: str, method: str, params: Any = None) -> Any:
        t0 = time.monotonic()
        try:
            r = await proto.send_request_async(method, params)
            steps[step] = {"ms": ms(t0), "result": plain(r)}
            return r
        except JsonRpcException as e:
            steps[step] = {
                "ms": ms(t0),
                "error": {"code": e.code, "message": e.message, "data": plain(e.data)},
            }
            return None

    sock = env.get("TH_SOCKET")
    reader_task: asyncio.Task[Any] | None = None
    if sock:
        reader, writer = await asyncio.open_unix_connection(sock)
        proto.set_writer(writer)
        reader_task = asyncio.create_task(
            run_async(stop_event=client._stop_event, reader=reader, protocol=proto)
        )
    else:
        await client.start_io(
            env["TH_NODE"], env["TH_BIN"], "--stdio", "--address", env["TH_ADDRESS"]
        )
        server = client._server
        assert server is not None and server.stderr is not None
        # start_io pipes the server's stderr and never reads it: drain it, or a daemon that
        # logs more than a pipe buffer (64 KiB) blocks on write.
        stderr = server.stderr

        async def drain() -> None:
            while await stderr.read(65536):
                pass

        asyncio.create_task(drain())

    tq, prefix = env["TH_TASK_QUEUE"], env["TH_WF_PREFIX"]
    if flavour == "lsp":
        t0 = time.monotonic()
        res = await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                process_id=os.getpid(),
                client_info=types.ClientInfo(name=name, version=version("pygls")),
            )
        )
        steps["initialize"] = {"ms": ms(t0), "result": plain(res)}
        t["initializeTyped"] = True
        client.initialized(types.InitializedParams())
    else:
        await call(
            "initialize",
            "initialize",
            {
                "clientInfo": {"name": name, "version": version("pygls")},
                "processId": os.getpid(),
            },
        )
        proto.notify("initialized", {})

    info = await call(
        "start",
        "workflow/start",
        {"workflowType": "signals", "taskQueue": tq, "workflowId": f"{prefix}-signals"},
    )
    h = info.handle  # pygls hands untyped results over as namedtuples
    await call("describe", "handle/describe", {"handle": h})
    await call(
        "query",
        "handle/query",
        {"handle": h, "query": "greet", "args": ["Grüße", f"{name} 🌍"]},
    )
    await call("signal", "handle/signal", {"handle": h, "signal": "add", "args": ["x"]})
    await call("signalFinish", "handle/signal", {"handle": h, "signal": "finish"})
    await call("result", "handle/result", {"handle": h})

    chain = await call(
        "startChain",
        "workflow/start",
        {
            "workflowType": "chain",
            "taskQueue": tq,
            "workflowId": f"{prefix}-chain",
            "args": [2],
        },
    )
    await call(
        "resultWithProgress",
        "handle/result",
        {"handle": chain.handle, "workDoneToken": "tp-progress"},
    )

    fv = await call(
        "startForever",
        "workflow/start",
        {"workflowType": "forever", "taskQueue": tq, "workflowId": f"{prefix}-forever"},
    )
    # A cancelled wait: pygls sends no $/cancelRequest by itself; the id is ours to pick.
    t0 = time.monotonic()
    mid = f"cancel-{prefix}"
    fut = proto.send_request_async("handle/result", {"handle": fv.handle}, msg_id=mid)
    await asyncio.sleep(0.5)
    # LanguageClient types the notifications LSP defines: a plain dict as CancelParams fails to
    # serialise and pygls only logs it (nothing is sent).
    proto.notify(
        "$/cancelRequest",
        types.CancelParams(id=mid) if flavour == "lsp" else {"id": mid},
    )
    try:
        r = await asyncio.wait_for(fut, 10)
        steps["cancelledResult"] = {"ms": ms(t0), "id": mid, "result": plain(r)}
    except JsonRpcException as e:
        steps["cancelledResult"] = {
            "ms": ms(t0),
            "id": mid,
            "error": {"code": e.code, "message": e.message, "data": plain(e.data)},
            "exception": type(e).__name__,
        }
    except TimeoutError:
        steps["cancelledResult"] = {
            "ms": ms(t0),
            "id": mid,
            "error": {"code": "timeout", "message": "no answer in 10 s"},
        }

    await call(
        "terminate",
        "handle/terminate",
        {"handle": fv.handle, "reason": "third-party test"},
    )
    await call("describeTerminated", "handle/describe", {"handle": fv.handle})
    await call("release", "handle/release", {"handle": fv.handle})
    await call("describeReleased", "handle/describe", {"handle": fv.handle})
    unknown = await call(
        "getHandleUnknown",
        "workflow/getHandle",
        {"workflowId": f"{prefix}-does-not-exist"},
    )
    await call("describeUnknown", "handle/describe", {"handle": unknown.handle})

    # The daemon's value conventions through pygls' namedtuples: {"$bytes": ...} as a result value.
    echo = await call(
        "startEcho",
        "workflow/start",
        {
            "workflowType": "echo",
            "taskQueue": tq,
            "workflowId": f"{prefix}-echo",
            "args": [{"$bytes": "aGk=", "plain": 1}],
        },
    )
    await call("echoBytes", "handle/result", {"handle": echo.handle})

    if flavour == "lsp":
        t0 = time.monotonic()
        try:
            steps["shutdown"] = {
                "ms": ms(t0),
                "result": plain(await client.shutdown_async(None)),
            }
        except JsonRpcException as e:
            steps["shutdown"] = {
                "ms": ms(t0),
                "error": {"code": e.code, "message": e.message, "data": plain(e.data)},
            }
        t1 = time.monotonic()
        client.exit(None)
    else:
        await call("shutdown", "shutdown")
        t1 = time.monotonic()
        proto.notify("exit")

    if sock:
        assert reader_task is not None
        try:
            await asyncio.wait_for(reader_task, 15)
            t["exit"] = {"closed": True, "ms": ms(t1)}
        except TimeoutError:
            t["exit"] = {"closed": False, "ms": ms(t1)}
    else:
        server = client._server
        assert server is not None
        try:
            code = await asyncio.wait_for(server.wait(), 15)
        except TimeoutError:
            code = None
        t["exit"] = {"code": code, "ms": ms(t1)}
    client._stop_event.set()


def report_errors(client: JsonRPCClient, t: dict[str, Any]) -> None:
    """pygls reports what it could not send or read through report_server_error: keep it."""

    def report(error: Exception, source: Any) -> None:
        t["notes"].append(
            f"pygls reported {getattr(source, '__name__', source)}: {type(error).__name__}: {error}"
        )

    client.report_server_error = report  # type: ignore[method-assign]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flavour", choices=["jsonrpc", "lsp"], default="jsonrpc")
    a = ap.parse_args()
    t: dict[str, Any] = {
        "client": "pygls-lsp" if a.flavour == "lsp" else "pygls",
        "clientVersion": version("pygls"),
        "lsprotocolVersion": version("lsprotocol"),
        "cattrsVersion": version("cattrs"),
        "transport": "socket" if os.environ.get("TH_SOCKET") else "stdio",
        "steps": {},
        "progress": [],
        "notes": [],
    }
    t0 = time.monotonic()
    try:
        asyncio.run(asyncio.wait_for(session(a.flavour, t), 120))
    except BaseException as e:  # noqa: BLE001 - the transcript says what killed the session
        t["fatal"] = f"{type(e).__name__}: {e}"
    t["totalMs"] = ms(t0)
    with open(os.environ["TH_TRANSCRIPT"], "w", encoding="utf-8") as f:
        json.dump(t, f)


if __name__ == "__main__":
    main()
