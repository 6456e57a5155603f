"""The stand-in's webhooks: status callbacks for the messages it accepts and simulated inbound
SMS, checked with Twilio's own RequestValidator as Twilio's would be."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
from twilio.request_validator import RequestValidator

from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn

FROM = "+15005550006"


@dataclass
class Hook:
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class Receiver:
    """Records webhooks and answers each with `status` (a stand-in for our webhooks service)."""

    url: str = ""
    hooks: list[Hook] = field(default_factory=list)
    status: int = 200

    def signed_correctly(self, hook: Hook) -> bool:
        return RequestValidator(DEFAULT_AUTH_TOKEN).validate(
            self.url + hook.path, hook.form, hook.headers["x-twilio-signature"]
        )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    record = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            record.hooks.append(Hook(self.path, headers, dict(parse_qsl(raw))))
            self.send_response(record.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()


def _send(standin: TwilioStandIn, to: str, callback: str | None) -> requests.Response:
    form = {"From": FROM, "To": to, "Body": "hi"}
    if callback:
        form["StatusCallback"] = callback
    return requests.post(
        f"{standin.url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json",
        data=form,
        auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN),
        timeout=30,
    )


def test_an_accepted_message_reports_queued_sent_delivered_signed_like_twilio(
    standin: TwilioStandIn, receiver: Receiver
):
    created = _send(standin, "+14155552671", receiver.url + "/twilio/status?processInstanceId=p1")
    assert created.status_code == 201
    assert standin.webhooks.wait_idle(30)
    assert [h.form["MessageStatus"] for h in receiver.hooks] == ["queued", "sent", "delivered"]
    for hook in receiver.hooks:
        assert hook.path == "/twilio/status?processInstanceId=p1"
        assert receiver.signed_correctly(hook)
        assert hook.form["MessageSid"] == created.json()["sid"]
        assert hook.form["AccountSid"] == DEFAULT_ACCOUNT_SID
        assert "ErrorCode" not in hook.form
    tokens = {h.headers["i-twilio-idempotency-token"] for h in receiver.hooks}
    assert len(tokens) == 3


@pytest.mark.parametrize(
    ("to", "status", "code"),
    [("+15005550010", "undelivered", "30003"), ("+15005550011", "failed", "30006")],
)
def test_the_delivery_failure_numbers_end_with_their_status_and_error_code(
    standin: TwilioStandIn, receiver: Receiver, to: str, status: str, code: str
):
    assert _send(standin, to, receiver.url + "/s").status_code == 201
    assert standin.webhooks.wait_idle(30)
    last = receiver.hooks[-1].form
    assert (last["MessageStatus"], last["ErrorCode"]) == (status, code)


def test_a_rejected_message_or_one_without_statuscallback_gets_no_callback(
    standin: TwilioStandIn, receiver: Receiver
):
    assert _send(standin, "+15005550001", receiver.url + "/s").status_code == 400
    assert _send(standin, "+14155552671", None).status_code == 201
    assert standin.webhooks.wait_idle(30)
    assert receiver.hooks == []


def test_a_webhook_nobody_answers_is_recorded_without_a_status(standin: TwilioStandIn):
    with_port_closed = "http://127.0.0.1:9/s"  # discard port: nothing listens
    sent = standin.webhooks.post(with_port_closed, {"MessageStatus": "sent"})
    assert sent.status is None


def test_sandbox_inbound_posts_a_signed_sms_to_the_inbound_url(
    standin: TwilioStandIn, receiver: Receiver
):
    standin.webhooks.inbound_url = receiver.url + "/twilio/inbound"
    try:
        answer = requests.post(
            standin.url + "/sandbox/inbound",
            data={"From": "+14155552671", "To": FROM, "Body": "YES"},
            timeout=30,
        )
    finally:
        standin.webhooks.inbound_url = None
    assert answer.status_code == 200
    assert answer.json()["status"] == 200
    (hook,) = receiver.hooks
    assert hook.path == "/twilio/inbound"
    assert receiver.signed_correctly(hook)
    assert (hook.form["From"], hook.form["To"], hook.form["Body"]) == ("+14155552671", FROM, "YES")
    assert hook.form["MessageSid"] == answer.json()["messageSid"]


def test_sandbox_inbound_without_an_inbound_url_says_so(standin: TwilioStandIn):
    answer = requests.post(
        standin.url + "/sandbox/inbound", data={"From": "+1415", "To": FROM}, timeout=30
    )
    assert answer.status_code == 409
    assert "--inbound-url" in answer.json()["message"]
