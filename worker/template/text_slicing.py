"""String built-ins that cut, pad, search and split (`?keep_before`, `?left_pad`, `?index_of`,
`?split`, ...), with FreeMarker's (Java's) edge cases. Each pays for the characters it reads and
the result it is about to build before building it, and refuses a result over the limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import limits, numbers
from .budget import charge, charge_text
from .failures import TemplateDataFailure, TemplateLimitFailure
from .text_builtins import string_argument
from .values import require_number, require_text

# What java.util.StringTokenizer splits words on (`?word_list`); U+00A0 is not among them.
_WORD_SEPARATORS = " \t\n\r\f"
_TO_SPACE = str.maketrans(dict.fromkeys(_WORD_SEPARATORS[1:], " "))


def _int_argument(value: Any) -> int:
    """A numeric argument as FreeMarker takes it: Java's `intValue()` (2.7 -> 2)."""
    return numbers.java_int(require_number(value))


def _sequence_size(size: int) -> None:
    if size > limits.MAX_SEQUENCE_ITEMS:
        raise TemplateLimitFailure(f"A sequence would exceed {limits.MAX_SEQUENCE_ITEMS:,} items")


def _cut(name: str, pick: Callable[[str, str], str]) -> Callable[[Any, Any], str]:
    """`?keep_before`-like built-ins: a search (paid per character read), then a slice."""

    def run(value: Any, part: Any) -> str:
        text, wanted = require_text(value), string_argument(name, part)
        charge_text(len(text) + len(wanted), len(text))
        return pick(text, wanted)

    return run


def _keep_before(text: str, part: str) -> str:
    at = text.find(part)
    return text if at < 0 else text[:at]


def _keep_after(text: str, part: str) -> str:
    at = text.find(part)
    return "" if at < 0 else text[at + len(part) :]


def _keep_before_last(text: str, part: str) -> str:
    at = text.rfind(part)
    return text if at < 0 else text[:at]


def _keep_after_last(text: str, part: str) -> str:
    at = text.rfind(part)
    return "" if at < 0 else text[at + len(part) :]


def _remove_beginning(text: str, part: str) -> str:
    return text[len(part) :] if text.startswith(part) else text


def _remove_ending(text: str, part: str) -> str:
    return text[: len(text) - len(part)] if part and text.endswith(part) else text


def _ensure(name: str, at_start: bool) -> Callable[[Any, Any], str]:
    def run(value: Any, part: Any) -> str:
        text, wanted = require_text(value), string_argument(name, part)
        charge_text(len(text) + len(wanted), len(text) + len(wanted))
        if at_start:
            return text if text.startswith(wanted) else wanted + text
        return text if text.endswith(wanted) else text + wanted

    return run


def _pad(name: str, on_left: bool) -> Callable[..., str]:
    """The filler repeats from the string's own start (`left_pad`) or end (`right_pad`): the
    character at position i of the padded result is `filler[i % len(filler)]`."""

    def run(value: Any, width_: Any, filler_: Any = " ") -> str:
        text, width = require_text(value), _int_argument(width_)
        filler = string_argument(name, filler_)
        if not filler:
            raise TemplateDataFailure(f"?{name}(...) argument #2 can't be a 0-length string")
        missing = width - len(text)
        if missing <= 0:
            return text
        charge_text(len(text), width)
        if on_left:
            return (filler * (missing // len(filler) + 1))[:missing] + text
        repeated = filler * (width // len(filler) + 1)
        return text + repeated[len(text) : width]

    return run


def _index_of(value: Any, part_: Any, start_: Any = None) -> int:
    """Java's `String.indexOf(part, from)`: `from` is clamped to the string."""
    text, part = require_text(value), string_argument("index_of", part_)
    charge(len(text) + len(part) + 1)
    start = 0 if start_ is None else min(max(_int_argument(start_), 0), len(text))
    return text.find(part, start)


def _last_index_of(value: Any, part_: Any, start_: Any = None) -> int:
    """Java's `String.lastIndexOf(part, from)`: a match may start at `from` at the latest."""
    text, part = require_text(value), string_argument("last_index_of", part_)
    charge(len(text) + len(part) + 1)
    start = len(text) if start_ is None else min(_int_argument(start_), len(text))
    if start < 0:
        return -1
    return text.rfind(part, 0, start + len(part))


def _split(value: Any, separator_: Any) -> list[str]:
    """A literal separator; empty strings between separators, and a trailing one, are kept.
    An empty separator splits into characters."""
    text, separator = require_text(value), require_text(separator_)  # a number is formatted
    charge(len(text) + len(separator) + 1)
    count = len(text) if not separator else text.count(separator) + 1
    _sequence_size(count)
    charge(2 * count + len(text))
    if not separator:
        return list(text)  # "" splits into no items here (but into one with a separator)
    return text.split(separator)


def _word_list(value: Any) -> list[str]:
    text = require_text(value)
    charge(2 * len(text) + 1)
    words = [word for word in text.translate(_TO_SPACE).split(" ") if word]
    _sequence_size(len(words))
    return words


def _chop_linebreak(value: Any) -> str:
    text = require_text(value)
    charge(len(text) + 1)
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith(("\n", "\r")) else text


# name -> (implementation, minimum arguments, maximum arguments), merged into BUILTINS.
TEXT_SLICING_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "keep_before": (_cut("keep_before", _keep_before), 1, 1),
    "keep_after": (_cut("keep_after", _keep_after), 1, 1),
    "keep_before_last": (_cut("keep_before_last", _keep_before_last), 1, 1),
    "keep_after_last": (_cut("keep_after_last", _keep_after_last), 1, 1),
    "remove_beginning": (_cut("remove_beginning", _remove_beginning), 1, 1),
    "remove_ending": (_cut("remove_ending", _remove_ending), 1, 1),
    "ensure_starts_with": (_ensure("ensure_starts_with", at_start=True), 1, 1),
    "ensure_ends_with": (_ensure("ensure_ends_with", at_start=False), 1, 1),
    "left_pad": (_pad("left_pad", on_left=True), 1, 2),
    "right_pad": (_pad("right_pad", on_left=False), 1, 2),
    "index_of": (_index_of, 1, 2),
    "last_index_of": (_last_index_of, 1, 2),
    "split": (_split, 1, 1),
    "word_list": (_word_list, 0, 0),
    "chop_linebreak": (_chop_linebreak, 0, 0),
}
