"""Conformance table: FreeMarker semantics (en_US defaults) the renderer must reproduce."""

from __future__ import annotations

from typing import Any

import pytest

from worker.template import render

ORDER = {"customer": {"name": "ann lee", "first name": "Ann"}, "items": ["tea", "cake"]}

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    # interpolation and access
    ("plain text", "Hello!", {}, "Hello!"),
    ("interpolation", "Hi ${name}", {"name": "Ann"}, "Hi Ann"),
    ("dotted access", "${order.customer.name}", {"order": ORDER}, "ann lee"),
    ("bracket access with space", '${c["first name"]}', {"c": ORDER["customer"]}, "Ann"),
    ("sequence index", "${xs[1]}", {"xs": ["a", "b"]}, "b"),
    ("dict key wins over method", "${order.items}", {"order": {"items": "KEY"}}, "KEY"),
    ("dict key named like dunder", "${d.__class__}", {"d": {"__class__": "k"}}, "k"),
    ("jinja syntax in text is literal", "{{ 1 }} {% if %} {# #}", {}, "{{ 1 }} {% if %} {# #}"),
    ("lone dollar and hash are text", "$5 <# x> #y {z} $ {a}", {}, "$5 <# x> #y {z} $ {a}"),
    ("legacy numeric interpolation", "#{n} #{n; m2}", {"n": 1.5}, "1.5 1.50"),
    # defaults and existence
    ("default on missing", '${x!"d"}', {}, "d"),
    ("default on null", '${x!"d"}', {"x": None}, "d"),
    ("default not used", '${x!"d"}', {"x": "v"}, "v"),
    ("bare default is empty", "[${x!}]", {}, "[]"),
    ("default binds right side fully", "${x!1 + y}", {"y": 2}, "3"),
    ("default right side unused", "${x!1 + y}", {"x": 5, "y": 2}, "5"),
    ("default covers last step", '${a.b!"d"}', {"a": {}}, "d"),
    ("parenthesized default covers every step", '${(a.b.c)!"d"}', {}, "d"),
    ("parenthesized default with built-in", '${(a?upper_case)!"d"}', {}, "d"),
    ("default on null list item", '${xs[0]!"d"}', {"xs": [None]}, "d"),
    ("default on index past the end", '${xs[5]!"d"}', {"xs": [1]}, "d"),
    ("exists true", "${x???c}", {"x": 0}, "true"),
    ("exists missing", "${x???c}", {}, "false"),
    ("parenthesized exists", "${(a.b)???c}", {}, "false"),
    (
        "has_content",
        "${x?has_content?c}${y?has_content?c}${z?has_content?c}",
        {"y": "", "z": [1]},
        "falsefalsetrue",
    ),
    ("bare default lists as empty", "<#list xs! as x>${x}<#else>none</#list>", {}, "none"),
    # numbers
    ("integer grouping", "${n}", {"n": 1234567}, "1,234,567"),
    ("three fraction digits half-even", "${n}", {"n": 1234.5678}, "1,234.568"),
    ("half-even tie", "${n}", {"n": 0.0625}, "0.062"),
    ("half", "${n}", {"n": 0.5}, "0.5"),
    ("whole float", "${n}", {"n": 3.0}, "3"),
    ("negative", "${n}", {"n": -1234.5}, "-1,234.5"),
    ("computer format", "${n?c} ${m?c}", {"n": 1234567, "m": 1234.5678}, "1234567 1234.5678"),
    (
        "number pattern",
        '${n?string["0.00"]} ${n?string("#,##0.0")}',
        {"n": 1234.5},
        "1234.50 1,234.5",
    ),
    (
        "currency and percent",
        "${n?string.currency} ${p?string.percent}",
        {"n": 3, "p": 0.25},
        "$3.00 25%",
    ),
    ("string to number", '${"12.5"?number + 1}', {}, "13.5"),
    ("arithmetic precedence", "${1 + 2 * 3 - 4 / 2} ${7 % 3} ${-7 % 3}", {}, "5 1 -1"),
    ("integer division stays exact", "${6 / 3} ${1 / 4}", {}, "2 0.25"),
    ("round floor ceiling", "${n?round} ${n?floor} ${n?ceiling}", {"n": 2.5}, "3 2 3"),
    # booleans
    ("boolean ?c", "${t?c} ${f?c}", {"t": True, "f": False}, "true false"),
    (
        "boolean ?string",
        '${t?string("yes", "no")} ${f?string("yes", "no")}',
        {"t": True, "f": False},
        "yes no",
    ),
    (
        "comparison result",
        "${(1 < 2)?c} ${(2 gt 3)?c} ${(a == 'x')?c} ${(a != 'x')?c}",
        {"a": "x"},
        "true false true false",
    ),
    ("logic", "${(t && !f)?c} ${(f || f)?c}", {"t": True, "f": False}, "true false"),
    # strings
    ("concatenation", '${"a" + b + 1}', {"b": "B"}, "aB1"),
    ("number concatenation uses format", '${"n=" + n}', {"n": 1000}, "n=1,000"),
    ("string interpolation in literal", '${"Hi ${name}!"}', {"name": "Ann"}, "Hi Ann!"),
    ("escapes", r'${"a\"b\\c\nd\'e"}', {}, "a\"b\\c\nd'e"),
    ("escaped interpolation", r'${"$\{x}"}', {}, "${x}"),
    ("quotes escaped inside an interpolation", r'${"Hi ${name!\"you\"}"}', {}, "Hi you"),
    ("single quotes", r"${'it\'s ${n}'}", {"n": 1}, "it's 1"),
    ("raw string", r'${r"C:\new ${x}"}', {}, r"C:\new ${x}"),
    ("case built-ins", "${s?upper_case} ${s?lower_case}", {"s": "Ab"}, "AB ab"),
    (
        "cap and uncap first",
        "${s?cap_first} ${t?uncap_first}",
        {"s": " ann lee", "t": "ANN"},
        " Ann lee aNN",
    ),
    ("capitalize", "${s?capitalize}", {"s": "gREEN  mouse"}, "Green  Mouse"),
    ("trim and length", "[${s?trim}] ${s?length}", {"s": "  x  "}, "[x] 5"),
    ("html", '${"<a href=\\"x\\">&</a>"?html}', {}, "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"),
    ("url", '${"a b&c=d/é"?url}', {}, "a%20b%26c%3Dd%2F%C3%A9"),
    ("string of string", "${s?string}", {"s": "x"}, "x"),
    (
        "contains / starts / ends / replace",
        '${s?contains("b")?c} ${s?starts_with("a")?c} ${s?ends_with("c")?c} ${s?replace("b", "-")}',
        {"s": "abc"},
        "true true true a-c",
    ),
    # sequences and hashes
    ("size", "${xs?size} ${h?size}", {"xs": [1, 2], "h": {"a": 1}}, "2 1"),
    ("join", '${xs?join(", ")}', {"xs": ["a", 1, 2.5]}, "a, 1, 2.5"),
    (
        "join empty and suffix",
        '${xs?join(", ", "-")} ${ys?join("+", "-", ".")}',
        {"xs": [], "ys": [1, 2]},
        "- 1+2.",
    ),
    ("first and last", "${xs?first} ${xs?last}", {"xs": [1, 2, 3]}, "1 3"),
    (
        "keys and values",
        '${h?keys?join(",")} ${h?values?join(",")}',
        {"h": {"a": 1, "b": 2}},
        "a,b 1,2",
    ),
    ("sequence literal", '${["a", "b"]?join("")} ${[]?size}', {}, "ab 0"),
    ("sequence concatenation", '${(xs + [3])?join(",")}', {"xs": [1, 2]}, "1,2,3"),
    ("slice", "${xs[1..2]?join(',')} ${s[0..<2]}", {"xs": [1, 2, 3], "s": "abc"}, "2,3 ab"),
    (
        "seq_contains and reverse",
        "${xs?seq_contains(2)?c} ${xs?reverse?join('')}",
        {"xs": [1, 2]},
        "true 21",
    ),
    # directives
    ("if", "<#if n gt 1>many</#if>", {"n": 2}, "many"),
    ("if elseif else", "<#if n == 0>zero<#elseif n == 1>one<#else>more</#if>", {"n": 1}, "one"),
    ("greater-than in parentheses", "<#if (n > 1)>big<#else>small</#if>", {"n": 1}, "small"),
    ("single equals compares", "<#if s = 'a'>yes</#if>", {"s": "a"}, "yes"),
    (
        "comparison operators spelled out",
        "${(1 lt 2)?c}${(2 lte 2)?c}${(3 gte 4)?c}",
        {},
        "truetruefalse",
    ),
    ("list", "<#list xs as x>${x};</#list>", {"xs": [1, 2]}, "1;2;"),
    ("list with sep", "<#list xs as x>${x}<#sep>, </#list>", {"xs": ["a", "b", "c"]}, "a, b, c"),
    (
        "sep with closing tag",
        "<#list xs as x>${x}<#sep>, </#sep>!</#list>",
        {"xs": [1, 2]},
        "1, !2!",
    ),
    ("list else", "<#list xs as x>${x}<#else>none</#list>", {"xs": []}, "none"),
    ("list hash", "<#list h as k, v>${k}=${v}<#sep>&</#list>", {"h": {"a": 1, "b": 2}}, "a=1&b=2"),
    (
        "list items",
        "<#list xs>[<#items as x>${x}<#sep>,</#items>]<#else>-</#list>",
        {"xs": [1, 2]},
        "[1,2]",
    ),
    ("list items empty", "<#list xs>[<#items as x>${x}</#items>]<#else>-</#list>", {"xs": []}, "-"),
    (
        "loop built-ins",
        "<#list xs as x>${x?index}${x?counter}${x?item_parity}${x?has_next?c} </#list>",
        {"xs": ["a", "b"]},
        "01oddtrue 12evenfalse ",
    ),
    (
        "first and last flags",
        "<#list xs as x>${x?is_first?c}/${x?is_last?c} </#list>",
        {"xs": [1, 2]},
        "true/false false/true ",
    ),
    ("item_cycle", "<#list xs as x>${x?item_cycle('r', 'g')}</#list>", {"xs": [1, 2, 3]}, "rgr"),
    (
        "outer loop var in inner loop",
        "<#list xs as x><#list ys as y>${x?index}${y?index} </#list></#list>",
        {"xs": [1, 2], "ys": [1, 2]},
        "00 01 10 11 ",
    ),
    ("range", "<#list 1..3 as i>${i}</#list> <#list 3..1 as i>${i}</#list>", {}, "123 321"),
    (
        "exclusive and length ranges",
        "<#list 0..<3 as i>${i}</#list> <#list 5..*2 as i>${i}</#list>",
        {},
        "012 56",
    ),
    ("break", "<#list 1..5 as i><#if i == 3><#break></#if>${i}</#list>", {}, "12"),
    (
        "null list item only fails when used",
        "<#list xs as x>${x!'-'}</#list>",
        {"xs": [1, None]},
        "1-",
    ),
    ("assign", "<#assign total = a + b>${total}", {"a": 1, "b": 2}, "3"),
    (
        "assign in loop is visible after it",
        "<#assign t = 0><#list 1..4 as i><#assign t += i></#list>${t}",
        {},
        "10",
    ),
    ("assign increment and several", "<#assign i = 1 j = 'x'><#assign i++>${i}${j}", {}, "2x"),
    ("assign shadows metadata", "<#assign name = 'B'>${name}", {"name": "A"}, "B"),
    ("comment", "a<#-- ${not evaluated} -->b", {}, "ab"),
    # white-space stripping
    ("tag-only lines vanish", "a\n<#if true>\n  b\n</#if>\nc", {}, "a\n  b\nc"),
    ("first text keeps its indentation", "a\n  <#assign x = 1>  \nb${x}", {}, "a\n  b1"),
    ("comment-only line vanishes", "a\n<#-- note -->\nb", {}, "a\nb"),
    ("line with interpolation is kept", "<#if true>${1}</#if>\nb", {}, "1\nb"),
    ("line with text is kept", "x <#if true>y</#if>\nz", {}, "x y\nz"),
    ("trailing newline kept", "a\n", {}, "a\n"),
    # dates
    ("iso date formatted", '${"2024-01-05"?date.iso?string["dd.MM.yyyy"]}', {}, "05.01.2024"),
    ("date with pattern", '${d?date("dd/MM/yyyy")}', {"d": "05/01/2024"}, "Jan 5, 2024"),
    (
        "datetime iso default format",
        '${"2024-01-05T15:04:05"?datetime.iso}',
        {},
        "Jan 5, 2024, 3:04:05 PM",
    ),
    ("time", '${"15:04"?time("HH:mm")?string("h:mm a")}', {}, "3:04 PM"),
    ("date to iso", '${"05.01.2024"?date("dd.MM.yyyy")?string.iso}', {}, "2024-01-05"),
]


@pytest.mark.parametrize(
    ("source", "metadata", "expected"),
    [pytest.param(s, m, e, id=name) for name, s, m, e in CASES],
)
def test_renders_like_freemarker(source: str, metadata: dict[str, Any], expected: str) -> None:
    assert render(source, metadata) == expected
