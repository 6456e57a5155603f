"""The JSON resources the Twilio stand-in answers with, shaped like Twilio's (and checked
against its OpenAPI spec in the tests)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

API_VERSION = "2010-04-01"

# GSM 03.38: which bodies fit 160-character segments; the extension table costs two septets.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def count_segments(body: str) -> int:
    """How many SMS segments Twilio bills for `body` (GSM-7 when it fits, else UCS-2)."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in body):
        units, single, multi = sum(2 if c in _GSM_EXTENDED else 1 for c in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // multi)


def now_rfc2822(timestamp: float | None = None) -> str:
    """RFC 2822 in GMT, to the second, like Twilio's dates; `timestamp` defaults to now."""
    moment = (
        datetime.now(timezone.utc)
        if timestamp is None
        else datetime.fromtimestamp(timestamp, timezone.utc)
    )
    return format_datetime(moment.replace(microsecond=0))


def message_resource(
    account_sid: str, form: dict[str, str], now: float | None = None
) -> dict[str, Any]:
    """The 201 answer to a create-message form that passed Twilio's checks, created at `now`
    (a Unix timestamp; default: the real clock)."""
    to, frm, body = form["To"], form.get("From", ""), form.get("Body", "")
    service = form.get("MessagingServiceSid", "")
    media = 1 if form.get("MediaUrl") else 0
    sid = ("MM" if media else "SM") + uuid.uuid4().hex
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}"
    created = now_rfc2822(now)
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": body,
        "date_created": created,
        "date_sent": None,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        # With a Messaging Service Twilio picks the sender later: no From, no segments yet.
        "from": frm or None,
        "messaging_service_sid": service or None,
        "num_media": str(media),
        "num_segments": "0" if service else str(count_segments(body)),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "accepted" if service else "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }


def account_resource(account_sid: str, auth_token: str, created: str) -> dict[str, Any]:
    """The account, as GET Accounts/{sid}.json returns it: with the auth token, like Twilio."""
    base = f"/{API_VERSION}/Accounts/{account_sid}"
    subresources = ("messages", "Messages"), ("calls", "Calls"), ("keys", "Keys")
    return {
        "auth_token": auth_token,
        "date_created": created,
        "date_updated": created,
        "friendly_name": "Twilio stand-in",
        "owner_account_sid": account_sid,
        "sid": account_sid,
        "status": "active",
        "subresource_uris": {k: f"{base}/{v}.json" for k, v in subresources},
        "type": "Full",
        "uri": f"{base}.json",
    }
