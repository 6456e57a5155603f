"""FreeMarker's ISO 8601 (`iso`) and XML Schema (`xs`) date formats, with their options:
`iso m nz`, `xs ms`, `iso_u` (options after a space or `_`): accuracy `h`, `m`, `s`, `ms`
(`h` and `m` not for `xs`), zone offset `nz` (none) or `fz` (forced), and `u` or `fu` (in
UTC rather than the render's time zone). Malformed ones fail as FreeMarker's do.

ISO never shows an offset on a date alone; XML Schema does (`2024-01-05+01:00`). A date or a
time alone is an instant in Java: a date is its midnight in the render's zone, a time of day
that has no date its time on 1970-01-01 there (`dates.instant_of`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from .failures import TemplateDataFailure

HOURS, MINUTES, SECONDS, MILLISECONDS, MILLISECONDS_FORCED = range(5)


@dataclass(frozen=True)
class IsoFormat:
    xs: bool
    accuracy: int
    show_offset: bool | None  # None: shown (FreeMarker's default for our values)
    utc: bool


def is_iso_like(format_string: str) -> bool:
    return format_string.startswith(("iso", "xs"))


@lru_cache(maxsize=128)
def parse_iso_format(format_string: str) -> IsoFormat:
    """Reads the options after `iso` or `xs` in one pass, as FreeMarker's parser does."""
    xs = format_string.startswith("xs")
    text, pos = format_string, 2 if xs else 3
    accuracy, show_offset, utc = MILLISECONDS, None, None
    after_separator = False
    while pos < len(text):
        char = text[pos]
        pos += 1
        if char in "_ ":
            after_separator = True
            continue
        if not after_separator:
            raise _malformed(format_string, f'missing space or "_" before "{char}"')
        if char in "hms":
            if accuracy != MILLISECONDS:
                raise _malformed(format_string, "the accuracy is given twice")
            if char == "m" and text.startswith("s", pos):
                pos, accuracy = pos + 1, MILLISECONDS_FORCED
            else:
                accuracy = {"h": HOURS, "m": MINUTES, "s": SECONDS}[char]
                if xs and accuracy < SECONDS:
                    raise _malformed(format_string, "XML Schema formats show seconds")
        elif char == "f" and text.startswith("u", pos):
            if utc is not None:
                raise _malformed(format_string, "the UTC option is given twice")
            pos, utc = pos + 1, True
        elif char in "nf":
            if show_offset is not None or not text.startswith("z", pos):
                raise _malformed(format_string, f'unexpected "{char}"')
            pos, show_offset = pos + 1, char == "f"
        elif char == "u":
            if utc is not None:
                raise _malformed(format_string, "the UTC option is given twice")
            utc = True
        else:
            raise _malformed(format_string, f'unexpected "{char}"')
        after_separator = False
    return IsoFormat(xs, accuracy, show_offset, bool(utc))


def _malformed(format_string: str, reason: str) -> TemplateDataFailure:
    return TemplateDataFailure(f"Malformed date format {format_string!r}: {reason}")


def format_iso(moment: datetime.datetime, kind: str, fmt: IsoFormat) -> str:
    """`moment`: the value's instant, in the render's time zone; `kind` its type."""
    if fmt.utc:
        moment = moment.astimezone(datetime.timezone.utc)
    date_part, time_part = kind != "time", kind != "date"
    show_offset = fmt.show_offset is not False and (time_part or fmt.xs)
    parts = []
    if date_part:
        parts.append(f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}")
        if time_part:
            parts.append("T")
    if time_part:
        parts.append(_clock(moment, fmt.accuracy))
    if show_offset:
        parts.append(_offset(moment.utcoffset()))
    return "".join(parts)


def _clock(moment: datetime.datetime, accuracy: int) -> str:
    text = f"{moment.hour:02d}"
    if accuracy >= MINUTES:
        text += f":{moment.minute:02d}"
    if accuracy >= SECONDS:
        text += f":{moment.second:02d}"
    millis = moment.microsecond // 1000
    if accuracy == MILLISECONDS_FORCED:
        text += f".{millis:03d}"
    elif accuracy == MILLISECONDS and millis:
        text += f".{millis:03d}".rstrip("0")
    return text


def _offset(offset: datetime.timedelta | None) -> str:
    seconds = int(offset.total_seconds()) if offset else 0
    if not seconds:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    minutes, second = divmod(abs(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{second:02d}" if second else "")
