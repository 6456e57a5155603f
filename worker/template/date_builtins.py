"""`?string.<format>` on dates (`?string.short`, `?string.full`, `?string.medium_short`,
`?string.xs`, `?string.iso_m_nz`...), the older `?iso_utc`/`?iso_local` built-ins
(`?iso_utc_ms`, `?iso_local_m_nz`...) and `?iso(zone)` (`?iso_m_nz("Europe/Berlin")`...), and
`?date_if_unknown` and its siblings (our dates always know their type: they pass unchanged).

FreeMarker's `?string.name` takes any format string as `name`; ours are the names a format
string can have as a single name: the styles and their date-time pairs, and `iso`/`xs` with
their options joined by `_` in any order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from . import locales
from .budget import charge
from .dates import DateValue, format_by, instant_of, kind_of
from .failures import TemplateDataFailure
from .iso_formats import MILLISECONDS, SECONDS, IsoFormat, format_iso
from .values import DATE_TYPES, type_name

_STYLES = ("short", "medium", "long", "full")
# Work units for formatting one date (a few dozen Python calls per field).
_UNITS_PER_DATE_FORMAT = 200


def _require_date(value: Any, name: str) -> DateValue:
    if not isinstance(value, DATE_TYPES):
        raise TemplateDataFailure(f"?{name} needs a date, got a {type_name(value)}")
    return value


def _formatter(format_string: str) -> Callable[[Any], str]:
    def formatted(value: Any) -> str:
        charge(_UNITS_PER_DATE_FORMAT)
        return format_by(_require_date(value, "string"), format_string)

    return formatted


def _iso_like_names() -> list[str]:
    """`iso`/`xs` and every ordering of at most one option of each kind."""
    names = []
    for prefix, accuracies in (("iso", ("h", "m", "s", "ms")), ("xs", ("s", "ms"))):
        for accuracy, zone, utc in itertools.product(
            (None, *accuracies), (None, "nz", "fz"), (None, "u", "fu")
        ):
            chosen = [option for option in (accuracy, zone, utc) if option]
            for order in itertools.permutations(chosen):
                names.append("_".join((prefix, *order)))
    return names


_FORMAT_NAMES = [
    *_STYLES,
    *(f"{date}_{time}" for date in _STYLES for time in _STYLES),
    *_iso_like_names(),
]
DATE_FORMAT_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    f"string.{name}": (_formatter(name), 0, 0)
    for name in _FORMAT_NAMES
    if name != "iso"  # `?string.iso` is older and kept where it is
}


def _iso_format(name: str, *, utc: bool) -> IsoFormat:
    options = name.split("_")[1:]
    accuracy = SECONDS
    for option, chosen in (("ms", MILLISECONDS), ("m", 1), ("h", 0)):
        if option in options:
            accuracy = chosen
    shown = False if "nz" in options else (True if "fz" in options else None)
    return IsoFormat(xs=False, accuracy=accuracy, show_offset=shown, utc=utc)


def _iso_in_zone(name: str) -> Callable[[Any, Any], str]:
    """`?iso("Europe/Berlin")`, `?iso_m_nz(zone)`...: in that zone (an unknown one fails)."""
    fmt = _iso_format(name, utc=False)

    def formatted(value: Any, zone_name: Any) -> str:
        charge(_UNITS_PER_DATE_FORMAT)
        date = _require_date(value, name)
        if not isinstance(zone_name, str):
            raise TemplateDataFailure(
                f"?{name}(...) needs a time zone name, not a {type_name(zone_name)}"
            )
        zone = locales.time_zone(zone_name)
        return format_iso(instant_of(date).astimezone(zone), kind_of(date), fmt)

    return formatted


def _same_date(name: str) -> Callable[[Any], Any]:
    return lambda value: _require_date(value, name)


def _iso_builtin(name: str) -> Callable[[Any], str]:
    """`?iso_utc`, `?iso_local_ms_nz`...: seconds unless `_ms`, `_m` or `_h` says otherwise
    (milliseconds only when not zero); `_nz` hides the offset, `_fz` forces it."""
    fmt = _iso_format(name.replace("_utc", "").replace("_local", ""), utc="_utc" in name)

    def formatted(value: Any) -> str:
        charge(_UNITS_PER_DATE_FORMAT)
        date = _require_date(value, name)
        return format_iso(instant_of(date), kind_of(date), fmt)

    return formatted


_ISO_BUILTIN_NAMES = [
    "iso_utc", "iso_utc_fz", "iso_utc_nz", "iso_utc_ms", "iso_utc_ms_nz", "iso_utc_m",
    "iso_utc_m_nz", "iso_utc_h", "iso_utc_h_nz", "iso_local", "iso_local_nz", "iso_local_ms",
    "iso_local_ms_nz", "iso_local_m", "iso_local_m_nz", "iso_local_h", "iso_local_h_nz",
]  # fmt: skip
DATE_FORMAT_BUILTINS |= {name: (_iso_builtin(name), 0, 0) for name in _ISO_BUILTIN_NAMES}
_ISO_IN_ZONE_NAMES = [
    "iso",
    "iso_nz",
    "iso_ms",
    "iso_ms_nz",
    "iso_m",
    "iso_m_nz",
    "iso_h",
    "iso_h_nz",
]
DATE_FORMAT_BUILTINS |= {name: (_iso_in_zone(name), 1, 1) for name in _ISO_IN_ZONE_NAMES}
DATE_FORMAT_BUILTINS |= {
    f"{kind}_if_unknown": (_same_date(f"{kind}_if_unknown"), 0, 0)
    for kind in ("date", "time", "datetime")
}
