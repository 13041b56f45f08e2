"""The asyncio client: :class:`Client` and :class:`WorkflowHandle`."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Mapping, Optional, Sequence, Union

from . import _history, _protocol, _updates
from ._connection import Connection, ProgressCallback
from ._history import WorkflowHistory, WorkflowHistoryEventAsyncIterator
from ._updates import WithStartWorkflowOperation, WorkflowUpdateHandle
from ._values import arg_or_args, decode_value, encode_value, encode_values
from ._version import __version__
from .common import (
    Duration,
    QueryRejectCondition,
    RetryPolicy,
    WorkflowExecutionDescription,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
    duration_param,
    enum_param,
)
from .exceptions import DaemonConnectionError, InvalidHandleError, RPCError, RPCStatusCode


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()

_BIN_ENV = "TEMPORAL_HANDLED_BIN"


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


def start_params(
    workflow: Any,
    arg: Any = _UNSET,
    *,
    args: Sequence[Any] = (),
    id: str,
    task_queue: str,
    execution_timeout: Optional[Duration] = None,
    run_timeout: Optional[Duration] = None,
    task_timeout: Optional[Duration] = None,
    id_reuse_policy: Union[WorkflowIDReusePolicy, str] = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    id_conflict_policy: Union[WorkflowIDConflictPolicy, str] = WorkflowIDConflictPolicy.UNSPECIFIED,
    retry_policy: Optional[RetryPolicy] = None,
    cron_schedule: str = "",
    memo: Optional[Mapping[str, Any]] = None,
    search_attributes: Optional[Mapping[str, Any]] = None,
    static_summary: Optional[str] = None,
    static_details: Optional[str] = None,
    start_delay: Optional[Duration] = None,
) -> Dict[str, Any]:
    """The params of ``workflow/start`` (also update-with-start's ``start``) from the SDK's arguments."""
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
        "retryPolicy": retry_policy.to_params() if retry_policy is not None else None,
        "memo": {k: encode_value(v) for k, v in memo.items()} if memo is not None else None,
        "searchAttributes": {k: encode_value(v) for k, v in search_attributes.items()}
        if search_attributes is not None
        else None,
        "staticSummary": static_summary,
        "staticDetails": static_details,
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    return params


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
        return cls(conn, init)

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
        return await self._conn.request(method, dict(params) if params is not None else None)

    async def _call(self, method: str, params: Mapping[str, Any], rpc_timeout: Optional[timedelta] = None) -> Any:
        if rpc_timeout is None:
            return await self._conn.request(method, dict(params))
        try:
            return await asyncio.wait_for(self._conn.request(method, dict(params)), rpc_timeout.total_seconds())
        except asyncio.TimeoutError:
            raise RPCError("Deadline exceeded (rpc_timeout)", RPCStatusCode.DEADLINE_EXCEEDED) from None

    async def daemon_status(self) -> Dict[str, Any]:
        """The daemon's status: uptime, clients, handles, in-flight calls, connection, server version."""
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
        execution_timeout: Optional[Duration] = None,
        run_timeout: Optional[Duration] = None,
        task_timeout: Optional[Duration] = None,
        id_reuse_policy: Union[WorkflowIDReusePolicy, str] = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy: Union[WorkflowIDConflictPolicy, str] = WorkflowIDConflictPolicy.UNSPECIFIED,
        retry_policy: Optional[RetryPolicy] = None,
        cron_schedule: str = "",
        memo: Optional[Mapping[str, Any]] = None,
        search_attributes: Optional[Mapping[str, Any]] = None,
        static_summary: Optional[str] = None,
        static_details: Optional[str] = None,
        start_delay: Optional[Duration] = None,
        start_signal: Optional[str] = None,
        start_signal_args: Sequence[Any] = [],
        rpc_timeout: Optional[timedelta] = None,
    ) -> "WorkflowHandle":
        """Starts a workflow and returns its handle (``temporalio.client.Client.start_workflow``).

        Args:
            workflow: The workflow type name, or a ``@workflow.defn`` class / its run method.
            arg: Single argument to the workflow.
            args: Multiple arguments to the workflow. Cannot be set if arg is.
            id: Unique identifier for the workflow execution.
            task_queue: Task queue to run the workflow on.
            execution_timeout: Total workflow execution timeout including retries and
                continue as new (a timedelta or a duration string such as ``"1h30m"``).
            run_timeout: Timeout of a single workflow run.
            task_timeout: Timeout of a single workflow task.
            id_reuse_policy: How already-closed workflow IDs are handled.
            id_conflict_policy: How already-running workflow IDs are handled.
            retry_policy: Retry policy for the workflow.
            cron_schedule: See https://docs.temporal.io/docs/content/what-is-a-temporal-cron-job/.
            memo: Memo for the workflow.
            search_attributes: Search attributes by name (the server knows their types).
            static_summary: A single-line fixed summary for this workflow execution.
            static_details: General fixed details for this workflow execution.
            start_delay: Amount of time to wait before starting the workflow.
            start_signal: If present, this signal is sent as signal-with-start.
            start_signal_args: Arguments for start_signal if start_signal present.
            rpc_timeout: Deadline of the call (sends ``$/cancelRequest`` when it passes).

        Returns:
            A workflow handle to the started workflow.

        Raises:
            WorkflowAlreadyStartedError: The workflow ID is already in use.
            RPCError: Workflow could not be started.
        """
        params = start_params(
            workflow,
            arg,
            args=args,
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
        info = await self._call(_protocol.WORKFLOW_START, params, rpc_timeout)
        return WorkflowHandle._from_info(self, info)

    async def start_update_with_start_workflow(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        wait_for_stage: Any,
        start_workflow_operation: WithStartWorkflowOperation,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Optional[Mapping[str, str]] = None,
        rpc_timeout: Optional[timedelta] = None,
    ) -> WorkflowUpdateHandle:
        """Start the workflow unless it runs (per the operation's ``id_conflict_policy``) and send
        it an update; returns the update's handle at ``wait_for_stage``
        (``await start_workflow_operation.workflow_handle()`` gives the workflow's)."""
        _updates.not_supported(result_type=result_type, rpc_metadata=rpc_metadata)
        params = self._with_start_params(update, arg, args, id, start_workflow_operation)
        params["waitForStage"] = _updates.stage_param(wait_for_stage)
        try:
            res = await self._call(_protocol.WORKFLOW_START_UPDATE_WITH_START, params, rpc_timeout)
        except BaseException as err:
            start_workflow_operation._fail(err)
            raise
        start_workflow_operation._set(WorkflowHandle._from_info(self, res["handle"]))
        return WorkflowUpdateHandle(self, res["update"])

    async def execute_update_with_start_workflow(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        start_workflow_operation: WithStartWorkflowOperation,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Optional[Mapping[str, str]] = None,
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Start the workflow unless it runs and send it an update; returns the update's result."""
        _updates.not_supported(result_type=result_type, rpc_metadata=rpc_metadata)
        params = self._with_start_params(update, arg, args, id, start_workflow_operation)
        try:
            res = await self._call(_protocol.WORKFLOW_EXECUTE_UPDATE_WITH_START, params, rpc_timeout)
        except BaseException as err:
            start_workflow_operation._fail(err)
            raise
        start_workflow_operation._set(WorkflowHandle._from_info(self, res["handle"]))
        return decode_value(res.get("value"))

    def _with_start_params(
        self, update: Any, arg: Any, args: Sequence[Any], id: Optional[str], op: WithStartWorkflowOperation
    ) -> Dict[str, Any]:
        params: Dict[str, Any] = {
            "start": op._params,
            "update": _updates.update_name(update),
            "args": encode_values(arg_or_args(arg, args, _UNSET)),
        }
        if id is not None:
            params["updateId"] = id
        return params

    def get_workflow_handle(
        self,
        workflow_id: str,
        *,
        run_id: Optional[str] = None,
        first_execution_run_id: Optional[str] = None,
    ) -> "WorkflowHandle":
        """A handle to an existing workflow; no call is made until the handle is used.

        Args:
            workflow_id: Workflow ID to get a handle to.
            run_id: Run ID that will be used for all calls.
            first_execution_run_id: First execution run ID used for cancellation and
                termination.
        """
        return WorkflowHandle(
            self,
            workflow_id,
            run_id=run_id,
            result_run_id=run_id,
            first_execution_run_id=first_execution_run_id,
        )

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


class WorkflowHandle:
    """Handle for interacting with a workflow (``temporalio.client.WorkflowHandle``).

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
    ) -> None:
        """Create workflow handle; prefer :meth:`Client.get_workflow_handle`."""
        self._client = client
        self._id = id
        self._run_id = run_id
        self._result_run_id = result_run_id
        self._first_execution_run_id = first_execution_run_id
        # Daemon handle tokens: "main" serves every call; "result" serves result()
        # when it needs a run ID the main handle cannot carry.
        self._tokens: Dict[str, str] = {}
        self._lock: Optional[asyncio.Lock] = None

    @classmethod
    def _from_info(cls, client: Client, info: Mapping[str, Any]) -> "WorkflowHandle":
        h = cls(
            client,
            str(info["workflowId"]),
            run_id=info.get("runId") or None,
            result_run_id=info.get("resultRunId") or None,
            first_execution_run_id=info.get("firstExecutionRunId") or None,
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
        self, method: str, params: Mapping[str, Any], *, kind: str = "main", rpc_timeout: Optional[timedelta] = None
    ) -> Any:
        for attempt in (1, 2):
            token = await self._token(kind)
            try:
                return await self._client._call(method, {"handle": token, **params}, rpc_timeout)
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
        progress: Optional[ProgressCallback] = None,
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Wait for the result of the workflow, starting at :attr:`result_run_id`.

        Args:
            follow_runs: If true (default), follow continue-as-new, retries and cron to
                the most recent run. If false, the first result is used.
            progress: Called with each ``$/progress`` value as it arrives: a ``begin``,
                a ``report`` for each step along the run chain (``workflowId``,
                ``previousRunId``, ``runId``, ``reason``) and an ``end``. May be a
                coroutine function.
            rpc_timeout: Deadline of the whole call (the SDK's applies per long poll).

        Returns:
            The result of the workflow.

        Raises:
            WorkflowFailureError: Workflow failed, was cancelled, was terminated, or timed
                out. Use :attr:`WorkflowFailureError.cause` to see the underlying reason.
            WorkflowContinuedAsNewError: ``follow_runs`` is false and the run continued as new.
            RPCError: The result could not be fetched.
        """
        params: Dict[str, Any] = {"followRuns": bool(follow_runs)}
        token: Optional[str] = None
        if progress is not None:
            token = self._client._progress_token()
            params["workDoneToken"] = token
            self._client._conn.add_progress(token, progress)
        try:
            res = await self._call(_protocol.HANDLE_RESULT, params, kind="result", rpc_timeout=rpc_timeout)
        finally:
            if token is not None:
                self._client._conn.remove_progress(token)
        return decode_value((res or {}).get("value"))

    async def cancel(self, *, reason: str = "", rpc_timeout: Optional[timedelta] = None) -> None:
        """Cancel the workflow (:attr:`run_id` or the latest run, within the chain of
        :attr:`first_execution_run_id`).

        Raises:
            RPCError: Workflow could not be cancelled.
        """
        await self._call(_protocol.HANDLE_CANCEL, {"reason": reason or ""}, rpc_timeout=rpc_timeout)

    async def describe(self, *, rpc_timeout: Optional[timedelta] = None) -> WorkflowExecutionDescription:
        """Get workflow details (:attr:`run_id`, or the latest run).

        Raises:
            RPCError: Workflow details could not be fetched.
        """
        return WorkflowExecutionDescription.from_wire(
            await self._call(_protocol.HANDLE_DESCRIBE, {}, rpc_timeout=rpc_timeout) or {}
        )

    async def query(
        self,
        query: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        reject_condition: Optional[Union[QueryRejectCondition, str]] = None,
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Query the workflow (:attr:`run_id`, or the latest run).

        Args:
            query: Query name, or a ``@workflow.query`` method.
            arg: Single argument to the query.
            args: Multiple arguments to the query. Cannot be set if arg is.
            reject_condition: Condition for rejecting the query (default: none).
            rpc_timeout: Deadline of the call.

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
        if condition is not None:
            params["rejectCondition"] = condition
        res = await self._call(_protocol.HANDLE_QUERY, params, rpc_timeout=rpc_timeout)
        return decode_value((res or {}).get("value"))

    async def signal(
        self,
        signal: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
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
        await self._call(_protocol.HANDLE_SIGNAL, params, rpc_timeout=rpc_timeout)

    async def terminate(
        self, *args: Any, reason: Optional[str] = None, rpc_timeout: Optional[timedelta] = None
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
        await self._call(_protocol.HANDLE_TERMINATE, params, rpc_timeout=rpc_timeout)

    # --- Updates -----------------------------------------------------------------------

    async def execute_update(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Optional[Mapping[str, str]] = None,
        rpc_timeout: Optional[timedelta] = None,
    ) -> Any:
        """Send an update to the workflow (:attr:`run_id`, within the chain of
        :attr:`first_execution_run_id`) and wait for its result.

        Raises:
            WorkflowUpdateFailedError: The update failed (its validator rejected it or its handler raised).
            RPCError: The update could not be sent (e.g. NOT_FOUND: the workflow closed or is unknown).
        """
        _updates.not_supported(result_type=result_type, rpc_metadata=rpc_metadata)
        params: Dict[str, Any] = {
            "update": _updates.update_name(update),
            "args": encode_values(arg_or_args(arg, args, _UNSET)),
        }
        if id is not None:
            params["updateId"] = id
        res = await self._call(_protocol.HANDLE_EXECUTE_UPDATE, params, rpc_timeout=rpc_timeout)
        return decode_value(res.get("value"))

    async def start_update(
        self,
        update: Any,
        arg: Any = _UNSET,
        *,
        wait_for_stage: Any,
        args: Sequence[Any] = [],
        id: Optional[str] = None,
        result_type: Optional[type] = None,
        rpc_metadata: Optional[Mapping[str, str]] = None,
        rpc_timeout: Optional[timedelta] = None,
    ) -> WorkflowUpdateHandle:
        """Send an update and return its handle once it reaches ``wait_for_stage``
        (``WorkflowUpdateStage.ACCEPTED`` or ``COMPLETED``; ADMITTED is refused, as in temporalio)."""
        _updates.not_supported(result_type=result_type, rpc_metadata=rpc_metadata)
        params: Dict[str, Any] = {
            "update": _updates.update_name(update),
            "args": encode_values(arg_or_args(arg, args, _UNSET)),
            "waitForStage": _updates.stage_param(wait_for_stage),
        }
        if id is not None:
            params["updateId"] = id
        info = await self._call(_protocol.HANDLE_START_UPDATE, params, rpc_timeout=rpc_timeout)
        return WorkflowUpdateHandle(self._client, info)

    async def get_update_handle(
        self, id: str, *, workflow_run_id: Optional[str] = None, result_type: Optional[type] = None
    ) -> WorkflowUpdateHandle:
        """A handle for an update already sent (no call to Temporal)."""
        _updates.not_supported(result_type=result_type)
        params: Dict[str, Any] = {"updateId": id}
        if workflow_run_id is not None:
            params["workflowRunId"] = workflow_run_id
        return WorkflowUpdateHandle(self._client, await self._call(_protocol.HANDLE_GET_UPDATE_HANDLE, params))

    async def get_update_handle_for(
        self, update: Any, id: str, *, workflow_run_id: Optional[str] = None
    ) -> WorkflowUpdateHandle:
        """As :meth:`get_update_handle`, for the given ``@workflow.update`` method (its name is checked)."""
        _updates.update_name(update)
        return await self.get_update_handle(id, workflow_run_id=workflow_run_id)

    # --- History -----------------------------------------------------------------------

    async def fetch_history(
        self,
        *,
        event_filter_type: Any = None,
        skip_archival: bool = False,
        decode: bool = False,
        rpc_timeout: Optional[timedelta] = None,
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
            rpc_timeout=rpc_timeout,
        )

    def fetch_history_events(
        self,
        *,
        page_size: Optional[int] = None,
        next_page_token: Optional[Union[str, bytes]] = None,
        wait_new_event: bool = False,
        event_filter_type: Any = None,
        skip_archival: bool = False,
        decode: bool = False,
        rpc_timeout: Optional[timedelta] = None,
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
            rpc_timeout=rpc_timeout,
        )

    def watch(
        self, *, from_event_id: Optional[int] = None, follow_runs: bool = True, decode: bool = False
    ) -> AsyncIterator[Dict[str, Any]]:
        """Each batch of new events as the runs write them, across the run chain (not in temporalio).

        Yields ``{"runId", "events", "reason"?, "previousRunId"?}``; ends when the last run closes.
        """
        return _history.watch(self, from_event_id=from_event_id, follow_runs=follow_runs, decode=decode)


__all__ = ["Client", "WorkflowHandle", "default_daemon_command"]
