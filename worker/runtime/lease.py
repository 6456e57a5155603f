"""A fetched task's lease: its lock kept alive, and its delivery progress kept on the engine.

External tasks are handed out at least once: after a crash, an expired lock or a failure retry
the same task comes back. So after each message Twilio accepts, the number and its SID are
written to the task's execution (local variable `smsProgress`, stamped with the task id); a
re-fetched task skips those numbers. The window left, between Twilio accepting a message and
that write (or, for the last message, the completion) reaching the engine, is closed by
reconciliation (`worker.sms.reconcile`): its intent is written into the same variable before
the first message, so a one-recipient task pays one engine call for it and no more.

    {"taskId": "...", "startedAt": "2026-...+00:00",
     "texts": [{"from": "+1...", "bodySha256": "..."}], "sent": {"+1...": "SM..."}}
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
from worker.engine.variables import json_text_variable
from worker.errors import EngineError, LockLost, LostRace, TaskGone
from worker.logs import task_log
from worker.metrics import Metrics
from worker.retry import RetryPolicy, retry_call
from worker.runtime.engine_calls import TaskEngine
from worker.sms.reconcile import Intent

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


def _level_of(error: EngineError) -> int:
    # Another node getting there first is a cluster's normal life (LostRace), not a warning.
    return logging.DEBUG if isinstance(error, LostRace) else logging.WARNING


def _progress_value(task: ExternalTask) -> dict[str, Any]:
    """This very task's progress record (not one of an earlier task that ran on the same
    execution); anything unreadable counts as none."""
    raw = (task.variables.get(PROGRESS_VARIABLE) or {}).get("value")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        return {}
    if not isinstance(value, dict) or value.get("taskId") != task.id:
        return {}
    return value


def earlier_progress(task: ExternalTask) -> dict[str, str]:
    """Number -> SID sent by earlier attempts of this very task."""
    sent = _progress_value(task).get("sent")
    if not isinstance(sent, dict):
        return {}
    return {str(k): str(v) for k, v in sent.items() if isinstance(v, str)}


def earlier_intent(task: ExternalTask) -> Intent | None:
    """The intent an earlier attempt of this very task recorded, if any."""
    return Intent.from_json(_progress_value(task))


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
        intent: Intent | None = None,
        aborted: threading.Event,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        metrics: Metrics | None = None,
    ) -> None:
        self._engine, self._task = engine, task
        self._log = task_log(log, task.id, task.process_instance_id)
        metrics = metrics or Metrics()
        self._extensions, self._found = metrics.lock_extensions, metrics.messages_found
        self._sent: dict[str, str] = dict(earlier)
        self._intent = intent
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

    def earlier_intent(self) -> Intent | None:
        return self._intent

    def declare(self, intent: Intent) -> bool:
        self._intent = intent
        self._write("recording the intent to send")
        return not self.lost

    def record(
        self, number: str, sid: str, *, more_to_send: bool, found_at_twilio: bool = False
    ) -> None:
        self._sent[number] = sid
        if found_at_twilio:
            self._found.inc()
            self._log.info(
                "task %s: the message to %s was sent by an earlier attempt (%s), not sending it "
                "again",
                self._task.id,
                number,  # masked by the log filter (worker.redaction)
                sid,
            )
        if more_to_send:  # else completing the task records the last message
            self._write("recording progress")

    def _write(self, what: str) -> None:
        value: dict[str, Any] = {"taskId": self._task.id}
        if self._intent is not None:
            value.update(self._intent.to_json())
        value["sent"] = self._sent
        try:
            retry_call(
                lambda: self._engine.set_local_variable(
                    self._task.execution_id, PROGRESS_VARIABLE, json_text_variable(value)
                ),
                policy=_PROGRESS_RETRY,
                errors=EngineError,
                retriable=_progress_retriable,
                deadline=self._locked_until,
                on_retry=lambda exc, _delay: self._log.log(
                    _level_of(exc), "task %s: %s failed (%s)", self._task.id, what, exc
                ),
                clock=self._clock,
                sleep=self._sleep,
                jitter=self._jitter,
            )
        except EngineError as exc:
            # Unrecorded sends would be repeated by whoever gets the task next: send no more.
            self._log.log(
                _level_of(exc), "task %s: %s failed; stopping its sends", self._task.id, what
            )
            self.lost = True

    def may_continue(self) -> bool:
        if self.lost or self._aborted.is_set():
            return False
        asked_at = self._clock()
        if self._locked_until - asked_at >= self._margin_s:
            return True
        try:
            self._engine.extend_lock(self._task, int(self._lock_s * 1000))
        except EngineError as exc:
            if isinstance(exc, (TaskGone, LockLost)):
                self._extensions.labels(result="lost").inc()
                what = "task %s: lock lost (%s); stopping its sends"
                self._log.log(_level_of(exc), what, self._task.id, exc)
                self.lost = True
                return False
            self._extensions.labels(result="failed").inc()
            # The engine is unreachable: carry on only while the current lock surely holds
            # (measured after the call, which may have taken its whole timeout).
            self._log.warning("task %s: could not extend lock (%s)", self._task.id, exc)
            return self._locked_until - self._clock() > self._margin_s - 5.0
        # The engine's new lock runs from when it got the call, so from no earlier than when
        # it was made: counting from the answer would credit a worker that was paused (or an
        # answer that was slow) with time the engine never gave it.
        self._locked_until = asked_at + self._lock_s
        if self._locked_until <= self._clock():
            self._log.warning(
                "task %s: lock expired before its extension was answered", self._task.id
            )
            self.lost = True
            return False
        self.extensions += 1
        self._extensions.labels(result="extended").inc()
        return True
