"""What may leave the worker as text, and the one implementation of that rule.

The rule (the README's "What the worker writes where" says the same):

- Full phone numbers appear only in the fields that name recipients for the process: the
  values of `smsResult`, and `number` and `notAttempted` in `smsError` (and in an incident's
  details, which hold the same JSON). `RECIPIENT_FIELDS` names them.
- Every free text that leaves (the `errorMessage` of a BPMN error or an incident, every other
  string in `smsError`, log records, `check` and command output) passes `Redactor.text`:
  configured secrets and the credentials in URLs become `***`, phone numbers in any
  format are masked, unpaired surrogates become U+FFFD.
- Input quoted in a message goes through `quote`: at most 40 characters, its digits hidden
  except the first two and the last two, JSON-escaped.

Everything here scans the text once, left to right: no pattern with nested or overlapping
repetition ever runs over text from outside, so the cost is linear in the text's length.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "***"
# Keys whose values are recipients the process needs in full (smsResult maps SID -> number).
RECIPIENT_FIELDS = frozenset({"smsResult", "number", "notAttempted"})
# Fewer digits than this are not masked: error codes (21211), ports, counts, line numbers.
MIN_MASKED_DIGITS = 7
QUOTED_MAX_CHARS = 40
# Shorter values would blank out ordinary words and numbers in every line.
MIN_SECRET_CHARS = 4

# Characters people put between the digits of one phone number.
_NUMBER_SEPARATORS = frozenset(" .-/()\u00a0\u2007\u202f\u2010\u2011\u2012\u2013\u2212")
_PLUS_SIGNS = frozenset("+\uff0b")
# More separators in a row than this end a number ("1, 2 - 3" is not one number).
_MAX_SEPARATOR_RUN = 3
_DIGIT = re.compile(r"\d")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HEX = "[0-9a-fA-F]"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# Shapes that hold long digit runs but are not phone numbers, left intact so logs stay
# useful: Camunda ids (UUIDs), Twilio SIDs (SM..., AC..., RQ...), IPv4 addresses, ISO dates.
# Each alternative has a fixed maximal length, so a match attempt costs at most ~36 steps.
_IDENTIFIER = re.compile(
    rf"(?<![0-9A-Za-z])(?:"
    rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
    rf"|[A-Z]{{2}}{_HEX}{{32}}"
    rf"|(?<![.+\uff0b]){_OCTET}(?:\.{_OCTET}){{3}}(?![.]?\d)"
    rf"|(?:1[89]|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)"
    rf")(?![0-9A-Za-z])"
)
# After "://": the user-info, if the next delimiter is '@'. One character class, no overlap.
_AUTHORITY_HEAD = re.compile(r"[^/?#@\s\"'<>]*")


class Redactor:
    """Applies the rule; knows the configured secret values (see `Settings.secrets`)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(
            {s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True
        )

    def text(self, text: str) -> str:
        """Free text as it may leave the worker."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return mask_numbers(without_surrogates(redact_url_credentials(text)))

    def error_json(self, value: Any) -> Any:
        """`smsError` (or any JSON built from it): every string redacted as free text, except
        the recipient fields, which the process needs in full."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                key: item if key in RECIPIENT_FIELDS else self.error_json(item)
                for key, item in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.error_json(item) for item in value]
        return value


def quote(raw: str) -> str:
    """Input quoted in a message: shortened, digits hidden but the first and last two, so a
    modeller sees the shape of what was wrong ("+1 4** *** ***1 ext 5") but not the number."""
    shown = raw if len(raw) <= QUOTED_MAX_CHARS else raw[:QUOTED_MAX_CHARS] + "..."
    digits = [i for i, char in enumerate(shown) if char.isdecimal()]
    hidden = set(digits[2:-2])
    masked = "".join("*" if i in hidden else char for i, char in enumerate(shown))
    return json.dumps(without_surrogates(masked), ensure_ascii=False)


def without_surrogates(text: str) -> str:
    """Unpaired UTF-16 surrogates cannot be encoded (log files, HTTP bodies): U+FFFD instead."""
    return _SURROGATE.sub("\ufffd", text)


def has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def redact_url_credentials(text: str) -> str:
    """`scheme://user:password@host` anywhere in `text` -> `scheme://***@host`."""
    start = text.find("://")
    if start < 0:
        return text
    pieces: list[str] = []
    copied = 0
    while start >= 0:
        head = start + 3
        found = _AUTHORITY_HEAD.match(text, head)
        end = found.end() if found else head
        if end < len(text) and text[end] == "@" and end > head:
            pieces += [text[copied:head], REDACTED]
            copied = end
        start = text.find("://", end)
    return "".join([*pieces, text[copied:]])


def mask_number(digits: str, *, plus: bool = False) -> str:
    """The digits of one phone number, masked: `+1415***2671` (11 or more digits), `41***03`."""
    keep = 4 if len(digits) >= 11 else 2
    return ("+" if plus else "") + digits[:keep] + REDACTED + digits[-keep:]


def mask_numbers(text: str) -> str:
    """Mask every phone number in `text`, in any notation: a run of at least 7 digits with
    at most 3 separators (space, dot, dash, slash, brackets) between any two, and an optional
    leading `+`. Identifiers (UUIDs, Twilio SIDs, IPv4 addresses, ISO dates) are skipped."""
    if _DIGIT.search(text) is None:
        return text
    skipped = [(m.start(), m.end()) for m in _IDENTIFIER.finditer(text)]
    pieces: list[str] = []
    copied = position = skip_index = 0
    while (found := _DIGIT.search(text, position)) is not None:
        start = found.start()
        while skip_index < len(skipped) and skipped[skip_index][1] <= start:
            skip_index += 1
        if skip_index < len(skipped) and skipped[skip_index][0] <= start:
            position = skipped[skip_index][1]
            continue
        limit = skipped[skip_index][0] if skip_index < len(skipped) else len(text)
        end, digits = _number_at(text, start, limit)
        position = end
        if len(digits) < MIN_MASKED_DIGITS:
            continue
        begin, plus = _number_prefix(text, start, copied)
        pieces += [text[copied:begin], mask_number(digits, plus=plus)]
        copied = end
    return "".join([*pieces, text[copied:]])


def _number_at(text: str, start: int, limit: int) -> tuple[int, str]:
    """From the digit at `start`: where the number ends (after its last digit), its digits."""
    digits: list[str] = []
    end = index = start
    separators = 0
    while index < limit:
        char = text[index]
        if char.isdecimal():
            digits.append(char)
            separators = 0
            end = index + 1
        elif char in _NUMBER_SEPARATORS and separators < _MAX_SEPARATOR_RUN:
            separators += 1
        elif unicodedata.category(char) != "Cf":
            break
        # Invisible format characters (direction marks around RTL text, zero-width spaces)
        # are passed over: they must not split a number into parts too short to be masked.
        index += 1
    return end, "".join(digits)


def _number_prefix(text: str, start: int, floor: int) -> tuple[int, bool]:
    """A `+` and an opening bracket just before the first digit belong to the number."""
    begin, plus = start, False
    for _ in range(2):
        if begin > floor and text[begin - 1] == "(":
            begin -= 1
        elif begin > floor and text[begin - 1] in _PLUS_SIGNS:
            begin, plus = begin - 1, True
    return begin, plus
