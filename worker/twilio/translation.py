"""The one place where Twilio's answers and requests' exceptions become typed errors.

Each gets its documented code (a Twilio error code with a row of its own wins, then the HTTP
status, else UNKNOWN_ERROR) and the facts only this edge knows: whether the message may have
been sent, and whether the failure concerns the one recipient only.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests
import urllib3

from worker.errors import (
    ErrorCode,
    TwilioRejected,
    TwilioUnreachable,
    TwilioUnreadable,
)

TWILIO_CODES: dict[int, ErrorCode] = {
    21211: ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,  # invalid 'To' number
    21612: ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,  # 'To' not reachable from this 'From'
    21614: ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,  # 'To' is not a mobile number
    21604: ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,  # 'To' is required
    21212: ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,  # invalid 'From' number
    21606: ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,  # 'From' is not SMS-capable
    21659: ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,  # 'From' is not a Twilio number
    21660: ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,  # 'From' does not belong to the account
    21603: ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,  # 'From' is required
    # The sender ID is not supported in the destination's country (alphanumeric senders).
    21657: ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,
    21408: ErrorCode.INVALID_REGION_TO_PHONE_NUMBER_ERROR,  # region not enabled
    20003: ErrorCode.AUTHENTICATION_CONNECTION_ERROR,  # authentication failed
    20403: ErrorCode.PERMISSION_DENIED_ERROR,
    20005: ErrorCode.PERMISSION_DENIED_ERROR,  # account not active
    20008: ErrorCode.PERMISSION_DENIED_ERROR,  # resource not accessible with test credentials
}

HTTP_STATUSES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    406: ErrorCode.NOT_ACCEPTABLE,
    408: ErrorCode.REQUEST_TIMEOUT,
    409: ErrorCode.CONFLICT,
    410: ErrorCode.GONE,
    422: ErrorCode.UNPROCESSABLE_ENTITY,
    423: ErrorCode.LOCKED,
    424: ErrorCode.FAILED_DEPENDENCY,
    # 429 is retried by the client; this row is what is left once the retry budget is spent.
    429: ErrorCode.SERVICE_UNAVAILABLE,
    500: ErrorCode.INTERNAL_SERVER_ERROR,
    501: ErrorCode.NOT_IMPLEMENTED,
    502: ErrorCode.BAD_GATEWAY,
    503: ErrorCode.SERVICE_UNAVAILABLE,
    504: ErrorCode.GATEWAY_TIMEOUT,
}

# Twilio codes that concern one recipient only: the other recipients of the task still get
# their message. Everything else (credentials, sender, outages) stops the task. 21612 and
# 21657 depend on the pair: an alphanumeric sender ID reaches some countries and not others
# (none in North America), so a recipient elsewhere may still be reached.
RECIPIENT_TWILIO_CODES = frozenset({21211, 21612, 21614, 21408, 21610, 21657})
_MAX_MESSAGE_CHARS = 300


def from_response(response: requests.Response) -> TwilioRejected:
    """Translate a non-2xx Twilio answer."""
    status = response.status_code
    body = _error_body(response)
    raw_code, raw_message = body.get("code"), body.get("message")
    twilio_code = raw_code if isinstance(raw_code, int) else None
    # Shortened: the text is the remote end's, and it ends up in errorMessage and smsError.
    twilio_message = raw_message[:_MAX_MESSAGE_CHARS] if isinstance(raw_message, str) else None
    if twilio_code in TWILIO_CODES:
        code = TWILIO_CODES[twilio_code]
    else:
        code = HTTP_STATUSES.get(status, ErrorCode.UNKNOWN_ERROR)
    described = f"Twilio error {twilio_code}: {twilio_message}" if twilio_code else ""
    message = f"Twilio answered HTTP {status}" + (f" ({described})" if described else "")
    more_info = body.get("more_info")
    return TwilioRejected(
        code,
        message,
        # A 5xx may come after Twilio queued the message; nothing else can have sent it.
        possibly_sent=status >= 500,
        concerns_recipient=twilio_code in RECIPIENT_TWILIO_CODES,
        http_status=status,
        twilio_code=twilio_code,
        more_info=more_info[:_MAX_MESSAGE_CHARS] if isinstance(more_info, str) else None,
    )


def redirected(response: requests.Response) -> TwilioRejected:
    """A 3xx answer, which the client does not follow.

    Twilio's API never redirects a request it processes, and a redirect says the request was
    not carried out at this address: nothing was sent. It means TWILIO_API_URL points at the
    wrong place (an old edge, a proxy, http:// where https:// is served), so every further
    message would fail the same way: the task stops (not a per-recipient failure).
    """
    status = response.status_code
    return TwilioRejected(
        ErrorCode.TWILIO_CONNECTION_ERROR,
        f"Twilio answered HTTP {status}, a redirect to {_origin(response.headers.get('Location'))}"
        ", which is not followed (check TWILIO_API_URL); the SMS was not sent",
        possibly_sent=False,
        http_status=status,
    )


def _origin(location: str | None) -> str:
    # Only scheme and host: the rest of an answer's Location is of no use to an operator.
    if not location:
        return "nowhere (no Location header)"
    try:
        parts = urlsplit(location[:2048])
        host = parts.hostname
    except ValueError:
        return "an unreadable address"
    return f"{parts.scheme}://{host}" if host else "a relative address"


def from_exception(exc: requests.RequestException) -> TwilioUnreachable:
    """Translate a transport failure (no HTTP answer)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _connection("timed out connecting to Twilio; the SMS was not sent", may_sent=False)
    if isinstance(exc, requests.exceptions.SSLError):
        return _connection("TLS handshake with Twilio failed; the SMS was not sent", may_sent=False)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return _connection(
            "timed out waiting for Twilio's answer; the SMS may have been sent", may_sent=True
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _never_connected(exc):
            return _connection(
                f"cannot connect to Twilio ({_root_cause(exc)}); the SMS was not sent",
                may_sent=False,
            )
        return _connection(
            f"connection to Twilio broke ({_root_cause(exc)}); the SMS may have been sent",
            may_sent=True,
        )
    return TwilioUnreachable(
        ErrorCode.UNKNOWN_ERROR,
        f"request to Twilio failed: {type(exc).__name__}",
        possibly_sent=True,
    )


def unreadable_success(status: int) -> TwilioUnreadable:
    """Twilio accepted the message but its answer carries no message SID."""
    return TwilioUnreadable(
        ErrorCode.UNKNOWN_ERROR,
        f"Twilio answered HTTP {status} without a message SID; the SMS may have been sent",
        possibly_sent=True,
        http_status=status,
    )


def unreadable_list(status: int) -> TwilioUnreadable:
    """A message list page that is not shaped like Twilio's (reading it sends nothing)."""
    return TwilioUnreadable(
        ErrorCode.UNKNOWN_ERROR,
        f"Twilio answered HTTP {status} with a message list that could not be read",
        possibly_sent=False,
        http_status=status,
    )


def _connection(message: str, *, may_sent: bool) -> TwilioUnreachable:
    return TwilioUnreachable(ErrorCode.TWILIO_CONNECTION_ERROR, message, possibly_sent=may_sent)


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    # urllib3 reports refused connections and DNS failures as NewConnectionError (inside a
    # MaxRetryError); a reset or a dropped answer after the request went out is a ProtocolError.
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _root_cause(exc: BaseException) -> str:
    seen: set[int] = set()
    cause: BaseException = exc
    while True:
        nxt = cause.__cause__ or cause.__context__
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        cause = nxt
    return type(cause).__name__


def _error_body(response: requests.Response) -> dict[str, object]:
    try:
        body = json.loads(response.content[:65536])
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}
