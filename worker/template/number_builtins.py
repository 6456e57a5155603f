"""Number built-ins with Java's conversions: `?byte`/`?short`/`?long` (truncating and wrapping
as Java's narrowing casts), `?float`/`?double`, `?lower_abc`/`?upper_abc`, `?is_infinite`/
`?is_nan`, and `?number_to_date`/`_time`/`_datetime` (epoch milliseconds, in the render's
time zone). Each pays for a number conversion before it works."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import locales, numbers
from .budget import charge
from .dates import DateValue, date_of, instant_of, time_of
from .failures import TemplateDataFailure
from .java_float import JavaFloat, to_java_float
from .values import DATE_TYPES, require_number

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
# "ZZZZZZ": beyond it FreeMarker's place values overflow (it prints garbage, or loops forever
# from 2^31 - 1 on), so larger numbers are refused.
_MAX_ABC = 321_272_406
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MILLISECOND = datetime.timedelta(milliseconds=1)
# Python's dates end with the year 9999 (kept a day off, for any zone's offset); before Java's
# Gregorian cutover (1582-10-15T00:00Z) Java prints the Julian calendar.
_EARLIEST_MILLIS = -12_219_292_800_000
_LATEST_MILLIS = 253_402_214_400_000  # 9999-12-31T00:00Z


def _number(value: Any) -> numbers.Number:
    charge(numbers.UNITS_PER_NUMBER_CONVERSION)
    return require_number(value)


def _wrap(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _narrowed(bits: int) -> Callable[[Any], int]:
    """`byteValue()`/`shortValue()`: a double (or float) through `(int)` (truncating and
    saturating), anything else truncated and cut to the low bits, as Java does."""

    def run(value: Any) -> int:
        number = _number(value)
        whole = numbers.java_int(number) if isinstance(number, float) else int(number)
        return _wrap(whole, bits)

    return run


def _to_long(value: Any) -> int:
    """`?long`: a number's `longValue()`, or a date's epoch milliseconds."""
    if isinstance(value, DATE_TYPES):
        charge(numbers.UNITS_PER_NUMBER_CONVERSION)
        return (instant_of(value) - _EPOCH) // _MILLISECOND
    return numbers.java_long(_number(value))


def _to_float(value: Any) -> JavaFloat:
    number = _number(value)
    if isinstance(number, JavaFloat):
        return number
    try:
        return to_java_float(float(number))
    except OverflowError:  # an integer beyond a double's range
        return JavaFloat(math.copysign(math.inf, number))


def _to_double(value: Any) -> float:
    number = _number(value)
    try:
        return float(number)
    except OverflowError:
        return math.copysign(math.inf, number)


def _int_exact(name: str, number: numbers.Number) -> int:
    """NumberUtil.toIntExact: a whole number within Java's int range, else an error."""
    if isinstance(number, float):
        whole = math.isfinite(number) and number.is_integer()
    else:
        whole = not isinstance(number, Decimal) or number == number.to_integral_value()
    if not whole or not _INT_MIN <= number <= _INT_MAX:
        raise TemplateDataFailure(
            f"The left side operand value isn't compatible with ?{name}: "
            f"can't convert {number} to an integer without loss"
        )
    return int(number)


def _abc(name: str, first: str) -> Callable[[Any], str]:
    """Bijective base 26 (1 is a, 26 z, 27 aa), as FreeMarker's StringUtil.toABC."""

    def run(value: Any) -> str:
        number = _int_exact(name, _number(value))
        if number <= 0:
            raise TemplateDataFailure(f"?{name} needs a number of at least 1, got {number}")
        if number > _MAX_ABC:
            raise TemplateDataFailure(f"?{name} supports numbers up to {_MAX_ABC:,}")
        reached, weight = 1, 1
        while reached + weight * 26 <= number:  # at most 6 letters
            weight *= 26
            reached += weight
        letters = []
        while weight:
            increase = (number - reached) // weight
            letters.append(chr(ord(first) + increase))
            reached += increase * weight
            weight //= 26
        return "".join(letters)

    return run


def _is_infinite(value: Any) -> bool:
    number = _number(value)
    return isinstance(number, float) and math.isinf(number)


def _is_nan(value: Any) -> bool:
    number = _number(value)
    return isinstance(number, float) and math.isnan(number)


def _round_half_up(value: float) -> int:
    """Java's Math.round of a finite double (exact: floor and the difference are exact)."""
    below = math.floor(value)
    return below + (1 if value - below >= 0.5 else 0)


def _epoch_millis(number: numbers.Number) -> int:
    """FreeMarker's safeToLong: a double rounded half up (saturating), a float rounded to a
    Java int and read back as a float, a BigDecimal rounded half away from zero; a value
    beyond a long is an error."""
    if isinstance(number, float):
        if math.isnan(number):
            return 0
        if math.isinf(number):
            rounded = _LONG_MAX if number > 0 else _LONG_MIN
        else:
            rounded = _round_half_up(number)
        if isinstance(number, JavaFloat):
            return int(to_java_float(max(_INT_MIN, min(_INT_MAX, rounded))))
        return max(_LONG_MIN, min(_LONG_MAX, rounded))
    whole = int(number.to_integral_value(ROUND_HALF_UP)) if isinstance(number, Decimal) else number
    if not _LONG_MIN <= whole <= _LONG_MAX:
        raise TemplateDataFailure(
            f"Number doesn't fit into a 64 bit signed integer (long): {whole}"
        )
    return whole


def _number_to(kind: str) -> Callable[[Any], DateValue]:
    def run(value: Any) -> DateValue:
        millis = _epoch_millis(_number(value))
        if not _EARLIEST_MILLIS <= millis <= _LATEST_MILLIS:
            raise TemplateDataFailure(
                f"?number_to_{kind}: {millis} ms is outside the supported dates "
                "(1582-10-15 to 9999-12-31)"
            )
        moment = _EPOCH + datetime.timedelta(milliseconds=millis)
        moment = moment.astimezone(locales.current_time_zone())
        if kind == "date":
            return date_of(moment)
        return time_of(moment) if kind == "time" else moment

    return run


# name -> (implementation, minimum arguments, maximum arguments), merged into BUILTINS.
NUMBER_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "byte": (_narrowed(8), 0, 0),
    "short": (_narrowed(16), 0, 0),
    "long": (_to_long, 0, 0),
    "float": (_to_float, 0, 0),
    "double": (_to_double, 0, 0),
    "lower_abc": (_abc("lower_abc", "a"), 0, 0),
    "upper_abc": (_abc("upper_abc", "A"), 0, 0),
    "is_infinite": (_is_infinite, 0, 0),
    "is_nan": (_is_nan, 0, 0),
    "number_to_date": (_number_to("date"), 0, 0),
    "number_to_time": (_number_to("time"), 0, 0),
    "number_to_datetime": (_number_to("datetime"), 0, 0),
}
