"""The escaping and string-to-other built-ins: `?js_string`, `?json_string`, `?j_string`,
`?xml`, `?xhtml`, `?rtf`, `?url_path`, `?c_lower_case`, `?c_upper_case`, `?boolean`, the
`?*_to_null` family and `?markup_string`, as FreeMarker 2.3.34 runs them with the plain-text
output format. `?switch` is compiled apart (compile_switch.py); its runtime side is here.

Each is paid for in the render budget before it runs; an escaping loop walks only the
characters that may need escaping (a one-character class: no backtracking), and its result is
refused when it would exceed the string limit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from . import limits, locales
from .budget import charge, charge_text
from .failures import TemplateDataFailure
from .text_builtins import (
    JAVA_WHITESPACE,
    UNITS_PER_PYTHON_CHAR,
    on_text,
    string_too_long,
    url_path,
)
from .values import Missing, require_text

_NAMED = {"\n": "n", "\r": "r", "\f": "f", "\b": "b", "\t": "t"}
# The characters the JavaScript/JSON escaping may change; all others are copied.
_JS_CANDIDATES = re.compile("[\x00-\x1f\"'\\\\/<>\x7f-\x9f\u2028\u2029]")
_JAVA_CANDIDATES = re.compile('[\x00-\x1f"\\\\]')


def _escaping(pattern: re.Pattern[str], escape: Callable[[str, int], str]) -> Callable[[Any], str]:
    """Escapes what `pattern` finds; refused as soon as the escapes made so far would take the
    result over the string limit, before it is built."""

    def run(value: Any) -> str:
        text = require_text(value)
        charge(UNITS_PER_PYTHON_CHAR * len(text) + 1)
        size = len(text)

        def replace(match: re.Match[str]) -> str:
            nonlocal size
            escaped = escape(text, match.start())
            size += len(escaped) - 1
            if size > limits.MAX_STRING_CHARS:
                raise string_too_long()
            return escaped

        result = pattern.sub(replace, text)
        charge(len(result))
        return result

    return run


def _js_escape(json: bool) -> Callable[[str, int], str]:
    """One character of a JavaScript (`?js_string`) or JSON (`?json_string`) string literal's
    inside: besides quotes, backslashes and control characters, what could end an HTML script
    element or a CDATA section (`</`, `]]>`, `-->`, `<!`, `<?`) is escaped, and a `/`, `>` or
    `<` at the text's edge too, since the text may be joined to another."""

    def escape(text: str, at: int) -> str:
        char = text[at]
        code = ord(char)
        if char in _NAMED:
            return "\\" + _NAMED[char]
        if char in '"\\' or (char == "'" and not json):
            return "\\" + char
        if char == "'":
            return char
        if char == "/":
            return "\\/" if at == 0 or text[at - 1] == "<" else char
        if char == ">":
            before = text[max(at - 2, 0) : at]
            if at == 0 or (before[-1] in "]-" and (len(before) == 1 or before[0] == before[1])):
                return "\\u003E" if json else "\\>"
            return char
        if char == "<" and at + 1 < len(text) and text[at + 1] not in "!?":
            return char
        # `<` at the end or before `!`/`?`, and the control characters and line separators.
        if json or code > 0xFF:
            return f"\\u{code:04X}"
        return f"\\x{code:02X}"

    return escape


def _java_escape(text: str, at: int) -> str:
    char = text[at]
    if char in _NAMED:
        return "\\" + _NAMED[char]
    if char in '"\\':
        return "\\" + char
    return f"\\u{ord(char):04x}"


def _markup(apostrophe: str) -> Callable[[Any], str]:
    entities = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": apostrophe}

    def run(value: Any) -> str:
        text = require_text(value)
        charge(len(entities) * len(text) + 1)  # counting: one pass a character escaped
        growth = sum(text.count(char) * (len(entity) - 1) for char, entity in entities.items())
        charge_text(len(entities) * len(text), len(text) + growth)  # refused before building
        for char, entity in entities.items():  # `&` first: the entities hold one
            text = text.replace(char, entity)
        return text

    return run


def _rtf(value: Any) -> str:
    text = require_text(value)
    charge(3 * len(text) + 1)
    charge_text(3 * len(text), len(text) + sum(text.count(char) for char in "\\{}"))
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")


def _is_blank_char(char: str) -> bool:
    """Java's Character.isWhitespace or isSpaceChar: the no-break spaces count, U+0085 not."""
    return "\t" <= char <= "\r" or "\x1c" <= char <= " " or unicodedata.category(char)[0] == "Z"


def _blank_to_null(value: Any) -> str | None:
    if isinstance(value, Missing):
        return None
    text = require_text(value)
    charge(UNITS_PER_PYTHON_CHAR * len(text) + 1)
    return None if all(_is_blank_char(char) for char in text) else text


def _empty_to_null(value: Any) -> str | None:
    if isinstance(value, Missing):
        return None
    text = require_text(value)
    charge(1)
    return text or None


def _trim_to_null(value: Any) -> str | None:
    if isinstance(value, Missing):
        return None
    text = require_text(value)
    charge(len(text) + 1)
    return text.strip(JAVA_WHITESPACE) or None


def _to_boolean(value: Any) -> bool:
    """ "true" and "false", or the texts of a boolean_format setting; nothing else."""
    text = require_text(value)
    charge(len(text) + 1)
    if text in ("true", "false"):
        return text == "true"
    texts = locales.current_formats().boolean
    if texts is not None and text in texts:
        return text == texts[0]
    shown = text if len(text) <= 40 else text[:40] + "..."
    raise TemplateDataFailure(f'?boolean can\'t convert this string to a boolean: "{shown}"')


def _markup_string(value: Any) -> str:
    raise TemplateDataFailure(
        "?markup_string needs a markup output value; templates here are plain text, which has none"
    )


# name -> (implementation, minimum arguments, maximum arguments)
ESCAPING_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "js_string": (_escaping(_JS_CANDIDATES, _js_escape(json=False)), 0, 0),
    "json_string": (_escaping(_JS_CANDIDATES, _js_escape(json=True)), 0, 0),
    "j_string": (_escaping(_JAVA_CANDIDATES, _java_escape), 0, 0),
    "xml": (_markup("&apos;"), 0, 0),
    "xhtml": (_markup("&#39;"), 0, 0),
    "rtf": (_rtf, 0, 0),
    "url_path": (url_path, 0, 1),
    # Locale-independent (Java's Locale.ROOT), as Python's own case mappings are.
    "c_lower_case": (on_text(str.lower), 0, 0),
    "c_upper_case": (on_text(str.upper), 0, 0),
    "blank_to_null": (_blank_to_null, 0, 0),
    "empty_to_null": (_empty_to_null, 0, 0),
    "trim_to_null": (_trim_to_null, 0, 0),
    "boolean": (_to_boolean, 0, 0),
    "markup_string": (_markup_string, 0, 0),
}
