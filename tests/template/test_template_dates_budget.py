"""The render budget holds for the date built-ins: reading names of the locale pays per name
field, formatting with a style or an ISO format pays per value, and a pathological pattern
ends as INVALID_INPUT. Work is asserted as budget units or the limit's message, never as time."""

from __future__ import annotations

import pytest

from worker.errors import ConnectorError, ErrorCode
from worker.template import engine, render
from worker.template.budget import RenderBudget


def _stopped_clock() -> float:
    """The budget, not the wall clock, must be what stops these renders."""
    return 0.0


def _units(source: str, metadata: dict[str, object]) -> int:
    """The units a render spends, read from its budget."""
    budget = RenderBudget(_stopped_clock)
    original = engine.RenderBudget
    engine.RenderBudget = lambda clock: budget  # type: ignore[assignment,misc]
    try:
        render(source, metadata, clock=_stopped_clock)
    finally:
        engine.RenderBudget = original  # type: ignore[misc]
    return budget.spent


def test_reading_many_day_names_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..1000 as i><#assign k = s?date(p)></#list>"
    metadata = {"s": "Montag " * 3000 + "5.9.2024", "p": "EEEE " * 3000 + "d.M.yyyy"}
    with pytest.raises(ConnectorError) as caught:
        render("<#setting locale='de_DE'>" + source, metadata, clock=_stopped_clock)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert "units of work" in caught.value.message


@pytest.mark.parametrize("format_name", ["full", "long_short", "xs", "iso_m_nz"])
def test_formatting_with_a_named_format_pays_for_each_value(format_name: str) -> None:
    metadata = {"d": "2024-09-05T15:04:05Z"}
    loop = "<#list 1..100 as i><#assign k = d?datetime.iso?string{}></#list>"
    named = _units(loop.format("." + format_name), metadata)
    plain = _units(loop.format(""), metadata)
    assert named - plain >= 100 * 200
