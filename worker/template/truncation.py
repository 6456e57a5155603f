"""`?truncate`, `?truncate_w` (at a word end), `?truncate_c` (at any character), as FreeMarker's
default algorithm cuts (facts measured on FreeMarker 2.3.34):

- the result, terminator included, is at most `max_length` long, except that the terminator
  (default `[...]`) is returned alone when nothing else fits;
- a cut at a word end gets a space before a non-empty terminator; a character cut that lands
  at a word end needs that space too, and gives up one more character when it does not fit;
- a terminator starting with a dot replaces the dots the kept text ends with;
- `?truncate` cuts at a word end unless that keeps less than 3/4 of `max_length`, then at a
  character.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import numbers
from .budget import charge
from .failures import TemplateDataFailure
from .text_builtins import UNITS_PER_PYTHON_CHAR, string_argument
from .values import require_number, require_text

DEFAULT_TERMINATOR = "[...]"
# Java's Character.isWhitespace excludes the no-break spaces Python counts as white-space.
_NO_BREAK_SPACES = frozenset("\u00a0\u2007\u202f")


def _blank(char: str) -> bool:
    return char.isspace() and char not in _NO_BREAK_SPACES


def _joined(kept: str, terminator: str) -> str:
    """The terminator straight after the kept text: a terminator starting with a dot takes
    the place of the text's own trailing dots."""
    if terminator.startswith((".", "\u2026")):
        kept = kept.rstrip(".\u2026")
        if kept and _blank(kept[-1]):  # now a word end: one space, as at any word end
            while kept and _blank(kept[-1]):
                kept = kept[:-1]
            kept += " "
    return kept + terminator


def _at_character(text: str, limit: int, terminator: str) -> str:
    space = " " if terminator else ""
    last = limit - len(terminator) - 1
    while last >= 0 and _blank(text[last]):
        last -= 1
    if last < 0:
        return terminator
    if space and _blank(text[last + 1]):  # a word end: the terminator wants a space before it
        if last + 2 + len(terminator) <= limit:
            return text[: last + 1] + space + terminator
        last -= 1  # the character given up is not blank: no space now
        if last < 0:
            return terminator
    return _joined(text[: last + 1], terminator)


def _at_word(text: str, limit: int, terminator: str) -> str | None:
    space = " " if terminator else ""
    end = limit - len(terminator) - len(space)  # the kept text ends before `end`, a blank
    while end > 0 and not (_blank(text[end]) and not _blank(text[end - 1])):
        end -= 1
    return text[:end] + space + terminator if end > 0 else None


def _truncate(mode: str) -> Callable[..., str]:
    def run(value: Any, limit_: Any, terminator_: Any = DEFAULT_TERMINATOR) -> str:
        text = require_text(value)
        limit = numbers.java_int(require_number(limit_))
        terminator = string_argument(f"truncate{mode}", terminator_)
        if limit < 0:
            raise TemplateDataFailure(f"?truncate{mode}(...) needs a length of 0 or more")
        if len(text) <= limit:
            return text
        # Up to two scans back from the limit in Python, then a slice.
        charge(2 * UNITS_PER_PYTHON_CHAR * limit + len(terminator) + 1)
        if mode == "_c":
            return _at_character(text, limit, terminator)
        at_word = _at_word(text, limit, terminator)
        if mode == "_w":
            return terminator if at_word is None else at_word
        if at_word is not None and 4 * len(at_word) >= 3 * limit:
            return at_word
        return _at_character(text, limit, terminator)

    return run


TRUNCATE_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "truncate": (_truncate(""), 1, 2),
    "truncate_w": (_truncate("_w"), 1, 2),
    "truncate_c": (_truncate("_c"), 1, 2),
}
