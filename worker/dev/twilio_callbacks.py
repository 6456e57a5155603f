"""The Twilio stand-in's webhooks, signed like Twilio's: status callbacks for the messages it
accepts, and the inbound SMS it is asked to simulate.

Status callbacks go to the message's `StatusCallback` URL on a thread of their own, in Twilio's
order: queued, sent, then delivered, or a delivery failure for the numbers in
`DELIVERY_FAILURES` (accepted with 201 like any other, then lost on the way, the way a landline
or a switched-off phone is). A request Twilio rejects (the magic numbers' 4xx) creates no
message, so, as with Twilio, it gets no callback. Like Twilio by default, a callback is retried
once, and only when the connection fails.

Each webhook carries X-Twilio-Signature (keyed with the account's auth token, whatever
credentials the message was sent with) and a fresh I-Twilio-Idempotency-Token; a retry repeats
both.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

from worker.dev.twilio_faults import error_body
from worker.webhooks.signature import SIGNATURE_HEADER, compute_signature

API_VERSION = "2010-04-01"
# Twilio's own user agent for webhooks.
USER_AGENT = "TwilioProxy/1.1"
# To numbers whose messages are accepted and then not delivered: (final status, Twilio error).
DELIVERY_FAILURES: dict[str, tuple[str, int]] = {
    "+15005550010": ("undelivered", 30003),  # unreachable destination handset
    "+15005550011": ("failed", 30006),  # landline or unreachable carrier
}
_TIMEOUT_S = (5.0, 15.0)  # Twilio's default connect and read timeouts for webhooks
_CONNECT_RETRIES = 1


@dataclass(frozen=True)
class SentWebhook:
    """One webhook the stand-in sent. `status` is None when no answer came back."""

    url: str
    params: dict[str, str]
    token: str
    status: int | None
    answer: bytes = b""


class WebhookSender:
    def __init__(self, account_sid: str, auth_token: str, *, step_delay_s: float = 0.05) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        # Where simulated inbound SMS go (`sandbox --inbound-url`), unless a call names a URL.
        self.inbound_url: str | None = None
        self.step_delay_s = step_delay_s
        self._lock = threading.Condition()
        self._sent: list[SentWebhook] = []
        self._pending = 0
        self._stopping = threading.Event()
        # Cleared by `hold()`: status callbacks wait until `release()` (tests use it to let the
        # process reach its wait first, which Twilio does not promise).
        self._released = threading.Event()
        self._released.set()
        self._pool: ThreadPoolExecutor | None = None
        self._session = requests.Session()

    # --- status callbacks -----------------------------------------------------------------------
    def message_created(self, form: Mapping[str, str], message: Mapping[str, object]) -> None:
        """A message was accepted: report its way, if its form asked for status callbacks."""
        url = form.get("StatusCallback")
        if not url:
            return
        with self._lock:
            if self._pool is None:
                self._stopping.clear()
                self._pool = ThreadPoolExecutor(4, thread_name_prefix="standin-callbacks")
            self._pending += 1
            pool = self._pool
        pool.submit(self._report, url, dict(form), dict(message))

    def _report(self, url: str, form: dict[str, str], message: dict[str, object]) -> None:
        try:
            final, error = DELIVERY_FAILURES.get(form.get("To", ""), ("delivered", None))
            while not self._released.wait(0.05):
                if self._stopping.is_set():
                    return
            for status in ("queued", "sent", final):
                if self._stopping.wait(self.step_delay_s):
                    return
                params = {
                    "AccountSid": self.account_sid,
                    "ApiVersion": API_VERSION,
                    "MessageSid": str(message.get("sid")),
                    "SmsSid": str(message.get("sid")),
                    "MessageStatus": status,
                    "SmsStatus": status,
                    "To": form.get("To", ""),
                    "From": str(message.get("from") or ""),
                }
                if form.get("MessagingServiceSid"):
                    params["MessagingServiceSid"] = form["MessagingServiceSid"]
                if status == final and error is not None:
                    params["ErrorCode"] = str(error)
                self.post(url, params)
        finally:
            with self._lock:
                self._pending -= 1
                self._lock.notify_all()

    def hold(self) -> None:
        """Status callbacks wait (from their first one) until `release()`."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    # --- inbound SMS ----------------------------------------------------------------------------
    def send_inbound(self, sender: str, to: str, body: str, url: str | None = None) -> SentWebhook:
        """Someone texted `to` (one of the account's numbers): call its "A message comes in"
        webhook now, and return what it answered."""
        target = url or self.inbound_url
        if not target:
            raise ValueError("no inbound URL: pass one, or start the sandbox with --inbound-url")
        sid = "SM" + uuid.uuid4().hex
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "From": sender,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
        }
        return self.post(target, params)

    # --- transport ------------------------------------------------------------------------------
    def post(self, url: str, params: dict[str, str], token: str | None = None) -> SentWebhook:
        """POST one signed webhook (retried once if the connection fails, as Twilio does)."""
        token = token or f"{self.account_sid}-{uuid.uuid4().hex}"
        headers = {
            SIGNATURE_HEADER: compute_signature(self.auth_token, url, params.items()),
            "I-Twilio-Idempotency-Token": token,
            "User-Agent": USER_AGENT,
        }
        status: int | None = None
        answer = b""
        for _ in range(1 + _CONNECT_RETRIES):
            try:
                response = self._session.post(url, data=params, headers=headers, timeout=_TIMEOUT_S)
            except requests.ConnectionError:
                continue
            except requests.RequestException:
                break
            status, answer = response.status_code, response.content
            break
        sent = SentWebhook(url, dict(params), token, status, answer)
        with self._lock:
            self._sent.append(sent)
        return sent

    # --- records and lifecycle ------------------------------------------------------------------
    @property
    def sent(self) -> list[SentWebhook]:
        with self._lock:
            return list(self._sent)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Wait until every scheduled status callback went out; False if not in time."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout_s)

    def reset(self) -> None:
        self._released.set()
        with self._lock:
            self._sent.clear()

    def close(self) -> None:
        """Drop callbacks not sent yet and stop their threads."""
        self._stopping.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._pending = 0
            self._lock.notify_all()


def simulate_inbound(
    sender: WebhookSender, method: str, form: Mapping[str, str]
) -> tuple[int, dict[str, Any]]:
    """The stand-in's `POST /sandbox/inbound` (From, To, Body): not part of Twilio's API, the
    sandbox's way to have someone text one of the account's numbers. Answers with the status
    the webhook answered."""
    if method != "POST":
        return 405, error_body(405, 20004, "Method not allowed")
    if not form.get("From") or not form.get("To"):
        return 400, error_body(400, 21603, "From and To are required")
    try:
        sent = sender.send_inbound(form["From"], form["To"], form.get("Body", ""))
    except ValueError as exc:
        return 409, error_body(409, 0, str(exc))
    return 200, {"messageSid": sent.params["MessageSid"], "url": sent.url, "status": sent.status}
