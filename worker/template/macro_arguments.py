"""The values a macro or function call gives its parameters, as FreeMarker sets them: a
missing value leaves its parameter unset (so its default applies), and the values no
parameter takes go to the catch-all parameter (`rest...`), if there is one."""

from __future__ import annotations

from typing import Any

from . import limits
from .failures import TemplateDataFailure, TemplateLimitFailure
from .values import Missing


def call_arguments(
    name: str,
    declared: list[str],
    catch_all: str | None,
    names: list[str],
    values: tuple[Any, ...],
) -> dict[str, Any]:
    """Values given by position (`names` empty) or by name. Extra values by position make a
    sequence, extra values by name a hash, whose keys come in the order FreeMarker's (a Java
    HashMap) gives them. A missing extra value stays in the collection as missing."""
    if not names and catch_all is None and len(values) > len(declared):
        raise TemplateDataFailure(f"Macro {name} takes at most {len(declared)} argument(s)")
    unknown = sum(1 for key in names if key not in declared)
    if max(unknown, len(values) - len(declared)) > limits.MAX_SEQUENCE_ITEMS:
        raise TemplateLimitFailure(
            f"Macro {name} is given more than {limits.MAX_SEQUENCE_ITEMS:,} extra arguments"
        )
    arguments: dict[str, Any] = {}
    if names:
        by_name: dict[str, Any] = {}
        for key, value in zip(names, values, strict=True):
            if key not in declared and catch_all is None:
                raise TemplateDataFailure(f"Macro {name} has no parameter {key}")
            given = None if isinstance(value, Missing) else value
            if key not in declared:
                by_name[key] = given
            elif given is None:
                arguments.pop(key, None)
            else:
                arguments[key] = given
        if catch_all is not None:
            arguments[catch_all] = {key: by_name[key] for key in java_hash_map_order(by_name)}
        return arguments
    for key, value in zip(declared, values, strict=False):
        if not isinstance(value, Missing):
            arguments[key] = value
    if catch_all is not None:
        rest = values[len(declared) :]
        arguments[catch_all] = [None if isinstance(v, Missing) else v for v in rest]
    return arguments


def java_hash_map_order(keys: dict[str, Any]) -> list[str]:
    """The order a `java.util.HashMap` holding `keys` (put in this order) iterates them:
    by bucket of its table (16 entries, doubled while more than 3/4 full), then in the order
    put. (A bucket of more than 8 keys, which Java turns into a tree, is not modelled.)"""
    size = 16
    while len(keys) > size * 3 // 4:
        size *= 2

    def bucket(key: str) -> int:
        hashed = java_string_hash(key)
        return (hashed ^ (hashed >> 16)) & (size - 1)

    return sorted(keys, key=bucket)  # stable: the order put within a bucket


def java_string_hash(text: str) -> int:
    """`String.hashCode()`, as an unsigned 32-bit number: over UTF-16 code units."""
    encoded = text.encode("utf-16-le", "surrogatepass")
    hashed = 0
    for at in range(0, len(encoded), 2):
        hashed = (31 * hashed + int.from_bytes(encoded[at : at + 2], "little")) & 0xFFFFFFFF
    return hashed
