"""The engine calls a task's handling makes, as a protocol: `worker.engine.client.EngineClient`
implements it, and unit tests drive the handler, lease and reporter with a fake of their own."""

from __future__ import annotations

from typing import Any, Protocol

from worker.engine.task import ExternalTask


class TaskEngine(Protocol):
    """Each call raises `worker.errors.EngineError` (TaskGone, LockLost, EngineUnreachable)."""

    def complete(self, task: ExternalTask, variables: dict[str, Any]) -> None: ...

    def bpmn_error(
        self, task: ExternalTask, code: str, message: str, variables: dict[str, Any]
    ) -> None: ...

    def failure(
        self, task: ExternalTask, message: str, details: str, retries: int, retry_timeout_ms: int
    ) -> None: ...

    def extend_lock(self, task: ExternalTask, new_duration_ms: int) -> None: ...

    def set_local_variable(self, execution_id: str, name: str, typed: dict[str, Any]) -> None: ...

    def download_variable(self, task: ExternalTask, name: str) -> bytes: ...
