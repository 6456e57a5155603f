"""Camunda typed variables <-> plain Python values.

Values are fetched with deserializeValues=false: Json and JSON-serialized Object variables
arrive as strings and are parsed here, which keeps them intact (the engine's own
deserialisation mangles Json). Their text's size is checked before it is parsed
(`worker.bounded_json`). Anything unreadable, including shapes the engine never sends, becomes
a documented error naming the variable, never an exception out of the worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import Any

from worker.bounded_json import MAX_JSON_CHARS, JsonRejected, parse_json_text
from worker.errors import ErrorCode, InputError
from worker.redaction import quote

_PLAIN_TYPES = {"String", "Boolean", "Integer", "Long", "Short", "Double", "Date", "Null"}


def unwrap(
    name: str,
    typed: dict[str, Any] | None,
    download: Callable[[str], bytes],
    *,
    file_allowed: bool = False,
    max_json_chars: int = MAX_JSON_CHARS,
) -> object:
    """One typed variable as a Python value; `download(name)` fetches a File's content, for
    the variables where the caller accepts a File (`file_allowed`). Json text longer than
    `max_json_chars` is refused unparsed."""
    if typed is None:
        return None
    if not isinstance(typed, dict):
        raise _invalid(name, f"{name}: not a typed value ({{type, value}})")
    raw_kind = typed.get("type") or ""
    if not isinstance(raw_kind, str):
        raise _invalid(name, f"{name}: its type is not a name")
    kind, value = raw_kind, typed.get("value")
    if kind in _PLAIN_TYPES or (kind == "" and not isinstance(value, (dict, list))):
        return value
    if kind == "Json":
        return _parse_json(name, value, max_json_chars)
    if kind == "Object":
        info = typed.get("valueInfo")
        data_format = info.get("serializationDataFormat") if isinstance(info, dict) else None
        if data_format == "application/json":
            return _parse_json(name, value, max_json_chars)
        shown = quote(data_format) if isinstance(data_format, str) else "unknown format"
        raise _invalid(
            name,
            f"{name}: an Object variable serialized as {shown} cannot be read; "
            "use a Json or String variable",
        )
    if kind in ("File", "Bytes"):
        if not file_allowed:
            # Refused before anything is downloaded, whatever its size.
            raise _invalid(name, f"{name}: a {kind} variable is not accepted here")
        return download(name)
    raise _invalid(name, f"{name}: variables of type {quote(kind)} are not supported")


def unwrap_all(
    names: Iterable[str],
    variables: dict[str, dict[str, Any]],
    download: Callable[[str], bytes],
    *,
    file_variables: Collection[str] = (),
    max_json_chars: int = MAX_JSON_CHARS,
) -> dict[str, object]:
    return {
        name: unwrap(
            name,
            variables.get(name),
            download,
            file_allowed=name in file_variables,
            max_json_chars=max_json_chars,
        )
        for name in names
    }


def json_variable(value: object) -> dict[str, str]:
    """A value to send to the engine as a Json variable (needs Spin on the engine)."""
    return {"type": "Json", "value": json.dumps(value, ensure_ascii=False)}


# Camunda 7 keeps a String variable's text in a column of 4,000 characters (2,000 on Oracle,
# 4,000 bytes on DB2: the text below is ASCII, so characters are bytes).
MAX_STRING_VARIABLE_CHARS = 2_000


def json_text_variable(value: object) -> dict[str, str]:
    """`value` as compact ASCII JSON text in a String variable when it fits the engine's text
    column, else as a Json variable. For records the worker writes for itself and reads back
    unparsed (deserializeValues off): a String is one row per table for the engine, while a
    Json value goes through Spin and into a byte array of its own, in history too."""
    text = json.dumps(value, separators=(",", ":"))
    if len(text) <= MAX_STRING_VARIABLE_CHARS:
        return {"type": "String", "value": text}
    return {"type": "Json", "value": text}


def _parse_json(name: str, value: object, max_chars: int) -> object:
    if value is None:
        return None
    if not isinstance(value, str):
        # An engine that already deserialised the value: taken as it is; the consumer checks
        # it as data (worker.bounded_json.check_json_value).
        return value
    try:
        return parse_json_text(value, max_chars=max_chars)
    except JsonRejected as exc:
        raise _invalid(name, f"{name}: {exc}") from None


def _invalid(name: str, message: str) -> InputError:
    return InputError(ErrorCode.INVALID_INPUT, message, variables=[name])
