"""The poll loop: long-poll for as many tasks as there are free slots, run each on a thread."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from worker.engine.task import ExternalTask
from worker.errors import EngineError
from worker.retry import RetryPolicy, retry_call

log = logging.getLogger(__name__)

POLL_RETRY = RetryPolicy(base_s=0.5, cap_s=10.0)
# With long polling switched off (poll timeout 0) an empty answer comes back at once.
_EMPTY_POLL_PAUSE_S = 1.0
# How often a fetcher waiting for a free slot shows it is still alive.
_SLOT_WAIT_S = 1.0
# While a backlog waits on the engine, fetching one task per freed slot costs a round trip per
# task; waiting this long for a quarter of the slots to free up measured ~8% more throughput.
_BATCH_WAIT_S = 0.02


class TaskSource(Protocol):
    def fetch_and_lock(self, max_tasks: int, variables: Sequence[str]) -> list[ExternalTask]: ...

    def unlock(self, task: ExternalTask) -> None: ...


class PollLoop:
    """`run()` blocks until `stop()`; then it fetches nothing more, lets running tasks finish
    (for at most `grace_s`), hands back tasks it fetched but had not started, and returns.

    The long poll runs on its own thread because a blocking HTTP read cannot be interrupted:
    `stop()` must not wait up to a whole poll timeout. A poll still open when `run()` returns
    is abandoned; anything it locks after that is handed out again when its lock expires.
    """

    def __init__(
        self,
        engine: TaskSource,
        handle: Callable[[ExternalTask], object],
        *,
        max_concurrency: int,
        variables: Sequence[str],
        long_polling: bool = True,
        grace_s: float | None = None,
        on_grace_expired: Callable[[], None] = lambda: None,
        sleep: Callable[[float], None] | None = None,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._handle = handle
        self._max = max_concurrency
        self._variables = tuple(variables)
        self._long_polling = long_polling
        self._grace_s, self._on_grace_expired = grace_s, on_grace_expired
        self._jitter, self._clock = jitter, clock
        self._stopping = threading.Event()
        # The default sleep wakes up early on stop(), so backoff never delays a shutdown.
        self._sleep: Callable[[float], None] = sleep or self._sleep_unless_stopped
        self._slots = threading.Condition()
        self._in_flight = 0
        self._executor = ThreadPoolExecutor(max_concurrency, thread_name_prefix="sms-task")
        self.last_engine_contact: float | None = None
        self.polls = 0
        # Clock time the fetch loop last came round (or showed it waits for a free slot);
        # None until it starts. A stale one means the loop is wedged: see worker.runtime.health.
        self.heartbeat: float | None = None
        self._fetcher: threading.Thread | None = None

    def _sleep_unless_stopped(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def fetching(self) -> bool:
        """The fetch loop runs: started, and neither stopped nor dead."""
        return self._fetcher is not None and self._fetcher.is_alive()

    def stop(self) -> None:
        self._stopping.set()
        with self._slots:
            self._slots.notify_all()

    def run(self) -> int:
        """Poll and handle tasks until `stop()`; return how many tasks were still running
        when the grace ran out (0 when all finished)."""
        fetcher = threading.Thread(target=self._fetch_loop, name="sms-fetch", daemon=True)
        self._fetcher = fetcher
        self.heartbeat = self._clock()
        fetcher.start()
        while not self._stopping.wait(1.0):
            if not fetcher.is_alive():  # pragma: no cover - the fetch loop catches everything
                log.error("fetch loop died; stopping")
                break
        log.info("stopping: %d task(s) in flight will finish first", self._in_flight)
        left = self._drain()
        if left:
            # Threads cannot be interrupted: the handler is told to stop before its next
            # message, and the tasks are left to their locks (the engine hands them out again).
            log.warning(
                "shutdown grace of %.0fs ran out; %d task(s) left to their locks",
                self._grace_s or 0.0,
                left,
            )
            self._on_grace_expired()
            self._executor.shutdown(wait=False, cancel_futures=True)
            return left
        self._executor.shutdown(wait=True)
        log.info("stopped")
        return 0

    def _drain(self) -> int:
        """Wait for the running tasks, at most the grace; return how many still run."""
        deadline = None if self._grace_s is None else time.monotonic() + self._grace_s
        with self._slots:
            while self._in_flight:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                self._slots.wait(remaining)
            return self._in_flight

    def _fetch_loop(self) -> None:
        backlog = False
        while not self._stopping.is_set():
            self.heartbeat = self._clock()
            free = self._wait_for_free_slots(backlog)
            if free == 0:
                continue
            try:
                tasks = self._poll(free)
            except EngineError:
                break  # only raised once stopping: the poll was abandoned, whatever ended it
            except Exception:
                log.exception("unexpected error while polling; next poll in 5s")
                self._sleep(5.0)
                continue
            # A full answer means more tasks are probably waiting.
            backlog = len(tasks) >= free
            self.polls += 1
            self.last_engine_contact = self._clock()
            for task in tasks:
                self._start(task)
            if not tasks and not self._long_polling:
                self._sleep(_EMPTY_POLL_PAUSE_S)

    def _poll(self, free: int) -> list[ExternalTask]:
        """One fetch, retried with backoff for as long as the engine is unavailable."""

        def waiting(error: EngineError, delay_s: float) -> None:
            self.heartbeat = self._clock()  # backing off is coming round, not being stuck
            log.warning("engine unavailable (%s); next poll in %.1fs", error, delay_s)

        return retry_call(
            lambda: self._engine.fetch_and_lock(free, self._variables),
            policy=POLL_RETRY,
            errors=EngineError,
            retriable=lambda _error, _attempt: not self._stopping.is_set(),
            on_retry=waiting,
            clock=self._clock,
            sleep=self._sleep,
            jitter=self._jitter,
        )

    def _wait_for_free_slots(self, backlog: bool) -> int:
        with self._slots:
            while self._in_flight >= self._max and not self._stopping.is_set():
                # Busy, not wedged: the tasks holding the slots have timeouts of their own.
                self._slots.wait(_SLOT_WAIT_S)
                self.heartbeat = self._clock()
            if backlog:
                wanted = max(1, self._max // 4)
                deadline = time.monotonic() + _BATCH_WAIT_S
                while self._max - self._in_flight < wanted and not self._stopping.is_set():
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._slots.wait(remaining)
            return 0 if self._stopping.is_set() else self._max - self._in_flight

    def _start(self, task: ExternalTask) -> None:
        with self._slots:
            stopping = self._stopping.is_set()
            if not stopping:
                self._in_flight += 1
        if stopping:
            self._give_back(task)
            return
        try:
            self._executor.submit(self._run_task, task)
        except RuntimeError:  # executor already shut down
            self._finish()
            self._give_back(task)

    def _run_task(self, task: ExternalTask) -> None:
        try:
            self._handle(task)
        except Exception:
            # The handler reports its own failures; reaching here is a bug in reporting.
            log.exception("task %s: handler failed", task.id)
        finally:
            self._finish()

    def _finish(self) -> None:
        with self._slots:
            self._in_flight -= 1
            self._slots.notify_all()

    def _give_back(self, task: ExternalTask) -> None:
        try:
            self._engine.unlock(task)
            log.info("task %s handed back (shutting down)", task.id)
        except EngineError as exc:
            log.warning("task %s: unlock failed (%s); its lock will expire", task.id, exc)
