"""Number formatting as FreeMarker does it with the en_US locale (Java's DecimalFormat).

Rounding is half-even on the exact binary value of a float, as Java 8+ does; digits come from
the shortest representation of the float, so 0.1 prints as 0.1.
"""

from __future__ import annotations

import decimal
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .failures import TemplateDataFailure

_CONTEXT = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_EVEN)
_MAX_MAGNITUDE = 350  # decimal exponent; beyond any float, refuses absurd Decimals


@dataclass(frozen=True)
class NumberPattern:
    prefix: str
    suffix: str
    min_integer_digits: int
    grouping_size: int
    min_fraction_digits: int
    max_fraction_digits: int
    multiplier: int


_NUMBER_CHARS = "#0,."


@lru_cache(maxsize=64)
def parse_number_pattern(pattern: str) -> NumberPattern:
    """A DecimalFormat pattern such as `#,##0.00`, `0.###`, `$#,##0.00`, `0%`.

    Only the positive sub-pattern is used (negative numbers get a leading `-`)."""
    positive = pattern.split(";", 1)[0]
    match = re.fullmatch(r"((?:'[^']*'|[^#0,.'])*)([#0,.]+)((?:'[^']*'|[^#0,.'])*)", positive)
    if not match or match.group(2).count(".") > 1:
        raise TemplateDataFailure(f"Unsupported number format pattern {pattern!r}")
    prefix, body, suffix = (_unquote(match.group(i)) for i in (1, 2, 3))
    if "E" in prefix + suffix:
        raise TemplateDataFailure(f"Scientific number patterns are not supported: {pattern!r}")
    integer, _, fraction = body.partition(".")
    grouping = len(integer) - integer.rfind(",") - 1 if "," in integer else 0
    integer = integer.replace(",", "")
    multiplier = 100 if "%" in prefix + suffix else 1000 if "‰" in prefix + suffix else 1
    return NumberPattern(
        prefix.replace("¤", "$"),
        suffix.replace("¤", "$"),
        integer.count("0"),
        grouping,
        fraction.count("0"),
        len(fraction),
        multiplier,
    )


def _unquote(text: str) -> str:
    return re.sub(r"'([^']*)'", lambda m: m.group(1) or "'", text)


DEFAULT_PATTERN = parse_number_pattern("#,##0.###")
COMPUTER_PATTERN = parse_number_pattern("0.################")
CURRENCY_PATTERN = parse_number_pattern("¤#,##0.00")
PERCENT_PATTERN = parse_number_pattern("#,##0%")


def format_number(value: int | float | Decimal, pattern: NumberPattern = DEFAULT_PATTERN) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("-∞" if value < 0 else "∞")
    if isinstance(value, int) and pattern.multiplier == 1 and pattern.min_fraction_digits == 0:
        digits = str(abs(value)).rjust(pattern.min_integer_digits, "0")
        sign = "-" if value < 0 else ""
        return f"{sign}{pattern.prefix}{_group(digits, pattern.grouping_size)}{pattern.suffix}"
    rounded = _round(value, pattern)
    text = f"{abs(rounded):f}"
    integer, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(pattern.min_fraction_digits, "0")
    integer = integer.lstrip("0").rjust(pattern.min_integer_digits, "0")
    if not integer and not fraction:
        integer = "0"
    number = _group(integer, pattern.grouping_size) + ("." + fraction if fraction else "")
    sign = "-" if value < 0 else ""
    return f"{sign}{pattern.prefix}{number}{pattern.suffix}"


def _round(value: int | float | Decimal, pattern: NumberPattern) -> Decimal:
    exact = Decimal(value) * pattern.multiplier
    if exact.is_finite() and abs(exact.adjusted()) > _MAX_MAGNITUDE:
        raise TemplateDataFailure("Number is too large to format")
    quantum = Decimal(1).scaleb(-pattern.max_fraction_digits)
    if isinstance(value, float):
        # Shortest repr gives the digits; only when it needs rounding does the exact
        # binary value decide (Java 8+ HALF_EVEN semantics).
        shortest = Decimal(repr(value)) * pattern.multiplier
        if shortest.as_tuple().exponent >= -pattern.max_fraction_digits:  # type: ignore[operator]
            return shortest
    return exact.quantize(quantum, context=_CONTEXT)


def _group(digits: str, size: int) -> str:
    if size <= 0 or len(digits) <= size:
        return digits
    head = len(digits) % size or size
    groups = [digits[:head]] + [digits[i : i + size] for i in range(head, len(digits), size)]
    return ",".join(groups)


def format_computer(value: int | float | Decimal) -> str:
    """`?c`: no grouping, `.` as decimal point, no locale."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("-INF" if value < 0 else "INF")
    return format_number(value, COMPUTER_PATTERN)
