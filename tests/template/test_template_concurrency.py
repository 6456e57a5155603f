"""Another task completes normally while hostile templates render (issue 12).

Two real task handlers, each in its own thread as the worker runs tasks: one keeps rendering
hostile templates (each stopped by the work budget as INVALID_INPUT), the other sends SMS
through the Twilio stand-in on loopback. The proof is an ordering, not a time: the budget's
clock checkpoints of each hostile render and the other task's completions go into one log,
and some completion must fall strictly between two checkpoints of one render, i.e. while that
render was still running. A render that held the interpreter for its whole run (a
backtracking regex, a deep comparison, a long C-level string operation) could not be
overtaken that way.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from tests.runtime.fake_engine import FakeClock, FakeEngine, json_value, task
from tests.twilio_fixtures import GOOD_FROM
from worker.config import LeaseSettings, ReportSettings, UncaughtErrors
from worker.dev.twilio_standin import TwilioStandIn
from worker.metrics import Metrics
from worker.redaction import Redactor
from worker.runtime.reporter import OutcomeReporter
from worker.runtime.task_handler import TaskHandler
from worker.template import budget
from worker.twilio.client import TwilioClient

LEASE = LeaseSettings(lock_duration_ms=60_000, worst_send_s=20.0)
REPORTING = ReportSettings(3, 60_000, UncaughtErrors.INCIDENT)
# The template, 20 lines of it: 40 chained ?capitalize on a 65,000-character string.
HOSTILE = "".join(f"<#assign k{i} = s{'?capitalize' * 40}?length>\n" for i in range(20))
NORMAL_TASKS = 5
MAX_HOSTILE_RENDERS = 500  # a safety net only: the loop stops when the other thread is done


def _inputs(body: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "smsFrom": {"type": "String", "value": GOOD_FROM},
        "smsTo": {"type": "String", "value": "+14155550101"},
        "smsBody": {"type": "String", "value": body},
        "metadata": {"type": "Json", "value": json.dumps(metadata)},
    }


def _handler(engine: FakeEngine, twilio: TwilioClient) -> TaskHandler:
    clock = FakeClock()
    reporter = OutcomeReporter(
        engine, REPORTING, lambda _t, _c: True, redactor=Redactor(), sleep=clock.sleep, clock=clock
    )
    return TaskHandler(
        engine,
        twilio,
        reporter,
        LEASE,
        default_region=None,
        aborted=threading.Event(),
        metrics=Metrics(CollectorRegistry()),
    )


class _Log:
    """One ordered record of hostile render checkpoints and the other task's completions."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, int]] = []

    def add(self, kind: str, which: int) -> None:
        with self.lock:
            self.events.append((kind, which))


def test_another_task_completes_while_a_hostile_template_renders(
    standin: TwilioStandIn, twilio: TwilioClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _Log()
    real_check_time = budget.RenderBudget.check_time
    hostile_rendering, others_done = threading.Event(), threading.Event()

    def logged_check_time(self: budget.RenderBudget) -> None:
        # Instrumentation only: records the checkpoint, then the real check.
        if threading.current_thread().name == "hostile":
            log.add("checkpoint", id(self))
            hostile_rendering.set()
        real_check_time(self)

    monkeypatch.setattr(budget.RenderBudget, "check_time", logged_check_time)
    hostile_codes: list[str] = []
    normal_outcomes: list[str] = []

    def hostile() -> None:
        for _ in range(MAX_HOSTILE_RENDERS):
            engine = FakeEngine()
            _handler(engine, twilio)(task(**_inputs(HOSTILE, {"s": "a" * 65_000})))
            hostile_codes.append(engine.last("bpmn_error").args[1])
            if others_done.is_set():
                return

    def other() -> None:
        hostile_rendering.wait()  # the other tasks start once a hostile render is under way
        for number in range(NORMAL_TASKS):
            engine = FakeEngine()
            outcome = _handler(engine, twilio)(task(**_inputs("Hi ${name}", {"name": "Ann"})))
            normal_outcomes.append(outcome)
            assert json_value(engine.last("complete").args[1]["smsResult"])
            log.add("completed", number)
        others_done.set()

    threads = [threading.Thread(target=f, name=f.__name__) for f in (hostile, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads)

    assert normal_outcomes == ["completed"] * NORMAL_TASKS
    assert len(standin.received) == NORMAL_TASKS
    assert set(hostile_codes) == {"INVALID_INPUT"}
    assert len(hostile_codes) < MAX_HOSTILE_RENDERS
    assert _completions_inside_a_render(log.events) >= 1, log.events[:50]


def _completions_inside_a_render(events: list[tuple[str, int]]) -> int:
    """Completions with a checkpoint of the same render both before and after them."""
    inside = 0
    for at, (kind, _) in enumerate(events):
        if kind != "completed":
            continue
        before = {w for k, w in events[:at] if k == "checkpoint"}
        after = {w for k, w in events[at + 1 :] if k == "checkpoint"}
        inside += bool(before & after)
    return inside
