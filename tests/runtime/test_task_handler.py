"""TaskHandler: a fetched task's variables through the action to one report, with Twilio on
loopback and the engine in memory."""

from __future__ import annotations

import json
import threading
from typing import Any

from prometheus_client import CollectorRegistry

from tests.runtime.fake_engine import FakeClock, FakeEngine, json_value, task
from tests.twilio_fixtures import GOOD_FROM
from worker.config import LeaseSettings, ReportSettings, UncaughtErrors
from worker.dev.twilio_standin import TwilioStandIn
from worker.engine.task import ExternalTask
from worker.errors import LockLost
from worker.metrics import Metrics
from worker.redaction import Redactor
from worker.runtime.reporter import OutcomeReporter
from worker.runtime.task_handler import TaskHandler
from worker.sms.sender import Sender
from worker.twilio.client import TwilioClient

LEASE = LeaseSettings(lock_duration_ms=60_000, worst_send_s=20.0)
REPORTING = ReportSettings(3, 60_000, UncaughtErrors.INCIDENT)


def _string(value: str) -> dict[str, str]:
    return {"type": "String", "value": value}


def _inputs(to: str, body: str = "Hi ${name}", **more: dict[str, Any]) -> dict[str, Any]:
    return {
        "smsFrom": _string(GOOD_FROM),
        "smsTo": _string(to),
        "smsBody": _string(body),
        "metadata": {"type": "Json", "value": json.dumps({"name": "Ann"})},
        **more,
    }


def _handler(engine: FakeEngine, twilio: Any, metrics: Metrics | None = None) -> TaskHandler:
    clock = FakeClock()
    reporter = OutcomeReporter(
        engine,
        REPORTING,
        lambda _t, _c: True,
        redactor=Redactor(),
        sleep=clock.sleep,
        clock=clock,
    )
    return TaskHandler(
        engine,
        twilio,
        reporter,
        LEASE,
        default_region=None,
        aborted=threading.Event(),
        metrics=metrics or Metrics(CollectorRegistry()),
    )


def test_a_task_sends_to_each_recipient_and_completes(standin: TwilioStandIn, twilio: TwilioClient):
    engine = FakeEngine()
    fetched = task(**_inputs("+14155550101, +14155550102"))
    assert _handler(engine, twilio)(fetched) == "completed"
    result = json_value(engine.last("complete").args[1]["smsResult"])
    assert sorted(result.values()) == ["+14155550101", "+14155550102"]
    # One progress record, after the first of the two messages.
    assert engine.names() == ["set_local_variable", "complete"]
    assert [r.form["Body"] for r in standin.received] == ["Hi Ann", "Hi Ann"]


def test_numbers_sent_by_an_earlier_attempt_are_not_sent_again(
    standin: TwilioStandIn, twilio: TwilioClient
):
    progress = {"taskId": "task-1", "sent": {"+14155550101": "SM" + "1" * 32}}
    fetched = task(
        **_inputs(
            "+14155550101, +14155550102",
            smsProgress={"type": "Json", "value": json.dumps(progress)},
        )
    )
    assert _handler(FakeEngine(), twilio)(fetched) == "completed"
    assert [r.form["To"] for r in standin.received] == ["+14155550102"]


def test_invalid_input_is_thrown_as_a_bpmn_error_and_nothing_is_sent(
    standin: TwilioStandIn, twilio: TwilioClient
):
    engine = FakeEngine()
    assert _handler(engine, twilio)(task(**_inputs("not a number"))) == "bpmn-error"
    assert engine.last("bpmn_error").args[1] == "INVALID_TO_PHONE_NUMBER_ERROR"
    assert standin.received == []


def test_a_file_body_is_downloaded_from_the_engine(standin: TwilioStandIn, twilio: TwilioClient):
    engine = FakeEngine(files={"smsBody": b"From a file, ${name}"})
    fetched = task(**_inputs("+14155550101", smsBody={"type": "File", "value": None}))
    assert _handler(engine, twilio)(fetched) == "completed"
    assert standin.received[0].form["Body"] == "From a file, Ann"


class _BrokenSender:
    def send_message(
        self, sender: Sender, to: str, body: str, *, status_callback: str | None = None
    ) -> str:
        raise RuntimeError("a bug")


def test_a_bug_is_reported_as_a_failure_for_the_engine_to_retry():
    engine = FakeEngine()
    metrics = Metrics(CollectorRegistry())
    assert _handler(engine, _BrokenSender(), metrics)(task(**_inputs("+14155550101"))) == "failure"
    _, message, details, retries, _ = engine.last("failure").args
    assert message == "RuntimeError: a bug"
    assert "Traceback" in details
    assert retries == 2
    counted = metrics.registry.get_sample_value(
        "sms_worker_tasks_total", {"outcome": "failure", "error_code": ""}
    )
    assert counted == 1.0


def test_a_lock_lost_mid_task_abandons_it_without_a_report(
    standin: TwilioStandIn, twilio: TwilioClient
):
    # The lock is already short when the task starts: the first extension is refused.
    engine = FakeEngine(failures={"extend_lock": [LockLost("locked", 400)]})
    lease = LeaseSettings(lock_duration_ms=60_000, worst_send_s=60.0)
    clock = FakeClock()
    reporter = OutcomeReporter(
        engine, REPORTING, lambda _t, _c: True, redactor=Redactor(), clock=clock
    )
    handler = TaskHandler(
        engine, twilio, reporter, lease, default_region=None, metrics=Metrics(CollectorRegistry())
    )
    fetched: ExternalTask = task(**_inputs("+14155550101"))
    assert handler(fetched) == "abandoned"
    assert standin.received == []
    assert engine.names() == ["extend_lock"]


def test_a_metadata_value_quoted_by_the_template_reaches_the_engine_masked(
    standin: TwilioStandIn, twilio: TwilioClient
):
    # The template package quotes the value it cannot convert; the rule applies where the
    # message leaves for the engine.
    engine = FakeEngine()
    metadata = {"type": "Json", "value": json.dumps({"n": "+1 415 555 2671x"})}
    fetched = task(**_inputs("+14155550101", body="${n?number}", metadata=metadata))
    assert _handler(engine, twilio)(fetched) == "bpmn-error"
    _, code, message, variables = engine.last("bpmn_error").args
    assert code == "TEMPLATE_METADATA_ERROR"
    assert "+1415***2671" in message
    assert "415 555 2671" not in message + variables["smsError"]["value"]
    assert standin.received == []
