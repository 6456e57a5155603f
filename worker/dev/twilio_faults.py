"""What the Twilio stand-in answers instead of success: Twilio's own rejections, and faults.

`rejection()` is Twilio's validation of a create-message form, including the documented
test-credential magic numbers and the rules for short codes (US ones here) and alphanumeric
sender IDs (no North American destinations). `Faults` holds what tests inject, settable from
any thread while the stand-in runs. A fault without `to` is consumed by the next request of any
kind, before authentication, the way network trouble or Twilio's front door would hit it. A
fault with `to` only matches a message create whose `To` equals it, after the request was
authenticated and validated, the way a per-recipient error from Twilio would.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from enum import Enum
from typing import Any

MAX_BODY_CHARS = 1600

# The senders Twilio accepts as `From`: a number in E.164, a short code, an alphanumeric
# sender ID (1-11 ASCII letters, digits, spaces, at least one letter).
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_SHORT_CODE = re.compile(r"[0-9]{5,6}")
_ALPHANUMERIC = re.compile(r"(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11}")
# The stand-in's short codes are US short codes, and alphanumeric sender IDs reach every
# country but the ones of the North American Numbering Plan, as with Twilio.
_NORTH_AMERICA = "+1"
INVALID_FROM = (
    21212,
    "The 'From' number {frm} is not a valid phone number, shortcode, or alphanumeric sender ID.",
)
UNREACHABLE_TO = (
    21612,
    "The 'To' phone number: {to}, is not currently reachable using the 'From' phone number: "
    "{frm} via SMS.",
)
SHORT_CODE_MISMATCH = (
    21659,
    "'From' {frm} is not a Twilio phone number or Short Code country mismatch",
)

# Twilio's documented test-credential magic numbers: (code, message template).
MAGIC_FROM: dict[str, tuple[int, str]] = {
    "+15005550001": INVALID_FROM,
    "+15005550007": (
        21606,
        "The 'From' phone number provided ({frm}) is not a valid message-capable Twilio phone "
        "number for this destination.",
    ),
    "+15005550008": (
        21611,
        "This 'From' number has exceeded the maximum number of queued messages",
    ),
}
MAGIC_TO: dict[str, tuple[int, str]] = {
    "+15005550001": (21211, "The 'To' number {to} is not a valid phone number."),
    "+15005550002": UNREACHABLE_TO,
    "+15005550003": (
        21408,
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' "
        "number: {to}.",
    ),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (21614, "'To' number is not a valid mobile number"),
}


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's error JSON."""
    more = f"https://www.twilio.com/docs/errors/{code}"
    return {"code": code, "message": message, "more_info": more, "status": status}


def rejection(form: dict[str, str]) -> dict[str, Any] | None:
    """Twilio's error JSON for a create-message form it would refuse, else None."""
    to, frm, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
    if not to:
        return error_body(400, 21604, "A 'To' phone number is required.")
    if not frm and not form.get("MessagingServiceSid"):
        return error_body(400, 21603, "A 'From' phone number is required.")
    if not body and not form.get("MediaUrl") and not form.get("ContentSid"):
        return error_body(400, 21602, "Message body is required.")
    if len(body) > MAX_BODY_CHARS:
        text = f"The concatenated message body exceeds the {MAX_BODY_CHARS} character limit."
        return error_body(400, 21617, text)
    magic = MAGIC_FROM.get(frm) or MAGIC_TO.get(to)
    if magic is None and any(c.isspace() for c in to):
        # What a '+' that was not form-encoded turns into; Twilio refuses such a number.
        magic = MAGIC_TO["+15005550001"]
    if magic is None and frm:
        magic = _sender_rejection(frm, to)
    if magic is None:
        return None
    return error_body(400, magic[0], magic[1].format(to=to, frm=frm))


def _sender_rejection(frm: str, to: str) -> tuple[int, str] | None:
    """Twilio's answer to a `From` it cannot send from to `to`, else None."""
    if _E164.fullmatch(frm):
        return None
    if _SHORT_CODE.fullmatch(frm):
        return None if to.startswith(_NORTH_AMERICA) else SHORT_CODE_MISMATCH
    if _ALPHANUMERIC.fullmatch(frm):
        return UNREACHABLE_TO if to.startswith(_NORTH_AMERICA) else None
    return INVALID_FROM


class Kind(str, Enum):
    """What the stand-in does instead of (or before) answering normally."""

    ERROR = "error"  # a Twilio error JSON with the given status and code
    HTML = "html"  # an HTML error page, as a proxy or load balancer in front of Twilio sends
    RESET = "reset"  # close the socket with a TCP RST and no response at all
    DELAY = "delay"  # sleep before answering (the answer itself is unchanged)
    REDIRECT = "redirect"  # a 3xx with a Location header, as a moved edge or a proxy sends
    NO_SID = "no-sid"  # a success status whose JSON lacks the message SID
    JSON = "json"  # any status with exactly the JSON given (a malformed answer, say)


@dataclass(frozen=True)
class Fault:
    """One fault rule. `count=None` keeps it armed until `Faults.clear()`."""

    kind: Kind
    count: int | None = 1
    to: str | None = None
    status: int = 500
    code: int = 20500
    message: str = "Internal Server Error"
    delay_ms: int = 0
    # Sent as the Retry-After header: seconds, or the header's text (an HTTP date).
    retry_after: int | str | None = None
    location: str = ""
    method: str | None = None  # only requests with this HTTP method (GET: the message list)
    # For Kind.JSON: the answer's body, as it is.
    body: Any = None

    def __post_init__(self) -> None:
        if self.count is not None and self.count < 1:
            raise ValueError("count must be >= 1 or None")
        if self.delay_ms < 0:
            raise ValueError("delay_ms must be >= 0")


@dataclass(frozen=True)
class Plan:
    """What one request gets: a delay first, then at most one outcome fault."""

    delay_s: float = 0.0
    outcome: Fault | None = None


class _Armed:
    __slots__ = ("fault", "remaining")

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.remaining = fault.count


class Faults:
    """A thread-safe, ordered set of armed faults plus a latency added to every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._latency_ms = 0

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(_Armed(fault))

    def clear(self) -> None:
        """Disarm every fault and drop the latency."""
        with self._lock:
            self._armed.clear()
            self._latency_ms = 0

    @property
    def pending(self) -> list[tuple[Fault, int | None]]:
        """The armed faults with how many requests each still applies to (None: unlimited)."""
        with self._lock:
            return [(a.fault, a.remaining) for a in self._armed]

    def set_latency(self, ms: int) -> None:
        """Add `ms` to every request from now on (0 removes it)."""
        if ms < 0:
            raise ValueError("ms must be >= 0")
        with self._lock:
            self._latency_ms = ms

    def fail_next(
        self,
        status: int = 500,
        code: int = 20500,
        message: str = "Internal Server Error",
        count: int = 1,
        retry_after: int | str | None = None,
        *,
        method: str | None = None,
    ) -> None:
        self.add(
            Fault(
                Kind.ERROR,
                count,
                None,
                status,
                code,
                message,
                retry_after=retry_after,
                method=method,
            )
        )

    def fail_to(
        self,
        number: str,
        status: int = 400,
        code: int = 21211,
        message: str | None = None,
        count: int | None = None,
    ) -> None:
        """Answer message creates to `number` with this error (every time, unless `count`)."""
        if message is None:
            known = dict(MAGIC_TO.values())
            message = known.get(code, f"Twilio error {code}").format(to=number, frm="")
        self.add(Fault(Kind.ERROR, count, number, status, code, message))

    def throttle_next(
        self, count: int = 1, retry_after: int | str | None = None, *, method: str | None = None
    ) -> None:
        """Twilio's answer to too many concurrent requests: 429, code 20429. `retry_after`:
        seconds, or the header's text as it is (an HTTP date, say)."""
        self.fail_next(429, 20429, "Too Many Requests", count, retry_after, method=method)

    def html_next(self, status: int = 502, count: int = 1, *, method: str | None = None) -> None:
        self.add(Fault(Kind.HTML, count, status=status, code=0, message="", method=method))

    def redirect_next(self, location: str, status: int = 307, count: int = 1) -> None:
        self.add(Fault(Kind.REDIRECT, count, status=status, code=0, location=location))

    def answer_without_sid_next(self, status: int = 201, count: int = 1) -> None:
        """A success answer whose JSON has no message SID, as a broken proxy might send: the
        client cannot tell whether the message was created."""
        self.add(Fault(Kind.NO_SID, count, status=status, code=0, message=""))

    def answer_next(self, status: int, body: Any, count: int = 1) -> None:
        """Answer with `status` and exactly `body` as JSON, whatever Twilio's schema says:
        a code that is not a number, a list instead of an object, ..."""
        self.add(Fault(Kind.JSON, count, status=status, code=0, message="", body=body))

    def reset_next(self, count: int = 1, method: str | None = None) -> None:
        self.add(Fault(Kind.RESET, count, method=method))

    def delay_next(self, ms: int, count: int = 1, *, method: str | None = None) -> None:
        """Slow down the next `count` requests; longer than a client's read timeout = a hang."""
        self.add(Fault(Kind.DELAY, count, delay_ms=ms, method=method))

    def take(self, to: str | None = None, method: str | None = None) -> Plan:
        """Consume what applies to one request: untargeted faults (`to=None`) or those for `to`,
        and of those only the ones for any method or for `method`."""
        with self._lock:
            delay_ms = self._latency_ms if to is None else 0
            outcome: Fault | None = None
            took_delay = False
            for armed in list(self._armed):
                fault = armed.fault
                if fault.to != to or fault.method not in (None, method):
                    continue
                if fault.kind is Kind.DELAY:
                    if took_delay:
                        continue
                    took_delay = True
                    delay_ms += fault.delay_ms
                elif outcome is None:
                    outcome = fault
                else:
                    continue
                if armed.remaining is not None:
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._armed.remove(armed)
            return Plan(delay_ms / 1000, outcome)
