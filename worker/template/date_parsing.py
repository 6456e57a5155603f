"""Parsing dates from text with a Java-style pattern (`?date("dd.MM.yyyy")`) or ISO 8601.

The text is scanned once, left to right, each field taking what it can without going back (as
Java's SimpleDateFormat does): no regex is built from a pattern, so no pattern can make
parsing backtrack. Names are en_US.
"""

from __future__ import annotations

import datetime

from . import locales
from .dates import DAYS, MONTHS, DateValue, fields, is_letter
from .failures import TemplateDataFailure

# A numeric field's usual number of digits; the result's keys are these letters, N for a
# month name and X for both offset letters.
_DIGIT_FIELDS = {"y": 4, "M": 2, "d": 2, "H": 2, "h": 2, "m": 2, "s": 2, "S": 3}
_DAY_NAMES = sorted([*DAYS, *(day[:3] for day in DAYS)], key=len, reverse=True)
_MONTH_NAMES = sorted([*MONTHS, *(month[:3] for month in MONTHS)], key=len, reverse=True)
_ASCII_DIGITS = frozenset("0123456789")


def _scan(text: str, pattern: str) -> dict[str, str] | None:
    """The text of each field, or None when the text does not follow the pattern."""
    found: dict[str, str] = {}
    pos = 0
    pattern_fields = fields(pattern)
    for at, field in enumerate(pattern_fields):
        letter = field[0]
        if not is_letter(letter):
            literal = field[1:-1].replace("''", "'") or "'" if letter == "'" else field
            if not text.startswith(literal, pos):
                return None
            pos += len(literal)
            continue
        # Java's rule for abutting numeric fields (`yyyyMMdd`): all but the last take exactly
        # their pattern's width.
        abutting = at + 1 < len(pattern_fields) and _is_numeric(pattern_fields[at + 1])
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
    for index, month in enumerate(MONTHS, start=1):
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
    """A moment without an offset is in the render's time zone; one with an offset is the
    same instant there, as FreeMarker reads both."""
    if kind == "time":  # a time of day alone keeps what it says
        return moment.timetz()
    zone = locales.current_time_zone()
    moment = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    if kind == "date":
        return moment.date()
    return moment
