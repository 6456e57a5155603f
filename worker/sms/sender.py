"""`smsFrom`: the four kinds of sender Twilio accepts, told apart before anything is sent.

    +14155550100      a phone number (any spelling phonenumbers reads; E.164 on the wire)
    MyShop            an alphanumeric sender ID: 1-11 ASCII letters, digits and spaces, at
                      least one letter (the usual sender in Europe and Australia; one-way)
    12345             a short code: 5 or 6 digits, nothing else (national, no country code)
    MG + 32 hex       a Messaging Service SID: Twilio picks the sender from the service

The first three go to Twilio as `From`, the last as `MessagingServiceSid`.

The one ambiguity: 5 or 6 bare digits could also be a very short national number. They are
always a short code here; a phone number that short is written with its country code
(`+290 12345`). Every other all-digit text is a phone number, so `4155550100` with
SMS_DEFAULT_REGION=US still works. Which rule failed is said in the error message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum

from worker.errors import ErrorCode, InputError
from worker.redaction import quote
from worker.sms import phone

SMS_FROM = "smsFrom"  # the input this module reads (worker.sms.inputs reads the rest)

ALPHANUMERIC_MAX_CHARS = 11
SHORT_CODE_DIGITS = (5, 6)
# Longer than any sender of any kind: nothing past this is looked at (hostile input).
_MAX_SENDER_CHARS = 64

_SHORT_CODE = re.compile(r"[0-9]{5,6}")
_ALPHANUMERIC_CHARS = re.compile(r"[A-Za-z0-9 ]+")
# Characters that only ever appear in a written phone number (besides digits).
_NUMBER_LIKE = re.compile(r"[0-9+() .\-/\u00a0]+")


class SenderKind(str, Enum):
    PHONE_NUMBER = "phone number"
    SHORT_CODE = "short code"
    ALPHANUMERIC_ID = "alphanumeric sender ID"
    MESSAGING_SERVICE = "Messaging Service SID"


@dataclass(frozen=True)
class Sender:
    """Who the message is from: `value` is what Twilio receives."""

    value: str
    kind: SenderKind

    @property
    def is_messaging_service(self) -> bool:
        """Sent as `MessagingServiceSid` rather than `From`."""
        return self.kind is SenderKind.MESSAGING_SERVICE


def parse_sender(text: str, default_region: str | None) -> Sender:
    """Classify and check `smsFrom` (already stripped); InputError naming the failed rule.

    Any letter (and no leading `+`) makes it an alphanumeric sender ID: once the characters are
    checked to be A-Z, a-z, 0-9 and spaces, "at least one letter" holds by construction."""
    if len(text) > _MAX_SENDER_CHARS:
        raise _invalid(
            f"{len(text)} characters is longer than any sender: a phone number, "
            f"a short code, an alphanumeric sender ID (at most {ALPHANUMERIC_MAX_CHARS}) "
            "or a Messaging Service SID (MG + 32 hex digits)",
            shown="",
        )
    if phone.is_messaging_service_sid(text):
        return Sender(text, SenderKind.MESSAGING_SERVICE)
    if _SHORT_CODE.fullmatch(text):
        return Sender(text, SenderKind.SHORT_CODE)
    if any(c.isalpha() for c in text) and not text.startswith("+"):
        return Sender(_alphanumeric(text), SenderKind.ALPHANUMERIC_ID)
    return Sender(_phone_number(text, default_region), SenderKind.PHONE_NUMBER)


def _alphanumeric(text: str) -> str:
    if text[:2].upper() == "MG" and len(text) > ALPHANUMERIC_MAX_CHARS:
        raise _invalid(
            "is not a Messaging Service SID ('MG' followed by 32 hex digits), and too long "
            f"for an alphanumeric sender ID (at most {ALPHANUMERIC_MAX_CHARS} characters)",
            shown=text,
        )
    if not _ALPHANUMERIC_CHARS.fullmatch(text):
        bad = next(c for c in text if not _ALPHANUMERIC_CHARS.fullmatch(c))
        raise _invalid(
            f"contains {json.dumps(bad, ensure_ascii=False)}: an alphanumeric sender ID may "
            "only hold the letters A-Z and a-z, the digits 0-9 and spaces",
            shown=text,
        )
    if len(text) > ALPHANUMERIC_MAX_CHARS:
        raise _invalid(
            f"has {len(text)} characters: an alphanumeric sender ID has at most "
            f"{ALPHANUMERIC_MAX_CHARS}",
            shown=text,
        )
    return text


def _phone_number(text: str, default_region: str | None) -> str:
    digits = sum(c.isdigit() for c in text)
    if _NUMBER_LIKE.fullmatch(text) and not text.startswith(("+", "00")) and digits < 7:
        low, high = SHORT_CODE_DIGITS
        raise _invalid(
            f"has {digits} digits: a short code is {low} or {high} digits with nothing else, "
            "and a phone number needs more (write it with + and the country code)",
            shown=text,
        )
    try:
        return phone.normalise(text, default_region)
    except phone.InvalidNumber as exc:
        raise _invalid(
            f"{exc}; nor is it a short code ({SHORT_CODE_DIGITS[0]} or {SHORT_CODE_DIGITS[1]} "
            "digits), an alphanumeric sender ID (with a letter) or a Messaging Service SID",
            shown=text,
        ) from None


def _invalid(rule: str, *, shown: str) -> InputError:
    subject = f"{quote(shown)} " if shown else ""
    return InputError(
        ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,
        f"{SMS_FROM}: {subject}{rule}",
        variables=[SMS_FROM],
    )
