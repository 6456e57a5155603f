"""The error catalogue (the codes the connector contract documents) and the exception tree.

    WorkerError                     every exception of ours
    ├── ConnectorError              carries a documented `code`: thrown as a BPMN error
    │   ├── InputError              a task variable is missing or invalid (`variables`)
    │   ├── TemplateError           smsBody cannot be read, parsed or rendered (`line`, ...)
    │   └── DeliveryError           a message did not go out, or may have (`possibly_sent`)
    │       ├── TwilioRejected      Twilio answered with an error (`http_status`, `twilio_code`)
    │       ├── TwilioUnreachable   no answer: never connected (not sent) or cut off (maybe sent)
    │       └── TwilioUnreadable    a success answer without a message SID (maybe sent)
    ├── ReconcileUndecided          Twilio's message history too long to tell what was sent
    ├── EngineError                 an engine REST call failed (`status`, None: no answer)
    │   ├── EngineUnreachable       no HTTP answer at all (`cause`: refused, host not found...)
    │   ├── TaskGone                404: completed elsewhere, or cancelled
    │   ├── LockLost                400 saying another worker holds the lock, or it expired
    │   ├── NothingToCorrelate      a BPMN message that no execution or start event takes
    │   └── AmbiguousCorrelation    a BPMN message that several executions would take
    └── ConfigError                 invalid settings, every problem named (`problems`)

Each edge sets the facts it knows as typed fields: the Twilio edge whether a request may have
been sent and whether a failure concerns one recipient only; the engine edge whether the task
is gone or its lock lost. Library exceptions become these in exactly one place per edge
(`worker.twilio.translation`, `worker.engine.client`, the template package), causes chained.
The core reads the fields; `details` is only the JSON view written into `smsError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any


class ErrorCode(str, Enum):
    """The documented error codes, in the contract's order, with the contract's description."""

    description: str

    def __new__(cls, value: str, description: str) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    MISSING_INPUT = ("MISSING_INPUT", "A mandatory input variable was not provided.")
    INVALID_INPUT = ("INVALID_INPUT", "The input variable has an invalid type.")
    TWILIO_CONNECTION_ERROR = ("TWILIO_CONNECTION_ERROR", "Unable to connect to Twilio service.")
    AUTHENTICATION_CONNECTION_ERROR = (
        "AUTHENTICATION_CONNECTION_ERROR",
        "Unable to authenticate to Twilio.",
    )
    INVALID_TO_PHONE_NUMBER_ERROR = (
        "INVALID_TO_PHONE_NUMBER_ERROR",
        "Invalid 'to' phone number.",
    )
    INVALID_FROM_PHONE_NUMBER_ERROR = (
        "INVALID_FROM_PHONE_NUMBER_ERROR",
        "Invalid 'from' phone number.",
    )
    PERMISSION_DENIED_ERROR = (
        "PERMISSION_DENIED_ERROR",
        "Lack of permission to the resource and method requested.",
    )
    INVALID_REGION_TO_PHONE_NUMBER_ERROR = (
        "INVALID_REGION_TO_PHONE_NUMBER_ERROR",
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' "
        "number.",
    )
    TEMPLATE_READ_ERROR = ("TEMPLATE_READ_ERROR", "Cannot read the Freemarker template.")
    TEMPLATE_METADATA_ERROR = (
        "TEMPLATE_METADATA_ERROR",
        "The template references non-existing metadata.",
    )
    TEMPLATE_SYNTAX_ERROR = ("TEMPLATE_SYNTAX_ERROR", "Invalid Freemarker syntax.")
    UNKNOWN_ERROR = ("UNKNOWN_ERROR", "Unexpected runtime error.")
    BAD_REQUEST = (
        "BAD_REQUEST",
        "The server could not understand the request due to invalid syntax.",
    )
    UNAUTHORIZED = (
        "UNAUTHORIZED",
        "The request has not been applied because it lacks valid authentication.",
    )
    FORBIDDEN = ("FORBIDDEN", "The server understood the request but refuses to authorize it.")
    NOT_FOUND = ("NOT_FOUND", "The server could not find what was requested.")
    METHOD_NOT_ALLOWED = (
        "METHOD_NOT_ALLOWED",
        "The request method is known by the server but is not supported.",
    )
    NOT_ACCEPTABLE = (
        "NOT_ACCEPTABLE",
        "The server cannot produce a response matching the list of acceptable values.",
    )
    REQUEST_TIMEOUT = (
        "REQUEST_TIMEOUT",
        "The server would like to shut down this unused connection.",
    )
    CONFLICT = ("CONFLICT", "The request conflicts with current state of the server.")
    GONE = ("GONE", "No longer available.")
    UNPROCESSABLE_ENTITY = (
        "UNPROCESSABLE_ENTITY",
        "The server was unable to process the contained instructions.",
    )
    LOCKED = ("LOCKED", "The resource that is being accessed is locked.")
    FAILED_DEPENDENCY = (
        "FAILED_DEPENDENCY",
        "The request failed due to failure of a previous request.",
    )
    INTERNAL_SERVER_ERROR = (
        "INTERNAL_SERVER_ERROR",
        "The server has encountered a situation it doesn't know how to handle.",
    )
    NOT_IMPLEMENTED = (
        "NOT_IMPLEMENTED",
        "The request method is not supported by the server and cannot be handled.",
    )
    BAD_GATEWAY = ("BAD_GATEWAY", "The server got an invalid response.")
    SERVICE_UNAVAILABLE = ("SERVICE_UNAVAILABLE", "The server is not ready to handle the request.")
    GATEWAY_TIMEOUT = (
        "GATEWAY_TIMEOUT",
        "The server is acting as a gateway and cannot get a response in time.",
    )


class WorkerError(Exception):
    """Base of every exception the worker raises on purpose."""


class ConnectorError(WorkerError):
    """A failure with a documented code.

    `message` is shown to process modellers and operators: it names the variable or the remote
    party and what was wrong, and never contains a credential.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code.value}, {self.message!r})"

    @property
    def details(self) -> dict[str, Any]:
        """The typed facts as JSON fields, for `smsError` and the `send` command's output."""
        return {}

    def to_json(self) -> dict[str, Any]:
        return {"errorCode": self.code.value, "errorMessage": self.message, **self.details}


class InputError(ConnectorError):
    """A task variable is missing or invalid; `variables` names the ones at fault."""

    def __init__(self, code: ErrorCode, message: str, *, variables: Sequence[str]) -> None:
        super().__init__(code, message)
        self.variables = tuple(variables)

    @property
    def details(self) -> dict[str, Any]:
        # Missing inputs are reported all at once, every other problem concerns one variable.
        if self.code is ErrorCode.MISSING_INPUT:
            return {"variables": list(self.variables)}
        return {"variable": self.variables[0]} if self.variables else {}


class TemplateError(ConnectorError):
    """The body template cannot be read, parsed or rendered; where, when known."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        expression: str | None = None,
    ) -> None:
        super().__init__(code, message)
        self.line, self.column, self.expression = line, column, expression

    @property
    def details(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.line is not None:
            found.update(line=self.line, column=self.column)
        if self.expression is not None:
            found["expression"] = self.expression
        return found


class DeliveryError(ConnectorError):
    """Sending one message failed.

    `possibly_sent`: the request may have reached Twilio, so the message may exist (a read
    timeout, a 5xx); resending could duplicate it. `concerns_recipient`: the failure is about
    that one number (invalid, unreachable, unsubscribed), so the other recipients still get
    theirs; any other failure stops the task's remaining sends.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        possibly_sent: bool,
        concerns_recipient: bool = False,
        http_status: int | None = None,
        twilio_code: int | None = None,
        more_info: str | None = None,
    ) -> None:
        super().__init__(code, message)
        self.possibly_sent = possibly_sent
        self.concerns_recipient = concerns_recipient
        self.http_status = http_status
        self.twilio_code = twilio_code
        self.more_info = more_info

    @property
    def details(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.http_status is not None:
            found["httpStatus"] = self.http_status
        if isinstance(self, TwilioRejected):
            found["twilioCode"] = self.twilio_code
        found["possiblySent"] = self.possibly_sent
        if self.more_info is not None:
            found["moreInfo"] = self.more_info
        return found


class TwilioRejected(DeliveryError):
    """Twilio answered with an HTTP error (after 429 retries, if any)."""


class TwilioUnreachable(DeliveryError):
    """No HTTP answer from Twilio: refused, DNS, TLS, timeouts, a broken connection."""


class TwilioUnreadable(DeliveryError):
    """Twilio answered 2xx, but without a message SID: the message may exist."""


class ReconcileUndecided(WorkerError):
    """Twilio lists more messages from the sender to the number than reconciliation reads, so
    whether an earlier attempt sent this one cannot be told; sending could duplicate it."""


class EngineError(WorkerError):
    """An engine REST call that failed. `status` is None when no HTTP answer came back."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class UnreachableCause(str, Enum):
    """Why no HTTP answer came back, in words an operator can act on."""

    REFUSED = "connection refused"
    HOST_NOT_FOUND = "host not found"
    TIMED_OUT = "timed out"
    TLS = "TLS handshake failed"
    BROKEN = "connection broken"


class EngineUnreachable(EngineError):
    """No answer: refused, timed out, connection broken. Retrying later may help.

    `cause` tells which (`check` turns it into advice); BROKEN when nothing more is known."""

    def __init__(self, message: str, cause: UnreachableCause = UnreachableCause.BROKEN) -> None:
        super().__init__(message)
        self.cause = cause


class TaskGone(EngineError):
    """404: the task was completed elsewhere, or cancelled (e.g. by a boundary event)."""


class LockLost(EngineError):
    """400, and the engine says the task is locked by another worker or its lock expired.

    Any other 400 (a variable the engine cannot take, say) is a plain EngineError: a refusal
    that must be reported, not a task that stopped being ours."""


class LostRace(LockLost):
    """Another node (or transaction) got there first: the engine's optimistic locking refused
    a change made concurrently, or a call that failed over found the task already completed
    or locked. Like LockLost the task is no longer ours; unlike it, this is the normal life of
    a cluster: logged at debug and counted, never an incident, never a reason to send again."""


class NothingToCorrelate(EngineError):
    """No execution waits for the message (any more) and no message start event takes it."""


class AmbiguousCorrelation(EngineError):
    """Several executions match the message: the engine correlates none of them."""


class ConfigError(WorkerError, ValueError):
    """Raised with every invalid setting at once, one per line, each naming its variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n" + "\n".join(f"  {p}" for p in problems))
        self.problems = problems
