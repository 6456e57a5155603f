"""Parsing dates from text with a Java-style pattern (`?date("dd.MM.yyyy")`) or ISO 8601.

The text is scanned once, left to right, each field taking what it can without going back (as
Java's SimpleDateFormat does): no regex is built from a pattern, so no pattern can make
parsing backtrack. Month and day names and AM/PM are the render locale's, matched as Java
does: ignoring case, the longest name that matches; `MMM`/`MMMM` read the month's format
forms (wide, else abbreviated: `5 września`, `5 sept.`), `LLL`/`LLLL` any form.
"""

from __future__ import annotations

import datetime

from . import date_locale, locales
from .budget import charge
from .dates import DateValue, fields, is_letter, time_of
from .failures import TemplateDataFailure
from .iso_formats import is_iso_like, parse_iso_format

# A numeric field's usual number of digits; the result's keys are these letters (a month name
# gives its number under M) and X for both offset letters.
_DIGIT_FIELDS = {"y": 4, "M": 2, "d": 2, "H": 2, "h": 2, "m": 2, "s": 2, "S": 3}
_ASCII_DIGITS = frozenset("0123456789")
# Work units for matching one name field: up to four dozen names of a few characters.
_UNITS_PER_NAME_FIELD = 400


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
        key, end, value = _scan_field(text, pos, field, exact_width=abutting)
        if key in found:
            raise TemplateDataFailure(f"Unsupported date pattern {pattern!r}")
        if end < 0:
            return None
        if key:
            found[key] = text[pos:end] if value is None else value
        pos = end
    return found  # Java's DateFormat.parse(String) ignores what follows


def _is_numeric(field: str) -> bool:
    return field[0] in _DIGIT_FIELDS and not (field[0] == "M" and len(field) >= 3)


def _scan_field(
    text: str, pos: int, field: str, *, exact_width: bool
) -> tuple[str, int, str | None]:
    """(result key or "" to ignore, end of the field's text or -1 when it is not there, its
    value when not its text); a numeric field takes its pattern's width exactly, or else up
    to its usual digits."""
    letter = field[0]
    if _is_numeric(field):
        most = len(field) if exact_width else _DIGIT_FIELDS[letter]
        end = pos
        while end < len(text) and end - pos < most and text[end] in _ASCII_DIGITS:
            end += 1
        enough = end - pos == most if exact_width else end > pos
        return letter, end if enough else -1, None
    if letter in "EMLa":
        charge(_UNITS_PER_NAME_FIELD)
        names = date_locale.current_date_names()
        if letter == "a":
            index, end = _match_names(text, pos, [names.am_pm])
            return letter, end, "PM" if index == 1 else "AM"
        if letter == "E":
            return "", _match_names(text, pos, [names.days, names.days_short])[1], None
        groups = [names.months, names.months_short]
        if letter == "L":
            groups = [
                (*groups[0], *names.standalone_months, *groups[1], *names.standalone_months_short)
            ]
        index, end = _match_names(text, pos, groups)
        return "M", end, str(index % 12 + 1)
    if letter in "XZ":
        return "X", _offset_end(text, pos), None
    raise TemplateDataFailure(f"Unsupported date pattern letter {letter!r} for parsing")


def _match_names(text: str, pos: int, groups: list[tuple[str, ...]]) -> tuple[int, int]:
    """(index of the name in its group, end of it) for the longest name of the first group
    that has one matching at `pos`, or (-1, -1)."""
    for names in groups:
        best, best_end = -1, -1
        for index, name in enumerate(names):
            end = pos + len(name)
            if name and end > best_end and _same_ignoring_case(text[pos:end], name):
                best, best_end = index, end
        if best >= 0:
            return best, best_end
    return -1, -1


def _same_ignoring_case(text: str, name: str) -> bool:
    """Java's `regionMatches(true, ...)`: character by character, upper or lower case."""
    if len(text) != len(name):
        return False
    return all(
        a == b or a.upper() == b.upper() or a.lower() == b.lower()
        for a, b in zip(text, name, strict=True)
    )


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


def parse_by(text: str, format_string: str | None, kind: str) -> DateValue:
    """`?date`, `?date(format)`...: with a FreeMarker format string (`iso`, `xs` and their
    options, a style, a pattern), by default the date_format (...) setting's."""
    if format_string is None:
        format_string = date_locale.date_format_setting(kind)
    if is_iso_like(format_string):
        # A malformed one fails as in FreeMarker.
        return parse_iso(text, kind, xs=parse_iso_format(format_string).xs)
    pattern = date_locale.style_pattern(kind, format_string)
    return parse_date(text, format_string if pattern is None else pattern, kind)


def parse_date(text: str, pattern: str, kind: str) -> DateValue:
    found = _scan(text.strip(), pattern)
    if found is None:
        raise TemplateDataFailure(f"Can't parse {text!r} as a {kind} with pattern {pattern!r}")
    try:
        month = int(found.get("M") or 1)
        year = int(found.get("y") or 1970)
        year = year + 2000 if len(found.get("y") or "") == 2 else year
        hour = int(found.get("H") or found.get("h") or 0)
        if found.get("h") and found.get("a") == "PM":
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


def _offset(text: str | None) -> datetime.timezone | None:
    if text is None:
        return None
    if text == "Z":
        return datetime.timezone.utc
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return datetime.timezone(datetime.timedelta(minutes=-minutes if text[0] == "-" else minutes))


_EPOCH_DAY = datetime.date(1970, 1, 1)


def parse_iso(text: str, kind: str, *, xs: bool = False) -> DateValue:
    """ISO 8601 (`?date.iso`), or XML Schema (`xs`), where a date may have an offset: the
    instant of its midnight there (`2024-05-06+02:00` is May 5 in UTC)."""
    cleaned = text.strip()
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    offset = cleaned[10:] if kind == "date" else ""
    try:
        if offset and not (xs and offset[:1] in ("+", "-")):
            raise ValueError("a date has no offset in ISO 8601")
        if offset:
            midnight = datetime.datetime.fromisoformat(cleaned[:10] + "T00:00" + offset)
            return _narrow(midnight, kind)
        if kind == "time":
            clock = datetime.time.fromisoformat(cleaned)
            return _narrow(datetime.datetime.combine(_EPOCH_DAY, clock), kind)
        moment = datetime.datetime.fromisoformat(cleaned)
    except ValueError as error:
        raise TemplateDataFailure(f"Can't parse {text!r} as an ISO 8601 {kind}") from error
    return _narrow(moment, kind)


def _narrow(moment: datetime.datetime, kind: str) -> DateValue:
    """A moment without an offset is in the render's time zone; one with an offset is the
    same instant there, as FreeMarker reads both."""
    zone = locales.current_time_zone()
    if kind == "time":
        # Without an offset a time of day keeps what it says; with one, it is that instant of
        # 1970-01-01 seen in the render's zone, as Java's Date.
        return moment.time() if moment.tzinfo is None else time_of(moment.astimezone(zone))
    moment = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    if kind == "date":
        return moment.date()
    return moment
