"""The assembled worker on the real Camunda 7.24 engine, with Twilio on loopback. The core
cases (`each_engine`) run on Operaton too."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.tcp_proxy import TcpProxy
from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.config import Settings, UncaughtErrors
from worker.dev.bpmn_models import caller_process, sms_process
from worker.dev.local_engine import LocalEngine, LocalEngineError
from worker.dev.twilio_http import ReceivedRequest
from worker.dev.twilio_standin import TwilioStandIn
from worker.runtime.daemon import Daemon

pytestmark = pytest.mark.engine

_keys = itertools.count()


def _settings(engine: LocalEngine, standin: TwilioStandIn, **overrides: Any) -> Settings:
    defaults: dict[str, Any] = {
        "camunda_url": engine.url,
        # Short polls: a retried task is only noticed by long-poll waiters every 30 s.
        "poll_timeout_ms": 500,
        "max_concurrency": 4,
        "topic": overrides.pop("topic"),
    }
    return settings_for(standin, **{**defaults, **overrides})


@contextmanager
def running(settings: Settings) -> Iterator[Daemon]:
    daemon = Daemon(settings)
    thread = threading.Thread(target=daemon.serve, daemon=True)
    thread.start()
    try:
        yield daemon
    finally:
        daemon.stop()
        thread.join(30)
        daemon.close()


def _deploy(engine: LocalEngine, **model: Any) -> tuple[str, str]:
    """Deploy an SMS process with a topic of its own, so tests never see each other's tasks."""
    n = next(_keys)
    key, topic = f"sms_{n}", f"SEND_SMS_T{n}"
    engine.deploy((f"{key}.bpmn", sms_process(key, topic=topic, **model)))
    return key, topic


def _json(value: object) -> dict[str, str]:
    return {"type": "Json", "value": json.dumps(value)}


def _string(value: str) -> dict[str, str]:
    return {"type": "String", "value": value}


def _inputs(to: dict[str, Any], body: str = "Hi ${name}", **more: Any) -> dict[str, Any]:
    return {
        "smsFrom": _string(GOOD_FROM),
        "smsTo": to,
        "smsBody": _string(body),
        "metadata": _json({"name": "Ann"}),
        **more,
    }


def _ended(engine: LocalEngine, instance: str) -> dict[str, Any]:
    engine.wait_until(lambda: engine.is_ended(instance), 30, what=f"{instance} ended")
    return engine.process_variables(instance)


def _end_event(engine: LocalEngine, instance: str) -> str:
    ends = engine.call(
        "GET",
        "/history/activity-instance",
        params={"processInstanceId": instance, "activityType": "noneEndEvent"},
    )
    return str(ends[0]["activityId"])


@pytest.mark.parametrize(
    "sms_to",
    [
        _json(["+14155552671", "+12125550100"]),
        _string("+14155552671, +1 (212) 555-0100"),
        _string('["+14155552671", "+12125550100"]'),
        {
            "type": "Object",
            "value": json.dumps(["+14155552671", "+12125550100"]),
            "valueInfo": {
                "serializationDataFormat": "application/json",
                "objectTypeName": "java.util.ArrayList<java.lang.Object>",
            },
        },
    ],
    ids=["json", "string", "json-in-string", "object-json"],
)
def test_a_task_completes_with_smsresult_as_json(
    each_engine: LocalEngine, standin: TwilioStandIn, sms_to: dict[str, Any]
):
    key, topic = _deploy(each_engine)
    instance = each_engine.start_process(key, _inputs(sms_to))
    with running(_settings(each_engine, standin, topic=topic)):
        variables = _ended(each_engine, instance)
    assert variables["smsResult"]["type"] == "Json"
    result = json.loads(variables["smsResult"]["value"])
    assert sorted(result.values()) == ["+12125550100", "+14155552671"]
    assert {r.form["Body"] for r in standin.received if r.method == "POST"} == {"Hi Ann"}


def test_a_file_variable_body_is_downloaded(each_engine: LocalEngine, standin: TwilioStandIn):
    key, topic = _deploy(each_engine)
    body = {
        "type": "File",
        "value": base64.b64encode("Grüße ${name}".encode()).decode(),
        "valueInfo": {"filename": "body.ftl", "mimetype": "text/plain", "encoding": "UTF-8"},
    }
    instance = each_engine.start_process(key, _inputs(_json(["+14155552671"]), smsBody=body))
    with running(_settings(each_engine, standin, topic=topic)):
        _ended(each_engine, instance)
    (create,) = [r for r in standin.received if r.method == "POST"]
    assert create.form["Body"] == "Grüße Ann"


def test_a_caught_error_takes_the_boundary_path_with_result_and_error_variables(
    each_engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(each_engine, catch=["INVALID_TO_PHONE_NUMBER_ERROR"])
    instance = each_engine.start_process(key, _inputs(_json(["+14155552671", "+15005550001"])))
    with running(_settings(each_engine, standin, topic=topic)):
        variables = _ended(each_engine, instance)
    assert _end_event(each_engine, instance) == "Caught_0"
    assert list(json.loads(variables["smsResult"]["value"]).values()) == ["+14155552671"]
    error = json.loads(variables["smsError"]["value"])
    assert error["errorCode"] == "INVALID_TO_PHONE_NUMBER_ERROR"
    assert error["failures"][0]["number"] == "+15005550001"


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        (_inputs(_json([])), "MISSING_INPUT"),
        (_inputs(_json(["+14155552671"]), metadata=_string("[1]")), "INVALID_INPUT"),
        (
            _inputs(_json(["+14155552671"]), smsTo={"type": "Json", "value": "[oops"}),
            "INVALID_INPUT",
        ),
        (_inputs(_string("not-a-number")), "INVALID_TO_PHONE_NUMBER_ERROR"),
        (_inputs(_json(["+14155552671"]), body="${nobody}"), "TEMPLATE_METADATA_ERROR"),
        (_inputs(_json(["+15005550003"])), "INVALID_REGION_TO_PHONE_NUMBER_ERROR"),
    ],
    ids=["missing", "invalid-metadata", "broken-json", "bad-to", "template", "region"],
)
def test_each_documented_error_is_caught_by_a_catch_all_boundary(
    engine: LocalEngine, standin: TwilioStandIn, variables: dict[str, Any], code: str
):
    key, topic = _deploy(engine, catch_all=True)
    instance = engine.start_process(key, variables)
    with running(_settings(engine, standin, topic=topic)):
        result = _ended(engine, instance)
    assert _end_event(engine, instance) == "Caught_all"
    assert json.loads(result["smsError"]["value"])["errorCode"] == code


def test_an_uncaught_error_becomes_an_incident(each_engine: LocalEngine, standin: TwilioStandIn):
    key, topic = _deploy(each_engine, catch=["INVALID_FROM_PHONE_NUMBER_ERROR"])
    instance = each_engine.start_process(key, _inputs(_string("not-a-number")))
    with running(_settings(each_engine, standin, topic=topic)):
        incidents = each_engine.wait_until(
            lambda: each_engine.incidents(instance), 30, what="incident"
        )
    assert "INVALID_TO_PHONE_NUMBER_ERROR" in incidents[0]["incidentMessage"]
    assert not each_engine.is_ended(instance)


def test_uncaught_errors_can_be_thrown_anyway_by_configuration(
    engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(engine)
    instance = engine.start_process(key, _inputs(_string("not-a-number")))
    settings = _settings(engine, standin, topic=topic, uncaught_errors=UncaughtErrors.BPMN_ERROR)
    with running(settings):
        _ended(engine, instance)
    assert engine.incidents(instance) == []


def test_an_error_caught_by_the_calling_process_is_thrown(
    engine: LocalEngine, standin: TwilioStandIn
):
    called, topic = _deploy(engine)
    parent = f"{called}_caller"
    engine.deploy((f"{parent}.bpmn", caller_process(parent, called, catch_all=True)))
    instance = engine.start_process(parent, _inputs(_string("not-a-number")))
    with running(_settings(engine, standin, topic=topic)):
        _ended(engine, instance)
    assert _end_event(engine, instance) == "CaughtInCaller"


def test_an_error_nobody_up_the_call_chain_catches_is_an_incident(
    engine: LocalEngine, standin: TwilioStandIn
):
    called, topic = _deploy(engine)
    parent = f"{called}_caller"
    engine.deploy((f"{parent}.bpmn", caller_process(parent, called, catch_all=False)))
    instance = engine.start_process(parent, _inputs(_string("not-a-number")))
    with running(_settings(engine, standin, topic=topic)):
        sub = engine.wait_until(
            lambda: engine.call(
                "GET", "/process-instance", params={"superProcessInstance": instance}
            ),
            30,
        )
        incidents = engine.wait_until(lambda: engine.incidents(sub[0]["id"]), 30, what="incident")
    assert "INVALID_TO_PHONE_NUMBER_ERROR" in incidents[0]["incidentMessage"]


class CrashingSender:
    def send_message(
        self, sender: object, to: str, body: str, *, status_callback: str | None = None
    ) -> str:
        raise RuntimeError("simulated bug")


def test_a_crashing_handler_decrements_retries_then_raises_an_incident(
    engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(engine, catch_all=True)
    instance = engine.start_process(key, _inputs(_json(["+14155552671"])))
    settings = _settings(engine, standin, topic=topic, task_retries=2, retry_timeout_ms=0)
    daemon = Daemon(settings, twilio=CrashingSender())
    thread = threading.Thread(target=daemon.serve, daemon=True)
    thread.start()
    try:
        incidents = engine.wait_until(lambda: engine.incidents(instance), 30, what="incident")
    finally:
        daemon.stop()
        thread.join(30)
        daemon.close()
    assert "RuntimeError: simulated bug" in incidents[0]["incidentMessage"]
    log = engine.call(
        "GET",
        "/history/external-task-log",
        params={"processInstanceId": instance, "failureLog": "true"},
    )
    # Two attempts: the first failure left one retry, the second none (hence the incident).
    assert len([entry for entry in log if entry["failureLog"]]) == 2


def _wait_delivered(standin: TwilioStandIn, count: int) -> None:
    LocalEngine.wait_until(
        lambda: sum(standin.delivered.values()) >= count, 30, 0.01, f"{count} delivered"
    )


def test_a_refetched_task_skips_numbers_an_earlier_attempt_sent(each_engine: LocalEngine):
    key, topic = _deploy(each_engine)
    numbers = ["+14155552671", "+12125550100", "+13105550123"]
    daemons: list[Daemon] = []

    def abort_on_first_message(request: ReceivedRequest) -> None:
        # Called before Twilio's answer is written: the worker learns of the abort (as after a
        # second SIGTERM: stop sending now, report nothing) before it could send the next one.
        if request.status == 201 and len(daemons) == 1:
            daemons[0].aborted.set()

    with TwilioStandIn(on_request=abort_on_first_message) as twilio:
        settings = _settings(each_engine, twilio, topic=topic, lock_duration_ms=5_000)
        with running(settings) as first:
            daemons.append(first)
            instance = each_engine.start_process(key, _inputs(_json(numbers)))
            _wait_delivered(twilio, 1)
        progress = json.loads(each_engine.process_variables(instance)["smsProgress"]["value"])
        assert list(progress["sent"]) == numbers[:1]
        daemons.append(first)  # the hook is done with
        with running(settings):  # the lock expires, and the task comes back
            variables = _ended(each_engine, instance)
        assert twilio.delivered == dict.fromkeys(numbers, 1)
    assert sorted(json.loads(variables["smsResult"]["value"]).values()) == sorted(numbers)


def test_the_lock_is_extended_while_a_long_send_runs(
    each_engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(each_engine)
    numbers = [f"+1415555{n:04d}" for n in range(7)]
    instance = each_engine.start_process(key, _inputs(_json(numbers)))
    standin.faults.set_latency(1_000)  # 7 s of sending against a 5 s lock
    settings = _settings(each_engine, standin, topic=topic, lock_duration_ms=5_000)
    rival = {
        "workerId": "rival",
        "maxTasks": 1,
        "topics": [{"topicName": topic, "lockDuration": 60_000}],
    }
    with running(settings):
        _wait_delivered(standin, 1)
        stolen = []
        while not each_engine.is_ended(instance):
            stolen += each_engine.call("POST", "/external-task/fetchAndLock", json=rival)
    assert stolen == []
    assert standin.delivered == dict.fromkeys(numbers, 1)


def _deleted(engine: LocalEngine, instance: str) -> bool:
    try:
        engine.call("DELETE", f"/process-instance/{instance}")
    except LocalEngineError as exc:
        if "OptimisticLockingException" not in str(exc):
            raise
        return False
    return True


def test_sending_stops_when_the_task_disappears(engine: LocalEngine):
    key, topic = _deploy(engine)
    numbers = [f"+1415555{n:04d}" for n in range(6)]
    instance = engine.start_process(key, _inputs(_json(numbers)))
    deleted = threading.Event()

    def delete_on_first_message(request: ReceivedRequest) -> None:
        # Before Twilio's answer is written, so the task is gone before the worker could send
        # the next message, however slow the machine. The worker writes progress to the same
        # execution: a delete can lose that race once, hence the retries.
        if request.status == 201 and not deleted.is_set():
            engine.wait_until(lambda: _deleted(engine, instance), 10, what="instance deleted")
            deleted.set()

    with TwilioStandIn(on_request=delete_on_first_message) as twilio:
        with running(_settings(engine, twilio, topic=topic)):
            assert deleted.wait(60)
            twilio.wait_idle()
            sent = sum(twilio.delivered.values())
            time.sleep(1)  # time enough for a worker that ignored the loss to send another
        assert sent < len(numbers)
        assert sum(twilio.delivered.values()) == sent


def test_an_engine_outage_is_survived_without_loss_or_duplicates(
    engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(engine)
    port = int(engine.url.split(":")[-1].split("/")[0])
    numbers = [f"+1212555{n:04d}" for n in range(20)]
    with TcpProxy(port) as proxy:
        # The lock outlasts the outage, so reports and progress records wait it out; a poll
        # answer lost in the cut leaves its tasks locked until the lock expires.
        settings = _settings(
            engine,
            standin,
            topic=topic,
            camunda_url=engine.url.replace(str(port), str(proxy.port)),
            lock_duration_ms=15_000,
        )
        standin.faults.set_latency(50)
        with running(settings) as daemon:
            first = [engine.start_process(key, _inputs(_json([n]))) for n in numbers[:10]]
            _wait_delivered(standin, 3)
            proxy.cut()
            time.sleep(5)
            rest = [engine.start_process(key, _inputs(_json([n]))) for n in numbers[10:]]
            proxy.restore()
            for instance in first + rest:
                engine.wait_until(lambda i=instance: engine.is_ended(i), 90, what="ended")
            # A completion the engine applied but whose answer was cut is retried (then refused
            # as no longer ours) after the instance ended: the slot frees once that retry ends.
            engine.wait_until(lambda: daemon.loop.in_flight == 0, 30, what="no task in flight")
    assert standin.delivered == dict.fromkeys(numbers, 1)
