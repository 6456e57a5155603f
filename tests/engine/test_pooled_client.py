"""The camunda library's calls (fetchAndLock, complete, failure, bpmnError) go over the worker's
one keep-alive session, against the real engine: counted at a loopback TCP proxy."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.tcp_proxy import TcpProxy
from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.engine.client import EngineClient

pytestmark = pytest.mark.engine

TOPIC = "SEND_SMS_POOLED"
INPUTS = {
    "smsFrom": {"type": "String", "value": GOOD_FROM},
    "smsTo": {"type": "String", "value": "+14155552671"},
    "smsBody": {"type": "String", "value": "Hi"},
}


@pytest.fixture
def proxy(engine: LocalEngine) -> Iterator[TcpProxy]:
    with TcpProxy(engine.port) as started:
        yield started


def test_many_tasks_fetched_and_reported_cost_one_connection(
    engine: LocalEngine, standin: TwilioStandIn, proxy: TcpProxy
):
    engine.deploy(("pooled.bpmn", sms_process("pooled", topic=TOPIC, catch=["SMS_FAILED"])))
    instances = [engine.start_process("pooled", INPUTS) for _ in range(6)]
    url = f"http://127.0.0.1:{proxy.port}/engine-rest"
    settings = replace(settings_for(standin), camunda_url=url, topic=TOPIC)
    client = EngineClient(settings.engine, pool_size=4)
    try:
        tasks = client.fetch_and_lock(6, ["smsTo"])
        assert len(tasks) == 6
        first, second, *rest = tasks
        client.bpmn_error(first, "SMS_FAILED", "no", {})
        client.failure(second, "down", "details", 0, 0)
        for task in rest:
            client.complete(task, {"smsResult": {"SM1": "+14155552671"}})
    finally:
        client.close()
    assert proxy.connections == 1
    assert sum(engine.is_ended(instance) for instance in instances) == 5


def test_the_librarys_start_line_shows_the_workers_configuration(
    standin: TwilioStandIn, caplog: pytest.LogCaptureFixture
):
    settings = replace(
        settings_for(standin),
        max_concurrency=17,
        lock_duration_ms=45_000,
        poll_timeout_ms=12_000,
        task_retries=5,
        retry_timeout_ms=7_000,
        camunda_token="t0ken-hunter2",
    )
    with caplog.at_level(logging.INFO):
        EngineClient(settings.engine).close()
    [line] = [r.getMessage() for r in caplog.records if "External Task client" in r.getMessage()]
    for shown in (
        "'maxTasks': 17",
        "'lockDuration': 45000",
        "'asyncResponseTimeout': 12000",
        "'retries': 5",
        "'retryTimeout': 7000",
        "'deserializeValues': False",
    ):
        assert shown in line
    assert "hunter2" not in line
