"""The engine client and redirects, against two HTTP servers on loopback: no call follows one,
neither the worker's own nor the camunda library's (they go over the same session)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.twilio_fixtures import settings_for
from worker.dev.twilio_standin import TwilioStandIn
from worker.engine.client import EngineClient
from worker.engine.task import ExternalTask
from worker.errors import EngineError


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, location: str | None) -> None:
        self.location = location  # None: answer `[]` to everything
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        if self.server.location is not None:
            self.send_response(307)
            self.send_header("Location", self.server.location + self.path)
            body = b""
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            body = json.dumps({"version": "7.24.0"} if "version" in self.path else []).encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[tuple[_Server, _Server]]:
    """(the engine's address, which redirects everything; where it points, on another port)"""
    target = _Server(None)
    source = _Server(target.url)
    for server in (target, source):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield source, target
    for server in (source, target):
        server.shutdown()
        server.server_close()


def _client(standin: TwilioStandIn, url: str, **auth: str) -> EngineClient:
    settings = replace(settings_for(standin), camunda_url=url + "/engine-rest", **auth)
    return EngineClient(settings.engine, pool_size=1)


TASK = ExternalTask("t-1", "Send", "e-1", "pi-1", "pd-1", None)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.version(),
        lambda c: c.extend_lock(TASK, 1000),
        lambda c: c.set_local_variable("e-1", "smsProgress", {"type": "Json", "value": "{}"}),
        lambda c: c.download_variable(TASK, "smsBody"),
        lambda c: c.process_definition_xml("pd-1"),
        lambda c: c.fetch_and_lock(1, ["smsTo"]),
        lambda c: c.complete(TASK, {"smsResult": {}}),
        lambda c: c.failure(TASK, "down", "", 1, 1000),
        lambda c: c.bpmn_error(TASK, "SMS_FAILED", "no", {}),
    ],
    ids=[
        "version",
        "extendLock",
        "set-variable",
        "download",
        "definition-xml",
        "fetchAndLock",
        "complete",
        "failure",
        "bpmnError",
    ],
)
def test_no_engine_call_follows_a_redirect(
    standin: TwilioStandIn, servers: tuple[_Server, _Server], call: Any
):
    source, target = servers
    client = _client(standin, source.url, camunda_user="demo", camunda_password="pw-hunter2")
    try:
        with pytest.raises(EngineError) as caught:
            call(client)
    finally:
        client.close()
    assert caught.value.status == 307
    assert "not followed (check CAMUNDA_URL)" in str(caught.value)
    assert target.seen == []
