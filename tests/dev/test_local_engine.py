"""The local engines (Camunda 7.24 in dev/engine, Operaton in dev/engine-operaton) and their
Python driver, on the real engines."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from worker.dev.local_engine import ADMIN, LocalEngine

pytestmark = pytest.mark.engine

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="defs_{key}" targetNamespace="http://example.com/twilio-sms-worker">
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send_sms" />
    <bpmn:serviceTask id="send_sms" camunda:type="external" camunda:topic="SEND_SMS" />
    <bpmn:sequenceFlow id="f2" sourceRef="send_sms" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def deploy_process(engine: LocalEngine) -> str:
    """Deploy a one-external-task process under a fresh key (no clash with other tests)."""
    key = f"local_engine_{uuid.uuid4().hex[:8]}"
    engine.deploy((f"{key}.bpmn", BPMN.format(key=key)), name=key)
    return key


def fetch(engine: LocalEngine, key: str, auth: tuple[str, str] | None = None, wait_ms: int = 0):
    body = {
        "workerId": "test-local-engine",
        "maxTasks": 10,
        "asyncResponseTimeout": wait_ms,
        "topics": [
            {
                "topicName": "SEND_SMS",
                "lockDuration": 30_000,
                "processDefinitionKey": key,  # never take other tests' tasks
                "deserializeValues": False,
            }
        ],
    }
    resp = requests.post(
        f"{engine.url}/external-task/fetchAndLock", json=body, auth=auth, timeout=30
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_each_engine_answers_with_its_own_version(each_engine: LocalEngine) -> None:
    resp = requests.get(f"{each_engine.url}/version", timeout=10)
    assert resp.status_code == 200
    assert resp.json()["version"].startswith(each_engine.flavour.version_prefix)
    assert each_engine.log_path.is_file()


def test_external_task_is_fetchable_and_completes(engine: LocalEngine) -> None:
    key = deploy_process(engine)
    sms_to = json.dumps(["+15005550006"])
    instance = engine.start_process(key, {"smsTo": {"type": "Json", "value": sms_to}})
    assert engine.external_tasks(processInstanceId=instance, active=True)

    tasks = fetch(engine, key)
    assert [t["processInstanceId"] for t in tasks] == [instance]
    assert tasks[0]["variables"]["smsTo"] == {"type": "Json", "value": sms_to, "valueInfo": {}}

    done = requests.post(
        f"{engine.url}/external-task/{tasks[0]['id']}/complete",
        json={
            "workerId": "test-local-engine",
            "variables": {"sent": {"value": 1, "type": "Integer"}},
        },
        timeout=10,
    )
    assert done.status_code == 204, done.text
    engine.wait_until(lambda: engine.is_ended(instance), timeout_s=10)
    assert engine.process_variables(instance)["sent"] == {"type": "Integer", "value": 1}
    assert engine.incidents(instance) == []


def test_json_variable_round_trips_through_spin(each_engine: LocalEngine) -> None:
    # On Operaton this proves the Jackson data format 1.0.0 workaround in its pom.xml.
    key = deploy_process(each_engine)
    instance = each_engine.start_process(key, {"payload": {"type": "Json", "value": '{"a":1}'}})
    payload = each_engine.process_variables(instance)["payload"]
    assert payload["type"] == "Json"
    assert json.loads(payload["value"]) == {"a": 1}


def test_failure_without_retries_raises_an_incident(engine: LocalEngine) -> None:
    key = deploy_process(engine)
    instance = engine.start_process(key)
    (task,) = fetch(engine, key)
    resp = requests.post(
        f"{engine.url}/external-task/{task['id']}/failure",
        json={"workerId": "test-local-engine", "errorMessage": "boom", "retries": 0},
        timeout=10,
    )
    assert resp.status_code == 204, resp.text
    incidents = engine.wait_until(lambda: engine.incidents(instance), timeout_s=10)
    assert incidents[0]["incidentMessage"] == "boom"
    assert not engine.is_ended(instance)


def test_deploying_the_same_process_twice_keeps_one_version(engine: LocalEngine) -> None:
    key = deploy_process(engine)
    engine.deploy((f"{key}.bpmn", BPMN.format(key=key)), name=key)
    versions = requests.get(
        f"{engine.url}/process-definition", params={"key": key}, timeout=10
    ).json()
    assert len(versions) == 1


def test_basic_auth_rejects_anonymous_and_accepts_demo(auth_engine: LocalEngine) -> None:
    # No wrong-password request here: a failed login locks the user out for a few seconds.
    anonymous = requests.get(f"{auth_engine.url}/version", timeout=10)
    assert anonymous.status_code == 401
    assert requests.get(f"{auth_engine.url}/version", auth=ADMIN, timeout=10).status_code == 200
    # The helper session carries the credentials.
    assert auth_engine.version().startswith(auth_engine.flavour.version_prefix)


def test_long_poll_under_basic_auth_waits_and_returns_empty(auth_engine: LocalEngine) -> None:
    started = time.monotonic()
    assert fetch(auth_engine, "no_such_process", auth=ADMIN, wait_ms=2000) == []
    # It waited (no upper bound: the machine is shared, and the call's own timeout ends a hang).
    assert time.monotonic() - started >= 1.5
