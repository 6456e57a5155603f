"""Delivery's decisions, on an in-memory engine: second offers of stored statuses, and replies
whose wait ends while they are being delivered."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from tests.webhooks.fake_messages import FakeMessages
from worker.engine.messages import Waiting
from worker.webhooks.delivery import RECHECK_AFTER_S, Delivered, Delivery, Result
from worker.webhooks.events import InboundSms, StatusReport
from worker.webhooks.later import Later

SID = "SM" + "12" * 16
REPORT = StatusReport(SID, "+14155552671", "failed", 30006, "p1")


class Scheduled:
    """A schedule that keeps the work for the test to run."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.work: list[Callable[[], None]] = []

    def __call__(self, delay_s: float, work: Callable[[], None]) -> bool:
        self.delays.append(delay_s)
        self.work.append(work)
        return True


def test_a_stored_status_is_offered_again_to_a_wait_that_began_meanwhile():
    engine, later, late = FakeMessages(instances={"p1"}), Scheduled(), []
    delivery = Delivery(engine, schedule=later, on_late=lambda r, d: late.append(d))
    assert delivery.status(REPORT).result is Result.STORED
    assert later.delays == [RECHECK_AFTER_S]
    engine.status_waiting.add("p1")  # the process's wait commits just after the status was set
    later.work[0]()
    assert late == [Delivered(Result.LATE, "p1")]
    assert "p1" not in engine.status_waiting


def test_a_stored_status_the_process_already_replaced_is_not_offered_again():
    engine, later, late = FakeMessages(instances={"p1"}), Scheduled(), []
    delivery = Delivery(engine, schedule=later, on_late=lambda r, d: late.append(d))
    delivery.status(REPORT)
    engine.variables[("p1", "smsStatus")] = {"type": "Json", "value": json.dumps({"sid": "x"})}
    engine.status_waiting.add("p1")
    later.work[0]()
    assert late == []
    assert "p1" in engine.status_waiting


def test_a_reply_whose_wait_ended_meanwhile_goes_to_the_next_wait():
    engine = FakeMessages(waiting={"+1555": ["older", "newer"]})
    real_trigger = engine.trigger

    def trigger_after_the_newest_stopped_waiting(
        waiting: Waiting, message: str, variables: dict[str, dict[str, str]]
    ) -> None:
        if waiting.process_instance_id == "newer" and "newer" in engine.waiting["+1555"]:
            engine.waiting["+1555"].remove("newer")  # its timer fired first
        real_trigger(waiting, message, variables)

    engine.trigger = trigger_after_the_newest_stopped_waiting  # type: ignore[method-assign]
    done = Delivery(engine).reply(InboundSms(SID, "+1555", "+1500", "YES"))
    assert done == Delivered(Result.CORRELATED, "older")


def test_later_runs_what_is_due_first_first_and_refuses_beyond_its_bound():
    later, ran = Later(max_pending=2), []
    busy, release, done = threading.Event(), threading.Event(), threading.Event()
    # Keep the thread busy while the rest is queued, so the order is the queue's alone.
    assert later(0.0, lambda: (busy.set(), release.wait(30)))
    assert busy.wait(30)
    assert later(0.1, lambda: (ran.append("due second"), done.set()))
    assert later(0.0, lambda: ran.append("due first"))
    assert not later(0.0, lambda: ran.append("one too many"))
    release.set()
    assert done.wait(30)
    assert ran == ["due first", "due second"]
    later.stop()
    assert not later(0.0, lambda: ran.append("after stop"))
