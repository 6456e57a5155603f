"""Phone numbers: E.164 normalisation with phonenumbers. (Masking lives in worker.redaction.)"""

from __future__ import annotations

import re

import phonenumbers

# The longest a number may be written, formatting included ("+1 (415) 555-2671" is 17):
# longer text is refused before any pattern or parser looks at it.
MAX_NUMBER_CHARS = 64
# Formatting a person may type inside one number. Anything else (letters, "ext.", a second
# number) is rejected here rather than left to phonenumbers, which would happily extract a
# number from free text or turn vanity letters into digits. One character class after a fixed
# prefix: matching cannot backtrack.
_NUMBER_CHARS = re.compile(r"\+?\(?[0-9][0-9 .\-()/\u00a0]*")
_MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")


class InvalidNumber(ValueError):
    """The text is not a possible phone number; the message says why."""


def normalise(raw: str, default_region: str | None) -> str:
    """Return `raw` in E.164 (`+14155552671`) or raise InvalidNumber.

    Without a default region a number must be international (start with `+` or `00`).
    """
    if len(raw) > MAX_NUMBER_CHARS:
        raise InvalidNumber(f"is not a phone number (longer than {MAX_NUMBER_CHARS} characters)")
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _NUMBER_CHARS.fullmatch(text):
        raise InvalidNumber("is not a phone number")
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        # `from None`: the library's message quotes the number, which must not be logged.
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            hint = "" if default_region else " (write it with +country code)"
            raise InvalidNumber(f"has no valid country code{hint}") from None
        raise InvalidNumber("is not a phone number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidNumber("is not a possible phone number (wrong length)")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def is_messaging_service_sid(raw: str) -> bool:
    return (
        len(raw) <= MAX_NUMBER_CHARS and _MESSAGING_SERVICE_SID.fullmatch(raw.strip()) is not None
    )
