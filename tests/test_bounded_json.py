"""worker.bounded_json: JSON text from outside, parsed only within its size, with numbers a
double can hold and text that is Unicode; the value checks never refuse what the text checks
let through."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.bounded_json import (
    MAX_JSON_CHARS,
    JsonRejected,
    check_json_value,
    parse_json_text,
)


def _filled(item: str) -> str:
    """A JSON array of `item`s, as long as the limit allows."""
    count = (MAX_JSON_CHARS - 2) // (len(item) + 1)
    return "[" + ",".join([item] * count) + "]"


@pytest.mark.parametrize("item", ['{"":0}', "0.5", "[[]]", '"a"', "true"])
def test_text_within_the_limit_is_accepted_whatever_its_shape(item: str):
    text = _filled(item)
    assert len(text) <= MAX_JSON_CHARS
    assert isinstance(parse_json_text(text), list)


def test_text_over_the_limit_is_refused_before_it_is_parsed():
    text = '{"a": "' + "x" * MAX_JSON_CHARS + '"}'
    tracemalloc.start()
    try:
        with pytest.raises(JsonRejected, match=r"262,153 characters of JSON, more than 262,144"):
            parse_json_text(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000


def test_the_costliest_shape_within_the_limit_stays_under_twelve_megabytes():
    text = _filled('{"":{}}')
    tracemalloc.start()
    try:
        parse_json_text(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12_000_000  # 8.4 MB on CPython 3.11


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" + "9" * 310 + "]", "beyond the range of a double"),
        ("[1e309]", "beyond the range of a double"),
        ("[NaN]", "NaN is not a JSON number"),
        ("[-Infinity]", "-Infinity is not a JSON number"),
        ('["\\ud83d"]', "unpaired UTF-16 surrogate"),
        ('{"\\udc00": 1}', "unpaired UTF-16 surrogate"),
        ("[" * 33 + "]" * 33, "nested deeper than 32 levels"),
        ("[" * 100_000, "nested deeper than 32 levels"),
        ("[1,", "not valid JSON at line 1 column 4"),
    ],
)
def test_what_json_or_python_cannot_carry_is_refused_with_a_reason(text: str, reason: str):
    with pytest.raises(JsonRejected, match=reason) as caught:
        parse_json_text(text)
    assert "9999" not in str(caught.value)  # reasons never quote the input


def test_values_parsed_elsewhere_are_checked_the_same_way():
    with pytest.raises(JsonRejected, match="NaN and Infinity"):
        check_json_value({"a": [float("inf")]})
    with pytest.raises(JsonRejected, match="beyond the range"):
        check_json_value({"a": 10**400})
    with pytest.raises(JsonRejected, match="more than 10 characters"):
        check_json_value({"a": "x" * 20}, max_chars=10)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**300), 10**300)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, ensure_ascii=st.booleans(), compact=st.booleans())
def test_text_that_fits_is_never_refused_for_its_size(
    value: object, ensure_ascii: bool, compact: bool
):
    separators = (",", ":") if compact else None
    text = json.dumps(value, ensure_ascii=ensure_ascii, separators=separators)
    # (20 leaves cannot nest deeper than the 32 levels allowed.)
    parse_json_text(text, max_chars=len(text))
