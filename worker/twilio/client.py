"""Twilio's Messages API over one pooled requests.Session."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from worker.config import TwilioSettings
from worker.http_session import pooled_session
from worker.metrics import Metrics, status_label
from worker.retry import RetryPolicy, retry_call
from worker.sms.reconcile import ListedMessage
from worker.sms.sender import Sender
from worker.twilio import translation

API_VERSION = "2010-04-01"
_USER_AGENT = "twilio-sms-worker/0.1"
_RETRY_429 = RetryPolicy(base_s=0.25, cap_s=8.0)


class _Throttled(Exception):
    """A 429 answer: Twilio processed nothing, so the request may be repeated."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class TwilioClient:
    """Sends one message per call; retries only what Twilio guarantees it never processed (429).

    A create-message POST is not idempotent: after a 5xx or a read timeout the message may
    exist, so those are reported, never retried here. Also lists messages for reconciliation
    (`worker.sms.reconcile.MessageLookup`), and keeps track of Twilio's clock from the `Date`
    header of every answer.
    """

    def __init__(
        self,
        settings: TwilioSettings,
        *,
        pool_size: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics or Metrics()
        self._api_url = settings.api_url
        self._messages_path = f"/{API_VERSION}/Accounts/{settings.account}/Messages.json"
        self._base = f"{settings.api_url}/{API_VERSION}/Accounts/{settings.account}"
        # Twilio's clock minus ours, in seconds, from the last answer's Date header.
        self._clock_offset_s: float | None = None
        self._timeout = (settings.connect_timeout_ms / 1000, settings.read_timeout_ms / 1000)
        self._retry_budget_s = settings.retry_429_budget_ms / 1000
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        # Retry-After may be an HTTP date: how long until then is read off the wall clock.
        self._wall_clock = wall_clock
        # One connection per worker thread, so concurrent tasks never queue for a socket.
        self._session = pooled_session(settings.api_url, pool_size)
        self._session.auth = settings.auth
        self._session.headers.update({"User-Agent": _USER_AGENT, "Accept": "application/json"})

    def send_message(
        self, sender: Sender, to: str, body: str, *, status_callback: str | None = None
    ) -> str:
        """POST one message; return its SID or raise worker.errors.DeliveryError.
        `status_callback`: where Twilio reports the message's delivery status."""
        form = {"To": to, "Body": body}
        if status_callback:
            form["StatusCallback"] = status_callback
        if sender.is_messaging_service:
            form["MessagingServiceSid"] = sender.value
        else:
            form["From"] = sender.value
        response = self._request("POST", f"{self._base}/Messages.json", data=form)
        answer = _json(response)
        sid = answer.get("sid") if isinstance(answer, dict) else None
        if not isinstance(sid, str) or not sid:
            raise translation.unreadable_success(response.status_code)
        self._metrics.messages_sent.inc()
        return sid

    def fetch_account(self) -> dict[str, Any]:
        """GET the account resource: proves the credentials without sending anything."""
        response = self._request("GET", f"{self._base}.json")
        body = _json(response)
        return body if isinstance(body, dict) else {}

    def probe_message_read(self) -> None:
        """List one message: proves the credentials may read Messages (reconciliation needs
        it) without changing anything, and learns Twilio's clock. Raises DeliveryError."""
        self._list_page(f"{self._api_url}{self._messages_path}", {"PageSize": "1"})

    def twilio_now(self) -> datetime:
        """Twilio's clock now, from the Date header of its last answer (asked for when none
        came yet). The header is truncated to the second and read after it was written, so
        this is never ahead of Twilio's clock and at most a second and a round trip behind."""
        if self._clock_offset_s is None:
            self.probe_message_read()
        offset = self._clock_offset_s or 0.0
        return datetime.fromtimestamp(self._wall_clock() + offset, timezone.utc)

    def message_pages(
        self, to: str, sender: str, page_size: int
    ) -> Iterator[Sequence[ListedMessage]]:
        """Pages of messages to `to` from `sender`, newest first (see MessageLookup)."""
        params = {"To": to, "PageSize": str(page_size)}
        if not sender.startswith("MG"):
            params["From"] = sender
        url: str | None = f"{self._api_url}{self._messages_path}"
        query: dict[str, str] | None = params
        while url is not None:
            answer = self._list_page(url, query)
            yield [_listed(item) for item in answer["messages"]]
            url, query = self._next_page(answer.get("next_page_uri")), None

    def close(self) -> None:
        self._session.close()

    def _list_page(self, url: str, params: dict[str, str] | None) -> dict[str, Any]:
        response = self._request("GET", url, params=params)
        answer = _json(response)
        if not isinstance(answer, dict) or not isinstance(answer.get("messages"), list):
            raise translation.unreadable_list(response.status_code)
        return answer

    def _next_page(self, uri: object) -> str | None:
        if uri is None:
            return None
        # Only ever a page of the same list on the same host: the request carries credentials.
        if not isinstance(uri, str) or not uri.startswith(self._messages_path + "?"):
            raise translation.unreadable_list(200)
        return f"{self._api_url}{uri}"

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        def attempt() -> requests.Response:
            sent_at = self._clock()
            try:
                response = self._session.request(method, url, timeout=self._timeout, **kwargs)
            except requests.RequestException as exc:
                self._observe(sent_at, None)
                raise translation.from_exception(exc) from exc
            self._observe(sent_at, response.status_code)
            self._note_clock(response.headers.get("Date"))
            if response.status_code == 429:
                raise _Throttled(response)
            if 300 <= response.status_code < 400:
                # Not followed (see http_session): `ok` is true for these, so test first.
                raise translation.redirected(response)
            if not response.ok:
                raise translation.from_response(response)
            return response

        try:
            return retry_call(
                attempt,
                policy=_RETRY_429,
                errors=_Throttled,
                deadline=self._clock() + self._retry_budget_s,
                advised_delay_s=lambda t: _retry_after_s(
                    t.response.headers.get("Retry-After"), self._wall_clock()
                ),
                on_retry=lambda _t, _delay: self._metrics.twilio_429_retries.inc(),
                clock=self._clock,
                sleep=self._sleep,
                jitter=self._jitter,
            )
        except _Throttled as throttled:
            raise translation.from_response(throttled.response) from throttled

    def _observe(self, sent_at: float, status: int | None) -> None:
        self._metrics.twilio_request_duration.labels(status=status_label(status)).observe(
            self._clock() - sent_at
        )

    def _note_clock(self, header: str | None) -> None:
        if not header:
            return
        try:
            twilio = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        if twilio.tzinfo is None:  # "-0000": UTC, says RFC 2822
            twilio = twilio.replace(tzinfo=timezone.utc)
        self._clock_offset_s = twilio.timestamp() - self._wall_clock()


def _listed(item: object) -> ListedMessage:
    """A Message resource from a list page. An unreadable one fails the whole page:
    reconciliation must not skip what it cannot read, that message may be the one it seeks."""
    if not isinstance(item, dict):
        raise translation.unreadable_list(200)
    sid, to, created = item.get("sid"), item.get("to"), item.get("date_created")
    if not (isinstance(sid, str) and isinstance(to, str) and isinstance(created, str)):
        raise translation.unreadable_list(200)
    try:
        date_created = parsedate_to_datetime(created)
    except (TypeError, ValueError) as exc:
        raise translation.unreadable_list(200) from exc
    if date_created.tzinfo is None:  # "-0000": UTC, says RFC 2822
        date_created = date_created.replace(tzinfo=timezone.utc)
    sender, service = item.get("from"), item.get("messaging_service_sid")
    return ListedMessage(
        sid=sid,
        to=to,
        sender=sender if isinstance(sender, str) else None,
        messaging_service_sid=service if isinstance(service, str) else None,
        body=str(item.get("body") or ""),
        date_created=date_created.astimezone(timezone.utc),
        direction=str(item.get("direction") or ""),
    )


def _retry_after_s(header: str | None, now: float) -> float | None:
    """Seconds to wait as `Retry-After` asks: delay-seconds, or an HTTP date (`now` is the
    wall clock's time.time()); None when absent or unreadable."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _json(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
