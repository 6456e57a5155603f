"""The four task inputs, checked and normalised before anything is sent.

Values arrive as plain Python values (str, list, dict, bytes for a File variable, numbers,
None): the engine adapter has already unwrapped Camunda's typed variables. Problems are
reported in a fixed order so one task always yields the same single error: missing inputs
first (all of them named at once), then wrong types, sizes, unparseable JSON and text that is
not Unicode, then phone numbers.

Sizes are checked before any work that grows with them: a text's length before it is split
or parsed, the number of recipients before any of them is normalised. So one task costs at
most MAX_RECIPIENTS + 1 phone number parses, and parsing at most 256 KiB of JSON text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worker.bounded_json import (
    MAX_JSON_CHARS,
    MAX_JSON_DEPTH,
    JsonRejected,
    check_json_value,
    parse_json_text,
)
from worker.errors import ErrorCode, InputError
from worker.redaction import has_surrogate, quote
from worker.sms import phone
from worker.sms.sender import SMS_FROM, Sender, parse_sender
from worker.template import MAX_TEMPLATE_CHARS

SMS_TO, SMS_BODY, METADATA = "smsTo", "smsBody", "metadata"
INPUT_NAMES = (SMS_FROM, SMS_TO, SMS_BODY, METADATA)

MAX_RECIPIENTS = 1_000
# smsTo as text (a list, or a JSON array): room for every recipient at the longest a number
# may be written, plus a separator. Longer text cannot hold an acceptable list.
MAX_RECIPIENTS_TEXT_CHARS = MAX_RECIPIENTS * (phone.MAX_NUMBER_CHARS + 1)
MAX_METADATA_JSON_CHARS = MAX_JSON_CHARS
MAX_METADATA_DEPTH = MAX_JSON_DEPTH

_SEPARATORS = re.compile(r"[,;\r\n]+")


@dataclass(frozen=True)
class SmsRequest:
    sender: Sender
    recipients: tuple[str, ...]
    # Text, or the raw bytes of a File variable; the template step decodes those.
    body_template: str | bytes
    metadata: Mapping[str, Any]


def parse_inputs(values: Mapping[str, object], default_region: str | None) -> SmsRequest:
    """Check every input; raise InputError with the first problem found."""
    missing = [name for name in (SMS_FROM, SMS_TO, SMS_BODY) if _is_blank(values.get(name))]
    if missing:
        raise InputError(
            ErrorCode.MISSING_INPUT,
            f"{', '.join(missing)}: required but not given",
            variables=missing,
        )
    sender_text = _expect_text(SMS_FROM, values[SMS_FROM])
    to_texts = _recipient_texts(values[SMS_TO])
    body = parse_body(values[SMS_BODY])
    metadata = parse_metadata(values.get(METADATA))
    return SmsRequest(
        sender=parse_sender(sender_text, default_region),
        recipients=_recipients(to_texts, default_region),
        body_template=body,
        metadata=metadata,
    )


def _is_blank(value: object) -> bool:
    # isspace() stops at the first other character: no copy of a huge value just to look.
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return not value or value.isspace()
    return isinstance(value, (list, tuple)) and len(value) == 0


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def _invalid(message: str, *, variable: str) -> InputError:
    return InputError(ErrorCode.INVALID_INPUT, message, variables=[variable])


def _expect_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{name}: expected text, got {_type_name(value)}", variable=name)
    _check_unicode(name, value)
    return value


def _check_unicode(name: str, text: str) -> None:
    # A lone surrogate (JSON "\ud83d") is a str in Python but not Unicode text: it cannot be
    # encoded for Twilio's request, a log line or the engine, so it is refused here, where
    # the variable can still be named and nothing has been sent.
    if has_surrogate(text):
        raise _invalid(
            f"{name}: holds an unpaired UTF-16 surrogate (such as \\ud83d without its pair), "
            "which is not Unicode text",
            variable=name,
        )


def _recipient_texts(value: object) -> list[str]:
    if isinstance(value, str):
        if len(value) > MAX_RECIPIENTS_TEXT_CHARS:
            raise _invalid(
                f"{SMS_TO}: {len(value):,} characters, more than {MAX_RECIPIENTS:,} numbers "
                f"can take ({MAX_RECIPIENTS_TEXT_CHARS:,})",
                variable=SMS_TO,
            )
        text = value.strip()
        value = _load_json(SMS_TO, text) if text.startswith("[") else _SEPARATORS.split(text)
    if not isinstance(value, (list, tuple)):
        raise _invalid(
            f"{SMS_TO}: expected a list of phone numbers or text, got {_type_name(value)}",
            variable=SMS_TO,
        )
    texts: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            # A JSON number has already lost the leading '+' or zeros of a phone number.
            raise _invalid(
                f"{SMS_TO}[{index}]: expected a phone number as text, got {_type_name(item)}",
                variable=SMS_TO,
            )
        if not item or item.isspace():
            continue
        if len(texts) == MAX_RECIPIENTS:
            # Counted as given, before any number is normalised: refusing a list that is too
            # long must not cost the work of reading it.
            raise _invalid(
                f"{SMS_TO}: more than {MAX_RECIPIENTS:,} recipients in one task",
                variable=SMS_TO,
            )
        _check_unicode(SMS_TO, item)
        texts.append(item.strip())
    if not texts:
        raise InputError(
            ErrorCode.MISSING_INPUT, f"{SMS_TO}: no phone number given", variables=[SMS_TO]
        )
    return texts


def parse_body(value: object) -> str | bytes:
    """`smsBody`: template text, or the bytes of a File variable (decoded by the template
    step, which refuses what is not UTF-8)."""
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise _invalid(f"{SMS_BODY}: expected text, got {_type_name(value)}", variable=SMS_BODY)
    if len(value) > MAX_TEMPLATE_CHARS:
        raise InputError(
            ErrorCode.TEMPLATE_READ_ERROR,
            f"{SMS_BODY}: the template has {len(value):,} characters; "
            f"the limit is {MAX_TEMPLATE_CHARS:,}",
            variables=[SMS_BODY],
        )
    _check_unicode(SMS_BODY, value)
    return value


def parse_metadata(value: object) -> Mapping[str, Any]:
    """`metadata` as an object: absent or blank is empty; a string must hold a JSON object."""
    if value is None or (isinstance(value, str) and _is_blank(value)):
        return {}
    if isinstance(value, str):
        value = _load_json(METADATA, value, MAX_METADATA_JSON_CHARS)
    if not isinstance(value, dict):
        raise _invalid(
            f"{METADATA}: expected a JSON object, got {_type_name(value)}", variable=METADATA
        )
    try:
        # Also for an object that did not come as text here (a Json variable the engine
        # client parsed): its size, depth, numbers and text are checked the same way.
        check_json_value(value, max_chars=MAX_METADATA_JSON_CHARS)
    except JsonRejected as exc:
        raise _invalid(f"{METADATA}: {exc}", variable=METADATA) from None
    return value


def _load_json(name: str, text: str, max_chars: int = MAX_RECIPIENTS_TEXT_CHARS) -> object:
    try:
        return parse_json_text(text, max_chars=max_chars)
    except JsonRejected as exc:
        raise _invalid(f"{name}: {exc}", variable=name) from None


def _recipients(texts: list[str], default_region: str | None) -> tuple[str, ...]:
    numbers: dict[str, None] = {}  # insertion-ordered set: duplicates dropped, first order kept
    problems: list[str] = []
    for text in texts:
        try:
            numbers.setdefault(phone.normalise(text, default_region))
        except phone.InvalidNumber as exc:
            problems.append(f"{quote(text)} {exc}")
    if problems:
        raise InputError(
            ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
            f"{SMS_TO}: {'; '.join(problems[:5])}"
            + (f"; and {len(problems) - 5} more" if len(problems) > 5 else ""),
            variables=[SMS_TO],
        )
    return tuple(numbers)
