"""Dates: parsing strings into date values and formatting them with Java-style patterns.

JSON has no date type, so a date comes from a string via `?date`, `?time` or `?datetime`,
either with a pattern (`?date("dd.MM.yyyy")`) or as ISO 8601 (`?date.iso`). Names are en_US.
"""

from __future__ import annotations

import calendar
import datetime
import re
from functools import lru_cache

from .failures import TemplateDataFailure

DateValue = datetime.date | datetime.time
_MONTHS = list(calendar.month_name)[1:]
_DAYS = list(calendar.day_name)
_FIELD = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")
_FORMATS = {"date": "MMM d, y", "time": "h:mm:ss a", "datetime": "MMM d, y, h:mm:ss a"}


@lru_cache(maxsize=64)
def _fields(pattern: str) -> tuple[str, ...]:
    return tuple(m.group() for m in _FIELD.finditer(pattern))


def kind_of(value: DateValue) -> str:
    if isinstance(value, datetime.datetime):
        return "datetime"
    return "date" if isinstance(value, datetime.date) else "time"


def format_date_default(value: DateValue) -> str:
    return format_date(value, _FORMATS[kind_of(value)])


def format_date_iso(value: DateValue) -> str:
    """`?string.iso`: milliseconds without trailing zeros, `Z` for UTC (and for values without
    an offset, which FreeMarker's UTC time zone setting reads as UTC)."""
    if not isinstance(value, (datetime.datetime, datetime.time)):
        return value.isoformat()
    clock = value.timetz() if isinstance(value, datetime.datetime) else value
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
    return "".join(_format_field(value, field) for field in _fields(pattern))


def _format_field(value: DateValue, field: str) -> str:
    letter, width = field[0], len(field)
    if letter == "'":
        return field[1:-1].replace("''", "'") or "'"
    if not letter.isalpha():
        return field
    if letter in "GyMLdEuD" and not isinstance(value, datetime.date):
        raise TemplateDataFailure(f"Pattern letter {letter!r} needs a date, not a time")
    if letter in "aHkKhmsSzZX" and type(value) is datetime.date:
        raise TemplateDataFailure(f"Pattern letter {letter!r} needs a time, not a date")
    if isinstance(value, datetime.date):
        date_text = _format_date_field(value, letter, width)
        if date_text is not None:
            return date_text
    moment = value.timetz() if isinstance(value, datetime.datetime) else value
    assert isinstance(moment, datetime.time)
    return _format_time_field(moment, letter, width)


def _format_date_field(value: datetime.date, letter: str, width: int) -> str | None:
    if letter == "G":
        return "AD"
    if letter == "y":
        return f"{value.year % 100:02d}" if width == 2 else f"{value.year:0{width}d}"
    if letter in "ML":
        if width >= 3:
            name = _MONTHS[value.month - 1]
            return name if width >= 4 else name[:3]
        return f"{value.month:0{width}d}"
    if letter == "d":
        return f"{value.day:0{width}d}"
    if letter == "E":
        name = _DAYS[value.weekday()]
        return name if width >= 4 else name[:3]
    if letter == "u":
        return str(value.isoweekday())
    if letter == "D":
        return f"{value.timetuple().tm_yday:0{width}d}"
    return None


def _format_time_field(value: datetime.time, letter: str, width: int) -> str:
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
        return "AM" if hour < 12 else "PM"
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
        return f"GMT{sign}{hours:02d}:{minutes:02d}" if offset else "UTC"
    if letter == "X" and width == 1:
        return f"{sign}{hours:02d}"
    separator = ":" if letter == "X" and width >= 3 else ""
    return f"{sign}{hours:02d}{separator}{minutes:02d}"


# ---- parsing ----

_PARSE_FIELDS = {
    "y": r"(?P<y>\d{1,4})",
    "M": r"(?P<M>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "H": r"(?P<H>\d{1,2})",
    "h": r"(?P<h>\d{1,2})",
    "m": r"(?P<m>\d{1,2})",
    "s": r"(?P<s>\d{1,2})",
    "S": r"(?P<S>\d{1,3})",
    "a": r"(?P<a>AM|PM|am|pm)",
    "E": r"[A-Za-z]+",
    "X": r"(?P<X>Z|[+-]\d{2}(?::?\d{2})?)",
    "Z": r"(?P<X>Z|[+-]\d{2}(?::?\d{2})?)",
}


@lru_cache(maxsize=64)
def _parse_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for field in _fields(pattern):
        letter = field[0]
        if letter == "M" and len(field) >= 3:
            parts.append(r"(?P<N>[A-Za-z]+)")
        elif letter in _PARSE_FIELDS:
            parts.append(_PARSE_FIELDS[letter])
        elif letter.isalpha():
            raise TemplateDataFailure(f"Unsupported date pattern letter {letter!r} for parsing")
        else:
            parts.append(re.escape(field[1:-1] if letter == "'" else field))
    try:
        return re.compile("".join(parts))
    except re.error as error:  # a field letter used twice
        raise TemplateDataFailure(f"Unsupported date pattern {pattern!r}") from error


def parse_date(text: str, pattern: str, kind: str) -> DateValue:
    match = _parse_regex(pattern).fullmatch(text.strip())
    if match is None:
        raise TemplateDataFailure(f"Can't parse {text!r} as a {kind} with pattern {pattern!r}")
    found = match.groupdict()
    try:
        month = int(found["M"]) if found.get("M") else _month(found.get("N"))
        year = int(found.get("y") or 1970)
        year = year + 2000 if len(found.get("y") or "") == 2 else year
        hour = int(found.get("H") or found.get("h") or 0)
        if found.get("h") and (found.get("a") or "").upper() == "PM":
            hour = hour % 12 + 12
        elif found.get("h"):
            hour %= 12
        moment = datetime.datetime(
            year,
            month,
            int(found.get("d") or 1),
            hour,
            int(found.get("m") or 0),
            int(found.get("s") or 0),
            int(found.get("S") or 0) * 1000,
            tzinfo=_offset(found.get("X")),
        )
    except ValueError as error:
        raise TemplateDataFailure(f"Can't parse {text!r} as a {kind}: {error}") from error
    return _narrow(moment, kind)


def _month(name: str | None) -> int:
    if name is None:
        return 1
    for index, month in enumerate(_MONTHS, start=1):
        if name.lower() in (month.lower(), month[:3].lower()):
            return index
    raise ValueError(f"unknown month name {name!r}")


def _offset(text: str | None) -> datetime.timezone | None:
    if text is None:
        return None
    if text == "Z":
        return datetime.timezone.utc
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return datetime.timezone(datetime.timedelta(minutes=-minutes if text[0] == "-" else minutes))


def parse_iso(text: str, kind: str) -> DateValue:
    cleaned = text.strip()
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        if kind == "time":
            return datetime.time.fromisoformat(cleaned)
        moment = datetime.datetime.fromisoformat(cleaned)
    except ValueError as error:
        raise TemplateDataFailure(f"Can't parse {text!r} as an ISO 8601 {kind}") from error
    return _narrow(moment, kind)


def _narrow(moment: datetime.datetime, kind: str) -> DateValue:
    if kind == "date":
        return moment.date()
    if kind == "time":
        return moment.timetz()
    return moment
