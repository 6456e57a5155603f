"""Error table: every failure is a ConnectorError with a documented code and a position."""

from __future__ import annotations

from typing import Any

import pytest

from worker.errors import ConnectorError, ErrorCode
from worker.template import render

SYNTAX = ErrorCode.TEMPLATE_SYNTAX_ERROR
METADATA = ErrorCode.TEMPLATE_METADATA_ERROR

CASES: list[tuple[str, str, dict[str, Any], ErrorCode, int, int]] = [
    # parse errors
    ("unknown built-in", "ab ${x?nope}", {}, SYNTAX, 1, 7),
    ("eval built-in", "${x?eval}", {}, SYNTAX, 1, 4),
    ("unknown directive", "a\n<#foo>", {}, SYNTAX, 2, 1),
    ("unsupported directive", "<#include 'x'>", {}, SYNTAX, 1, 1),
    ("call of an undefined macro", "<@m/>", {}, METADATA, 1, 1),
    ("unclosed if", "<#if x>a", {}, SYNTAX, 1, 9),
    ("unclosed interpolation", "a ${x", {}, SYNTAX, 1, 5),
    ("unclosed string", '${"abc}', {}, SYNTAX, 1, 3),
    ("unclosed comment", "<#-- x", {}, SYNTAX, 1, 1),
    ("stray closing tag", "x</#if>", {}, SYNTAX, 1, 2),
    ("else outside if", "<#else>", {}, SYNTAX, 1, 1),
    ("bad character", "${a | b}", {}, SYNTAX, 1, 5),
    ("empty interpolation", "${}", {}, SYNTAX, 1, 1),
    ("trailing tokens", "${a b}", {}, SYNTAX, 1, 5),
    ("bad escape", r'${"\q"}', {}, SYNTAX, 1, 4),
    ("wrong arity", "${x?upper_case(1)}", {"x": "a"}, METADATA, 1, 3),
    ("join needs separator", "${x?join}", {"x": ["a"]}, METADATA, 1, 3),
    ("loop built-in on non-loop variable", "${x?index}", {}, SYNTAX, 1, 3),
    ("sep outside list", "<#sep>", {}, SYNTAX, 1, 1),
    ("call of an undefined function", "${x()}", {}, METADATA, 1, 3),
    ("hash literal printed", "${{}}", {}, SYNTAX, 1, 3),
    ("list without as needs items", "<#list xs>x</#list>", {}, SYNTAX, 1, 1),
    ("closing tag with parameters", "<#if x></#if x>", {}, SYNTAX, 1, 8),
    # metadata errors
    ("missing variable", "Hi ${name}", {}, METADATA, 1, 6),
    ("null variable", "Hi\n ${name}", {"name": None}, METADATA, 2, 4),
    ("missing parent under default", '${a.b!"d"}', {}, METADATA, 1, 3),
    ("dot on missing", "${a.b.c}", {"a": {}}, METADATA, 1, 3),
    ("listing missing", "<#list xs as x></#list>", {}, METADATA, 1, 8),
    ("testing missing", "<#if flag>y</#if>", {}, METADATA, 1, 6),
    ("missing in built-in", "${x?upper_case}", {}, METADATA, 1, 3),
    ("missing in arithmetic", "${1 + x}", {}, METADATA, 1, 7),
    ("null loop item used", "<#list xs as x>${x}</#list>", {"xs": [None]}, METADATA, 1, 18),
    ("printing a boolean", "${flag}", {"flag": True}, METADATA, 1, 3),
    ("printing a sequence", "${xs}", {"xs": [1]}, METADATA, 1, 3),
    ("non-boolean condition", "<#if n>x</#if>", {"n": 1}, METADATA, 1, 6),
    ("dot on a string", "${s.x}", {"s": "a"}, METADATA, 1, 3),
    ("string built-in on a boolean", "${b?upper_case}", {"b": True}, METADATA, 1, 3),
    ("comparing string with number", "${(s == 1)?c}", {"s": "1"}, METADATA, 1, 4),
    ("less-than on strings", "${(s < t)?c}", {"s": "a", "t": "b"}, METADATA, 1, 4),
    ("less-than with a string literal", "${(s < 'b')?c}", {"s": "a"}, SYNTAX, 1, 8),
    ("division by zero", "${1 / n}", {"n": 0}, METADATA, 1, 3),
    ("listing a string", "<#list s as c></#list>", {"s": "abc"}, METADATA, 1, 8),
    ("unparsable date", '${"x"?date("dd.MM.yyyy")}', {}, METADATA, 1, 3),
    ("unparsable number", '${"x"?number}', {}, METADATA, 1, 3),
]


@pytest.mark.parametrize(
    ("source", "metadata", "code", "line", "column"),
    [pytest.param(s, m, c, ln, col, id=name) for name, s, m, c, ln, col in CASES],
)
def test_fails_with_code_and_position(
    source: str, metadata: dict[str, Any], code: ErrorCode, line: int, column: int
) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(source, metadata)
    assert caught.value.code is code
    assert (caught.value.details["line"], caught.value.details["column"]) == (line, column)


def test_missing_value_message_names_the_expression() -> None:
    with pytest.raises(ConnectorError) as caught:
        render("Dear ${customer.name}", {"customer": {}})
    assert "customer.name" in caught.value.message
    assert caught.value.details["expression"] == "customer.name"


def test_error_message_states_line_and_column() -> None:
    with pytest.raises(ConnectorError) as caught:
        render("a\nb ${x?bogus}", {})
    assert "line 2, column 6" in caught.value.message
