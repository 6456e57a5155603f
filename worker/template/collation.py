"""String order for `?sort`/`?sort_by`: Java's `Collator` for English (tertiary strength), as
FreeMarker sorts strings, reproduced for the characters SMS metadata holds.

Each character becomes collation elements (primary, secondary, tertiary). Primary order:
control characters, then punctuation and symbols (in Java's order, below), then digits,
then letters by their base letter. Space and hyphen are ignorable (primary 0): `a b` sorts
with `ab`. An accent is an element of its own with only a secondary weight, upper case is a
tertiary difference. Strings compare as Java's RuleBasedCollator walks them: the first
primary difference decides; else the first secondary difference *or unmatched ignorable*
(the string holding it sorts after), which overrides an earlier case difference; else the
first case difference.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

# Punctuation and symbols in the order Java 17's English Collator sorts them (measured with
# FreeMarker's ?sort); others follow, by code point.
_PUNCTUATION = "_,;:!¡?¿/.`^~'\"«»()[]{}§¶©®@¢$€£¥*\\&#%+±÷\u00d7<=>|°"
_IGNORABLE = {" ": 1, "\u00a0": 1, "-": 2, "\u00ad": 3}
_EXPANSIONS = {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"}
_PUNCTUATION_BASE = 1 << 8
_SYMBOL_BASE = 1 << 12
_DIGIT_BASE = 1 << 20
_LETTER_BASE = 1 << 21

Element = tuple[int, int, int]


def _primary(char: str) -> int:
    if char.isdigit():
        return _DIGIT_BASE + (unicodedata.digit(char, 0) if char.isascii() else ord(char))
    at = _PUNCTUATION.find(char)
    if at >= 0:
        return _PUNCTUATION_BASE + at
    category = unicodedata.category(char)
    if category == "Cc":
        return 1 + ord(char) % _PUNCTUATION_BASE
    if category[0] in "PS":
        return _SYMBOL_BASE + ord(char)
    return _LETTER_BASE + ord(char.lower())  # letters; other scripts and the unassigned after


@functools.lru_cache(maxsize=4096)
def _elements_of(char: str) -> tuple[Element, ...]:
    if char in _IGNORABLE:
        return ((0, _IGNORABLE[char], 0),)
    if char in _EXPANSIONS:
        return tuple((p, s, 2) for p, s, _ in elements(_EXPANSIONS[char]))
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    found: list[Element] = [(_primary(base), 0, 1 if base.isupper() else 0)]
    found += [(0, 8 + ord(mark), 0) for mark in decomposed[1:]]
    return tuple(found)


def elements(text: str) -> list[Element]:
    return [element for char in text for element in _elements_of(char)]


def compare(left: list[Element], right: list[Element]) -> int:
    result, check_secondary, check_tertiary = 0, True, True
    i = j = 0
    while i < len(left) and j < len(right):
        (p1, s1, t1), (p2, s2, t2) = left[i], right[j]
        if p1 != p2:
            if p1 and p2:
                return -1 if p1 < p2 else 1
            if check_secondary:  # an ignorable on one side only: that string sorts after
                result, check_secondary = (1 if p1 == 0 else -1), False
            i, j = (i + 1, j) if p1 == 0 else (i, j + 1)
            continue
        if check_secondary and s1 != s2:
            result, check_secondary = (-1 if s1 < s2 else 1), False
        elif check_secondary and check_tertiary and t1 != t2:
            result, check_tertiary = (-1 if t1 < t2 else 1), False
        i, j = i + 1, j + 1
    for rest, sign in ((left[i:], 1), (right[j:], -1)):
        for primary, _, _ in rest:
            if primary:
                return sign
            if check_secondary:
                result, check_secondary = sign, False
    return result


def sort_key() -> Callable[[list[Element]], object]:
    return functools.cmp_to_key(compare)
