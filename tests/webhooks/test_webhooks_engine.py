"""The webhooks service on the real engine, reached over real HTTP and signed like Twilio
(by the stand-in's webhook sender, whose signatures Twilio's own library accepts: see
test_twilio_callbacks)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from tests.tcp_proxy import TcpProxy
from tests.twilio_fixtures import settings_for
from worker.dev.demo_two_way import free_port
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_callbacks import SentWebhook, WebhookSender
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn
from worker.runtime.daemon import Daemon
from worker.twilio.webhook_urls import INBOUND_PATH
from worker.webhooks.server import WebhookService
from worker.webhooks.signature import compute_signature

OUR_NUMBER = "+15005550006"
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_{key}" targetNamespace="x">
  <bpmn:message id="Received" name="SMS_RECEIVED"/>
  <bpmn:message id="Status" name="SMS_STATUS"/>
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
"""
FOOTER = """    <bpmn:userTask id="Done"/>
    <bpmn:sequenceFlow id="F9" sourceRef="Done" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""
# start -> wait for SMS_RECEIVED -> user task
REPLY_WAITER = """    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Wait"/>
    <bpmn:intermediateCatchEvent id="Wait"><bpmn:messageEventDefinition messageRef="Received"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="Done"/>
"""
# a message start event SMS_RECEIVED -> user task (the engine allows one such definition)
REPLY_STARTER = """    <bpmn:startEvent id="Start">
      <bpmn:messageEventDefinition messageRef="Received"/>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Done"/>
"""
# send an SMS -> wait for SMS_STATUS -> user task
STATUS_WAITER = """    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Send"/>
    <bpmn:serviceTask id="Send" camunda:type="external" camunda:topic="SEND_SMS_TWO_WAY"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Send" targetRef="Wait"/>
    <bpmn:intermediateCatchEvent id="Wait"><bpmn:messageEventDefinition messageRef="Status"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F3" sourceRef="Wait" targetRef="Done"/>
"""
# send an SMS -> user task: nothing ever waits for SMS_STATUS
STATUS_IGNORER = """    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Send"/>
    <bpmn:serviceTask id="Send" camunda:type="external" camunda:topic="SEND_SMS_TWO_WAY"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Send" targetRef="Done"/>
"""


def _deploy(engine: LocalEngine, key: str, body: str) -> None:
    engine.deploy((f"{key}.bpmn", HEADER.format(key=key) + body + FOOTER), name=key)


def _number() -> str:
    """A sender of its own for each test: replies correlate by number across the engine."""
    return "+1415" + str(uuid.uuid4().int)[:7]


def _waiting_for_reply(engine: LocalEngine, sender: str) -> str:
    variables = {"smsReplyFrom": {"type": "String", "value": sender}}
    return engine.start_process("two-way-reply-waiter", variables)


def _user_task_reached(engine: LocalEngine, instance: str) -> bool:
    return bool(engine.call("GET", "/task", params={"processInstanceId": instance}))


def _variables(engine: LocalEngine, instance: str) -> dict[str, object]:
    raw = engine.process_variables(instance)
    return {
        name: json.loads(v["value"]) if v["type"] == "Json" else v["value"]
        for name, v in raw.items()
    }


@pytest.fixture(scope="module")
def models(engine: LocalEngine) -> None:
    _deploy(engine, "two-way-reply-waiter", REPLY_WAITER)
    _deploy(engine, "two-way-reply-starter", REPLY_STARTER)
    _deploy(engine, "two-way-status-waiter", STATUS_WAITER)
    _deploy(engine, "two-way-status-ignorer", STATUS_IGNORER)


@contextmanager
def _webhooks(engine_url: str, standin: TwilioStandIn) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = settings_for(
        standin,
        camunda_url=engine_url,
        public_url=url,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    with WebhookService(settings).in_background():
        yield url


@pytest.fixture
def webhooks(engine: LocalEngine, standin: TwilioStandIn, models: None) -> Iterator[str]:
    """A webhooks service on the engine; yields its URL (also its SMS_PUBLIC_URL)."""
    with _webhooks(engine.url, standin) as url:
        yield url


def _twilio() -> WebhookSender:
    return WebhookSender(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)


def _reply(url: str, sender: str, body: str = "YES") -> SentWebhook:
    return _twilio().send_inbound(sender, OUR_NUMBER, body, url=url + INBOUND_PATH)


@pytest.mark.engine
def test_a_signed_reply_continues_the_waiting_instance_with_smsreply(
    engine: LocalEngine, webhooks: str
):
    sender = _number()
    instance = _waiting_for_reply(engine, sender)
    sent = _reply(webhooks, sender, "Yes ✓")
    assert sent.status == 200
    assert b"<Response/>" in sent.answer
    engine.wait_until(lambda: _user_task_reached(engine, instance), 30, what="reply correlated")
    seen = _variables(engine, instance)
    assert seen["smsReply"] == {
        "sid": sent.params["MessageSid"],
        "from": sender,
        "to": OUR_NUMBER,
        "body": "Yes ✓",
    }
    assert seen["smsReplySid"] == sent.params["MessageSid"]


@pytest.mark.engine
def test_of_several_instances_waiting_for_one_number_the_last_to_begin_gets_the_reply(
    engine: LocalEngine, webhooks: str
):
    sender = _number()
    first = _waiting_for_reply(engine, sender)
    time.sleep(0.01)  # the engine dates each wait to the millisecond
    second = _waiting_for_reply(engine, sender)
    assert _reply(webhooks, sender).status == 200
    engine.wait_until(lambda: _user_task_reached(engine, second), 30, what="newest got it")
    assert not _user_task_reached(engine, first)
    assert _reply(webhooks, sender).status == 200
    engine.wait_until(lambda: _user_task_reached(engine, first), 30, what="then the older one")


@pytest.mark.engine
@pytest.mark.parametrize("how", ["unsigned", "tampered"])
def test_an_unsigned_or_tampered_reply_gets_403_and_changes_nothing(
    engine: LocalEngine, webhooks: str, how: str
):
    sender = _number()
    instance = _waiting_for_reply(engine, sender)
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": sender,
        "To": OUR_NUMBER,
        "Body": "YES",
    }
    url = webhooks + INBOUND_PATH
    if how == "unsigned":
        answer = requests.post(url, data=form, timeout=30)
    else:
        # Signed for this form, sent with another body.
        headers = {"X-Twilio-Signature": compute_signature(DEFAULT_AUTH_TOKEN, url, form.items())}
        answer = requests.post(url, data={**form, "Body": "NO"}, headers=headers, timeout=30)
    assert answer.status_code == 403
    assert not _user_task_reached(engine, instance)
    assert set(_variables(engine, instance)) == {"smsReplyFrom"}


def _instances_with_reply(engine: LocalEngine, sid: str) -> list[str]:
    found = engine.call(
        "GET",
        "/history/variable-instance",
        params={"variableName": "smsReplySid", "variableValue": sid},
    )
    return [str(v["processInstanceId"]) for v in found]


@pytest.mark.engine
def test_a_reply_nobody_waits_for_starts_the_message_start_process(
    engine: LocalEngine, webhooks: str
):
    sender = _number()
    sent = _reply(webhooks, sender, "Hello?")
    assert sent.status == 200
    (instance,) = _instances_with_reply(engine, sent.params["MessageSid"])
    definition = engine.call("GET", f"/history/process-instance/{instance}")
    assert definition["processDefinitionKey"] == "two-way-reply-starter"
    assert _variables(engine, instance)["smsReply"]["body"] == "Hello?"  # type: ignore[index]


@pytest.mark.engine
def test_a_duplicate_webhook_is_handled_once_by_one_replica_or_another(
    engine: LocalEngine, standin: TwilioStandIn, webhooks: str
):
    sender = _number()
    first = _reply(webhooks, sender)
    twilio = _twilio()
    # Twilio's retry: the same form and idempotency token, to the same replica...
    again = twilio.post(first.url, first.params, token=first.token)
    # ... and to another replica, which has never seen the token.
    with _webhooks(engine.url, standin) as other:
        elsewhere = twilio.post(other + INBOUND_PATH, first.params, token=first.token)
    assert [first.status, again.status, elsewhere.status] == [200, 200, 200]
    assert len(_instances_with_reply(engine, first.params["MessageSid"])) == 1


@pytest.mark.engine
def test_engine_down_gives_503_and_twilios_retry_lands_once_it_is_back(
    engine: LocalEngine, standin: TwilioStandIn, models: None
):
    sender = _number()
    instance = _waiting_for_reply(engine, sender)
    proxy = TcpProxy(engine.port)
    try:
        with _webhooks(f"http://127.0.0.1:{proxy.port}/engine-rest", standin) as url:
            proxy.cut()
            down = _reply(url, sender)
            assert down.status == 503
            assert not _user_task_reached(engine, instance)
            proxy.restore()
            retry = _twilio().post(down.url, down.params, token=down.token)
            assert retry.status == 200
            engine.wait_until(lambda: _user_task_reached(engine, instance), 30, what="retry")
    finally:
        proxy.close()


@contextmanager
def _sending_worker(engine: LocalEngine, standin: TwilioStandIn, public_url: str) -> Iterator[None]:
    settings = settings_for(
        standin,
        camunda_url=engine.url,
        topic="SEND_SMS_TWO_WAY",
        poll_timeout_ms=0,
        max_concurrency=4,
        public_url=public_url,
    )
    with Daemon(settings).in_background():
        yield


def _waits_at(engine: LocalEngine, instance: str, activity: str) -> bool:
    found = engine.call(
        "GET", "/event-subscription", params={"processInstanceId": instance, "activityId": activity}
    )
    return bool(found)


def _send_variables(to: str) -> dict[str, dict[str, str]]:
    values = {"smsFrom": OUR_NUMBER, "smsTo": to, "smsBody": "Your code is 1234"}
    return {k: {"type": "String", "value": v} for k, v in values.items()}


@pytest.mark.engine
@pytest.mark.parametrize(
    ("to", "status", "code"),
    [("+14155550171", "delivered", None), ("+15005550011", "failed", 30006)],
    ids=["delivered", "failed"],
)
def test_status_callbacks_for_a_sent_message_reach_the_instance_waiting_on_sms_status(
    engine: LocalEngine,
    standin: TwilioStandIn,
    webhooks: str,
    to: str,
    status: str,
    code: int | None,
):
    # Held until the instance waits: Twilio may well report first, which the next test covers.
    standin.webhooks.hold()
    instance = engine.start_process("two-way-status-waiter", _send_variables(to))
    with _sending_worker(engine, standin, webhooks):
        engine.wait_until(lambda: _waits_at(engine, instance, "Wait"), 30, what="waiting")
        standin.webhooks.release()
        engine.wait_until(lambda: _user_task_reached(engine, instance), 30, what="status")
    assert standin.webhooks.wait_idle(30)
    (message,) = [r for r in standin.received if r.form.get("To") == to]
    callback = f"{webhooks}/twilio/status?processInstanceId={instance}"
    assert message.form["StatusCallback"] == callback
    assert _variables(engine, instance)["smsStatus"] == {
        "sid": message.message_sid,
        "to": to,
        "status": status,
        "errorCode": code,
    }
    statuses = [h.params["MessageStatus"] for h in standin.webhooks.sent if h.params["To"] == to]
    assert statuses == ["queued", "sent", status]


@pytest.mark.engine
def test_a_status_nobody_waits_for_is_set_on_the_instance(
    engine: LocalEngine, standin: TwilioStandIn, webhooks: str
):
    to = "+14155550172"
    instance = engine.start_process("two-way-status-ignorer", _send_variables(to))
    with _sending_worker(engine, standin, webhooks):
        engine.wait_until(lambda: _user_task_reached(engine, instance), 30, what="sent")
        assert standin.webhooks.wait_idle(30)
    assert all(h.status == 200 for h in standin.webhooks.sent if h.params["To"] == to)
    assert _variables(engine, instance)["smsStatus"]["status"] == "delivered"  # type: ignore[index]


@pytest.mark.engine
def test_the_probes_answer_ready_when_the_engine_does(webhooks: str):
    assert requests.get(webhooks + "/healthz", timeout=30).status_code == 200
    ready = requests.get(webhooks + "/readyz", timeout=30)
    assert (ready.status_code, ready.text) == (200, "ok: the engine answers\n")
