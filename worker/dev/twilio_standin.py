"""A stand-in for Twilio's Messages API on loopback, for tests and `twilio-sms-worker sandbox`.

Stdlib only. It speaks real HTTP/1.1 with keep-alive, checks Basic auth like Twilio, answers
Twilio's test-credential magic numbers with their error codes, accepts every other number, and
can inject faults (see `twilio_faults`). Everything it received is recorded for assertions.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import socket
import struct
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from worker.dev.twilio_faults import Fault, Faults, Kind, Plan, error_body, rejection
from worker.dev.twilio_resources import (
    account_resource,
    message_resource,
    now_rfc2822,
)

DEFAULT_ACCOUNT_SID = "AC" + "5ca1ab1e" * 4
DEFAULT_AUTH_TOKEN = "feedface" * 4

_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_KEY_SID = re.compile(r"^SK[0-9a-fA-F]{32}$")
_MESSAGES = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
_ACCOUNT = re.compile(r"^/2010-04-01/Accounts/([^/]+)\.json$")


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


@dataclass
class _Reply:
    status: int
    payload: Any = None  # JSON: Twilio's object, or anything a fault sends
    html: str | None = None
    headers: dict[str, str] | None = None
    auth_user: str | None = None


class TwilioStandIn:
    """Twilio's Messages API on `url` (use it as TWILIO_API_URL). Start/stop or use `with`."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not _ACCOUNT_SID.match(account_sid):
            raise ValueError(f"account_sid must match {_ACCOUNT_SID.pattern}")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.faults = Faults()
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._keys: dict[str, str] = {}
        self._received: list[ReceivedRequest] = []
        self._delivered: Counter[str] = Counter()
        self._created = now_rfc2822()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._busy = threading.Condition()
        self._in_flight = 0

    # --- lifecycle -------------------------------------------------------------------------
    def _bind(self) -> _Server:
        if self._server is None:
            self._stopping.clear()
            self._server = _Server((self._host, self._port), _Handler, self)
        return self._server

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> TwilioStandIn:
        if self._thread is not None:
            return self
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until Ctrl-C (KeyboardInterrupt), then close."""
        try:
            self._bind().serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._close()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._close()

    def _close(self) -> None:
        # Wake delayed handlers and drop idle keep-alive connections, so nothing outlives us.
        self._stopping.set()
        if self._server is not None:
            self._server.server_close()
            self._server.drop_connections()
            self._server = None

    def __enter__(self) -> TwilioStandIn:
        return self.start()

    def __exit__(
        self, exc: type[BaseException] | None, val: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- configuration and records ----------------------------------------------------------
    def add_api_key(self, sid: str, secret: str) -> None:
        """Accept `sid`:`secret` as credentials for this account, as a Twilio API key."""
        if not _KEY_SID.match(sid):
            raise ValueError(f"API key SID must match {_KEY_SID.pattern}")
        with self._lock:
            self._keys[sid] = secret

    @property
    def received(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._received)

    @property
    def delivered(self) -> dict[str, int]:
        """Messages accepted (201) per `To` number."""
        with self._lock:
            return dict(self._delivered)

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Wait until no request is being answered (a slow one a client gave up on still
        delivers, as Twilio would); False if that did not happen in time."""
        with self._busy:
            return self._busy.wait_for(lambda: self._in_flight == 0, timeout_s)

    def _enter(self, delta: int) -> None:
        with self._busy:
            self._in_flight += delta
            self._busy.notify_all()

    def reset(self) -> None:
        """Forget what was received and delivered, and disarm all faults."""
        with self._lock:
            self._received.clear()
            self._delivered.clear()
        self.faults.clear()

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._received.append(request)
            if request.status == 201:
                self._delivered[request.form.get("To", "")] += 1

    # --- the API ----------------------------------------------------------------------------
    def _authenticate(self, header: str | None) -> str | None:
        """The authenticated account's user name, or None."""
        if not header or not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        with self._lock:
            expected = self.auth_token if user == self.account_sid else self._keys.get(user)
        return user if expected is not None and password == expected else None

    def _answer(self, method: str, path: str, auth: str | None, form: dict[str, str]) -> _Reply:
        """Twilio's reply to a request that no fault intercepted."""
        messages, account = _MESSAGES.match(path), _ACCOUNT.match(path)
        if not messages and not account:
            return _Reply(
                404, error_body(404, 20404, f"The requested resource {path} was not found")
            )
        allowed = "POST" if messages else "GET"
        if method != allowed:
            return _Reply(
                405, error_body(405, 20004, "Method not allowed"), headers={"Allow": allowed}
            )
        user = self._authenticate(auth)
        if user is None:
            return _Reply(401, error_body(401, 20003, "Authenticate"))
        match = messages or account
        assert match is not None
        if match.group(1) != self.account_sid:
            return _Reply(403, error_body(403, 20003, "Authenticate"), auth_user=user)
        reply = (
            self._create(form)
            if messages
            else _Reply(200, account_resource(self.account_sid, self.auth_token, self._created))
        )
        reply.auth_user = user
        return reply

    def _create(self, form: dict[str, str]) -> _Reply:
        error = rejection(form)
        if error is not None:
            return _Reply(error["status"], error)
        return _Reply(201, message_resource(self.account_sid, form))

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the stand-in stops first; True when it is stopping."""
        return self._stopping.wait(seconds)


def serve(
    port: int,
    account_sid: str = DEFAULT_ACCOUNT_SID,
    auth_token: str = DEFAULT_AUTH_TOKEN,
    host: str = "127.0.0.1",
    on_ready: Callable[[TwilioStandIn], None] | None = None,
) -> None:
    """Run a stand-in until SIGINT; `on_ready` gets it once it listens (e.g. to print `url`)."""
    standin = TwilioStandIn(account_sid, auth_token, host, port)
    standin._bind()
    if on_ready is not None:
        on_ready(standin)
    standin.serve_forever()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # bursts of parallel clients must not be refused by the backlog

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], standin: TwilioStandIn
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TwilioStandIn/1.0"
    server: _Server
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

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one stderr line per request drowns test output

    def do_GET(self) -> None:
        self._received_at = time.time()
        self.server.standin._enter(1)
        try:
            self._serve()
        finally:
            self.server.standin._enter(-1)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        standin = self.server.standin
        self._raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form: dict[str, str] = {}
        # Twilio reads only form-encoded parameters; any other body is as good as none.
        if self.headers.get_content_type() == "application/x-www-form-urlencoded":
            text = self._raw.decode("utf-8", errors="replace")
            form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
        plan = standin.faults.take()
        reply: _Reply | None = None
        if plan.outcome is None:
            reply = standin._answer(self.command, self._path(), self.headers["Authorization"], form)
            if reply.status == 201:
                targeted = standin.faults.take(form["To"])
                plan = Plan(plan.delay_s + targeted.delay_s, targeted.outcome)
        if plan.delay_s > 0 and standin._sleep(plan.delay_s):
            self.close_connection = True  # stopping: the socket is being shut down anyway
            return
        user = reply.auth_user if reply else None
        if plan.outcome is not None and plan.outcome.kind is Kind.RESET:
            standin._record(self._record_of(form, user, None, None))
            self._reset()
            return
        if plan.outcome is not None:
            reply = _fault_reply(plan.outcome, user)
        assert reply is not None
        self._send(reply, form)

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    def _record_of(
        self, form: dict[str, str], user: str | None, status: int | None, sid: str | None
    ) -> ReceivedRequest:
        headers = {k.lower(): v for k, v in self.headers.items()}
        path, raw, at = self._path(), self._raw, self._received_at
        return ReceivedRequest(self.command, path, headers, form, user, status, sid, raw, at)

    def _send(self, reply: _Reply, form: dict[str, str]) -> None:
        if reply.html is not None:
            data, ctype = reply.html.encode(), "text/html; charset=utf-8"
        else:
            data, ctype = json.dumps(reply.payload).encode(), "application/json; charset=utf-8"
        payload = reply.payload if isinstance(reply.payload, dict) else {}
        sid = payload.get("sid") if reply.status == 201 else None
        sid = sid if isinstance(sid, str) else None
        self.server.standin._record(self._record_of(form, reply.auth_user, reply.status, sid))
        self.send_response(reply.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
        for name, value in (reply.headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        # SO_LINGER 0 turns close() into a RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _fault_reply(fault: Fault, user: str | None) -> _Reply:
    if fault.kind is Kind.HTML:
        reason = BaseHTTPRequestHandler.responses.get(fault.status, ("Error", ""))[0]
        title = f"{fault.status} {reason}"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return _Reply(fault.status, html=page, auth_user=user)
    if fault.kind is Kind.NO_SID:
        return _Reply(fault.status, {"status": "queued"}, auth_user=user)
    if fault.kind is Kind.JSON:
        return _Reply(fault.status, fault.body, auth_user=user)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    body = error_body(fault.status, fault.code, fault.message)
    return _Reply(fault.status, body, headers=headers, auth_user=user)
