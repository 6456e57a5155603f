"""Number formatting as FreeMarker does it: Java's `DecimalFormat` (patterns parsed by the
rules of `DecimalFormat.applyPattern`, HALF_EVEN rounding) with the symbols of the render's
locale (`locales`), and `?c`.

How a value is rounded depends on its Java type, as in Java: a BigDecimal (`Decimal`) or an
integer is rounded exactly; a Double (`float`) starts from its shortest decimal digits, and
only when those need rounding does its exact binary value decide the tie.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache

from . import locales
from .budget import charge
from .failures import TemplateDataFailure, TemplateLimitFailure
from .java_float import JavaFloat, computer_float
from .limits import MAX_STRING_CHARS
from .numbers import Number, java_double_string

_CONTEXT = Context(prec=1000, rounding=ROUND_HALF_EVEN)
_MAX_MAGNITUDE = 350  # decimal exponent; beyond any float, refuses absurd Decimals
_NUMBER_CHARS = "#0,."
# Pattern characters standing for a symbol of the locale, kept in parsed affixes as private-use
# characters and replaced when formatting: ¤ (currency sign), ¤¤ (its ISO code), %, ‰, -.
MINUS = "\ue002"
_CURRENCY, _CURRENCY_CODE, _PERCENT, _PER_MILLE = "\ue000", "\ue001", "\ue003", "\ue004"
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
# Work units (see budget.py) for formatting one number: Decimal arithmetic over up to a few
# hundred digits (a double near 1e308 times a percent's 100).
_UNITS_PER_FORMAT = 400
_FRACTION_SPEC = re.compile(r"(?:[mM]\d+)+")


@dataclass(frozen=True)
class NumberPattern:
    positive_prefix: str
    positive_suffix: str
    negative_prefix: str
    negative_suffix: str
    min_integer_digits: int
    grouping_size: int  # 0: no grouping
    min_fraction_digits: int
    max_fraction_digits: int
    multiplier: int
    always_show_point: bool


@dataclass
class _Part:
    """What one sub-pattern (positive or negative) says, as `applyPattern` counts it."""

    prefix: str = ""
    suffix: str = ""
    multiplier: int = 1
    left: int = 0  # '#' before any '0'
    zeros: int = 0
    right: int = 0  # '#' after a '0'
    grouping: int = -1
    point: int = -1


@lru_cache(maxsize=128)
def parse_number_pattern(pattern: str) -> NumberPattern:
    """A Java DecimalFormat pattern: `#,##0.00`, `0.###`, `0.00 'EUR'`, `¤#,##0.00`, `0%`,
    `0.00;(0.00)`. Malformed ones fail as in Java; scientific ones (`0.0E0`) are refused."""
    if not pattern:  # Java: at most 340 fraction digits, no minimum integer digit
        return NumberPattern("", "", MINUS, "", 0, 3, 0, 340, 1, False)
    positive, end = _scan(pattern, 0, negative=False)
    negative = _scan(pattern, end, negative=True)[0] if end < len(pattern) else None
    if negative is None or (negative.prefix, negative.suffix) == (positive.prefix, positive.suffix):
        negative = _Part(prefix=MINUS + positive.prefix, suffix=positive.suffix)
    total = positive.left + positive.zeros + positive.right
    point = positive.point if positive.point >= 0 else total
    return NumberPattern(
        positive.prefix,
        positive.suffix,
        negative.prefix,
        negative.suffix,
        point - positive.left,
        max(positive.grouping, 0),
        positive.left + positive.zeros - point if positive.point >= 0 else 0,
        total - point if positive.point >= 0 else 0,
        positive.multiplier,
        positive.point in (0, total),
    )


def _scan(pattern: str, start: int, *, negative: bool) -> tuple[_Part, int]:
    """One sub-pattern from `start`; returns it and where the next one starts. Phases: 0 the
    prefix, 1 the digits, 2 the suffix (a digit character there goes back to phase 1, as in
    Java). The negative sub-pattern's digits are skipped: only its affixes count."""
    part, pos, end = _Part(), start, len(pattern)
    affixes: tuple[list[str], list[str]] = ([], [])
    in_suffix = in_quote = False
    while pos < len(pattern):
        char = pattern[pos]
        if not in_quote and char in _NUMBER_CHARS:
            if not negative:
                _count_digit(part, char, pattern)
            pos, in_suffix = pos + 1, True
            continue
        if not in_quote and char == "E" and in_suffix and pattern[pos - 1] in _NUMBER_CHARS:
            raise TemplateDataFailure(f"Scientific number patterns are not supported: {pattern!r}")
        if not in_quote and char == ";":
            if not in_suffix or negative:
                raise _malformed(f"Unquoted special character ';' in pattern {pattern!r}")
            end = pos + 1
            break
        pos, in_quote = _affix_char(pattern, pos, in_quote, part, affixes[in_suffix])
    part.prefix, part.suffix = "".join(affixes[0]), "".join(affixes[1])
    _check_digits(part, pattern, in_quote)
    return part, end


def _affix_char(
    pattern: str, pos: int, in_quote: bool, part: _Part, affix: list[str]
) -> tuple[int, bool]:
    """Reads one prefix/suffix character (or quoted pair); returns the next position and
    whether a quote is open."""
    char = pattern[pos]
    if char == "'":
        if pattern.startswith("''", pos):
            affix.append("'")
            return pos + 2, in_quote
        return pos + 1, not in_quote
    if in_quote:
        affix.append(char)
    elif char in "%‰":
        if part.multiplier != 1:
            raise _malformed(f"Too many percent/per mille characters in {pattern!r}")
        part.multiplier = 100 if char == "%" else 1000
        affix.append(_PERCENT if char == "%" else _PER_MILLE)
    elif char == "¤":
        doubled = pattern.startswith("¤¤", pos)
        affix.append(_CURRENCY_CODE if doubled else _CURRENCY)
        return pos + 1 + doubled, in_quote
    else:
        affix.append(MINUS if char == "-" else char)
    return pos + 1, in_quote


def _count_digit(part: _Part, char: str, pattern: str) -> None:
    if char == "#":
        if part.zeros > 0:
            part.right += 1
        else:
            part.left += 1
        if part.grouping >= 0 and part.point < 0:
            part.grouping += 1
    elif char == "0":
        if part.right > 0:
            raise _malformed(f"Unexpected '0' in pattern {pattern!r}")
        part.zeros += 1
        if part.grouping >= 0 and part.point < 0:
            part.grouping += 1
    elif char == ",":
        part.grouping = 0
    else:
        if part.point >= 0:
            raise _malformed(f"Multiple decimal separators in pattern {pattern!r}")
        part.point = part.left + part.zeros + part.right


def _check_digits(part: _Part, pattern: str, in_quote: bool) -> None:
    if part.zeros == 0 and part.left > 0 and part.point >= 0:
        # Java reads "#.##" as "0.##": one integer digit is shown.
        before = max(part.point, 1)
        part.right = part.left - before
        part.left = before - 1
        part.zeros = 1
    if (
        (part.point < 0 and part.right > 0)
        or (part.point >= 0 and not part.left <= part.point <= part.left + part.zeros)
        or part.grouping == 0
        or in_quote
    ):
        raise _malformed(f"Malformed number format pattern {pattern!r}")


def _malformed(message: str) -> TemplateDataFailure:
    return TemplateDataFailure(message)


def fraction_digits(spec: str) -> tuple[int, int] | None:
    """The `m2M3` of a legacy `#{x; m2M3}`: (minimum, maximum) fraction digits; a lone `m`
    is both. None when malformed, repeated, or beyond FreeMarker's 50."""
    if _FRACTION_SPEC.fullmatch(spec) is None:
        return None
    given = {kind: int(count) for kind, count in re.findall(r"([mM])(\d+)", spec)}
    if len(given) != spec.count("m") + spec.count("M"):
        return None
    low, high = given.get("m", 0), given.get("M", given.get("m", 0))
    return (low, high) if low <= high <= 50 else None


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
            _CURRENCY: symbols.currency_symbol,
            _CURRENCY_CODE: symbols.currency_code,
            _PERCENT: symbols.percent,
            _PER_MILLE: symbols.per_mille,
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
