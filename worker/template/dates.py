"""Dates: parsing strings into date values and formatting them with Java-style patterns.

JSON has no date type, so a date comes from a string via `?date`, `?time` or `?datetime`,
either with a pattern (`?date("dd.MM.yyyy")`) or as ISO 8601 (`?date.iso`). Names are en_US.
"""

from __future__ import annotations

import calendar
import datetime
from functools import lru_cache

from .failures import TemplateDataFailure

DateValue = datetime.date | datetime.time
_MONTHS = list(calendar.month_name)[1:]
_DAYS = list(calendar.day_name)
_FORMATS = {"date": "MMM d, y", "time": "h:mm:ss a", "datetime": "MMM d, y, h:mm:ss a"}


@lru_cache(maxsize=64)
def _fields(pattern: str) -> tuple[str, ...]:
    return _fields_of(pattern)


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
    if type(value) is datetime.date:  # a letter no date field knows (`Q`, `W`, ...)
        raise TemplateDataFailure(f"Unsupported date pattern letter {letter!r}")
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

# Parsing scans the text once, left to right, each field taking what it can without going back
# (as Java's SimpleDateFormat does): no regex is built from a pattern, so no pattern can make
# parsing backtrack. A field's key in the result; "X" for both offset letters.
_DIGIT_FIELDS = {"y": 4, "M": 2, "d": 2, "H": 2, "h": 2, "m": 2, "s": 2, "S": 3}
_DAY_NAMES = sorted([*_DAYS, *(day[:3] for day in _DAYS)], key=len, reverse=True)
_MONTH_NAMES = sorted([*_MONTHS, *(month[:3] for month in _MONTHS)], key=len, reverse=True)
_ASCII_DIGITS = frozenset("0123456789")


def _fields_of(pattern: str) -> tuple[str, ...]:
    """The pattern's fields: a run of one letter, a quoted text ('' inside is a quote; a lone
    '' is a quote too), or a run of other characters. One pass over the pattern."""
    fields, pos = [], 0
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
        elif _is_letter(char):
            while end < len(pattern) and pattern[end] == char:
                end += 1
        else:
            while end < len(pattern) and not _is_letter(pattern[end]) and pattern[end] != "'":
                end += 1
        fields.append(pattern[pos:end])
        pos = end
    return tuple(fields)


def _is_letter(char: str) -> bool:
    return "A" <= char <= "Z" or "a" <= char <= "z"


def _scan(text: str, pattern: str) -> dict[str, str] | None:
    """The text of each field, or None when the text does not follow the pattern."""
    found: dict[str, str] = {}
    pos = 0
    fields = _fields(pattern)
    for at, field in enumerate(fields):
        letter = field[0]
        if not _is_letter(letter):
            literal = field[1:-1].replace("''", "'") or "'" if letter == "'" else field
            if not text.startswith(literal, pos):
                return None
            pos += len(literal)
            continue
        # Java's rule for abutting numeric fields (`yyyyMMdd`): all but the last take exactly
        # their pattern's width.
        abutting = at + 1 < len(fields) and _is_numeric(fields[at + 1])
        key, end = _scan_field(text, pos, field, exact_width=abutting)
        if key in found:
            raise TemplateDataFailure(f"Unsupported date pattern {pattern!r}")
        if end < 0:
            return None
        if key:
            found[key] = text[pos:end]
        pos = end
    return found if pos == len(text) else None


def _is_numeric(field: str) -> bool:
    return field[0] in _DIGIT_FIELDS and not (field[0] == "M" and len(field) >= 3)


def _scan_field(text: str, pos: int, field: str, *, exact_width: bool) -> tuple[str, int]:
    """(result key or "" to ignore, end of the field's text or -1 when it is not there);
    a numeric field takes its pattern's width exactly, or else up to its usual digits."""
    letter = field[0]
    if _is_numeric(field):
        most = len(field) if exact_width else _DIGIT_FIELDS[letter]
        end = pos
        while end < len(text) and end - pos < most and text[end] in _ASCII_DIGITS:
            end += 1
        enough = end - pos == most if exact_width else end > pos
        return letter, end if enough else -1
    if letter in "EM":
        names = _DAY_NAMES if letter == "E" else _MONTH_NAMES
        folded = text[pos : pos + 9].lower()
        name = next((n for n in names if folded.startswith(n.lower())), None)
        return ("" if letter == "E" else "N"), -1 if name is None else pos + len(name)
    if letter == "a":
        return letter, pos + 2 if text[pos : pos + 2] in ("AM", "PM", "am", "pm") else -1
    if letter in "XZ":
        return "X", _offset_end(text, pos)
    raise TemplateDataFailure(f"Unsupported date pattern letter {letter!r} for parsing")


def _offset_end(text: str, pos: int) -> int:
    """`Z`, or `+hh`, `+hhmm`, `+hh:mm` (either sign)."""
    if text.startswith("Z", pos):
        return pos + 1
    if not (text[pos : pos + 1] in ("+", "-") and _digits_at(text, pos + 1, 2)):
        return -1
    end = pos + 3
    colon = end + 1 if text.startswith(":", end) else end
    return colon + 2 if _digits_at(text, colon, 2) else end


def _digits_at(text: str, pos: int, count: int) -> bool:
    return len(text) >= pos + count and all(c in _ASCII_DIGITS for c in text[pos : pos + count])


def parse_date(text: str, pattern: str, kind: str) -> DateValue:
    found = _scan(text.strip(), pattern)
    if found is None:
        raise TemplateDataFailure(f"Can't parse {text!r} as a {kind} with pattern {pattern!r}")
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
