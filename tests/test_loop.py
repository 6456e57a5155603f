"""The poll loop with a scripted task source: slots, backoff and shutdown, without sleeping."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from worker.engine.task import ExternalTask
from worker.errors import EngineError
from worker.runtime.loop import PollLoop


def _task(n: int) -> ExternalTask:
    return ExternalTask(str(n), "Send", "exec", "pi", "pd", None)


class ScriptedEngine:
    """Answers fetches from a script (lists of tasks or exceptions), then blocks like an idle
    long poll until released."""

    def __init__(self, script: list[list[ExternalTask] | Exception]) -> None:
        self.script = script
        self.asked: list[int] = []
        self.unlocked: list[str] = []
        self.idle = threading.Event()
        self.release = threading.Event()

    def fetch_and_lock(self, max_tasks: int, variables: Sequence[str]) -> list[ExternalTask]:
        self.asked.append(max_tasks)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        self.idle.set()
        self.release.wait(5)
        later = self.script.pop(0) if self.script else []
        return later if isinstance(later, list) else []

    def unlock(self, task: ExternalTask) -> None:
        self.unlocked.append(task.id)


def _run(worker: PollLoop) -> threading.Thread:
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    return thread


def _run_until_idle(engine: ScriptedEngine, worker: PollLoop) -> None:
    """Run until the script is used up and the loop waits in an idle poll, then stop."""
    thread = _run(worker)
    assert engine.idle.wait(5)
    worker.stop()
    engine.release.set()
    thread.join(5)


def test_each_fetch_asks_only_for_free_slots():
    engine = ScriptedEngine([[_task(1), _task(2)]])
    gate = threading.Event()
    worker = PollLoop(engine, lambda task: gate.wait(5), max_concurrency=3, variables=["x"])
    thread = _run(worker)
    assert engine.idle.wait(5)
    assert engine.asked == [3, 1]
    gate.set()
    worker.stop()
    engine.release.set()
    thread.join(5)


def test_engine_errors_back_off_with_growing_delays():
    failures: list[list[ExternalTask] | Exception] = [EngineError("down")] * 4
    engine = ScriptedEngine(failures)
    sleeps: list[float] = []
    worker = PollLoop(
        engine,
        lambda task: None,
        max_concurrency=1,
        variables=["x"],
        sleep=sleeps.append,
        jitter=lambda: 0.5,
    )
    _run_until_idle(engine, worker)
    assert sleeps == [0.25, 0.5, 1.0, 2.0]


def test_a_success_resets_the_backoff():
    engine = ScriptedEngine([EngineError("down"), [], EngineError("down")])
    sleeps: list[float] = []
    worker = PollLoop(
        engine,
        lambda task: None,
        max_concurrency=1,
        variables=["x"],
        sleep=sleeps.append,
        jitter=lambda: 0.5,
    )
    _run_until_idle(engine, worker)
    assert sleeps == [0.25, 0.25]


def test_an_unexpected_error_while_polling_does_not_kill_the_loop():
    engine = ScriptedEngine([RuntimeError("bug"), [_task(1)]])
    handled: list[str] = []
    worker = PollLoop(
        engine,
        lambda task: handled.append(task.id),
        max_concurrency=1,
        variables=["x"],
        sleep=lambda _s: None,
    )
    _run_until_idle(engine, worker)
    assert handled == ["1"]


def test_a_failing_handler_frees_its_slot():
    engine = ScriptedEngine([[_task(1)], [_task(2)]])

    def handle(task: ExternalTask) -> None:
        raise RuntimeError("reporting bug")

    worker = PollLoop(engine, handle, max_concurrency=1, variables=["x"])
    _run_until_idle(engine, worker)
    assert engine.asked == [1, 1, 1]


def test_stop_waits_for_running_tasks_and_unlocks_tasks_fetched_after_it():
    engine = ScriptedEngine([])
    started, finish = threading.Event(), threading.Event()
    done: list[str] = []

    def handle(task: ExternalTask) -> None:
        started.set()
        finish.wait(5)
        done.append(task.id)

    engine.script.append([_task(1)])
    worker = PollLoop(engine, handle, max_concurrency=2, variables=["x"])
    thread = _run(worker)
    assert started.wait(5)
    assert engine.idle.wait(5)
    worker.stop()
    # The open long poll answers only now, with a task nobody will start.
    engine.script.append([_task(2)])
    engine.idle.clear()
    engine.release.set()
    thread.join(0.2)
    assert thread.is_alive()  # still draining task 1
    finish.set()
    thread.join(5)
    assert not thread.is_alive()
    assert done == ["1"]
    assert engine.unlocked == ["2"]


def test_the_drain_is_bounded_by_the_grace_and_then_aborts_the_running_tasks():
    engine = ScriptedEngine([[_task(1)]])
    started, aborted = threading.Event(), threading.Event()
    results: list[int] = []

    def handle(task: ExternalTask) -> None:
        started.set()
        aborted.wait(10)  # a task that only stops when told to

    worker = PollLoop(
        engine,
        handle,
        max_concurrency=2,
        variables=["x"],
        grace_s=0.1,
        on_grace_expired=aborted.set,
    )
    thread = threading.Thread(target=lambda: results.append(worker.run()), daemon=True)
    thread.start()
    assert started.wait(5)
    assert engine.idle.wait(5)
    worker.stop()
    engine.release.set()
    thread.join(10)
    assert results == [1]  # one task left to its lock
    assert aborted.is_set()


def test_a_drain_within_the_grace_leaves_no_task_behind():
    engine = ScriptedEngine([[_task(1)]])
    results: list[int] = []
    worker = PollLoop(engine, lambda task: None, max_concurrency=1, variables=["x"], grace_s=5)
    thread = threading.Thread(target=lambda: results.append(worker.run()), daemon=True)
    thread.start()
    assert engine.idle.wait(5)
    worker.stop()
    engine.release.set()
    thread.join(10)
    assert results == [0]
