"""Workflow updates through the daemon, with temporalio's names and signatures:
``WorkflowUpdateHandle``, ``WorkflowUpdateStage``, ``WithStartWorkflowOperation``."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Union

from . import _protocol
from ._values import decode_value

if TYPE_CHECKING:
    from .client import Client, WorkflowHandle


_NO_ARG: Any = object()


class WorkflowUpdateStage(IntEnum):
    """Stage to wait for an update to reach before returning from ``start_update``."""

    ADMITTED = 1
    ACCEPTED = 2
    COMPLETED = 3


def stage_param(stage: Union[WorkflowUpdateStage, str, int]) -> str:
    """The protocol's name of a stage (ADMITTED is passed on: the daemon refuses it, as the SDK)."""
    if isinstance(stage, WorkflowUpdateStage):
        return stage.name
    if isinstance(stage, int) and not isinstance(stage, bool):
        return WorkflowUpdateStage(stage).name
    if isinstance(stage, str) and stage.upper() in WorkflowUpdateStage.__members__:
        return stage.upper()
    raise ValueError(f"wait_for_stage must be a WorkflowUpdateStage, got {stage!r}")


def not_supported(**options: Any) -> None:
    """Refuses options the daemon cannot honour yet, rather than ignore them silently."""
    for name, value in options.items():
        if value is not None:
            raise NotImplementedError(f"{name} is not supported by temporal_handled yet (values come back as JSON)")


def update_name(update: Any) -> str:
    """An update's name: a string, or a ``@workflow.update`` method (its registered name)."""
    if isinstance(update, str):
        return update
    # temporalio's @workflow.update keeps its definition in `_defn` (older releases used
    # `__temporal_update_definition`); read by duck typing, so temporalio need not be installed.
    defn = getattr(update, "__temporal_update_definition", None)
    if defn is None:
        candidate = getattr(update, "_defn", None)
        defn = candidate if type(candidate).__name__ == "_UpdateDefinition" else None
    name = getattr(defn, "name", None)
    if isinstance(name, str) and name:
        return name
    raise TypeError(f"update must be a name (str) or a temporalio @workflow.update method, not {update!r}")


class WorkflowUpdateHandle:
    """Handle for a workflow update execution request, backed by a daemon update token."""

    def __init__(self, client: "Client", info: Mapping[str, Any]) -> None:
        self._client = client
        self._token = str(info["update"])
        self._id = str(info["updateId"])
        self._workflow_id = str(info["workflowId"])
        self._workflow_run_id: Optional[str] = info.get("workflowRunId") or None

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

    async def result(
        self, *, rpc_metadata: Optional[Mapping[str, str]] = None, rpc_timeout: Optional[timedelta] = None
    ) -> Any:
        """Wait for and return the result of the update.

        Raises:
            WorkflowUpdateFailedError: The update failed (validator rejected it, handler raised).
            RPCError: Update result could not be fetched.
        """
        not_supported(rpc_metadata=rpc_metadata)
        res = await self._client._call(_protocol.UPDATE_RESULT, {"update": self._token}, rpc_timeout)
        return decode_value(res.get("value"))

    async def describe(self, *, rpc_timeout: Optional[timedelta] = None) -> Dict[str, Any]:
        """The update's stage and, once completed, its outcome, without waiting (not in temporalio)."""
        res: Dict[str, Any] = await self._client._call(_protocol.UPDATE_DESCRIBE, {"update": self._token}, rpc_timeout)
        return res

    async def release(self) -> None:
        """Frees the daemon's update token now (not in temporalio)."""
        await self._client._conn.request(_protocol.UPDATE_RELEASE, {"update": self._token})

    def __repr__(self) -> str:
        return f"WorkflowUpdateHandle(id={self._id!r}, workflow_id={self._workflow_id!r})"


class WithStartWorkflowOperation:
    """Defines a start-workflow operation used by update-with-start requests (temporalio's)."""

    def __init__(
        self,
        workflow: Any,
        arg: Any = _NO_ARG,
        *,
        args: Sequence[Any] = (),
        id: str,
        task_queue: str,
        id_conflict_policy: Any,
        **options: Any,
    ) -> None:
        """Create a WithStartWorkflowOperation; ``id_conflict_policy`` is required, as in temporalio."""
        from .client import _UNSET, start_params

        if "start_signal" in options or "start_signal_args" in options:
            raise ValueError("update-with-start cannot take start_signal")
        self._params = start_params(
            workflow,
            _UNSET if arg is _NO_ARG else arg,
            args=args,
            id=id,
            task_queue=task_queue,
            id_conflict_policy=id_conflict_policy,
            **options,
        )
        self._handle: "asyncio.Future[WorkflowHandle]" = asyncio.get_event_loop().create_future()

    async def workflow_handle(self, *, rpc_timeout: Optional[timedelta] = None) -> "WorkflowHandle":
        """The handle of the workflow started (or reached) by the update-with-start call."""
        return await asyncio.wait_for(
            asyncio.shield(self._handle), rpc_timeout.total_seconds() if rpc_timeout else None
        )

    def _set(self, handle: "WorkflowHandle") -> None:
        if not self._handle.done():
            self._handle.set_result(handle)

    def _fail(self, err: BaseException) -> None:
        if not self._handle.done():
            self._handle.set_exception(err)
            self._handle.exception()  # retrieved: the caller may never ask for it
