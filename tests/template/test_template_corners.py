"""Corners the helpers' probes of issue 14 found outside the corpora, fixed to print what
FreeMarker 2.3.34 prints (checked against the oracle, as the differential test checks)."""

from __future__ import annotations

import pytest

from tests.template.test_freemarker_differential import compare, oracle  # noqa: F401

BERLIN = '<#setting time_zone="Europe/Berlin">'

# A `<#setting>` value that is a boolean is its text: `locale=true` is an unknown locale
# (the root locale's formats), `time_zone=true` an unknown zone (GMT).
SETTING_VALUES = [
    ("<#setting locale=true>${1234.5}", {}),
    ("<#setting locale=false>${1234.5}", {}),
    ('<#setting time_zone=true>${"2024-01-05T10:00:00Z"?datetime.iso}', {}),
    ("<#setting boolean_format=true>${true}", {}),
]
# The settings beyond formats: camelCase names, the charsets ?url uses (and the special variables
# that show them), and the SQL time zone, which changes nothing here.
SETTING_NAMES = [
    ('<#setting numberFormat="0.0">${1234.5}', {}),
    ('<#setting timeZone="Europe/Berlin">${"2024-01-05T10:00:00Z"?datetime.iso}', {}),
    ('<#setting url_escaping_charset="ISO-8859-1">${"ä b"?url}', {}),
    ('<#setting urlEscapingCharset="windows-1252">${"€ b"?url}', {}),
    ('<#setting output_encoding="UTF-8">${"ä b"?url}|${.output_encoding}', {}),
    ('<#setting output_encoding="latin1"><#setting url_escaping_charset="UTF-8">${"ä"?url}', {}),
    ('<#setting url_escaping_charset="US-ASCII">${"ä"?url}', {}),
    ('<#setting url_escaping_charset="nope">${"ä b"?url}', {}),
    ('<#setting url_escaping_charset="../../etc/passwd">${"a"?url}', {}),
    ('<#setting url_escaping_charset="">${"ä"?url}', {}),
    ('<#setting url_escaping_charset="UTF-8">${.url_escaping_charset}', {}),
    ("${.url_escaping_charset!'none'}", {}),
    ('<#setting sql_date_and_time_time_zone="Nope/X">x', {}),
]
# A time read with an offset is that instant of 1970-01-01, seen in the render's zone.
TIMES_WITH_OFFSETS = [
    ('${"10:30:00+02:00"?time("HH:mm:ssXXX")?string("HH:mm")}', {}),
    ('${"10:30:00+02:00"?time.iso?string("HH:mm XXX")}', {}),
    ('${"10:30:00+02:00"?time("HH:mm:ssXXX")?string.iso}', {}),
    (BERLIN + '${"10:30:00+02:00"?time("HH:mm:ssXXX")?string("HH:mm XXX")}', {}),
    (BERLIN + '${"10:30:00"?time("HH:mm:ss")?string("HH:mm XXX")}', {}),
]
# A date's time-of-day fields are those of its midnight in the render's zone.
DATES_WITH_TIME_FIELDS = [
    ('${"2024-03-09"?date.iso?string("yyyy-MM-dd HH:mm")}', {}),
    (BERLIN + '${"2024-07-09"?date("yyyy-MM-dd")?string("HH:mm z a h K k")}', {}),
    ('<#setting time_zone="Asia/Tokyo">${"2024-03-09"?date.iso?string("HH:mm XXX")}', {}),
    ('${"2024-03-09"?date.iso?string("Q")}', {}),
]
# With a boolean_format, a `?matches` result prints as its whole-string match.
MATCHES_PRINTED = [
    ('<#setting boolean_format="yes,no">${"a"?matches("a")}', {}),
    ('<#setting boolean_format="yes,no">${"ab"?matches("a")}', {}),
    ('${"a"?matches("a")}', {}),
]


@pytest.mark.parametrize(
    "cases",
    [SETTING_VALUES, SETTING_NAMES, TIMES_WITH_OFFSETS, DATES_WITH_TIME_FIELDS, MATCHES_PRINTED],
    ids=[
        "setting values",
        "setting names",
        "times with offsets",
        "dates with time fields",
        "matches printed",
    ],
)
def test_the_corner_renders_as_in_freemarker(cases: list[tuple[str, dict[str, object]]]) -> None:
    comparison = compare(cases, exclude=False)
    assert comparison.disagreements == [], comparison.report()
