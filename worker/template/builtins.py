"""The supported built-ins (`value?name(args)`) and their arities, checked at parse time.

Loop-variable built-ins, `?then` and `?has_content` are listed here for the parser but compiled
specially (they need the loop state, or must accept a missing value).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from . import limits, locales, numbers
from .budget import charge, charge_text
from .date_builtins import DATE_FORMAT_BUILTINS
from .date_parsing import parse_by, parse_iso
from .dates import DateValue, date_of, format_by, format_date_iso, kind_of, time_of
from .escaping_builtins import ESCAPING_BUILTINS
from .failures import TemplateDataFailure
from .formatting import (
    currency_pattern,
    format_computer,
    format_number,
    format_number_setting,
    percent_pattern,
)
from .json_values import JSON_BUILTINS
from .number_builtins import NUMBER_BUILTINS
from .number_patterns import parse_number_pattern
from .ranges import RangeValue
from .regex_builtins import REGEX_BUILTINS
from .sequence_builtins import SEQUENCE_BUILTINS
from .text_builtins import (
    JAVA_WHITESPACE,
    UNITS_PER_PYTHON_CHAR,
    capitalize,
    checked_text,
    first_letter,
    html,
    on_text,
    replace_text,
    string_argument,
    string_literal,
    string_too_long,
    text_length,
    text_test,
    url,
)
from .text_slicing import TEXT_SLICING_BUILTINS
from .truncation import TRUNCATE_BUILTINS
from .values import (
    DATE_TYPES,
    EmptyDefault,
    KeyList,
    Missing,
    as_boolean,
    is_number,
    require_hash,
    require_number,
    require_sequence,
    require_text,
    to_text,
    type_name,
    wrong_type,
)

LOOP_BUILTINS = frozenset(
    {"index", "counter", "has_next", "is_first", "is_last", "item_parity", "item_parity_cap"}
    | {"item_cycle", "is_odd_item", "is_even_item"}
)
# Built-ins whose first argument may be given in brackets too: `?string["0.00"]`.
VARIANT_BUILTINS = frozenset({"string", "date", "datetime", "time"})
# Work units (see budget.py) for a character of a pattern parsed by a Python loop.
_UNITS_PER_PATTERN_CHAR = 8


def _size(value: Any) -> int:
    if isinstance(value, EmptyDefault):
        return 0
    if isinstance(value, str) or not hasattr(value, "__len__"):
        raise wrong_type("sequence or hash", value)
    return len(value)


def _join(value: Any, separator_: Any, empty_: Any = "", suffix_: Any = "") -> str:
    separator = string_argument("join", separator_)
    empty, suffix = string_argument("join", empty_), string_argument("join", suffix_)
    sequence = require_sequence(value)
    charge(len(sequence) * limits.WORK_PER_NODE)
    items = [item for item in sequence if item is not None]
    if not items:
        return empty
    texts, total = [], 0
    for item in items:
        text = require_text(item) if not isinstance(item, Missing) else ""
        total += len(text) + len(separator)
        if total > limits.MAX_STRING_CHARS:
            raise string_too_long()
        texts.append(text)
    charge_text(total + len(suffix))
    return checked_text(separator.join(texts) + suffix)


def _edge(value: Any, position: int) -> Any:
    """`?first`/`?last`: an empty sequence has none, a missing value (`xs?first!"none"`), as
    in FreeMarker."""
    items = require_sequence(value)
    return items[position] if items else None


def _to_string(value: Any, *args: Any) -> str:
    value = as_boolean(value)
    if isinstance(value, bool):
        if len(args) == 2:
            return require_text(args[0] if value else args[1])
        if len(args) == 1:
            raise TemplateDataFailure('?string on a boolean takes two arguments ("yes", "no")')
        texts = locales.current_formats().boolean or ("true", "false")
        return texts[0] if value else texts[1]
    if len(args) > 1:
        raise TemplateDataFailure(
            f"?string with two arguments needs a boolean, got a {type_name(value)}"
        )
    if is_number(value) and not args:
        return format_number_setting(value)
    if is_number(value):
        pattern = require_text(args[0])
        charge(len(pattern) * _UNITS_PER_PATTERN_CHAR)
        return format_number(value, parse_number_pattern(pattern))
    if isinstance(value, DATE_TYPES):
        if not args:
            return to_text(value)
        pattern = require_text(args[0])
        charge(len(pattern) * _UNITS_PER_PATTERN_CHAR)
        return checked_text(format_by(value, pattern))
    if args:
        raise TemplateDataFailure(
            f"?string with a format needs a number or date, got a {type_name(value)}"
        )
    return require_text(value)


def _to_computer(value: Any) -> str:
    value = as_boolean(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return string_literal(value)
    return format_computer(require_number(value))


def _to_computer_or_null(value: Any) -> str:
    return "null" if isinstance(value, Missing) else _to_computer(value)


def _to_number(value: Any) -> Any:
    if is_number(value):
        return value
    text = require_text(value)
    charge(len(text) + 1)
    return numbers.parse(text)


def _to_date(kind: str, iso: bool) -> Callable[..., DateValue]:
    def convert(value: Any, pattern: Any = None) -> DateValue:
        if isinstance(value, DATE_TYPES) and pattern is None and not iso:
            return _narrow_date(value, kind)
        text = require_text(value)
        charge((len(text) + (len(pattern) if isinstance(pattern, str) else 0)) * 10 + 1)
        if iso:
            return parse_iso(text, kind)
        return parse_by(text, require_text(pattern) if pattern is not None else None, kind)

    return convert


def _narrow_date(value: DateValue, kind: str) -> DateValue:
    current = kind_of(value)
    if current == kind:
        return value
    if current == "datetime" and isinstance(value, datetime.datetime):
        return date_of(value) if kind == "date" else time_of(value)
    raise TemplateDataFailure(f"Can't convert a {current} value to a {kind}")


def _string_iso(value: Any) -> str:
    if not isinstance(value, DATE_TYPES):
        raise wrong_type("date", value)
    return format_date_iso(value)


def _sequence_contains(value: Any, wanted: Any) -> bool:
    items = require_sequence(value)
    for item in items:
        charge(3 * limits.WORK_PER_NODE)  # a comparison is a few Python calls
        if _same(item, wanted):
            return True
    return False


def _same(item: Any, wanted: Any) -> bool:
    """FreeMarker's lenient `==`: numbers by value, strings, booleans and dates alike; a
    sequence or hash equals nothing (not even itself), so no comparison walks a structure."""
    if is_number(item) and is_number(wanted):
        return numbers.compare(item, wanted) == 0
    kind = type_name(item)
    if kind in ("sequence", "hash", "unsupported value") or kind != type_name(wanted):
        return False
    if isinstance(item, str):
        charge(min(len(item), len(wanted)) + 1)
    return bool(item == wanted)


def _sized(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A built-in copying a sequence or hash: paid per item before it runs."""

    def run(value: Any) -> Any:
        size = len(value) if isinstance(value, (list, tuple, Mapping)) else 0
        if isinstance(value, RangeValue):  # one beyond the limit is refused before the copy
            size = min(len(value), limits.MAX_RANGE_SIZE)
        charge(2 * size + 1)
        return function(value)

    return run


# name -> (implementation, minimum arguments, maximum arguments)
BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "upper_case": (on_text(str.upper), 0, 0),
    "lower_case": (on_text(str.lower), 0, 0),
    "cap_first": (on_text(lambda t: first_letter(t, str.upper)), 0, 0),
    "uncap_first": (on_text(lambda t: first_letter(t, str.lower)), 0, 0),
    # A Python loop over the characters: several units a character.
    "capitalize": (on_text(capitalize, UNITS_PER_PYTHON_CHAR), 0, 0),
    "trim": (on_text(lambda t: t.strip(JAVA_WHITESPACE)), 0, 0),
    # Java counts UTF-16 code units: an emoji is 2 (which is also how SMS encodings count).
    "length": (text_length, 0, 0),
    "size": (_size, 0, 0),
    "join": (_join, 1, 3),
    "first": (lambda v: _edge(v, 0), 0, 0),
    "last": (lambda v: _edge(v, -1), 0, 0),
    "c": (_to_computer, 0, 0),
    "cn": (_to_computer_or_null, 0, 0),
    "string": (_to_string, 0, 2),
    "string.computer": (_to_computer, 0, 0),
    "string.number": (lambda v: format_number(require_number(v)), 0, 0),
    "string.currency": (lambda v: format_number(require_number(v), currency_pattern()), 0, 0),
    "string.percent": (lambda v: format_number(require_number(v), percent_pattern()), 0, 0),
    "string.iso": (_string_iso, 0, 0),
    "html": (html, 0, 0),
    "url": (url, 0, 1),
    "number": (_to_number, 0, 0),
    "date": (_to_date("date", iso=False), 0, 1),
    "time": (_to_date("time", iso=False), 0, 1),
    "datetime": (_to_date("datetime", iso=False), 0, 1),
    "date.iso": (_to_date("date", iso=True), 0, 0),
    "time.iso": (_to_date("time", iso=True), 0, 0),
    "datetime.iso": (_to_date("datetime", iso=True), 0, 0),
    "keys": (_sized(lambda v: KeyList(require_hash(v).keys())), 0, 0),
    "values": (_sized(lambda v: KeyList(require_hash(v).values())), 0, 0),
    "contains": (text_test("contains", lambda text, part: part in text), 1, 1),
    "starts_with": (text_test("starts_with", str.startswith), 1, 1),
    "ends_with": (text_test("ends_with", str.endswith), 1, 1),
    "replace": (replace_text, 2, 2),
    "round": (lambda v: numbers.round_half_up(require_number(v)), 0, 0),
    "floor": (lambda v: numbers.floor(require_number(v)), 0, 0),
    "ceiling": (lambda v: numbers.ceiling(require_number(v)), 0, 0),
    "abs": (lambda v: numbers.absolute(require_number(v)), 0, 0),
    "reverse": (_sized(lambda v: list(reversed(require_sequence(v)))), 0, 0),
    "seq_contains": (_sequence_contains, 1, 1),
    "int": (lambda v: numbers.java_int(require_number(v)), 0, 0),
    **TEXT_SLICING_BUILTINS,
    **SEQUENCE_BUILTINS,
    **TRUNCATE_BUILTINS,
    **DATE_FORMAT_BUILTINS,
    **ESCAPING_BUILTINS,
    **NUMBER_BUILTINS,
    **JSON_BUILTINS,
    **REGEX_BUILTINS,  # last: the flags argument of ?replace, ?split, ?keep_before...
}

BUILTIN_ARITIES: dict[str, tuple[int, int]] = {
    name: (low, high) for name, (_, low, high) in BUILTINS.items()
}
BUILTIN_ARITIES |= dict.fromkeys(LOOP_BUILTINS, (0, 0)) | {"has_content": (0, 0)}
# Built-ins whose target may be missing in its last step, as in FreeMarker: their operation
# gets the missing value itself (and a None result is a missing value).
TAKES_MISSING = frozenset({"cn", "blank_to_null", "empty_to_null", "trim_to_null"})
# Compiled to a conditional: only the chosen argument is evaluated, as in FreeMarker.
BUILTIN_ARITIES["then"] = (2, 2)
# Known to FreeMarker but refused when parsing, as there with the plain-text output format.
BUILTIN_REFUSALS = dict.fromkeys(
    ("esc", "no_esc"), "?esc and ?no_esc need a markup output format; templates here are plain text"
)
BUILTIN_ARITIES["switch"] = (2, limits.MAX_SWITCH_ARGUMENTS)  # compiled apart too
BUILTIN_ARITIES["item_cycle"] = (1, 256)
