"""Prometheus metrics, scraped over HTTP from a worker that ran tasks on the real engine."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.metrics import Metrics
from worker.runtime.daemon import Daemon
from worker.runtime.health import OpsServer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _scrape(port: int) -> Samples:
    answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    answer.raise_for_status()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _inputs(sms_to: dict[str, str]) -> dict[str, Any]:
    return {
        "smsFrom": {"type": "String", "value": GOOD_FROM},
        "smsTo": sms_to,
        "smsBody": {"type": "String", "value": "Hello"},
    }


@pytest.fixture(scope="module")
def after_a_run(engine: LocalEngine, _standin_server: TwilioStandIn) -> Iterator[Samples]:
    """One run: a task that sends two messages (the first answered 429 once) and a task with
    an invalid number; then /metrics scraped once."""
    standin = _standin_server
    standin.reset()
    key, topic = "metrics_run", "SEND_SMS_METRICS"
    engine.deploy((f"{key}.bpmn", sms_process(key, topic=topic, catch_all=True)))
    settings = settings_for(
        standin, camunda_url=engine.url, topic=topic, poll_timeout_ms=500, lock_duration_ms=5_000
    )
    daemon = Daemon(settings, metrics=Metrics(CollectorRegistry()))
    standin.faults.throttle_next()
    instances = [
        engine.start_process(
            key, _inputs({"type": "Json", "value": json.dumps(["+14155552671", "+12125550100"])})
        ),
        engine.start_process(key, _inputs({"type": "String", "value": "not-a-number"})),
    ]
    runner = threading.Thread(target=daemon.serve, daemon=True)
    runner.start()
    try:
        with OpsServer("127.0.0.1", 0, daemon.health, daemon.metrics.registry) as ops:
            for instance in instances:
                engine.wait_until(lambda i=instance: engine.is_ended(i), 30, what="ended")
            yield _scrape(ops.port)
    finally:
        daemon.stop()
        runner.join(30)
        daemon.close()
        standin.reset()


@pytest.mark.engine
def test_tasks_are_counted_by_outcome_and_error_code(after_a_run: Samples):
    completed = {"outcome": "completed", "error_code": ""}
    caught = {"outcome": "bpmn-error", "error_code": "INVALID_TO_PHONE_NUMBER_ERROR"}
    assert _value(after_a_run, "sms_worker_tasks_total", **completed) == 1
    assert _value(after_a_run, "sms_worker_tasks_total", **caught) == 1
    assert _value(after_a_run, "sms_worker_task_duration_seconds_count") == 2


@pytest.mark.engine
def test_messages_twilio_accepted_are_counted(after_a_run: Samples):
    assert _value(after_a_run, "sms_worker_messages_sent_total") == 2


@pytest.mark.engine
def test_twilio_requests_are_timed_by_status_with_429_retries_counted(after_a_run: Samples):
    duration = "sms_worker_twilio_request_duration_seconds_count"
    assert _value(after_a_run, duration, status="201") == 2
    assert _value(after_a_run, duration, status="429") == 1
    assert _value(after_a_run, "sms_worker_twilio_429_retries_total") == 1


@pytest.mark.engine
def test_lock_extensions_are_counted(after_a_run: Samples):
    # A 5 s lock is shorter than the worst case of one send, so each send extends it first.
    assert _value(after_a_run, "sms_worker_lock_extensions_total", result="extended") >= 1
    assert _value(after_a_run, "sms_worker_lock_extensions_total", result="lost") == 0


@pytest.mark.engine
def test_no_task_is_in_flight_after_the_run(after_a_run: Samples):
    assert _value(after_a_run, "sms_worker_tasks_in_flight") == 0


def _refused_url() -> str:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/engine-rest"


def _with_fetch_errors(samples: Samples) -> Samples | None:
    failed = {"call": "fetch_and_lock", "status": "none"}
    return samples if _value(samples, "sms_worker_engine_request_errors_total", **failed) else None


def test_engine_errors_are_counted_by_call_and_status(standin: TwilioStandIn):
    settings = replace(settings_for(standin), camunda_url=_refused_url(), poll_timeout_ms=0)
    daemon = Daemon(settings, metrics=Metrics(CollectorRegistry()))
    runner = threading.Thread(target=daemon.serve, daemon=True)
    runner.start()
    try:
        with OpsServer("127.0.0.1", 0, daemon.health, daemon.metrics.registry) as ops:
            samples = LocalEngine.wait_until(
                lambda: _with_fetch_errors(_scrape(ops.port)), 10, 0.05, "a counted fetch error"
            )
    finally:
        daemon.stop()
        runner.join(30)
        daemon.close()
    assert _value(samples, "sms_worker_messages_sent_total") == 0


def test_the_metrics_of_one_registry_do_not_leak_into_another():
    first, second = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    first.messages_sent.inc()
    assert second.registry.get_sample_value("sms_worker_messages_sent_total") == 0
