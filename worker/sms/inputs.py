"""The four task inputs, checked and normalised before anything is sent.

Values arrive as plain Python values (str, list, dict, bytes for a File variable, numbers,
None): the engine adapter has already unwrapped Camunda's typed variables. Problems are
reported in a fixed order so one task always yields the same single error: missing inputs
first (all of them named at once), then wrong types and unparseable JSON, then phone numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worker.errors import ErrorCode, InputError
from worker.sms import phone
from worker.sms.sender import Sender, parse_sender

SMS_FROM, SMS_TO, SMS_BODY, METADATA = "smsFrom", "smsTo", "smsBody", "metadata"
INPUT_NAMES = (SMS_FROM, SMS_TO, SMS_BODY, METADATA)

MAX_RECIPIENTS = 1_000
MAX_METADATA_JSON_CHARS = 256 * 1024
MAX_METADATA_DEPTH = 32

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
    sender_text = _expect_str(SMS_FROM, values[SMS_FROM])
    to_texts = _recipient_texts(values[SMS_TO])
    body = _body_text(values[SMS_BODY])
    metadata = parse_metadata(values.get(METADATA))
    return SmsRequest(
        sender=parse_sender(sender_text, default_region),
        recipients=_recipients(to_texts, default_region),
        body_template=body,
        metadata=metadata,
    )


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return value.strip() == b"" if isinstance(value, bytes) else value.strip() == ""
    return isinstance(value, (list, tuple)) and len(value) == 0


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def _invalid(message: str, *, variable: str) -> InputError:
    return InputError(ErrorCode.INVALID_INPUT, message, variables=[variable])


def _expect_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{name}: expected text, got {_type_name(value)}", variable=name)
    return value.strip()


def _recipient_texts(value: object) -> list[str]:
    if isinstance(value, str):
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
        if item.strip():
            texts.append(item.strip())
    if not texts:
        raise InputError(
            ErrorCode.MISSING_INPUT, f"{SMS_TO}: no phone number given", variables=[SMS_TO]
        )
    return texts


def _body_text(value: object) -> str | bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise _invalid(f"{SMS_BODY}: expected text, got {_type_name(value)}", variable=SMS_BODY)
    return value


def parse_metadata(value: object) -> Mapping[str, Any]:
    """`metadata` as an object: absent or blank is empty; a string must hold a JSON object."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        value = _load_json(METADATA, value)
    if not isinstance(value, dict):
        raise _invalid(
            f"{METADATA}: expected a JSON object, got {_type_name(value)}", variable=METADATA
        )
    _check_metadata_size(value)
    return value


def _check_metadata_size(metadata: dict[str, Any]) -> None:
    try:
        size = len(json.dumps(metadata, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        raise _invalid(f"{METADATA}: not JSON data", variable=METADATA) from None
    if size > MAX_METADATA_JSON_CHARS:
        raise _invalid(
            f"{METADATA}: {size} characters as JSON, more than {MAX_METADATA_JSON_CHARS}",
            variable=METADATA,
        )
    if _depth(metadata) > MAX_METADATA_DEPTH:
        raise _invalid(
            f"{METADATA}: nested deeper than {MAX_METADATA_DEPTH} levels", variable=METADATA
        )


def _depth(value: object) -> int:
    # Iterative so a hostile nesting cannot exhaust the Python stack.
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


# Parse errors here are raised `from None`: the library's exception holds the raw input (a
# JSONDecodeError keeps the whole document), which must not reach a logged traceback.


def _load_json(name: str, text: str) -> object:
    if len(text) > MAX_METADATA_JSON_CHARS:
        raise _invalid(f"{name}: more than {MAX_METADATA_JSON_CHARS} characters", variable=name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(
            f"{name}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            variable=name,
        ) from None
    except RecursionError:
        raise _invalid(f"{name}: not valid JSON: nested too deeply", variable=name) from None


def _recipients(texts: list[str], default_region: str | None) -> tuple[str, ...]:
    numbers: dict[str, None] = {}  # insertion-ordered set: duplicates dropped, first order kept
    problems: list[str] = []
    for text in texts:
        try:
            numbers.setdefault(phone.normalise(text, default_region))
        except phone.InvalidNumber as exc:
            problems.append(f"{_quote(text)} {exc}")
    if problems:
        raise InputError(
            ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
            f"{SMS_TO}: {'; '.join(problems[:5])}"
            + (f"; and {len(problems) - 5} more" if len(problems) > 5 else ""),
            variables=[SMS_TO],
        )
    if len(numbers) > MAX_RECIPIENTS:
        raise _invalid(
            f"{SMS_TO}: {len(numbers)} recipients, more than {MAX_RECIPIENTS} per task",
            variable=SMS_TO,
        )
    return tuple(numbers)


def _quote(text: str) -> str:
    # json.dumps quotes and escapes control characters, so odd input cannot break a log line.
    shown = text if len(text) <= 40 else text[:40] + "..."
    return json.dumps(shown, ensure_ascii=False)
