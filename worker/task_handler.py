"""One fetched task, from its variables to the outcome the engine is told."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable

from worker.config import Settings
from worker.engine.client import EngineClient
from worker.engine.lease import PROGRESS_VARIABLE, TaskLease, earlier_progress
from worker.engine.reporter import OutcomeReporter
from worker.engine.task import ExternalTask
from worker.engine.variables import unwrap_all
from worker.errors import ConnectorError
from worker.inputs import INPUT_NAMES
from worker.logs import task_log
from worker.metrics import Metrics
from worker.outcome import BusinessError, Crashed, Outcome
from worker.send_sms import MessageSender, send_sms

log = logging.getLogger(__name__)

# The variables fetched with each task: only what the action reads, and its progress.
FETCH_VARIABLES = (*INPUT_NAMES, PROGRESS_VARIABLE)


class TaskHandler:
    def __init__(
        self,
        engine: EngineClient,
        twilio: MessageSender,
        reporter: OutcomeReporter,
        settings: Settings,
        *,
        aborted: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        self._engine, self._twilio, self._reporter = engine, twilio, reporter
        self._metrics = metrics or Metrics()
        self._settings = settings
        self._aborted = aborted or threading.Event()
        self._clock = clock
        self._worst_send_s = (
            settings.twilio_connect_timeout_ms
            + settings.twilio_read_timeout_ms
            + settings.twilio_retry_429_budget_ms
        ) / 1000

    def __call__(self, task: ExternalTask) -> str:
        started = self._clock()
        lease = self._lease(task)
        outcome = self._outcome(task, lease)
        reported = self._reporter.report(task, outcome, retry_until=lease.locked_until)
        code = outcome.code.value if isinstance(outcome, BusinessError) else None
        elapsed_s = self._clock() - started
        self._metrics.tasks.labels(outcome=reported, error_code=code or "").inc()
        self._metrics.task_duration.observe(elapsed_s)
        log.info(
            "task %s (process instance %s): %s, error code %s, %.0f ms",
            task.id,
            task.process_instance_id,
            reported,
            code or "-",
            elapsed_s * 1000,
            extra={
                "task_id": task.id,
                "process_instance_id": task.process_instance_id,
                "outcome": reported,
                "error_code": code,
                "duration_ms": round(elapsed_s * 1000),
            },
        )
        return reported

    def _lease(self, task: ExternalTask) -> TaskLease:
        return TaskLease(
            self._engine,
            task,
            earlier=earlier_progress(task),
            lock_duration_ms=self._settings.lock_duration_ms,
            worst_send_s=self._worst_send_s,
            aborted=self._aborted,
            clock=self._clock,
            metrics=self._metrics,
        )

    def _outcome(self, task: ExternalTask, lease: TaskLease) -> Outcome:
        try:
            values = unwrap_all(
                INPUT_NAMES,
                task.variables,
                lambda name: self._engine.download_variable(task, name),
            )
            return send_sms(
                values,
                self._twilio,
                default_region=self._settings.default_region,
                progress=lease,
            )
        except ConnectorError as error:
            return BusinessError(error.code, error.message, details=error.details)
        except Exception as exc:
            # A bug, not bad input: the engine retries the task and raises an incident when
            # retries run out, which is where an operator will look.
            task_log(log, task.id, task.process_instance_id).exception(
                "task %s: unexpected error", task.id
            )
            return Crashed(f"{type(exc).__name__}: {exc}", traceback.format_exc())
