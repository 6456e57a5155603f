"""The running worker: assembled from the settings (engine client, Twilio client, reporter,
handler, poll loop, health), and its whole lifecycle in `serve()`, the one way `run`, `demo`,
the tests and the benchmark start and stop it."""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager

from worker.config import Settings
from worker.engine.catch_lookup import CatchLookup
from worker.engine.client import EngineClient
from worker.metrics import Metrics
from worker.redaction import Redactor
from worker.runtime.background import serving_in_background
from worker.runtime.health import Health, OpsServer, liveness_window_s, readiness_window_s
from worker.runtime.loop import PollLoop
from worker.runtime.reporter import OutcomeReporter
from worker.runtime.task_handler import FETCH_VARIABLES, TaskHandler
from worker.sms.action import MessageSender
from worker.sms.reconcile import Reconciler
from worker.twilio.client import TwilioClient

log = logging.getLogger(__name__)

# Two extra connections: a progress record or lock extension while every slot sends.
_ENGINE_SPARE_CONNECTIONS = 2


class Daemon:
    """`serve()` blocks until `stop()` (graceful) or `abort()` (at once).

    `twilio` replaces the real client for sending (tests use it to provoke failures of their
    own); reconciliation, when on, still reads Twilio's message list with the real one.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        twilio: MessageSender | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics or Metrics()
        self._ops_settings = settings.ops
        self.engine = EngineClient(
            settings.engine,
            pool_size=settings.max_concurrency + _ENGINE_SPARE_CONNECTIONS,
            metrics=self.metrics,
        )
        self._own_twilio: TwilioClient | None = None
        if twilio is None or settings.reconcile:
            # One connection per task slot, so concurrent tasks never queue for a socket.
            self._own_twilio = TwilioClient(
                settings.twilio, pool_size=settings.max_concurrency, metrics=self.metrics
            )
            twilio = twilio or self._own_twilio
        self.twilio = twilio
        # None: SMS_RECONCILE=off.
        self._reconciling_client = self._own_twilio if settings.reconcile else None
        reconciler = Reconciler(self._reconciling_client) if self._reconciling_client else None
        # Set when tasks must stop before their next message: a second signal, or the
        # shutdown grace running out.
        self.aborted = threading.Event()
        reporter = OutcomeReporter(
            self.engine,
            settings.reporting,
            CatchLookup(self.engine),
            redactor=Redactor(settings.secrets),
        )
        handler = TaskHandler(
            self.engine,
            self.twilio,
            reporter,
            settings.lease,
            default_region=settings.default_region,
            template_locale=settings.template_locale,
            template_time_zone=settings.template_time_zone,
            public_url=settings.public_url,
            reconciler=reconciler,
            aborted=self.aborted,
            metrics=self.metrics,
        )
        self.loop = PollLoop(
            self.engine,
            handler,
            max_concurrency=settings.max_concurrency,
            variables=FETCH_VARIABLES,
            long_polling=settings.poll_timeout_ms > 0,
            grace_s=settings.shutdown_grace_ms / 1000,
            on_grace_expired=self.aborted.set,
        )
        self.metrics.tasks_in_flight.set_function(lambda: self.loop.in_flight)
        self.health = Health(
            self.loop,
            self.engine,
            liveness_window_s=liveness_window_s(settings.poll_timeout_ms),
            readiness_window_s=readiness_window_s(settings.poll_timeout_ms),
        )

    def serve(self) -> int:
        """Serve the probes and metrics (when a port is set), poll and handle tasks until
        `stop()`, drain within the shutdown grace, then close every connection.

        Returns how many tasks were still running when the grace ran out (0 after a clean
        drain); they are left to their locks. Raises OSError when the ops port cannot be bound,
        before any task is fetched.
        """
        ops: OpsServer | None = None
        try:
            if self._ops_settings.port:
                ops = OpsServer(
                    self._ops_settings.host,
                    self._ops_settings.port,
                    self.health,
                    self.metrics.registry,
                ).start()
                log.info(
                    "metrics on http://%s:%d/metrics, probes /healthz and /readyz",
                    self._ops_settings.host,
                    ops.port,
                )
            return self.loop.run()
        finally:
            if ops is not None:
                ops.close()
            self.close()

    def probe_twilio(self) -> None:
        """Check, before serving, that reconciliation can read Twilio's message list (and
        learn Twilio's clock). Raises DeliveryError; does nothing when reconciliation is off."""
        if self._reconciling_client is not None:
            self._reconciling_client.probe_message_read()

    def stop(self) -> None:
        """Fetch nothing more; running tasks finish within the shutdown grace."""
        self.loop.stop()

    def abort(self) -> None:
        """Stop now: running tasks send nothing more and are left to their locks."""
        self.aborted.set()
        self.loop.stop()

    def close(self) -> None:
        self.engine.close()
        if self._own_twilio is not None:
            self._own_twilio.close()

    def in_background(self, join_s: float = 30.0) -> AbstractContextManager[Daemon]:
        """`serve()` on a thread of its own for the length of the block, then `stop()`."""
        return serving_in_background(self, "sms-daemon", join_s)
