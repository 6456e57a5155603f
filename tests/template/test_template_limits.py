"""Limits (each hit quickly), the compile cache, and reading templates from bytes and files."""

from __future__ import annotations

from pathlib import Path

import pytest

import worker.template
from worker.errors import ConnectorError, ErrorCode
from worker.template import (
    MAX_TEMPLATE_BYTES,
    MAX_TEMPLATE_CHARS,
    decode_template,
    engine,
    limits,
    read_template_file,
    render,
)


def _error(source: str, metadata: dict[str, object] | None = None) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        render(source, metadata or {})
    return caught.value


def test_template_over_size_limit_is_a_read_error() -> None:
    assert _error("x" * (MAX_TEMPLATE_CHARS + 1)).code is ErrorCode.TEMPLATE_READ_ERROR


def test_loop_iterations_are_capped() -> None:
    error = _error("<#list 1..5000 as i><#list 1..5000 as j></#list></#list>")
    assert error.code is ErrorCode.INVALID_INPUT
    assert "iterations" in error.message


def test_range_size_is_capped() -> None:
    error = _error("<#list 1..1000000000 as i>${i}</#list>")
    assert error.code is ErrorCode.INVALID_INPUT
    assert "range" in error.message


def test_output_length_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_OUTPUT_CHARS", 100)
    error = _error("<#list 1..50 as i>abc</#list>")
    assert error.code is ErrorCode.INVALID_INPUT
    assert "rendered text" in error.message


def test_render_time_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", -1.0)
    error = _error("<#list 1..3 as i>${i}</#list>")
    assert error.code is ErrorCode.INVALID_INPUT
    assert "seconds" in error.message


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
        (b"x" * (MAX_TEMPLATE_BYTES + 1), "limit"),
    ],
    ids=["utf-16", "nul byte", "png", "too big"],
)
def test_decode_rejects_unreadable_bytes(data: bytes, reason: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        decode_template(data)
    assert caught.value.code is ErrorCode.TEMPLATE_READ_ERROR
    assert reason in caught.value.message


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
