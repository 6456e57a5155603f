"""Camunda typed variables <-> plain Python values.

Values are fetched with deserializeValues=false: Json and JSON-serialized Object variables
arrive as strings and are parsed here, which keeps them intact (the engine's own
deserialisation mangles Json). Anything unreadable becomes a documented error naming the
variable, never an exception out of the worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import Any

from worker.errors import ErrorCode, InputError

_PLAIN_TYPES = {"String", "Boolean", "Integer", "Long", "Short", "Double", "Date", "Null"}


def unwrap(
    name: str,
    typed: dict[str, Any] | None,
    download: Callable[[str], bytes],
    *,
    file_allowed: bool = False,
) -> object:
    """One typed variable as a Python value; `download(name)` fetches a File's content, for
    the variables where the caller accepts a File (`file_allowed`)."""
    if typed is None:
        return None
    kind = str(typed.get("type") or "")
    value = typed.get("value")
    if kind in _PLAIN_TYPES or (kind == "" and not isinstance(value, (dict, list))):
        return value
    if kind == "Json":
        return _parse_json(name, value)
    if kind == "Object":
        info = typed.get("valueInfo") or {}
        if info.get("serializationDataFormat") == "application/json":
            return _parse_json(name, value)
        raise _invalid(
            name,
            f"{name}: an Object variable serialized as "
            f"{info.get('serializationDataFormat') or 'unknown format'} cannot be read; "
            "use a Json or String variable",
        )
    if kind in ("File", "Bytes"):
        if not file_allowed:
            raise _invalid(name, f"{name}: a {kind} variable is not accepted here")
        return download(name)
    raise _invalid(name, f"{name}: variables of type {kind} are not supported")


def unwrap_all(
    names: Iterable[str],
    variables: dict[str, dict[str, Any]],
    download: Callable[[str], bytes],
    *,
    file_variables: Collection[str] = (),
) -> dict[str, object]:
    return {
        name: unwrap(name, variables.get(name), download, file_allowed=name in file_variables)
        for name in names
    }


def json_variable(value: object) -> dict[str, str]:
    """A value to send to the engine as a Json variable (needs Spin on the engine)."""
    return {"type": "Json", "value": json.dumps(value, ensure_ascii=False)}


def _parse_json(name: str, value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str):
        # An engine that already deserialised the value: take it as it is.
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError) as exc:
        raise _invalid(name, f"{name}: the Json variable does not hold valid JSON") from exc


def _invalid(name: str, message: str) -> InputError:
    return InputError(ErrorCode.INVALID_INPUT, message, variables=[name])
