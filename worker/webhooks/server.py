"""The `webhooks` service: waitress in front of the WebhookApp, the ops port, and the lifecycle.

Why waitress: the port faces the internet, so it needs a server written for that (not
`http.server`), and this one is pure Python (no compiler in the image), maintained by the Pylons
project, runs on every platform, and is small. It reads each request completely (headers and
body) on its event loop before a worker thread sees it, so slow or stalled clients cost a
connection slot, never one of the threads that call the engine; and it enforces the size limits
below itself (431/413) before our code runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from worker.config import Settings, WebhookSettings, webhook_settings
from worker.engine.messages import MessageClient
from worker.errors import EngineError
from worker.metrics import Metrics
from worker.runtime.background import serving_in_background
from worker.runtime.health import OpsServer, Probe
from worker.webhooks.app import MAX_BODY_BYTES, WebhookApp
from worker.webhooks.delivery import Delivered, Delivery
from worker.webhooks.events import StatusReport
from worker.webhooks.later import Later
from worker.webhooks.signature import SignatureCheck

log = logging.getLogger(__name__)

# Waitress's limits, for a server whose only clients are Twilio and probes.
LIMITS: dict[str, Any] = {
    # Twilio's headers (signature, idempotency token, user agent) plus a proxy's: a few KB.
    "max_request_header_size": 32 * 1024,
    "max_request_body_size": MAX_BODY_BYTES,
    # Inactivity limit on a connection: slow headers, a stalled body, an idle keep-alive.
    # Twilio waits at most 15 s for an answer, so nothing legitimate is silent for 30 s.
    "channel_timeout": 30,
    "cleanup_interval": 5,
    "connection_limit": 200,
    "backlog": 1024,
    # poll(): no select() limit of 1024 file descriptors.
    "asyncore_use_poll": True,
    "expose_tracebacks": False,
    # No Server header naming the software and its version.
    "ident": "",
    # X-Forwarded-* are dropped (waitress's default, stated): nothing here may trust them.
    "clear_untrusted_proxy_headers": True,
}
_LOOP_S = 0.2  # how soon the loop notices stop()
_ENGINE_FRESH_S = 10.0  # readiness: the engine answered this recently
_PROBE_INTERVAL_S = 5.0  # at most one engine probe per interval, however often /readyz is asked


class WebhookHealth:
    """Alive while it serves; ready when the engine answered recently (asked if need be)."""

    def __init__(
        self, engine: MessageClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine, self._clock = engine, clock
        self._lock = threading.Lock()
        self._probed_at: float | None = None
        self._last_problem = "the engine has not answered yet"

    def alive(self) -> Probe:
        return Probe(True, "serving webhooks")

    def ready(self) -> Probe:
        if not self._fresh():
            with self._lock:
                now = self._clock()
                if self._probed_at is None or now - self._probed_at >= _PROBE_INTERVAL_S:
                    self._probed_at = now
                    try:
                        self._engine.version()
                    except EngineError as exc:
                        self._last_problem = f"the engine did not answer: {exc}"
        if self._fresh():
            return Probe(True, "the engine answers")
        return Probe(False, self._last_problem)

    def _fresh(self) -> bool:
        last = self._engine.last_answer
        return last is not None and self._clock() - last <= _ENGINE_FRESH_S


class WaitressServer:
    """Binds at construction (a port in use fails start-up); `serve()` until `stop()`."""

    def __init__(self, app: WebhookApp, settings: WebhookSettings) -> None:
        self._map: dict[int, Any] = {}
        self._server = create_server(
            app,
            map=self._map,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            **LIMITS,
        )
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        if isinstance(self._server, BaseWSGIServer):
            return int(self._server.getsockname()[1])
        # Several listening sockets (a host name with IPv4 and IPv6 addresses): the same port.
        return int(self._server.effective_listen[0][1])

    def serve(self, grace_s: float) -> None:
        while not self._stopping.is_set():
            wasyncore.loop(timeout=_LOOP_S, map=self._map, use_poll=True, count=1)
        self._drain(grace_s)

    def stop(self) -> None:
        self._stopping.set()

    def _drain(self, grace_s: float) -> None:
        # Stop accepting, let requests being handled finish and their answers go out, then
        # close every connection. What is cut off, Twilio retries (the idempotency token and
        # the engine-side checks keep that harmless).
        for listener in [d for d in self._map.values() if isinstance(d, BaseWSGIServer)]:
            wasyncore.dispatcher.close(listener)
        dispatcher = self._server.task_dispatcher
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and (
            dispatcher.queue
            or dispatcher.active_count > 0
            or any(getattr(c, "total_outbufs_len", 0) for c in self._map.values())
        ):
            wasyncore.loop(timeout=0.05, map=self._map, use_poll=True, count=1)
        dispatcher.shutdown(cancel_pending=True, timeout=1)
        wasyncore.close_all(self._map)


class WebhookService:
    """Assembled from the settings; ConfigError when webhooks could not be authenticated,
    OSError when a port cannot be bound."""

    def __init__(self, settings: Settings, *, metrics: Metrics | None = None) -> None:
        hooks = webhook_settings(settings)
        self.metrics = metrics or Metrics()
        self.settings = hooks
        self._ops = settings.ops
        self.engine = MessageClient(settings.engine, pool_size=hooks.threads, metrics=self.metrics)
        self.health = WebhookHealth(self.engine)
        self._later = Later()
        delivery = Delivery(self.engine, schedule=self._later, on_late=self._counted_late)
        self.app = WebhookApp(
            delivery,
            SignatureCheck(hooks.signing_token, hooks.public_url),
            self.health,
            metrics=self.metrics,
        )
        try:
            self._server = WaitressServer(self.app, hooks)
        except BaseException:
            self.engine.close()
            raise
        self._grace_s = settings.shutdown_grace_ms / 1000

    @property
    def port(self) -> int:
        return self._server.port

    def serve(self) -> None:
        """Serve the webhooks (and the ops port, when set) until `stop()`; OSError when the ops
        port cannot be bound (the webhook port is bound when the service is made)."""
        ops: OpsServer | None = None
        try:
            if self._ops.port:
                ops = OpsServer(self._ops.host, self._ops.port, self.health, self.metrics.registry)
                ops.start()
            log.warning(
                "webhooks on %s:%d for %s (%d threads)",
                self.settings.host,
                self.port,
                self.settings.public_url,
                self.settings.threads,
            )
            self._server.serve(self._grace_s)
        finally:
            self._later.stop()
            if ops is not None:
                ops.close()
            self.engine.close()

    def stop(self) -> None:
        self._server.stop()

    def _counted_late(self, report: StatusReport, done: Delivered) -> None:
        self.metrics.webhooks.labels(kind="status", result=done.result.value).inc()
        log.info(
            "status webhook %s: %s, process instance %s",
            report.sid,
            done.result.value,
            done.process_instance_id,
            extra={
                "webhook": "status",
                "result": done.result.value,
                "message_sid": report.sid,
                "process_instance_id": done.process_instance_id,
            },
        )

    def in_background(self, join_s: float = 30.0) -> AbstractContextManager[WebhookService]:
        """`serve()` on a thread of its own for the length of the block, then `stop()`."""
        return serving_in_background(self, "sms-webhooks", join_s)
