"""JSON-RPC 2.0 over LSP base-protocol framing, on asyncio streams.

One :class:`Connection` per daemon connection. Requests are matched to responses
by id; ``$/progress`` notifications go to the callback registered for their token.
Cancelling the task awaiting :meth:`Connection.request` sends ``$/cancelRequest``
for that request id.

Messages are parsed as their bytes arrive, in the stream's own ``feed_data`` (no reading task
and no ``readline`` per header: an answer settles its call's future in the event-loop turn
that read it), and a body is decoded from the buffer it arrived in, without a copy.
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


_MAX_HEADER_LINE = 64 * 1024

# Made once: json.dumps with options builds a new encoder on every call.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def frame(message: Mapping[str, Any]) -> bytes:
    """One message with its ``Content-Length`` header (the length counts UTF-8 bytes)."""
    body = _encode(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%b" % (len(body), body)


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
        # Bytes of a message not yet whole (empty between messages).
        self._rbuf = bytearray()
        self._eof: Optional["asyncio.Future[None]"] = None
        self._closed_error: Optional[BaseException] = None
        self._closing = False
        # Requests this side asked the daemon to cancel ($/cancelRequest sent).
        self._cancel_sent: Set[Union[int, str]] = set()

    def start(self) -> None:
        """Starts reading messages: from now on, the bytes the stream's protocol feeds the reader
        are parsed and dispatched as they arrive (on the running loop)."""
        self._drain_lock = asyncio.Lock()
        self._eof = asyncio.get_running_loop().create_future()
        reader: Any = self._reader  # its methods are replaced on this instance
        # The transport's protocol calls these three; the reader's own buffer is never used.
        reader.feed_data = self._feed_data
        reader.feed_eof = self._feed_eof
        reader.set_exception = self._feed_exception

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
        transport = getattr(self._writer, "transport", None)
        if transport is not None and not transport.is_closing() and transport.get_write_buffer_size() == 0:
            return  # all written: drain() would return at once
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

    def _feed_data(self, data: bytes) -> None:
        if self._closed_error is not None or not data:
            return
        buf: Union[bytes, bytearray]
        if self._rbuf:
            self._rbuf += data
            buf = self._rbuf
        else:
            buf = data
        try:
            used = self._parse(buf)
        except Exception as err:  # bad framing or JSON
            self._rbuf = bytearray()
            self._stop(DaemonConnectionError(f"Bad message from {self._description}: {err}"))
            return
        if buf is self._rbuf:
            del self._rbuf[:used]
        elif used < len(buf):
            self._rbuf = bytearray(memoryview(buf)[used:])

    def _parse(self, buf: Union[bytes, bytearray]) -> int:
        """Dispatches every whole message in ``buf``; returns how many bytes they took."""
        pos = 0
        end = len(buf)
        view = memoryview(buf)
        try:
            while pos < end:
                length: Optional[int] = None
                lines = 0
                p = pos
                while True:
                    nl = buf.find(b"\n", p)
                    if nl < 0:
                        if end - p > _MAX_HEADER_LINE:
                            raise DaemonConnectionError("Header line too long")
                        return pos
                    line = buf[p : nl + 1]
                    p = nl + 1
                    if line == b"\r\n" or line == b"\n":
                        if length is None:
                            if lines == 0:
                                pos = p  # a blank line between messages
                                continue
                            raise DaemonConnectionError("Message without a Content-Length header")
                        break
                    lines += 1
                    if lines > _MAX_HEADER_LINES:
                        raise DaemonConnectionError("Too many header lines")
                    name, _, value = bytes(line).decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                        if length < 0:
                            raise DaemonConnectionError(f"Bad Content-Length {length}")
                if p + length > end:
                    return pos
                msg = json.loads(str(view[p : p + length], "utf-8"))
                pos = p + length
                self._dispatch(msg)
            return pos
        finally:
            view.release()

    def _feed_eof(self) -> None:
        if self._rbuf.strip():
            self._stop(DaemonConnectionError(f"{self._description} closed the connection mid-message"))
        else:
            self._stop(DaemonConnectionError(f"{self._description} closed the connection"))

    def _feed_exception(self, exc: BaseException) -> None:
        self._stop(DaemonConnectionError(f"Connection to {self._description} failed: {exc}"))

    def _stop(self, error: BaseException) -> None:
        """Reading is over (end of stream, a failure, bad input): pending requests fail."""
        self._fail_all(error)
        if self._eof is not None and not self._eof.done():
            self._eof.set_result(None)

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
        if self._eof is not None and not self._eof.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._eof), 2)
            except Exception:
                pass
        self._stop(DaemonConnectionError(f"Connection to {self._description} was closed"))


def _log_task_error(task: "asyncio.Future[Any]") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("progress callback raised", exc_info=task.exception())
