"""Server-side template injection corpus: every attempt fails with a TEMPLATE_* code and the
message reveals nothing of Python's internals."""

from __future__ import annotations

import pytest

from worker.errors import ConnectorError, ErrorCode
from worker.template import render

ESCAPES = [
    "${x.__class__}",
    "${x.__class__.__mro__[1].__subclasses__()}",
    "${x.__globals__}",
    "${x.__init__.__globals__['os']}",
    "${x['__class__']}",
    "${x|attr('__class__')}",
    "${'{0.__class__}'.format(x)}",
    "${'%s'?format(x)}",
    "${x?eval}",
    '${"freemarker.template.utility.Execute"?new()("id")}',
    "${x?api.getClass()}",
    "${x?interpret}",
    "{{ x.__class__ }}${x.__class__}",
    "${self}",
    "${cycler.__init__.__globals__.os}",
    "${lipsum.__globals__}",
    "${range(10)}",
    "${.vars}",
    "${.now.__class__}",
    "${.now?api}",
    '<#assign ex = "freemarker.template.utility.Execute"?new()>${ex("id")}',
    "<#include '/etc/passwd'>",
    "${x.upper()}",
    "${loop.cycle}",
    "${ftl_state}",
]
# Signs of Python objects or of the jinja layer leaking into a message.
INTERNALS = ("object at", "<class", "<function", "<built-in", "Traceback", "jinja", "text.")


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempt_fails_with_template_code(source: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(source, {"x": "text"})
    assert caught.value.code.value.startswith("TEMPLATE_")


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempt_message_shows_nothing_internal(source: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        render(source, {"x": "text"})
    message = caught.value.message
    assert not any(marker in message for marker in INTERNALS)


def test_jinja_markup_in_metadata_is_printed_not_evaluated() -> None:
    assert render("${x}", {"x": "{{ 7*7 }}${7*7}"}) == "{{ 7*7 }}${7*7}"


def test_jinja_markup_in_template_text_is_literal() -> None:
    assert render("{{ 7*7 }}{% for a in b %}", {}) == "{{ 7*7 }}{% for a in b %}"


def test_internal_variable_names_are_ordinary_missing_metadata() -> None:
    with pytest.raises(ConnectorError) as caught:
        render("${ftl_state}", {})
    assert caught.value.code is ErrorCode.TEMPLATE_METADATA_ERROR
