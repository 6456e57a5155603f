"""The string built-ins (`?upper_case`, `?capitalize`, `?html`, `?url`, `?replace`, ...),
each paid for in the render budget before it runs and refused when its result would exceed the
string limit."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from . import limits, locales
from .budget import charge, charge_text
from .failures import TemplateDataFailure, TemplateLimitFailure
from .values import require_text, type_name

# What Java's String.trim() strips (every character up to U+0020); ?cap_first skips it too.
JAVA_WHITESPACE = "".join(chr(code) for code in range(33))
# Work units (see budget.py) for a character handled by a Python loop rather than C code.
UNITS_PER_PYTHON_CHAR = 8


def string_too_long() -> TemplateLimitFailure:
    return TemplateLimitFailure(
        f"A string value would exceed {limits.MAX_STRING_CHARS:,} characters"
    )


def checked_text(text: str) -> str:
    if len(text) > limits.MAX_STRING_CHARS:
        raise string_too_long()
    return text


def first_letter(text: str, change: Callable[[str], str]) -> str:
    stripped = text.lstrip(JAVA_WHITESPACE)
    if not stripped:
        return text
    at = len(text) - len(stripped)
    return text[:at] + change(text[at]) + text[at + 1 :]


def on_text(change: Callable[[str], str], units_per_char: int = 1) -> Callable[[Any], str]:
    """A string built-in paid for before it runs: its output is at most three characters per
    input character (Unicode case mappings), so its work is proportional to the input. The
    output is paid for too (after: its size is known only then), so that what a render keeps
    is bounded by its budget as well."""

    def run(value: Any) -> str:
        text = require_text(value)
        charge(units_per_char * len(text) + 1)
        result = checked_text(change(text))
        charge(len(result))
        return result

    return run


def capitalize(text: str) -> str:
    words, capitalize_next = [], True
    for char in text:
        words.append(char.upper() if capitalize_next else char.lower())
        capitalize_next = char.isspace()
    return "".join(words)


def text_length(value: Any) -> int:
    text = require_text(value)
    charge(2 * len(text) + 1)
    return len(text.encode("utf-16-le")) // 2


def string_argument(name: str, value: Any) -> str:
    """Arguments FreeMarker takes as strings only (a number is not converted)."""
    if not isinstance(value, str):
        raise TemplateDataFailure(
            f"?{name}(...) expects a string argument, not a {type_name(value)}"
        )
    return value


def html(value: Any) -> str:
    text = require_text(value)
    charge(6 * len(text) + 1)  # `&quot;` is the longest replacement
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return checked_text(text.replace('"', "&quot;").replace("'", "&#39;"))


# Besides letters, digits and `_.-~`, which `quote` never escapes.
_URL_SAFE = "!*'()"


def url_escaping(name: str, safe: str) -> Callable[..., str]:
    """`?url`, and `?url_path` which keeps `/` too: percent-encoding in the charset given, else
    the url_escaping_charset setting's (UTF-8 by default)."""

    # Deleting every character that needs no escape leaves nothing when there is nothing to do.
    needless = str.maketrans("", "", string.ascii_letters + string.digits + "_.-~" + safe)

    def run(value: Any, charset: Any = None) -> str:
        text = require_text(value)
        if charset is None:
            charset = locales.current_formats().url_charset
        charset = require_text(charset)
        charge(12 * len(text) + 1)  # up to 4 bytes a character, `%XX` each
        if not text.translate(needless):
            return text  # nothing to escape: FreeMarker does not even look the charset up
        try:
            # FreeMarker passes the characters that need no escaping through unencoded, so
            # only an ASCII-compatible charset (not UTF-16 or UTF-32, whose bytes for `a` are
            # not `a`) gives the same answer encoded in one piece.
            ascii_compatible = "a".encode(charset) == b"a"
        except (LookupError, TypeError) as error:
            raise TemplateDataFailure(f"Unknown charset {charset!r} for ?{name}") from error
        if not ascii_compatible:
            message = f"?{name} takes ASCII-compatible charsets only, not {charset!r}"
            raise TemplateDataFailure(message)
        # Java's encoder writes `?` for a character the charset cannot hold, as FreeMarker.
        return checked_text(quote(text, safe=safe, encoding=charset, errors="replace"))

    return run


url = url_escaping("url", _URL_SAFE)
url_path = url_escaping("url_path", _URL_SAFE + "/")


def replace_text(value: Any, old: Any, new: Any) -> str:
    text, old_text, new_text = require_text(value), require_text(old), require_text(new)
    charge(len(text) + len(old_text) + 1)
    occurrences = text.count(old_text) if old_text else len(text) + 1
    result_size = len(text) + occurrences * (len(new_text) - len(old_text))
    charge_text(result_size)
    return text.replace(old_text, new_text)


def text_test(name: str, test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    def run(value: Any, argument: Any) -> bool:
        text, wanted = require_text(value), string_argument(name, argument)
        charge(len(text) + len(wanted) + 1)
        return test(text, wanted)

    return run


# `?c` of a string: a JSON (and JavaScript) string literal as FreeMarker's default c_format
# ("JavaScript or JSON") writes it: besides quotes, backslashes and control characters, it
# escapes what could end an HTML script element or a CDATA section around the literal.
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\f": "\\f", "\b": "\\b", "\t": "\\t"}


def string_literal(text: str) -> str:
    charge(UNITS_PER_PYTHON_CHAR * len(text) + 2)
    out = ['"']
    last = len(text) - 1
    for at, char in enumerate(text):
        code = ord(char)
        if char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif char in '"\\':
            out.append("\\" + char)
        elif code <= 0x1F or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04X}")
        elif char == "/" and at > 0 and text[at - 1] == "<":
            out.append("\\/")  # `</`
        elif char == ">" and at >= 2 and text[at - 1] in "]-" and text[at - 2] == text[at - 1]:
            out.append("\\u003E")  # `]]>`, `-->`
        elif char == "<" and at < last and text[at + 1] in "!?":
            out.append("\\u003C")  # `<!`, `<?`
        else:
            out.append(char)
    out.append('"')
    return checked_text("".join(out))
