"""Health probes, and the small HTTP server operators scrape: `/metrics`, `/healthz`, `/readyz`.

`/healthz` (liveness): the fetch loop runs and came round recently. A long poll, a backoff or
waiting for a free slot all count as coming round; only a loop stuck beyond a whole poll
cycle, or a dead one, fails it, and restarting the process is the cure.

`/readyz` (readiness): alive, and the engine answered a call recently. It fails during an
engine outage and recovers by itself once the engine answers again.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from worker.engine.client import FETCH_GRACE_MS, EngineClient
from worker.runtime.loop import POLL_RETRY, PollLoop

log = logging.getLogger(__name__)

# Room for one slow cycle on top of the longest wait: a backoff, the poll's grace, scheduling.
_SLACK_S = POLL_RETRY.cap_s + FETCH_GRACE_MS / 1000


def liveness_window_s(poll_timeout_ms: int) -> float:
    """How long the fetch loop may go without coming round: two long polls and a backoff."""
    return 2 * poll_timeout_ms / 1000 + _SLACK_S


def readiness_window_s(poll_timeout_ms: int) -> float:
    """How long the engine may stay silent: an idle engine still answers each long poll."""
    return poll_timeout_ms / 1000 + _SLACK_S


@dataclass(frozen=True)
class Probe:
    """A probe's answer: 200 when ok, 503 otherwise, with the reason as the body."""

    ok: bool
    reason: str


class Probes(Protocol):
    """What the ops server asks: the worker's `Health`, or the webhook service's."""

    def alive(self) -> Probe: ...

    def ready(self) -> Probe: ...


class Health:
    def __init__(
        self,
        worker: PollLoop,
        engine: EngineClient,
        *,
        liveness_window_s: float,
        readiness_window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._worker, self._engine = worker, engine
        self._liveness_s, self._readiness_s = liveness_window_s, readiness_window_s
        self._clock = clock

    def alive(self) -> Probe:
        heartbeat = self._worker.heartbeat
        if not self._worker.fetching or heartbeat is None:
            return Probe(False, "the fetch loop is not running")
        quiet_s = self._clock() - heartbeat
        if quiet_s > self._liveness_s:
            return Probe(
                False,
                f"the fetch loop has not come round for {quiet_s:.1f}s "
                f"(limit {self._liveness_s:.1f}s)",
            )
        return Probe(True, f"fetch loop running, {self._worker.in_flight} task(s) in flight")

    def ready(self) -> Probe:
        alive = self.alive()
        if not alive.ok:
            return alive
        answered = self._engine.last_success
        if answered is None:
            return Probe(False, "the engine has not answered yet")
        quiet_s = self._clock() - answered
        if quiet_s > self._readiness_s:
            return Probe(
                False,
                f"the engine has not answered for {quiet_s:.1f}s (limit {self._readiness_s:.1f}s)",
            )
        return Probe(True, f"the engine answered {quiet_s:.1f}s ago")


class OpsServer:
    """Serves the metrics registry and the probes on its own threads until `close()`."""

    def __init__(self, host: str, port: int, health: Probes, registry: CollectorRegistry) -> None:
        # Binds at once, so a port already taken fails start-up rather than a later probe.
        self._server = _Server((host, port), health, registry)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sms-ops", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> OpsServer:
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OpsServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], health: Probes, registry: CollectorRegistry
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.health, self.registry = health, registry
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._reply(200, generate_latest(self.server.registry), CONTENT_TYPE_LATEST)
        elif path in ("/healthz", "/readyz"):
            health = self.server.health
            verdict = health.alive() if path == "/healthz" else health.ready()
            text = ("ok: " if verdict.ok else "failing: ") + verdict.reason + "\n"
            self._reply(200 if verdict.ok else 503, text.encode(), "text/plain; charset=utf-8")
        else:
            self._reply(404, b"not found: try /metrics, /healthz or /readyz\n", "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # Probes and scrapes arrive every few seconds: not worth a line at INFO.
        log.debug("%s %s", self.address_string(), format % args)
