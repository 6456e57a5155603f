"""The Twilio stand-in's message log: every message it accepted, listed like Twilio's
`GET /2010-04-01/Accounts/{sid}/Messages.json` (filters, newest first, paging, response shape).

Messages move on like Twilio's: `queued` (or `accepted`, with a Messaging Service, and then
without a `from`) until `sending_delay_s` has passed, then `sent` with a `date_sent`. The
`DateSent` filters compare dates (GMT), not times, like Twilio's; how Twilio treats a message
that has no `date_sent` yet is not documented, so here the filters leave such messages out,
the answer that would hurt a client that relied on them.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from datetime import date, datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from worker.dev.twilio_faults import error_body

# What a Messaging Service picks as the sender once it sends.
SERVICE_SENDER = "+15005550006"
_DEFAULT_PAGE_SIZE, _MAX_PAGE_SIZE = 50, 1000
_DATE_FILTERS = {"DateSent": operator.eq, "DateSent<": operator.le, "DateSent>": operator.ge}
_FILTERS = ("To", "From", *_DATE_FILTERS)


class InvalidQuery(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.reply = error_body(400, 20001, message)


class MessageLog:
    """Thread-safe; `clock()` is the stand-in's (Twilio's) time as a Unix timestamp."""

    def __init__(self, clock: Callable[[], float], sending_delay_s: float = 0.5) -> None:
        self._clock = clock
        self.sending_delay_s = sending_delay_s
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []  # oldest first
        self._created_at: dict[str, float] = {}

    def add(self, resource: dict[str, Any]) -> None:
        with self._lock:
            self._messages.append(resource)
            self._created_at[resource["sid"]] = self._clock()

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._created_at.clear()

    def page(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        """One page of the list at `path` for `query` (raises InvalidQuery)."""
        size = _page_size(query.get("PageSize"))
        token = query.get("PageToken")
        dates = {name: _query_date(name, query[name]) for name in _DATE_FILTERS if name in query}
        with self._lock:
            listed = [self._as_now(m) for m in reversed(self._messages)]
        listed = [m for m in listed if _selected(m, query, dates)]
        start = 0
        if token:
            sids = [m["sid"] for m in listed]
            if not token.startswith("PA") or token[2:] not in sids:
                raise InvalidQuery(f"Invalid PageToken {token}")
            start = sids.index(token[2:]) + 1
        chunk = listed[start : start + size]
        page_number = int(query.get("Page") or 0) if token else 0
        filters = {k: query[k] for k in _FILTERS if k in query}
        more = start + size < len(listed)
        return {
            "end": start + len(chunk) - 1 if chunk else start,
            "first_page_uri": _uri(path, {**filters, "PageSize": size, "Page": 0}),
            "next_page_uri": _uri(
                path,
                {
                    **filters,
                    "PageSize": size,
                    "Page": page_number + 1,
                    "PageToken": "PA" + chunk[-1]["sid"],
                },
            )
            if more and chunk
            else None,
            "page": page_number,
            "page_size": size,
            "previous_page_uri": None
            if page_number == 0
            else _uri(path, {**filters, "PageSize": size, "Page": page_number - 1}),
            "start": start,
            "uri": _uri(path, {**query, "PageSize": size}),
            "messages": chunk,
        }

    def _as_now(self, message: dict[str, Any]) -> dict[str, Any]:
        """The resource as it reads now: sent once the sending delay has passed."""
        created = self._created_at[message["sid"]]
        if self._clock() - created < self.sending_delay_s:
            return dict(message)
        sent = _rfc2822(created + self.sending_delay_s)
        return {
            **message,
            "status": "sent",
            "date_sent": sent,
            "date_updated": sent,
            "from": message["from"] or SERVICE_SENDER,
        }


def _page_size(raw: str | None) -> int:
    if raw is None:
        return _DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise InvalidQuery(f"Invalid PageSize {raw}") from None
    if not 1 <= size <= _MAX_PAGE_SIZE:
        raise InvalidQuery(f"PageSize must be between 1 and {_MAX_PAGE_SIZE}")
    return size


def _selected(message: dict[str, Any], query: dict[str, str], dates: dict[str, date]) -> bool:
    if "To" in query and message["to"] != query["To"]:
        return False
    if "From" in query and message["from"] != query["From"]:
        return False
    if not dates:
        return True
    if message["date_sent"] is None:
        return False
    sent = parsedate_to_datetime(message["date_sent"]).date()
    return all(_DATE_FILTERS[name](sent, wanted) for name, wanted in dates.items())


def _query_date(name: str, raw: str) -> date:
    """The GMT date of a DateSent value: `YYYY-MM-DD` as documented, or a full ISO 8601 or
    RFC 2822 time (Twilio accepts those as well, and uses only their date)."""
    text = raw.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise InvalidQuery(f"Invalid {name} {raw}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed.date()


def _uri(path: str, params: dict[str, Any]) -> str:
    return f"{path}?{urlencode(params)}"


def _rfc2822(timestamp: float) -> str:
    moment = datetime.fromtimestamp(int(timestamp), timezone.utc)
    return format_datetime(moment)
