"""A fetched task's lease: its lock kept alive, and its delivery progress kept on the engine.

External tasks are handed out at least once: after a crash, an expired lock or a failure retry
the same task comes back. So after each message Twilio accepts, the number and its SID are
written to the task's execution (local variable `smsProgress`, stamped with the task id); a
re-fetched task skips those numbers. The one window left is between Twilio accepting a message
and that write (or, for the last message, the completion) reaching the engine.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from worker.config import LeaseSettings
from worker.engine.task import ExternalTask
from worker.engine.variables import json_variable
from worker.errors import EngineError, LockLost, TaskGone
from worker.logs import task_log
from worker.metrics import Metrics
from worker.retry import RetryPolicy, retry_call
from worker.runtime.engine_calls import TaskEngine

log = logging.getLogger(__name__)

PROGRESS_VARIABLE = "smsProgress"
_PROGRESS_RETRY = RetryPolicy(base_s=0.2, cap_s=2.0)
# An engine that answers 5xx to a progress write twice more will not change its mind (a
# missing execution reads as a 500, too).
_ANSWERED_RETRIES = 2


def _progress_retriable(error: EngineError, attempt: int) -> bool:
    # No answer: the message went out, and an engine outage must not make it go out again, so
    # keep trying for as long as the lock holds. A 4xx: the execution is gone (task cancelled).
    if error.status is None:
        return True
    return error.status >= 500 and attempt < _ANSWERED_RETRIES


def earlier_progress(task: ExternalTask) -> dict[str, str]:
    """Number -> SID sent by earlier attempts of this very task (not of an earlier task that
    ran on the same execution). Anything unreadable counts as no progress."""
    raw = (task.variables.get(PROGRESS_VARIABLE) or {}).get("value")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        return {}
    if not isinstance(value, dict) or value.get("taskId") != task.id:
        return {}
    sent = value.get("sent")
    if not isinstance(sent, dict):
        return {}
    return {str(k): str(v) for k, v in sent.items() if isinstance(v, str)}


class TaskLease:
    """Implements `worker.sms.action.Progress` for one fetched task.

    Before each message it makes sure the lock will outlast the send (extending it when it
    would not), and says stop once the engine reports the lock lost or the task gone, or when
    progress cannot be written: from then on another worker may be sending, and carrying on
    could duplicate messages.
    """

    def __init__(
        self,
        engine: TaskEngine,
        task: ExternalTask,
        settings: LeaseSettings,
        *,
        earlier: Mapping[str, str],
        aborted: threading.Event,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        metrics: Metrics | None = None,
    ) -> None:
        self._engine, self._task = engine, task
        self._log = task_log(log, task.id, task.process_instance_id)
        self._extensions = (metrics or Metrics()).lock_extensions
        self._sent: dict[str, str] = dict(earlier)
        self._lock_s = settings.lock_duration_ms / 1000
        # Extend while there is still time for one more send and the extension call itself.
        self._margin_s = settings.worst_send_s + 5.0
        self._aborted = aborted
        self._clock, self._sleep, self._jitter = clock, sleep, jitter
        self._locked_until = clock() + self._lock_s
        self.lost = False
        self.extensions = 0

    @property
    def locked_until(self) -> float:
        """Clock time until which the lock surely holds."""
        return self._locked_until

    def already_sent(self) -> Mapping[str, str]:
        return dict(self._sent)

    def record(self, number: str, sid: str, *, more_to_send: bool) -> None:
        self._sent[number] = sid
        if not more_to_send:
            return  # completing the task records the last message
        value: dict[str, Any] = {"taskId": self._task.id, "sent": self._sent}
        try:
            retry_call(
                lambda: self._engine.set_local_variable(
                    self._task.execution_id, PROGRESS_VARIABLE, json_variable(value)
                ),
                policy=_PROGRESS_RETRY,
                errors=EngineError,
                retriable=_progress_retriable,
                deadline=self._locked_until,
                on_retry=lambda exc, _delay: self._log.warning(
                    "task %s: recording progress failed (%s)", self._task.id, exc
                ),
                clock=self._clock,
                sleep=self._sleep,
                jitter=self._jitter,
            )
        except EngineError:
            # Unrecorded sends would be repeated by whoever gets the task next: send no more.
            self._log.warning(
                "task %s: progress cannot be recorded; stopping its sends", self._task.id
            )
            self.lost = True

    def may_continue(self) -> bool:
        if self.lost or self._aborted.is_set():
            return False
        remaining = self._locked_until - self._clock()
        if remaining >= self._margin_s:
            return True
        try:
            self._engine.extend_lock(self._task, int(self._lock_s * 1000))
        except EngineError as exc:
            if isinstance(exc, (TaskGone, LockLost)):
                self._extensions.labels(result="lost").inc()
                self._log.warning("task %s: lock lost (%s); stopping its sends", self._task.id, exc)
                self.lost = True
                return False
            self._extensions.labels(result="failed").inc()
            # The engine is unreachable: carry on only while the current lock surely holds.
            self._log.warning("task %s: could not extend lock (%s)", self._task.id, exc)
            return remaining > self._margin_s - 5.0
        self._locked_until = self._clock() + self._lock_s
        self.extensions += 1
        self._extensions.labels(result="extended").inc()
        return True
