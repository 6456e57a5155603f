"""Assembles the running worker from the settings: engine client, Twilio client, reporter,
handler and poll loop."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from worker.config import Settings
from worker.engine.catch_lookup import CatchLookup
from worker.engine.client import EngineClient
from worker.engine.reporter import OutcomeReporter
from worker.health import Health, liveness_window_s, readiness_window_s
from worker.loop import Worker
from worker.metrics import Metrics
from worker.send_sms import MessageSender
from worker.task_handler import FETCH_VARIABLES, TaskHandler
from worker.twilio_client import TwilioClient


@dataclass
class Daemon:
    worker: Worker
    engine: EngineClient
    twilio: MessageSender
    aborted: threading.Event
    metrics: Metrics
    health: Health

    def close(self) -> None:
        self.engine.close()
        if isinstance(self.twilio, TwilioClient):
            self.twilio.close()


def build_daemon(
    settings: Settings, *, twilio: MessageSender | None = None, metrics: Metrics | None = None
) -> Daemon:
    """`twilio` replaces the real client (tests use it to provoke failures of their own)."""
    metrics = metrics or Metrics()
    engine = EngineClient(settings, pool_size=settings.max_concurrency + 2, metrics=metrics)
    twilio = twilio or TwilioClient(settings, metrics=metrics)
    aborted = threading.Event()
    reporter = OutcomeReporter(engine, settings, CatchLookup(engine))
    handler = TaskHandler(engine, twilio, reporter, settings, aborted=aborted, metrics=metrics)
    worker = Worker(
        engine,
        handler,
        max_concurrency=settings.max_concurrency,
        variables=FETCH_VARIABLES,
        long_polling=settings.poll_timeout_ms > 0,
    )
    metrics.tasks_in_flight.set_function(lambda: worker.in_flight)
    health = Health(
        worker,
        engine,
        liveness_window_s=liveness_window_s(settings),
        readiness_window_s=readiness_window_s(settings),
    )
    return Daemon(worker, engine, twilio, aborted, metrics, health)
