"""An external task as the engine hands it out (fetchAndLock answer, one element)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExternalTask:
    id: str
    activity_id: str
    execution_id: str
    process_instance_id: str
    process_definition_id: str
    retries: int | None
    # Typed values exactly as the engine sent them ({"type", "value", "valueInfo"}), since
    # values are fetched with deserializeValues=false and parsed by worker.engine.variables.
    variables: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    business_key: str | None = None
    tenant_id: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExternalTask:
        return cls(
            id=str(data["id"]),
            activity_id=str(data.get("activityId") or ""),
            execution_id=str(data.get("executionId") or ""),
            process_instance_id=str(data.get("processInstanceId") or ""),
            process_definition_id=str(data.get("processDefinitionId") or ""),
            retries=data.get("retries") if isinstance(data.get("retries"), int) else None,
            variables=dict(data.get("variables") or {}),
            business_key=data.get("businessKey"),
            tenant_id=data.get("tenantId"),
        )
