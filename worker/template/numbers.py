"""FreeMarker's number model: BigDecimal arithmetic, as its default arithmetic engine does it.

Values keep the Java type they would have in FreeMarker, because formatting and `?c` depend
on it: `int` is a JSON integer (Integer/Long/BigInteger), `float` a JSON decimal (Double, as
Jackson reads it), `Decimal` a BigDecimal (number literals, `?number`, and every result of
`+ - * /`). Arithmetic converts both operands to BigDecimal, a Double through its Java
`toString` (so 4.35 is exactly 4.35), then:
- `+` and `-` are exact;
- `*` is exact, then cut to 12 decimals (half-up) when it has more;
- `/` keeps max(12, scale of either operand) decimals, rounded half-up;
- `%` truncates both operands to Java `long`s and returns the `long` remainder.
A context with enough digits for the limits, trapping inexact results, keeps Python's
`decimal` from rounding where Java's BigDecimal is exact.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, Inexact

from .budget import charge
from .failures import TemplateDataFailure, TemplateLimitFailure
from .java_float import JavaFloat, java_float_string, java_whole_digits
from .limits import MAX_NUMBER_DIGITS

Number = int | float | Decimal
# Work units (see budget.py) for converting or comparing numbers of up to a few hundred digits
# (a double's shortest digits, Decimal conversions): a few microseconds at most.
UNITS_PER_NUMBER_CONVERSION = 200

_SCALE = 12  # FreeMarker's minScale = maxScale = 12
_EXACT = Context(prec=MAX_NUMBER_DIGITS + _SCALE + 2, traps=[Inexact], Emax=10**6, Emin=-(10**6))
_ROUNDING = Context(prec=MAX_NUMBER_DIGITS + _SCALE + 2, Emax=10**6, Emin=-(10**6))
_QUANTUM = Decimal(1).scaleb(-_SCALE)
# Java's BigDecimal(String) grammar (ASCII digits only); unambiguous, so it cannot backtrack.
_BIG_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SPECIAL_DOUBLES = {
    "INF": math.inf,
    "Infinity": math.inf,
    "-INF": -math.inf,
    "-Infinity": -math.inf,
    "NaN": math.nan,
}


def java_double_string(value: float) -> str:
    """Java's `Double.toString`: plain from 10^-3 to 10^7 (always with a fraction digit),
    computerized scientific notation (`1.0E7`, `1.5E-5`) outside. The digits are the
    shortest that round-trip, as Java 19+ prints them; a whole double below 2^63 has Java
    17's digits (`java_whole_digits`). Java 17 differs in rare cases with 17 digits."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    charge(UNITS_PER_NUMBER_CONVERSION)
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    if 1e-3 <= abs(value) < 1e7:
        point = exponent + 1  # digits before the decimal point
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        whole, fraction = digits[:point].ljust(point, "0"), digits[point:]
        return f"{sign}{whole}.{fraction or '0'}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """Significant digits (no trailing zeros) and the decimal exponent of the first one."""
    whole = java_whole_digits(value, 53)
    if whole is not None:
        return whole
    _, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    return text.rstrip("0") or "0", exponent + len(digits) - 1


def to_decimal(value: Number) -> Decimal:
    """FreeMarker's `toBigDecimal`."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TemplateDataFailure("An infinite or NaN number can't be used in arithmetic")
        if isinstance(value, JavaFloat):  # through Float.toString: 1.1, not 1.100000023...
            return Decimal(java_float_string(value))
        return Decimal(java_double_string(value))
    return Decimal(value)


def _checked(result: Decimal) -> Decimal:
    if result.is_zero():
        return result.copy_abs()  # BigDecimal has no negative zero
    if result.adjusted() >= MAX_NUMBER_DIGITS:
        raise TemplateLimitFailure(f"A number exceeds {MAX_NUMBER_DIGITS} digits")
    return result


def _exact(operation: str, left: Decimal, right: Decimal) -> Decimal:
    try:
        result: Decimal = getattr(_EXACT, operation)(left, right)
    except Inexact:
        raise TemplateLimitFailure(f"A number exceeds {MAX_NUMBER_DIGITS} digits") from None
    return _checked(result)


def add(left: Number, right: Number) -> Decimal:
    return _exact("add", to_decimal(left), to_decimal(right))


def subtract(left: Number, right: Number) -> Decimal:
    return _exact("subtract", to_decimal(left), to_decimal(right))


def multiply(left: Number, right: Number) -> Decimal:
    result = _exact("multiply", to_decimal(left), to_decimal(right))
    if _scale(result) > _SCALE:
        result = result.quantize(_QUANTUM, ROUND_HALF_UP, _ROUNDING)
    return _checked(result)


def divide(left: Number, right: Number) -> Decimal:
    """BigDecimal.divide(right, max(12, scales), HALF_UP), computed on integers."""
    dividend, divisor = to_decimal(left), to_decimal(right)
    if divisor.is_zero():
        raise TemplateDataFailure("Arithmetic operation failed: division by zero")
    scale = max(_SCALE, _scale(dividend), _scale(divisor))
    numerator, denominator = _unscaled(dividend), _unscaled(divisor)
    shift = scale - _scale(dividend) + _scale(divisor)
    if shift >= 0:
        numerator *= 10**shift
    else:
        denominator *= 10**-shift
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    negative = (numerator < 0) != (denominator < 0)
    # Built from text: Decimal.scaleb() would round to the thread's 28 digits.
    return _checked(Decimal(f"{'-' if negative else ''}{quotient}E-{scale}"))


def modulus(left: Number, right: Number) -> int:
    """FreeMarker's `%`: both operands as Java longs, the remainder's sign is the dividend's."""
    dividend, divisor = java_long(left), java_long(right)
    if divisor == 0:
        raise TemplateDataFailure("Arithmetic operation failed: / by zero")
    remainder = abs(dividend) % abs(divisor)
    return -remainder if dividend < 0 else remainder


def negate(value: Number) -> Number:
    """Unary minus keeps the Java type (FreeMarker multiplies by -1 conservatively)."""
    if isinstance(value, Decimal):
        return _checked(value.copy_negate())  # `-value` would round to 28 digits
    return JavaFloat(-value) if isinstance(value, JavaFloat) else -value


def compare(left: Number, right: Number) -> int:
    """FreeMarker's compareNumbers: same Java type compares directly, otherwise as BigDecimals
    (a Double through its `toString`, so 0.1 equals the literal 0.1)."""
    charge(UNITS_PER_NUMBER_CONVERSION)
    infinite = any(isinstance(n, float) and not math.isfinite(n) for n in (left, right))
    if type(left) is type(right) or infinite:
        pair: tuple[Number, Number] = (left, right)
    else:
        pair = (to_decimal(left), to_decimal(right))
    return (pair[0] > pair[1]) - (pair[0] < pair[1])


def java_long(value: Number) -> int:
    """`Number.longValue()`: truncation; a Double saturates, other types wrap to 64 bits."""
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if math.isinf(value):  # saturates, as Java's (int)/(long) casts do
            return (1 << 63) - 1 if value > 0 else -(1 << 63)
        return max(-(1 << 63), min((1 << 63) - 1, int(value)))
    return _wrap(int(value), 64)


def java_int(value: Number) -> int:
    """`Number.intValue()`, which `?int` returns."""
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if math.isinf(value):  # saturates, as Java's (int)/(long) casts do
            return (1 << 31) - 1 if value > 0 else -(1 << 31)
        return max(-(1 << 31), min((1 << 31) - 1, int(value)))
    return _wrap(int(value), 32)


def _wrap(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def round_half_up(value: Number) -> Decimal:
    """`?round`: through the double value, half towards positive infinity."""
    exact = _as_double(value)
    return _ROUNDING.add(exact, Decimal("0.5")).to_integral_value(ROUND_FLOOR)


def floor(value: Number) -> Decimal:
    return _as_double(value).to_integral_value(ROUND_FLOOR)


def ceiling(value: Number) -> Decimal:
    return _as_double(value).to_integral_value(ROUND_CEILING)


def _as_double(value: Number) -> Decimal:
    """`new BigDecimal(num.doubleValue())`: the exact binary value of the nearest double."""
    double = float(value)
    if not math.isfinite(double):
        raise TemplateDataFailure("Can't round an infinite or NaN number")
    charge(UNITS_PER_NUMBER_CONVERSION)  # up to ~1,000 exact digits
    return Decimal(double)


def absolute(value: Number) -> Number:
    if isinstance(value, JavaFloat):
        return JavaFloat(abs(value))
    return _checked(value.copy_abs()) if isinstance(value, Decimal) else abs(value)


def parse(text: str) -> Number:
    """`?number`: Java's BigDecimal syntax (no white-space), or INF/Infinity/NaN as doubles."""
    if text in _SPECIAL_DOUBLES:
        return _SPECIAL_DOUBLES[text]
    if len(text) > MAX_NUMBER_DIGITS or _BIG_DECIMAL.fullmatch(text) is None:
        raise TemplateDataFailure(f"Can't convert this string to number: {text[:40]!r}")
    number = Decimal(text)
    if number.is_zero():
        return number.copy_abs()
    if abs(number.adjusted()) > MAX_NUMBER_DIGITS:
        raise TemplateLimitFailure(f"A number exceeds {MAX_NUMBER_DIGITS} digits")
    return number


def _scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent


def _unscaled(value: Decimal) -> int:
    sign, digits, _ = value.as_tuple()
    magnitude = int("".join(map(str, digits)) or "0")
    return -magnitude if sign else magnitude
