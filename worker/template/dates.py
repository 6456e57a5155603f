"""Dates: formatting date values with Java-style patterns, and splitting those patterns.

JSON has no date type, so a date comes from a string via `?date`, `?time` or `?datetime`,
either with a pattern (`?date("dd.MM.yyyy")`) or as ISO 8601 (`?date.iso`): see
`date_parsing`. Names and default formats are the render locale's (`locales`); parsing reads
English names.
"""

from __future__ import annotations

import calendar
import datetime
from functools import lru_cache

from . import locales
from .failures import TemplateDataFailure

DateValue = datetime.date | datetime.time
MONTHS = list(calendar.month_name)[1:]
DAYS = list(calendar.day_name)


def kind_of(value: DateValue) -> str:
    if isinstance(value, datetime.datetime):
        return "datetime"
    return "date" if isinstance(value, datetime.date) else "time"


def format_date_default(value: DateValue) -> str:
    """The locale's medium format, as FreeMarker's default date/time/datetime format."""
    return format_date(value, locales.date_pattern(kind_of(value)))


def format_date_iso(value: DateValue) -> str:
    """`?string.iso`: milliseconds without trailing zeros, `Z` for UTC (and for values without
    an offset, which FreeMarker's UTC time zone setting reads as UTC)."""
    if not isinstance(value, (datetime.datetime, datetime.time)):
        return value.isoformat()
    clock = _clock(value)
    text = clock.strftime("%H:%M:%S")
    if clock.microsecond // 1000:
        text += f".{clock.microsecond // 1000:03d}".rstrip("0")
    offset = clock.utcoffset()
    if offset:
        minutes = int(offset.total_seconds()) // 60
        hours, minutes = divmod(abs(minutes), 60)
        text += f"{'-' if offset.total_seconds() < 0 else '+'}{hours:02d}:{minutes:02d}"
    else:
        text += "Z"
    if isinstance(value, datetime.datetime):
        return f"{value.date().isoformat()}T{text}"
    return text


def format_date(value: DateValue, pattern: str) -> str:
    parts = fields(pattern)
    # Java uses a month's stand-alone name (nominative: "wrzesień") unless a day of the
    # month goes with it ("5 września").
    standalone = not any(part[0] == "d" for part in parts)
    names = locales.current_date_names()
    return "".join(_format_field(value, field, names, standalone) for field in parts)


def _format_field(value: DateValue, field: str, names: locales.DateNames, standalone: bool) -> str:
    letter, width = field[0], len(field)
    if letter == "'":
        return field[1:-1].replace("''", "'") or "'"
    if not is_letter(letter):  # only ASCII letters are pattern letters, as in Java
        return field
    if letter in "GyMLdEuD" and not isinstance(value, datetime.date):
        raise TemplateDataFailure(f"Pattern letter {letter!r} needs a date, not a time")
    if letter in "aHkKhmsSzZX" and type(value) is datetime.date:
        raise TemplateDataFailure(f"Pattern letter {letter!r} needs a time, not a date")
    if isinstance(value, datetime.date):
        date_text = _format_date_field(value, letter, width, names, standalone)
        if date_text is not None:
            return date_text
    if type(value) is datetime.date:  # a letter no date field knows (`Q`, `W`, ...)
        raise TemplateDataFailure(f"Unsupported date pattern letter {letter!r}")
    return _format_time_field(_clock(value), letter, width, names)


def _clock(value: DateValue) -> datetime.time:
    """The time of day with the offset in force then (a zone's offset depends on the date)."""
    if not isinstance(value, datetime.datetime):
        assert isinstance(value, datetime.time)
        return value
    offset = value.utcoffset()
    fixed = None if offset is None else datetime.timezone(offset)
    return value.timetz().replace(tzinfo=fixed)


def _format_date_field(
    value: datetime.date, letter: str, width: int, names: locales.DateNames, standalone: bool
) -> str | None:
    if letter == "G":
        return names.era
    if letter == "y":
        return f"{value.year % 100:02d}" if width == 2 else f"{value.year:0{width}d}"
    if letter in "ML":
        if width >= 3:
            alone = standalone or letter == "L"
            wide = names.standalone_months if alone else names.months
            short = names.standalone_months_short if alone else names.months_short
            return (wide if width >= 4 else short)[value.month - 1]
        return f"{value.month:0{width}d}"
    if letter == "d":
        return f"{value.day:0{width}d}"
    if letter == "E":
        return (names.days if width >= 4 else names.days_short)[value.weekday()]
    if letter == "u":
        return str(value.isoweekday())
    if letter == "D":
        return f"{value.timetuple().tm_yday:0{width}d}"
    return None


def _format_time_field(
    value: datetime.time, letter: str, width: int, names: locales.DateNames
) -> str:
    hour = value.hour
    numbers = {
        "H": hour,
        "k": hour or 24,
        "K": hour % 12,
        "h": hour % 12 or 12,
        "m": value.minute,
        "s": value.second,
    }
    if letter in numbers:
        return f"{numbers[letter]:0{width}d}"
    if letter == "S":
        return f"{value.microsecond // 1000:0{width}d}"
    if letter == "a":
        return names.am_pm[0] if hour < 12 else names.am_pm[1]
    if letter in "zZX":
        return _format_offset(value.utcoffset(), letter, width)
    raise TemplateDataFailure(f"Unsupported date pattern letter {letter!r}")


def _format_offset(offset: datetime.timedelta | None, letter: str, width: int) -> str:
    if offset is None:
        offset = datetime.timedelta(0)
    if letter == "X" and not offset:
        return "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    if letter == "z":
        if offset:  # Java prints the zone's own short name (CET, CEST, ...)
            raise TemplateDataFailure("Zone names (z) print only in the UTC time zone")
        return "UTC"
    if letter == "X" and width == 1:
        return f"{sign}{hours:02d}"
    separator = ":" if letter == "X" and width >= 3 else ""
    return f"{sign}{hours:02d}{separator}{minutes:02d}"


@lru_cache(maxsize=64)
def fields(pattern: str) -> tuple[str, ...]:
    """The pattern's fields: a run of one letter, a quoted text ('' inside is a quote; a lone
    '' is a quote too), or a run of other characters. One pass over the pattern."""
    found, pos = [], 0
    while pos < len(pattern):
        char = pattern[pos]
        end = pos + 1
        if char == "'":
            while True:
                close = pattern.find("'", end)
                if close < 0:
                    raise TemplateDataFailure(f"Unterminated quote in date pattern {pattern!r}")
                if pattern.startswith("''", close) and close > pos + 1:
                    end = close + 2
                    continue
                end = close + 1
                break
        elif is_letter(char):
            while end < len(pattern) and pattern[end] == char:
                end += 1
        else:
            while end < len(pattern) and not is_letter(pattern[end]) and pattern[end] != "'":
                end += 1
        found.append(pattern[pos:end])
        pos = end
    return tuple(found)


def is_letter(char: str) -> bool:
    return "A" <= char <= "Z" or "a" <= char <= "z"
