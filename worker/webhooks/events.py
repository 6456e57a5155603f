"""A webhook's form parameters, checked, as the two events the process cares about.

Only the signature makes a form trustworthy; these checks keep what reaches the engine well
formed anyway (a message SID that is one, an instance id that cannot reach another URL).
Messages name the parameter at fault, never its value: values are numbers and message text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Statuses after which Twilio reports nothing more for a message.
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed"})

_MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
_INSTANCE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_STATUS = re.compile(r"[a-z_]{1,32}")
_ERROR_CODE = re.compile(r"[0-9]{1,6}")
# E.164 numbers, short codes, and channel addresses such as "whatsapp:+14155552671".
MAX_ADDRESS_CHARS = 64


class InvalidWebhook(ValueError):
    """A signed webhook whose form is not what Twilio sends."""


@dataclass(frozen=True)
class StatusReport:
    """A message's new status, for the process instance that sent it."""

    sid: str
    to: str
    status: str
    error_code: int | None
    process_instance_id: str | None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def to_json(self) -> dict[str, Any]:
        return {"sid": self.sid, "to": self.to, "status": self.status, "errorCode": self.error_code}


@dataclass(frozen=True)
class InboundSms:
    """A message someone sent to one of the account's numbers."""

    sid: str
    sender: str
    to: str
    body: str

    def to_json(self) -> dict[str, Any]:
        return {"sid": self.sid, "from": self.sender, "to": self.to, "body": self.body}


def status_report(form: Mapping[str, str], query: Mapping[str, str]) -> StatusReport:
    """The status callback's form, and the query of the URL `run` gave Twilio."""
    status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if not _STATUS.fullmatch(status):
        raise InvalidWebhook("MessageStatus is missing or malformed")
    code = form.get("ErrorCode") or ""
    if code and not _ERROR_CODE.fullmatch(code):
        raise InvalidWebhook("ErrorCode is not a number")
    instance = query.get("processInstanceId")
    if instance is not None and not _INSTANCE_ID.fullmatch(instance):
        raise InvalidWebhook("processInstanceId is malformed")
    return StatusReport(
        sid=_sid(form),
        to=_address(form, "To", required=False),
        status=status,
        error_code=int(code) if code else None,
        process_instance_id=instance,
    )


def inbound_sms(form: Mapping[str, str]) -> InboundSms:
    return InboundSms(
        sid=_sid(form),
        sender=_address(form, "From", required=True),
        to=_address(form, "To", required=False),
        body=form.get("Body", ""),
    )


def _sid(form: Mapping[str, str]) -> str:
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not _MESSAGE_SID.fullmatch(sid):
        raise InvalidWebhook("MessageSid is missing or not a message SID")
    return sid


def _address(form: Mapping[str, str], name: str, *, required: bool) -> str:
    value = form.get(name, "").strip()
    if required and not value:
        raise InvalidWebhook(f"{name} is missing")
    if len(value) > MAX_ADDRESS_CHARS:
        raise InvalidWebhook(f"{name} is longer than {MAX_ADDRESS_CHARS} characters")
    return value
