"""Number formatting as FreeMarker does it: Java's `DecimalFormat` (patterns parsed in
`number_patterns`, HALF_EVEN rounding) with the symbols of the render's locale (`locales`),
and `?c`.

How a value is rounded depends on its Java type, as in Java: a BigDecimal (`Decimal`) or an
integer is rounded exactly; a Double (`float`) starts from its shortest decimal digits, and
only when those need rounding does its exact binary value decide the tie.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache

from . import locales
from .budget import charge
from .failures import TemplateDataFailure, TemplateLimitFailure
from .java_float import JavaFloat, computer_float
from .limits import MAX_STRING_CHARS
from .number_patterns import (
    CURRENCY,
    CURRENCY_CODE,
    MINUS,
    PER_MILLE,
    PERCENT,
    NumberPattern,
    parse_number_pattern,
)
from .numbers import Number, java_double_string

_CONTEXT = Context(prec=1000, rounding=ROUND_HALF_EVEN)
_MAX_MAGNITUDE = 350  # decimal exponent; beyond any float, refuses absurd Decimals
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
# Work units (see budget.py) for formatting one number: Decimal arithmetic over up to a few
# hundred digits (a double near 1e308 times a percent's 100).
_UNITS_PER_FORMAT = 400


def format_number_setting(value: Number) -> str:
    """`${n}` and `n?string`: the number_format setting (default: the locale's number)."""
    chosen = locales.current_formats().number
    if chosen is None or chosen == "number":
        return format_number(value)
    if chosen == "currency":
        return format_number(value, currency_pattern())
    if chosen == "percent":
        return format_number(value, percent_pattern())
    if chosen in ("computer", "c"):
        return format_computer(value)
    charge(8 * len(chosen))  # a pattern parsed by a Python loop (cached afterwards)
    return format_number(value, parse_number_pattern(chosen))


def currency_pattern() -> NumberPattern:
    """The locale's currency format, with its currency's fraction digits, as Java's."""
    symbols = locales.current()
    digits = symbols.currency_digits
    pattern = parse_number_pattern(symbols.currency_pattern)
    return replace(pattern, min_fraction_digits=digits, max_fraction_digits=digits)


def percent_pattern() -> NumberPattern:
    return parse_number_pattern(locales.current().percent_pattern)


def format_number(value: Number, pattern: NumberPattern | None = None) -> str:
    """`pattern` None: the locale's default number format (`${n}`, `?string.number`)."""
    charge(_UNITS_PER_FORMAT)
    symbols = locales.current()
    if pattern is None:
        pattern = parse_number_pattern(symbols.number_pattern)
    text = _format(value, pattern, symbols.group, symbols.decimal)
    return text.translate(_symbol_table(symbols))


@lru_cache(maxsize=64)
def _symbol_table(symbols: locales.NumberSymbols) -> dict[int, str]:
    return str.maketrans(
        {
            CURRENCY: symbols.currency_symbol,
            CURRENCY_CODE: symbols.currency_code,
            PERCENT: symbols.percent,
            PER_MILLE: symbols.per_mille,
            MINUS: symbols.minus,
        }
    )


def _format(value: Number, pattern: NumberPattern, group: str, decimal: str) -> str:
    if isinstance(value, float) or (isinstance(value, int) and _LONG_MIN <= value <= _LONG_MAX):
        pattern = _java_double_caps(pattern)
    if pattern.min_integer_digits + pattern.min_fraction_digits > MAX_STRING_CHARS:
        raise TemplateLimitFailure(f"A string value would exceed {MAX_STRING_CHARS:,} characters")
    negative = value < 0 or (isinstance(value, float) and math.copysign(1, value) < 0)
    prefix = pattern.negative_prefix if negative else pattern.positive_prefix
    suffix = pattern.negative_suffix if negative else pattern.positive_suffix
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else f"{prefix}∞{suffix}"
    integer, fraction = _digits(value, pattern)
    integer = integer.lstrip("0").rjust(pattern.min_integer_digits, "0")
    fraction = fraction.rstrip("0").ljust(pattern.min_fraction_digits, "0")
    if not integer and not fraction:
        integer = "0"  # Java prints a zero rather than nothing at all
    number = _group(integer, pattern.grouping_size, group)
    if fraction or pattern.always_show_point:
        number += decimal + fraction
    return f"{prefix}{number}{suffix}"


def _java_double_caps(pattern: NumberPattern) -> NumberPattern:
    """Java's DecimalFormat shows at most 309 integer and 340 fraction digits of anything but
    a BigInteger or BigDecimal (our Decimals and integers beyond a long)."""
    if pattern.min_integer_digits <= 309 and pattern.max_fraction_digits <= 340:
        return pattern
    return replace(
        pattern,
        min_integer_digits=min(pattern.min_integer_digits, 309),
        min_fraction_digits=min(pattern.min_fraction_digits, 340),
        max_fraction_digits=min(pattern.max_fraction_digits, 340),
    )


def _digits(value: Number, pattern: NumberPattern) -> tuple[str, str]:
    """The absolute value's integer and fraction digits, multiplied and rounded."""
    if isinstance(value, float):
        # Java multiplies a double in double arithmetic, then formats the double.
        scaled = abs(value * pattern.multiplier)
        shortest = Decimal(java_double_string(scaled))
        if _fraction_length(shortest) <= pattern.max_fraction_digits:
            rounded = shortest
        elif shortest.normalize(_CONTEXT).as_tuple().digits == (5,) and scaled < 1e-3:
            # Java's DigitList takes a lone digit 5 below 10^-3 (0.0005) for an exact tie.
            rounded = _quantize(shortest, pattern)
        else:
            rounded = _quantize(Decimal(scaled), pattern)
    else:
        # Decimal's abs() and * would round to the thread's 28 digits: the context must do it.
        exact = _CONTEXT.multiply(Decimal(value).copy_abs(), pattern.multiplier)
        rounded = _quantize(exact, pattern)
    text = f"{rounded:f}"
    integer, _, fraction = text.partition(".")
    return integer, fraction


def _quantize(exact: Decimal, pattern: NumberPattern) -> Decimal:
    if exact.is_finite() and exact and abs(exact.adjusted()) > _MAX_MAGNITUDE:
        raise TemplateDataFailure("Number is too large to format")
    quantum = Decimal(1).scaleb(-pattern.max_fraction_digits)
    # Enough digits for the integer part and every fraction digit asked for (both bounded).
    digits = max(exact.adjusted(), 0) + pattern.max_fraction_digits + 2
    context = _CONTEXT if digits <= _CONTEXT.prec else Context(digits, ROUND_HALF_EVEN)
    return exact.quantize(quantum, context=context)


def _fraction_length(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(-exponent, 0)


def _group(digits: str, size: int, separator: str) -> str:
    if size <= 0 or len(digits) <= size:
        return digits
    head = len(digits) % size or size
    groups = [digits[:head]] + [digits[i : i + size] for i in range(head, len(digits), size)]
    return separator.join(groups)


def format_computer(value: Number) -> str:
    """`?c` (FreeMarker's JavaScript-or-JSON c_format): no grouping, `.` as decimal point,
    no exponent for whole numbers below 10^100."""
    charge(_UNITS_PER_FORMAT)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, JavaFloat):
        return computer_float(value)
    if isinstance(value, float):
        return _computer_double(value)
    stripped = value.normalize(_CONTEXT) if value else Decimal(0)
    exponent = stripped.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent >= 0:
        return str(stripped) if exponent >= 100 else f"{stripped:f}"
    return str(stripped)


def _computer_double(value: float) -> str:
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    magnitude = abs(value)
    if value.is_integer() and magnitude <= 2**53:
        return str(int(value))
    if not value.is_integer() and 1e-7 < magnitude < 1e-3:
        return str(Decimal(java_double_string(value)))
    if not value.is_integer() and magnitude >= 1e7:
        return f"{Decimal(java_double_string(value)):f}"
    text = java_double_string(value)
    mantissa, marker, exponent = text.partition("E")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    return mantissa + marker + exponent
