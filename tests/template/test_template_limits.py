"""Limits (each hit quickly), the compile cache, and reading templates from bytes and files.

Each documented limit is asserted as the README's number (just within it passes, just over it
fails), never as the constant the code reads, so changing a limit fails a test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import worker.template
from worker.errors import ConnectorError, ErrorCode
from worker.template import (
    decode_template,
    engine,
    read_template_file,
    render,
)


def _error(source: str, metadata: dict[str, object] | None = None) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        render(source, metadata or {})
    return caught.value


def test_a_template_of_65536_characters_is_read() -> None:
    assert render("x" * 65_536, {}) == "x" * 65_536


def test_a_template_over_65536_characters_is_a_read_error() -> None:
    error = _error("x" * 65_537)
    assert error.code is ErrorCode.TEMPLATE_READ_ERROR
    assert error.message == "The template has 65,537 characters; the limit is 65,536"


def test_a_rendered_text_of_65536_characters_is_returned() -> None:
    assert len(render("${x}${x}", {"x": "y" * 32_768})) == 65_536


def test_a_rendered_text_over_65536_characters_is_invalid_input() -> None:
    error = _error("${x}${x}!", {"x": "y" * 32_768})
    assert error.code is ErrorCode.INVALID_INPUT
    assert "The rendered text exceeds 65,536 characters" in error.message


def test_10000_loop_iterations_in_total_are_allowed() -> None:
    assert render("<#list 1..9999 as i></#list><#list 1..1 as i>done</#list>", {}) == "done"


def test_loop_iterations_over_10000_in_total_are_invalid_input() -> None:
    error = _error("<#list 1..10000 as i></#list><#list 1..1 as i>x</#list>")
    assert error.code is ErrorCode.INVALID_INPUT
    assert "Loops ran more than 10,000 iterations in total" in error.message


def test_a_range_of_10000_items_is_allowed() -> None:
    assert render("${(1..10000)?size}", {}) == "10,000"


def test_a_range_over_10000_items_is_invalid_input_when_listed() -> None:
    # As in FreeMarker, a range is lazy: `(1..10001)?size` is fine, walking it is the cost.
    error = _error("<#list 1..10001 as i></#list>")
    assert error.code is ErrorCode.INVALID_INPUT
    assert "A range exceeds 10,000 items" in error.message


def test_a_range_of_a_billion_items_fails_before_building_it() -> None:
    error = _error("<#list 1..1000000000 as i>${i}</#list>")
    assert error.code is ErrorCode.INVALID_INPUT
    assert "range" in error.message


class SteppingClock:
    """Reads `start` once (when the render begins), then `then` for ever after."""

    def __init__(self, start: float, then: float) -> None:
        self._readings: Iterator[float] = iter([start])
        self._then = then

    def __call__(self) -> float:
        return next(self._readings, self._then)


LOOP = "<#list 1..3 as i>${i}</#list>"


def test_a_render_may_take_1_second() -> None:
    assert render(LOOP, {}, clock=SteppingClock(100.0, 101.0)) == "123"


def test_a_render_taking_longer_than_1_second_is_invalid_input() -> None:
    with pytest.raises(ConnectorError) as caught:
        render(LOOP, {}, clock=SteppingClock(100.0, 101.001))
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert "Rendering took longer than" in caught.value.message


def test_a_render_without_loops_is_checked_against_the_time_limit_too() -> None:
    with pytest.raises(ConnectorError) as caught:
        render("${x}", {"x": 1}, clock=SteppingClock(100.0, 101.001))
    assert caught.value.code is ErrorCode.INVALID_INPUT


def test_doubling_string_in_a_loop_stops_at_the_string_limit() -> None:
    error = _error('<#assign s = "ab"><#list 1..60 as i><#assign s = s + s></#list>${s}')
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.details["line"] == 1


def test_doubling_sequence_in_a_loop_stops_at_the_sequence_limit() -> None:
    error = _error("<#assign s = [1]><#list 1..60 as i><#assign s = s + s></#list>")
    assert error.code is ErrorCode.INVALID_INPUT


def test_squaring_a_number_in_a_loop_stops_at_the_integer_limit() -> None:
    error = _error("<#assign n = 3><#list 1..60 as i><#assign n = n * n></#list>")
    assert error.code is ErrorCode.INVALID_INPUT


def test_join_of_huge_sequence_stops_at_the_string_limit() -> None:
    error = _error('${xs?join("")}', {"xs": ["x" * 1000] * 100})
    assert error.code is ErrorCode.INVALID_INPUT


def test_deeply_nested_expression_is_a_syntax_error() -> None:
    error = _error("${" + "(" * 500 + "1" + ")" * 500 + "}")
    assert error.code is ErrorCode.TEMPLATE_SYNTAX_ERROR


def test_long_operator_chain_is_a_syntax_error() -> None:
    assert _error("${" + "+".join(["1"] * 500) + "}").code is ErrorCode.TEMPLATE_SYNTAX_ERROR


def test_deeply_nested_directives_are_a_syntax_error() -> None:
    error = _error("<#if true>" * 50 + "</#if>" * 50)
    assert error.code is ErrorCode.TEMPLATE_SYNTAX_ERROR


def test_deeply_nested_string_interpolation_is_a_syntax_error() -> None:
    error = _error('${"' + '${"' * 300 + "x" + '"}' * 300 + '"}')
    assert error.code is ErrorCode.TEMPLATE_SYNTAX_ERROR


def test_same_source_compiles_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = engine.parse_template

    def counting_parse(source: str) -> object:
        calls.append(source)
        return original(source)

    monkeypatch.setattr(engine, "parse_template", counting_parse)
    source = "cache probe ${n}"
    assert [render(source, {"n": n}) for n in (1, 2, 3)] == [
        "cache probe 1",
        "cache probe 2",
        "cache probe 3",
    ]
    assert calls == [source]


def test_assign_does_not_leak_between_renders() -> None:
    source = "${x!'unset'}<#assign x = 'set'>"
    assert render(source, {}) == "unset"
    assert render(source, {}) == "unset"


def test_decode_accepts_utf8() -> None:
    assert decode_template("Grüße ${n}".encode()) == "Grüße ${n}"


def test_decode_strips_byte_order_mark() -> None:
    assert decode_template(b"\xef\xbb\xbfHi") == "Hi"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfeH\x00i\x00", "UTF-8"),
        (b"abc\x00def", "binary"),
        (b"\x89PNG\r\n\x1a\n", "UTF-8"),
        (b"x" * 262_145, "262,145 bytes; the limit is 262,144"),
    ],
    ids=["utf-16", "nul byte", "png", "too big"],
)
def test_decode_rejects_unreadable_bytes(data: bytes, reason: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        decode_template(data)
    assert caught.value.code is ErrorCode.TEMPLATE_READ_ERROR
    assert reason in caught.value.message


def test_a_file_of_262144_bytes_holding_65536_characters_is_read() -> None:
    text = "\U0001f600" * 65_536  # 4 bytes each in UTF-8
    assert decode_template(text.encode()) == text


def test_read_template_file(tmp_path: Path) -> None:
    path = tmp_path / "body.ftl"
    path.write_bytes(b"Hi ${name}")
    assert read_template_file(str(path)) == "Hi ${name}"


@pytest.mark.parametrize("name", ["absent.ftl", "."], ids=["missing file", "directory"])
def test_read_template_file_that_cannot_be_opened(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        read_template_file(str(tmp_path / name))
    assert caught.value.code is ErrorCode.TEMPLATE_READ_ERROR


def test_public_api_is_exported() -> None:
    assert {"render", "decode_template", "read_template_file"} <= set(worker.template.__all__)
