"""bpmn/: the example process and the Camunda Modeler element template.

Static checks (bpmnlint, the official element template JSON schema, the template agreeing with the
worker and the example), then the example deployed unchanged on the real engine with every path
driven by the real worker, and the engine facts the example relies on (the `${` escape, variables
after a caught BPMN error, output mappings that survive cancellation).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.twilio_fixtures import settings_for
from worker.config import Settings, load_settings
from worker.dev.local_engine import LocalEngine, LocalEngineError
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, TwilioStandIn
from worker.errors import ErrorCode, InputError
from worker.runtime.daemon import Daemon
from worker.sms.inputs import INPUT_NAMES
from worker.sms.sender import parse_sender

ROOT = Path(__file__).resolve().parents[1]
BPMN_FILE = ROOT / "bpmn" / "send-sms.bpmn"
TEMPLATE_FILE = ROOT / "bpmn" / "twilio-sms.json"
SCHEMA_FILE = (
    ROOT
    / "node_modules"
    / "@camunda"
    / "element-templates-json-schema"
    / "resources"
    / "schema.json"
)
PROCESS_KEY = "twilio-sms-example"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
CAMUNDA = "{" + NS["camunda"] + "}"


def _require_node_modules() -> None:
    """npm-based checks fail, never skip, without node_modules: CI runs `npm ci` first."""
    if not (ROOT / "node_modules" / ".bin" / "bpmnlint").exists() or not SCHEMA_FILE.is_file():
        pytest.fail(
            "node_modules is missing or incomplete: run `npm ci --no-audit --no-fund` in the "
            "repository root (package.json pins bpmnlint and the element template schema)",
            pytrace=False,
        )


def _template() -> dict[str, Any]:
    return dict(json.loads(TEMPLATE_FILE.read_text(encoding="utf-8")))


def _process() -> ET.Element:
    process = ET.parse(BPMN_FILE).getroot().find("bpmn:process", NS)
    assert process is not None
    return process


def _send_task() -> ET.Element:
    task = _process().find("bpmn:serviceTask[@id='Task_SendSms']", NS)
    assert task is not None
    return task


# --- static checks ---------------------------------------------------------------------------


def test_the_example_passes_bpmnlint() -> None:
    _require_node_modules()
    npx = shutil.which("npx")
    if npx is None:
        pytest.fail("npx (Node.js) is not on PATH: it runs bpmnlint", pytrace=False)
    done = subprocess.run(
        [npx, "--no-install", "bpmnlint", str(BPMN_FILE.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Warnings do not fail bpmnlint; we want none.
    assert "warning" not in done.stdout, done.stdout


def test_bpmnlint_does_report_problems(tmp_path: Path) -> None:
    """The lint above proves something only if this configuration does find problems."""
    _require_node_modules()
    npx = shutil.which("npx")
    assert npx is not None
    broken = BPMN_FILE.read_text(encoding="utf-8").replace(' camunda:historyTimeToLive="30"', "")
    broken = broken.replace(' name="Order shipped"', "")
    target = tmp_path / "broken.bpmn"
    target.write_text(broken, encoding="utf-8")
    done = subprocess.run(
        [npx, "--no-install", "bpmnlint", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "label-required" in done.stdout
    assert "history-time-to-live" in done.stdout


def _schema_keys(node: object, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found.update(value)
            _schema_keys(value, found)
    elif isinstance(node, list):
        for item in node:
            _schema_keys(item, found)
    return found


def _template_keys(node: object, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        found.update(node)
        for value in node.values():
            _template_keys(value, found)
    elif isinstance(node, list):
        for item in node:
            _template_keys(item, found)
    return found


def test_the_element_template_is_valid_against_the_official_schema() -> None:
    _require_node_modules()
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    template = _template()
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(template)]
    assert problems == []
    # The schema allows unknown keys, so a misspelt one ("descripton") would pass silently.
    unknown = _template_keys(template, set()) - _schema_keys(schema, set())
    assert unknown == set()
    # And the validator does reject a broken template.
    no_name, bad_type = _template(), _template()
    del no_name["properties"][2]["binding"]["name"]
    bad_type["properties"][3]["type"] = 42
    assert not validator.is_valid(no_name)
    assert not validator.is_valid(bad_type)


def _bindings() -> dict[str, dict[str, Any]]:
    """Template properties by what they bind to: 'camunda:topic', 'smsFrom', 'output', ..."""
    result = {}
    for prop in _template()["properties"]:
        binding = prop["binding"]
        if binding["type"] in ("property", "camunda:inputParameter"):
            result[binding["name"]] = prop
        elif binding["type"] == "camunda:outputParameter":
            result["output"] = prop
    return result


def test_the_template_makes_a_send_sms_external_task() -> None:
    template, bindings = _template(), _bindings()
    assert template["name"] == "Twilio: Send SMS"
    assert template["appliesTo"] == ["bpmn:ServiceTask"]
    default_topic = load_settings({"TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID, "TWILIO_TOKEN": "x"})
    assert bindings["camunda:type"] == {
        **bindings["camunda:type"],
        "type": "Hidden",
        "value": "external",
    }
    assert bindings["camunda:topic"]["type"] == "Hidden"
    assert bindings["camunda:topic"]["value"] == default_topic.topic == "SEND_SMS"
    # The four inputs of the contract, each described; the three required ones must be filled.
    assert {n for n in bindings if n in INPUT_NAMES} == set(INPUT_NAMES)
    for name in INPUT_NAMES:
        assert len(bindings[name]["description"]) > 40
        required = bindings[name].get("constraints", {}).get("notEmpty", False)
        assert required == (name != "metadata"), name
    # The smsBody description teaches the escape.
    assert "\\${" in bindings["smsBody"]["description"]
    assert bindings["smsBody"]["value"].count("\\${") == 1
    assert bindings["output"]["value"] == "smsResult"


@pytest.mark.parametrize(
    "sender",
    ["+14155550100", "+1 (415) 555-0100", "MyShop", "My Shop 24", "12345", "MG" + "ab" * 16],
)
def test_the_from_field_takes_every_kind_of_sender_the_worker_takes(sender: str) -> None:
    pattern = re.compile(_bindings()["smsFrom"]["constraints"]["pattern"]["value"])
    parse_sender(sender, None)
    assert pattern.search(sender)


@pytest.mark.parametrize("sender", ["My Company Ltd", "Café", "Shop-24", "MG0123456789abcdef"])
def test_the_from_field_refuses_senders_the_worker_refuses(sender: str) -> None:
    pattern = re.compile(_bindings()["smsFrom"]["constraints"]["pattern"]["value"])
    with pytest.raises(InputError):
        parse_sender(sender, None)
    assert not pattern.search(sender)


def test_the_from_field_takes_an_expression() -> None:
    pattern = re.compile(_bindings()["smsFrom"]["constraints"]["pattern"]["value"])
    assert pattern.search("${smsSender}")


def test_the_example_task_is_what_the_template_makes() -> None:
    """Opening the example in the Modeler with the template shows no template mismatch."""
    task, template, bindings = _send_task(), _template(), _bindings()
    assert task.get(CAMUNDA + "modelerTemplate") == template["id"]
    assert task.get(CAMUNDA + "modelerTemplateVersion") == str(template["version"])
    assert task.get(CAMUNDA + "type") == "external"
    assert task.get(CAMUNDA + "topic") == bindings["camunda:topic"]["value"]
    inputs = {
        p.get("name"): p.text or ""
        for p in task.iterfind(
            "bpmn:extensionElements/camunda:inputOutput/camunda:inputParameter", NS
        )
    }
    assert set(inputs) == set(INPUT_NAMES)
    outputs = {
        p.get("name"): p.text
        for p in task.iterfind(
            "bpmn:extensionElements/camunda:inputOutput/camunda:outputParameter", NS
        )
    }
    assert outputs == {"smsResult": bindings["output"]["binding"]["source"]}
    # The body uses the escape for every placeholder, and no bare ${ is left for the engine.
    body = inputs["smsBody"]
    assert body.count("\\${") == 2
    assert body.replace("\\${", "").count("${") == 0


def test_the_example_is_executable_and_fully_laid_out() -> None:
    root = ET.parse(BPMN_FILE).getroot()
    process = _process()
    assert process.get("id") == PROCESS_KEY
    assert process.get("isExecutable") == "true"
    assert process.get(CAMUNDA + "historyTimeToLive")
    ids = {el.get("id") for el in process if el.get("id")}
    shown = {el.get("bpmnElement") for el in root.iter() if el.get("bpmnElement")}
    assert ids - shown == set(), "elements without diagram information"
    # Error codes caught by name are documented codes; one catch-all boundary exists.
    codes = {e.get("id"): e.get("errorCode") for e in root.iterfind("bpmn:error", NS)}
    refs = [
        d.get("errorRef")
        for d in process.iterfind("bpmn:boundaryEvent/bpmn:errorEventDefinition", NS)
    ]
    assert sorted(refs, key=str) == ["Error_InvalidToPhoneNumber", None]
    assert {codes[r] for r in refs if r} == {ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR.value}


# --- on the real engine ----------------------------------------------------------------------


def _string(value: str) -> dict[str, str]:
    return {"type": "String", "value": value}


SAMPLE = {
    "customerName": "Ann",
    "customerPhone": "+14155552671",
    "orderId": "A-1042",
    "smsSender": "+15005550006",
}


def _start(engine: LocalEngine, **overrides: str) -> str:
    variables = {k: _string(v) for k, v in {**SAMPLE, **overrides}.items()}
    return engine.start_process(PROCESS_KEY, variables)


@pytest.fixture
def example(engine: LocalEngine) -> Iterator[list[str]]:
    """Deploys bpmn/send-sms.bpmn unchanged; yields a list that tests add instance ids to;
    deletes the instances still running afterwards, so no SEND_SMS task outlives the test."""
    engine.deploy(BPMN_FILE, name="bpmn-example")
    instances: list[str] = []
    yield instances
    for instance in instances:
        if not engine.is_ended(instance):
            engine.call("DELETE", f"/process-instance/{instance}")


def _settings(engine: LocalEngine, standin: TwilioStandIn) -> Settings:
    # No long polling: these tests share topic SEND_SMS (the file is deployed unchanged), and a
    # long poll still open after one test's worker stops could lock the next test's task.
    return settings_for(standin, camunda_url=engine.url, poll_timeout_ms=0, max_concurrency=4)


@contextmanager
def _worker(engine: LocalEngine, standin: TwilioStandIn) -> Iterator[None]:
    daemon = Daemon(_settings(engine, standin))
    thread = threading.Thread(target=daemon.serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        daemon.stop()
        thread.join(30)
        daemon.close()


def _user_task(engine: LocalEngine, instance: str) -> dict[str, Any]:
    tasks = engine.wait_until(
        lambda: engine.call("GET", "/task", params={"processInstanceId": instance}),
        30,
        what=f"a user task in {instance}",
    )
    return dict(tasks[0])


def _task_variables(engine: LocalEngine, task_id: str) -> dict[str, Any]:
    raw = engine.call("GET", f"/task/{task_id}/variables", params={"deserializeValues": "false"})
    return {name: v["value"] for name, v in raw.items()}


def _ended_at(engine: LocalEngine, instance: str) -> str:
    engine.wait_until(lambda: engine.is_ended(instance), 30, what=f"{instance} ended")
    ends = engine.call(
        "GET",
        "/history/activity-instance",
        params={"processInstanceId": instance, "activityType": "noneEndEvent"},
    )
    return str(ends[0]["activityId"])


def _bodies_to(standin: TwilioStandIn, number: str) -> list[tuple[int | None, str]]:
    # Other tests' leftover SEND_SMS tasks may reach the shared stand-in too: filter by number.
    return [
        (r.status, r.form.get("Body", "")) for r in standin.received if r.form.get("To") == number
    ]


@pytest.mark.engine
def test_success_path_sends_the_rendered_body_and_sets_smsresult(
    engine: LocalEngine, standin: TwilioStandIn, example: list[str]
) -> None:
    instance = _start(engine, customerPhone="+14155550101", customerName='Zoë "Z" O\'Neil')
    example.append(instance)
    with _worker(engine, standin):
        assert _ended_at(engine, instance) == "End_CustomerNotified"
    body = 'Hi Zoë "Z" O\'Neil, your order A-1042 is on its way.'
    assert _bodies_to(standin, "+14155550101") == [(201, body)]
    variables = engine.process_variables(instance)
    assert variables["smsResult"]["type"] == "Json"
    assert list(json.loads(variables["smsResult"]["value"]).values()) == ["+14155550101"]


@pytest.mark.engine
def test_an_invalid_number_goes_to_a_person_who_fixes_it_then_it_is_sent(
    engine: LocalEngine, standin: TwilioStandIn, example: list[str]
) -> None:
    # Twilio's magic number for "invalid To" (21211): the stand-in answers it like Twilio.
    instance = _start(engine, customerPhone="+15005550001")
    example.append(instance)
    with _worker(engine, standin):
        task = _user_task(engine, instance)
        assert task["taskDefinitionKey"] == "Task_FixNumber"
        seen = _task_variables(engine, task["id"])
        # The boundary event's variables, and the worker's, both reach the user task.
        assert seen["smsErrorCode"] == "INVALID_TO_PHONE_NUMBER_ERROR"
        assert "21211" in seen["smsErrorMessage"]
        assert json.loads(seen["smsError"])["errorCode"] == "INVALID_TO_PHONE_NUMBER_ERROR"
        assert json.loads(seen["smsResult"]) == {}
        engine.call(
            "POST",
            f"/task/{task['id']}/complete",
            json={"variables": {"customerPhone": _string("+14155550102")}},
        )
        assert _ended_at(engine, instance) == "End_CustomerNotified"
    assert [s for s, _ in _bodies_to(standin, "+14155550102")] == [201]
    result = json.loads(engine.process_variables(instance)["smsResult"]["value"])
    assert list(result.values()) == ["+14155550102"]


@pytest.mark.engine
def test_any_other_error_goes_to_the_catch_all_path(
    engine: LocalEngine, standin: TwilioStandIn, example: list[str]
) -> None:
    # Magic "From" number 21212: INVALID_FROM_PHONE_NUMBER_ERROR, caught by the catch-all.
    instance = _start(engine, smsSender="+15005550001", customerPhone="+14155550103")
    example.append(instance)
    with _worker(engine, standin):
        task = _user_task(engine, instance)
        assert task["taskDefinitionKey"] == "Task_HandleFailure"
        seen = _task_variables(engine, task["id"])
        assert seen["smsErrorCode"] == "INVALID_FROM_PHONE_NUMBER_ERROR"
        assert json.loads(seen["smsError"])["failures"][0]["twilioCode"] == 21212
        engine.call("POST", f"/task/{task['id']}/complete", json={})
        assert _ended_at(engine, instance) == "End_NotSent"


@pytest.mark.engine
def test_an_instance_waiting_for_the_worker_can_be_cancelled(
    engine: LocalEngine, example: list[str]
) -> None:
    """Output mappings run when the activity is cancelled too (boundary events, deletion,
    modification): `${smsResult}` would then fail for want of the variable; the example's
    `execution.getVariable("smsResult")` does not."""
    instance = _start(engine)
    engine.call("DELETE", f"/process-instance/{instance}")
    assert engine.is_ended(instance)


ESCAPE_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_{key}" targetNamespace="x">
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Send"/>
    <bpmn:serviceTask id="Send" camunda:type="external" camunda:topic="SEND_SMS_ESCAPE">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="smsBody"><![CDATA[{body}]]></camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Send" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _body_seen_by_worker(engine: LocalEngine, key: str, body: str, **variables: str) -> str:
    engine.deploy((f"{key}.bpmn", ESCAPE_PROCESS.format(key=key, body=body)), name=key)
    instance = engine.start_process(key, {k: _string(v) for k, v in variables.items()})
    try:
        tasks = engine.call(
            "POST",
            "/external-task/fetchAndLock",
            json={
                "workerId": "test-escape",
                "maxTasks": 1,
                "topics": [
                    {
                        "topicName": "SEND_SMS_ESCAPE",
                        "lockDuration": 10_000,
                        "processDefinitionKey": key,
                        "variables": ["smsBody"],
                    }
                ],
            },
        )
        return str(tasks[0]["variables"]["smsBody"]["value"])
    finally:
        engine.call("DELETE", f"/process-instance/{instance}")


@pytest.mark.engine
@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("escape_backslash", r"Dear \${customer.name}, <#if n gt 1>\${n} items</#if>"),
        ("escape_literal", 'Dear ${"$"}{customer.name}, <#if n gt 1>${"$"}{n} items</#if>'),
    ],
    ids=["backslash", "dollar-literal"],
)
def test_the_escapes_hand_freemarker_placeholders_to_the_worker_unevaluated(
    engine: LocalEngine, key: str, typed: str
) -> None:
    seen = _body_seen_by_worker(engine, key, typed)
    assert seen == "Dear ${customer.name}, <#if n gt 1>${n} items</#if>"


@pytest.mark.engine
def test_without_the_escape_the_engine_evaluates_the_placeholder(engine: LocalEngine) -> None:
    # A variable of that name exists: the engine replaces it before the worker sees the body.
    assert _body_seen_by_worker(engine, "escape_none_1", "Hi ${name}", name="Ann") == "Hi Ann"
    # None exists: the instance cannot even start.
    with pytest.raises(LocalEngineError, match="Unknown property used in expression"):
        _body_seen_by_worker(engine, "escape_none_2", "Dear ${customer.name}")


@pytest.mark.engine
def test_a_template_in_a_process_variable_needs_no_escape(engine: LocalEngine) -> None:
    seen = _body_seen_by_worker(
        engine, "escape_variable", "${smsTemplate}", smsTemplate="Hi ${name} #{x}"
    )
    assert seen == "Hi ${name} #{x}"
