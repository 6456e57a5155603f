"""Java's `Float`, which `?float` gives: a 32-bit float kept as the double it widens to.

FreeMarker formats a Float through that double (`${x}`, `?string`), but `?c` and arithmetic
read it through `Float.toString`, whose digits are the float's shortest (1.1, not
1.100000023841858). Being a `float`, a JavaFloat prints and rounds as a Double everywhere
else; only the places reading `Float.toString` ask for `java_float_string`.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal

_SINGLE = struct.Struct("<f")
# Below this magnitude every whole float is exactly a Java int (FreeMarker's ?c prints it so).
_MAX_WHOLE_AS_INTEGER = 2**24
# FloatingDecimal's count of insignificant decimal digits for a binary exponent (a fact of
# Java's algorithm: about p * log10(2), lagging).
_INSIGNIFICANT_DIGITS = (
    0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9,
    9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16,
    16, 16, 17, 17, 17, 18, 18, 18, 19,
)  # fmt: skip


class JavaFloat(float):
    __slots__ = ()


def _single(value: float) -> float:
    return float(_SINGLE.unpack(_SINGLE.pack(value))[0])


# FreeMarker compares a Float with the float literals 1E-7f and 1E-3f.
_TEN_TO_MINUS_7, _TEN_TO_MINUS_3 = _single(1e-7), _single(1e-3)


def to_java_float(value: float) -> JavaFloat:
    """The nearest 32-bit float (infinite beyond its range), as Java's `floatValue()`."""
    try:
        return JavaFloat(_SINGLE.unpack(_SINGLE.pack(value))[0])
    except OverflowError:
        return JavaFloat(math.copysign(math.inf, value))


def _digits(value: float) -> tuple[str, int]:
    whole = java_whole_digits(value, 24)
    return whole if whole is not None else _shortest_digits(value)


def java_whole_digits(value: float, significant_bits: int) -> tuple[str, int] | None:
    """Java 17's digits (FloatingDecimal) of a positive whole float or double below 2^63:
    its exact value, less the low digits its bits cannot tell (rounded half up); None for
    any other value, whose digits are the shortest."""
    if not value.is_integer() or value >= 2**63:
        return None
    exact = int(value)
    beyond = exact.bit_length() - 1 - significant_bits - 1  # the exponent past the bits
    drop = _INSIGNIFICANT_DIGITS[beyond] if 1 < beyond < len(_INSIGNIFICANT_DIGITS) else 0
    if drop:
        exact, residue = divmod(exact, 10**drop)
        exact += 1 if 2 * residue >= 10**drop else 0
    text = str(exact)
    return text.rstrip("0") or "0", len(text) - 1 + drop


def _shortest_digits(value: float) -> tuple[str, int]:
    """The fewest significant digits that read back as this float, and the decimal exponent
    of the first one (at most 9 tries: a float needs at most 9 digits)."""
    for count in range(1, 10):
        text = f"{value:.{count - 1}e}"
        if _SINGLE.unpack(_SINGLE.pack(float(text)))[0] == value:
            break
    mantissa, _, exponent = text.partition("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    return digits, int(exponent)


def java_float_string(value: float) -> str:
    """`Float.toString`: plain from 10^-3 to 10^7 (with a fraction digit), else `1.0E10`."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    digits, exponent = _digits(abs(value))
    if 1e-3 <= abs(value) < 1e7:
        point = exponent + 1
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        whole, fraction = digits[:point].ljust(point, "0"), digits[point:]
        return f"{sign}{whole}.{fraction or '0'}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def computer_float(value: float) -> str:
    """`?c` of a Float (FreeMarker's JavaScript-or-JSON c_format): whole numbers up to 2^24
    as integers, 10^-7..10^-3 plain, else `Float.toString` without a redundant `.0`."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value.is_integer() and abs(value) <= _MAX_WHOLE_AS_INTEGER:
        return str(int(value))
    text = java_float_string(value)
    if not value.is_integer() and _TEN_TO_MINUS_7 < abs(value) < _TEN_TO_MINUS_3:
        return str(Decimal(text))  # BigDecimal's toString, as Python's Decimal prints it
    mantissa, marker, exponent = text.partition("E")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    return mantissa + marker + exponent
