"""The webhook application over real HTTP (waitress on loopback), with an in-memory engine:
authentication first, Twilio's answers, idempotency, 503 when the engine is down, limits,
metrics and logs."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from prometheus_client import CollectorRegistry
from twilio.request_validator import RequestValidator

from tests.webhooks.fake_messages import FakeMessages
from worker.config import WebhookSettings
from worker.metrics import Metrics
from worker.runtime.health import Probe
from worker.webhooks.app import EMPTY_TWIML, MAX_BODY_BYTES, WebhookApp
from worker.webhooks.delivery import Delivery
from worker.webhooks.server import WaitressServer
from worker.webhooks.signature import SignatureCheck

TOKEN = "feedface" * 4
PUBLIC = "https://sms.example.com"
SID = "SM" + "0f" * 16
CUSTOMER, OUR_NUMBER = "+14155552671", "+15005550006"
REPLY = {"MessageSid": SID, "From": CUSTOMER, "To": OUR_NUMBER, "Body": "YES please"}


class StaticProbes:
    def __init__(self) -> None:
        self.ready_probe = Probe(True, "the engine answers")

    def alive(self) -> Probe:
        return Probe(True, "serving webhooks")

    def ready(self) -> Probe:
        return self.ready_probe


@dataclass
class Served:
    url: str
    engine: FakeMessages
    metrics: Metrics
    probes: StaticProbes

    def post(
        self, path: str, form: dict[str, str], *, signed_as: str | None = None, token: str = ""
    ) -> requests.Response:
        """POST like Twilio: signed for the public URL (or `signed_as`) with Twilio's library."""
        signature = RequestValidator(TOKEN).compute_signature(signed_as or PUBLIC + path, form)
        headers = {"X-Twilio-Signature": signature}
        if token:
            headers["I-Twilio-Idempotency-Token"] = token
        return requests.post(self.url + path, data=form, headers=headers, timeout=30)

    def count(self, kind: str, result: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "sms_worker_webhooks_total", {"kind": kind, "result": result}
        )
        return value or 0.0


@pytest.fixture
def served() -> Iterator[Served]:
    engine, metrics, probes = FakeMessages(), Metrics(CollectorRegistry()), StaticProbes()
    app = WebhookApp(Delivery(engine), SignatureCheck(TOKEN, PUBLIC), probes, metrics=metrics)
    settings = WebhookSettings("127.0.0.1", 0, 4, PUBLIC, TOKEN)
    server = WaitressServer(app, settings)
    thread = threading.Thread(target=server.serve, args=(5.0,), daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.port}", engine, metrics, probes)
    finally:
        server.stop()
        thread.join(30)


def test_a_signed_reply_reaches_the_waiting_instance_and_gets_empty_twiml(served: Served):
    served.engine.waiting[CUSTOMER] = ["p1"]
    answer = served.post("/twilio/inbound", REPLY)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/xml"
    assert answer.content == EMPTY_TWIML
    assert json.loads(served.engine.variables[("p1", "smsReply")]["value"]) == {
        "sid": SID,
        "from": CUSTOMER,
        "to": OUR_NUMBER,
        "body": "YES please",
    }
    assert served.count("inbound", "correlated") == 1


@pytest.mark.parametrize(
    "how", ["unsigned", "tampered", "other-token", "local-url"], ids=lambda h: h
)
def test_an_unauthenticated_webhook_gets_403_and_nothing_reaches_the_engine(
    served: Served, how: str
):
    served.engine.waiting[CUSTOMER] = ["p1"]
    url = served.url + "/twilio/inbound"
    if how == "unsigned":
        answer = requests.post(url, data=REPLY, timeout=30)
    elif how == "tampered":
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + "/twilio/inbound", REPLY)
        forged = {**REPLY, "Body": "NO"}
        answer = requests.post(url, data=forged, headers={"X-Twilio-Signature": signature})
    elif how == "other-token":
        signature = RequestValidator("x" * 32).compute_signature(PUBLIC + "/twilio/inbound", REPLY)
        answer = requests.post(url, data=REPLY, headers={"X-Twilio-Signature": signature})
    else:
        answer = served.post("/twilio/inbound", REPLY, signed_as=url)
    assert answer.status_code == 403
    assert served.engine.calls == []
    assert served.count("inbound", "forbidden") == 1


def test_a_retry_with_the_same_token_is_answered_without_reaching_the_engine_again(
    served: Served,
):
    served.engine.start_event = True
    first = served.post("/twilio/inbound", REPLY, token="tok-1")
    calls = len(served.engine.calls)
    again = served.post("/twilio/inbound", REPLY, token="tok-1")
    assert (first.status_code, first.content) == (again.status_code, again.content)
    assert len(served.engine.calls) == calls
    assert len(served.engine.started) == 1
    assert served.count("inbound", "duplicate") == 1


def test_a_retry_with_a_new_token_is_recognised_by_the_engine_check(served: Served):
    """Another replica (or this one after a restart) knows no token: the engine does."""
    served.engine.start_event = True
    served.post("/twilio/inbound", REPLY, token="tok-1")
    served.post("/twilio/inbound", REPLY, token="tok-2")
    assert len(served.engine.started) == 1
    assert served.count("inbound", "duplicate") == 1


def test_engine_down_gives_503_and_the_retry_is_handled_once_it_is_back(served: Served):
    served.engine.waiting[CUSTOMER] = ["p1"]
    served.engine.unreachable = True
    answer = served.post("/twilio/inbound", REPLY, token="tok-1")
    assert answer.status_code == 503
    assert served.count("inbound", "engine-unavailable") == 1
    served.engine.unreachable = False
    assert served.post("/twilio/inbound", REPLY, token="tok-1").status_code == 200
    assert ("p1", "smsReply") in served.engine.variables


def test_a_reply_nobody_waits_for_and_no_process_starts_with_is_answered_and_counted(
    served: Served,
):
    answer = served.post("/twilio/inbound", REPLY)
    assert answer.status_code == 200
    assert served.count("inbound", "unmatched") == 1


def test_a_final_status_reaches_the_waiting_instance(served: Served):
    served.engine.instances.add("p7")
    served.engine.status_waiting.add("p7")
    form = {"MessageSid": SID, "MessageStatus": "delivered", "To": CUSTOMER}
    answer = served.post("/twilio/status?processInstanceId=p7", form)
    assert answer.status_code == 200
    seen = json.loads(served.engine.variables[("p7", "smsStatus")]["value"])
    assert seen == {"sid": SID, "to": CUSTOMER, "status": "delivered", "errorCode": None}
    assert served.count("status", "correlated") == 1


def test_a_final_status_nobody_waits_for_is_stored_on_the_instance(served: Served):
    served.engine.instances.add("p8")
    form = {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "30006", "To": CUSTOMER}
    assert served.post("/twilio/status?processInstanceId=p8", form).status_code == 200
    assert json.loads(served.engine.variables[("p8", "smsStatus")]["value"])["errorCode"] == 30006
    assert served.count("status", "stored") == 1
    # Twilio retries with a new token: the stored status says it was handled.
    assert served.post("/twilio/status?processInstanceId=p8", form).status_code == 200
    assert served.count("status", "duplicate") == 1


def test_a_status_for_an_ended_instance_is_answered_200(served: Served):
    form = {"MessageSid": SID, "MessageStatus": "delivered", "To": CUSTOMER}
    assert served.post("/twilio/status?processInstanceId=gone", form).status_code == 200
    assert served.count("status", "gone") == 1


def test_statuses_before_the_final_one_do_not_reach_the_engine(served: Served):
    form = {"MessageSid": SID, "MessageStatus": "sent", "To": CUSTOMER}
    assert served.post("/twilio/status?processInstanceId=p1", form).status_code == 200
    assert served.engine.calls == []
    assert served.count("status", "ignored") == 1


def test_a_signed_but_malformed_webhook_gets_400(served: Served):
    answer = served.post("/twilio/inbound", {"MessageSid": "nope", "From": CUSTOMER})
    assert answer.status_code == 400
    assert b"MessageSid" in answer.content
    assert served.engine.calls == []


def test_a_body_over_the_limit_is_refused_before_our_code_runs(served: Served):
    big = {**REPLY, "Body": "x" * MAX_BODY_BYTES}
    answer = requests.post(served.url + "/twilio/inbound", data=big, timeout=30)
    assert answer.status_code == 413
    assert served.engine.calls == []


def test_other_methods_paths_and_content_types_are_refused(served: Served):
    get = requests.get(served.url + "/twilio/inbound", timeout=30)
    assert (get.status_code, get.headers["Allow"]) == (405, "POST")
    assert requests.post(served.url + "/twilio/other", timeout=30).status_code == 404
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + "/twilio/inbound", {})
    as_json = requests.post(
        served.url + "/twilio/inbound",
        json=REPLY,
        headers={"X-Twilio-Signature": signature},
        timeout=30,
    )
    assert as_json.status_code == 415
    assert served.engine.calls == []


def test_probes_answer_on_the_webhook_port(served: Served):
    assert requests.get(served.url + "/healthz", timeout=30).status_code == 200
    assert requests.get(served.url + "/readyz", timeout=30).status_code == 200
    served.probes.ready_probe = Probe(False, "the engine did not answer")
    answer = requests.get(served.url + "/readyz", timeout=30)
    assert (answer.status_code, answer.text) == (503, "failing: the engine did not answer\n")


def test_logs_mask_numbers_and_never_show_the_message_body(
    served: Served, caplog: pytest.LogCaptureFixture
):
    served.engine.waiting[CUSTOMER] = ["p1"]
    with caplog.at_level(logging.DEBUG, logger="worker"):
        served.post("/twilio/inbound", REPLY)
    text = caplog.text
    assert "YES please" not in text
    assert CUSTOMER not in text
    assert "+1415***2671" in text
    record = next(r for r in caplog.records if getattr(r, "result", None) == "correlated")
    assert (record.webhook, record.message_sid) == ("inbound", SID)
