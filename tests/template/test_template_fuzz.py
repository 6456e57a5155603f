"""Fuzz: generated templates (directives, expressions, every built-in, hostile patterns and
ranges) rendered with hostile metadata (huge and tiny numbers, long and odd strings, nested
sequences and hashes). For every case:

- the outcome is the rendered text or one of the documented template codes, never
  UNKNOWN_ERROR, and a template error names its line and column;
- the render's work stays within the budget: the wall clock is frozen, so the work counter
  alone (or a size check before the work) must stop every hostile case;
- the memory it allocates stays within a stated bound (tracemalloc's peak).

Seeded (derandomized), so CI runs the same cases every time: 2 x 150 drawn templates, each
with its drawn metadata and three fixed hostile sets, 1,200 renders. SMS_TEMPLATE_FUZZ_EXAMPLES
scales it (the default keeps the suite under a minute of CPU).
"""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.errors import ConnectorError, ErrorCode
from worker.template import engine, limits, render
from worker.template.budget import RenderBudget
from worker.template.builtins import BUILTIN_ARITIES, LOOP_BUILTINS

EXAMPLES = int(os.environ.get("SMS_TEMPLATE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TEMPLATE_CODES = {
    ErrorCode.TEMPLATE_SYNTAX_ERROR,
    ErrorCode.TEMPLATE_METADATA_ERROR,
    ErrorCode.TEMPLATE_READ_ERROR,
    ErrorCode.INVALID_INPUT,
}
# Peak memory one render may allocate (tracemalloc, beyond the metadata itself): the
# compile bound (about 35 MB for the largest template) plus strings and sequences at their
# limits, with room to spare.
MAX_RENDER_ALLOCATION_BYTES = 64 * 1024 * 1024

# ---- hostile metadata ----

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_long_text = st.builds(
    lambda chunk, count: (chunk or "a") * count,
    _text,
    st.sampled_from([1, 1_000, 16_000, 65_000]),
).map(lambda text: text[:65_536])
_numbers = st.one_of(
    st.integers(-(10**20), 10**20),
    st.sampled_from([0, -1, 2**31, 2**63, 10**100, 10**400, -(10**400)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e30, 1e308, 5e-324, -0.0, 0.1, 2.5]),
)
_scalars = st.one_of(_text, _long_text, _numbers, st.booleans(), st.none())
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.sampled_from("abcxyz"), inner, max_size=4)
    ),
    max_leaves=20,
)
NAMES = ["s", "n", "l", "h", "v", "d", "missing"]
metadata = st.fixed_dictionaries(
    {
        "s": st.one_of(_text, _long_text),
        "n": _numbers,
        "l": st.lists(_values, max_size=6),
        "h": st.dictionaries(st.sampled_from("abcxyz"), _values, max_size=4),
        "v": _values,
        "d": st.sampled_from(["2024-01-05", "2024-01-05T15:04:05Z", "05.01.2024", "x" * 60]),
    }
)

# Each template also meets these (drawing metadata costs more than rendering it).
FIXED_METADATA: list[dict[str, Any]] = [
    {"s": "a" * 65_000, "n": 10**400, "l": [[1] * 100] * 100, "h": {"a": "é" * 1_000}, "v": 1e308},
    {"s": "İß" * 20_000, "n": -0.0, "l": ["x" * 60_000], "h": {}, "v": [[[[[[]]]]]], "d": "2024"},
    {"s": "", "n": 5e-324, "l": [], "h": {"x": None}, "v": None, "d": "2024-01-05"},
]

# ---- generated templates ----

_PATTERNS = [
    "0.00",
    "#,##0.###",
    "0." + "0" * 450,
    "0" * 400,
    "¤#,##0.00",
    "0%",
    "0.0E0",
    "E''E''E''E''E''E''E''E",
    "yyyy-MM-dd",
    "EEE, d MMM yyyy HH:mm",
    "Q",
    "'unterminated",
    "yyyyMMdd",
    "h:mm a",
]
_literals = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["0", "1.5", "99999999999999999999", "0.000001", "7"]),
    _text.map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(_PATTERNS).map(lambda p: '"' + p + '"'),
    st.sampled_from(["true", "false", "[]", "[1, 2]", "['a', 'b']", "{}"]),
    st.sampled_from(["0..3", "1..<1", "0..*5", "3..0", "0..99999999999999999999", "2.."]),
)
_names = st.sampled_from([*NAMES, "i"])
_builtins = sorted(name for name in BUILTIN_ARITIES if name not in LOOP_BUILTINS)


def _with_builtin(draw: Any, target: str) -> str:
    name = draw(st.sampled_from(_builtins))
    low, high = BUILTIN_ARITIES[name]
    count = draw(st.integers(low, min(high, low + 1)))
    args = [draw(st.one_of(_literals, _names)) for _ in range(count)]
    return f"{target}?{name}" + (f"({', '.join(args)})" if args or count else "")


@st.composite
def expressions(draw: Any, depth: int = 0) -> str:
    atom = draw(st.one_of(_literals, _names))
    if depth >= 3:
        return atom
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return atom
    inner = draw(expressions(depth + 1))
    if kind == 1:
        return _with_builtin(draw, f"({inner})")
    if kind == 2:
        op = draw(st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "gt", "&&", "||"]))
        return f"({inner} {op} {draw(expressions(depth + 1))})"
    if kind == 3:
        return f"({inner})[{draw(expressions(depth + 1))}]"
    if kind == 4:
        return f"({inner})!{draw(_literals)}"
    if kind == 5:
        return f"({inner})??"
    if kind == 6:
        return f"({inner}).{draw(st.sampled_from('abxy'))}"
    return _with_builtin(draw, _with_builtin(draw, f"({inner})"))


@st.composite
def statements(draw: Any, depth: int = 0) -> str:
    kind = draw(st.integers(0, 6 if depth < 2 else 2))
    if kind == 0:
        return draw(_text).replace("<", " ").replace("$", " ").replace("#", " ")
    if kind == 1:
        return "${" + draw(expressions()) + "}"
    if kind == 2:
        return f"<#assign {draw(_names)} = {draw(expressions())}>"
    body = "".join(draw(st.lists(statements(depth + 1), min_size=1, max_size=3)))
    if kind == 3:
        return f"<#if {draw(expressions())}>{body}<#else>x</#if>"
    if kind == 4:
        return f"<#list {draw(expressions())} as i>{body}<#sep>,</#list>"
    if kind == 6:  # a macro: catch-all parameter, nested content's loop variables, <#return>
        name = f"m{depth}"
        loop = "<#list rest as r><#nested r, a><#if r?is_number && r gt 1><#return></#if></#list>"
        definition = f"<#macro {name} a rest...>{loop}{body}</#macro>"
        arguments = f"{draw(expressions())}, {draw(expressions())}"
        return f"{definition}<@{name} {arguments} ; i, j>{body}</@{name}>"
    # Doubling inside a loop: strings, sequences, [p, p] trees, numbers.
    grow = draw(st.sampled_from(["v + v", "[v, v]", "v * v", "v?join(v)", "[v]?seq_contains(v)"]))
    return f"<#assign v = {draw(expressions())}><#list 1..40 as i><#assign v = {grow}></#list>"


templates = st.lists(statements(), min_size=1, max_size=6).map("".join)


# ---- the properties ----


class _Recorded(RenderBudget):
    """The real budget, remembered so the test can read what the render spent."""

    __slots__ = ()
    made: ClassVar[list[RenderBudget]] = []

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        _Recorded.made.append(self)


@pytest.fixture(autouse=True)
def recorded_budgets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(engine, "RenderBudget", _Recorded)
    yield
    _Recorded.made.clear()


def _frozen_clock() -> float:
    """The wall clock never moves: only the work budget and the size limits may stop a case."""
    return 0.0


def _check(template: str, data: dict[str, Any]) -> None:
    _Recorded.made.clear()
    error: ConnectorError | None = None
    tracemalloc.start()
    try:
        render(template, data, clock=_frozen_clock)
    except ConnectorError as caught:
        error = caught
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if error is not None:
        assert error.code in TEMPLATE_CODES, (template, error)
        if error.code in (ErrorCode.TEMPLATE_SYNTAX_ERROR, ErrorCode.TEMPLATE_METADATA_ERROR):
            assert error.details["line"] is not None, (template, error)
    assert peak <= MAX_RENDER_ALLOCATION_BYTES, (template, peak)
    # With the clock frozen, a case whose work escaped the budget would never end. One that
    # ends spent at most the budget, or was refused for it (a refused charge's work never ran).
    refused = error is not None and "units of work" in error.message
    assert refused or all(b.spent <= limits.MAX_RENDER_WORK for b in _Recorded.made)


@FUZZ
@given(template=templates, data=metadata)
def test_generated_templates_end_in_text_or_a_documented_template_code(
    template: str, data: dict[str, Any]
) -> None:
    for each in (data, *FIXED_METADATA):
        _check(template, each)


@FUZZ
@given(
    template=templates,
    cut=st.integers(0, 200),
    noise=st.sampled_from(["${", "<#", "</#list>", '"', ")", "?", "[", "!", "..", "}", ">"]),
    data=metadata,
)
def test_mangled_templates_end_in_text_or_a_documented_template_code(
    template: str, cut: int, noise: str, data: dict[str, Any]
) -> None:
    at = min(cut, len(template))
    for each in (data, *FIXED_METADATA):
        _check(template[:at] + noise + template[at:], each)
