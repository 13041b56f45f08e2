"""JSON-RPC 2.0 over LSP base-protocol framing, on asyncio streams.

One :class:`Connection` per daemon connection. Requests are matched to responses
by id; ``$/progress`` notifications go to the callback registered for their token.
Cancelling the task awaiting :meth:`Connection.request` sends ``$/cancelRequest``
for that request id.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Set, Union

from . import _protocol
from .exceptions import DaemonConnectionError, RequestCancelledError, error_from_response

logger = logging.getLogger("temporal_handled")

ProgressCallback = Callable[[Dict[str, Any]], Union[None, Awaitable[None]]]

_MAX_HEADER_LINES = 32


def frame(message: Mapping[str, Any]) -> bytes:
    """One message with its ``Content-Length`` header (the length counts UTF-8 bytes)."""
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n" + body


class Connection:
    """A JSON-RPC connection to the daemon over a reader/writer pair."""

    def __init__(self, reader: asyncio.StreamReader, writer: Any, *, description: str = "daemon") -> None:
        """Wraps ``reader``/``writer`` (an ``asyncio.StreamWriter`` or anything with
        ``write``, ``drain``, ``close``); call :meth:`start` before use."""
        self._reader = reader
        self._writer = writer
        self._description = description
        self._ids = itertools.count(1)
        self._pending: Dict[Union[int, str], "asyncio.Future[Any]"] = {}
        self._progress: Dict[Union[int, str], ProgressCallback] = {}
        self._drain_lock: Optional[asyncio.Lock] = None
        self._read_task: Optional["asyncio.Task[None]"] = None
        self._closed_error: Optional[BaseException] = None
        self._closing = False
        # Requests this side asked the daemon to cancel ($/cancelRequest sent).
        self._cancel_sent: Set[Union[int, str]] = set()

    def start(self) -> None:
        """Starts reading messages (in a task on the running loop)."""
        self._drain_lock = asyncio.Lock()
        self._read_task = asyncio.ensure_future(self._read_loop())

    @property
    def is_closed(self) -> bool:
        """Whether the connection is gone."""
        return self._closed_error is not None

    # --- writing -----------------------------------------------------------------------

    def _write_now(self, message: Mapping[str, Any]) -> None:
        if self._closed_error is not None:
            raise DaemonConnectionError(f"Connection to {self._description} is closed: {self._closed_error}")
        # write() is synchronous, so whole frames never interleave.
        self._writer.write(frame(message))

    async def _send(self, message: Mapping[str, Any]) -> None:
        self._write_now(message)
        assert self._drain_lock is not None
        async with self._drain_lock:
            try:
                await self._writer.drain()
            except (ConnectionError, OSError) as err:
                raise DaemonConnectionError(f"Connection to {self._description} failed: {err}") from err

    async def notify(self, method: str, params: Optional[Mapping[str, Any]] = None) -> None:
        """Sends a notification."""
        msg: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        await self._send(msg)

    async def request(self, method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Sends a request and waits for its result.

        Raises:
            The exception :func:`error_from_response` maps the error response to;
            :class:`DaemonConnectionError` when the connection fails.
            Cancelling the awaiting task sends ``$/cancelRequest`` for this request.
        """
        loop = asyncio.get_running_loop()
        request_id = next(self._ids)
        fut: "asyncio.Future[Any]" = loop.create_future()
        self._pending[request_id] = fut
        msg: Dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            msg["params"] = params
        try:
            await self._send(msg)
            return await fut
        except asyncio.CancelledError:
            if self._pending.pop(request_id, None) is not None and self._closed_error is None:
                self._cancel_sent.add(request_id)
                try:
                    self._write_now(
                        {"jsonrpc": "2.0", "method": _protocol.CANCEL_REQUEST, "params": {"id": request_id}}
                    )
                except Exception:  # pragma: no cover - connection went away meanwhile
                    pass
            raise
        finally:
            self._pending.pop(request_id, None)
            self._cancel_sent.discard(request_id)

    # --- progress ----------------------------------------------------------------------

    def add_progress(self, token: Union[int, str], callback: ProgressCallback) -> None:
        """Routes ``$/progress`` notifications with ``token`` to ``callback``."""
        self._progress[token] = callback

    def remove_progress(self, token: Union[int, str]) -> None:
        """Stops routing ``$/progress`` for ``token``."""
        self._progress.pop(token, None)

    # --- reading -----------------------------------------------------------------------

    async def _read_message(self) -> Optional[Any]:
        length: Optional[int] = None
        lines = 0
        while True:
            line = await self._reader.readline()
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                if length is None:
                    if lines == 0:
                        continue
                    raise DaemonConnectionError("Message without a Content-Length header")
                break
            lines += 1
            if lines > _MAX_HEADER_LINES:
                raise DaemonConnectionError("Too many header lines")
            name, _, value = line.decode("ascii", "replace").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = await self._reader.readexactly(length)
        return json.loads(body.decode("utf-8"))

    async def _read_loop(self) -> None:
        error: BaseException = DaemonConnectionError(f"{self._description} closed the connection")
        try:
            while True:
                msg = await self._read_message()
                if msg is None:
                    break
                self._dispatch(msg)
        except asyncio.CancelledError:
            error = DaemonConnectionError(f"Connection to {self._description} was closed")
        except asyncio.IncompleteReadError:
            error = DaemonConnectionError(f"{self._description} closed the connection mid-message")
        except (ConnectionError, OSError) as err:
            error = DaemonConnectionError(f"Connection to {self._description} failed: {err}")
        except Exception as err:  # bad framing or JSON
            error = DaemonConnectionError(f"Bad message from {self._description}: {err}")
        finally:
            self._fail_all(error)

    def _fail_all(self, error: BaseException) -> None:
        if self._closed_error is None:
            self._closed_error = error
        pending = list(self._pending.values())
        self._pending.clear()
        for fut in pending:
            if not fut.done():
                fut.set_exception(error)

    def _dispatch(self, msg: Any) -> None:
        if not isinstance(msg, dict):
            logger.warning("ignoring a message that is not an object: %r", msg)
            return
        if "method" in msg:
            method = msg.get("method")
            if "id" in msg:
                # The protocol has no server-to-client requests; answer politely.
                self._write_or_log(
                    {
                        "jsonrpc": "2.0",
                        "id": msg["id"],
                        "error": {
                            "code": _protocol.ERROR_CODES["MethodNotFound"],
                            "message": f"Method not found: {method}",
                        },
                    }
                )
            elif method == _protocol.PROGRESS:
                params = msg.get("params") or {}
                token = params.get("token") if isinstance(params, dict) else None
                callback = self._progress.get(token) if isinstance(token, (int, str)) else None
                if callback is not None:
                    self._call_progress(callback, params.get("value"))
            return
        fut = self._pending.pop(msg.get("id"), None)  # type: ignore[arg-type]
        if fut is None or fut.done():
            return
        if "error" in msg and msg["error"] is not None:
            err = error_from_response(msg["error"])
            if isinstance(err, RequestCancelledError) and msg.get("id") not in self._cancel_sent:
                # Cancelled by the daemon, not by this client: it is shutting down (or dropped us).
                err = DaemonConnectionError(
                    f"{self._description} ended the call without being asked to: it is shutting down or "
                    f"dropped this client ({err})",
                    code=err.code,
                    data=err.data,
                )
            fut.set_exception(err)
        else:
            fut.set_result(msg.get("result"))

    def _write_or_log(self, message: Mapping[str, Any]) -> None:
        try:
            self._write_now(message)
        except Exception as err:  # pragma: no cover
            logger.debug("could not write to %s: %s", self._description, err)

    def _call_progress(self, callback: ProgressCallback, value: Any) -> None:
        try:
            out = callback(value)
            if inspect.isawaitable(out):
                task = asyncio.ensure_future(out)
                task.add_done_callback(_log_task_error)
        except Exception:
            logger.exception("progress callback raised")

    # --- closing -----------------------------------------------------------------------

    async def close(self) -> None:
        """Closes the writer and stops reading; pending requests fail."""
        if self._closing:
            return
        self._closing = True
        try:
            self._writer.close()
            wait_closed = getattr(self._writer, "wait_closed", None)
            if wait_closed is not None:
                try:
                    await asyncio.wait_for(wait_closed(), 2)
                except Exception:
                    pass
        except Exception:  # pragma: no cover
            pass
        if self._read_task is not None and not self._read_task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._read_task), 2)
            except Exception:
                self._read_task.cancel()
        self._fail_all(DaemonConnectionError(f"Connection to {self._description} was closed"))


def _log_task_error(task: "asyncio.Future[Any]") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("progress callback raised", exc_info=task.exception())
