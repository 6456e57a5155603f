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
from worker.engine.task import ExternalTask
from worker.engine.variables import json_variable
from worker.outcome import Abandoned, BusinessError, Completed, Crashed, Outcome

log = logging.getLogger(__name__)

# The engine keeps at most 666 characters of a failure's errorMessage.
MAX_ERROR_MESSAGE_CHARS = 666
_REPORT_ATTEMPTS = 4

# Answers whether the task's process would catch a BPMN error with this code: True, False,
# or None when it cannot be determined.
CatchLookup = Callable[[ExternalTask, str], "bool | None"]


class OutcomeReporter:
    def __init__(
        self,
        engine: EngineClient,
        settings: Settings,
        would_catch: CatchLookup,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._would_catch = would_catch
        self._sleep, self._jitter = sleep, jitter

    def report(self, task: ExternalTask, outcome: Outcome) -> str:
        """Make the one engine call for `outcome`; return what was reported (for logs)."""
        if isinstance(outcome, Completed):
            variables = {"smsResult": json_variable(outcome.sms_result)}
            self._deliver("complete", task, lambda: self._engine.complete(task, variables))
            return "completed"
        if isinstance(outcome, BusinessError):
            return self._report_business_error(task, outcome)
        if isinstance(outcome, Crashed):
            retries = max(
                0, (task.retries if task.retries is not None else self._settings.task_retries) - 1
            )
            self._failure(task, outcome.message, outcome.details, retries)
            return "incident" if retries == 0 else "failure"
        if isinstance(outcome, Abandoned):
            log.info("task %s abandoned: %s", task.id, outcome.reason)
            return "abandoned"
        raise TypeError(f"not an outcome: {outcome!r}")

    def _report_business_error(self, task: ExternalTask, outcome: BusinessError) -> str:
        code = outcome.code.value
        throw = self._settings.uncaught_errors is UncaughtErrors.BPMN_ERROR
        if not throw:
            verdict = self._would_catch(task, code)
            # Unknown means "throw": an incident for an error the model does catch would stop
            # a process that was designed to handle it.
            throw = verdict is not False
        if throw:
            variables = {
                "smsResult": json_variable(outcome.sms_result),
                "smsError": json_variable(outcome.sms_error),
            }
            self._deliver(
                "bpmnError",
                task,
                lambda: self._engine.bpmn_error(task, code, outcome.message, variables),
            )
            return "bpmn-error"
        message = (
            f"{code}: {outcome.message} -- nothing in the process catches BPMN error {code}, "
            "so it was raised as an incident instead of letting the process go on as if the "
            "SMS was sent"
        )
        self._failure(task, message, _details(outcome), retries=0)
        return "incident"

    def _failure(self, task: ExternalTask, message: str, details: str, retries: int) -> None:
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
        )

    def _deliver(self, action: str, task: ExternalTask, call: Callable[[], None]) -> None:
        # Retry only answers that say nothing about the task (engine down, 5xx): a 404 or 400
        # means the task was completed, cancelled or re-locked elsewhere, and is not ours.
        for attempt in range(_REPORT_ATTEMPTS):
            try:
                call()
                return
            except EngineError as exc:
                if exc.task_gone or exc.lock_lost:
                    log.warning(
                        "task %s: %s refused, task no longer ours (%s)", task.id, action, exc
                    )
                    return
                if attempt + 1 == _REPORT_ATTEMPTS:
                    log.error(
                        "task %s: %s failed %d times, giving up (%s); the engine will "
                        "hand the task out again when its lock expires",
                        task.id,
                        action,
                        _REPORT_ATTEMPTS,
                        exc,
                    )
                    return
                delay = backoff_delay_s(attempt, base_s=0.5, cap_s=5.0, jitter=self._jitter())
                log.warning(
                    "task %s: %s failed (%s), retrying in %.1fs", task.id, action, exc, delay
                )
                self._sleep(delay)


def _details(outcome: BusinessError) -> str:
    payload: dict[str, Any] = {**outcome.sms_error, "smsResult": outcome.sms_result}
    return json.dumps(payload, ensure_ascii=False, indent=2)
