"""Issue 12's template internals that ended in UNKNOWN_ERROR, and their neighbours.

Where FreeMarker renders, we print what the oracle prints; where it fails, we give the
template error of the same class (the differential test's rule). Where one of our documented
limits refuses first, the error is INVALID_INPUT with a line and column."""

from __future__ import annotations

import math

import pytest

from tests.template.test_freemarker_differential import compare, oracle  # noqa: F401
from worker.errors import ConnectorError, ErrorCode
from worker.template import render

Z450 = "0" * 450

# (template, metadata): JSON metadata, so infinities and NaN come from "INF"?number etc.
EDGE_CASES: list[tuple[str, dict[str, object]]] = [
    ("${n?round}", {"n": 1e30}),
    ('${1?string("0.' + Z450 + '")}', {}),
    ('${n?string("0.' + Z450 + '")}', {"n": 1}),
    ('${n?string("0.' + Z450 + '")}', {"n": 1.5}),
    ('${n?string("' + Z450 + '")}', {"n": 7}),
    ('${n?string("' + Z450 + '.0")}', {"n": 1.5}),
    ('${n?string("' + Z450 + '")}', {"n": 10**30}),
    ('${1?string("0.' + "0" * 2000 + '")?length}', {}),
    ('${"1"?number?string("0.' + "0" * 1200 + '")?length}', {}),
    ("${l[1.5]}", {"l": [1, 2, 3]}),
    ("${l[n]}", {"l": [1, 2, 3], "n": 1.7}),
    ("${l[n]!'none'}", {"l": [1, 2, 3], "n": 4294967297}),
    ("${l['INF'?number]!'none'}", {"l": [1]}),
    ("${l['-INF'?number]!'none'}", {"l": [1]}),
    ("${l['NaN'?number]!'none'}", {"l": [1]}),
    ("${'abc'['INF'?number]}", {}),
    ("${'abc'[1.7]}", {}),
    ("${'NaN'?number?int}", {}),
    ("${'INF'?number?int}", {}),
    ("${'-INF'?number?int}", {}),
    ("${'INF'?number?round}", {}),
    ("${[1,2]?join(5)}", {}),
    ('${"é"?url("ascii")}', {}),
    ('${"€"?url("ISO-8859-1")}', {}),
    ('${"😀 é"?url("US-ASCII")}', {}),
    ('${"2024-01-05"?date.iso?string("Q")}', {}),
    ('${"2024-01-05"?date.iso?string("yyyy \'Q\'")}', {}),
    ('${"2024"?date("\'yyyy")}', {}),
    ("${[[1]]?seq_contains([1])?c}", {}),
    ("${[p]?seq_contains(p)?c}", {"p": [1]}),
    ("${x?seq_contains(y)?c}", {"x": [{"a": 1}], "y": {"a": 1}}),
    ("${[1]?seq_contains('1')?c}", {}),
    ('${"' + "a" * 60 + "1\"?date(\"E''E''E''E''E''E''E''E\")}", {}),
    ('${"20240105"?date("yyyyMMdd")?string.iso}', {}),
    ('${"240105"?date("yyMMdd")?string.iso}', {}),
    ('${"Fri, Jan 5 2024"?date("EEE, MMM d yyyy")?string.iso}', {}),
    ('${"Friday 05.01.2024"?date("EEEE dd.MM.yyyy")?string.iso}', {}),
    ('${"05 January 2024 3:04 PM"?datetime("dd MMMM yyyy h:mm a")?string.iso}', {}),
    ("${\"it's 2024\"?date(\"'it''s' yyyy\")?string.iso}", {}),
]


@pytest.mark.usefixtures("oracle")
def test_issue_12_edge_cases_render_as_in_freemarker() -> None:
    comparison = compare(EDGE_CASES, exclude=False)
    assert comparison.disagreements == [], comparison.report()


def _error(source: str, metadata: dict[str, object]) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        render(source, metadata)
    return caught.value


@pytest.mark.parametrize(
    ("source", "metadata", "limit"),
    [
        ("<#list 0..99999999999999999999 as i>${i}</#list>", {}, "A range exceeds 10,000"),
        ("${n/7}", {"n": 10**400}, "A number exceeds 100 digits"),
        ("${1?string(p)}", {"p": "0" * 70_000}, "exceed 65,536 characters"),
    ],
    ids=["range of 10^20", "10^400 / 7", "70,000-digit pattern"],
)
def test_edge_cases_beyond_a_documented_limit_are_invalid_input_with_a_position(
    source: str, metadata: dict[str, object], limit: str
) -> None:
    error = _error(source, metadata)
    assert error.code is ErrorCode.INVALID_INPUT
    assert limit in error.message
    assert (error.details["line"], error.details["column"]) != (None, None)


def test_an_infinite_index_into_a_sequence_is_a_missing_value() -> None:
    # Metadata never holds an infinity (JSON has none); the runtime accepts one anyway.
    assert render("${l[n]!'none'}", {"l": [1], "n": math.inf}) == "none"
