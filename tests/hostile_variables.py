"""Hypothesis strategies for a task's variables as the engine could send them: valid ones
often enough that one bad variable among good ones is common, and hostile ones of every kind
(types and shapes, sizes, text that is not Unicode, RTL and emoji, numbers in many notations,
numbers JSON cannot carry, deep nesting, secrets). Templates stay a small fixed set: fuzzing
the template engine is a suite of its own.

Every phone number drawn is recorded in `Drawn.numbers`, so a test can check that none of
them reaches a message or a log line unmasked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.twilio_fixtures import GOOD_FROM
from worker.dev.twilio_standin import DEFAULT_AUTH_TOKEN
from worker.sms.inputs import MAX_RECIPIENTS

ENGINE_PASSWORD = "engine-pa55-f00d"
SECRETS = (DEFAULT_AUTH_TOKEN, ENGINE_PASSWORD)
SERVICE_SID = "MG" + "0123456789abcdef" * 2

ODD_CHARACTERS = [
    "\ud83d",  # lone high surrogate (JSON "\ud83d")
    "\udc00",  # lone low surrogate
    "\U0001f600",  # emoji
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u0627\u0644\u0633\u0644\u0627\u0645",  # Arabic text
    "\u0661",  # Arabic-Indic digit one
    "\u0000",
    "\n",
    '"',
    "${",
    "<#",
    *SECRETS,
]
texts = st.text(max_size=6) | st.builds(
    lambda before, odd, after: before + odd + after,
    st.text(max_size=3),
    st.sampled_from(ODD_CHARACTERS),
    st.text(max_size=3),
)

COUNTRIES = ["1", "44", "41", "49", "33", "972", "971", "81", "91"]
_ARABIC_ZERO, _FULLWIDTH_ZERO = 0x0660, 0xFF10


def _script(text: str, zero: int) -> str:
    if zero == ord("0"):
        return text
    return "".join(chr(zero + int(c)) if "0" <= c <= "9" else c for c in text)


# How a person or a system might have written a number: country code {c}, national number {n}
# in parts {a} {b} {r}; the script its digits are written in.
NOTATIONS = [
    "+{c}{n}",
    "00{c} {n}",
    "+{c} ({a}) {b}-{r}",
    "+{c} {a} {b} {r}",
    "+{c}.{a}.{b}.{r}",
    "{c}{n}",
    "{n}",
    "({a}) {b}-{r}",
    "+{c} {n} ext 5",
    "+{c}{n}x",
    "\u200f+{c}\u200e{n}\u200f",
    "+{c}{n}\U0001f600",
]
SCRIPTS = [ord("0"), ord("0"), ord("0"), _ARABIC_ZERO, _FULLWIDTH_ZERO]


@dataclass
class Drawn:
    """What one generated task holds that the checks need to know about."""

    numbers: list[str] = field(default_factory=list)  # the digits of every number drawn


@st.composite
def phone_numbers(draw: st.DrawFn, drawn: Drawn) -> str:
    country = draw(st.sampled_from(COUNTRIES))
    national = draw(st.text("0123456789", min_size=7, max_size=11))
    notation = draw(st.sampled_from(NOTATIONS))
    drawn.numbers.append(country + national)
    drawn.numbers.append(national)
    parts = {"c": country, "n": national, "a": national[:3], "b": national[3:6]}
    written = notation.format(**parts, r=national[6:])
    return _script(written, draw(st.sampled_from(SCRIPTS)))


VALID_TO = ["+14155552671", "+12125550100", "+15005550001", "+15005550004", "+15005550009"]


@st.composite
def recipients(draw: st.DrawFn, drawn: Drawn) -> object:
    numbers = draw(
        st.lists(st.sampled_from(VALID_TO) | phone_numbers(drawn) | texts, min_size=0, max_size=3)
    )
    form = draw(st.sampled_from(["text", "json-text", "list"]))
    if form == "list":
        return numbers
    if form == "json-text":
        return json.dumps(numbers, ensure_ascii=draw(st.booleans()))
    return draw(st.sampled_from([", ", ";", "\n", " ,; "])).join(numbers)


TEMPLATES = [
    "Hi ${name!}",
    "Hello",
    "Hi ${name}",
    "${n?number}",
    "${n!0}",
    "<#list xs![] as x>${x}<#sep>, </#list>",
    "${a.b!'x'} ${flag?c}",
    "<#if flag!false>yes</#if>ok",
    "${",
    'Hi ${"\\xD83D"}',
]
# A fixed set, so each template is compiled once (compiling is the template suite's concern).
BODIES = TEMPLATES + [f"{t} {odd}" for t in TEMPLATES[:2] for odd in ODD_CHARACTERS]
json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | texts
    | st.sampled_from([10**400, -(10**4200), 2**1100])
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=5,
)
HOSTILE_JSON_TEXTS = [
    '{"n": ' + "1" * 4_301 + "}",
    '{"n": 1e400}',
    '{"n": NaN}',
    '{"n": -Infinity}',
    "[" * 100_000,
    '{"a": ' * 40 + "1" + "}" * 40,
    '{"name": "\\ud83d"}',
    '{"\\udc00": 1}',
    json.dumps({f"k{i}": "v" * 90 for i in range(3_000)}),  # 300 KB
    "{",
    "",
]
SIZES = {
    "smsTo": [
        ", ".join(f"+1415555{i:04d}" for i in range(6_000)),  # 90 KB of text
        [f"+1415555{i:04d}" for i in range(MAX_RECIPIENTS + 1)],
        [f"+1415555{i % 10_000:04d}" for i in range(200_000)],
    ],
    "smsBody": ["x" * 70_000],
}


# Serialised once: the large values are the same objects every time they are drawn.
_LARGE_JSON = {id(v): json.dumps(v) for v in SIZES["smsTo"] if isinstance(v, list)}


@st.composite
def metadata_values(draw: st.DrawFn, drawn: Drawn) -> object:
    value = draw(
        st.dictionaries(
            st.sampled_from(["name", "n", "xs", "a", "flag"]) | texts,
            json_values | phone_numbers(drawn),
            max_size=5,
        )
    )
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(HOSTILE_JSON_TEXTS))
    return value


def _typed(kind: str, value: object) -> dict[str, Any]:
    return {"type": kind, "value": value, "valueInfo": {}}


def _as_json_text(draw: st.DrawFn, value: object) -> str:
    if isinstance(value, str) and draw(st.booleans()):
        return value  # already JSON text (or deliberately not)
    if isinstance(value, list) and len(value) > MAX_RECIPIENTS:
        return _LARGE_JSON[id(value)]
    try:
        return json.dumps(value, ensure_ascii=draw(st.booleans()))
    except (TypeError, ValueError):
        return "null"


@st.composite
def typed_variables(draw: st.DrawFn, value: object) -> object:
    """`value` as one of the typed shapes the engine sends (or, rarely, one it never does)."""
    shape = draw(
        st.sampled_from(
            ["String"] * 4 + ["Json"] * 2 + ["Object", "predeserialised", "File", "scalar", "odd"]
        )
    )
    if shape == "String":
        return _typed("String", value if isinstance(value, str) else _as_json_text(draw, value))
    if shape == "Json":
        return _typed("Json", _as_json_text(draw, value))
    if shape == "Object":
        data_format = draw(
            st.sampled_from(["application/json", "application/x-java-serialized-object", None])
        )
        typed = _typed("Object", _as_json_text(draw, value))
        typed["valueInfo"] = {"serializationDataFormat": data_format, "objectTypeName": "x.Y"}
        return typed
    if shape == "predeserialised":
        return _typed("Json", value)  # an engine client that parsed it already
    if shape == "File":
        return {"type": "File", "value": None, "valueInfo": {"filename": "b.ftl"}}
    if shape == "scalar":
        return draw(
            st.sampled_from(
                [
                    _typed("Integer", 5),
                    _typed("Long", 2**63 - 1),
                    _typed("Double", float("nan")),
                    _typed("Boolean", True),
                    _typed("Null", None),
                    _typed("Date", "2024-01-05T10:00:00.000+0000"),
                    _typed("Bytes", "AAEC"),
                ]
            )
        )
    return draw(
        st.sampled_from(
            [
                ["String", value],
                "bare text",
                {"type": 7, "value": "x"},
                {"value": ["no", "type"]},
                {"type": "Object", "value": "[]", "valueInfo": "application/json"},
                {"type": "Xml", "value": "<a/>"},
            ]
        )
    )


GOOD = {
    "smsFrom": _typed("String", GOOD_FROM),
    "smsTo": _typed("String", "+14155552671"),
    "smsBody": _typed("String", "Hi ${name!}"),
    "metadata": _typed("Json", '{"name": "Ann"}'),
}
ABSENT = object()


@dataclass
class Case:
    """One drawn value for each variable; `variable_sets()` makes five tasks of them."""

    hostile: dict[str, Any]  # typed value by name, or ABSENT
    drawn: Drawn
    file_content: bytes  # what a File variable downloads as

    def variable_sets(self) -> list[dict[str, Any]]:
        """Each drawn value alone among valid ones (the common case: one bad variable, which
        must stop the task before anything is sent), then all of them together."""
        sets = [{**GOOD, name: value} for name, value in self.hostile.items()]
        sets.append(dict(self.hostile))
        return [{k: v for k, v in variables.items() if v is not ABSENT} for variables in sets]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    drawn = Drawn()
    raw: dict[str, st.SearchStrategy[Any]] = {
        "smsFrom": st.sampled_from([GOOD_FROM, SERVICE_SID, "+15005550001"])
        | phone_numbers(drawn)
        | texts,
        "smsTo": recipients(drawn) | st.sampled_from(SIZES["smsTo"]),
        "smsBody": st.sampled_from(BODIES) | st.sampled_from(SIZES["smsBody"]),
        "metadata": metadata_values(drawn),
    }
    hostile: dict[str, Any] = {}
    for name, strategy in raw.items():
        if draw(st.integers(0, 7)) == 0:
            hostile[name] = ABSENT
        else:
            hostile[name] = draw(typed_variables(draw(strategy)))
    file_content = draw(
        st.sampled_from([b"From a file ${name!}", b"\xff\xfe", b"\xed\xa0\xbd", b"a\x00b"])
        | st.binary(max_size=16)
    )
    return Case(hostile, drawn, file_content)
