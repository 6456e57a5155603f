"""The Twilio stand-in's HTTP side: a threading HTTP/1.1 server and its request handler, which
reads each request, applies the stand-in's faults, asks the stand-in for Twilio's answer and
writes it (or resets the connection)."""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs

from worker.dev.twilio_callbacks import WebhookSender, simulate_inbound
from worker.dev.twilio_faults import Fault, Faults, Kind, Plan, error_body

INBOUND_SIMULATION_PATH = "/sandbox/inbound"


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the stand-in saw it. `status` is None when the connection was reset."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    form: dict[str, str]
    auth_user: str | None
    status: int | None
    message_sid: str | None = None
    body: bytes = b""  # exactly as sent, for contract checks of the client's encoding
    received_at: float = 0.0  # time.time() when its headers were read, before any delay
    query: str = ""  # the raw query string, if any


@dataclass
class Reply:
    status: int
    payload: Any = None  # JSON: Twilio's object, or anything a fault sends
    html: str | None = None
    headers: dict[str, str] | None = None
    auth_user: str | None = None


class StandInState(Protocol):
    """What the HTTP layer needs of the stand-in (`TwilioStandIn`): its clock, faults, hooks,
    and the answer to a request no fault intercepted."""

    faults: Faults
    webhooks: WebhookSender
    dates_in_gmt: bool
    on_create: Callable[[ReceivedRequest], None] | None

    def now(self) -> float: ...

    def count_in_flight(self, delta: int) -> None: ...

    def answer(
        self, method: str, path: str, auth: str | None, form: dict[str, str], query: str
    ) -> Reply: ...

    def record(self, request: ReceivedRequest) -> None: ...

    def pause(self, seconds: float) -> bool: ...


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # bursts of parallel clients must not be refused by the backlog

    def __init__(
        self, address: tuple[str, int], handler: type[Handler], standin: StandInState
    ) -> None:
        self.standin = standin
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._conns_lock:
            (self._conns.add if alive else self._conns.discard)(conn)

    def drop_connections(self) -> None:
        with self._conns_lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read timeout, reset) is expected here; anything else is a bug.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TwilioStandIn/1.0"
    server: Server
    _raw = b""
    _received_at = 0.0

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this Nagle stalls each reply ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, alive=True)

    def finish(self) -> None:
        self.server.track(self.connection, alive=False)
        super().finish()

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        # Twilio's Date header, on the stand-in's clock (clients read Twilio's time from it).
        now = self.server.standin.now() if timestamp is None else timestamp
        return email.utils.formatdate(now, usegmt=self.server.standin.dates_in_gmt)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one stderr line per request drowns test output

    def do_GET(self) -> None:
        self._received_at = time.time()
        self.server.standin.count_in_flight(1)
        try:
            self._serve()
        finally:
            self.server.standin.count_in_flight(-1)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        standin = self.server.standin
        self._raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form: dict[str, str] = {}
        # Twilio reads only form-encoded parameters; any other body is as good as none.
        if self.headers.get_content_type() == "application/x-www-form-urlencoded":
            text = self._raw.decode("utf-8", errors="replace")
            form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
        if self._path() == INBOUND_SIMULATION_PATH:
            status, answer = simulate_inbound(standin.webhooks, self.command, form)
            self._send(Reply(status, answer), form)
            return
        plan = standin.faults.take(method=self.command)
        reply: Reply | None = None
        if plan.outcome is None:
            auth = self.headers["Authorization"]
            reply = standin.answer(self.command, self._path(), auth, form, self._query())
            if reply.status == 201:
                targeted = standin.faults.take(form["To"], method=self.command)
                plan = Plan(plan.delay_s + targeted.delay_s, targeted.outcome)
        if plan.delay_s > 0 and standin.pause(plan.delay_s):
            self.close_connection = True  # stopping: the socket is being shut down anyway
            return
        user = reply.auth_user if reply else None
        if plan.outcome is not None and plan.outcome.kind is Kind.RESET:
            standin.record(self._record_of(form, user, None, None))
            self._reset()
            return
        if plan.outcome is not None:
            reply = _fault_reply(plan.outcome, user)
        assert reply is not None
        self._send(reply, form)

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    def _query(self) -> str:
        return self.path.partition("?")[2]

    def _record_of(
        self, form: dict[str, str], user: str | None, status: int | None, sid: str | None
    ) -> ReceivedRequest:
        headers = {k.lower(): v for k, v in self.headers.items()}
        path, raw, at = self._path(), self._raw, self._received_at
        return ReceivedRequest(
            self.command, path, headers, form, user, status, sid, raw, at, self._query()
        )

    def _send(self, reply: Reply, form: dict[str, str]) -> None:
        if reply.html is not None:
            data, ctype = reply.html.encode(), "text/html; charset=utf-8"
        else:
            data, ctype = json.dumps(reply.payload).encode(), "application/json; charset=utf-8"
        payload = reply.payload if isinstance(reply.payload, dict) else {}
        sid = payload.get("sid") if reply.status == 201 else None
        sid = sid if isinstance(sid, str) else None
        record = self._record_of(form, reply.auth_user, reply.status, sid)
        self.server.standin.record(record)
        self.send_response(reply.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
        for name, value in (reply.headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        hook = self.server.standin.on_create
        if sid is not None and hook is not None:
            self.wfile.flush()
            hook(record)

    def _reset(self) -> None:
        # SO_LINGER 0 turns close() into a RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _fault_reply(fault: Fault, user: str | None) -> Reply:
    if fault.kind is Kind.REDIRECT:
        return Reply(fault.status, html="", headers={"Location": fault.location}, auth_user=user)
    if fault.kind is Kind.HTML:
        reason = BaseHTTPRequestHandler.responses.get(fault.status, ("Error", ""))[0]
        title = f"{fault.status} {reason}"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return Reply(fault.status, html=page, auth_user=user)
    if fault.kind is Kind.NO_SID:
        return Reply(fault.status, {"status": "queued"}, auth_user=user)
    if fault.kind is Kind.JSON:
        return Reply(fault.status, fault.body, auth_user=user)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    body = error_body(fault.status, fault.code, fault.message)
    return Reply(fault.status, body, headers=headers, auth_user=user)
