"""`<#setting>` of a locale or time zone Java doesn't know renders as FreeMarker does, while the
worker's own settings are still checked at start-up (a typo there is a configuration error)."""

from __future__ import annotations

import pytest

from worker.template import check_locale, check_time_zone, render

MOMENT = {"d": "2024-07-05T15:04:05Z"}


def test_an_unknown_time_zone_in_a_setting_is_gmt_as_in_java() -> None:
    source = "<#setting time_zone='Mars/Base'>${d?datetime.iso?string('HH:mm z, zzzz')}"
    assert render(source, MOMENT) == "15:04 GMT, Greenwich Mean Time"


def test_an_unknown_time_zone_for_the_worker_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown time zone 'Mars/Base'"):
        check_time_zone("Mars/Base")


def test_an_unknown_locale_in_a_setting_formats_as_the_root_locale() -> None:
    source = "<#setting locale='xx_YY'>${1234.5} ${d?datetime.iso}"
    assert render(source, MOMENT) == "1,234.5 2024 Jul 5 15:04:05"


def test_an_unknown_locale_for_the_worker_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown locale 'xx_YY'"):
        check_locale("xx_YY")


def test_a_custom_gmt_offset_zone_prints_its_offset_as_its_name() -> None:
    source = "<#setting time_zone='GMT+5:30'>${d?datetime.iso?string('HH:mm z')}"
    assert render(source, MOMENT) == "20:34 GMT+05:30"
