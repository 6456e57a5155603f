"""FreeMarker's operators on values: arithmetic, `+` on strings/sequences/hashes, comparison,
ranges, and building strings and sequences, each within the limits.

Arithmetic is FreeMarker's BigDecimal arithmetic (see `numbers`): `+ - * /` give BigDecimals,
`%` a long.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from . import limits, locales, numbers
from .budget import charge, charge_text
from .builtins import BUILTINS
from .failures import TemplateDataFailure, TemplateLimitFailure
from .formatting import format_number
from .number_patterns import MINUS, NumberPattern
from .ranges import RangeValue
from .values import (
    DATE_TYPES,
    ConcatenatedList,
    as_boolean,
    is_number,
    is_sequence,
    require_number,
    require_text,
    to_text,
    type_name,
)

# Arithmetic on numbers of up to ~110 digits (the limit) costs up to a few microseconds;
# a division (big-integer scaling) about three times as much.
_UNITS_PER_ARITHMETIC = 400


def _arithmetic(
    symbol: str, apply: Callable[[Any, Any], Any], units: int = _UNITS_PER_ARITHMETIC
) -> Callable[[Any, Any], Any]:
    def run(left: Any, right: Any) -> Any:
        if not (is_number(left) and is_number(right)):
            bad = right if is_number(left) else left
            raise TemplateDataFailure(f"Operator {symbol} needs numbers, got a {type_name(bad)}")
        charge(units)
        return apply(left, right)

    return run


def add(left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        charge(_UNITS_PER_ARITHMETIC)
        return numbers.add(left, right)
    if is_sequence(left) and is_sequence(right) and not isinstance(left, str):
        if len(left) + len(right) > limits.MAX_SEQUENCE_ITEMS:
            raise TemplateLimitFailure(
                f"A sequence would exceed {limits.MAX_SEQUENCE_ITEMS:,} items"
            )
        # Paid for by size, so what a render keeps is bounded by its budget too: about
        # 4 bytes a unit (a list slot is 8 bytes, a dict entry up to ~40).
        charge(2 * (len(left) + len(right)) + 1)
        return ConcatenatedList([*left, *right])
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        charge(10 * (len(left) + len(right)) + 1)
        return {**left, **right}
    if isinstance(left, (str, *DATE_TYPES)) or isinstance(right, (str, *DATE_TYPES)):
        left_text, right_text = to_text(left), to_text(right)
        charge_text(len(left_text) + len(right_text))
        return left_text + right_text
    raise TemplateDataFailure(f"Can't add a {type_name(left)} and a {type_name(right)}")


def negate(value: Any) -> Any:
    return numbers.negate(require_number(value))


def logical_not(value: Any) -> bool:
    value = as_boolean(value)
    if not isinstance(value, bool):
        raise TemplateDataFailure(f"Operator ! needs a boolean, got a {type_name(value)}")
    return not value


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(left: Any, right: Any, symbol: str) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        left, right = as_boolean(left), as_boolean(right)
    kinds = {type_name(left), type_name(right)} - {"empty default value"}
    if is_number(left) and is_number(right):
        return _COMPARISONS[symbol](numbers.compare(left, right), 0)
    if len(kinds) > 1 or kinds & {"hash", "sequence"}:
        message = f"Can't compare a {type_name(left)} with a {type_name(right)}"
        raise TemplateDataFailure(message)
    if symbol not in ("==", "!=") and not isinstance(left, DATE_TYPES):
        raise TemplateDataFailure(f"Operator {symbol} can't compare {type_name(left)} values")
    if isinstance(left, str) and isinstance(right, str):
        charge(min(len(left), len(right)) + 1)
    try:
        return _COMPARISONS[symbol](left, right)
    except TypeError as error:  # e.g. a date with a datetime, naive with aware
        raise TemplateDataFailure("These date values can't be compared") from error


def make_range(start: Any, end: Any, kind: str) -> RangeValue:
    """Bounds are Java ints of the numbers (`intValue()`), as in FreeMarker."""
    first = numbers.java_int(require_number(start))
    last = None if end is None else numbers.java_int(require_number(end))
    return RangeValue.between(first, last, kind)


def numeric_text(value: Any, low: int, high: int) -> str:
    pattern = NumberPattern("", "", MINUS, "", 1, 0, low, high, 1, False)
    return format_number(require_number(value), pattern)


def fail(value: Any, message: str) -> Any:
    """A mistake FreeMarker only reports when it is evaluated (a wrong argument count)."""
    del value
    raise TemplateDataFailure(message)


def concatenate(*texts: str) -> str:
    charge_text(sum(map(len, texts)))
    return "".join(texts)


def make_sequence(*items: Any) -> list[Any]:
    charge(len(items) + 1)
    return list(items)


def setting(value: Any, name: str) -> str:
    """`<#setting name=value>`: for the rest of the render."""
    # A number or a boolean becomes its text (`locale=true` is the unknown locale "true").
    if isinstance(value, bool):
        value = "true" if value else "false"
    locales.apply_setting(name, require_text(value))
    return ""


def make_hash(*keys_and_values: Any) -> dict[str, Any]:
    """A hash literal; a later key replaces an earlier one, keeping its position (Java's
    LinkedHashMap, as FreeMarker's)."""
    charge(10 * len(keys_and_values) + 1)
    result: dict[str, Any] = {}
    for at in range(0, len(keys_and_values), 2):
        key = keys_and_values[at]
        if isinstance(key, bool):  # a number or date key becomes its text, as in FreeMarker
            raise TemplateDataFailure("A hash literal's key must be a string, not a boolean")
        result[to_text(key)] = keys_and_values[at + 1]
    return result


VALUE_OPERATIONS: dict[str, Callable[..., Any]] = {
    "add": add,
    "increment": _arithmetic("++", numbers.add),
    "sub": _arithmetic("-", numbers.subtract),
    "mul": _arithmetic("*", numbers.multiply),
    "div": _arithmetic("/", numbers.divide, units=3 * _UNITS_PER_ARITHMETIC),
    "mod": _arithmetic("%", numbers.modulus),
    "negate": negate,
    "not": logical_not,
    "compare": compare,
    "range": make_range,
    "text": to_text,
    "concat": concatenate,
    "fail": fail,
    "numeric_text": numeric_text,
    "sequence": make_sequence,
    "hash": make_hash,
    "setting": setting,
    **{"bi_" + name.replace(".", "_"): function for name, (function, _, _) in BUILTINS.items()},
}
