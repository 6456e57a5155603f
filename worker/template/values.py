"""The value model at render time: JSON values plus dates, and the markers for missing values.

Metadata is JSON, so values are dict, list, str, int, float, bool and None (None counts as
missing, as FreeMarker treats null). Templates add ranges and dates.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from . import locales
from .dates import format_date_default
from .failures import MissingValueFailure, TemplateDataFailure
from .formatting import format_number_setting
from .ranges import RangeValue


class Missing:
    """A lookup that found nothing. Passed along (not raised) so `!` and `??` can catch it;
    any other use raises, naming the expression that came up empty (`node_id`)."""

    __slots__ = ("node_id",)

    def __init__(self, node_id: int) -> None:
        self.node_id = node_id

    def failure(self) -> MissingValueFailure:
        return MissingValueFailure("missing", node_id=self.node_id)


class FalsyMissing(Missing):
    """A missing left operand of `&&` in a lenient context: falsy, so `and` stops at it."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False


class EmptyDefault(str):
    """What a bare `x!` yields: FreeMarker's value that is at once "", [] and {}."""

    __slots__ = ()


class KeyList(list):  # type: ignore[type-arg]
    """`?keys`/`?values`: FreeMarker gives a collection there (`?is_collection`), though not
    a `?is_collection_ex` one."""

    __slots__ = ()


class RegexMatches(KeyList):
    """What `?matches` gives: at once a boolean (whether the whole string matched) and a
    collection of the matches found in it, as FreeMarker's; `groups` are the whole match's."""

    __slots__ = ("groups", "matched")

    def __init__(self, items: list[Any], matched: bool, groups: list[Any]) -> None:
        super().__init__(items)
        self.matched = matched
        self.groups = groups


def as_boolean(value: Any) -> Any:
    """A `?matches` result where a boolean is expected is its whole-string match."""
    return value.matched if isinstance(value, RegexMatches) else value


class ConcatenatedList(list):  # type: ignore[type-arg]
    """`seq + seq`: a collection for `?is_collection` and `?is_collection_ex` in FreeMarker."""

    __slots__ = ()


EMPTY_DEFAULT = EmptyDefault()
DATE_TYPES = (datetime.date, datetime.time)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def is_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple, RangeValue, EmptyDefault))


def is_hash(value: object) -> bool:
    return isinstance(value, (Mapping, EmptyDefault))


def type_name(value: object) -> str:
    if isinstance(value, EmptyDefault):
        return "empty default value"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, DATE_TYPES):
        return "date"
    if isinstance(value, Mapping):
        return "hash"
    if isinstance(value, Sequence):
        return "sequence"
    return "unsupported value"


def wrong_type(expected: str, value: object) -> TemplateDataFailure:
    return TemplateDataFailure(f"Expected a {expected}, but this evaluated to a {type_name(value)}")


def to_text(value: Any) -> str:
    """How `${...}` prints a value: the number, boolean and date formats of the locale and the
    `<#setting>`s; booleans (unless boolean_format is set), sequences and hashes cannot be
    printed, exactly as in FreeMarker."""
    if isinstance(value, str):
        return value
    value = as_boolean(value)  # a `?matches` result prints as a boolean, if at all
    if isinstance(value, bool):
        texts = locales.current_formats().boolean
        if texts is None:
            raise TemplateDataFailure(
                'Can\'t print a boolean; use ?c for true/false or ?string("yes", "no")'
            )
        return texts[0] if value else texts[1]
    if is_number(value):
        return format_number_setting(value)
    if isinstance(value, DATE_TYPES):
        return format_date_default(value)
    raise TemplateDataFailure(f"Can't print a {type_name(value)}; print its items or keys")


def require_text(value: Any) -> str:
    if isinstance(value, bool):
        raise wrong_type("string", value)
    return to_text(value)


def require_sequence(value: Any) -> Sequence[Any]:
    if isinstance(value, EmptyDefault):
        return ()
    if isinstance(value, RangeValue):
        return value.listable()
    if not isinstance(value, (list, tuple)):
        raise wrong_type("sequence", value)
    return value


def require_hash(value: Any) -> Mapping[str, Any]:
    if isinstance(value, EmptyDefault):
        return {}
    if not isinstance(value, Mapping):
        raise wrong_type("hash", value)
    return value


def require_number(value: Any) -> int | float | Decimal:
    if not is_number(value):
        raise wrong_type("number", value)
    result: int | float | Decimal = value
    return result
