"""An in-memory engine for the runtime's unit tests: it implements the `TaskEngine` protocol,
records every call, and answers each from a script of exceptions before it succeeds. A clock
that only moves when the code under test sleeps (`tests.fake_clock`) makes lock deadlines
exact."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fake_clock import FakeClock
from worker.engine.task import ExternalTask

__all__ = ["Call", "FakeClock", "FakeEngine", "json_value", "task"]


@dataclass
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass
class FakeEngine:
    """`failures[name]`: exceptions raised by the next calls of that name, in order."""

    failures: dict[str, list[Exception]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    # Called on each call, e.g. to let time pass while the engine "answers".
    on_call: Callable[[str], None] = lambda _name: None

    def _call(self, name: str, *args: Any) -> None:
        self.calls.append(Call(name, args))
        self.on_call(name)
        pending = self.failures.get(name)
        if pending:
            raise pending.pop(0)

    def names(self) -> list[str]:
        return [call.name for call in self.calls]

    def last(self, name: str) -> Call:
        return [call for call in self.calls if call.name == name][-1]

    def complete(self, task: ExternalTask, variables: dict[str, Any]) -> None:
        self._call("complete", task.id, variables)

    def bpmn_error(
        self, task: ExternalTask, code: str, message: str, variables: dict[str, Any]
    ) -> None:
        self._call("bpmn_error", task.id, code, message, variables)

    def failure(
        self, task: ExternalTask, message: str, details: str, retries: int, retry_timeout_ms: int
    ) -> None:
        self._call("failure", task.id, message, details, retries, retry_timeout_ms)

    def extend_lock(self, task: ExternalTask, new_duration_ms: int) -> None:
        self._call("extend_lock", task.id, new_duration_ms)

    def set_local_variable(self, execution_id: str, name: str, typed: dict[str, Any]) -> None:
        self._call("set_local_variable", execution_id, name, typed)

    def download_variable(self, task: ExternalTask, name: str) -> bytes:
        self._call("download_variable", task.id, name)
        return self.files[name]


def task(retries: int | None = None, **variables: dict[str, Any]) -> ExternalTask:
    return ExternalTask("task-1", "Send", "exec-1", "pi-1", "pd-1", retries, variables=variables)


def json_value(typed: dict[str, Any]) -> Any:
    """The value of a JSON variable the code under test sent (Json, or JSON text in a String)."""
    assert typed["type"] in ("Json", "String")
    return json.loads(typed["value"])
