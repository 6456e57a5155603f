"""Assembles the running worker from the settings: engine client, Twilio client, reporter,
handler and poll loop."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from worker.config import Settings
from worker.engine.catch_lookup import CatchLookup
from worker.engine.client import EngineClient
from worker.engine.reporter import OutcomeReporter
from worker.loop import Worker
from worker.send_sms import MessageSender
from worker.task_handler import FETCH_VARIABLES, TaskHandler
from worker.twilio_client import TwilioClient


@dataclass
class Daemon:
    worker: Worker
    engine: EngineClient
    twilio: MessageSender
    aborted: threading.Event

    def close(self) -> None:
        self.engine.close()
        if isinstance(self.twilio, TwilioClient):
            self.twilio.close()


def build_daemon(settings: Settings, *, twilio: MessageSender | None = None) -> Daemon:
    """`twilio` replaces the real client (tests use it to provoke failures of their own)."""
    engine = EngineClient(settings, pool_size=settings.max_concurrency + 2)
    twilio = twilio or TwilioClient(settings)
    aborted = threading.Event()
    reporter = OutcomeReporter(engine, settings, CatchLookup(engine))
    handler = TaskHandler(engine, twilio, reporter, settings, aborted=aborted)
    worker = Worker(
        engine,
        handler,
        max_concurrency=settings.max_concurrency,
        variables=FETCH_VARIABLES,
        long_polling=settings.poll_timeout_ms > 0,
    )
    return Daemon(worker, engine, twilio, aborted)
