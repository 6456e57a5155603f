"""Java `DecimalFormat` patterns, parsed by the rules of `DecimalFormat.applyPattern` into what
`formatting` needs, and the `m2M3` fraction specs of legacy `#{...}` interpolations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .failures import TemplateDataFailure

_NUMBER_CHARS = "#0,."
# Pattern characters standing for a symbol of the locale, kept in parsed affixes as private-use
# characters and replaced when formatting: ¤ (currency sign), ¤¤ (its ISO code), %, ‰, -.
MINUS = "\ue002"
CURRENCY, CURRENCY_CODE, PERCENT, PER_MILLE = "\ue000", "\ue001", "\ue003", "\ue004"
_FRACTION_SPEC = re.compile(r"(?:[mM]\d+)+")


@dataclass(frozen=True)
class NumberPattern:
    positive_prefix: str
    positive_suffix: str
    negative_prefix: str
    negative_suffix: str
    min_integer_digits: int
    grouping_size: int  # 0: no grouping
    min_fraction_digits: int
    max_fraction_digits: int
    multiplier: int
    always_show_point: bool


@dataclass
class _Part:
    """What one sub-pattern (positive or negative) says, as `applyPattern` counts it."""

    prefix: str = ""
    suffix: str = ""
    multiplier: int = 1
    left: int = 0  # '#' before any '0'
    zeros: int = 0
    right: int = 0  # '#' after a '0'
    grouping: int = -1
    point: int = -1


@lru_cache(maxsize=128)
def parse_number_pattern(pattern: str) -> NumberPattern:
    """A Java DecimalFormat pattern: `#,##0.00`, `0.###`, `0.00 'EUR'`, `¤#,##0.00`, `0%`,
    `0.00;(0.00)`. Malformed ones fail as in Java; scientific ones (`0.0E0`) are refused."""
    if not pattern:  # Java: at most 340 fraction digits, no minimum integer digit
        return NumberPattern("", "", MINUS, "", 0, 3, 0, 340, 1, False)
    positive, end = _scan(pattern, 0, negative=False)
    negative = _scan(pattern, end, negative=True)[0] if end < len(pattern) else None
    if negative is None or (negative.prefix, negative.suffix) == (positive.prefix, positive.suffix):
        negative = _Part(prefix=MINUS + positive.prefix, suffix=positive.suffix)
    total = positive.left + positive.zeros + positive.right
    point = positive.point if positive.point >= 0 else total
    return NumberPattern(
        positive.prefix,
        positive.suffix,
        negative.prefix,
        negative.suffix,
        point - positive.left,
        max(positive.grouping, 0),
        positive.left + positive.zeros - point if positive.point >= 0 else 0,
        total - point if positive.point >= 0 else 0,
        positive.multiplier,
        positive.point in (0, total),
    )


def _scan(pattern: str, start: int, *, negative: bool) -> tuple[_Part, int]:
    """One sub-pattern from `start`; returns it and where the next one starts. Phases: 0 the
    prefix, 1 the digits, 2 the suffix (a digit character there goes back to phase 1, as in
    Java). The negative sub-pattern's digits are skipped: only its affixes count."""
    part, pos, end = _Part(), start, len(pattern)
    affixes: tuple[list[str], list[str]] = ([], [])
    in_suffix = in_quote = False
    while pos < len(pattern):
        char = pattern[pos]
        if not in_quote and char in _NUMBER_CHARS:
            if not negative:
                _count_digit(part, char, pattern)
            pos, in_suffix = pos + 1, True
            continue
        if not in_quote and char == "E" and in_suffix and pattern[pos - 1] in _NUMBER_CHARS:
            raise TemplateDataFailure(f"Scientific number patterns are not supported: {pattern!r}")
        if not in_quote and char == ";":
            if not in_suffix or negative:
                raise _malformed(f"Unquoted special character ';' in pattern {pattern!r}")
            end = pos + 1
            break
        pos, in_quote = _affix_char(pattern, pos, in_quote, part, affixes[in_suffix])
    part.prefix, part.suffix = "".join(affixes[0]), "".join(affixes[1])
    _check_digits(part, pattern, in_quote)
    return part, end


def _affix_char(
    pattern: str, pos: int, in_quote: bool, part: _Part, affix: list[str]
) -> tuple[int, bool]:
    """Reads one prefix/suffix character (or quoted pair); returns the next position and
    whether a quote is open."""
    char = pattern[pos]
    if char == "'":
        if pattern.startswith("''", pos):
            affix.append("'")
            return pos + 2, in_quote
        return pos + 1, not in_quote
    if in_quote:
        affix.append(char)
    elif char in "%‰":
        if part.multiplier != 1:
            raise _malformed(f"Too many percent/per mille characters in {pattern!r}")
        part.multiplier = 100 if char == "%" else 1000
        affix.append(PERCENT if char == "%" else PER_MILLE)
    elif char == "¤":
        doubled = pattern.startswith("¤¤", pos)
        affix.append(CURRENCY_CODE if doubled else CURRENCY)
        return pos + 1 + doubled, in_quote
    else:
        affix.append(MINUS if char == "-" else char)
    return pos + 1, in_quote


def _count_digit(part: _Part, char: str, pattern: str) -> None:
    if char == "#":
        if part.zeros > 0:
            part.right += 1
        else:
            part.left += 1
        if part.grouping >= 0 and part.point < 0:
            part.grouping += 1
    elif char == "0":
        if part.right > 0:
            raise _malformed(f"Unexpected '0' in pattern {pattern!r}")
        part.zeros += 1
        if part.grouping >= 0 and part.point < 0:
            part.grouping += 1
    elif char == ",":
        part.grouping = 0
    else:
        if part.point >= 0:
            raise _malformed(f"Multiple decimal separators in pattern {pattern!r}")
        part.point = part.left + part.zeros + part.right


def _check_digits(part: _Part, pattern: str, in_quote: bool) -> None:
    if part.zeros == 0 and part.left > 0 and part.point >= 0:
        # Java reads "#.##" as "0.##": one integer digit is shown.
        before = max(part.point, 1)
        part.right = part.left - before
        part.left = before - 1
        part.zeros = 1
    if (
        (part.point < 0 and part.right > 0)
        or (part.point >= 0 and not part.left <= part.point <= part.left + part.zeros)
        or part.grouping == 0
        or in_quote
    ):
        raise _malformed(f"Malformed number format pattern {pattern!r}")


def _malformed(message: str) -> TemplateDataFailure:
    return TemplateDataFailure(message)


def fraction_digits(spec: str) -> tuple[int, int] | None:
    """The `m2M3` of a legacy `#{x; m2M3}`: (minimum, maximum) fraction digits; a lone `m`
    is both. None when malformed, repeated, or beyond FreeMarker's 50."""
    if _FRACTION_SPEC.fullmatch(spec) is None:
        return None
    given = {kind: int(count) for kind, count in re.findall(r"([mM])(\d+)", spec)}
    if len(given) != spec.count("m") + spec.count("M"):
        return None
    low, high = given.get("m", 0), given.get("M", given.get("m", 0))
    return (low, high) if low <= high <= 50 else None
