"""One fetched task, from its variables to the outcome the engine is told."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from worker import template
from worker.config import LeaseSettings
from worker.engine.task import ExternalTask
from worker.engine.variables import unwrap_all
from worker.errors import ConnectorError, ErrorCode, InputError
from worker.logs import task_log
from worker.metrics import Metrics
from worker.runtime.engine_calls import TaskEngine
from worker.runtime.lease import PROGRESS_VARIABLE, TaskLease, earlier_intent, earlier_progress
from worker.runtime.reporter import OutcomeReporter
from worker.sms.action import MessageSender, send_sms
from worker.sms.inputs import INPUT_NAMES, MAX_METADATA_JSON_CHARS, SMS_BODY
from worker.sms.outcome import BusinessError, Crashed, Outcome
from worker.sms.reconcile import Reconciler
from worker.twilio.webhook_urls import status_callback_url

log = logging.getLogger(__name__)

# The variables fetched with each task: only what the action reads, and its progress.
FETCH_VARIABLES = (*INPUT_NAMES, PROGRESS_VARIABLE)


def read_inputs(
    variables: dict[str, dict[str, Any]], download: Callable[[str], bytes]
) -> dict[str, object]:
    """The action's inputs from a task's typed variables. The body may be a File variable,
    downloaded with `download(name)`; a download that fails is a TEMPLATE_READ_ERROR."""

    def download_body(name: str) -> bytes:
        try:
            return download(name)
        except Exception as exc:
            raise InputError(
                ErrorCode.TEMPLATE_READ_ERROR,
                f"{name}: the file content could not be downloaded from the engine "
                f"({type(exc).__name__})",
                variables=[name],
            ) from exc

    return unwrap_all(
        INPUT_NAMES,
        variables,
        download_body,
        file_variables=(SMS_BODY,),
        max_json_chars=MAX_METADATA_JSON_CHARS,
    )


class TaskHandler:
    def __init__(
        self,
        engine: TaskEngine,
        twilio: MessageSender,
        reporter: OutcomeReporter,
        lease: LeaseSettings,
        *,
        default_region: str | None,
        template_locale: str = template.DEFAULT_LOCALE,
        template_time_zone: str = template.DEFAULT_TIME_ZONE,
        public_url: str | None = None,
        reconciler: Reconciler | None = None,
        aborted: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        self._engine, self._twilio, self._reporter = engine, twilio, reporter
        self._metrics = metrics or Metrics()
        self._lease_settings, self._default_region = lease, default_region
        self._template_locale, self._template_time_zone = template_locale, template_time_zone
        # None: SMS_RECONCILE=off, so no intent is recorded and nothing is looked up.
        self._reconciler = reconciler
        self._aborted = aborted or threading.Event()
        # Set: each message asks Twilio to report its delivery status to the webhooks service.
        self._public_url = public_url or None
        self._clock = clock

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
            self._lease_settings,
            earlier=earlier_progress(task),
            intent=earlier_intent(task),
            aborted=self._aborted,
            clock=self._clock,
            metrics=self._metrics,
        )

    def _outcome(self, task: ExternalTask, lease: TaskLease) -> Outcome:
        try:
            values = read_inputs(
                task.variables, lambda name: self._engine.download_variable(task, name)
            )
            callback = (
                status_callback_url(self._public_url, task.process_instance_id)
                if self._public_url
                else None
            )
            return send_sms(
                values,
                self._twilio,
                default_region=self._default_region,
                template_locale=self._template_locale,
                template_time_zone=self._template_time_zone,
                progress=lease,
                status_callback=callback,
                reconciler=self._reconciler,
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
