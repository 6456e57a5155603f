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
    found = [(template, data) for template in FIXED + SETTINGS]
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


def zoned_cases() -> list[tuple[str, dict[str, Any]]]:
    """Datetimes with and without an offset, read and printed in the worker's time zone."""
    found = []
    for value in ZONED_VALUES:
        for form in ZONED_FORMATS:
            found.append(("${d?datetime.iso" + form + "}", {"d": value}))
    found.append(("${d?datetime('yyyy-MM-dd HH:mm')?string.iso}", {"d": "2024-08-01 09:15"}))
    return found
