"""Twilio's Messages API over one pooled requests.Session."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from worker.config import TwilioSettings
from worker.http_session import pooled_session
from worker.metrics import Metrics, status_label
from worker.retry import RetryPolicy, retry_call
from worker.sms.inputs import Sender
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
    exist, so those are reported, never retried here.
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
        self._base = f"{settings.api_url}/{API_VERSION}/Accounts/{settings.account}"
        self._timeout = (settings.connect_timeout_ms / 1000, settings.read_timeout_ms / 1000)
        self._retry_budget_s = settings.retry_429_budget_ms / 1000
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        # Retry-After may be an HTTP date: how long until then is read off the wall clock.
        self._wall_clock = wall_clock
        # One connection per worker thread, so concurrent tasks never queue for a socket.
        self._session = pooled_session(settings.api_url, pool_size)
        self._session.auth = settings.auth
        self._session.headers.update({"User-Agent": _USER_AGENT, "Accept": "application/json"})

    def send_message(self, sender: Sender, to: str, body: str) -> str:
        """POST one message; return its SID or raise worker.errors.DeliveryError."""
        form = {"To": to, "Body": body}
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

    def close(self) -> None:
        self._session.close()

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        def attempt() -> requests.Response:
            sent_at = self._clock()
            try:
                response = self._session.request(method, url, timeout=self._timeout, **kwargs)
            except requests.RequestException as exc:
                self._observe(sent_at, None)
                raise translation.from_exception(exc) from exc
            self._observe(sent_at, response.status_code)
            if response.status_code == 429:
                raise _Throttled(response)
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
