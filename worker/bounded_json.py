"""JSON from outside the worker (task variables, command arguments), read within stated bounds.

The text's size is checked before it is parsed, so parsing never costs more than a bounded
amount of memory: 256 KiB of JSON text becomes at most 12 MB of Python objects (the costliest
shape found, `[{"":{}}, ...]`, takes 8.4 MB; tests/test_bounded_json.py). Numbers must fit a
double (what the engine's Spin, JavaScript and most JSON readers hold): longer integers are
refused before Python converts them, whose own 4,300-digit guard is a global setting this must
not depend on. NaN and Infinity are not JSON. Text values must be Unicode (no unpaired
surrogates such as a lone "\\ud83d": they cannot be encoded, so they could never be sent,
logged or stored).

Reasons never quote the input: the caller names the variable, and raw input does not belong
in messages (see `worker.redaction`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from worker.redaction import has_surrogate

MAX_JSON_CHARS = 256 * 1024
MAX_JSON_DEPTH = 32
# 1.8e308, the largest double, has 309 digits; a literal longer than this cannot be a double.
MAX_NUMBER_DIGITS = 309
_MAX_NUMBER_CHARS = MAX_NUMBER_DIGITS + 24  # sign, point, exponent


class JsonRejected(ValueError):
    """The text is not acceptable JSON; the message says why, without quoting it."""


def parse_json_text(text: str, *, max_chars: int = MAX_JSON_CHARS) -> object:
    """Parse `text` (checked for size first) and check the value (`check_json_value`)."""
    if len(text) > max_chars:
        raise JsonRejected(f"{len(text):,} characters of JSON, more than {max_chars:,}")
    try:
        value = json.loads(
            text,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_not_json,
        )
    except JsonRejected:
        raise
    except json.JSONDecodeError as exc:
        # `from None`: the library's exception keeps the whole document, which must not reach
        # a logged traceback.
        raise JsonRejected(
            f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise JsonRejected(f"not valid JSON: nested deeper than {MAX_JSON_DEPTH} levels") from None
    check_json_value(value, max_chars=max_chars)
    return value


def check_json_value(value: object, *, max_chars: int = MAX_JSON_CHARS) -> None:
    """Check a value that is already Python data (parsed here, or by the engine client):
    nesting, size as JSON, numbers, text.

    The size counted is that of the value written as compact JSON, escapes aside: never more
    than the text it was parsed from, so text that passed the size check passes here too. The
    walk stops as soon as that size is exceeded, and holds one iterator per level, so it needs
    memory for at most MAX_JSON_DEPTH levels, whatever the value's size.
    """
    size = 0
    stack: list[Iterator[Any]] = [iter((value,))]
    while stack:
        item = next(stack[-1], _DONE)
        if item is _DONE:
            stack.pop()
            continue
        size += _written_size(item)
        if size > max_chars:
            raise JsonRejected(f"more than {max_chars:,} characters as JSON")
        if isinstance(item, dict):
            _check_keys(item)
            # Each key in quotes with its colon, and the commas between the members.
            size += sum(len(key) + 3 for key in item) + max(len(item) - 1, 0)
            children: Iterator[Any] = iter(item.values())
        elif isinstance(item, (list, tuple)):
            size += max(len(item) - 1, 0)
            children = iter(item)
        else:
            continue
        if len(stack) > MAX_JSON_DEPTH:
            raise JsonRejected(f"nested deeper than {MAX_JSON_DEPTH} levels")
        stack.append(children)


_DONE = object()


def _written_size(item: object) -> int:
    """Characters `item` takes as compact JSON (a string's escapes not counted), checking it."""
    if isinstance(item, str):
        if has_surrogate(item):
            raise JsonRejected(_SURROGATE_MESSAGE)
        return len(item) + 2
    if item is None or item is True:
        return 4
    if item is False:
        return 5
    if isinstance(item, int):
        if item.bit_length() > 1024:
            raise JsonRejected(_NUMBER_MESSAGE)
        return len(str(item))
    if isinstance(item, float):
        if not math.isfinite(item):
            raise JsonRejected("NaN and Infinity are not JSON numbers")
        return len(repr(item))
    if isinstance(item, (dict, list, tuple)):
        return 2
    name = type(item).__name__
    article = "an" if name[:1] in "aeiou" else "a"
    raise JsonRejected(f"holds {article} {name}, which is not JSON data")


def _check_keys(item: dict[Any, Any]) -> None:
    for key in item:
        if not isinstance(key, str):
            raise JsonRejected("an object key is not text")
        if has_surrogate(key):
            raise JsonRejected(_SURROGATE_MESSAGE)


_SURROGATE_MESSAGE = (
    "a text holds an unpaired UTF-16 surrogate (such as \\ud83d without its pair), "
    "which is not Unicode text"
)
_NUMBER_MESSAGE = "a number is beyond the range of a double (about 1.8e308)"


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise JsonRejected(_NUMBER_MESSAGE)
    return int(literal)


def _float(literal: str) -> float:
    if len(literal) > _MAX_NUMBER_CHARS:
        raise JsonRejected(_NUMBER_MESSAGE)
    number = float(literal)
    if not math.isfinite(number):
        raise JsonRejected(_NUMBER_MESSAGE)
    return number


def _not_json(literal: str) -> object:
    raise JsonRejected(f"{literal} is not a JSON number")
