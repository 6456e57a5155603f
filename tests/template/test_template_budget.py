"""The render budget, the compile bound and the byte-bounded cache (README, Template limits).

Work is asserted as budget units spent (`RenderBudget.spent`), never as elapsed time: each
hostile case must be refused by the budget or a size check before its work, and its numbers
are the README's."""

from __future__ import annotations

import pytest

from worker.errors import ConnectorError, ErrorCode
from worker.template import engine, render
from worker.template.budget import RenderBudget, spending


def _stopped_clock() -> float:
    """The budget, not the wall clock, must be what stops these renders (no timed tests)."""
    return 0.0


def _error(source: str, metadata: dict[str, object] | None = None) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        render(source, metadata or {}, clock=_stopped_clock)
    return caught.value


def _units(source: str, metadata: dict[str, object] | None = None) -> int:
    """Budget units one render spends (rendered with a budget we can read afterwards)."""
    compiled = engine.compile_template(source)
    budget = RenderBudget(lambda: 0.0)
    compiled.render(metadata or {}, lambda: 0.0, budget=budget)
    return budget.spent


CAPITALIZE_40 = "?capitalize" * 40


def test_chained_string_built_ins_outside_loops_exceed_the_work_budget() -> None:
    # 20 lines (the 130 are now refused as too many pieces before compiling).
    source = "".join(f"<#assign k{i} = s{CAPITALIZE_40}?length>\n" for i in range(20))
    error = _error(source, {"s": "a" * 65_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "Rendering needs more than 10,000,000 units of work" in error.message
    assert error.details["line"] is not None


def test_seq_contains_on_self_similar_trees_is_false_without_walking_them() -> None:
    source = (
        "<#assign p=[1]><#assign q=[1]><#list 1..40 as i><#assign p=[p,p]>"
        "<#assign q=[q,q]></#list>${[p]?seq_contains(q)?c}"
    )
    assert render(source, {}) == "false"
    assert _units(source) < 10_000


def test_a_string_built_in_pays_for_each_character_of_its_input() -> None:
    short = _units("${s?upper_case}", {"s": "a"})
    long = _units("${s?upper_case}", {"s": "a" * 10_001})
    assert long - short >= 2 * 10_000  # its input, then the printed output


def test_each_loop_iteration_pays_for_the_nodes_of_its_body() -> None:
    one = _units("<#list 1..100 as i><#assign x = i></#list>")
    three = _units("<#list 1..100 as i><#assign x = i><#assign y = i><#assign z = i></#list>")
    assert three - one >= 100 * 4 * 20  # 4 more nodes (2 assignments + 2 values), 20 units each


def test_a_charge_outside_a_render_is_free() -> None:
    budget = RenderBudget(lambda: 0.0)
    with spending(budget):
        render("${s?upper_case}", {"s": "abc"})
    assert budget.spent == 0  # the render had its own budget


def test_a_template_of_4000_pieces_compiles() -> None:
    assert render("${n}" * 2_000, {"n": 1}) == "1" * 2_000


def test_a_template_over_4000_pieces_is_invalid_input_before_compiling() -> None:
    error = _error("${n}" * 2_001, {"n": 1})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "The template has more than 4,000 pieces" in error.message
    assert (error.details["line"], error.details["column"]) == (1, 8_001)


def test_the_compiled_cache_is_bounded_by_estimated_bytes_not_entries() -> None:
    cache = engine._SizedCache(capacity_bytes=4 * 1024 * 1024)
    for i in range(3):
        source = "${n}" * 1_999 + str(i)
        compiled = engine.compile_template(source)
        cache.put(source, compiled, engine.estimated_bytes(source, compiled))
    assert len(cache) == 1  # the largest templates are estimated at about 3.1 MB each
    assert cache.held_bytes <= 4 * 1024 * 1024


def test_the_largest_template_allowed_is_estimated_at_under_4_mb() -> None:
    source = "${n}" * 2_000
    assert engine.estimated_bytes(source, engine.compile_template(source)) < 4_000_000


def test_what_a_render_keeps_is_paid_for_by_its_size() -> None:
    # 400 copies of a 20,000-key hash's keys would keep 64 MB of lists: refused by the budget.
    source = "".join(f"<#assign a{i} = h?keys>" for i in range(400))
    error = _error(source, {"h": {f"k{i}": i for i in range(20_000)}})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_a_case_mapping_pays_for_its_output_too() -> None:
    one = _units("${s?upper_case?length}", {"s": "a" * 1_000})
    three = _units("${s?upper_case?length}", {"s": "\ufb03" * 1_000})  # "ﬃ" upper-cases to "FFI"
    assert three - one >= 2_000
