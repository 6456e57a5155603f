"""Dates: formatting date values with FreeMarker's format strings (Java patterns, styles,
`iso`/`xs`: see `iso_formats`), and splitting patterns.

JSON has no date type, so a date comes from a string via `?date`, `?time` or `?datetime`,
either with a format (`?date("dd.MM.yyyy")`) or as ISO 8601 (`?date.iso`): see
`date_parsing`. Names and default formats are the render locale's (`date_locale`), zone names
Java 17's (`zone_names`). As in Java, a value stands for an instant (`instant_of`).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from . import date_locale, locales, zone_names
from .failures import TemplateDataFailure
from .iso_formats import format_iso, is_iso_like, parse_iso_format

DateValue = datetime.date | datetime.time


def kind_of(value: DateValue) -> str:
    if isinstance(value, datetime.datetime):
        return "datetime"
    return "date" if isinstance(value, datetime.date) else "time"


def format_date_default(value: DateValue) -> str:
    """`${date}`: the date_format, time_format or datetime_format setting (default: the
    locale's medium format)."""
    return format_by(value, date_locale.date_format_setting(kind_of(value)))


def format_by(value: DateValue, format_string: str) -> str:
    """A FreeMarker date format string: `iso`/`xs` with options, a style (`short`, `long`,
    `medium_short` for a datetime...) or a Java pattern."""
    kind = kind_of(value)
    if is_iso_like(format_string):
        return format_iso(instant_of(value), kind, parse_iso_format(format_string))
    pattern = date_locale.style_pattern(kind, format_string)
    return format_date(value, format_string if pattern is None else pattern)


def format_date_iso(value: DateValue) -> str:
    """`?string.iso`: milliseconds without trailing zeros, `Z` for UTC."""
    return format_by(value, "iso")


class ZonedClock(datetime.tzinfo):
    """The zone of a time of day cut from a datetime, with the instant it was cut from: a
    Java Date keeps its instant, so a time prints the offset and zone name of its day."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def utcoffset(self, dt: datetime.datetime | None) -> datetime.timedelta | None:
        return self.moment.utcoffset()

    def dst(self, dt: datetime.datetime | None) -> datetime.timedelta | None:
        return self.moment.dst()

    def tzname(self, dt: datetime.datetime | None) -> str | None:
        return self.moment.tzname()


def time_of(moment: datetime.datetime) -> datetime.time:
    """A datetime's time of day, keeping its instant (see ZonedClock)."""
    if moment.tzinfo is None:
        return moment.time()
    return moment.time().replace(tzinfo=ZonedClock(moment))


class DayOfInstant(datetime.date):
    """A datetime's date (`?date`), keeping the instant it was cut from, as a Java Date does
    (`?string.iso_u` prints that instant's day in UTC)."""

    moment: datetime.datetime | None = None


def date_of(moment: datetime.datetime) -> datetime.date:
    day = DayOfInstant(moment.year, moment.month, moment.day)
    day.moment = moment
    return day


def instant_of(value: DateValue) -> datetime.datetime:
    """The instant a value stands for in Java, in the render's time zone: a date is its
    midnight there, a time without its date is on 1970-01-01."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=locales.current_time_zone())
    if isinstance(value, DayOfInstant) and value.moment is not None:
        return value.moment
    if isinstance(value, datetime.date):
        midnight = datetime.datetime.combine(value, datetime.time())
        return midnight.replace(tzinfo=locales.current_time_zone())
    if isinstance(value.tzinfo, ZonedClock):
        return value.tzinfo.moment
    epoch_day = datetime.datetime.combine(datetime.date(1970, 1, 1), value.replace(tzinfo=None))
    return epoch_day.replace(tzinfo=value.tzinfo or locales.current_time_zone())


def format_date(value: DateValue, pattern: str) -> str:
    parts = fields(pattern)
    # Java uses a month's stand-alone name (nominative: "wrzesień") when the month is the
    # pattern's only field (`MMMM`, `'w' MMMM`), else the format one ("5 września").
    letters = [part for part in parts if is_letter(part[0])]
    standalone = len(letters) == 1
    names = date_locale.current_date_names()
    return "".join(_format_field(value, field, names, standalone) for field in parts)


def _format_field(
    value: DateValue, field: str, names: date_locale.DateNames, standalone: bool
) -> str:
    letter, width = field[0], len(field)
    if letter == "'":
        return field[1:-1].replace("''", "'") or "'"
    if not is_letter(letter):  # only ASCII letters are pattern letters, as in Java
        return field
    if letter in "GyMLdEuD" and not isinstance(value, datetime.date):
        raise TemplateDataFailure(f"Pattern letter {letter!r} needs a date, not a time")
    if isinstance(value, datetime.date):
        date_text = _format_date_field(value, letter, width, names, standalone)
        if date_text is not None:
            return date_text
    if _is_day(value) and letter not in _TIME_LETTERS:  # a letter no field knows (`Q`, `W`...)
        raise TemplateDataFailure(f"Unsupported date pattern letter {letter!r}")
    # A date's time fields are its midnight in the render's zone, as a Java Date's.
    return _format_time_field(instant_of(value), letter, width, names)


_TIME_LETTERS = frozenset("aHkKhmsSzZX")


def _is_day(value: DateValue) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _format_date_field(
    value: datetime.date, letter: str, width: int, names: date_locale.DateNames, standalone: bool
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
    value: datetime.datetime, letter: str, width: int, names: date_locale.DateNames
) -> str:
    """`value`: the instant, in the render's time zone (the offset then in force)."""
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
    if letter == "z":
        return _zone_name(value, long=width >= 4)
    if letter in "ZX":
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
    if letter == "X" and width == 1:
        return f"{sign}{hours:02d}"
    separator = ":" if letter == "X" and width >= 3 else ""
    return f"{sign}{hours:02d}{separator}{minutes:02d}"


def _zone_name(moment: datetime.datetime, *, long: bool) -> str:
    key = getattr(moment.tzinfo, "key", None)
    if key is None and moment.utcoffset():  # a time of day read with its own offset
        return zone_names.gmt_offset(moment.utcoffset())
    key = key or "UTC"
    daylight = zone_names.is_daylight(key, moment)
    locale = locales.current().name
    return zone_names.zone_name(key, locale, daylight=daylight, long=long, moment=moment)


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
