"""What handling one task comes to. The reporter turns each kind into one engine call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worker.errors import ErrorCode


@dataclass(frozen=True)
class RecipientFailure:
    number: str
    code: ErrorCode
    message: str
    twilio_code: int | None = None
    possibly_sent: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "errorCode": self.code.value,
            "errorMessage": self.message,
            "twilioCode": self.twilio_code,
            "possiblySent": self.possibly_sent,
        }


@dataclass(frozen=True)
class Completed:
    """Every recipient got the message. `sms_result` maps message SID -> E.164 number."""

    sms_result: dict[str, str]


@dataclass(frozen=True)
class BusinessError:
    """A documented error: thrown as a BPMN error with this code.

    `sms_result` holds the messages that did go out, so the process can tell who got one.
    """

    code: ErrorCode
    message: str
    sms_result: dict[str, str] = field(default_factory=dict)
    failures: tuple[RecipientFailure, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def sms_error(self) -> dict[str, Any]:
        return {
            "errorCode": self.code.value,
            "errorMessage": self.message,
            **self.details,
            "failures": [f.to_json() for f in self.failures],
        }


@dataclass(frozen=True)
class Crashed:
    """An unexpected exception: reported as a failure so the engine retries, then raises an
    incident."""

    message: str
    details: str = ""


@dataclass(frozen=True)
class Postponed:
    """Whether an earlier attempt already sent a message could not be found out (Twilio
    unreachable or refusing to list): nothing was sent blind. Reported as a failure with
    retries, so the engine hands the task out again later and raises an incident when they
    run out. `sms_result` holds what this attempt did send (also recorded as progress)."""

    message: str
    details: str = ""
    sms_result: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Abandoned:
    """The task is no longer ours (lock lost, task gone, shutting down): report nothing."""

    reason: str
    sms_result: dict[str, str] = field(default_factory=dict)


Outcome = Completed | BusinessError | Crashed | Postponed | Abandoned
