"""Running Java regular expressions (translated by `java_regex`) on the `regex` package within
the render's bounds: each operation pays the work budget first, by the sizes of the pattern,
its translation and the text, and runs with the package's timeout set to what remains of the
render's time limit; either ends the render as INVALID_INPUT. (The package measures its
timeout in process CPU time, so on a machine short of CPU a match can outlast the wall-clock
deadline by the time the process waited; it releases the GIL while matching, so the worker's
other threads run on.) Matches are found as Java's Matcher.find finds them (after an empty
match, the next search starts one character further), not as Python's finditer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import regex

from . import limits
from .budget import charge, seconds_left
from .failures import TemplateDataFailure, TemplateLimitFailure
from .java_regex import Flags, RegexFailure, translate

# Work units (see budget.py), measured with bench-like loops at about 30 ns a unit: translating
# a pattern (a Python loop) per character; compiling, the regex package's Python-level parser,
# per character of the translated pattern plus a fixed part; one search's read of a text
# character (the timeout bounds backtracking beyond that). Paid on every use, cached or not, so
# the units a render spends do not depend on what other renders compiled before.
_UNITS_PER_PATTERN_CHAR = 20
_UNITS_PER_COMPILE = 5_000
_UNITS_PER_COMPILED_CHAR = 300
UNITS_PER_TEXT_CHAR = 4
# Work units for each match found: a Python-level step (a search call, a match object, slices).
UNITS_PER_MATCH = 100


def too_slow() -> TemplateLimitFailure:
    return TemplateLimitFailure(
        f"A regular expression would run longer than the render's {limits.MAX_RENDER_SECONDS}"
        " second limit"
    )


def timeout() -> float:
    left = seconds_left()
    if left <= 0:
        raise too_slow()
    return left


# Patterns are cached up to this size (translated), 64 of each: a compiled pattern takes about
# 60 bytes a character, so the caches hold at most ~10 MB; realistic patterns are far smaller,
# and bigger ones are compiled on each use (paid for each time anyway).
_CACHED_PATTERN_CHARS = 2_000


def _compile(translated: str) -> regex.Pattern[str]:
    try:
        return regex.compile(translated, regex.V0)
    except (regex.error, OverflowError) as error:
        raise RegexFailure(f"Malformed regular expression: {error}") from None


_translated = functools.lru_cache(maxsize=64)(translate)
_compiled = functools.lru_cache(maxsize=64)(_compile)


def prepare(text: str, pattern: str, flags: Flags, scans: int = 1) -> regex.Pattern[str]:
    """Pays for translating and compiling the pattern and for `scans` reads of the text, then
    compiles it (or finds it compiled)."""
    charge(_UNITS_PER_PATTERN_CHAR * len(pattern) + 1)
    small = len(pattern) <= _CACHED_PATTERN_CHARS
    translated = _translated(pattern, flags) if small else translate(pattern, flags)
    size = _UNITS_PER_COMPILE + _UNITS_PER_COMPILED_CHAR * len(translated)
    charge(size + scans * UNITS_PER_TEXT_CHAR * len(text))
    if len(translated) <= _CACHED_PATTERN_CHARS:
        return _compiled(translated)
    return _compile(translated)


def search(pattern: regex.Pattern[str], text: str, pos: int) -> regex.Match[str] | None:
    try:
        return pattern.search(text, pos, concurrent=True, timeout=timeout())
    except TimeoutError:
        raise too_slow() from None


def find_all(pattern: regex.Pattern[str], text: str) -> Iterator[regex.Match[str]]:
    """Java's successive Matcher.find(): after an empty match at p the next search starts at
    p + 1, where Python's finditer would still allow a longer match at p; there, this starts
    a new finditer one further."""
    pos, empty_at = 0, -1
    while pos <= len(text):
        try:
            for found in pattern.finditer(text, pos, concurrent=True, timeout=timeout()):
                if found.start() == empty_at and found.end() > empty_at:
                    pos = empty_at + 1
                    break
                charge(UNITS_PER_MATCH)
                yield found
                empty_at = found.start() if found.start() == found.end() else -1
            else:
                return
        except TimeoutError:
            raise too_slow() from None


def java_flags(letters: str) -> Flags:
    return Flags("i" in letters, "m" in letters, "s" in letters, "c" in letters)


def last_match(pattern: regex.Pattern[str], text: str) -> regex.Match[str] | None:
    """Java's `while (matcher.find(start + 1))`: each search starts one after the previous
    match's start (and fails as Java does when that is past the end)."""
    last = search(pattern, text, 0)
    while last is not None:
        start = last.start() + 1
        if start > len(text):
            raise TemplateDataFailure(f"Illegal start index {start}")
        charge(UNITS_PER_TEXT_CHAR * (len(text) - start) + UNITS_PER_MATCH)
        following = search(pattern, text, start)
        if following is None:
            return last
        last = following
    return None
