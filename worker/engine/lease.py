"""A task's lock, kept alive while its messages go out."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from worker.engine.client import EngineClient, EngineError
from worker.engine.task import ExternalTask

log = logging.getLogger(__name__)


class TaskLease:
    """Implements send_sms.Progress for one fetched task.

    Before each message it makes sure the lock will outlast the send (extending it when it
    would not), and says stop once the engine reports the lock lost or the task gone: from
    then on another worker may be sending, and continuing could duplicate messages.
    """

    def __init__(
        self,
        engine: EngineClient,
        task: ExternalTask,
        *,
        lock_duration_ms: int,
        worst_send_s: float,
        aborted: threading.Event,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine, self._task = engine, task
        self._lock_s = lock_duration_ms / 1000
        # Extend while there is still time for one more send and the extension call itself.
        self._margin_s = worst_send_s + 5.0
        self._aborted = aborted
        self._clock = clock
        self._locked_until = clock() + self._lock_s
        self.lost = False
        self.extensions = 0

    def already_sent(self) -> Mapping[str, str]:
        return {}

    def record(self, number: str, sid: str) -> None:
        return None

    def may_continue(self) -> bool:
        if self.lost or self._aborted.is_set():
            return False
        remaining = self._locked_until - self._clock()
        if remaining >= self._margin_s:
            return True
        try:
            self._engine.extend_lock(self._task, int(self._lock_s * 1000))
        except EngineError as exc:
            if exc.task_gone or exc.lock_lost:
                log.warning("task %s: lock lost (%s); stopping its sends", self._task.id, exc)
                self.lost = True
                return False
            # The engine is unreachable: carry on only while the current lock surely holds.
            log.warning("task %s: could not extend lock (%s)", self._task.id, exc)
            return remaining > self._margin_s - 5.0
        self._locked_until = self._clock() + self._lock_s
        self.extensions += 1
        return True
