"""The asyncio client: :class:`Client` and :class:`WorkflowHandle`."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import weakref
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Generic,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    TypeVar,
    Union,
)

from . import _history, _protocol
from ._connection import Connection, ProgressCallback
from ._convert import return_type_of, to_type
from ._history import WorkflowHistory, WorkflowHistoryEventAsyncIterator, WorkflowHistoryEventFilterType
from ._search_attributes import typed_pairs_param, untyped_param
from ._values import arg_or_args, decode_value, encode_value, encode_values
from ._version import __version__
from .common import (
    Duration,
    QueryRejectCondition,
    RetryPolicy,
    WorkflowExecution,
    WorkflowExecutionCount,
    WorkflowExecutionDescription,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
    WorkflowUpdateStage,
    duration_param,
    enum_param,
    retry_policy_param,
)
from .exceptions import (
    DaemonConnectionError,
    FailureError,
    InvalidHandleError,
    RPCError,
    RPCStatusCode,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    failure_to_error,
)


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()

_BIN_ENV = "TEMPORAL_HANDLED_BIN"

SelfType = TypeVar("SelfType")
ReturnType = TypeVar("ReturnType", covariant=True)
LocalReturnType = TypeVar("LocalReturnType", covariant=True)


def _typed(value: Any, hint: Any) -> Any:
    """A decoded result converted to ``hint`` as temporalio's default converter does."""
    if hint is None:
        return value
    return to_type(hint, value)


def _name_of(obj: Any, attr: str, what: str) -> str:
    """A workflow, signal or query name: a string, or a temporalio-decorated class/function."""
    if isinstance(obj, str):
        return obj
    defn = getattr(obj, attr, None)
    name = getattr(defn, "name", None)
    if isinstance(name, str) and name:
        return name
    if defn is not None:
        raise RuntimeError(f"Cannot invoke dynamic {what} definition")
    raise TypeError(f"{what} must be a name (str) or a temporalio-decorated {what}, not {obj!r}")


def _start_params(
    workflow: Any,
    arg: Any,
    args: Sequence[Any],
    *,
    id: str,
    task_queue: str,
    execution_timeout: Optional[Duration],
    run_timeout: Optional[Duration],
    task_timeout: Optional[Duration],
    id_reuse_policy: Union[WorkflowIDReusePolicy, str],
    id_conflict_policy: Union[WorkflowIDConflictPolicy, str],
    retry_policy: Any,
    cron_schedule: str,
    memo: Optional[Mapping[str, Any]],
    search_attributes: Any,
    static_summary: Optional[str],
    static_details: Optional[str],
    start_delay: Optional[Duration],
) -> Dict[str, Any]:
    """The params of ``workflow/start`` (without the start signal), as the SDK's options name them."""
    params: Dict[str, Any] = {
        "workflowType": _name_of(workflow, "__temporal_workflow_definition", "workflow"),
        "taskQueue": task_queue,
        "workflowId": id,
        "args": encode_values(arg_or_args(arg, args, _UNSET)),
        "idReusePolicy": enum_param(id_reuse_policy, WorkflowIDReusePolicy, "id_reuse_policy"),
        "idConflictPolicy": enum_param(id_conflict_policy, WorkflowIDConflictPolicy, "id_conflict_policy"),
        "cronSchedule": cron_schedule or "",
    }
    optional = {
        "executionTimeout": duration_param(execution_timeout, "execution_timeout"),
        "runTimeout": duration_param(run_timeout, "run_timeout"),
        "taskTimeout": duration_param(task_timeout, "task_timeout"),
        "startDelay": duration_param(start_delay, "start_delay"),
        "retryPolicy": retry_policy_param(retry_policy),
        "memo": {k: encode_value(v) for k, v in memo.items()} if memo is not None else None,
        "staticSummary": _str_or_none(static_summary, "static_summary"),
        "staticDetails": _str_or_none(static_details, "static_details"),
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    params.update(_search_attributes_params(search_attributes))
    return params


def _str_or_none(value: Any, name: str) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a str, not {type(value).__name__}")


def _search_attributes_params(search_attributes: Any) -> Dict[str, Any]:
    """``search_attributes`` as temporalio takes them: a ``TypedSearchAttributes`` (this
    client's or temporalio's) or the deprecated dict form (``{name: [values]}``; a plain
    ``{name: value}`` too). The typed form goes as ``typedSearchAttributes`` where the daemon's
    ``workflow/start`` takes it, else as ``searchAttributes`` by name (the server knows each type)."""
    if search_attributes is None:
        return {}
    typed = typed_pairs_param(search_attributes)
    if typed is not None:
        if "typedSearchAttributes" in _protocol.METHOD_PARAMS.get(_protocol.WORKFLOW_START, ()):
            return {"typedSearchAttributes": typed} if typed else {}
        return {"searchAttributes": {p["key"]: encode_value(p["value"]) for p in typed}} if typed else {}
    if isinstance(search_attributes, Mapping):
        return {"searchAttributes": untyped_param(search_attributes)} if search_attributes else {}
    raise TypeError(
        "search_attributes must be a TypedSearchAttributes (this client's or temporalio's) or a mapping of "
        f"name to values, not {type(search_attributes).__name__}"
    )


# --- updates: shared helpers --------------------------------------------------------------


def _update_params(update: Any, arg: Any, args: Sequence[Any], id: Optional[str]) -> Dict[str, Any]:
    params: Dict[str, Any] = {
        "update": _name_of(update, "_defn", "update"),
        "args": encode_values(arg_or_args(arg, args, _UNSET)),
    }
    if id is not None:
        params["updateId"] = id
    return params


def _wait_stage(wait_for_stage: Any) -> str:
    if wait_for_stage is None:
        raise TypeError("wait_for_stage is required (WorkflowUpdateStage.ACCEPTED or COMPLETED)")
    stage = enum_param(wait_for_stage, WorkflowUpdateStage, "wait_for_stage")
    assert stage is not None
    return stage


async def _update_call(what: Awaitable[Any]) -> Any:
    """Awaits an update call, as the SDK reports its outcome: a passed deadline
    (DEADLINE_EXCEEDED, CANCELLED) or the awaiting task's cancellation is
    WorkflowUpdateRPCTimeoutOrCancelledError (raised from the original error)."""
    try:
        return await what
    except asyncio.CancelledError as err:
        raise WorkflowUpdateRPCTimeoutOrCancelledError() from err
    except RPCError as err:
        if err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
            raise WorkflowUpdateRPCTimeoutOrCancelledError() from err
        raise


# Background update/release requests sent for collected update handles (kept referenced until done).
_RELEASES: Set["asyncio.Task[None]"] = set()


async def _release_quietly(conn: Connection, token: str) -> None:
    try:
        await conn.request(_protocol.UPDATE_RELEASE, {"update": token})
    except Exception:
        pass


def _release_in_loop(conn: Connection, token: str) -> None:
    task = asyncio.ensure_future(_release_quietly(conn, token))
    _RELEASES.add(task)
    task.add_done_callback(_RELEASES.discard)


class _UpdateToken:
    """An update handle's daemon token, where the handle's finalizer can reach it without the handle."""

    __slots__ = ("conn", "loop", "token")

    def __init__(self) -> None:
        self.conn: Optional[Connection] = None
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.token: Optional[str] = None

    def set(self, conn: Connection, token: str) -> None:
        self.conn, self.loop, self.token = conn, asyncio.get_running_loop(), token

    def take(self) -> Optional[str]:
        token, self.token = self.token, None
        return token

    def release_soon(self) -> None:
        """Sends ``update/release`` for the token in the background (from any thread, e.g. the GC's)."""
        token = self.take()
        loop, conn = self.loop, self.conn
        if token is None or loop is None or conn is None or loop.is_closed() or conn.is_closed:
            return
        try:
            loop.call_soon_threadsafe(_release_in_loop, conn, token)
        except RuntimeError:  # pragma: no cover - the loop closed meanwhile
            pass


def _metadata_param(rpc_metadata: Mapping[str, Union[str, bytes]]) -> Dict[str, str]:
    """``rpc_metadata`` as the protocol's ``rpcMetadata`` {KEY: string}. The daemon sends text
    metadata only: a ``bytes`` value (temporalio's binary ``-bin`` metadata) is refused here;
    keys and values the daemon does not take are refused by it (``InvalidParamsError``)."""
    out: Dict[str, str] = {}
    if not isinstance(rpc_metadata, Mapping):
        raise TypeError(f"rpc_metadata must be a mapping of str to str, not {type(rpc_metadata).__name__}")
    for key, value in rpc_metadata.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"rpc_metadata keys must be non-empty str, not {key!r}")
        if isinstance(value, (bytes, bytearray)):
            raise NotImplementedError(
                f"rpc_metadata[{key!r}]: binary metadata (a bytes value) is not supported by temporal-handled: "
                "the daemon sends text metadata only"
            )
        if not isinstance(value, str):
            raise TypeError(f"rpc_metadata[{key!r}] must be a str, not {type(value).__name__}")
        out[key] = value
    return out


def _timeout_param(rpc_timeout: Any) -> timedelta:
    if not isinstance(rpc_timeout, timedelta):
        raise TypeError(f"rpc_timeout must be a timedelta, not {type(rpc_timeout).__name__}")
    if rpc_timeout <= timedelta(0):
        raise ValueError(f"rpc_timeout must be positive, not {rpc_timeout}")
    return rpc_timeout


def _connect_socket_path(target_host: str, namespace: str, api_key: Optional[str], tls: Optional[bool]) -> str:
    """The shared daemon's socket for one (address, namespace, API key, TLS) combination."""
    import hashlib
    import tempfile

    key = "\0".join([target_host, namespace, hashlib.sha256((api_key or "").encode()).hexdigest(), repr(tls)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    base = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(tempfile.gettempdir(), f"temporal-handled-{os.getuid()}")
    return os.path.join(base, "temporal-handled", f"{digest}.sock")


async def _attach_or_start(
    path: str, target_host: str, namespace: str, api_key: Optional[str], tls: Optional[bool], timeout: float
) -> "Client":
    try:
        return await Client.attach(path, namespace=namespace)
    except (OSError, DaemonConnectionError):
        pass
    if os.environ.get("TEMPORAL_HANDLED_SOCKET"):
        raise DaemonConnectionError(f"no temporal-handled daemon answers at TEMPORAL_HANDLED_SOCKET={path}")
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    argv = default_daemon_command() + [
        "--listen-socket",
        path,
        "--address",
        target_host,
        "--namespace",
        namespace,
        "--log-file",
        path + ".log",
        "--log-level",
        "warn",
    ]
    if tls is not None:
        argv.append("--tls" if tls else "--no-tls")
    env = dict(os.environ)
    if api_key is not None:
        env["TEMPORAL_API_KEY"] = api_key
    import subprocess

    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: BaseException = DaemonConnectionError("not started")
    while loop.time() < deadline:
        if proc.poll() is not None:
            # Another process may have started the daemon for this path first: attach to it.
            try:
                return await Client.attach(path, namespace=namespace)
            except (OSError, DaemonConnectionError):
                raise DaemonConnectionError(
                    f"temporal-handled exited with code {proc.returncode} at start; its log is {path}.log"
                ) from None
        try:
            return await Client.attach(path, namespace=namespace)
        except (OSError, DaemonConnectionError) as err:
            last = err
            await asyncio.sleep(0.1)
    raise DaemonConnectionError(f"temporal-handled did not answer at {path} within {timeout:g}s: {last}")


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError("node was not found on PATH (needed to run bin/temporal-handled.js)")
    return node


def _argv_for(command: Union[str, "os.PathLike[str]", Sequence[str]]) -> List[str]:
    if isinstance(command, (str, os.PathLike)):
        path = os.fspath(command)
        return [_node(), path] if path.endswith(".js") else [path]
    argv = [os.fspath(c) for c in command]
    if not argv:
        raise ValueError("command must not be empty")
    return argv


def default_daemon_command() -> List[str]:
    """The daemon to spawn when none is given.

    In order: the ``TEMPORAL_HANDLED_BIN`` environment variable (an executable, or a
    ``.js`` file run with node); ``temporal-handled`` on ``PATH``; the repository's
    ``bin/temporal-handled.js`` (run with node) when this package sits in a checkout
    of the temporal-handled repository (e.g. installed with ``pip install -e``).

    Raises:
        FileNotFoundError: None of these was found.
    """
    env_bin = os.environ.get(_BIN_ENV)
    if env_bin:
        return _argv_for(env_bin)
    on_path = shutil.which("temporal-handled")
    if on_path:
        return [on_path]
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "bin" / "temporal-handled.js"
        if candidate.is_file() and (parent / "package.json").is_file():
            return [_node(), str(candidate)]
    raise FileNotFoundError(
        "temporal-handled was not found: set TEMPORAL_HANDLED_BIN, put temporal-handled on PATH, "
        "or pass command= to Client.spawn"
    )


class Client:
    """A connection to a temporal-handled daemon.

    Create one with :meth:`spawn` (a private daemon on stdio) or :meth:`attach`
    (a running daemon's Unix socket or loopback TCP port). Use it as an async
    context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        connection: Connection,
        init_result: Mapping[str, Any],
        *,
        process: Optional[asyncio.subprocess.Process] = None,
    ) -> None:
        """Wraps an initialized connection; use :meth:`spawn` or :meth:`attach` instead."""
        self._conn = connection
        self._init = dict(init_result)
        self._process = process
        self._closed = False
        self._tokens = itertools.count(1)
        self._rpc_metadata: Dict[str, str] = {}
        self._default_reject_condition: Optional[str] = None
        # attach() sets this: how to open the connection again after the daemon went away.
        self._reopen: Optional[Callable[[], Awaitable[Tuple[Connection, Dict[str, Any]]]]] = None
        self._reopen_lock: Optional[asyncio.Lock] = None

    # --- construction ------------------------------------------------------------------

    @classmethod
    async def spawn(
        cls,
        command: Union[None, str, "os.PathLike[str]", Sequence[str]] = None,
        *,
        address: Optional[str] = None,
        namespace: Optional[str] = None,
        args: Sequence[str] = (),
        env: Optional[Mapping[str, str]] = None,
    ) -> "Client":
        """Starts a daemon of its own and talks to it over stdio.

        Args:
            command: The daemon: an executable path, a ``.js`` file (run with node) or a
                full argv list. Default: :func:`default_daemon_command`.
            address: Temporal's ``HOST:PORT`` (``--address``); else the daemon's own
                defaults apply (``TEMPORAL_ADDRESS``, profiles, ``localhost:7233``).
            namespace: The namespace (``--namespace``, and the session's default).
            args: More daemon flags, e.g. ``["--log-level", "warn"]``.
            env: Environment variables set for the daemon, on top of this process's.

        The daemon's log goes to this process's standard error.
        """
        argv = default_daemon_command() if command is None else _argv_for(command)
        # --clientProcessId: the daemon exits if this process dies without closing it.
        argv = argv + ["--stdio", "--clientProcessId", str(os.getpid())]
        if address is not None:
            argv += ["--address", address]
        if namespace is not None:
            argv += ["--namespace", namespace]
        argv += [str(a) for a in args]
        full_env = None
        if env is not None:
            full_env = dict(os.environ)
            full_env.update(env)
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=full_env,
        )
        assert process.stdin is not None and process.stdout is not None
        conn = Connection(process.stdout, process.stdin, description="temporal-handled (stdio)")
        conn.start()
        try:
            init = await cls._initialize(conn, namespace=namespace, auth_token=None)
        except BaseException as err:
            await conn.close()
            await _stop_process(process)
            if isinstance(err, DaemonConnectionError) and process.returncode is not None:
                raise DaemonConnectionError(
                    f"temporal-handled exited with code {process.returncode} before initialize answered "
                    f"(its standard error has the reason); command: {argv}"
                ) from err
            raise
        return cls(conn, init, process=process)

    @classmethod
    async def connect(
        cls,
        target_host: str,
        *,
        namespace: str = "default",
        api_key: Optional[str] = None,
        data_converter: Any = None,
        plugins: Sequence[Any] = [],
        interceptors: Sequence[Any] = [],
        default_workflow_query_reject_condition: Optional[Union[QueryRejectCondition, str]] = None,
        tls: Optional[bool] = None,
        retry_config: Any = None,
        keep_alive_config: Any = None,
        connect_timeout: Optional[timedelta] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        identity: Optional[str] = None,
        lazy: bool = False,
        runtime: Any = None,
        http_connect_proxy_config: Any = None,
        dns_load_balancing_config: Any = None,
        grpc_compression: Any = None,
        payload_limits: Any = None,
        header_codec_behavior: Any = None,
    ) -> "Client":
        """Connects to Temporal at ``target_host`` through a shared daemon, with
        ``temporalio.client.Client.connect``'s signature.

        The daemon is picked by (``target_host``, ``namespace``, ``api_key``, ``tls``): the
        socket ``TEMPORAL_HANDLED_SOCKET`` names if set (its daemon must serve that address and
        namespace), else ``<runtime dir>/temporal-handled/<hash>.sock`` (``$XDG_RUNTIME_DIR``,
        else the temp directory), one per such combination. When no daemon answers there, one
        is started in the background (``--listen-socket`` on that path, logging to the path with
        ``.log``) and keeps running for every later ``connect`` until it is stopped; the API key
        goes to it in its environment, never on its command line.

        ``rpc_metadata`` is added to every call (a call's own ``rpc_metadata`` overrides it) and
        ``default_workflow_query_reject_condition`` applies to queries that give none.
        ``lazy`` is accepted (the daemon connects to Temporal on its own schedule either way).
        The options about temporalio's own machinery (``data_converter``, ``plugins``,
        ``interceptors``, ``retry_config``, ``keep_alive_config``, ``identity``, ``runtime``, the
        proxy, DNS, compression, payload-limit and header-codec configs) and a ``TLSConfig`` object
        raise ``NotImplementedError`` unless left unset: configure the daemon instead.

        Raises:
            NotImplementedError: An option the daemon cannot honour was given.
            DaemonConnectionError: No daemon could be reached or started in time.
        """
        unsupported = {
            "data_converter": data_converter,
            "plugins": list(plugins) or None,
            "interceptors": list(interceptors) or None,
            "retry_config": retry_config,
            "keep_alive_config": keep_alive_config,
            "identity": identity,
            "runtime": runtime,
            "http_connect_proxy_config": http_connect_proxy_config,
            "dns_load_balancing_config": dns_load_balancing_config,
            "grpc_compression": grpc_compression,
            "payload_limits": payload_limits,
            "header_codec_behavior": header_codec_behavior,
        }
        given = [k for k, v in unsupported.items() if v is not None]
        if given:
            raise NotImplementedError(
                f"Client.connect: {', '.join(given)} not supported by temporal-handled (the daemon holds the "
                "connection; configure it with its flags or temporal.toml)"
            )
        if tls is not None and not isinstance(tls, bool):
            raise NotImplementedError(
                "Client.connect: a TLSConfig is not supported; pass tls=True and give the "
                "daemon its certificates (--tls-cert-path, --tls-key-path, --tls-ca-path)"
            )
        if not isinstance(target_host, str) or not target_host:
            raise TypeError(f"target_host must be a non-empty 'HOST:PORT' str, not {target_host!r}")
        metadata = _metadata_param(rpc_metadata)
        condition = enum_param(
            default_workflow_query_reject_condition, QueryRejectCondition, "default_workflow_query_reject_condition"
        )
        timeout = (connect_timeout or timedelta(seconds=15)).total_seconds()
        path = os.environ.get("TEMPORAL_HANDLED_SOCKET") or _connect_socket_path(target_host, namespace, api_key, tls)
        client = await _attach_or_start(path, target_host, namespace, api_key, tls, timeout)
        address = str((client._init.get("temporal") or {}).get("address") or "")
        if address and address != target_host:
            await client.close()
            raise DaemonConnectionError(
                f"the daemon at {path} serves {address}, not {target_host} (unset TEMPORAL_HANDLED_SOCKET or "
                "point it at a daemon for that address)"
            )
        client._rpc_metadata = metadata
        client._default_reject_condition = condition
        return client

    @classmethod
    async def attach(
        cls,
        path_or_port: Union[str, "os.PathLike[str]", int],
        *,
        auth_token: Optional[str] = None,
        namespace: Optional[str] = None,
        host: str = "127.0.0.1",
    ) -> "Client":
        """Connects to a running daemon.

        Args:
            path_or_port: The daemon's Unix socket path (``--socket PATH``), or its TCP
                port (``--port N``) as an ``int`` or a string of digits.
            auth_token: The shared secret (required on TCP; see ``--token-file``).
            namespace: The session's default namespace (default: the daemon's).
            host: The TCP host (loopback).
        """

        async def open_session() -> Tuple[Connection, Dict[str, Any]]:
            if isinstance(path_or_port, int) or (isinstance(path_or_port, str) and path_or_port.isdigit()):
                port = int(path_or_port)
                reader, writer = await asyncio.open_connection(host, port)
                description = f"temporal-handled ({host}:{port})"
            else:
                path = os.fspath(path_or_port)
                reader, writer = await asyncio.open_unix_connection(path)
                description = f"temporal-handled ({path})"
            conn = Connection(reader, writer, description=description)
            conn.start()
            try:
                init = await cls._initialize(conn, namespace=namespace, auth_token=auth_token)
            except BaseException:
                await conn.close()
                raise
            return conn, init

        conn, init = await open_session()
        client = cls(conn, init)
        client._reopen = open_session
        return client

    @staticmethod
    async def _initialize(conn: Connection, *, namespace: Optional[str], auth_token: Optional[str]) -> Dict[str, Any]:
        params: Dict[str, Any] = {"clientInfo": {"name": "temporal-handled-python", "version": __version__}}
        if namespace is not None:
            params["namespace"] = namespace
        if auth_token is not None:
            params["authToken"] = auth_token
        result = await conn.request(_protocol.INITIALIZE, params)
        await conn.notify(_protocol.INITIALIZED, {})
        return dict(result or {})

    # --- properties --------------------------------------------------------------------

    @property
    def namespace(self) -> str:
        """The session's namespace."""
        return str((self._init.get("temporal") or {}).get("namespace") or "default")

    @property
    def server_info(self) -> Dict[str, Any]:
        """The ``initialize`` result: serverInfo, protocolVersion, capabilities, temporal."""
        return dict(self._init)

    @property
    def process(self) -> Optional[asyncio.subprocess.Process]:
        """The spawned daemon process (``None`` when attached)."""
        return self._process

    # --- raw access --------------------------------------------------------------------

    async def call(self, method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Sends one raw protocol request and returns its result (values are not converted).

        Errors are raised as the same exceptions the typed methods raise.
        """
        await self._ensure_connected()
        return await self._conn.request(method, dict(params) if params is not None else None)

    def _conn_alive(self) -> bool:
        return not self._conn.is_closed

    async def _ensure_connected(self) -> None:
        """An attached client whose daemon went away (restarted, shut down) reconnects here, on
        its next call; handles are then re-made on the new session (their tokens are unknown to
        it). A spawned client's daemon is gone with its process: that stays an error."""
        if not self._conn.is_closed or self._reopen is None or self._closed:
            return
        if self._reopen_lock is None:
            self._reopen_lock = asyncio.Lock()
        async with self._reopen_lock:
            if self._conn_alive():  # another call reconnected meanwhile
                return
            try:
                conn, init = await self._reopen()
            except (OSError, DaemonConnectionError) as err:
                raise DaemonConnectionError(
                    f"the daemon went away and does not answer again ({type(err).__name__}: {err})"
                ) from err
            self._conn, self._init = conn, dict(init)

    async def _call(
        self,
        method: str,
        params: Mapping[str, Any],
        rpc_timeout: Optional[timedelta] = None,
        rpc_metadata: Optional[Mapping[str, Union[str, bytes]]] = None,
    ) -> Any:
        """One request with the per-call options: sent as the protocol's ``rpcMetadata`` and
        ``rpcTimeout`` where the contract gives the method them (the daemon then applies the
        timeout to each gRPC call, as temporalio does); otherwise ``rpc_metadata`` is refused and
        ``rpc_timeout`` bounds the whole call here."""
        if self._conn.is_closed:
            await self._ensure_connected()
        full = dict(params)
        accepted = _protocol.METHOD_PARAMS.get(method, ())
        if self._rpc_metadata and "rpcMetadata" in accepted:
            # Client-level metadata (Client.connect's rpc_metadata); the call's own keys override it.
            rpc_metadata = {**self._rpc_metadata, **(rpc_metadata or {})}
        if rpc_metadata:
            if "rpcMetadata" not in accepted:
                raise NotImplementedError(
                    f"rpc_metadata is not supported by this daemon's {method}: its protocol has no rpcMetadata param"
                )
            full["rpcMetadata"] = _metadata_param(rpc_metadata)
        if rpc_timeout is not None and "rpcTimeout" in accepted:
            full["rpcTimeout"] = duration_param(_timeout_param(rpc_timeout), "rpc_timeout")
            return await self._conn.request(method, full)
        if rpc_timeout is None:
            return await self._conn.request(method, full)
        try:
            return await asyncio.wait_for(self._conn.request(method, full), _timeout_param(rpc_timeout).total_seconds())
        except asyncio.TimeoutError:
            raise RPCError("Deadline exceeded (rpc_timeout)", RPCStatusCode.DEADLINE_EXCEEDED) from None

    async def daemon_status(self) -> Dict[str, Any]:
        """The daemon's status: uptime, clients, handles, in-flight calls, connection, server version."""
        await self._ensure_connected()
        return dict(await self._conn.request(_protocol.DAEMON_STATUS) or {})

    # --- workflows ---------------------------------------------------------------------

    async def start_workflow(
        self,
        workflow: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        id: str,
        task_queue: str,
        result_type: Optional[Any] = None,
        execution_timeout: Optional[Duration] = None,
        run_timeout: Optional[Duration] = None,
        task_timeout: Optional[Duration] = None,
        id_reuse_policy: Union[WorkflowIDReusePolicy, str] = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy: Union[WorkflowIDConflictPolicy, str] = WorkflowIDConflictPolicy.UNSPECIFIED,
        retry_policy: Optional[Any] = None,
        cron_schedule: str = "",
        memo: Optional[Mapping[str, Any]] = None,
        search_attributes: Optional[Any] = None,
        static_summary: Optional[str] = None,
        static_details: Optional[str] = None,
        start_delay: Optional[Duration] = None,
        start_signal: Optional[Any] = None,
        start_signal_args: Sequence[Any] = [],
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
        request_eager_start: bool = False,
        priority: Optional[Any] = None,
        versioning_override: Optional[Any] = None,
        stack_level: int = 2,
    ) -> "WorkflowHandle[Any, Any]":
        """Starts a workflow and returns its handle (``temporalio.client.Client.start_workflow``).

        Args:
            workflow: The workflow type name, or a ``@workflow.defn`` class / its run method
                (its registered name; its return annotation types :meth:`WorkflowHandle.result`).
            arg: Single argument to the workflow.
            args: Multiple arguments to the workflow. Cannot be set if arg is.
            id: Unique identifier for the workflow execution.
            task_queue: Task queue to run the workflow on.
            result_type: The type :meth:`WorkflowHandle.result` converts the result to, as
                temporalio's default converter does (overrides the run method's annotation).
            execution_timeout: Total workflow execution timeout including retries and
                continue as new (a timedelta or a duration string such as ``"1h30m"``).
            run_timeout: Timeout of a single workflow run.
            task_timeout: Timeout of a single workflow task.
            id_reuse_policy: How already-closed workflow IDs are handled (this client's enum,
                temporalio's, or the member name).
            id_conflict_policy: How already-running workflow IDs are handled.
            retry_policy: Retry policy for the workflow (this client's ``RetryPolicy`` or temporalio's).
            cron_schedule: See https://docs.temporal.io/docs/content/what-is-a-temporal-cron-job/.
            memo: Memo for the workflow.
            search_attributes: A ``TypedSearchAttributes`` (this client's or temporalio's), or
                the deprecated dict form ``{name: [values]}`` (``{name: value}`` too).
            static_summary: A single-line fixed summary for this workflow execution.
            static_details: General fixed details for this workflow execution.
            start_delay: Amount of time to wait before starting the workflow.
            start_signal: If present, this signal is sent as signal-with-start.
            start_signal_args: Arguments for start_signal if start_signal present.
            rpc_metadata: Headers used on the RPC call (see the README, "Per-call options").
            rpc_timeout: Optional RPC deadline to set for the RPC call.
            request_eager_start, priority, versioning_override: not supported by the daemon:
                ``NotImplementedError`` unless left at their defaults.
            stack_level: Accepted for temporalio's signature (its deprecation warnings' level).

        Returns:
            A workflow handle to the started workflow.

        Raises:
            WorkflowAlreadyStartedError: The workflow ID is already in use.
            RPCError: Workflow could not be started.
        """
        _refuse_start_options(request_eager_start, priority, versioning_override)
        params = _start_params(
            workflow,
            arg,
            args,
            id=id,
            task_queue=task_queue,
            execution_timeout=execution_timeout,
            run_timeout=run_timeout,
            task_timeout=task_timeout,
            id_reuse_policy=id_reuse_policy,
            id_conflict_policy=id_conflict_policy,
            retry_policy=retry_policy,
            cron_schedule=cron_schedule,
            memo=memo,
            search_attributes=search_attributes,
            static_summary=static_summary,
            static_details=static_details,
            start_delay=start_delay,
        )
        if start_signal is not None:
            params["startSignal"] = _name_of(start_signal, "__temporal_signal_definition", "signal")
            params["startSignalArgs"] = encode_values(list(start_signal_args))
        elif start_signal_args:
            raise ValueError("start_signal_args given without start_signal")
        info = await self._call(_protocol.WORKFLOW_START, params, rpc_timeout, rpc_metadata)
        rtype = result_type if result_type is not None else return_type_of(workflow, "__temporal_workflow_definition")
        return WorkflowHandle._from_info(self, info, result_type=rtype)

    async def execute_workflow(
        self,
        workflow: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        id: str,
        task_queue: str,
        result_type: Optional[Any] = None,
        execution_timeout: Optional[Duration] = None,
        run_timeout: Optional[Duration] = None,
        task_timeout: Optional[Duration] = None,
        id_reuse_policy: Union[WorkflowIDReusePolicy, str] = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy: Union[WorkflowIDConflictPolicy, str] = WorkflowIDConflictPolicy.UNSPECIFIED,
        retry_policy: Optional[Any] = None,
        cron_schedule: str = "",
        memo: Optional[Mapping[str, Any]] = None,
        search_attributes: Optional[Any] = None,
        static_summary: Optional[str] = None,
        static_details: Optional[str] = None,
        start_delay: Optional[Duration] = None,
        start_signal: Optional[Any] = None,
        start_signal_args: Sequence[Any] = [],
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
        request_eager_start: bool = False,
        priority: Optional[Any] = None,
        versioning_override: Optional[Any] = None,
    ) -> Any:
        """Start a workflow and wait for its result (:meth:`start_workflow` then
        :meth:`WorkflowHandle.result`, with the same ``rpc_metadata`` and ``rpc_timeout``).

        Raises:
            WorkflowAlreadyStartedError: The workflow ID is already in use.
            WorkflowFailureError: The workflow failed; ``cause`` says why.
            RPCError: The workflow could not be started or its result fetched.
        """
        handle = await self.start_workflow(
            workflow,
            arg,
            args=args,
            id=id,
            task_queue=task_queue,
            result_type=result_type,
            execution_timeout=execution_timeout,
            run_timeout=run_timeout,
            task_timeout=task_timeout,
            id_reuse_policy=id_reuse_policy,
            id_conflict_policy=id_conflict_policy,
            retry_policy=retry_policy,
            cron_schedule=cron_schedule,
            memo=memo,
            search_attributes=search_attributes,
            static_summary=static_summary,
            static_details=static_details,
            start_delay=start_delay,
            start_signal=start_signal,
            start_signal_args=start_signal_args,
            rpc_metadata=rpc_metadata,
            rpc_timeout=rpc_timeout,
            request_eager_start=request_eager_start,
            priority=priority,
            versioning_override=versioning_override,
        )
        return await handle.result(rpc_metadata=rpc_metadata, rpc_timeout=rpc_timeout)

    def get_workflow_handle(
        self,
        workflow_id: str,
        *,
        run_id: Optional[str] = None,
        first_execution_run_id: Optional[str] = None,
        result_type: Optional[Any] = None,
    ) -> "WorkflowHandle[Any, Any]":
        """A handle to an existing workflow; no call is made until the handle is used.

        Args:
            workflow_id: Workflow ID to get a handle to.
            run_id: Run ID that will be used for all calls.
            first_execution_run_id: First execution run ID used for cancellation and
                termination.
            result_type: The type :meth:`WorkflowHandle.result` converts the result to.
        """
        if not isinstance(workflow_id, str) or not workflow_id:
            raise TypeError(f"workflow_id must be a non-empty str, not {workflow_id!r}")
        return WorkflowHandle(
            self,
            workflow_id,
            run_id=run_id,
            result_run_id=run_id,
            first_execution_run_id=first_execution_run_id,
            result_type=result_type,
        )

    def get_workflow_handle_for(
        self,
        workflow: Any,
        workflow_id: str,
        *,
        run_id: Optional[str] = None,
        first_execution_run_id: Optional[str] = None,
    ) -> "WorkflowHandle[Any, Any]":
        """A handle to an existing workflow, typed by its ``@workflow.run`` method (whose
        return annotation converts :meth:`WorkflowHandle.result`, as in temporalio)."""
        _name_of(workflow, "__temporal_workflow_definition", "workflow")
        return self.get_workflow_handle(
            workflow_id,
            run_id=run_id,
            first_execution_run_id=first_execution_run_id,
            result_type=return_type_of(workflow, "__temporal_workflow_definition"),
        )

    # --- visibility --------------------------------------------------------------------

    def list_workflows(
        self,
        query: Optional[str] = None,
        *,
        limit: Optional[int] = None,
        page_size: int = 1000,
        next_page_token: Optional[Union[bytes, str]] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> "WorkflowExecutionAsyncIterator":
        """List workflows (``temporalio.client.Client.list_workflows``).

        No request is made until the first iteration, so errors (a malformed query is
        ``RPCError`` with status ``INVALID_ARGUMENT`` and the server's message) arise then.

        Args:
            query: A Temporal visibility list filter (default: every run).
            limit: Maximum number of workflows to return (default: all).
            page_size: Maximum number of results for each page.
            next_page_token: A previously obtained next page token, to resume.
            rpc_metadata: Headers used on each RPC call.
            rpc_timeout: Optional RPC deadline to set for each RPC call.

        Returns:
            An async iterator of :class:`WorkflowExecution` for ``async for``.
        """
        if query is not None and not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a non-negative int or None, not {limit!r}")
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be a positive int, not {page_size!r}")
        return WorkflowExecutionAsyncIterator(
            self,
            query=query,
            limit=limit,
            page_size=page_size,
            next_page_token=_page_token_bytes(next_page_token),
            rpc_metadata=rpc_metadata,
            rpc_timeout=rpc_timeout,
        )

    async def count_workflows(
        self,
        query: Optional[str] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> WorkflowExecutionCount:
        """Count workflows (``temporalio.client.Client.count_workflows``); with ``GROUP BY``
        (e.g. ``GROUP BY ExecutionStatus``) the count of each group.

        Raises:
            RPCError: The count failed (``INVALID_ARGUMENT`` for a malformed query).
        """
        params: Dict[str, Any] = {}
        if query is not None:
            if not isinstance(query, str):
                raise TypeError(f"query must be a str, not {type(query).__name__}")
            params["query"] = query
        res = await self._call(_protocol.WORKFLOW_COUNT, params, rpc_timeout, rpc_metadata)
        return WorkflowExecutionCount.from_wire(res or {})

    # --- update-with-start -------------------------------------------------------------

    async def start_update_with_start_workflow(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        start_workflow_operation: "WithStartWorkflowOperation",
        wait_for_stage: WorkflowUpdateStage,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> "WorkflowUpdateHandle[Any]":
        """Send an update-with-start request and wait for it to be accepted (or completed).

        If the workflow is not running, it is started and the update is sent in its first
        workflow task; if it is running, ``USE_EXISTING`` sends the update to it,
        ``TERMINATE_EXISTING`` terminates it and starts a new one, and ``FAIL`` raises
        ``WorkflowAlreadyStartedError``. ``await start_workflow_operation.workflow_handle()``
        then gives the workflow's handle (or raises the call's error).

        Args:
            update: Update name, or a ``@workflow.update`` method.
            arg: Single argument to the update.
            start_workflow_operation: How to start the workflow, with its conflict policy.
            wait_for_stage: ACCEPTED or COMPLETED (ADMITTED is not supported).
            args: Multiple arguments to the update. Cannot be set if arg is.
            id: ID of the update. If not set, the default is a new UUID.
            result_type: The type to convert the update's result to (default: the update
                method's return annotation when a method is given).
            rpc_metadata: Headers used on each RPC call.
            rpc_timeout: Deadline of the whole call.

        Raises:
            WorkflowAlreadyStartedError: The workflow is running and the policy is FAIL.
            WorkflowUpdateRPCTimeoutOrCancelledError: This call timed out or was cancelled.
            RPCError: There was some issue starting the workflow or sending the update.
            RuntimeError: The operation was used already.
        """
        op = start_workflow_operation
        stage = _wait_stage(wait_for_stage)
        params = _update_params(update, arg, args, id)
        params["waitForStage"] = stage
        # As in the SDK, a refused ADMITTED leaves the operation unused (the daemon refuses it).
        if stage != WorkflowUpdateStage.ADMITTED.name:
            if op._used:
                raise RuntimeError("WithStartWorkflowOperation cannot be reused")
            op._used = True
        params["start"] = dict(op._params)
        try:
            res = await _update_call(
                self._call(_protocol.WORKFLOW_START_UPDATE_WITH_START, params, rpc_timeout, rpc_metadata)
            )
        except BaseException as err:
            if op._used and op._handle is None:
                op._settle(error=err)
            raise
        workflow = WorkflowHandle._from_info(self, res["handle"], result_type=op._result_type)
        op._settle(handle=workflow)
        rtype = result_type if result_type is not None else return_type_of(update, "_defn")
        return WorkflowUpdateHandle._from_info(self, res["update"], workflow, result_type=rtype)

    async def execute_update_with_start_workflow(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        start_workflow_operation: "WithStartWorkflowOperation",
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Send an update-with-start request and wait for the update to complete.

        See :meth:`start_update_with_start_workflow`. As in the SDK, the workflow handle
        is available from the operation whenever the workflow was started (or used), even
        if the update then failed: this sends ``workflow/startUpdateWithStart`` waiting for
        COMPLETED and then reads the known outcome, rather than
        ``workflow/executeUpdateWithStart``, whose error would not carry the handle.

        Raises:
            WorkflowUpdateFailedError: If the update failed.
            WorkflowAlreadyStartedError: The workflow is running and the policy is FAIL.
            WorkflowUpdateRPCTimeoutOrCancelledError: This call timed out or was cancelled.
            RPCError: There was some issue starting the workflow or sending the update.
        """
        handle = await self.start_update_with_start_workflow(
            update,
            arg,
            start_workflow_operation=start_workflow_operation,
            wait_for_stage=WorkflowUpdateStage.COMPLETED,
            args=args,
            id=id,
            result_type=result_type,
            rpc_metadata=rpc_metadata,
            rpc_timeout=rpc_timeout,
        )
        try:
            return await handle.result(rpc_timeout=rpc_timeout)
        finally:
            handle._token.release_soon()

    def _progress_token(self) -> str:
        return f"py-{os.getpid()}-{next(self._tokens)}"

    # --- lifecycle ---------------------------------------------------------------------

    async def close(self) -> None:
        """Ends the session (``shutdown`` + ``exit``); a spawned daemon then exits."""
        if self._closed:
            return
        self._closed = True
        if not self._conn.is_closed:
            try:
                await asyncio.wait_for(self._conn.request(_protocol.SHUTDOWN), 5)
                await self._conn.notify(_protocol.EXIT)
            except Exception:
                pass
        await self._conn.close()
        if self._process is not None:
            await _stop_process(self._process)

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


async def _stop_process(process: asyncio.subprocess.Process, grace: float = 5.0) -> None:
    if process.returncode is not None:
        return
    try:
        if process.stdin is not None and not process.stdin.is_closing():
            process.stdin.close()
        await asyncio.wait_for(process.wait(), grace)
        return
    except asyncio.TimeoutError:
        pass
    except Exception:
        pass
    for stop in (process.terminate, process.kill):
        try:
            stop()
            await asyncio.wait_for(process.wait(), 2)
            return
        except ProcessLookupError:
            return
        except asyncio.TimeoutError:
            continue


class WorkflowHandle(Generic[SelfType, ReturnType]):
    """Handle for interacting with a workflow (``temporalio.client.WorkflowHandle``).

    Generic as temporalio's (``WorkflowHandle[MyWorkflow, MyResult]``); ``result()`` converts
    the result to the handle's result type (``result_type=``, or the run method's annotation).

    Made by :meth:`Client.start_workflow` or :meth:`Client.get_workflow_handle`.
    The daemon-side handle is created lazily on the first call, and re-created
    transparently if the daemon has forgotten it (expired, evicted or released).
    """

    def __init__(
        self,
        client: Client,
        id: str,
        *,
        run_id: Optional[str] = None,
        result_run_id: Optional[str] = None,
        first_execution_run_id: Optional[str] = None,
        result_type: Optional[Any] = None,
        start_workflow_response: Any = None,
    ) -> None:
        """Create workflow handle; prefer :meth:`Client.get_workflow_handle`.
        ``start_workflow_response`` is accepted for temporalio's signature and not used."""
        self._client = client
        self._id = id
        self._run_id = run_id
        self._result_run_id = result_run_id
        self._first_execution_run_id = first_execution_run_id
        self._result_type = result_type
        # Daemon handle tokens: "main" serves every call; "result" serves result()
        # when it needs a run ID the main handle cannot carry.
        self._tokens: Dict[str, str] = {}
        self._lock: Optional[asyncio.Lock] = None

    @classmethod
    def _from_info(
        cls, client: Client, info: Mapping[str, Any], *, result_type: Optional[Any] = None
    ) -> "WorkflowHandle[Any, Any]":
        h: WorkflowHandle[Any, Any] = cls(
            client,
            str(info["workflowId"]),
            run_id=info.get("runId") or None,
            result_run_id=info.get("resultRunId") or None,
            first_execution_run_id=info.get("firstExecutionRunId") or None,
            result_type=result_type,
        )
        h._tokens["main"] = h._tokens["result"] = str(info["handle"])
        return h

    @property
    def id(self) -> str:
        """ID for the workflow."""
        return self._id

    @property
    def run_id(self) -> Optional[str]:
        """Run ID used for :meth:`signal`, :meth:`query` and :meth:`describe` calls if present
        to ensure they happen on this exact run. Only set by ``get_workflow_handle``."""
        return self._run_id

    @property
    def result_run_id(self) -> Optional[str]:
        """Run ID used for :meth:`result` calls if present to ensure the result is for a
        workflow starting from this run (the started run for ``start_workflow``)."""
        return self._result_run_id

    @property
    def first_execution_run_id(self) -> Optional[str]:
        """Run ID used for :meth:`cancel` and :meth:`terminate` calls if present to ensure
        they happen for a workflow ID started with this run ID."""
        return self._first_execution_run_id

    def __repr__(self) -> str:
        return (
            f"WorkflowHandle(id={self._id!r}, run_id={self._run_id!r}, result_run_id={self._result_run_id!r}, "
            f"first_execution_run_id={self._first_execution_run_id!r})"
        )

    # --- daemon handle -----------------------------------------------------------------

    async def _token(self, kind: str) -> str:
        tok = self._tokens.get(kind)
        if tok is not None:
            return tok
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            tok = self._tokens.get(kind)
            if tok is not None:
                return tok
            if kind == "result" and self._result_run_id != self._run_id:
                # Only getHandle's runId sets a daemon handle's resultRunId.
                info = await self._client._conn.request(
                    _protocol.WORKFLOW_GET_HANDLE, {"workflowId": self._id, "runId": self._result_run_id}
                )
                self._tokens["result"] = str(info["handle"])
            else:
                info = await self._client._conn.request(
                    _protocol.WORKFLOW_GET_HANDLE,
                    {
                        "workflowId": self._id,
                        "runId": self._run_id,
                        "firstExecutionRunId": self._first_execution_run_id,
                    },
                )
                self._tokens["main"] = str(info["handle"])
                if self._result_run_id == self._run_id:
                    self._tokens["result"] = self._tokens["main"]
            return self._tokens[kind]

    async def _call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        kind: str = "main",
        rpc_timeout: Optional[timedelta] = None,
        rpc_metadata: Optional[Mapping[str, Union[str, bytes]]] = None,
    ) -> Any:
        if self._client._conn.is_closed:
            await self._client._ensure_connected()
            self._tokens.clear()  # a new session: the old tokens mean nothing to it
        for attempt in (1, 2):
            token = self._tokens.get(kind) or await self._token(kind)
            try:
                return await self._client._call(method, {"handle": token, **params}, rpc_timeout, rpc_metadata)
            except InvalidHandleError:
                # The daemon forgot the handle before making any Temporal call: make a new one.
                if attempt == 2:
                    raise
                for k in [k for k, v in self._tokens.items() if v == token]:
                    del self._tokens[k]
        raise AssertionError("unreachable")  # pragma: no cover

    async def release(self) -> None:
        """Frees the daemon-side handle(s) now (not in the SDK).

        The handle stays usable: the next call creates a new daemon handle.
        """
        tokens = set(self._tokens.values())
        self._tokens.clear()
        for token in tokens:
            try:
                await self._client._conn.request(_protocol.HANDLE_RELEASE, {"handle": token})
            except InvalidHandleError:
                pass

    # --- WorkflowHandle methods --------------------------------------------------------

    async def result(
        self,
        *,
        follow_runs: bool = True,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> ReturnType:
        """Wait for the result of the workflow, starting at :attr:`result_run_id`.

        Args:
            follow_runs: If true (default), follow continue-as-new, retries and cron to
                the most recent run. If false, the first result is used.
            progress: Called with each ``$/progress`` value as it arrives: a ``begin``,
                a ``report`` for each step along the run chain (``workflowId``,
                ``previousRunId``, ``runId``, ``reason``) and an ``end``. May be a
                coroutine function.
            rpc_metadata: Headers used on each RPC call.
            rpc_timeout: Deadline of each RPC call (each long poll) where the daemon takes
                per-call options; else of the whole call.

        Returns:
            The result of the workflow, converted to the handle's result type if it has one.

        Raises:
            WorkflowFailureError: Workflow failed, was cancelled, was terminated, or timed
                out. Use :attr:`WorkflowFailureError.cause` to see the underlying reason.
            WorkflowContinuedAsNewError: ``follow_runs`` is false and the run continued as new.
            RPCError: The result could not be fetched.
        """
        params: Dict[str, Any] = {"followRuns": bool(follow_runs)}
        token: Optional[str] = None
        await self._client._ensure_connected()
        if progress is not None:
            token = self._client._progress_token()
            params["workDoneToken"] = token
            self._client._conn.add_progress(token, progress)
        try:
            res = await self._call(
                _protocol.HANDLE_RESULT, params, kind="result", rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata
            )
        finally:
            if token is not None:
                self._client._conn.remove_progress(token)
        return _typed(decode_value((res or {}).get("value")), self._result_type)  # type: ignore[no-any-return]

    async def cancel(
        self,
        *,
        reason: str = "",
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> None:
        """Cancel the workflow (:attr:`run_id` or the latest run, within the chain of
        :attr:`first_execution_run_id`).

        Raises:
            RPCError: Workflow could not be cancelled.
        """
        await self._call(
            _protocol.HANDLE_CANCEL, {"reason": reason or ""}, rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata
        )

    async def describe(
        self,
        *,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
        raw: bool = False,
    ) -> WorkflowExecutionDescription:
        """Get workflow details (:attr:`run_id`, or the latest run).

        Raises:
            RPCError: Workflow details could not be fetched.

        ``raw=True`` (not in temporalio) makes ``raw_description`` the whole
        DescribeWorkflowExecutionResponse in protobuf JSON (payloads untouched).
        """
        return WorkflowExecutionDescription.from_wire(
            await self._call(
                _protocol.HANDLE_DESCRIBE,
                {"raw": True} if raw else {},
                rpc_timeout=rpc_timeout,
                rpc_metadata=rpc_metadata,
            )
            or {}
        )

    async def query(
        self,
        query: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        result_type: Optional[Any] = None,
        reject_condition: Optional[Union[QueryRejectCondition, str]] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Query the workflow (:attr:`run_id`, or the latest run).

        Args:
            query: Query name, or a ``@workflow.query`` method.
            arg: Single argument to the query.
            args: Multiple arguments to the query. Cannot be set if arg is.
            result_type: The type to convert the result to (default: the query method's
                return annotation when a method is given).
            reject_condition: Condition for rejecting the query (default: none).
            rpc_metadata: Headers used on the RPC call.
            rpc_timeout: Optional RPC deadline to set for the RPC call.

        Returns:
            Result of the query.

        Raises:
            WorkflowQueryRejectedError: A query reject condition was satisfied.
            WorkflowQueryFailedError: The query failed (e.g. unknown query, handler raised).
            RPCError: Workflow details could not be fetched.
        """
        params: Dict[str, Any] = {
            "query": _name_of(query, "__temporal_query_definition", "query"),
            "args": encode_values(arg_or_args(arg, args, _UNSET)),
        }
        condition = enum_param(reject_condition, QueryRejectCondition, "reject_condition")
        if condition is None:
            condition = self._client._default_reject_condition
        if condition is not None:
            params["rejectCondition"] = condition
        res = await self._call(_protocol.HANDLE_QUERY, params, rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata)
        rtype = result_type if result_type is not None else return_type_of(query, "__temporal_query_definition")
        return _typed(decode_value((res or {}).get("value")), rtype)

    async def signal(
        self,
        signal: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> None:
        """Send a signal to the workflow (:attr:`run_id`, or the latest run).

        Args:
            signal: Signal name, or a ``@workflow.signal`` method.
            arg: Single argument to the signal.
            args: Multiple arguments to the signal. Cannot be set if arg is.
            rpc_timeout: Deadline of the call.

        Raises:
            RPCError: Workflow could not be signalled.
        """
        params = {
            "signal": _name_of(signal, "__temporal_signal_definition", "signal"),
            "args": encode_values(arg_or_args(arg, args, _UNSET)),
        }
        await self._call(_protocol.HANDLE_SIGNAL, params, rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata)

    async def terminate(
        self,
        *args: Any,
        reason: Optional[str] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> None:
        """Terminate the workflow (:attr:`run_id` or the latest run, within the chain of
        :attr:`first_execution_run_id`).

        Args:
            args: Details to store on the termination.
            reason: Reason for the termination.
            rpc_timeout: Deadline of the call.

        Raises:
            RPCError: Workflow could not be terminated.
        """
        params: Dict[str, Any] = {"details": encode_values(args)}
        if reason is not None:
            params["reason"] = reason
        await self._call(_protocol.HANDLE_TERMINATE, params, rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata)

    # --- History -----------------------------------------------------------------------

    async def fetch_history(
        self,
        *,
        event_filter_type: Any = WorkflowHistoryEventFilterType.ALL_EVENT,
        skip_archival: bool = False,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
        decode: bool = False,
    ) -> WorkflowHistory:
        """The history of :attr:`run_id` (or the latest run), replay-ready.

        Its :meth:`WorkflowHistory.to_json` is the document temporalio's
        ``WorkflowHistory.from_json`` and ``Replayer`` read. ``event_filter_type`` is
        temporalio's ``WorkflowHistoryEventFilterType`` or ``"ALL_EVENT"``/``"CLOSE_EVENT"``;
        ``decode`` turns payloads into values for display (the history then no longer replays).
        """
        return await _history.fetch_history(
            self,
            event_filter_type=event_filter_type,
            skip_archival=skip_archival,
            decode=decode,
            rpc_metadata=rpc_metadata,
            rpc_timeout=rpc_timeout,
        )

    def fetch_history_events(
        self,
        *,
        page_size: Optional[int] = None,
        next_page_token: Optional[Union[str, bytes]] = None,
        wait_new_event: bool = False,
        event_filter_type: Any = WorkflowHistoryEventFilterType.ALL_EVENT,
        skip_archival: bool = False,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
        decode: bool = False,
    ) -> WorkflowHistoryEventAsyncIterator:
        """The events of :attr:`run_id` (or the latest run) page by page, as an async iterator."""
        return _history.fetch_history_events(
            self,
            page_size=page_size,
            next_page_token=next_page_token,
            wait_new_event=wait_new_event,
            event_filter_type=event_filter_type,
            skip_archival=skip_archival,
            decode=decode,
            rpc_metadata=rpc_metadata,
            rpc_timeout=rpc_timeout,
        )

    def watch(
        self, *, from_event_id: Optional[int] = None, follow_runs: bool = True, decode: bool = False
    ) -> AsyncIterator[Dict[str, Any]]:
        """Each batch of new events as the runs write them, across the run chain (not in temporalio).

        Yields ``{"runId", "events", "reason"?, "previousRunId"?}``; ends when the last run closes.
        """
        return _history.watch(self, from_event_id=from_event_id, follow_runs=follow_runs, decode=decode)

    # --- updates -----------------------------------------------------------------------

    async def execute_update(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Send an update request to the workflow and wait for it to complete.

        This will target the workflow with :attr:`run_id` if present (within the chain of
        :attr:`first_execution_run_id`).

        Args:
            update: Update name, or a ``@workflow.update`` method.
            arg: Single argument to the update.
            args: Multiple arguments to the update. Cannot be set if arg is.
            id: ID of the update. If not set, the default is a new UUID.
            result_type: The type to convert the update's result to (default: the update
                method's return annotation when a method is given).
            rpc_metadata: Headers used on each RPC call.
            rpc_timeout: Deadline of the whole call (sends ``$/cancelRequest`` when it passes).

        Raises:
            WorkflowUpdateFailedError: If the update failed (its validator rejected it or
                its handler raised); ``cause`` is the failure.
            WorkflowUpdateRPCTimeoutOrCancelledError: This update call timed out or was
                cancelled (also when the awaiting task is cancelled, as in the SDK). This
                doesn't mean the update itself was timed out or cancelled.
            RPCError: There was some issue sending the update to the workflow.
        """
        params = _update_params(update, arg, args, id)
        res = await _update_call(
            self._call(_protocol.HANDLE_EXECUTE_UPDATE, params, rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata)
        )
        rtype = result_type if result_type is not None else return_type_of(update, "_defn")
        return _typed(decode_value((res or {}).get("value")), rtype)

    async def start_update(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        wait_for_stage: WorkflowUpdateStage,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> "WorkflowUpdateHandle[Any]":
        """Send an update request to the workflow and return a handle to it.

        This will target the workflow with :attr:`run_id` if present (within the chain of
        :attr:`first_execution_run_id`).

        Args:
            update: Update name, or a ``@workflow.update`` method.
            arg: Single argument to the update.
            wait_for_stage: Required stage to wait until returning: either ACCEPTED or
                COMPLETED. ADMITTED is not supported (``ValueError``, from the daemon's
                ``InvalidParamsError``).
            args: Multiple arguments to the update. Cannot be set if arg is.
            id: ID of the update. If not set, the default is a new UUID.
            result_type: The type to convert the update's result to (default: the update
                method's return annotation when a method is given).
            rpc_metadata: Headers used on each RPC call.
            rpc_timeout: Deadline of the whole call.

        Returns:
            The update handle; it holds a daemon token until it is garbage collected or
            :meth:`WorkflowUpdateHandle.release` is called.

        Raises:
            WorkflowUpdateRPCTimeoutOrCancelledError: This update call timed out or was
                cancelled. This doesn't mean the update itself was timed out or cancelled.
            RPCError: There was some issue sending the update to the workflow.
        """
        params = _update_params(update, arg, args, id)
        params["waitForStage"] = _wait_stage(wait_for_stage)
        info = await _update_call(
            self._call(_protocol.HANDLE_START_UPDATE, params, rpc_timeout=rpc_timeout, rpc_metadata=rpc_metadata)
        )
        rtype = result_type if result_type is not None else return_type_of(update, "_defn")
        return WorkflowUpdateHandle._from_info(self._client, info, self, result_type=rtype)

    def get_update_handle(
        self,
        id: str,
        *,
        workflow_run_id: Optional[str] = None,
        result_type: Optional[type] = None,
    ) -> "WorkflowUpdateHandle[Any]":
        """Get a handle for an update; no call is made until the handle is used.

        Args:
            id: Update ID to get a handle to.
            workflow_run_id: Run ID to tie the handle to. If this is not set, the
                :attr:`run_id` will be used.
            result_type: The type to convert the update's result to.
        """
        return WorkflowUpdateHandle(
            self._client,
            id,
            self._id,
            workflow_run_id=workflow_run_id or self._run_id,
            result_type=result_type,
            _parent=self,
        )

    def get_update_handle_for(
        self,
        update: Any,
        id: str,
        *,
        workflow_run_id: Optional[str] = None,
    ) -> "WorkflowUpdateHandle[Any]":
        """Get a handle for an update given its ``@workflow.update`` method, whose return
        annotation converts the result (as in temporalio).

        Args:
            update: The update method (or its name).
            id: Update ID to get a handle to.
            workflow_run_id: Run ID to tie the handle to. If this is not set, the
                :attr:`run_id` will be used.
        """
        _name_of(update, "_defn", "update")
        return self.get_update_handle(id, workflow_run_id=workflow_run_id, result_type=return_type_of(update, "_defn"))


def _page_token_bytes(token: Optional[Union[bytes, str]]) -> Optional[bytes]:
    """A list's page token as temporalio holds it (bytes); a str is the daemon's base64."""
    if token is None or token == b"" or token == "":
        return None
    if isinstance(token, (bytes, bytearray)):
        return bytes(token)
    if isinstance(token, str):
        import base64
        import binascii

        try:
            return base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("next_page_token must be bytes, or the base64 text the daemon returned") from None
    raise TypeError(f"next_page_token must be bytes, not {type(token).__name__}")


class WorkflowExecutionAsyncIterator:
    """Asynchronous iterator of :class:`WorkflowExecution` values
    (``temporalio.client.WorkflowExecutionAsyncIterator``).

    Made by :meth:`Client.list_workflows`. Each page is one ``workflow/list`` call
    (``pageSize`` and ``limit`` of one page, so the daemon stops on the page boundary and
    its ``nextPageToken`` resumes exactly there); a list of any length holds one page.
    """

    def __init__(
        self,
        client: Client,
        *,
        query: Optional[str],
        limit: Optional[int],
        page_size: int,
        next_page_token: Optional[bytes],
        rpc_metadata: Mapping[str, Union[str, bytes]],
        rpc_timeout: Optional[timedelta],
    ) -> None:
        """Use :meth:`Client.list_workflows` instead."""
        self._client = client
        self._query = query
        self._limit = limit
        self._page_size = page_size
        self._next_page_token = next_page_token
        self._rpc_metadata = rpc_metadata
        self._rpc_timeout = rpc_timeout
        self._current_page: Optional[List[WorkflowExecution]] = None
        self._current_page_index = 0
        self._yielded = 0

    @property
    def current_page_index(self) -> int:
        """Index of the entry in the current page that :meth:`__anext__` returns next."""
        return self._current_page_index

    @property
    def current_page(self) -> Optional[Sequence[WorkflowExecution]]:
        """Current page, if it has been fetched yet."""
        return self._current_page

    @property
    def next_page_token(self) -> Optional[bytes]:
        """Token for the next page request if any."""
        return self._next_page_token

    async def fetch_next_page(self, *, page_size: Optional[int] = None) -> None:
        """Fetch the next page if any.

        Args:
            page_size: Override the page size this iterator was created with.
        """
        size = page_size or self._page_size
        if self._limit is not None and self._limit - self._yielded < size:
            size = self._limit - self._yielded
        if size <= 0:
            # The limit is reached: an empty page, as the server answers a page size of 0 ...
            # but without asking it (it would take 0 as "its default").
            self._current_page, self._current_page_index = [], 0
            return
        params: Dict[str, Any] = {"pageSize": size, "limit": size}
        if self._query:
            params["query"] = self._query
        if self._next_page_token is not None:
            import base64

            params["nextPageToken"] = base64.b64encode(self._next_page_token).decode("ascii")
        res = await self._client._call(_protocol.WORKFLOW_LIST, params, self._rpc_timeout, self._rpc_metadata) or {}
        self._current_page = [WorkflowExecution.from_wire(e) for e in res.get("executions") or []]
        self._current_page_index = 0
        self._next_page_token = _page_token_bytes(res.get("nextPageToken"))

    def __aiter__(self) -> "WorkflowExecutionAsyncIterator":
        return self

    async def __anext__(self) -> WorkflowExecution:
        if self._limit is not None and self._yielded >= self._limit:
            raise StopAsyncIteration
        while True:
            if self._current_page is None:
                await self.fetch_next_page()
                continue
            if self._current_page_index >= len(self._current_page):
                if self._next_page_token is not None:
                    await self.fetch_next_page()
                    continue
                raise StopAsyncIteration
            entry = self._current_page[self._current_page_index]
            self._current_page_index += 1
            self._yielded += 1
            return entry

    async def map_histories(
        self,
        *,
        event_filter_type: Any = WorkflowHistoryEventFilterType.ALL_EVENT,
        skip_archival: bool = False,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> AsyncIterator[WorkflowHistory]:
        """Each listed run's history (:meth:`WorkflowHandle.fetch_history`), one by one."""
        async for entry in self:
            yield await self._client.get_workflow_handle(entry.id, run_id=entry.run_id).fetch_history(
                event_filter_type=event_filter_type,
                skip_archival=skip_archival,
                rpc_metadata=rpc_metadata,
                rpc_timeout=rpc_timeout,
            )


def _refuse_start_options(request_eager_start: bool, priority: Any, versioning_override: Any) -> None:
    """temporalio's start options the daemon's workflow/start has no param for."""
    if request_eager_start:
        raise NotImplementedError("request_eager_start is not supported by temporal-handled (no worker in the daemon)")
    if priority is not None:
        fields = [getattr(priority, n, None) for n in ("priority_key", "fairness_key", "fairness_weight")]
        if any(f is not None for f in fields):
            raise NotImplementedError("priority is not supported by temporal-handled's workflow/start yet")
    if versioning_override is not None:
        raise NotImplementedError("versioning_override is not supported by temporal-handled's workflow/start yet")


@dataclass(frozen=True)
class WorkflowUpdateDescription:
    """What the server knows of an update now (:meth:`WorkflowUpdateHandle.describe`; not in the SDK)."""

    id: str
    """The update ID."""
    stage: WorkflowUpdateStage
    """ADMITTED, ACCEPTED or COMPLETED."""
    completed: bool
    """Whether the outcome is known (then :attr:`value` or :attr:`failure` is set)."""
    value: Any = None
    """The update's result, when it completed successfully."""
    failure: Optional[BaseException] = None
    """The failure (what ``WorkflowUpdateFailedError.cause`` would be), when it failed."""


class WorkflowUpdateHandle(Generic[LocalReturnType]):
    """Handle for a workflow update execution request (``temporalio.client.WorkflowUpdateHandle``).

    Made by :meth:`WorkflowHandle.start_update`, :meth:`WorkflowHandle.get_update_handle`
    and :meth:`Client.start_update_with_start_workflow`. It refers to a daemon-side update
    handle (a token), made lazily when :meth:`get_update_handle` made this one and
    re-made transparently if the daemon has forgotten it. The token is released when this
    object is garbage collected (in the background, on the client's event loop), or now
    with :meth:`release`.
    """

    def __init__(
        self,
        client: Client,
        id: str,
        workflow_id: str,
        *,
        workflow_run_id: Optional[str] = None,
        result_type: Optional[Any] = None,
        _parent: "Optional[WorkflowHandle[Any, Any]]" = None,
    ) -> None:
        """Create a workflow update handle; prefer :meth:`WorkflowHandle.get_update_handle`."""
        self._client = client
        self._result_type = result_type
        self._id = id
        self._workflow_id = workflow_id
        self._workflow_run_id = workflow_run_id
        self._parent = _parent if _parent is not None else client.get_workflow_handle(workflow_id)
        self._token = _UpdateToken()
        self._lock: Optional[asyncio.Lock] = None
        # The outcome once known: ("value", v) or ("failure", cause exception).
        self._outcome: Optional[Tuple[str, Any]] = None
        weakref.finalize(self, self._token.release_soon)

    @classmethod
    def _from_info(
        cls,
        client: Client,
        info: Mapping[str, Any],
        parent: "WorkflowHandle[Any, Any]",
        *,
        result_type: Optional[Any] = None,
    ) -> "WorkflowUpdateHandle[Any]":
        h: WorkflowUpdateHandle[Any] = cls(
            client,
            str(info["updateId"]),
            str(info["workflowId"]),
            workflow_run_id=info.get("workflowRunId") or None,
            result_type=result_type,
            _parent=parent,
        )
        h._token.set(client._conn, str(info["update"]))
        return h

    @property
    def id(self) -> str:
        """ID of this Update request."""
        return self._id

    @property
    def workflow_id(self) -> str:
        """The ID of the Workflow targeted by this Update."""
        return self._workflow_id

    @property
    def workflow_run_id(self) -> Optional[str]:
        """If specified, the specific run of the Workflow targeted by this Update."""
        return self._workflow_run_id

    def __repr__(self) -> str:
        return (
            f"WorkflowUpdateHandle(id={self._id!r}, workflow_id={self._workflow_id!r}, "
            f"workflow_run_id={self._workflow_run_id!r})"
        )

    async def _get_token(self) -> str:
        token = self._token.token
        if token is not None:
            return token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token.token is None:
                info = await self._parent._call(
                    _protocol.HANDLE_GET_UPDATE_HANDLE, {"updateId": self._id, "workflowRunId": self._workflow_run_id}
                )
                self._token.set(self._client._conn, str(info["update"]))
            assert self._token.token is not None
            return self._token.token

    async def _call(
        self,
        method: str,
        rpc_timeout: Optional[timedelta],
        rpc_metadata: Optional[Mapping[str, Union[str, bytes]]] = None,
    ) -> Any:
        for attempt in (1, 2):
            token = await self._get_token()
            try:
                return await self._client._call(method, {"update": token}, rpc_timeout, rpc_metadata)
            except InvalidHandleError:
                # The daemon forgot the update handle (released elsewhere, expired): make a new one.
                if attempt == 2:
                    raise
                if self._token.token == token:
                    self._token.token = None
        raise AssertionError("unreachable")  # pragma: no cover

    def _known(self) -> Any:
        assert self._outcome is not None
        kind, v = self._outcome
        if kind == "failure":
            raise WorkflowUpdateFailedError(v)
        return v

    async def result(
        self,
        *,
        rpc_metadata: Mapping[str, Union[str, bytes]] = {},
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Wait for and return the result of the update. The result may already be known,
        in which case no call is made.

        Args:
            rpc_metadata: Headers used on each RPC call.
            rpc_timeout: Deadline of each RPC call (each poll) where the daemon takes per-call
                options; else of the whole wait.

        Raises:
            WorkflowUpdateFailedError: If the update failed.
            WorkflowUpdateRPCTimeoutOrCancelledError: This update call timed out or was
                cancelled (also when the awaiting task is cancelled, as in the SDK; the
                daemon is sent ``$/cancelRequest``). This doesn't mean the update itself
                was timed out or cancelled.
            RPCError: Update result could not be fetched for some other reason.
        """
        if self._outcome is None:
            try:
                res = await _update_call(self._call(_protocol.UPDATE_RESULT, rpc_timeout, rpc_metadata))
            except WorkflowUpdateFailedError as err:
                self._outcome = ("failure", err.cause)
                raise
            self._outcome = ("value", _typed(decode_value((res or {}).get("value")), self._result_type))
        return self._known()

    async def describe(self, *, rpc_timeout: Optional[timedelta] = None) -> WorkflowUpdateDescription:
        """The update's stage and, once completed, its outcome, without waiting (not in the SDK).

        Raises:
            RPCError: The update could not be described (``NOT_FOUND``: no such update).
        """
        res = dict(await self._call(_protocol.UPDATE_DESCRIBE, rpc_timeout) or {})
        stage = WorkflowUpdateStage[str(res.get("stage"))]
        outcome = res.get("outcome")
        if not isinstance(outcome, Mapping):
            return WorkflowUpdateDescription(str(res.get("updateId") or self._id), stage, False)
        failure = outcome.get("failure")
        if isinstance(failure, Mapping):
            cause: FailureError = failure_to_error(failure)
            self._outcome = ("failure", cause)
            return WorkflowUpdateDescription(str(res.get("updateId") or self._id), stage, True, failure=cause)
        value = _typed(decode_value(outcome.get("value")), self._result_type)
        self._outcome = ("value", value)
        return WorkflowUpdateDescription(str(res.get("updateId") or self._id), stage, True, value=value)

    async def release(self) -> None:
        """Frees the daemon-side update handle now (not in the SDK).

        The handle stays usable: the next call makes a new daemon handle
        (``handle/getUpdateHandle``, no server call).
        """
        token = self._token.take()
        if token is not None:
            try:
                await self._client._conn.request(_protocol.UPDATE_RELEASE, {"update": token})
            except InvalidHandleError:
                pass


class WithStartWorkflowOperation:
    """Defines a start-workflow operation used by update-with-start requests
    (``temporalio.client.WithStartWorkflowOperation``).

    Update-With-Start allows you to send an update to a workflow, while starting the
    workflow if necessary. An operation can be used by one call only.
    """

    def __init__(
        self,
        workflow: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        id: str,
        task_queue: str,
        id_conflict_policy: Union[WorkflowIDConflictPolicy, str],
        result_type: Optional[type] = None,
        execution_timeout: Optional[Duration] = None,
        run_timeout: Optional[Duration] = None,
        task_timeout: Optional[Duration] = None,
        id_reuse_policy: Union[WorkflowIDReusePolicy, str] = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        retry_policy: Optional[RetryPolicy] = None,
        cron_schedule: str = "",
        memo: Optional[Mapping[str, Any]] = None,
        search_attributes: Optional[Mapping[str, Any]] = None,
        static_summary: Optional[str] = None,
        static_details: Optional[str] = None,
        start_delay: Optional[Duration] = None,
        priority: Optional[Any] = None,
        versioning_override: Optional[Any] = None,
        stack_level: int = 2,
    ) -> None:
        """Create a WithStartWorkflowOperation.

        See :meth:`Client.start_workflow` for the arguments; ``id_conflict_policy`` is
        required (FAIL, USE_EXISTING or TERMINATE_EXISTING), and ``result_type`` is not
        supported yet (``NotImplementedError`` unless ``None``).
        """
        _refuse_start_options(False, priority, versioning_override)
        self._result_type = (
            result_type if result_type is not None else return_type_of(workflow, "__temporal_workflow_definition")
        )
        policy = enum_param(id_conflict_policy, WorkflowIDConflictPolicy, "id_conflict_policy")
        if policy is None or policy == WorkflowIDConflictPolicy.UNSPECIFIED.name:
            raise ValueError("WorkflowIDConflictPolicy is required")
        self._params = _start_params(
            workflow,
            arg,
            args,
            id=id,
            task_queue=task_queue,
            execution_timeout=execution_timeout,
            run_timeout=run_timeout,
            task_timeout=task_timeout,
            id_reuse_policy=id_reuse_policy,
            id_conflict_policy=policy,
            retry_policy=retry_policy,
            cron_schedule=cron_schedule,
            memo=memo,
            search_attributes=search_attributes,
            static_summary=static_summary,
            static_details=static_details,
            start_delay=start_delay,
        )
        self._used = False
        self._handle: "Optional[WorkflowHandle[Any, Any]]" = None
        self._error: Optional[BaseException] = None
        self._settled: Optional[asyncio.Event] = None

    def _settle(
        self, handle: "Optional[WorkflowHandle[Any, Any]]" = None, error: Optional[BaseException] = None
    ) -> None:
        self._handle, self._error = handle, error
        if self._settled is not None:
            self._settled.set()

    async def workflow_handle(self) -> "WorkflowHandle[Any, Any]":
        """Wait until workflow is running and return a WorkflowHandle.

        Raises:
            The error of the update-with-start call when the workflow was not started
            (e.g. ``WorkflowAlreadyStartedError`` under ``FAIL``).
        """
        if self._handle is None and self._error is None:
            if self._settled is None:
                self._settled = asyncio.Event()
            await self._settled.wait()
        if self._error is not None:
            raise self._error
        assert self._handle is not None
        return self._handle


__all__ = [
    "Client",
    "WorkflowExecutionAsyncIterator",
    "WithStartWorkflowOperation",
    "WorkflowHandle",
    "WorkflowUpdateDescription",
    "WorkflowUpdateHandle",
    "default_daemon_command",
]
