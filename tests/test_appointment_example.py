"""bpmn/appointment-confirmation.bpmn, the two-way SMS example: the same static checks as the
send-sms example, then each way through it on the real engine with the worker, the webhooks
service and the stand-in's status callbacks and replies (`demo --two-way` drives the first)."""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.test_bpmn_example import CAMUNDA, NS, _require_node_modules
from worker.dev.demo_two_way import (
    BPMN,
    PROCESS_KEY,
    SENDER,
    run_two_way_demo,
    settled_or_waiting_for_reply,
    two_way_services,
)
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.twilio.webhook_urls import INBOUND_PATH
from worker.webhooks.delivery import REPLY_FROM_VARIABLE, REPLY_MESSAGE, STATUS_MESSAGE

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_passes_bpmnlint_without_warnings():
    _require_node_modules()
    npx = shutil.which("npx")
    if npx is None:
        pytest.fail("npx (Node.js) is not on PATH: it runs bpmnlint", pytrace=False)
    done = subprocess.run(
        [npx, "--no-install", "bpmnlint", str(BPMN.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stdout, done.stdout


def test_the_example_waits_for_the_reply_the_status_and_24_hours_and_is_laid_out():
    root = ET.parse(BPMN).getroot()
    process = root.find("bpmn:process", NS)
    assert process is not None
    assert process.get("id") == PROCESS_KEY
    assert process.get(CAMUNDA + "historyTimeToLive")
    messages = {m.get("id"): m.get("name") for m in root.iterfind("bpmn:message", NS)}
    assert set(messages.values()) == {REPLY_MESSAGE, STATUS_MESSAGE}
    gateway = process.find("bpmn:eventBasedGateway", NS)
    assert gateway is not None
    after = {
        f.get("targetRef")
        for f in process.iterfind("bpmn:sequenceFlow", NS)
        if f.get("sourceRef") == gateway.get("id")
    }
    waits = [process.find(f"bpmn:intermediateCatchEvent[@id='{t}']", NS) for t in after]
    refs = {
        messages.get(d.get("messageRef"))
        for w in waits
        if w is not None
        for d in w.iterfind("bpmn:messageEventDefinition", NS)
    }
    assert refs == {REPLY_MESSAGE, STATUS_MESSAGE}
    assert [
        t.text for w in waits if w is not None for t in w.iterfind(".//bpmn:timeDuration", NS)
    ] == ["PT24H"]
    send = process.find("bpmn:serviceTask", NS)
    assert send is not None
    assert send.get(CAMUNDA + "topic") == "SEND_SMS"
    outputs = {p.get("name") for p in send.iterfind(".//camunda:outputParameter", NS)}
    assert REPLY_FROM_VARIABLE in outputs
    ids = {el.get("id") for el in process if el.get("id")}
    shown = {el.get("bpmnElement") for el in root.iter() if el.get("bpmnElement")}
    assert ids - shown == set(), "elements without diagram information"


def _answered(engine: LocalEngine, standin: TwilioStandIn, to: str, reply: str | None) -> str:
    """Start the example for `to`, let the status callbacks come, answer `reply` (None: no
    answer), and return where the instance comes to rest."""
    engine.deploy(BPMN, name="appointment-example")
    with two_way_services(engine, standin) as public_url:
        variables = {
            "customerName": "Bo",
            "customerPhone": to,
            "appointment": "Fri",
            "smsSender": SENDER,
        }
        instance = engine.start_process(
            PROCESS_KEY, {k: {"type": "String", "value": v} for k, v in variables.items()}
        )
        engine.wait_until(
            lambda: any(r.form.get("To") == to for r in standin.received), 30, what="sent"
        )
        assert standin.webhooks.wait_idle(30)
        engine.wait_until(lambda: settled_or_waiting_for_reply(engine, instance), 30, what="wait")
        if reply is not None:
            answer = standin.webhooks.send_inbound(to, SENDER, reply, url=public_url + INBOUND_PATH)
            assert answer.status == 200
        return str(engine.wait_until(lambda: _resting_place(engine, instance), 30, what="settled"))


def _resting_place(engine: LocalEngine, instance: str) -> str | None:
    if engine.is_ended(instance):
        ends = engine.call(
            "GET",
            "/history/activity-instance",
            params={"processInstanceId": instance, "activityType": "noneEndEvent"},
        )
        return str(ends[0]["activityId"])
    tasks = engine.call("GET", "/task", params={"processInstanceId": instance})
    return str(tasks[0]["taskDefinitionKey"]) if tasks else None


@pytest.mark.engine
def test_demo_two_way_confirms_the_appointment_with_a_yes(engine: LocalEngine):
    out = io.StringIO()
    assert run_two_way_demo(engine=engine, to="+14155550181", out=out) == 0
    text = out.getvalue()
    assert "status callback delivered: HTTP 200" in text
    assert '"body": "YES"' in text
    assert "End_Confirmed" in text


@pytest.mark.engine
def test_any_other_answer_goes_to_a_person(engine: LocalEngine, standin: TwilioStandIn):
    assert _answered(engine, standin, "+14155550182", "not sure") == "Task_CallCustomer"


@pytest.mark.engine
def test_an_undelivered_sms_goes_to_a_person_without_waiting_24_hours(
    engine: LocalEngine, standin: TwilioStandIn
):
    # The stand-in accepts this number, then reports it undelivered (30003).
    assert _answered(engine, standin, "+15005550010", None) == "Task_CallCustomer"
