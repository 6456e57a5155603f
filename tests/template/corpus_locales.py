"""Numbers per locale for the differential test: the locales issue 14 names, each rendering
money-like numbers through the default, number, currency and percent formats and patterns,
given as the worker's locale (SMS_TEMPLATE_LOCALE) or switched by `<#setting locale>`; and
dates and times of every month, weekday and half-day through the default formats and name
patterns."""

from __future__ import annotations

import random
from typing import Any

LOCALES = [
    "en_US", "en_GB", "de_DE", "de_CH", "fr_FR", "es_ES", "it_IT", "pt_BR", "nl_NL", "sv_SE",
    "pl_PL", "ja_JP", "he_IL",
]  # fmt: skip
FORMATS = [
    "", "?string.number", "?string.currency", "?string.percent", "?c", "?string('0.00')",
    "?string('#,##0.00')", "?string('#,##0.###')", "?string('0.#%')", "?string('00.0')",
    "?string('0.00;(0.00)')", "?string('#,##0.00 ¤')", "?string('¤¤ #,##0.00')",
    "?string('0 ‰')", "?int", "?round", "?string('#,##0.0#')",
]  # fmt: skip
VALUES = [
    0, 1, -1, 7, 0.5, -0.5, 12.5, 1234.5, -1234.567, 1234567.891, 0.075, 0.256, 99.995,
    1000000, -0.001, 24.17, 4.35, 0.0005, 12345.675, 1e9,
]  # fmt: skip
DATE_FORMATS = [
    "?date.iso", "?date.iso?string('d MMM y')", "?date.iso?string('MMMM')",
    "?date.iso?string('EEEE, d. MMMM yyyy')", "?date.iso?string('EEE dd.MM.')",
    "?date.iso?string('LLL yyyy')", "?date.iso?string('G y')", "?date.iso?string('d MMMM')",
]  # fmt: skip
TIME_FORMATS = [
    "?datetime.iso", "?datetime.iso?time", "?datetime.iso?string('h:mm a')",
    "?datetime.iso?string('EEE HH:mm')", "?datetime.iso?string('d MMM, hh a')",
]  # fmt: skip
# The other <#setting>s, in every locale.
SETTINGS = [
    "<#setting number_format='0.00'>${total} ${total?string} ${total?string.number}",
    "<#setting number_format='currency'>${total}|<#setting number_format='percent'>${rate}",
    "<#setting number_format='computer'>${balance}|<#setting number_format='#,##0.0'>${balance}",
    "<#setting boolean_format='ja,nein'>${flag} ${flag?string} ${(!flag)?string}",
    "<#setting boolean_format='c'>${flag}",
    "<#setting date_format='short'>${due?date.iso}|<#setting date_format='long'>${due?date.iso}",
    "<#setting date_format='full'>${due?date.iso}|<#setting date_format='dd/MM'>${due?date.iso}",
    "<#setting datetime_format='short'>${at?datetime.iso}|<#setting time_format='short'>"
    "${at?datetime.iso?time}",
    "<#setting datetime_format='medium'>${at?datetime.iso}|<#setting time_format='HH:mm'>"
    "${at?datetime.iso?time}",
    "<#setting time_zone='America/New_York'>${at?datetime.iso}|${at?datetime.iso?string.iso}",
    "<#setting time_zone='Asia/Kolkata'><#setting datetime_format='yyyy-MM-dd HH:mm X'>"
    "${at?datetime.iso}",
]
# ISO and XML Schema formats, long and full styles (zone names), and reading the locale's
# month and day names back, in every locale (the worker's zone: UTC).
DATE_STYLES = [
    "${at?datetime.iso?string.long} | ${at?datetime.iso?string.full}",
    "${at?datetime.iso?time?string.long} | ${at?datetime.iso?time?string.full}"
    " | ${due?date.iso?string.full}",
    "${at?datetime.iso?string.short_long} | ${at?datetime.iso?string.long_short}"
    " | ${at?datetime.iso?string.full_medium} | ${at?datetime.iso?string('z, zzzz')}",
    "<#setting datetime_format='long'>${at?datetime.iso}|<#setting time_format='full'>"
    "${at?datetime.iso?time}|<#setting datetime_format='medium_full'>${at?datetime.iso}",
    "<#setting datetime_format='iso'>${at?datetime.iso}|<#setting datetime_format='iso m nz'>"
    "${at?datetime.iso}|<#setting date_format='xs'>${due?date.iso}|<#setting time_format="
    "'xs ms'>${at?datetime.iso?time}|<#setting time_format='iso_h_fu'>${at?datetime.iso?time}",
    "${at?datetime.iso?string.xs} ${at?datetime.iso?string.iso_m}"
    " ${at?datetime.iso?string.iso_ms_u} ${at?datetime.iso?string('iso h')}"
    " ${due?date.iso?string.xs_nz} ${at?datetime.iso?iso_local_m}"
    " ${due?date.iso?string['xs fz']} ${at?datetime.iso?iso_utc_ms}",
    "${at?datetime.iso?iso('Europe/Berlin')} ${at?datetime.iso?iso_m_nz('Asia/Tokyo')}"
    " ${at?datetime.iso?date_if_unknown?string.iso} ${due?date.iso?iso_h('America/New_York')}",
    "${due?date.iso?string('d MMMM yyyy')?date('d MMMM yyyy')?string.iso}"
    " ${due?date.iso?string('EEEE, d MMM yyyy')?date('EEEE, d MMM yyyy')?string.iso}"
    " ${due?date.iso?string('LLLL yyyy')?date('LLLL yyyy')?string.iso}",
    "${due?date.iso?string('MMMM yyyy')?date('MMMM yyyy')?string.iso}",
    "${at?datetime.iso?string('d MMM yyyy, h:mm a')?datetime('d MMM yyyy, h:mm a')?string.iso}",
    "${due?date.iso?string?date?string.iso} ${at?datetime.iso?string?datetime?string.iso}"
    " ${at?datetime.iso?time?string?time?string.iso}",
    "<#setting date_format='long'>${due?date.iso?string?date?string.iso}"
    "<#setting date_format='xs'> ${'2024-05-06+02:00'?date?string.iso}",
    "${due?date.iso?string('dd MMMM yyyy')?upper_case?date('dd MMMM yyyy')?string.iso}",
]
FIXED = [
    "Total: ${total?string.currency} (${items} items, ${rate?string.percent} VAT)",
    "${total} / ${total?string('#,##0.00')} / ${(total * rate)?string.currency}",
    "Balance ${balance?string.currency}, due ${due?date.iso?string('dd.MM.yyyy')}",
    "${(balance / 12)?string('0.00')} a month, ${due?date.iso?string.iso}",
    "<#list prices as p>${p?string.currency}<#sep>, </#list>",
    "#{total; m2M2} | #{balance}",
]


def cases(locale: str, count: int = 120, seed: int = 1411) -> list[tuple[str, dict[str, Any]]]:
    r = random.Random(f"{seed}-{locale}")
    data = {
        "total": 1234.5, "items": 3, "rate": 0.19, "balance": -98765.4321,
        "due": "2024-02-01", "prices": [0.99, 4.35, 12.5, 1999],
    }  # fmt: skip
    data |= {"flag": True, "at": "2024-03-10T08:05:09Z"}
    found = [(template, data) for template in FIXED + SETTINGS + DATE_STYLES]
    for _ in range(count // 2):
        day = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        if r.random() < 0.5:
            template = "${d" + r.choice(DATE_FORMATS) + "}"
            found.append((template, {"d": day}))
        else:
            moment = f"{day}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:07Z"
            found.append(("${d" + r.choice(TIME_FORMATS) + "}", {"d": moment}))
    for _ in range(count):
        value = r.choice(VALUES)
        template = "${x" + r.choice(FORMATS) + "}"
        if r.random() < 0.2:  # switched inside the template, from another locale
            template = f'<#setting locale="{locale}">' + template
            found.append((template, {"x": value}))
            continue
        found.append((template, {"x": value}))
    return found


# Worker time zones (SMS_TEMPLATE_TIME_ZONE), each with a locale of its place.
ZONED = [
    ("de_DE", "Europe/Berlin"), ("en_US", "America/New_York"), ("ja_JP", "Asia/Tokyo"),
    ("he_IL", "Asia/Jerusalem"), ("en_GB", "Europe/London"), ("pt_BR", "America/Sao_Paulo"),
]  # fmt: skip
ZONED_VALUES = [
    "2024-01-05T15:04:05Z", "2024-07-05T15:04:05+02:00", "2024-03-31T00:30:00Z",
    "2024-10-27T01:30:00Z", "2024-12-31T23:59:59-05:00", "2024-06-01T12:00:00",
    "2024-11-03T06:30:00Z",
]  # fmt: skip
ZONED_FORMATS = [
    "", "?string.iso", "?string('yyyy-MM-dd HH:mm Z')", "?string('HH:mm X')", "?date",
    "?time", "?string('EEEE d MMMM, h:mm a')", "?date?string.iso",
]  # fmt: skip


# Zone names (z, zzzz, long and full styles) and ISO offsets in each locale, around the
# daylight saving changes of Europe, the United States and Australia.
NAMED_ZONES = [
    "UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Sao_Paulo",
    "Asia/Tokyo", "Asia/Jerusalem", "Australia/Sydney", "GMT",
]  # fmt: skip
ZONE_NAME_VALUES = [
    "2024-01-05T15:04:05Z", "2024-07-05T15:04:05Z", "2024-03-31T00:59:59Z",
    "2024-03-31T01:00:00Z", "2024-10-27T00:59:59Z", "2024-10-27T01:00:00Z",
    "2024-03-10T06:59:59Z", "2024-03-10T07:00:00Z", "2024-11-03T05:59:59Z",
    "2024-11-03T06:00:00Z", "2024-04-06T15:59:59Z", "2024-04-06T16:00:00Z",
    "2024-10-05T15:59:59Z", "2024-10-05T16:00:00Z", "2024-03-29T00:30:00Z",
]  # fmt: skip
ZONE_NAME_TEMPLATE = (
    "${d?datetime.iso?string('z|zzzz|Z|X')} ${d?datetime.iso?string.long}"
    " ${d?datetime.iso?string.full} ${d?datetime.iso?time?string.long}"
    " ${d?datetime.iso?string.xs} ${d?datetime.iso?date?string.xs}"
    " ${d?datetime.iso?time?string.iso_m} ${d?datetime.iso?string('HH:mm zzzz')?length}"
)


# Zones whose short names are the JRE's own (the IANA data has only an offset), and one
# with no name at all: January and July.
OFFSET_NAMED_ZONES = [
    "Asia/Dubai", "America/Argentina/Buenos_Aires", "America/Santiago", "Atlantic/Azores",
    "Asia/Singapore", "Asia/Kolkata", "America/Bogota", "Etc/GMT-2",
]  # fmt: skip


def zone_name_cases() -> list[tuple[tuple[str, dict[str, Any]], str]]:
    """(case, worker time zone) for every zone and value."""
    named = [
        ((ZONE_NAME_TEMPLATE, {"d": value}), zone)
        for zone in NAMED_ZONES
        for value in ZONE_NAME_VALUES
    ]
    return named + [
        ((ZONE_NAME_TEMPLATE, {"d": value}), zone)
        for zone in OFFSET_NAMED_ZONES
        for value in ZONE_NAME_VALUES[:2]
    ]


def zoned_cases() -> list[tuple[str, dict[str, Any]]]:
    """Datetimes with and without an offset, read and printed in the worker's time zone."""
    found = []
    for value in ZONED_VALUES:
        for form in ZONED_FORMATS:
            found.append(("${d?datetime.iso" + form + "}", {"d": value}))
    found.append(("${d?datetime('yyyy-MM-dd HH:mm')?string.iso}", {"d": "2024-08-01 09:15"}))
    return found
