"""Phone numbers: E.164 normalisation with phonenumbers, and masking for logs."""

from __future__ import annotations

import re

import phonenumbers

# Formatting a person may type inside one number. Anything else (letters, "ext.", a second
# number) is rejected here rather than left to phonenumbers, which would happily extract a
# number from free text or turn vanity letters into digits.
_NUMBER_CHARS = re.compile(r"\+?\(?[0-9][0-9 .\-()/\u00a0]*")
_MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")


class InvalidNumber(ValueError):
    """The text is not a possible phone number; the message says why."""


def normalise(raw: str, default_region: str | None) -> str:
    """Return `raw` in E.164 (`+14155552671`) or raise InvalidNumber.

    Without a default region a number must be international (start with `+` or `00`).
    """
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
    return _MESSAGING_SERVICE_SID.fullmatch(raw.strip()) is not None


def mask(number: str) -> str:
    """`+14155552671` -> `+1415***2671`: enough to tell numbers apart in logs, not to dial."""
    if len(number) <= 8:
        return number[:2] + "***"
    return number[:5] + "***" + number[-4:]


_E164_IN_TEXT = re.compile(r"\+\d{7,15}")


def mask_all(text: str) -> str:
    """Mask every E.164 number inside a free text, such as an error message from Twilio."""
    return _E164_IN_TEXT.sub(lambda m: mask(m.group(0)), text)
