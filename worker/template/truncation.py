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


def _at_character(text: str, limit: int, terminator: str, length: int) -> str:
    space = " " if length else ""
    last = limit - length - 1
    while last >= 0 and _blank(text[last]):
        last -= 1
    if last < 0:
        return terminator
    if space and _blank(text[last + 1]):  # a word end: the terminator wants a space before it
        if last + 2 + length <= limit:
            return text[: last + 1] + space + terminator
        last -= 1  # the character given up is not blank: no space now
        if last < 0:
            return terminator
    return _joined(text[: last + 1], terminator)


def _at_word(text: str, limit: int, terminator: str, length: int) -> str | None:
    space = " " if length else ""
    end = limit - length - len(space)  # the kept text ends before `end`, a blank
    while end > 0 and not (_blank(text[end]) and not _blank(text[end - 1])):
        end -= 1
    return text[:end] + space + terminator if end > 0 else None


class MarkupOutput:
    """What `?truncate_m` and its variants give when they cut with their default terminator:
    HTML markup (FreeMarker's `<span class='truncateTerminator'>[&#8230;]</span>`), which plain
    text output cannot print nor use as a string, as in FreeMarker; only tests see it."""

    __slots__ = ()


def _truncate(mode: str, markup: bool = False) -> Callable[..., Any]:
    """`?truncate{mode}(max_length, terminator, terminator_length)`; the terminator length
    (default: its own) is what the cut counts for it."""
    name = f"truncate{mode}{'_m' if markup else ''}"

    def run(value: Any, limit_: Any, *terminator_args: Any) -> Any:
        text = require_text(value)
        limit = numbers.java_int(require_number(limit_))
        if limit < 0:
            raise TemplateDataFailure(f"?{name}(...) needs a length of 0 or more")
        terminator = DEFAULT_TERMINATOR
        if terminator_args:
            terminator = string_argument(name, terminator_args[0])
        length = len(terminator)
        if len(terminator_args) > 1:
            length = numbers.java_int(require_number(terminator_args[1]))
            if length < 0:
                raise TemplateDataFailure(f"?{name}(...) needs a terminator length of 0 or more")
        if len(text) <= limit:
            return text
        if markup and not terminator_args:
            return MarkupOutput()
        # Up to two scans back from the limit in Python, then a slice.
        charge(2 * UNITS_PER_PYTHON_CHAR * limit + len(terminator) + 1)
        if mode == "_c":
            return _at_character(text, limit, terminator, length)
        at_word = _at_word(text, limit, terminator, length)
        if mode == "_w":
            return terminator if at_word is None else at_word
        if at_word is not None and 4 * (len(at_word) - len(terminator) + length) >= 3 * limit:
            return at_word
        return _at_character(text, limit, terminator, length)

    return run


TRUNCATE_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "truncate": (_truncate(""), 1, 3),
    "truncate_w": (_truncate("_w"), 1, 3),
    "truncate_c": (_truncate("_c"), 1, 3),
    "truncate_m": (_truncate("", markup=True), 1, 3),
    "truncate_w_m": (_truncate("_w", markup=True), 1, 3),
    "truncate_c_m": (_truncate("_c", markup=True), 1, 3),
}
