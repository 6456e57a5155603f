"""The render budget holds for the built-ins of issue 14: for each family, a pathological
argument is refused as INVALID_INPUT by a size check or the work budget, before its work.

Work is asserted as budget units or as the limit's message, never as elapsed time."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.template.test_template_budget import _units as units_spent
from worker.errors import ConnectorError, ErrorCode
from worker.template import render
from worker.template.failures import TemplateLimitFailure
from worker.template.limits import MAX_RENDER_WORK
from worker.template.macro_arguments import call_arguments


def _stopped_clock() -> float:
    """The budget, not the wall clock, must be what stops these renders (no timed tests)."""
    return 0.0


def _error(source: str, metadata: dict[str, object]) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        render(source, metadata, clock=_stopped_clock)
    return caught.value


WORDS = [f"w{i:05d}" for i in range(10_000)]


def test_padding_to_a_huge_width_is_refused_before_building_it() -> None:
    error = _error("${s?left_pad(2000000000, 'ab')}", {"s": "x"})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A string value would exceed 65,536 characters" in error.message


def test_splitting_into_more_items_than_a_sequence_may_hold_is_refused() -> None:
    error = _error("${s?split('')?size}", {"s": "a" * 65_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A sequence would exceed 10,000 items" in error.message


def test_searching_a_long_string_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = s?keep_after_last('b')?index_of('b')></#list>"
    error = _error(source, {"s": "a" * 65_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_sorting_a_long_sequence_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = words?sort?size></#list>"
    error = _error(source, {"words": WORDS})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_searching_a_long_sequence_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = words?seq_index_of('none')></#list>"
    error = _error(source, {"words": WORDS})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_chunks_padded_beyond_the_sequence_limit_are_refused() -> None:
    error = _error("${[1, 2]?chunk(2000000000, 0)?size}", {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A sequence would exceed 10,000 items" in error.message


def test_conditional_and_type_tests_in_a_long_loop_run_out_of_budget() -> None:
    body = "<#assign k = (i?is_number && {'a': i}?is_hash)?then(words?min!0, 0)>"
    error = _error(f"<#list 1..10000 as i>{body}</#list>", {"words": list(range(10_000))})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_truncating_a_long_string_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = s?truncate(60000)></#list>"
    error = _error(source, {"s": "word " * 13_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_a_switch_pays_for_each_case_it_compares() -> None:
    cases = "".join(f"<#case 'v{i}'>{i}<#break>" for i in range(40))
    source = f"<#list 1..10000 as i><#switch s>{cases}</#switch></#list>"
    error = _error(source, {"s": "none"})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


@pytest.mark.parametrize("directive", ["attempt", "compress"])
def test_output_held_back_by_a_block_is_bounded_like_the_output(directive: str) -> None:
    tail = "<#recover></#attempt>" if directive == "attempt" else "</#compress>"
    source = f"<#{directive}><#list 1..10000 as i>${{s}}</#list>{tail}"
    error = _error(source, {"s": "x" * 1_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "The rendered text exceeds 65,536 characters" in error.message


def test_recursive_macro_calls_are_refused_beyond_24_deep() -> None:
    source = "<#macro down n>${n}<@down n=n+1/></#macro><@down n=0/>"
    error = _error(source, {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "Macro calls are nested more than 24 deep" in error.message


def test_macro_calls_fanning_out_pay_for_each_body_they_run() -> None:
    source = (
        "<#macro fan n><#if n gt 0><@fan n=n-1/><@fan n=n-1/><@fan n=n-1/></#if></#macro>"
        "<@fan n=20/>"
    )
    error = _error(source, {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_nested_content_pays_each_time_it_runs() -> None:
    source = (
        "<#macro twice><#nested><#nested></#macro>"
        + "<@twice>" * 12
        + "${s?upper_case}"
        + "</@twice>" * 12
    )
    error = _error(source, {"s": "x" * 1_000})
    assert error.code is ErrorCode.INVALID_INPUT


def test_a_lambda_pays_for_each_element_it_is_evaluated_on() -> None:
    source = "<#assign k = (1..10000)?map(i -> (1..10000)?filter(j -> j > i)?size)>"
    error = _error(source, {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_a_function_given_to_a_stream_built_in_pays_for_each_element() -> None:
    function = "<#function far i><#return (1..10000)?filter(j -> j > i)?size></#function>"
    error = _error(f"{function}<#assign k = (1..10000)?map(far)>", {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_a_mapped_sequence_beyond_the_sequence_limit_is_refused() -> None:
    error = _error("<#assign k = many?map(i -> i)>", {"many": list(range(10_001))})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A sequence would exceed 10,000 items" in error.message


def test_a_lazily_mapped_sequence_beyond_the_sequence_limit_is_refused() -> None:
    error = _error("${many?filter(i -> true)?join(',')}", {"many": list(range(10_001))})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A sequence would exceed 10,000 items" in error.message


def test_reading_special_variables_in_a_long_loop_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = .data_model?keys?size + .vars.i></#list>"
    error = _error(source, {f"k{n}": n for n in range(10_000)})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_copying_the_main_namespace_again_and_again_runs_out_of_budget() -> None:
    assigns = "<#assign " + " ".join(f"v{n} = {n}" for n in range(600)) + ">"
    reads = " + ".join([".main?size"] * 4)
    source = f"{assigns}<#list 1..10000 as i><#assign k = {reads}></#list>"
    error = _error(source, {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_truncating_with_markup_variants_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = s?truncate_w_m(60000, '...', 1)></#list>"
    error = _error(source, {"s": "word " * 13_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


# ---- regular expressions ----


def _near_deadline() -> Callable[[], float]:
    """A clock reading 0 when the render starts and 0.9 s ever after: what remains of the time
    limit, and so the regex package's timeout, is a tenth of a second (the test stays short)."""
    readings = iter([0.0])
    return lambda: next(readings, 0.9)


@pytest.mark.parametrize(
    "call",
    [
        "s?matches('(a+)+$')?c",
        "s?matches('(a|aa)+b')?size",
        "s?replace('(a+)+$', '-', 'r')",
        "s?split('(a|aa)+$', 'r')?size",
        "s?keep_after('(a+)+$', 'r')",
        "s?ensure_starts_with('(a|aa)+b', '-')",
    ],
)
def test_a_catastrophically_backtracking_pattern_ends_as_invalid_input(call: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render("${" + call + "}", {"s": "a" * 5_000 + "!"}, clock=_near_deadline())
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert "regular expression would run longer" in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, 3)


def test_no_pattern_runs_once_the_time_limit_is_used_up() -> None:
    readings = iter([0.0])
    with pytest.raises(ConnectorError) as caught:
        render("${s?matches('a')?c}", {"s": "a"}, clock=lambda: next(readings, 1.5))
    assert caught.value.code is ErrorCode.INVALID_INPUT


def test_a_huge_pattern_is_paid_for_before_it_is_compiled() -> None:
    error = _error("${s?matches(p)?c}", {"s": "a", "p": "\\b" * 30_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_nested_counted_repetitions_that_would_unroll_hugely_are_refused() -> None:
    error = _error("${s?matches('((a{100}){100}){100}')?c}", {"s": "a"})
    assert error.code is ErrorCode.TEMPLATE_METADATA_ERROR
    assert "repetition counts over 1,000" in error.message


def test_matching_a_long_string_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = s?replace('a', 'b', 'r')></#list>"
    error = _error(source, {"s": "a" * 5_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_a_replacement_growing_past_the_string_limit_is_refused_while_built() -> None:
    error = _error("${s?replace('', r, 'r')}", {"s": "a" * 1_000, "r": "x" * 100})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A string value would exceed 65,536 characters" in error.message


def test_more_matches_than_a_sequence_may_hold_are_refused() -> None:
    error = _error("${s?matches('')?size}", {"s": "a" * 20_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A sequence would exceed 10,000 items" in error.message


def test_realistic_regex_use_costs_under_a_hundredth_of_the_budget() -> None:
    source = (
        "<#if code?matches('[A-Z]{2}-\\\\d{4}')>${phone?replace('[^0-9+]', '', 'r')}</#if>"
        "<#list tags?split('\\\\s*,\\\\s*', 'r') as t>${t}<#sep>|</#list>"
    )
    metadata = {"code": "AB-1234", "phone": "+41 (44) 123-45-67", "tags": "gift , fragile,new"}
    assert render(source, metadata) == "+41441234567gift|fragile|new"
    assert units_spent(source, metadata) < MAX_RENDER_WORK // 100


def test_recursive_nested_content_with_loop_variables_is_refused_beyond_24_deep() -> None:
    source = (
        "<#macro down n><#nested n><@down n=n+1 ; v>${v}<#nested v></@down></#macro>"
        "<@down n=0 ; v>${v}</@down>"
    )
    error = _error(source, {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "Macro calls are nested more than 24 deep" in error.message


def test_nested_content_with_loop_variables_pays_each_time_it_runs() -> None:
    source = (
        "<#macro each><#list 1..3 as i><#nested i, s></#list></#macro>"
        + "<@each ; i, t>" * 11
        + "${t?upper_case}"
        + "</@each>" * 11
    )
    error = _error(source, {"s": "x" * 1_000})
    assert error.code is ErrorCode.INVALID_INPUT


def test_a_macro_returning_from_inside_loops_still_pays_for_each_call() -> None:
    source = (
        "<#macro fan n><#list 1..3 as i><#if n gt 0><@fan n=n-1/></#if>"
        "<#if i == 3><#return></#if></#list></#macro><@fan n=20/>"
    )
    error = _error(source, {})
    assert error.code is ErrorCode.INVALID_INPUT


def test_a_catch_all_parameter_holds_no_more_than_a_sequence_may() -> None:
    # A template cannot give that many arguments (4,000 pieces at most): the check is direct.
    with pytest.raises(TemplateLimitFailure, match="more than 10,000 extra arguments"):
        call_arguments("m", ["a"], "rest", [], (1,) * 10_002)
    assert len(call_arguments("m", ["a"], "rest", [], (1,) * 10_001)["rest"]) == 10_000


@pytest.mark.parametrize("builtin", ["json_string", "js_string", "j_string", "xml", "rtf"])
def test_an_escape_growing_beyond_the_string_limit_is_refused(builtin: str) -> None:
    error = _error(f"${{s?{builtin}}}", {"s": '\\"{<\x01' * 16_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A string value would exceed 65,536 characters" in error.message


@pytest.mark.parametrize(
    "call", ["json_string", "xhtml", "url_path('UTF-8')", "blank_to_null!''", "boolean!''"]
)
def test_escaping_a_long_string_again_and_again_runs_out_of_budget(call: str) -> None:
    source = f"<#list 1..10000 as i><#attempt><#assign k = s?{call}><#recover></#attempt></#list>"
    error = _error(source, {"s": "ab " * 10_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_number_built_ins_in_a_long_loop_run_out_of_budget() -> None:
    body = "<#assign k = i?float?double?long?short?abs?upper_abc + i?number_to_datetime?long>"
    error = _error(f"<#list 1..10000 as i>{body}</#list>", {})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_a_switch_builtin_pays_for_each_case_it_compares() -> None:
    cases = ", ".join(f"'v{i}', {i}" for i in range(31))
    source = f"<#list 1..10000 as i><#assign k = s?switch({cases}, -1)></#list>"
    error = _error(source, {"s": "none"})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_eval_json_nesting_deeper_than_48_is_refused_before_recursing() -> None:
    error = _error("${j?eval_json?size}", {"j": "[" * 30_000 + "]" * 30_000})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "nesting deeper than 48" in error.message


def test_an_eval_json_array_beyond_the_sequence_limit_is_refused() -> None:
    error = _error("${j?eval_json?size}", {"j": "[" + "0," * 30_000 + "0]"})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "beyond 10,000 items" in error.message


def test_an_eval_json_object_beyond_the_sequence_limit_is_refused() -> None:
    members = ",".join(f'"{i}":0' for i in range(10_001))
    error = _error("${j?eval_json?size}", {"j": "{" + members + "}"})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "beyond 10,000 items" in error.message


def test_eval_json_of_a_long_text_again_and_again_runs_out_of_budget() -> None:
    source = "<#list 1..10000 as i><#assign k = j?eval_json?size></#list>"
    error = _error(source, {"j": "[" + ",".join(["[1]"] * 9_000) + "]"})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "units of work" in error.message


def test_a_switch_builtin_with_more_than_64_arguments_is_refused_when_parsing() -> None:
    cases = ", ".join(f"{i}, {i}" for i in range(33))
    error = _error(f"${{1?switch({cases})}}", {})
    assert error.code is ErrorCode.TEMPLATE_SYNTAX_ERROR


def test_eval_json_pays_for_every_character_before_reading() -> None:
    text = " " * 60_000 + "1"
    assert units_spent("${j?eval_json}", {"j": text}) >= 8 * len(text)
