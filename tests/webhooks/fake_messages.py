"""An in-memory engine for the webhook unit tests: implements `delivery.MessageEngine`, records
every call, and can be made unreachable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worker.engine.messages import Correlated, TypedValue, Waiting
from worker.errors import EngineUnreachable, NothingToCorrelate


@dataclass
class FakeMessages:
    # sender -> process instances waiting for SMS_RECEIVED, oldest first
    waiting: dict[str, list[str]] = field(default_factory=dict)
    instances: set[str] = field(default_factory=set)
    # (instance, name) -> typed value
    variables: dict[tuple[str, str], TypedValue] = field(default_factory=dict)
    # instances waiting for SMS_STATUS
    status_waiting: set[str] = field(default_factory=set)
    start_event: bool = False
    unreachable: bool = False
    calls: list[str] = field(default_factory=list)
    started: list[dict[str, TypedValue]] = field(default_factory=list)

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.unreachable:
            raise EngineUnreachable(f"{name}: ConnectionError")

    def newest_waiting(self, message: str, variables_equal: dict[str, str]) -> Waiting | None:
        self._call("newest_waiting")
        found = self.waiting.get(next(iter(variables_equal.values())), [])
        return Waiting(f"exec-{found[-1]}", found[-1]) if found else None

    def trigger(self, waiting: Waiting, message: str, variables: dict[str, TypedValue]) -> None:
        self._call("trigger")
        for queue in self.waiting.values():
            if waiting.process_instance_id in queue:
                queue.remove(waiting.process_instance_id)
                self._set_all(waiting.process_instance_id, variables)
                return
        raise NothingToCorrelate("gone")

    def correlate(
        self,
        message: str,
        *,
        process_instance_id: str | None = None,
        correlation_keys: dict[str, TypedValue] | None = None,
        variables: dict[str, TypedValue] | None = None,
        every_match: bool = False,
    ) -> list[Correlated]:
        self._call("correlate")
        if process_instance_id is not None:
            if process_instance_id in self.status_waiting:
                self.status_waiting.discard(process_instance_id)
                self._set_all(process_instance_id, variables or {})
                return [Correlated(process_instance_id, started=False)]
            return []
        if self.start_event:
            self.started.append(dict(variables or {}))
            return [Correlated(f"started-{len(self.started)}", started=True)]
        raise NothingToCorrelate("no match")

    def instance_exists(self, instance_id: str) -> bool:
        self._call("instance_exists")
        return instance_id in self.instances

    def variable(self, instance_id: str, name: str) -> TypedValue | None:
        self._call("variable")
        return self.variables.get((instance_id, name))

    def set_variable(self, instance_id: str, name: str, typed: TypedValue) -> None:
        self._call("set_variable")
        self.variables[(instance_id, name)] = typed

    def ever_had(self, name: str, value: str) -> bool:
        self._call("ever_had")
        return any(
            key[1] == name and typed.get("value") == value for key, typed in self.variables.items()
        ) or any(v.get(name, {}).get("value") == value for v in self.started)

    def _set_all(self, instance: str, variables: dict[str, Any]) -> None:
        for name, typed in variables.items():
            self.variables[(instance, name)] = typed
