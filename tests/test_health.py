"""/healthz and /readyz over real HTTP: a worker on the real engine, an outage made with a TCP
proxy, and a wedged poll made with an engine that accepts connections but never answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
import requests
from prometheus_client import CollectorRegistry

from tests.tcp_proxy import TcpProxy
from tests.twilio_fixtures import settings_for
from worker.config import Settings
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.metrics import Metrics
from worker.runtime.daemon import Daemon
from worker.runtime.health import Health, OpsServer, liveness_window_s, readiness_window_s


@contextmanager
def serving(
    settings: Settings, *, liveness_window_s: float = 60.0, readiness_window_s: float = 60.0
) -> Iterator[tuple[Daemon, str]]:
    """A running worker with its ops server on loopback; yields the daemon and the base URL."""
    daemon = Daemon(settings, metrics=Metrics(CollectorRegistry()))
    health = Health(
        daemon.loop,
        daemon.engine,
        liveness_window_s=liveness_window_s,
        readiness_window_s=readiness_window_s,
    )
    runner = threading.Thread(target=daemon.serve, daemon=True)
    runner.start()
    try:
        with OpsServer("127.0.0.1", 0, health, daemon.metrics.registry) as ops:
            yield daemon, f"http://127.0.0.1:{ops.port}"
    finally:
        daemon.stop()
        runner.join(30)
        daemon.close()


def _status(url: str) -> int:
    return requests.get(url, timeout=5).status_code


def _becomes(url: str, status: int) -> str:
    """Wait until `url` answers `status`; that answer's text (a second request could already
    find the state changed again)."""

    def answered() -> tuple[str] | None:
        response = requests.get(url, timeout=5)
        return (response.text,) if response.status_code == status else None

    return LocalEngine.wait_until(answered, 30, 0.05, f"{url} -> {status}")[0]


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


@contextmanager
def silent_engine() -> Iterator[str]:
    """Accepts connections and never answers: a poll that hangs until its read timeout."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/engine-rest"


@pytest.mark.engine
def test_both_probes_pass_while_the_worker_polls_the_engine(
    engine: LocalEngine, standin: TwilioStandIn
):
    settings = settings_for(standin, camunda_url=engine.url, topic="HEALTH_UP", poll_timeout_ms=500)
    with serving(settings) as (_daemon, base):
        _becomes(f"{base}/readyz", 200)
        assert _status(f"{base}/healthz") == 200


@pytest.mark.engine
def test_readiness_fails_while_the_engine_is_away_and_recovers(
    engine: LocalEngine, standin: TwilioStandIn
):
    port = int(engine.url.rsplit(":", 1)[1].split("/")[0])
    with TcpProxy(port) as proxy:
        url = engine.url.replace(f":{port}/", f":{proxy.port}/")
        settings = settings_for(standin, camunda_url=url, topic="HEALTH_OUT", poll_timeout_ms=500)
        with serving(settings, readiness_window_s=1.0) as (_daemon, base):
            _becomes(f"{base}/readyz", 200)
            proxy.cut()
            _becomes(f"{base}/readyz", 503)
            # Backing off from an unreachable engine is the loop doing its job.
            assert _status(f"{base}/healthz") == 200
            proxy.restore()
            _becomes(f"{base}/readyz", 200)


def test_liveness_fails_when_a_poll_hangs_beyond_the_window(standin: TwilioStandIn):
    with silent_engine() as url:
        # poll timeout 0: the hung poll gives up after the 5 s grace, long after the window.
        settings = replace(settings_for(standin), camunda_url=url, poll_timeout_ms=0)
        with serving(settings, liveness_window_s=0.5) as (_daemon, base):
            assert "has not come round" in _becomes(f"{base}/healthz", 503)


def test_liveness_fails_once_the_fetch_loop_has_stopped(standin: TwilioStandIn):
    refused = f"http://127.0.0.1:{_free_port()}/engine-rest"
    settings = replace(settings_for(standin), camunda_url=refused, poll_timeout_ms=0)
    with serving(settings) as (daemon, base):
        _becomes(f"{base}/healthz", 200)
        daemon.stop()
        _becomes(f"{base}/healthz", 503)


def test_readiness_fails_before_the_engine_ever_answered(standin: TwilioStandIn):
    refused = f"http://127.0.0.1:{_free_port()}/engine-rest"
    settings = replace(settings_for(standin), camunda_url=refused, poll_timeout_ms=0)
    with serving(settings) as (_daemon, base):
        _becomes(f"{base}/healthz", 200)
        answer = requests.get(f"{base}/readyz", timeout=5)
    assert (answer.status_code, answer.text) == (503, "failing: the engine has not answered yet\n")


def test_other_paths_are_not_found(standin: TwilioStandIn):
    settings = replace(settings_for(standin), camunda_url=f"http://127.0.0.1:{_free_port()}")
    with serving(settings) as (_daemon, base):
        assert _status(f"{base}/") == 404


def test_the_windows_follow_the_poll_timeout(standin: TwilioStandIn):
    settings = replace(settings_for(standin), poll_timeout_ms=30_000)
    # Two long polls plus a backoff and the poll's grace; one long poll plus the same.
    assert (
        liveness_window_s(settings.poll_timeout_ms),
        readiness_window_s(settings.poll_timeout_ms),
    ) == (75.0, 45.0)
