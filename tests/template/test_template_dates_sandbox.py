"""Escape probes for the date built-ins and formats: whatever they are given, they hand back
only template values (strings and dates), never a Python object or attribute, and a format,
locale or zone name is only ever a name (no file is read, no attribute is looked up)."""

from __future__ import annotations

import pytest

from worker.errors import ConnectorError
from worker.template import render

D = "d?datetime.iso"
CALLS = [
    f"{D}?string.full",
    f"{D}?string.medium_short",
    f"{D}?string.xs",
    f"{D}?string.iso_m_nz",
    f"{D}?string('iso ms u')",
    f"{D}?string('zzzz')",
    f"{D}?iso_utc",
    f"{D}?iso_local_ms_nz",
    f"{D}?iso('Europe/Berlin')",
    f"{D}?iso_m_nz('UTC')",
    f"{D}?date_if_unknown",
    f"{D}?time_if_unknown",
    f"{D}?datetime_if_unknown",
    "'5. September 2024'?date('d. MMMM yyyy')",
    "'2024-05-06+02:00'?date('xs')",
]
METADATA = {"d": "2024-09-05T15:04:05Z"}
INTERNALS = ("object at", "<class", "<function", "<built-in", "Traceback", "jinja")


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("attribute", ["__class__", "tzinfo", "moment", "__init__", "year"])
def test_a_date_result_has_no_python_attributes(call: str, attribute: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(f"${{({call}).{attribute}}}", METADATA)
    assert caught.value.code.value.startswith("TEMPLATE_")
    assert not any(marker in caught.value.message for marker in INTERNALS)


@pytest.mark.parametrize(
    "source",
    [
        "${d?datetime.iso?iso('../../etc/passwd')}",
        "${d?datetime.iso?iso(d.__class__)}",
        "${d?datetime.iso?string('iso __class__')}",
        "${d?datetime.iso?string(d.__init__)}",
    ],
)
def test_a_zone_or_format_named_like_a_path_or_attribute_is_refused(source: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(source, METADATA)
    assert caught.value.code.value.startswith("TEMPLATE_")
    assert not any(marker in caught.value.message for marker in INTERNALS)


def test_a_zone_setting_named_like_a_path_is_an_unknown_zone() -> None:
    source = "<#setting time_zone='../../etc/passwd'>${d?datetime.iso?string('HH:mm z')}"
    assert render(source, METADATA) == "15:04 GMT"
