"""Twilio's Messages API over one pooled requests.Session."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from worker import twilio_errors
from worker.backoff import backoff_delay_s
from worker.config import Settings
from worker.http_session import pooled_session
from worker.inputs import Sender
from worker.metrics import Metrics, status_label

API_VERSION = "2010-04-01"
_USER_AGENT = "twilio-sms-worker/0.1"
_RETRY_BASE_S = 0.25
_RETRY_CAP_S = 8.0


class TwilioClient:
    """Sends one message per call; retries only what Twilio guarantees it never processed (429).

    A create-message POST is not idempotent: after a 5xx or a read timeout the message may
    exist, so those are reported, never retried here.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        pool_size: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics or Metrics()
        self._base = f"{settings.twilio_api_url}/{API_VERSION}/Accounts/{settings.twilio_account}"
        self._timeout = (
            settings.twilio_connect_timeout_ms / 1000,
            settings.twilio_read_timeout_ms / 1000,
        )
        self._retry_budget_s = settings.twilio_retry_429_budget_ms / 1000
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        # One connection per worker thread, so concurrent tasks never queue for a socket.
        self._session = pooled_session(
            settings.twilio_api_url, pool_size or settings.max_concurrency
        )
        self._session.auth = settings.twilio_auth
        self._session.headers.update({"User-Agent": _USER_AGENT, "Accept": "application/json"})

    def send_message(self, sender: Sender, to: str, body: str) -> str:
        """POST one message; return its SID or raise worker.errors.ConnectorError."""
        form = {"To": to, "Body": body}
        if sender.is_messaging_service:
            form["MessagingServiceSid"] = sender.value
        else:
            form["From"] = sender.value
        response = self._request("POST", f"{self._base}/Messages.json", data=form)
        answer = _json(response)
        sid = answer.get("sid") if isinstance(answer, dict) else None
        if not isinstance(sid, str) or not sid:
            raise twilio_errors.unreadable_success(response.status_code)
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
        started = self._clock()
        attempt = 0
        while True:
            sent_at = self._clock()
            try:
                response = self._session.request(method, url, timeout=self._timeout, **kwargs)
            except requests.RequestException as exc:
                self._observe(sent_at, None)
                raise twilio_errors.from_exception(exc) from None
            self._observe(sent_at, response.status_code)
            if response.ok:
                return response
            if response.status_code == 429:
                delay = self._retry_delay(response, attempt)
                if self._clock() + delay - started <= self._retry_budget_s:
                    self._metrics.twilio_429_retries.inc()
                    self._sleep(delay)
                    attempt += 1
                    continue
            raise twilio_errors.from_response(response)

    def _observe(self, sent_at: float, status: int | None) -> None:
        self._metrics.twilio_request_duration.labels(status=status_label(status)).observe(
            self._clock() - sent_at
        )

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        computed = backoff_delay_s(
            attempt, base_s=_RETRY_BASE_S, cap_s=_RETRY_CAP_S, jitter=self._jitter()
        )
        advised = _retry_after_s(response.headers.get("Retry-After"))
        return max(computed, advised) if advised is not None else computed


def _retry_after_s(header: str | None) -> float | None:
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
    return max(0.0, when.timestamp() - time.time())


def _json(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
