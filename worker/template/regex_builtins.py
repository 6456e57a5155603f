"""The regular-expression built-ins: `?matches`, `?groups`, and the flags argument of
`?replace`, `?split`, `?keep_before`/`?keep_after`(`_last`) and `?ensure_starts_with`.

Flags, as FreeMarker reads them: `r` regex, `i` case-insensitive, `f` first only (`?replace`),
`c` comments, `s` dot-all, `m` multi-line. An unknown letter is ignored (FreeMarker logs a
warning); `m`, `s` or `c` without `r` are ignored by `?replace` and `?split` and an error for
the `?keep_*` built-ins, as there.

Patterns are Java's, run within the render's bounds by `regex_matching`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

from . import limits
from .budget import charge, charge_text
from .failures import TemplateDataFailure, TemplateLimitFailure
from .regex_matching import (
    UNITS_PER_MATCH,
    find_all,
    java_flags,
    last_match,
    prepare,
    search,
    timeout,
    too_slow,
)
from .text_builtins import checked_text, replace_text, string_argument, string_too_long
from .text_slicing import TEXT_SLICING_BUILTINS
from .values import RegexMatches, require_text


class RegexMatch(str):
    """One match of `?matches`: prints as the matched text, and has `?groups`."""

    groups: list[str | None]


class _UnreadGroup:
    """A group of a whole-string match that did not happen: FreeMarker counts it, but fails
    when it is read."""

    __slots__ = ()


def _plain_only(name: str, letters: str) -> None:
    """The `?keep_*` built-ins refuse regex-only flags without `r` (FreeMarker's order)."""
    for flag in "msc":
        if flag in letters:
            raise TemplateDataFailure(f'?{name} doesn\'t support the "{flag}" flag without "r"')


# ---- ?matches and ?groups ----


def _matches(value: Any, pattern_: Any, flags_: Any = "") -> RegexMatches:
    text, pattern, letters = require_text(value), require_text(pattern_), require_text(flags_)
    compiled = prepare(text, pattern, java_flags(letters), scans=2)
    try:
        whole = compiled.fullmatch(text, concurrent=True, timeout=timeout())
    except TimeoutError:
        raise too_slow() from None
    count = compiled.groups + 1
    groups: list[Any] = [_UnreadGroup()] * count
    if whole is not None:
        groups = [whole.group(at) or "" for at in range(count)]
    items: list[RegexMatch] = []
    for found in find_all(compiled, text):
        if len(items) >= limits.MAX_SEQUENCE_ITEMS:
            raise TemplateLimitFailure(
                f"A sequence would exceed {limits.MAX_SEQUENCE_ITEMS:,} items"
            )
        charge(UNITS_PER_MATCH + 2 * count)  # the match's own object, and its groups
        item = RegexMatch(found.group())
        item.groups = [found.group(at) for at in range(count)]
        items.append(item)
    return RegexMatches(items, whole is not None, groups)


def _groups(value: Any) -> list[Any]:
    if isinstance(value, (RegexMatches, RegexMatch)):
        charge(len(value.groups) + 1)
        return list(value.groups)
    raise TemplateDataFailure("?groups expects the result of ?matches or one of its matches")


# ---- ?replace ----


def _replacement(template: str, pattern: regex.Pattern[str]) -> list[str | int]:
    """Java's replacement syntax: `$n` (further digits while they name a group), `${name}`,
    `\\x` for x; text otherwise. Groups are ints in the result, text is str."""
    parts: list[str | int] = []
    at = 0
    while at < len(template):
        char = template[at]
        at += 1
        if char == "\\":
            if at == len(template):
                raise TemplateDataFailure("character to be escaped is missing")
            parts.append(template[at])
            at += 1
        elif char != "$":
            parts.append(char)
        elif template[at : at + 1] == "{":
            end = template.find("}", at)
            name = template[at + 1 : end] if end > 0 else ""
            if not (name.isascii() and name.isalnum()) or name not in pattern.groupindex:
                raise TemplateDataFailure(f"No group with name {{{name}}}")
            parts.append(pattern.groupindex[name])
            at = end + 1
        else:
            digit = template[at : at + 1]
            if not (digit.isascii() and digit.isdigit()):
                raise TemplateDataFailure("Illegal group reference")
            number, at = int(digit), at + 1
            while template[at : at + 1].isdigit() and template[at].isascii():
                if number * 10 + int(template[at]) > pattern.groups:
                    break
                number, at = number * 10 + int(template[at]), at + 1
            if number > pattern.groups:
                raise TemplateDataFailure(f"No group {number}")
            parts.append(number)
    return parts


def _regex_replace(text: str, pattern: regex.Pattern[str], new: str, first_only: bool) -> str:
    """Java's replaceAll/replaceFirst; the replacement is read only once something matched."""
    pieces: list[str] = []
    parts: list[str | int] | None = None
    last = total = 0
    for found in find_all(pattern, text):
        if parts is None:
            parts = _replacement(new, pattern)
        piece = "".join(p if isinstance(p, str) else found.group(p) or "" for p in parts)
        total += found.start() - last + len(piece)
        if total > limits.MAX_STRING_CHARS:
            raise string_too_long()
        charge(len(piece) + 1)
        pieces += [text[last : found.start()], piece]
        last = found.end()
        if first_only:
            break
    pieces.append(text[last:])
    return checked_text("".join(pieces))


def _plain_replace(text: str, old: str, new: str, ignore_case: bool, first_only: bool) -> str:
    """FreeMarker's StringUtil.replace: positions found in the lower-cased text with `i`."""
    if not old:
        if first_only and new:
            charge_text(len(text), len(text) + len(new))
            return new + text
        return replace_text(text, old, new)
    haystack, needle = (text.lower(), old.lower()) if ignore_case else (text, old)
    charge(2 * len(text) + len(old) + 1)
    pieces, begin, total = [], 0, 0
    at = haystack.find(needle)
    while at >= 0:
        total += at - begin + len(new)
        if total > limits.MAX_STRING_CHARS:
            raise string_too_long()
        charge(UNITS_PER_MATCH)
        pieces += [text[begin:at], new]
        begin = at + len(old)
        at = -1 if first_only else haystack.find(needle, begin)
    pieces.append(text[begin:])
    charge_text(total + len(text) - begin)
    return "".join(pieces)


def _replace(value: Any, old_: Any, new_: Any, flags_: Any = None) -> str:
    if flags_ is None:
        return replace_text(value, old_, new_)
    text, old, new = require_text(value), require_text(old_), require_text(new_)
    letters = require_text(flags_)
    if "r" not in letters:
        return _plain_replace(text, old, new, "i" in letters, "f" in letters)
    compiled = prepare(text, old, java_flags(letters))
    return _regex_replace(text, compiled, new, "f" in letters)


# ---- ?split ----


def _sequence_size(size: int) -> None:
    if size > limits.MAX_SEQUENCE_ITEMS:
        raise TemplateLimitFailure(f"A sequence would exceed {limits.MAX_SEQUENCE_ITEMS:,} items")


def _split(value: Any, separator_: Any, flags_: Any = None) -> list[str]:
    plain_split = TEXT_SLICING_BUILTINS["split"][0]
    if flags_ is None:
        return list(plain_split(value, separator_))
    text, separator = require_text(value), require_text(separator_)
    letters = require_text(flags_)
    if "r" not in letters and ("i" not in letters or not separator):
        return list(plain_split(text, separator))
    if "r" not in letters:  # StringUtil.split: found in the lower-cased text
        haystack, needle = text.lower(), separator.lower()
        charge(2 * len(text) + len(separator) + 1)
        parts, start = [], 0
        while start <= len(text):
            end = haystack.find(needle, start)
            end = len(text) if end < 0 else end
            charge(UNITS_PER_MATCH)
            parts.append(text[start:end])
            _sequence_size(len(parts))
            start = end + len(separator)
        return parts
    return _regex_split(text, prepare(text, separator, java_flags(letters)))


def _regex_split(text: str, pattern: regex.Pattern[str]) -> list[str]:
    """Java's Pattern.split: an empty match at the start splits nothing, trailing empty
    strings are dropped, and without any match the text is the one item."""
    parts, index = [], 0
    for found in find_all(pattern, text):
        if index == 0 and found.start() == found.end() == 0:
            continue
        parts.append(text[index : found.start()])
        _sequence_size(len(parts) + 1)
        index = found.end()
    if index == 0:
        return [text]
    parts.append(text[index:])
    while parts and not parts[-1]:
        parts.pop()
    charge(2 * len(parts) + 1)
    return parts


# ---- ?keep_before, ?keep_after, ?keep_before_last, ?keep_after_last ----


def _keep(name: str, before: bool, last: bool) -> Callable[..., str]:
    plain_keep = TEXT_SLICING_BUILTINS[name][0]

    def run(value: Any, separator_: Any, flags_: Any = None) -> str:
        if flags_ is None:
            return str(plain_keep(value, separator_))
        text, separator = require_text(value), string_argument(name, separator_)
        letters = string_argument(name, flags_)
        if "r" not in letters:
            _plain_only(name, letters)
            if "i" not in letters:
                return str(plain_keep(text, separator))
            charge_text(2 * len(text) + len(separator), len(text))
            haystack, needle = text.lower(), separator.lower()
            at = haystack.rfind(needle) if last else haystack.find(needle)
            span = None if at < 0 else (at, at + len(separator))
        elif last and not separator:
            span = (len(text), len(text))
        else:
            compiled = prepare(text, separator, java_flags(letters))
            found = last_match(compiled, text) if last else search(compiled, text, 0)
            span = None if found is None else found.span()
        charge_text(len(text))
        if span is None:
            return text if before else ""
        return text[: span[0]] if before else text[span[1] :]

    return run


# ---- ?ensure_starts_with ----


def _ensure_starts_with(value: Any, prefix_: Any, added_: Any = None, flags_: Any = None) -> str:
    """With a second argument, the first is a regex (by default) the text must start with."""
    plain_ensure = TEXT_SLICING_BUILTINS["ensure_starts_with"][0]
    if added_ is None:
        return str(plain_ensure(value, prefix_))
    text, prefix = require_text(value), string_argument("ensure_starts_with", prefix_)
    added = string_argument("ensure_starts_with", added_)
    letters = "r" if flags_ is None else string_argument("ensure_starts_with", flags_)
    if "r" not in letters:
        _plain_only("ensure_starts_with", letters)
        charge(2 * len(text) + len(prefix) + 1)
        folded = text.lower().startswith(prefix.lower())
        starts = folded if "i" in letters else text.startswith(prefix)
    else:
        compiled = prepare(text, prefix, java_flags(letters))
        try:
            starts = compiled.match(text, concurrent=True, timeout=timeout()) is not None
        except TimeoutError:
            raise too_slow() from None
    charge_text(len(text) + len(added))
    return text if starts else added + text


# name -> (implementation, minimum arguments, maximum arguments), merged into BUILTINS last.
REGEX_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "matches": (_matches, 1, 2),
    "groups": (_groups, 0, 0),
    "replace": (_replace, 2, 3),
    "split": (_split, 1, 2),
    "ensure_starts_with": (_ensure_starts_with, 1, 3),
    **{
        name: (_keep(name, name.startswith("keep_before"), name.endswith("_last")), 1, 2)
        for name in ("keep_before", "keep_after", "keep_before_last", "keep_after_last")
    },
}
