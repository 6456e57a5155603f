"""`twilio-sms-worker run` as a process: shutdown on signals against the real engine."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.twilio_fixtures import GOOD_FROM
from tests.worker_process import start_worker, stop_worker
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn

pytestmark = pytest.mark.engine


ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def worker_process(
    engine: LocalEngine, standin: TwilioStandIn, topic: str, **env: str
) -> Iterator[subprocess.Popen[str]]:
    process = start_worker(engine.url, standin, topic, **env)
    try:
        yield process
    finally:
        stop_worker(process)


def _deploy(engine: LocalEngine, name: str) -> tuple[str, str]:
    key, topic = f"cli_{name}", f"SEND_SMS_CLI_{name}"
    engine.deploy((f"{key}.bpmn", sms_process(key, topic=topic)))
    return key, topic


def _start(engine: LocalEngine, key: str, numbers: list[str]) -> str:
    return engine.start_process(
        key,
        {
            "smsFrom": {"type": "String", "value": GOOD_FROM},
            "smsTo": {"type": "Json", "value": json.dumps(numbers)},
            "smsBody": {"type": "String", "value": "Hello"},
        },
    )


def test_sigterm_finishes_in_flight_tasks_and_leaves_nothing_locked(
    engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(engine, "drain")
    batches = [[f"+1415555{i:02d}{j:02d}" for j in range(3)] for i in range(10)]
    instances = [_start(engine, key, numbers) for numbers in batches]
    # 3 s of sending per task: the signal surely arrives while tasks are still in flight.
    standin.faults.set_latency(1_000)
    with worker_process(engine, standin, topic) as process:
        LocalEngine.wait_until(lambda: standin.delivered, 60, 0.01, "a first delivery")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    assert engine.external_tasks(topicName=topic, locked=True) == []
    for instance, numbers in zip(instances, batches, strict=True):
        delivered = [standin.delivered.get(n, 0) for n in numbers]
        # Each task is whole: done and completed, or untouched and fetchable again.
        assert delivered in ([1, 1, 1], [0, 0, 0])
        assert engine.is_ended(instance) == (delivered == [1, 1, 1])
    assert 0 < sum(standin.delivered.values()) < 30


def test_a_second_signal_exits_at_once(engine: LocalEngine, standin: TwilioStandIn):
    # Twilio answers after ten minutes, the worker would wait five for it and drain for ten:
    # a worker that waited for any of them would not have exited within the (generous) two
    # minutes given, and the exit status tells a hard exit from a drained one (0). No start-up
    # probe of the message list (SMS_RECONCILE off): it would wait ten minutes too.
    key, topic = _deploy(engine, "hard")
    _start(engine, key, [f"+1415555{j:04d}" for j in range(5)])
    standin.faults.set_latency(600_000)
    slow = {
        "TWILIO_READ_TIMEOUT_MS": "300000",
        "SMS_SHUTDOWN_GRACE_MS": "600000",
        "SMS_RECONCILE": "off",
    }
    with worker_process(engine, standin, topic, **slow) as process:
        LocalEngine.wait_until(lambda: not standin.wait_idle(0), 60, 0.01, "a first request")
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # the first signal is being handled: the drain has begun
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == 128 + signal.SIGTERM
    assert standin.delivered == {}
