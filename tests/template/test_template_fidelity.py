"""The divergences issue 11 lists, pinned as fast unit tests (no JVM). Every expected value
here is what Apache FreeMarker 2.3.34 printed for the same template and metadata."""

from __future__ import annotations

from typing import Any

import pytest

from worker.errors import ConnectorError, ErrorCode
from worker.template import render

SYNTAX = ErrorCode.TEMPLATE_SYNTAX_ERROR
METADATA = ErrorCode.TEMPLATE_METADATA_ERROR

OUTPUTS: list[tuple[str, str, dict[str, Any], str]] = [
    # BigDecimal arithmetic
    ("JSON decimal times 100", "${(amount*100)?c}", {"amount": 4.35}, "435"),
    ("division then currency", "${(12345.5/100)?string.currency}", {}, "$123.46"),
    (
        "division keeps 12 decimals, half-up",
        "${1/3} ${(1/3)?c} ${(2/3)?c} ${(10/4)?c} ${(1/7)?c}",
        {},
        "0.333 0.333333333333 0.666666666667 2.5 0.142857142857",
    ),
    ("division scale follows the operands", "${(1 / 0.0007)?c}", {}, "1428.571428571429"),
    ("% works on longs", "${7.5 % 2} ${-7 % 3} ${7 % -3}", {}, "1 -1 1"),
    ("decimal sums are exact", "${(0.1 + 0.2)?c} ${(x + 0.2)?c}", {"x": 0.1}, "0.3 0.3"),
    ("literal scale is kept", "${(1.10 + 1)?c} ${1.10 * 3}", {}, "2.1 3.3"),
    ("a JSON decimal equals its literal", "${(x == 0.1)?c}", {"x": 0.1}, "true"),
    ("?number is a BigDecimal", '${"3"?number + 1} ${"1e3"?number}', {}, "4 1,000"),
    ("?int truncates", "${(amount * 100)?int} ${x?int}", {"amount": 4.35, "x": -2.7}, "435 -2"),
    (
        "big integers stay exact",
        "${n} ${(n * 2)?c}",
        {"n": 123456789012345678901234567890},
        "123,456,789,012,345,678,901,234,567,890 246913578024691357802469135780",
    ),
    # Java DecimalFormat patterns
    ("'#.##' shows one integer digit", '${0.75?string("#.##")}', {}, "0.75"),
    ("quoted suffix", "${1234.5?string(\"#,##0.00 'EUR'\")}", {}, "1,234.50 EUR"),
    (
        "half-even on exact and binary values",
        '${0.125?string("0.00")} ${0.135?string("0.00")} ${x?string("0.00")}',
        {"x": 0.125},
        "0.12 0.14 0.12",
    ),
    ("percent and per mille", '${x?string("0.0%")} ${x?string("0‰")}', {"x": 0.075}, "7.5% 75‰"),
    (
        "currency sign and negative sub-pattern",
        '${x?string("¤#,##0.00")} ${x?string("#,##0.00;(#,##0.00)")}',
        {"x": -1234.5},
        "-$1,234.50 (1,234.50)",
    ),
    (
        "quotes in patterns",
        "${x?string(\"'#'0\")} ${x?string(\"0 'it''s'\")}",
        {"x": 7},
        "#7 7 it's",
    ),
    ("Java's lone-5 tie below 10^-3", "${x}", {"x": 0.0005}, "0"),
    # slices
    ("a length slice clips", "${note[0..*40]}", {"note": "short"}, "short"),
    ("a length slice cuts", "${note[0..*10]}", {"note": "a longer note than ten"}, "a longer n"),
    ("right-unbounded slice", "${code[3..]}", {"code": "482913"}, "913"),
    (
        "descending slice reverses a sequence",
        "<#list xs[2..0] as x>${x}</#list>",
        {"xs": [1, 2, 3]},
        "321",
    ),
    # string literals
    ("escaped quotes inside an interpolation", r'${"Hi ${name!\"there\"}"}', {}, "Hi there"),
    ("double bare default", "[${name!!}]", {}, "[]"),
    ("legacy numeric interpolation", "#{x} #{x; m2}", {"x": 1.5}, "1.5 1.50"),
    # white-space stripping
    (
        "first text keeps its indentation",
        "Hi\n  <#if true>\n  yes\n  </#if>\nend",
        {},
        "Hi\n    yes\nend",
    ),
    ("trailing white-space-only last line", "<#if true>\n  x\n  </#if>\n    ", {}, "  x\n"),
    (
        "space between two tags is kept",
        "<#list [1, 2] as i><#if true>${i}</#if> </#list>",
        {},
        "1 2 ",
    ),
    ("multi-line comment lines", "a\n<#-- multi\nline -->\nb", {}, "a\nb"),
    ("a white-space-only template is kept", " \n ", {}, " \n "),
    # other fixes
    ("?length counts UTF-16 units", "${s?length}", {"s": "a😀"}, "3"),
    ("?html escapes apostrophes", "${s?html}", {"s": "it's <b>"}, "it&#39;s &lt;b&gt;"),
    ("missing inside (a && b)!d", '${(a.b && c)!"d"}', {}, "d"),
    ("commas between arguments are optional", "${[1 2]?size}", {}, "2"),
    (
        "?string.iso in UTC",
        '${"2024-01-05T15:04:05.5Z"?datetime.iso?string.iso}',
        {},
        "2024-01-05T15:04:05.5Z",
    ),
]

ERRORS: list[tuple[str, str, dict[str, Any], ErrorCode]] = [
    ("\\$ is not an escape", r'${"\${x}"}', {}, SYNTAX),
    ("same quotes inside an interpolation end the literal", '${"<${"a"}>"}', {}, SYNTAX),
    ("?number does not trim", '${" 3 "?number}', {}, METADATA),
    ("+= on a metadata value", '<#assign n += "x">${n}', {"n": 1}, METADATA),
    ("++ on a string", '<#assign s = "a"><#assign s++>${s}', {}, METADATA),
    ("wrong argument type", "${items?join(1)}", {"items": ["a"]}, METADATA),
    ("string argument required", "${s?contains(1)?c}", {"s": "a1"}, METADATA),
    ("slice start out of bounds", "${s[4..]}", {"s": "abc"}, METADATA),
    ("decreasing string slice", "${s[2..0]}", {"s": "abc"}, METADATA),
    ("division by zero", "${1 / 0}", {}, METADATA),
    ("% by zero", "${1 % 0}", {}, METADATA),
    ("malformed number pattern", '${1?string("0#")}', {}, METADATA),
]


@pytest.mark.parametrize(
    ("source", "metadata", "expected"),
    [pytest.param(s, m, e, id=name) for name, s, m, e in OUTPUTS],
)
def test_renders_as_freemarker_2_3_34(source: str, metadata: dict[str, Any], expected: str) -> None:
    assert render(source, metadata) == expected


@pytest.mark.parametrize(
    ("source", "metadata", "code"),
    [pytest.param(s, m, c, id=name) for name, s, m, c in ERRORS],
)
def test_fails_as_freemarker_2_3_34(source: str, metadata: dict[str, Any], code: ErrorCode) -> None:
    with pytest.raises(ConnectorError) as raised:
        render(source, metadata)
    assert raised.value.code is code
    assert "line" in raised.value.details
