"""TaskLease: progress records after each message but the last, and the lock kept alive, with
sending stopped as soon as either cannot be guaranteed."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone

import pytest
from prometheus_client import CollectorRegistry

from tests.runtime.fake_engine import FakeClock, FakeEngine, json_value, task
from worker.config import LeaseSettings
from worker.errors import EngineError, EngineUnreachable, LockLost, LostRace, TaskGone
from worker.metrics import Metrics
from worker.runtime.lease import TaskLease, earlier_intent, earlier_progress
from worker.sms.reconcile import Intent, SentText

# A 60 s lock and sends that can take up to 20 s: extend once less than 25 s are left.
SETTINGS = LeaseSettings(lock_duration_ms=60_000, worst_send_s=20.0)


def _lease(
    engine: FakeEngine, clock: FakeClock, *, aborted: threading.Event | None = None
) -> TaskLease:
    return TaskLease(
        engine,
        task(),
        SETTINGS,
        earlier={},
        aborted=aborted or threading.Event(),
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda: 0.5,
    )


def _progress(task_id: str, sent: dict[str, str]) -> dict[str, str]:
    return {"type": "Json", "value": json.dumps({"taskId": task_id, "sent": sent})}


def test_earlier_progress_of_the_same_task_is_read():
    fetched = task(smsProgress=_progress("task-1", {"+14155550101": "SM1"}))
    assert earlier_progress(fetched) == {"+14155550101": "SM1"}


def test_progress_left_by_another_task_on_the_execution_is_ignored():
    fetched = task(smsProgress=_progress("task-0", {"+14155550101": "SM1"}))
    assert earlier_progress(fetched) == {}


def test_unreadable_progress_counts_as_none():
    fetched = task(smsProgress={"type": "Json", "value": "{not json"})
    assert earlier_progress(fetched) == {}


def test_each_message_but_the_last_is_recorded_with_everything_sent_so_far():
    engine, clock = FakeEngine(), FakeClock()
    lease = _lease(engine, clock)
    lease.record("+14155550101", "SM1", more_to_send=True)
    lease.record("+14155550102", "SM2", more_to_send=True)
    execution, name, typed = engine.last("set_local_variable").args
    assert (execution, name) == ("exec-1", "smsProgress")
    assert json_value(typed) == {
        "taskId": "task-1",
        "sent": {"+14155550101": "SM1", "+14155550102": "SM2"},
    }
    assert lease.already_sent() == {"+14155550101": "SM1", "+14155550102": "SM2"}


def test_the_last_message_is_recorded_by_the_completion_alone():
    engine, clock = FakeEngine(), FakeClock()
    _lease(engine, clock).record("+14155550101", "SM1", more_to_send=False)
    assert engine.calls == []


def test_a_record_is_retried_while_the_engine_is_unreachable():
    engine = FakeEngine(failures={"set_local_variable": [EngineUnreachable("down")] * 2})
    clock = FakeClock()
    lease = _lease(engine, clock)
    lease.record("+14155550101", "SM1", more_to_send=True)
    assert engine.names() == ["set_local_variable"] * 3
    assert not lease.lost


def test_a_record_that_cannot_be_written_before_the_lock_ends_stops_the_sends():
    engine = FakeEngine(failures={"set_local_variable": [EngineUnreachable("down")] * 1000})
    clock = FakeClock()
    lease = _lease(engine, clock)
    lease.record("+14155550101", "SM1", more_to_send=True)
    assert lease.lost
    assert not lease.may_continue()
    assert clock() <= 1000.0 + 60.0


@pytest.mark.parametrize("answer", [TaskGone("gone", 404), EngineError("bad", 409)])
def test_a_record_the_engine_refuses_stops_the_sends_at_once(answer: EngineError):
    engine = FakeEngine(failures={"set_local_variable": [answer]})
    clock = FakeClock()
    lease = _lease(engine, clock)
    lease.record("+14155550101", "SM1", more_to_send=True)
    assert lease.lost
    assert engine.names() == ["set_local_variable"]


def test_a_server_error_on_a_record_is_tried_twice_more():
    engine = FakeEngine(failures={"set_local_variable": [EngineError("oops", 500)] * 3})
    clock = FakeClock()
    lease = _lease(engine, clock)
    lease.record("+14155550101", "SM1", more_to_send=True)
    assert engine.names() == ["set_local_variable"] * 3
    assert lease.lost


def test_a_lock_with_room_for_a_send_is_not_extended():
    engine, clock = FakeEngine(), FakeClock()
    assert _lease(engine, clock).may_continue()
    assert engine.calls == []


def test_a_lock_about_to_run_short_is_extended_by_a_whole_lock():
    engine, clock = FakeEngine(), FakeClock()
    lease = _lease(engine, clock)
    clock.sleep(40.0)  # 20 s left: less than one send and the extension call
    assert lease.may_continue()
    assert engine.last("extend_lock").args == ("task-1", 60_000)
    assert lease.locked_until == clock() + 60.0
    assert lease.extensions == 1


@pytest.mark.parametrize("answer", [TaskGone("gone", 404), LockLost("taken", 400)])
def test_a_lock_lost_or_a_task_gone_stops_the_sends(answer: EngineError):
    engine = FakeEngine(failures={"extend_lock": [answer]})
    clock = FakeClock()
    lease = _lease(engine, clock)
    clock.sleep(40.0)
    assert not lease.may_continue()
    assert lease.lost


def test_an_unreachable_engine_lets_sends_go_on_only_while_the_lock_surely_holds():
    engine = FakeEngine(failures={"extend_lock": [EngineUnreachable("down")] * 2})
    clock = FakeClock()
    lease = _lease(engine, clock)
    clock.sleep(36.0)  # 24 s left: room for one 20 s send
    assert lease.may_continue()
    clock.sleep(5.0)  # 19 s left: not enough
    assert not lease.may_continue()
    assert not lease.lost


def test_a_failed_extension_that_took_its_time_counts_the_time_it_took():
    clock = FakeClock()
    engine = FakeEngine(failures={"extend_lock": [EngineUnreachable("timed out")]})
    engine.on_call = lambda name: clock.sleep(10.0) if name == "extend_lock" else None
    lease = _lease(engine, clock)
    clock.sleep(36.0)  # 24 s left when asked, 14 s once the engine gave up: no room for a send
    assert not lease.may_continue()


def test_an_extension_answered_after_the_lock_it_granted_ran_out_stops_the_sends():
    # A worker paused (or an answer stuck) for longer than a lock: the engine has handed the
    # task to someone else meanwhile, whatever the late answer says.
    clock = FakeClock()
    engine = FakeEngine()
    engine.on_call = lambda name: clock.sleep(70.0) if name == "extend_lock" else None
    lease = _lease(engine, clock)
    clock.sleep(40.0)
    assert not lease.may_continue()
    assert lease.lost


def test_an_aborted_worker_sends_no_more():
    engine, clock = FakeEngine(), FakeClock()
    aborted = threading.Event()
    lease = _lease(engine, clock, aborted=aborted)
    aborted.set()
    assert not lease.may_continue()


def _metered(engine: FakeEngine, clock: FakeClock, registry: CollectorRegistry) -> TaskLease:
    return TaskLease(
        engine,
        task(),
        SETTINGS,
        earlier={},
        aborted=threading.Event(),
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda: 0.5,
        metrics=Metrics(registry),
    )


def _extensions(registry: CollectorRegistry, result: str) -> float | None:
    return registry.get_sample_value("sms_worker_lock_extensions_total", {"result": result})


def test_a_new_lease_is_not_lost():
    assert _lease(FakeEngine(), FakeClock()).lost is False


def test_a_lock_with_exactly_one_send_and_five_seconds_left_is_not_extended():
    engine, clock = FakeEngine(), FakeClock()
    lease = _lease(engine, clock)
    clock.sleep(35.0)  # 25 s left: a 20 s send and 5 s for the extension call
    assert lease.may_continue()
    assert engine.calls == []


def test_each_extension_renews_the_whole_lock_and_is_counted():
    engine, clock, registry = FakeEngine(), FakeClock(), CollectorRegistry()
    lease = _metered(engine, clock, registry)
    for _ in range(2):
        clock.sleep(40.0)
        assert lease.may_continue()
    assert lease.extensions == 2
    assert _extensions(registry, "extended") == 2


def test_a_lost_lock_is_counted_and_logged_with_the_task(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"extend_lock": [LockLost("taken", 400)]})
    clock, registry = FakeClock(), CollectorRegistry()
    lease = _metered(engine, clock, registry)
    clock.sleep(40.0)
    assert not lease.may_continue()
    assert _extensions(registry, "lost") == 1
    (record,) = caplog.records
    assert record.getMessage() == "task task-1: lock lost (taken); stopping its sends"
    assert (record.__dict__["task_id"], record.__dict__["process_instance_id"]) == (
        "task-1",
        "pi-1",
    )


def test_an_extension_that_fails_is_counted_and_logged(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"extend_lock": [EngineUnreachable("down")]})
    clock, registry = FakeClock(), CollectorRegistry()
    lease = _metered(engine, clock, registry)
    clock.sleep(36.0)
    assert lease.may_continue()
    assert _extensions(registry, "failed") == 1
    assert [r.getMessage() for r in caplog.records] == ["task task-1: could not extend lock (down)"]


@pytest.mark.parametrize(("left_s", "goes_on"), [(20.5, True), (20.0, False)])
def test_without_the_engine_sends_go_on_while_more_than_one_send_is_left(
    left_s: float, goes_on: bool
):
    engine = FakeEngine(failures={"extend_lock": [EngineUnreachable("down")]})
    clock = FakeClock()
    lease = _lease(engine, clock)
    clock.sleep(60.0 - left_s)
    assert lease.may_continue() is goes_on


def test_a_record_is_retried_with_growing_backoff_and_each_retry_is_logged(
    caplog: pytest.LogCaptureFixture,
):
    engine = FakeEngine(failures={"set_local_variable": [EngineUnreachable("down")] * 2})
    clock = FakeClock()
    _lease(engine, clock).record("+14155550101", "SM1", more_to_send=True)
    assert clock.slept == [0.1, 0.2]  # half of 0.2 s, then of 0.4 s (jitter 0.5)
    assert [r.getMessage() for r in caplog.records] == [
        "task task-1: recording progress failed (down)"
    ] * 2


def test_a_record_given_up_says_the_sends_stop(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"set_local_variable": [TaskGone("gone", 404)]})
    _lease(engine, FakeClock()).record("+14155550101", "SM1", more_to_send=True)
    assert [r.getMessage() for r in caplog.records] == [
        "task task-1: recording progress failed; stopping its sends"
    ]


INTENT = Intent(
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), (SentText("+15005550006", "f" * 64),)
)


def test_the_intent_is_written_into_the_progress_record_before_any_message():
    engine, clock = FakeEngine(), FakeClock()
    assert _lease(engine, clock).declare(INTENT)
    _, name, typed = engine.last("set_local_variable").args
    assert name == "smsProgress"
    assert json_value(typed) == {"taskId": "task-1", **INTENT.to_json(), "sent": {}}


def test_each_record_after_the_intent_keeps_it():
    engine, clock = FakeEngine(), FakeClock()
    lease = _lease(engine, clock)
    lease.declare(INTENT)
    lease.record("+14155550101", "SM1", more_to_send=True)
    value = json_value(engine.last("set_local_variable").args[2])
    assert value == {"taskId": "task-1", **INTENT.to_json(), "sent": {"+14155550101": "SM1"}}
    assert engine.names() == ["set_local_variable", "set_local_variable"]


def test_an_intent_that_cannot_be_written_before_the_lock_ends_says_so():
    engine, clock = FakeEngine(), FakeClock()
    engine.failures["set_local_variable"] = [EngineUnreachable("down")] * 1000
    lease = _lease(engine, clock)
    assert not lease.declare(INTENT)
    assert not lease.may_continue()


def test_the_intent_of_an_earlier_attempt_of_the_same_task_is_read():
    record = {"taskId": "task-1", **INTENT.to_json(), "sent": {"+14155550101": "SM1"}}
    fetched = task(smsProgress={"type": "Json", "value": json.dumps(record)})
    assert earlier_intent(fetched) == INTENT
    assert earlier_progress(fetched) == {"+14155550101": "SM1"}
    other = task(smsProgress={"type": "Json", "value": json.dumps({**record, "taskId": "t0"})})
    assert earlier_intent(other) is None


def test_a_message_found_at_twilio_is_recorded_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
):
    engine, clock, metrics = FakeEngine(), FakeClock(), Metrics(CollectorRegistry())
    lease = TaskLease(
        engine,
        task(),
        SETTINGS,
        earlier={},
        aborted=threading.Event(),
        clock=clock,
        sleep=clock.sleep,
        metrics=metrics,
    )
    with caplog.at_level(logging.INFO):
        lease.record("+14155550101", "SM1", more_to_send=True, found_at_twilio=True)
    assert json_value(engine.last("set_local_variable").args[2])["sent"] == {"+14155550101": "SM1"}
    assert metrics.registry.get_sample_value("sms_worker_messages_found_total") == 1
    # The production log filter masks it (worker.redaction; tests/test_logs.py).
    assert "+14155550101" in caplog.text


def test_a_lease_starts_with_the_intent_of_an_earlier_attempt_and_keeps_it():
    engine, clock = FakeEngine(), FakeClock()
    lease = TaskLease(
        engine, task(), SETTINGS, earlier={}, intent=INTENT, aborted=threading.Event(), clock=clock
    )
    assert lease.earlier_intent() == INTENT
    lease.record("+14155550101", "SM1", more_to_send=True)
    value = json_value(engine.last("set_local_variable").args[2])
    assert value == {"taskId": "task-1", **INTENT.to_json(), "sent": {"+14155550101": "SM1"}}


def test_an_intent_the_engine_refuses_says_so_in_the_log(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"set_local_variable": [TaskGone("gone", 404)]})
    assert not _lease(engine, FakeClock()).declare(INTENT)
    assert [r.getMessage() for r in caplog.records] == [
        "task task-1: recording the intent to send failed; stopping its sends"
    ]


def test_a_record_lost_to_another_node_is_logged_at_debug_only(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"set_local_variable": [LostRace("first", 400)]})
    with caplog.at_level(logging.DEBUG):
        lease = _lease(engine, FakeClock())
        lease.record("+14155550101", "SM1", more_to_send=True)
    assert lease.lost
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.DEBUG, "task task-1: recording progress failed; stopping its sends")
    ]


def test_a_record_retried_after_another_node_got_there_first_is_logged_at_debug(
    caplog: pytest.LogCaptureFixture,
):
    engine = FakeEngine(failures={"set_local_variable": [LostRace("first", 500)]})
    with caplog.at_level(logging.DEBUG):
        lease = _lease(engine, FakeClock())
        lease.record("+14155550101", "SM1", more_to_send=True)
    assert not lease.lost
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.DEBUG, "task task-1: recording progress failed (first)")
    ]


def test_a_lock_lost_to_another_node_is_logged_at_debug_only(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"extend_lock": [LostRace("first", 400)]})
    clock = FakeClock()
    with caplog.at_level(logging.DEBUG):
        lease = _lease(engine, clock)
        clock.sleep(40.0)
        assert not lease.may_continue()
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.DEBUG, "task task-1: lock lost (first); stopping its sends")
    ]


def test_an_extension_answered_just_as_the_lock_it_granted_ends_stops_the_sends(
    caplog: pytest.LogCaptureFixture,
):
    clock = FakeClock()
    engine = FakeEngine()
    engine.on_call = lambda name: clock.sleep(60.0) if name == "extend_lock" else None
    lease = _lease(engine, clock)
    clock.sleep(40.0)
    assert not lease.may_continue()
    assert lease.lost
    assert [r.getMessage() for r in caplog.records] == [
        "task task-1: lock expired before its extension was answered"
    ]


def test_a_message_sent_now_is_not_counted_or_logged_as_found(caplog: pytest.LogCaptureFixture):
    engine, clock, metrics = FakeEngine(), FakeClock(), Metrics(CollectorRegistry())
    lease = TaskLease(
        engine,
        task(),
        SETTINGS,
        earlier={},
        aborted=threading.Event(),
        clock=clock,
        metrics=metrics,
    )
    with caplog.at_level(logging.INFO):
        lease.record("+14155550101", "SM1", more_to_send=False)
    assert metrics.registry.get_sample_value("sms_worker_messages_found_total") == 0
    assert caplog.records == []


def test_a_message_found_at_twilio_is_logged_with_task_number_and_sid(
    caplog: pytest.LogCaptureFixture,
):
    lease = _lease(FakeEngine(), FakeClock())
    with caplog.at_level(logging.INFO):
        lease.record("+14155550101", "SM1", more_to_send=False, found_at_twilio=True)
    assert [r.getMessage() for r in caplog.records] == [
        "task task-1: the message to +14155550101 was sent by an earlier attempt (SM1), "
        "not sending it again"
    ]
