"""Escape probes for the built-ins and hash literals of issue 14: whatever they are given, they
hand back only template values (strings, numbers, booleans, lists, hashes), never a Python
object or attribute, and template loading stays a syntax error."""

from __future__ import annotations

import pytest

from worker.errors import ConnectorError, ErrorCode
from worker.template import render

# One call of each new built-in, on a value of the type it takes ("x" is the string "text").
CALLS = [
    "true?then(x, x)",
    "{'k': x}",
    "x?keep_before('e')",
    "x?keep_after('e')",
    "x?keep_before_last('e')",
    "x?keep_after_last('e')",
    "x?remove_beginning('t')",
    "x?remove_ending('t')",
    "x?ensure_starts_with('_')",
    "x?ensure_ends_with('_')",
    "x?left_pad(9)",
    "x?right_pad(9, '_')",
    "x?index_of('e')",
    "x?last_index_of('e')",
    "x?split('e')",
    "x?word_list",
    "x?chop_linebreak",
    "x?truncate(3)",
    "x?truncate_w(3, '.')",
    "x?truncate_c(3, '.')",
    "[x]?seq_index_of(x)",
    "[x]?seq_last_index_of(x)",
    "[1, 2]?min",
    "[1, 2]?max",
    "[x]?sort",
    "[{'a': x}]?sort_by('a')",
    "[x, x]?chunk(1)",
    "x?matches('e')",
    "x?matches('t(e)')?groups",
    "x?matches('e')[0]",
    "x?matches('(e)')[0]?groups",
    "x?replace('(e)', '$1$0', 'r')",
    "x?replace('E', '_', 'if')",
    "x?split('e', 'r')",
    "x?split('E', 'i')",
    "x?keep_before('e', 'r')",
    "x?keep_after('E', 'i')",
    "x?keep_before_last('e', 'r')",
    "x?keep_after_last('[e]', 'r')",
    "x?ensure_starts_with('t', '_')",
    "[x]?filter(i -> true)",
    "[x]?map(i -> i)",
    "[x]?take_while(i -> true)",
    "[x]?drop_while(i -> false)",
    "x?truncate_m(3, '.')",
    "x?truncate_w_m(3, '.')",
    "x?truncate_c_m(3, '.', 1)",
    "x?truncate_m(3)",
    "x?c",
    "x?cn",
    "nothing?cn",
    "x?switch('text', x, 'a')",
    "x?switch('a', 1, x)",
    *(
        f"x?{name}"
        for name in [
            "js_string",
            "json_string",
            "j_string",
            "xml",
            "xhtml",
            "rtf",
            "url_path('UTF-8')",
            "c_lower_case",
            "c_upper_case",
            "blank_to_null",
            "empty_to_null",
            "trim_to_null",
        ]
    ),
    "'true'?boolean",
    "1?byte",
    "1?short",
    "1?long",
    "1.5?float",
    "1?double",
    "3?lower_abc",
    "3?upper_abc",
    "1?is_infinite",
    "1?is_nan",
    "0?number_to_date",
    "0?number_to_time",
    "0?number_to_datetime",
    "'{\"a\": [1, 2.5, true, null]}'?eval_json",
    "'[1, 2.5]'?eval_json",
    "[x]?sequence",
    *(
        f".{name}"
        for name in [
            "vars",
            "data_model",
            "globals",
            "main",
            "namespace",
            "lang",
            "locale",
            "time_zone",
            "version",
            "incompatible_improvements",
            "template_name",
            "main_template_name",
            "current_template_name",
            "output_format",
            "auto_esc",
            "pass",
            "now",
        ]
    ),
    *(
        f"x?{name}"
        for name in [
            "is_string",
            "is_number",
            "is_boolean",
            "is_sequence",
            "is_indexable",
            "is_enumerable",
            "is_collection",
            "is_collection_ex",
            "is_hash",
            "is_hash_ex",
            "is_date",
            "is_date_like",
            "is_date_only",
            "is_time",
            "is_datetime",
            "is_unknown_date_like",
            "is_method",
            "is_transform",
            "is_macro",
            "is_directive",
            "is_node",
            "is_markup_output",
        ]
    ),
]
# What `.error` holds after `${h.__class__}` failed: our message, nothing of Python's.
ERROR_ABOUT_H = "The template uses missing or null metadata"
# Signs of Python objects or of the jinja layer leaking into a message.
INTERNALS = ("object at", "<class", "<function", "<built-in", "Traceback", "jinja", "text.")


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("attribute", ["__class__", "__globals__", "__init__", "append"])
def test_a_result_has_no_python_attributes(call: str, attribute: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(f"${{({call}).{attribute}}}", {"x": "text"})
    assert caught.value.code.value.startswith("TEMPLATE_")
    assert not any(marker in caught.value.message for marker in INTERNALS)


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("loader", ["eval", "interpret", "new()", "api"])
def test_a_result_cannot_be_evaluated_or_reach_java(call: str, loader: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(f"${{({call})?{loader}}}", {"x": "text"})
    assert caught.value.code is ErrorCode.TEMPLATE_SYNTAX_ERROR


@pytest.mark.parametrize(
    "source",
    [
        "${[x]?sort_by('__class__')}",
        "${[{'a': 1}]?sort_by('__class__')?first.a}",
        "${[{'a': 1}]?sort_by(['a', '__dict__'])?size}",
        "${x?split('')?first.__class__}",
        "<#assign h = {'__class__': x}>${h.__init__}",
        "${true?then(x.__class__, 1)}",
        "${x?switch(x.__class__, 1, 2)}",
        "${x?switch('text', x.__init__)}",
        "${x?switch('a', 1, x.__globals__)}",
        "${x?switch('text', [x]?map(i -> i.__class__)?first)}",
        "${(x?switch(x.__class__, 1))!x?trim_to_null.__class__}",
        "${x?markup_string}",
        "${false?then(1, x?keep_after('t').__globals__)}",
        "<#switch x.__class__><#case 1>a</#switch>",
        "<#switch x><#case x.__init__>a</#switch>",
        "<#switch x><#on 'text'>${x.__globals__}</#switch>",
        "<#attempt>${x.__class__}<#recover>${x.__init__}</#attempt>",
        "<#compress>${x.__class__}</#compress>",
        "<#global g = x><#attempt>${g.__class__}<#recover>${g.mro}</#attempt>",
        "<#macro m a>${a.__class__}</#macro><@m a=x/>",
        "<#macro m><#nested></#macro><@m>${x.__globals__}</@m>",
        "<#macro m rest...>${rest.__class__}</#macro><@m a=x/>",
        "<#macro m rest...>${rest.items}</#macro><@m a=x/>",
        "<#macro m rest...>${rest[0].__class__}</#macro><@m x/>",
        "<#function f rest...><#return rest.__len__></#function>${f(x)}",
        "<#macro m><#nested x></#macro><@m ; v>${v.__class__}</@m>",
        "<#macro m><#nested x.__class__></#macro><@m ; v>${v}</@m>",
        "<#macro m><#nested x></#macro><@m ; caller, varargs>${caller.__call__}</@m>",
        "<#function f><#list [x] as i><#return i.__class__></#list></#function>${f()}",
        "<@__class__/>",
        "<@ftl_state/>",
        "<#macro m><#local l = x>${l.__init__}</#macro><@m/>",
        "<#function f a><#return a.__class__></#function>${f(x)}",
        "${x.upper()}",
        "${x.__class__.__mro__()}",
        "${range(10)}",
        "${ftl_state()}",
        "<#macro m>x</#macro>${m()}",
        "<#setting locale=x.__class__>",
        "${[x]?map(i -> i.__class__)?first}",
        "${[x]?filter(i -> i.__init__)?size}",
        "${[x]?map(i -> ftl_state)?first}",
        "${[x]?map(i -> i.mro)?join()}",
        "<#function f a><#return a.__class__></#function>${[x]?map(f)?first}",
        "${[x]?map(upper)?first}",
        "${[x]?map(ftl_state)?first}",
        "${[x]?map(i -> .vars.__class__)?first}",
        "${.vars['__class__']}",
        "${.vars.ftl_state}",
        "${.vars.ftl_item_1}",
        "${.data_model.__class__}",
        "${.globals.__init__}",
        "${.main.__dict__}",
        "${.namespace.items}",
        "${.locals.__class__}",
        "${.pass.__call__}",
        "${.pass()}",
        "<#list [x] as i>${.vars.i.__class__}</#list>",
        "<#attempt>${x.a}<#recover>${.error.__class__}</#attempt>",
        "${x?truncate_m(1).__class__}",
        "${x?truncate_m(1)?string}",
    ],
)
def test_python_names_as_keys_are_ordinary_missing_values(source: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(source, {"x": "text"})
    assert caught.value.code is ErrorCode.TEMPLATE_METADATA_ERROR


@pytest.mark.parametrize("source", ["${x?esc}", "${x?no_esc}", "${x?switch(x)}", "${x?switch()}"])
def test_escaping_for_markup_and_a_switch_without_cases_are_syntax_errors(source: str) -> None:
    # As in FreeMarker with the plain-text output format: ?esc and ?no_esc need a markup one.
    with pytest.raises(ConnectorError) as caught:
        render(source, {"x": "text"})
    assert caught.value.code is ErrorCode.TEMPLATE_SYNTAX_ERROR


def test_a_locale_named_like_a_path_is_an_unknown_locale_with_the_root_formats() -> None:
    # As in FreeMarker: an unknown locale formats as Java's root locale; no file is read.
    assert render("<#setting locale='../../etc/passwd'>${1234.5}", {}) == "1,234.5"
    assert render("<#setting locale=123>${1234.5}", {}) == "1,234.5"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Python's replacement syntax is only text in Java's: \g<0> and \1 are g<0> and 1.
        ("${x?replace('e', '\\\\g<0>', 'r')}", "tg<0>xt"),
        ("${x?replace('(e)', '\\\\1', 'r')}", "t1xt"),
        ("${x?replace('(?<n>e)', r'[${n}]', 'r')}", "t[e]xt"),
        ("${x?matches('e')?groups?size}", "1"),
    ],
)
def test_regex_replacements_are_javas_never_pythons(source: str, expected: str) -> None:
    assert render(source, {"x": "text"}) == expected


@pytest.mark.parametrize(
    "source",
    [
        "${x?matches('(?P<n>e)')?c}",  # Python's named group syntax is not Java's
        "${x?replace('(?<__class__>e)', '-', 'r')}",
        "${x?matches('(e)')[0].groups}",
        "${x?matches('(e)').matched}",
        "${x?matches('(e)')?groups.__class__}",
        "${x?groups}",
    ],
)
def test_regex_results_have_no_python_attributes(source: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(source, {"x": "text"})
    assert caught.value.code is ErrorCode.TEMPLATE_METADATA_ERROR
    assert not any(marker in caught.value.message for marker in INTERNALS)


def test_loop_variables_named_like_jinja_internals_are_ordinary_names() -> None:
    source = (
        "<#macro m><#nested 1, 2, 3></#macro>"
        "<@m ; caller, varargs, loop>${caller}${varargs}${loop}</@m>"
    )
    assert render(source, {}) == "123"


def test_a_catch_all_hash_has_only_the_keys_given() -> None:
    source = "<#macro m rest...>${rest?keys?join(',')}:${rest.keys!'none'}</#macro><@m a=x/>"
    assert render(source, {"x": "text"}) == "a:none"


def test_a_hash_literal_key_named_like_an_attribute_is_only_a_key() -> None:
    assert render("${{'__class__': x}['__class__']}", {"x": "text"}) == "text"


@pytest.mark.parametrize(
    "source",
    [
        "<#attempt>${x?eval}<#recover>r</#attempt>",
        "<#attempt><#include 'x'><#recover>r</#attempt>",
        "<#compress>${x?new()}</#compress>",
        "<#global g = x?api>",
        "<#t>${x?interpret}",
        "<#lt><#rt><#nt><#import 'x' as y>",
        "<#macro m>${x?eval}</#macro><@m/>",
        "<#macro m><#include 'x'></#macro>",
        "${[x]?map(i -> i?eval)?first}",
        "${[x]?filter(i -> i?interpret??)?size}",
        "${.get_optional_template('x').exists?c}",
        "${.getOptionalTemplate('x')}",
        "${.locale_object}",
        "${.localeObject.getClass()}",
        "${.args}",
        "${.node?api}",
        "${(i -> i.__class__)}",
        "${x?join(i -> i)}",
        "<#assign f = i -> i>",
    ],
)
def test_template_loading_inside_new_directives_stays_a_syntax_error(source: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(source, {"x": "text"})
    assert caught.value.code is ErrorCode.TEMPLATE_SYNTAX_ERROR


def test_noparse_prints_escape_attempts_as_text() -> None:
    source = "<#noparse>${x.__class__}<#include 'x'></#noparse>"
    assert render(source, {"x": "text"}) == "${x.__class__}<#include 'x'>"


def test_attempt_recovers_from_data_errors_only_never_from_a_limit() -> None:
    source = "<#attempt>${s?left_pad(2000000000)}<#recover>r</#attempt>"
    with pytest.raises(ConnectorError) as caught:
        render(source, {"s": "x"})
    assert caught.value.code is ErrorCode.INVALID_INPUT


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${[h]?filter(i -> i.__class__??)?size}", "0"),
        ("${[h]?map(i -> (i.__init__)!'-')?first}", "-"),
        ("${.vars.__class__!'-'}", "-"),
        ("${.data_model.__dict__!'-'}", "-"),
        ("${.globals.__globals__!'-'}|${.main.__class__!'-'}", "-|-"),
        ("<#attempt>${h.__class__}<#recover>${.error}</#attempt>", ERROR_ABOUT_H),
        ("${.pass?is_string?c}|${.pass?is_hash?c}", "false|false"),
    ],
)
def test_python_names_read_through_lambdas_and_special_variables_find_nothing(
    source: str, expected: str
) -> None:
    assert render(source, {"x": "text", "h": {"k": 1}}) == expected


@pytest.mark.parametrize(
    "call", ["1.5?float", "7?long", "1.5?double", "0?number_to_datetime", "0?number_to_date"]
)
@pytest.mark.parametrize("attribute", ["real", "imag", "hex", "year", "tzinfo", "numerator"])
def test_converted_numbers_and_dates_have_no_python_attributes(call: str, attribute: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(f"${{({call}).{attribute}}}", {})
    assert caught.value.code.value.startswith("TEMPLATE_")
    assert not any(marker in caught.value.message for marker in INTERNALS)


def test_eval_json_keys_named_like_python_attributes_are_only_keys() -> None:
    source = "${j?eval_json.__class__} ${j?eval_json.keys} ${j?eval_json?keys?join(',')}"
    text = '{"__class__": "c", "keys": "k"}'
    assert render(source, {"j": text}) == "c k __class__,keys"


@pytest.mark.parametrize("attribute", ["__class__", "append", "items", "real", "adjusted"])
def test_eval_json_values_have_no_python_attributes(attribute: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(f"${{j?eval_json[0].{attribute}}}", {"j": "[[1], 1.5]"})
    assert caught.value.code is ErrorCode.TEMPLATE_METADATA_ERROR
