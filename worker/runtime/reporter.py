"""The one object that tells the engine how a task ended."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from worker.config import ReportSettings, UncaughtErrors
from worker.engine.task import ExternalTask
from worker.engine.variables import json_text_variable, json_variable
from worker.errors import EngineError, LockLost, LostRace, TaskGone
from worker.redaction import Redactor
from worker.retry import RetryPolicy, retry_call
from worker.runtime.engine_calls import TaskEngine
from worker.runtime.lease import PROGRESS_VARIABLE
from worker.sms.outcome import Abandoned, BusinessError, Completed, Crashed, Outcome, Postponed

log = logging.getLogger(__name__)

RESULT_VARIABLE, ERROR_VARIABLE = "smsResult", "smsError"
# The engine keeps at most 666 characters of a failure's errorMessage.
MAX_ERROR_MESSAGE_CHARS = 666
_REPORT_RETRY = RetryPolicy(base_s=0.5, cap_s=5.0)
# An error the engine answers with a third time is its decision, not a hiccup.
_ANSWERED_ERROR_RETRIES = 2

# Answers whether the task's process would catch a BPMN error with this code: True, False,
# or None when it cannot be determined.
WouldCatch = Callable[[ExternalTask, str], "bool | None"]


def _report_retriable(error: EngineError, attempt: int) -> bool:
    # TaskGone, LockLost are answers about the task, not failures of the call. Any other 4xx
    # is the engine's decision about the request (a variable it cannot take); a 5xx may be a
    # passing conflict, so it gets a second chance, and no answer keeps being retried.
    if isinstance(error, (TaskGone, LockLost)):
        return False
    if error.status is None:
        return True
    return error.status >= 500 and attempt < _ANSWERED_ERROR_RETRIES


class OutcomeReporter:
    """Reports each outcome with one engine call, retried while the engine is unreachable.

    A completion the engine refuses (an output mapping that fails, say) would hand the task
    out again and again, re-sending its last message each time; such a task is turned into an
    incident instead, with its progress recorded so a retry by an operator sends nothing twice.

    Every text it sends (errorMessage, smsError, an incident's details) passes `redactor`:
    this is where the rule of `worker.redaction` is applied to what reaches the engine.
    """

    def __init__(
        self,
        engine: TaskEngine,
        settings: ReportSettings,
        would_catch: WouldCatch,
        *,
        redactor: Redactor,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._would_catch = would_catch
        self._redactor = redactor
        self._sleep, self._clock, self._jitter = sleep, clock, jitter

    def report(self, task: ExternalTask, outcome: Outcome, *, retry_until: float) -> str:
        """Make the engine call for `outcome`, retrying until `retry_until` (clock time, when
        the task's lock runs out); return what was reported, for logs and metrics."""
        if isinstance(outcome, Completed):
            variables = {RESULT_VARIABLE: json_variable(outcome.sms_result)}
            refused = self._call_engine(
                "complete", task, lambda: self._engine.complete(task, variables), retry_until
            )
            if refused is not None:
                return self._refused(task, outcome.sms_result, "complete", refused, retry_until)
            return "completed"
        if isinstance(outcome, BusinessError):
            return self._report_business_error(task, outcome, retry_until)
        if isinstance(outcome, (Crashed, Postponed)):
            # Both are worth another try later, and an operator's look once tries run out.
            retries = max(
                0, (task.retries if task.retries is not None else self._settings.task_retries) - 1
            )
            details = self._redactor.text(outcome.details)
            if isinstance(outcome, Postponed):
                details = json.dumps({"smsResult": outcome.sms_result})
            self._failure(task, outcome.message, details, retries, retry_until)
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
                RESULT_VARIABLE: json_variable(outcome.sms_result),
                ERROR_VARIABLE: json_variable(self._redactor.error_json(outcome.sms_error)),
            }
            message = self._redactor.text(outcome.message)
            refused = self._call_engine(
                "bpmnError",
                task,
                lambda: self._engine.bpmn_error(task, code, message, variables),
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
        self._failure(task, message, self._details(outcome), 0, retry_until)
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
            progress = json_text_variable({"taskId": task.id, "sent": sent})
            self._call_engine(
                "record progress",
                task,
                lambda: self._engine.set_local_variable(
                    task.execution_id, PROGRESS_VARIABLE, progress
                ),
                retry_until,
            )
        # The engine's explanation may quote a variable's value: numbers are masked.
        message = f"the engine refused {action} after the SMS step finished: {error}"
        self._failure(task, message, json.dumps({"smsResult": sms_result}), 0, retry_until)
        return "incident"

    def _failure(
        self, task: ExternalTask, message: str, details: str, retries: int, retry_until: float
    ) -> None:
        # Redacted before shortening, so a cut cannot leave half a number or secret behind.
        # `details` arrive redacted: some are smsError's JSON, whose recipients stay whole.
        message = self._redactor.text(message)
        short = (
            message
            if len(message) <= MAX_ERROR_MESSAGE_CHARS
            else (message[: MAX_ERROR_MESSAGE_CHARS - 3] + "...")
        )
        timeout = self._settings.retry_timeout_ms
        self._call_engine(
            "failure",
            task,
            lambda: self._engine.failure(task, short, details or message, retries, timeout),
            retry_until,
        )

    def _call_engine(
        self, action: str, task: ExternalTask, call: Callable[[], None], retry_until: float
    ) -> EngineError | None:
        """Make `call`; return None when done or when the task is no longer ours, else the
        last error once retrying is pointless."""
        try:
            retry_call(
                call,
                policy=_REPORT_RETRY,
                errors=EngineError,
                retriable=_report_retriable,
                deadline=retry_until,
                on_retry=lambda exc, delay: log.warning(
                    "task %s: %s failed (%s), retrying in %.1fs", task.id, action, exc, delay
                ),
                clock=self._clock,
                sleep=self._sleep,
                jitter=self._jitter,
            )
        except LostRace as exc:
            # Another node (or our own attempt that failed over) got there first: the cluster
            # at work, counted by the engine client. Nothing to report, nothing to send again.
            log.debug("task %s: %s: another node got there first (%s)", task.id, action, exc)
            return None
        except (TaskGone, LockLost) as exc:
            # Completed, cancelled or re-locked elsewhere: not ours to report.
            log.warning("task %s: %s refused, task no longer ours (%s)", task.id, action, exc)
            return None
        except EngineError as exc:
            if exc.status is None:
                log.error(
                    "task %s: %s failed until the lock ran out (%s); the engine will hand the "
                    "task out again",
                    task.id,
                    action,
                    exc,
                )
            else:
                log.error("task %s: %s refused by the engine (%s)", task.id, action, exc)
            return exc
        return None

    def _details(self, outcome: BusinessError) -> str:
        # The incident's stand-in for smsError and smsResult: the same rule as those.
        payload: dict[str, Any] = {**outcome.sms_error, "smsResult": outcome.sms_result}
        return json.dumps(self._redactor.error_json(payload), ensure_ascii=False, indent=2)
