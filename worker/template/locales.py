"""Number formats per locale, as FreeMarker on Java 17 formats them: symbols and patterns from
CLDR, read through Babel (Java 17 takes them from CLDR too), with the few places where Java
17's CLDR release differs from Babel's corrected to Java's (measured with the oracle).

The locale of the render running in this thread is a ContextVar (like the budget), set by the
engine from the worker's setting and changed by `<#setting locale=...>`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, get_currency_symbol, get_territory_currencies

from .failures import TemplateDataFailure

DEFAULT_LOCALE = "en_US"
# Java 17 (CLDR 39) where today's CLDR differs: the Swiss group separator was a right single
# quotation mark, and Hebrew had no right-to-left mark before the currency sign.
_JAVA17_GROUP = {"de_CH": "\u2019", "de_LI": "\u2019", "it_CH": "\u2019", "fr_CH": "\u202f"}
_JAVA17_STRIP_BEFORE_CURRENCY = {"he": "\u200f"}


@dataclass(frozen=True)
class NumberSymbols:
    name: str
    decimal: str
    group: str
    minus: str
    percent: str
    per_mille: str
    currency_symbol: str
    currency_code: str
    currency_digits: int
    number_pattern: str
    currency_pattern: str
    percent_pattern: str


def canonical(name: str) -> str:
    """`de_DE`, `de-DE` or `de` as Java writes it (`de_DE`); unknown ones are refused."""
    try:
        locale = Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as error:
        raise TemplateDataFailure(f"Unknown locale {name!r}") from error
    return str(locale)


@lru_cache(maxsize=64)
def symbols_for(name: str) -> NumberSymbols:
    locale = Locale.parse(canonical(name))
    symbols = locale.number_symbols.get("latn", locale.number_symbols)
    territory = locale.territory or ""
    currencies = get_territory_currencies(territory) if territory else []
    code = currencies[0] if currencies else "XXX"
    currency_pattern = locale.currency_formats["standard"].pattern
    stripped = _JAVA17_STRIP_BEFORE_CURRENCY.get(locale.language)
    if stripped:
        currency_pattern = currency_pattern.replace(stripped + "¤", "¤")
    return NumberSymbols(
        name=str(locale),
        decimal=symbols["decimal"],
        group=_JAVA17_GROUP.get(str(locale), symbols["group"]),
        minus=symbols["minusSign"],
        percent=symbols["percentSign"],
        per_mille=symbols["perMille"],
        currency_symbol=get_currency_symbol(code, locale) if currencies else "¤",
        currency_code=code,
        currency_digits=get_currency_precision(code) if currencies else 2,
        number_pattern=locale.decimal_formats[None].pattern,
        currency_pattern=currency_pattern,
        percent_pattern=locale.percent_formats[None].pattern,
    )


_CURRENT: ContextVar[NumberSymbols | None] = ContextVar("template_locale", default=None)


def current() -> NumberSymbols:
    return _CURRENT.get() or symbols_for(DEFAULT_LOCALE)


def is_default() -> bool:
    return current().name == DEFAULT_LOCALE


def set_locale(name: str) -> None:
    """`<#setting locale=...>`: for the rest of the render running in this thread."""
    _CURRENT.set(symbols_for(_setting_locale(name)))


def _setting_locale(name: str) -> str:
    """As FreeMarker reads the setting (`language_COUNTRY`, no `-`), Java falls back to the
    language, and for an unknown language to the root locale's formats."""
    if "-" not in name:
        for candidate in (name, name.partition("_")[0]):
            try:
                return canonical(candidate)
            except TemplateDataFailure:
                continue
    return "root"


DEFAULT_TIME_ZONE = "UTC"
_ZONE: ContextVar[datetime.tzinfo] = ContextVar("template_time_zone", default=datetime.timezone.utc)


def time_zone(name: str) -> datetime.tzinfo:
    """An IANA time zone (`Europe/Berlin`, `UTC`); unknown ones are refused."""
    if name.upper() in ("UTC", "Z"):
        return datetime.timezone.utc
    if name.upper() == "GMT":  # the same offset, but Java names it GMT
        return zoneinfo.ZoneInfo("GMT")
    custom = _custom_zone(name)
    if custom is not None:
        return custom
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise TemplateDataFailure(f"Unknown time zone {name!r}") from error


def _setting_time_zone(name: str) -> datetime.tzinfo:
    """`<#setting time_zone=...>`: Java reads an unknown zone as GMT, and so do we (the
    worker's SMS_TEMPLATE_TIME_ZONE is checked at start-up instead)."""
    if name.upper() in ("UTC", "GMT", "Z") and name not in ("UTC", "GMT"):
        return zoneinfo.ZoneInfo("GMT")  # Java's ids are case-sensitive
    try:
        return time_zone(name)
    except TemplateDataFailure:
        return zoneinfo.ZoneInfo("GMT")


def _custom_zone(name: str) -> datetime.tzinfo | None:
    """Java's custom zone ids: `GMT+2`, `GMT-05:00`, `GMT+0530` (hours up to 23)."""
    sign, rest = name[3:4], name[4:]
    if not name.startswith("GMT") or sign not in ("+", "-") or not rest.isascii():
        return None
    hours_text, colon, minutes_text = rest.partition(":")
    if not colon and len(rest) == 4:
        hours_text, minutes_text = rest[:2], rest[2:]
    if not (hours_text.isdigit() and len(hours_text) <= 2):
        return None
    if (colon or minutes_text) and not (minutes_text.isdigit() and len(minutes_text) == 2):
        return None
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if hours > 23 or minutes > 59:
        return None
    offset = datetime.timedelta(hours=hours, minutes=minutes)
    return datetime.timezone(-offset if sign == "-" else offset)


def current_time_zone() -> datetime.tzinfo:
    return _ZONE.get()


@contextmanager
def rendering_in(name: str, zone: str = DEFAULT_TIME_ZONE) -> Iterator[None]:
    token = _CURRENT.set(symbols_for(name))
    zone_token = _ZONE.set(time_zone(zone))
    formats_token = _FORMATS.set(Formats())
    try:
        yield
    finally:
        _FORMATS.reset(formats_token)
        _ZONE.reset(zone_token)
        _CURRENT.reset(token)


@dataclass(frozen=True)
class Formats:
    """What `<#setting>` changed besides the locale (None: the locale's default)."""

    number: str | None = None
    boolean: tuple[str, str] | None = None
    date: str | None = None
    time: str | None = None
    datetime: str | None = None
    url_escaping_charset: str | None = None
    output_encoding: str | None = None

    @property
    def url_charset(self) -> str:
        # FreeMarker's order; with neither set it fails, we take UTF-8 (a listed difference).
        for charset in (self.url_escaping_charset, self.output_encoding):
            if charset is not None:
                return charset
        return "UTF-8"


_NO_SETTINGS = Formats()
_FORMATS: ContextVar[Formats | None] = ContextVar("template_formats", default=None)


def current_formats() -> Formats:
    return _FORMATS.get() or _NO_SETTINGS


def apply_setting(name: str, value: str) -> None:
    """`<#setting name=value>`, for the rest of the render running in this thread."""
    formats = current_formats()
    if name == "locale":
        set_locale(value)
    elif name == "time_zone":
        _ZONE.set(_setting_time_zone(value))
    elif name == "number_format":
        _FORMATS.set(replace(formats, number=value))
    elif name == "boolean_format":
        _FORMATS.set(replace(formats, boolean=_boolean_format(value)))
    # date_format, time_format, datetime_format: checked when used, as in FreeMarker
    elif name == "date_format":
        _FORMATS.set(replace(formats, date=value))
    elif name == "time_format":
        _FORMATS.set(replace(formats, time=value))
    elif name == "datetime_format":
        _FORMATS.set(replace(formats, datetime=value))
    # Charsets are checked when ?url uses them, as in FreeMarker.
    elif name == "url_escaping_charset":
        _FORMATS.set(replace(formats, url_escaping_charset=value))
    elif name == "output_encoding":
        _FORMATS.set(replace(formats, output_encoding=value))
    # sql_date_and_time_time_zone concerns java.sql dates only, which JSON metadata never holds.


def _boolean_format(value: str) -> tuple[str, str] | None:
    if value == "c":
        return ("true", "false")
    if value == "true,false":  # FreeMarker's default: booleans can't be printed
        return None
    true_text, comma, false_text = value.partition(",")
    if not comma or "," in false_text:
        raise TemplateDataFailure(f"boolean_format must be 'yes,no' or 'c', not {value!r}")
    return (true_text, false_text)


def now(state: object) -> datetime.datetime:
    """`.now`: the current time, to the millisecond (a Java Date), in the render's time zone;
    read anew each time, as in FreeMarker."""
    del state
    moment = datetime.datetime.now(current_time_zone())
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
