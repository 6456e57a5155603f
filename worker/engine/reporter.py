"""The one object that tells the engine how a task ended."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from worker.backoff import backoff_delay_s
from worker.config import Settings, UncaughtErrors
from worker.engine.client import EngineClient, EngineError
from worker.engine.lease import PROGRESS_VARIABLE
from worker.engine.task import ExternalTask
from worker.engine.variables import json_variable
from worker.outcome import Abandoned, BusinessError, Completed, Crashed, Outcome

log = logging.getLogger(__name__)

# The engine keeps at most 666 characters of a failure's errorMessage.
MAX_ERROR_MESSAGE_CHARS = 666
_ANSWERED_ERROR_RETRIES = 2

# Answers whether the task's process would catch a BPMN error with this code: True, False,
# or None when it cannot be determined.
CatchLookup = Callable[[ExternalTask, str], "bool | None"]


class OutcomeReporter:
    """Reports each outcome with one engine call, retried while the engine is unreachable.

    A completion the engine refuses (an output mapping that fails, say) would hand the task
    out again and again, re-sending its last message each time; such a task is turned into an
    incident instead, with its progress recorded so a retry by an operator sends nothing twice.
    """

    def __init__(
        self,
        engine: EngineClient,
        settings: Settings,
        would_catch: CatchLookup,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._would_catch = would_catch
        self._sleep, self._clock, self._jitter = sleep, clock, jitter

    def report(self, task: ExternalTask, outcome: Outcome, *, retry_until: float) -> str:
        """Make the engine call for `outcome`, retrying until `retry_until` (clock time, when
        the task's lock runs out); return what was reported, for logs and metrics."""
        if isinstance(outcome, Completed):
            variables = {"smsResult": json_variable(outcome.sms_result)}
            refused = self._deliver(
                "complete", task, lambda: self._engine.complete(task, variables), retry_until
            )
            if refused is not None:
                return self._refused(task, outcome.sms_result, "complete", refused, retry_until)
            return "completed"
        if isinstance(outcome, BusinessError):
            return self._report_business_error(task, outcome, retry_until)
        if isinstance(outcome, Crashed):
            retries = max(
                0, (task.retries if task.retries is not None else self._settings.task_retries) - 1
            )
            self._failure(task, outcome.message, outcome.details, retries, retry_until)
            return "incident" if retries == 0 else "failure"
        if isinstance(outcome, Abandoned):
            log.info("task %s abandoned: %s", task.id, outcome.reason)
            return "abandoned"
        raise TypeError(f"not an outcome: {outcome!r}")

    def _report_business_error(
        self, task: ExternalTask, outcome: BusinessError, retry_until: float
    ) -> str:
        code = outcome.code.value
        throw = self._settings.uncaught_errors is UncaughtErrors.BPMN_ERROR
        if not throw:
            # Unknown means "throw": an incident for an error the model does catch would stop
            # a process that was designed to handle it.
            throw = self._would_catch(task, code) is not False
        if throw:
            variables = {
                "smsResult": json_variable(outcome.sms_result),
                "smsError": json_variable(outcome.sms_error),
            }
            refused = self._deliver(
                "bpmnError",
                task,
                lambda: self._engine.bpmn_error(task, code, outcome.message, variables),
                retry_until,
            )
            if refused is not None:
                return self._refused(task, outcome.sms_result, "bpmnError", refused, retry_until)
            return "bpmn-error"
        message = (
            f"{code}: {outcome.message} -- nothing in the process catches BPMN error {code}, "
            "so it was raised as an incident instead of letting the process go on as if the "
            "SMS was sent"
        )
        self._failure(task, message, _details(outcome), 0, retry_until)
        return "incident"

    def _refused(
        self,
        task: ExternalTask,
        sms_result: dict[str, str],
        action: str,
        error: EngineError,
        retry_until: float,
    ) -> str:
        if error.status is None:
            return "unreported"  # engine unreachable until the lock ran out: it comes back
        if sms_result:
            sent = {number: sid for sid, number in sms_result.items()}
            progress = json_variable({"taskId": task.id, "sent": sent})
            self._deliver(
                "record progress",
                task,
                lambda: self._engine.set_local_variable(
                    task.execution_id, PROGRESS_VARIABLE, progress
                ),
                retry_until,
            )
        message = f"the engine refused {action} after the SMS step finished: {error}"
        self._failure(task, message, json.dumps({"smsResult": sms_result}), 0, retry_until)
        return "incident"

    def _failure(
        self, task: ExternalTask, message: str, details: str, retries: int, retry_until: float
    ) -> None:
        short = (
            message
            if len(message) <= MAX_ERROR_MESSAGE_CHARS
            else (message[: MAX_ERROR_MESSAGE_CHARS - 3] + "...")
        )
        timeout = self._settings.retry_timeout_ms
        self._deliver(
            "failure",
            task,
            lambda: self._engine.failure(task, short, details or message, retries, timeout),
            retry_until,
        )

    def _deliver(
        self, action: str, task: ExternalTask, call: Callable[[], None], retry_until: float
    ) -> EngineError | None:
        """Make `call`; return None when done or when the task is no longer ours, else the
        last error once retrying is pointless."""
        attempt = 0
        while True:
            try:
                call()
                return None
            except EngineError as exc:
                # 404/400: completed, cancelled or re-locked elsewhere; not ours to report.
                if exc.task_gone or exc.lock_lost:
                    log.warning(
                        "task %s: %s refused, task no longer ours (%s)", task.id, action, exc
                    )
                    return None
                # The engine answered with an error: a few more tries, then accept it.
                if exc.status is not None and attempt >= _ANSWERED_ERROR_RETRIES:
                    log.error("task %s: %s refused by the engine (%s)", task.id, action, exc)
                    return exc
                delay = backoff_delay_s(attempt, base_s=0.5, cap_s=5.0, jitter=self._jitter())
                if self._clock() + delay >= retry_until:
                    log.error(
                        "task %s: %s failed until the lock ran out (%s); the engine will hand "
                        "the task out again",
                        task.id,
                        action,
                        exc,
                    )
                    return exc
                log.warning(
                    "task %s: %s failed (%s), retrying in %.1fs", task.id, action, exc, delay
                )
                self._sleep(delay)
                attempt += 1


def _details(outcome: BusinessError) -> str:
    payload: dict[str, Any] = {**outcome.sms_error, "smsResult": outcome.sms_result}
    return json.dumps(payload, ensure_ascii=False, indent=2)
