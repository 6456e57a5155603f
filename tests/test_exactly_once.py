"""Exactly once, counted on the real engine: every message the stand-in accepted, per number,
while workers are killed (some right after Twilio answered, before the progress write), frozen
past their lock, cut off from the engine for longer than the lock, or while Twilio cannot list
messages.

SMS_EXACTLY_ONCE_TASKS sets the kill soak's size (tasks of two recipients each; default 300,
the issue's full run is 1000); SMS_EXACTLY_ONCE_KILLS the number of kills (default 12, half of
them forced by the stand-in's hook between Twilio's answer and the progress write).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tcp_proxy import TcpProxy
from tests.test_delivery_guarantees import (
    _assert_logs_clean,
    _deploy,
    _numbers,
    _report,
    _results,
    _start_all,
    _wait_all_ended,
)
from tests.worker_process import start_worker, stop_worker
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import ReceivedRequest, TwilioStandIn

pytestmark = [pytest.mark.engine, pytest.mark.timeout(3600)]

TASKS = int(os.environ.get("SMS_EXACTLY_ONCE_TASKS", "300"))
KILLS = int(os.environ.get("SMS_EXACTLY_ONCE_KILLS", "12"))
REPLICAS = 3
SHORT_LOCKS = {"SMS_LOCK_DURATION_MS": "5000", "SMS_MAX_CONCURRENCY": "8"}


@dataclass
class Fleet:
    """Worker processes, each with an API key of its own, so the stand-in's hook can tell
    which process sent a message."""

    engine_url: str
    standin: TwilioStandIn
    topic: str
    env: dict[str, str]
    # Logs go to files: a long soak would fill a pipe and block the worker writing to it.
    log_dir: Path
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, count: int) -> None:
        for index in range(count):
            key = "SK" + f"{index:02d}" * 16
            self.standin.add_api_key(key, f"secret-{index}")
            self.keys.append(key)
            self.processes.append(self._spawn(index))

    def _spawn(self, index: int) -> subprocess.Popen[str]:
        credentials = {"TWILIO_API_KEY": self.keys[index], "TWILIO_API_SECRET": f"secret-{index}"}
        path = self.log_dir / f"worker-{index}-{len(self.logs)}.log"
        self.logs.append(path)
        with path.open("w") as log:
            return start_worker(
                self.engine_url, self.standin, self.topic, log=log, **credentials, **self.env
            )

    def index_of(self, key: str | None) -> int | None:
        return self.keys.index(key) if key in self.keys else None

    def signal(self, index: int, signum: int) -> None:
        with self.lock:
            os.kill(self.processes[index].pid, signum)

    def restart(self, index: int) -> None:
        """Reap a killed worker and start a fresh one in its place."""
        with self.lock:
            old = self.processes[index]
        stop_worker(old)
        with self.lock:
            self.processes[index] = self._spawn(index)

    def all_alive(self) -> bool:
        with self.lock:
            return all(p.poll() is None for p in self.processes)

    def stop(self) -> list[str]:
        """Kill every worker; return every log written."""
        with self.lock:
            processes = list(self.processes)
        for process in processes:
            stop_worker(process)
        return [path.read_text(errors="replace") for path in self.logs]


class KillOnCreate:
    """The stand-in's `on_create` hook: once armed, SIGKILLs (or freezes) the worker whose
    message Twilio just accepted, before it can record the SID."""

    def __init__(self, fleet: Fleet, signum: int = signal.SIGKILL) -> None:
        self._fleet, self._signum = fleet, signum
        self._armed = threading.Event()
        self.hit = threading.Event()
        self.victim: int | None = None

    def arm(self) -> None:
        self.hit.clear()
        self._armed.set()

    def __call__(self, request: ReceivedRequest) -> None:
        if not self._armed.is_set():
            return
        victim = self._fleet.index_of(request.auth_user)
        if victim is None:
            return
        self._armed.clear()
        self._fleet.signal(victim, self._signum)
        self.victim = victim
        self.hit.set()


def _sids_issued(standin: TwilioStandIn) -> dict[str, str]:
    return {r.message_sid: r.form["To"] for r in standin.received if r.message_sid}


def _assert_results_are_the_sent_messages(
    engine: LocalEngine, key: str, standin: TwilioStandIn, tasks: int, recipients: int
) -> None:
    results = _results(engine, key)
    assert len(results) == tasks
    issued = _sids_issued(standin)
    for result in results:
        assert len(result) == recipients
        # Adopted SIDs are real ones, each for the number Twilio sent it to.
        assert all(issued.get(sid) == number for sid, number in result.items())


def test_kill_9_soak_sends_every_message_exactly_once(
    engine: LocalEngine, standin: TwilioStandIn, tmp_path: Path
) -> None:
    key, topic = _deploy(engine, "exactly_once_kills")
    standin.faults.set_latency(20)
    fleet = Fleet(engine.url, standin, topic, SHORT_LOCKS, tmp_path)
    hook = KillOnCreate(fleet)
    standin.on_create = hook
    fleet.start(REPLICAS)
    started = time.monotonic()
    kills = forced = 0
    try:
        _start_all(engine, key, TASKS, 2)
        total = TASKS * 2
        for kill in range(KILLS):
            milestone = (kill + 1) / (KILLS + 1) * total
            engine.wait_until(lambda m=milestone: sum(standin.delivered.values()) >= m, 600, 0.01)
            if kill % 2:
                hook.arm()
                assert hook.hit.wait(120), "no message was created after arming the hook"
                assert hook.victim is not None
                victim = hook.victim
                forced += 1
            else:
                time.sleep(random.uniform(0, 0.2))
                victim = random.randrange(REPLICAS)
                fleet.signal(victim, signal.SIGKILL)
            kills += 1
            fleet.restart(victim)
        _wait_all_ended(engine, key, TASKS, timeout_s=1800)
        alive = fleet.all_alive()
    finally:
        outputs = fleet.stop()
    elapsed = time.monotonic() - started
    lost, duplicates = _report(
        f"exactly once, {kills} kills ({forced} between Twilio's answer and the progress "
        f"write), {elapsed:.0f} s",
        standin,
        TASKS,
        2,
    )
    assert alive
    assert (lost, duplicates) == (0, 0)
    _assert_results_are_the_sent_messages(engine, key, standin, TASKS, 2)
    found = sum(output.count("was sent by an earlier attempt") for output in outputs)
    print(f"messages found at Twilio instead of sent again: {found}")
    assert found >= 1, "the forced kills left messages in doubt: reconciliation must find some"
    for output in outputs:
        _assert_logs_clean(output)


def test_a_worker_frozen_past_its_lock_after_twilio_answered_sends_nothing_twice(
    engine: LocalEngine, standin: TwilioStandIn, tmp_path: Path
) -> None:
    key, topic = _deploy(engine, "exactly_once_freeze")
    tasks = 20
    # One task at a time: the frozen process holds exactly the message Twilio just accepted.
    # (A thread paused between its lock check and its request would send after the lock ran
    # out; no lease can fence that, see README "Delivery guarantees".)
    one_at_a_time = {**SHORT_LOCKS, "SMS_MAX_CONCURRENCY": "1"}
    fleet = Fleet(engine.url, standin, topic, one_at_a_time, tmp_path)
    hook = KillOnCreate(fleet, signum=signal.SIGSTOP)
    standin.on_create = hook
    fleet.start(2)
    try:
        hook.arm()
        _start_all(engine, key, tasks, 2)
        assert hook.hit.wait(120)
        assert hook.victim is not None
        # Past its 5 s lock: the task goes to the other worker, which must find the message.
        time.sleep(12)
        fleet.signal(hook.victim, signal.SIGCONT)
        _wait_all_ended(engine, key, tasks)
        alive = fleet.all_alive()
    finally:
        fleet.stop()
    assert alive
    lost, duplicates = _report("frozen past the lock", standin, tasks, 2)
    assert (lost, duplicates) == (0, 0)
    _assert_results_are_the_sent_messages(engine, key, standin, tasks, 2)


def test_an_engine_outage_longer_than_the_lock_sends_nothing_twice(
    engine: LocalEngine, standin: TwilioStandIn
) -> None:
    key, topic = _deploy(engine, "exactly_once_outage")
    outage_s = float(os.environ.get("SMS_OUTAGE_S", "15"))
    port = int(engine.url.rsplit(":", 1)[1].split("/")[0])
    tasks = 60
    standin.faults.set_latency(50)
    with TcpProxy(port) as proxy:
        url = engine.url.replace(f":{port}/", f":{proxy.port}/")
        workers = [start_worker(url, standin, topic, **SHORT_LOCKS) for _ in range(REPLICAS)]
        try:
            _start_all(engine, key, tasks, 2)
            engine.wait_until(lambda: sum(standin.delivered.values()) >= tasks // 2, 300, 0.01)
            proxy.cut()
            time.sleep(outage_s)  # three times the 5 s lock
            proxy.restore()
            _wait_all_ended(engine, key, tasks)
            alive = [w.poll() is None for w in workers]
        finally:
            for worker in workers:
                stop_worker(worker)
    assert all(alive)
    lost, duplicates = _report(f"engine outage {outage_s:.0f}s, 5 s locks", standin, tasks, 2)
    assert (lost, duplicates) == (0, 0)
    _assert_results_are_the_sent_messages(engine, key, standin, tasks, 2)


def _failures_logged(engine: LocalEngine, instance: str) -> list[str]:
    params = {"processInstanceId": instance, "failureLog": "true"}
    rows = engine.call("GET", "/history/external-task-log", params=params)
    return [str(row.get("errorMessage")) for row in rows]


def test_twilio_unable_to_list_defers_the_task_and_nothing_is_sent_blind(
    engine: LocalEngine, standin: TwilioStandIn, tmp_path: Path
) -> None:
    key, topic = _deploy(engine, "exactly_once_twilio_down")
    retry_fast = {**SHORT_LOCKS, "SMS_RETRY_TIMEOUT_MS": "1000", "SMS_TASK_RETRIES": "5"}
    fleet = Fleet(engine.url, standin, topic, retry_fast, tmp_path)
    hook = KillOnCreate(fleet)
    standin.on_create = hook
    fleet.start(1)
    try:
        hook.arm()
        (instance,) = _start_all(engine, key, 1, 1)
        assert hook.hit.wait(120)
        # The replacement worker's start-up probe lists messages too: let it through first.
        lists_before = sum(r.method == "GET" for r in standin.received)
        fleet.restart(0)
        engine.wait_until(
            lambda: sum(r.method == "GET" for r in standin.received) > lists_before, 60, 0.05
        )
        standin.faults.fail_next(503, 20503, "Service Unavailable", count=2, method="GET")
        _wait_all_ended(engine, key, 1, timeout_s=180)
    finally:
        fleet.stop()
    (number,) = _numbers(0, 1)
    creates = [r for r in standin.received if r.method == "POST" and r.form.get("To") == number]
    assert len(creates) == 1, "a message was sent while Twilio could not be asked"
    assert standin.delivered == {number: 1}
    failures = _failures_logged(engine, instance)
    assert len(failures) == 2
    assert all("nothing was sent" in message for message in failures)
    (result,) = _results(engine, key)
    assert result == {creates[0].message_sid: number}
