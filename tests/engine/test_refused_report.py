"""A completion the real engine refuses (a failing output mapping) becomes an incident with the
task's progress recorded, so an operator's retry sends nothing twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.config import Settings
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.runtime.daemon import Daemon

pytestmark = pytest.mark.engine

NUMBERS = ["+14155552671", "+12125550100"]


@contextmanager
def _running(settings: Settings) -> Iterator[None]:
    daemon = Daemon(settings)
    thread = threading.Thread(target=daemon.serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        daemon.stop()
        thread.join(30)
        daemon.close()


def _failures(engine: LocalEngine, instance: str) -> list[dict[str, Any]]:
    log = engine.call(
        "GET",
        "/history/external-task-log",
        params={"processInstanceId": instance, "failureLog": "true"},
    )
    return [entry for entry in log if entry["failureLog"]]


def test_a_completion_refused_by_an_output_mapping_is_an_incident_and_a_retry_sends_nothing(
    engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = "refused_mapping", "SEND_SMS_REFUSED_MAPPING"
    engine.deploy((f"{key}.bpmn", sms_process(key, topic=topic, outputs={"out": "${nope}"})))
    instance = engine.start_process(
        key,
        {
            "smsFrom": {"type": "String", "value": GOOD_FROM},
            "smsTo": {"type": "Json", "value": json.dumps(NUMBERS)},
            "smsBody": {"type": "String", "value": "Hi"},
        },
    )
    # retry_timeout_ms=0: an incident's task is fetchable again as soon as its retries are set.
    settings = settings_for(
        standin, camunda_url=engine.url, topic=topic, poll_timeout_ms=500, retry_timeout_ms=0
    )
    with _running(settings):
        (incident,) = engine.wait_until(lambda: engine.incidents(instance), 60, what="incident")
    assert "the engine refused complete" in incident["incidentMessage"]
    assert "${nope}" in incident["incidentMessage"]
    (task,) = engine.external_tasks(processInstanceId=instance)
    progress = engine.call(
        "GET",
        f"/execution/{task['executionId']}/localVariables/smsProgress",
        params={"deserializeValue": "false"},
    )
    assert json.loads(progress["value"])["sent"].keys() == set(NUMBERS)
    assert standin.delivered == dict.fromkeys(NUMBERS, 1)

    engine.call("PUT", f"/external-task/{task['id']}/retries", json={"retries": 1})
    with _running(settings):
        engine.wait_until(lambda: len(_failures(engine, instance)) == 2, 60, what="2nd failure")
    assert standin.delivered == dict.fromkeys(NUMBERS, 1)
