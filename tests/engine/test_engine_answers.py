"""What Camunda 7.24 answers when it will not take a report, and the typed error each answer
becomes: LockLost only when the engine says the task is not ours (another worker's lock, or an
expired one), TaskGone for a task that no longer exists, a plain EngineError for a refusal."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.twilio_fixtures import settings_for
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.engine.client import EngineClient
from worker.engine.task import ExternalTask
from worker.errors import EngineError, LockLost, TaskGone

pytestmark = pytest.mark.engine

_keys = itertools.count()
Report = Callable[[EngineClient, ExternalTask], None]

REPORTS: dict[str, Report] = {
    "complete": lambda client, task: client.complete(task, {}),
    "bpmnError": lambda client, task: client.bpmn_error(task, "SOME_CODE", "message", {}),
    "failure": lambda client, task: client.failure(task, "message", "details", 0, 0),
    "extendLock": lambda client, task: client.extend_lock(task, 60_000),
}
# What the engine refuses to store: an unknown type, a value of the wrong type.
UNTAKEABLE = {
    "unknown type": {"type": "NoSuchType", "value": "x"},
    "wrong value": {"type": "Integer", "value": "not a number"},
}


@pytest.fixture
def topic(engine: LocalEngine) -> str:
    """A process with a topic of its own, with one instance waiting at the external task."""
    n = next(_keys)
    key, topic = f"answers_{n}", f"ANSWERS_{n}"
    engine.deploy((f"{key}.bpmn", sms_process(key, topic=topic)))
    engine.start_process(key)
    return topic


def _client(engine: LocalEngine, standin: TwilioStandIn, worker: str, topic: str) -> EngineClient:
    return EngineClient(
        settings_for(standin, camunda_url=engine.url, worker_id=worker, topic=topic).engine
    )


@pytest.fixture
def worker_a(engine: LocalEngine, standin: TwilioStandIn, topic: str) -> Iterator[EngineClient]:
    client = _client(engine, standin, "worker-a", topic)
    yield client
    client.close()


def _lock(engine: LocalEngine, topic: str, worker: str, lock_ms: int = 60_000) -> ExternalTask:
    body = {
        "workerId": worker,
        "maxTasks": 1,
        "topics": [{"topicName": topic, "lockDuration": lock_ms}],
    }
    (locked,) = engine.call("POST", "/external-task/fetchAndLock", json=body)
    return ExternalTask.from_json(locked)


def _expire(engine: LocalEngine, topic: str) -> None:
    engine.wait_until(
        lambda: engine.external_tasks(topicName=topic, notLocked=True), 30, what="lock expired"
    )


def _refusal(call: Callable[[], Any]) -> EngineError:
    with pytest.raises(EngineError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("report", REPORTS)
def test_a_task_locked_by_another_worker_is_lock_lost(
    engine: LocalEngine, worker_a: EngineClient, topic: str, report: str
):
    task = _lock(engine, topic, "worker-b")
    error = _refusal(lambda: REPORTS[report](worker_a, task))
    assert isinstance(error, LockLost)
    assert error.status == 400
    assert "locked by worker 'worker-b'" in str(error)


@pytest.mark.parametrize("report", REPORTS)
def test_a_lock_that_expired_and_was_taken_by_another_worker_is_lock_lost(
    engine: LocalEngine, worker_a: EngineClient, topic: str, report: str
):
    task = _lock(engine, topic, "worker-a", lock_ms=1)
    _expire(engine, topic)
    _lock(engine, topic, "worker-b")
    assert isinstance(_refusal(lambda: REPORTS[report](worker_a, task)), LockLost)


@pytest.mark.parametrize("report", REPORTS)
def test_a_released_lock_is_lock_lost(
    engine: LocalEngine, worker_a: EngineClient, topic: str, report: str
):
    task = _lock(engine, topic, "worker-a")
    engine.call("POST", f"/external-task/{task.id}/unlock")
    error = _refusal(lambda: REPORTS[report](worker_a, task))
    assert isinstance(error, LockLost)
    assert "locked by worker 'null'" in str(error)


def test_an_expired_lock_nobody_took_cannot_be_extended(
    engine: LocalEngine, worker_a: EngineClient, topic: str
):
    task = _lock(engine, topic, "worker-a", lock_ms=1)
    _expire(engine, topic)
    error = _refusal(lambda: worker_a.extend_lock(task, 60_000))
    assert isinstance(error, LockLost)
    assert "lock that expired" in str(error)


def test_an_expired_lock_nobody_took_still_completes(
    engine: LocalEngine, worker_a: EngineClient, topic: str
):
    task = _lock(engine, topic, "worker-a", lock_ms=1)
    _expire(engine, topic)
    worker_a.complete(task, {})
    assert engine.external_tasks(topicName=topic) == []


@pytest.mark.parametrize("report", REPORTS)
def test_a_task_that_no_longer_exists_is_gone(
    engine: LocalEngine, worker_a: EngineClient, topic: str, report: str
):
    task = _lock(engine, topic, "worker-a")
    engine.call("DELETE", f"/process-instance/{task.process_instance_id}")
    error = _refusal(lambda: REPORTS[report](worker_a, task))
    assert isinstance(error, TaskGone)
    assert error.status == 404


@pytest.mark.parametrize("variable", UNTAKEABLE.values(), ids=list(UNTAKEABLE))
def test_a_completion_with_a_variable_the_engine_cannot_take_is_a_refusal(
    engine: LocalEngine, worker_a: EngineClient, topic: str, variable: dict[str, str]
):
    task = _lock(engine, topic, "worker-a")
    error = _refusal(lambda: worker_a.complete(task, {"v": variable}))
    assert type(error) is EngineError
    assert error.status == 400
    assert "locked by" not in str(error)


@pytest.mark.parametrize("variable", UNTAKEABLE.values(), ids=list(UNTAKEABLE))
def test_a_bpmn_error_with_a_variable_the_engine_cannot_take_is_a_refusal(
    engine: LocalEngine, worker_a: EngineClient, topic: str, variable: dict[str, str]
):
    task = _lock(engine, topic, "worker-a")
    error = _refusal(lambda: worker_a.bpmn_error(task, "SOME_CODE", "message", {"v": variable}))
    assert type(error) is EngineError
    assert error.status == 400


def test_a_failing_output_mapping_is_a_refusal_naming_the_expression(
    engine: LocalEngine, standin: TwilioStandIn
):
    n = next(_keys)
    key, topic = f"answers_mapping_{n}", f"ANSWERS_MAPPING_{n}"
    model = sms_process(key, topic=topic, outputs={"out": "${undefinedVar}"})
    engine.deploy((f"{key}.bpmn", model))
    engine.start_process(key)
    task = _lock(engine, topic, "worker-a")
    client = _client(engine, standin, "worker-a", topic)
    try:
        error = _refusal(lambda: client.complete(task, {}))
    finally:
        client.close()
    assert type(error) is EngineError
    assert error.status == 500
    assert "Unknown property used in expression: ${undefinedVar}" in str(error)
