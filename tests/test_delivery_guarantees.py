"""No lost and no duplicate SMS, counted on the real engine with the Twilio stand-in counting
deliveries per number: competing replicas, an engine outage shorter than the lock, Twilio
faults. Kills, freezes and outages longer than the lock: `test_exactly_once`.

These assert counts, not timings. SMS_SOAK_TASKS sets the size (default 500 tasks of two
recipients each).
"""

from __future__ import annotations

import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.tcp_proxy import TcpProxy
from tests.twilio_fixtures import GOOD_FROM
from tests.worker_process import start_worker, stop_worker
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import DEFAULT_AUTH_TOKEN, TwilioStandIn

# Sized by SMS_SOAK_TASKS, and run on a shared 2-core machine: allow them time.
pytestmark = [pytest.mark.engine, pytest.mark.timeout(1200)]

SOAK_TASKS = int(os.environ.get("SMS_SOAK_TASKS", "500"))
REPLICAS = 3
CONCURRENCY = 8
FAST_LOCKS = {"SMS_LOCK_DURATION_MS": "5000", "SMS_MAX_CONCURRENCY": str(CONCURRENCY)}


def _deploy(engine: LocalEngine, name: str, *, catch_all: bool = False) -> tuple[str, str]:
    key, topic = f"soak_{name}", f"SEND_SMS_SOAK_{name}"
    engine.deploy((f"{key}.bpmn", sms_process(key, topic=topic, catch_all=catch_all)))
    return key, topic


def _numbers(task: int, recipients: int) -> list[str]:
    return [f"+1415{task * recipients + r:07d}" for r in range(recipients)]


def _start_all(engine: LocalEngine, key: str, tasks: int, recipients: int) -> list[str]:
    def start(task: int) -> str:
        variables = {
            "smsFrom": {"type": "String", "value": GOOD_FROM},
            "smsTo": {"type": "Json", "value": json.dumps(_numbers(task, recipients))},
            "smsBody": {"type": "String", "value": "Your code is ${code}"},
            "metadata": {"type": "Json", "value": json.dumps({"code": task})},
        }
        return engine.start_process(key, variables)

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(start, range(tasks)))


def _ended_count(engine: LocalEngine, key: str) -> int:
    params = {"processDefinitionKey": key, "finished": "true"}
    return int(engine.call("GET", "/history/process-instance/count", params=params)["count"])


def _wait_all_ended(engine: LocalEngine, key: str, tasks: int, timeout_s: float = 600) -> None:
    engine.wait_until(lambda: _ended_count(engine, key) >= tasks, timeout_s, 0.5, "all ended")


def _results(engine: LocalEngine, key: str) -> list[dict[str, str]]:
    params = {
        "processDefinitionKey": key,
        "variableName": "smsResult",
        "deserializeValues": "false",
        "maxResults": "100000",
    }
    rows = engine.call("GET", "/history/variable-instance", params=params)
    return [json.loads(row["value"]) for row in rows]


def _report(label: str, standin: TwilioStandIn, tasks: int, recipients: int) -> tuple[int, int]:
    expected = {n for t in range(tasks) for n in _numbers(t, recipients)}
    delivered = standin.delivered
    lost = len(expected - set(delivered))
    duplicates = sum(count - 1 for count in delivered.values())
    print(
        f"\n{label}: {tasks} tasks, {len(expected)} messages, lost {lost}, duplicates {duplicates}"
    )
    return lost, duplicates


def _assert_logs_clean(output: str) -> None:
    assert DEFAULT_AUTH_TOKEN not in output
    assert re.search(r"\+\d{8,15}", output) is None, "an unmasked phone number was logged"


def test_competing_replicas_deliver_every_message_exactly_once(
    engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(engine, "replicas")
    workers = [start_worker(engine.url, standin, topic, **FAST_LOCKS) for _ in range(REPLICAS)]
    try:
        _start_all(engine, key, SOAK_TASKS, 2)
        _wait_all_ended(engine, key, SOAK_TASKS)
    finally:
        outputs = [stop_worker(w) for w in workers]
    lost, duplicates = _report("replicas", standin, SOAK_TASKS, 2)
    assert (lost, duplicates) == (0, 0)
    results = _results(engine, key)
    assert len(results) == SOAK_TASKS
    assert all(len(result) == 2 for result in results)
    for output in outputs:
        _assert_logs_clean(output)


def test_an_engine_outage_mid_run_loses_nothing(engine: LocalEngine, standin: TwilioStandIn):
    key, topic = _deploy(engine, "outage")
    outage_s = float(os.environ.get("SMS_OUTAGE_S", "20"))
    port = int(engine.url.rsplit(":", 1)[1].split("/")[0])
    tasks = max(SOAK_TASKS // 5, 20)
    standin.faults.set_latency(20)
    with TcpProxy(port) as proxy:
        url = engine.url.replace(f":{port}/", f":{proxy.port}/")
        # Reports and progress records are retried while the lock holds: a lock longer than
        # the outage rides it out (a shorter one is the documented duplicate window).
        locks = {**FAST_LOCKS, "SMS_LOCK_DURATION_MS": str(int(outage_s * 1000) + 15_000)}
        workers = [start_worker(url, standin, topic, **locks) for _ in range(REPLICAS)]
        try:
            _start_all(engine, key, tasks, 2)
            engine.wait_until(lambda: sum(standin.delivered.values()) >= tasks // 2, 300, 0.01)
            proxy.cut()
            time.sleep(outage_s)
            proxy.restore()
            _wait_all_ended(engine, key, tasks)
            alive = [w.poll() is None for w in workers]
        finally:
            for worker in workers:
                stop_worker(worker)
    assert all(alive)
    lost, duplicates = _report(f"engine outage {outage_s:.0f}s", standin, tasks, 2)
    assert (lost, duplicates) == (0, 0)


def test_twilio_faults_give_documented_codes_and_never_stop_the_worker(
    engine: LocalEngine, standin: TwilioStandIn
):
    key, topic = _deploy(engine, "faults", catch_all=True)
    worker = start_worker(
        engine.url,
        standin,
        topic,
        TWILIO_READ_TIMEOUT_MS="1000",
        TWILIO_RETRY_429_BUDGET_MS="60000",
    )
    # On message creates only: the worker's start-up check lists messages, too.
    standin.faults.throttle_next(count=30, method="POST")
    standin.faults.reset_next(count=5, method="POST")
    standin.faults.fail_next(status=500, code=20500, count=5, method="POST")
    standin.faults.html_next(status=503, count=3, method="POST")
    standin.faults.delay_next(3_000, count=3, method="POST")
    try:
        instances = _start_all(engine, key, 60, 1)
        _wait_all_ended(engine, key, 60)
        alive = worker.poll() is None
        locked = engine.external_tasks(topicName=topic, locked=True)
    finally:
        output = stop_worker(worker)
    assert alive
    assert locked == []
    codes: dict[str, int] = {}
    for instance in instances:
        variables: dict[str, Any] = engine.process_variables(instance)
        if "smsError" in variables:
            code = json.loads(variables["smsError"]["value"])["errorCode"]
            codes[code] = codes.get(code, 0) + 1
    # 429 bursts are retried away; each other fault fails exactly one task with its code.
    assert codes == {
        "TWILIO_CONNECTION_ERROR": 5 + 3,
        "INTERNAL_SERVER_ERROR": 5,
        "SERVICE_UNAVAILABLE": 3,
    }
    _assert_logs_clean(output)
