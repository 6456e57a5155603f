"""Date names and formats per locale, as FreeMarker on Java 17 prints them: month and day
names, AM/PM, eras and the date/time styles (`short` … `full`) from CLDR through Babel, with
the places where Java 17's CLDR release differs corrected to Java's (measured with the oracle);
and which format a date prints with by default (the settings in `locales.current_formats`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale

from .locales import current, current_formats

DATE_STYLES = ("short", "medium", "long", "full")

# Java 17 (CLDR 39) date names and formats where today's CLDR differs (measured with the oracle).
_NL_MONTHS = [
    "jan.",
    "feb.",
    "mrt.",
    "apr.",
    "mei",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
]
_JAVA17_MONTHS_ABBREVIATED = {"nl": _NL_MONTHS}
_JAVA17_AM_PM = {"es": ("a.\u00a0m.", "p.\u00a0m."), "he": ("לפנה״צ", "אחה״צ")}
# How Java 17 joins a date and a time, by the time's style: (language, style) -> joiner.
_JAVA17_DATETIME = {
    **{(language, style): "{1} {0}" for language in ("es", "nl") for style in ("short", "medium")},
    **{("en", style): "{1} 'at' {0}" for style in ("long", "full")},
    **{("de", style): "{1} 'um' {0}" for style in ("long", "full")},
    **{("fr", style): "{1} 'à' {0}" for style in ("long", "full")},
    **{("nl", style): "{1} 'om' {0}" for style in ("long", "full")},
    **{("he", style): "{1} 'בשעה' {0}" for style in ("long", "full")},
}


def _joiner(locale: Locale, style: str) -> str:
    fallback = str(locale.datetime_formats[style])
    return _JAVA17_DATETIME.get((locale.language, style), fallback)


_JAVA17_SHORT_DATE = {"pl_PL": "dd.MM.y"}


@dataclass(frozen=True)
class DateNames:
    """Month names (format forms, used with a day of month; stand-alone forms otherwise), day
    names from Monday, AM/PM, the era, and the default (medium) formats."""

    months: tuple[str, ...]
    months_short: tuple[str, ...]
    standalone_months: tuple[str, ...]
    standalone_months_short: tuple[str, ...]
    days: tuple[str, ...]
    days_short: tuple[str, ...]
    am_pm: tuple[str, str]
    era: str
    formats: dict[str, str]  # date, time, datetime


@lru_cache(maxsize=64)
def date_names_for(name: str) -> DateNames:
    locale = Locale.parse(name)
    language = locale.language
    months, standalone = locale.months["format"], locale.months["stand-alone"]
    short = _JAVA17_MONTHS_ABBREVIATED.get(language)
    if name == "root":  # CLDR's root has "M09"; Java's root locale English abbreviations
        short = [month[:3] for month in calendar.month_name[1:]]
        months = standalone = {"wide": dict(enumerate(short, start=1))}
    periods = locale.day_periods["format"]["abbreviated"]
    am_pm = _JAVA17_AM_PM.get(language, (periods["am"], periods["pm"]))
    # Java 17 has no narrow no-break space before AM/PM: a plain one (CLDR 42 added it).
    date = locale.date_formats["medium"].pattern.replace("\u202f", " ")
    time = locale.time_formats["medium"].pattern.replace("\u202f", " ")
    joined = _joiner(locale, "medium")
    return DateNames(
        months=tuple(months["wide"][m] for m in range(1, 13)),
        months_short=tuple(short or (months["abbreviated"][m] for m in range(1, 13))),
        standalone_months=tuple(standalone["wide"][m] for m in range(1, 13)),
        standalone_months_short=tuple(
            short or (standalone["abbreviated"][m] for m in range(1, 13))
        ),
        days=tuple(locale.days["format"]["wide"][d] for d in range(7)),
        days_short=tuple(locale.days["format"]["abbreviated"][d] for d in range(7)),
        am_pm=am_pm,
        era=locale.eras["abbreviated"][1],
        formats={
            "date": date,
            "time": time,
            "datetime": joined.replace("{1}", date).replace("{0}", time),
        },
    )


def current_date_names() -> DateNames:
    return date_names_for(current().name)


def date_format_setting(kind: str) -> str:
    """The format string `${date}` prints a date, time or datetime with."""
    chosen = getattr(current_formats(), kind)
    return current_date_names().formats[kind] if chosen is None else str(chosen)


def style_pattern(kind: str, format_string: str) -> str | None:
    """The locale's pattern for a style (`short`, `full`; `medium_short` is a datetime's date
    and time styles), or None when the string is not one, read as FreeMarker does."""
    styles = [token for token in format_string.split("_") if token]
    if not styles or styles[0] not in DATE_STYLES:
        return None
    time_style = styles[1] if kind == "datetime" and len(styles) > 1 else styles[0]
    if time_style not in DATE_STYLES:
        return None
    return date_style(current().name, kind, styles[0], time_style)


@lru_cache(maxsize=256)
def date_style(name: str, kind: str, style: str, time_style: str) -> str:
    locale = Locale.parse(name)
    date = str(locale.date_formats[style].pattern).replace("\u202f", " ")
    time = str(locale.time_formats[time_style].pattern).replace("\u202f", " ")
    if style == "short":
        date = _JAVA17_SHORT_DATE.get(str(locale), date)
    if kind == "date":
        return date
    if kind == "time":
        return time
    # Java joins with the pattern of the shorter of the two styles.
    joined = _joiner(locale, min(style, time_style, key=DATE_STYLES.index))
    return joined.replace("{1}", date).replace("{0}", time)
