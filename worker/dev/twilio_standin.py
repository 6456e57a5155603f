"""A stand-in for Twilio's Messages API on loopback, for tests and `twilio-sms-worker sandbox`.

Stdlib only. It speaks real HTTP/1.1 with keep-alive, checks Basic auth like Twilio, answers
Twilio's test-credential magic numbers with their error codes, accepts every other number,
lists what it accepted (see `twilio_messages`), and can inject faults (see `twilio_faults`).
Everything it received is recorded for assertions; `on_create` is called with each accepted
message right after its answer was written (tests kill the worker that sent it there). It also
calls webhooks like Twilio (see `twilio_callbacks`): status callbacks for the messages it
accepts, and simulated inbound SMS (`POST /sandbox/inbound`).
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from urllib.parse import parse_qs

from worker.dev.twilio_callbacks import WebhookSender
from worker.dev.twilio_faults import Faults, error_body, rejection
from worker.dev.twilio_http import Handler, ReceivedRequest, Reply, Server
from worker.dev.twilio_messages import InvalidQuery, MessageLog
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


class TwilioStandIn:
    """Twilio's Messages API on `url` (use it as TWILIO_API_URL). Start/stop or use `with`."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        on_request: Callable[[ReceivedRequest], None] | None = None,
    ) -> None:
        """`on_request` sees each request once answered (the `sandbox` command prints it)."""
        if not _ACCOUNT_SID.match(account_sid):
            raise ValueError(f"account_sid must match {_ACCOUNT_SID.pattern}")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.faults = Faults()
        # Status callbacks and simulated inbound SMS (see twilio_callbacks).
        self.webhooks = WebhookSender(account_sid, auth_token)
        self._on_request = on_request
        # Twilio's clock minus the machine's: dates it writes and its Date header follow it.
        self.clock_offset_s = 0.0
        # The Date header's zone: "GMT" as Twilio (and HTTP) writes it, or else "-0000",
        # RFC 2822's "UTC, local zone unknown", which reads as a date without a zone.
        self.dates_in_gmt = True
        self.messages = MessageLog(self.now)
        # Called with each accepted create, after its answer was written (from its thread).
        self.on_create: Callable[[ReceivedRequest], None] | None = None
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, bool]] = {}
        self._received: list[ReceivedRequest] = []
        self._delivered: Counter[str] = Counter()
        self._created = now_rfc2822()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._busy = threading.Condition()
        self._in_flight = 0

    # --- lifecycle -------------------------------------------------------------------------
    def _bind(self) -> Server:
        if self._server is None:
            self._stopping.clear()
            self._server = Server((self._host, self._port), Handler, self)
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
        self.webhooks.close()
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
    def now(self) -> float:
        """The stand-in's (Twilio's) clock, as a Unix timestamp."""
        return time.time() + self.clock_offset_s

    def add_api_key(self, sid: str, secret: str, *, read_messages: bool = True) -> None:
        """Accept `sid`:`secret` as credentials for this account, as a Twilio API key; one
        without `read_messages` may send but not list Messages (a restricted key)."""
        if not _KEY_SID.match(sid):
            raise ValueError(f"API key SID must match {_KEY_SID.pattern}")
        with self._lock:
            self._keys[sid] = (secret, read_messages)

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

    def count_in_flight(self, delta: int) -> None:
        with self._busy:
            self._in_flight += delta
            self._busy.notify_all()

    def reset(self) -> None:
        """Forget what was received, delivered and listed, disarm all faults and the hook."""
        with self._lock:
            self._received.clear()
            self._delivered.clear()
        self.messages.clear()
        self.faults.clear()
        self.on_create = None
        self.clock_offset_s = 0.0
        self.dates_in_gmt = True
        self.webhooks.reset()

    def record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._received.append(request)
            if request.status == 201:
                self._delivered[request.form.get("To", "")] += 1
        if self._on_request is not None:
            self._on_request(request)

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
            key = self._keys.get(user)
        expected = self.auth_token if user == self.account_sid else key[0] if key else None
        return user if expected is not None and password == expected else None

    def _may_list(self, user: str) -> bool:
        with self._lock:
            key = self._keys.get(user)
        return key is None or key[1]

    def answer(
        self, method: str, path: str, auth: str | None, form: dict[str, str], query: str
    ) -> Reply:
        """Twilio's reply to a request that no fault intercepted."""
        messages, account = _MESSAGES.match(path), _ACCOUNT.match(path)
        if not messages and not account:
            return Reply(
                404, error_body(404, 20404, f"The requested resource {path} was not found")
            )
        allowed = ("GET", "POST") if messages else ("GET",)
        if method not in allowed:
            return Reply(
                405,
                error_body(405, 20004, "Method not allowed"),
                headers={"Allow": ", ".join(allowed)},
            )
        user = self._authenticate(auth)
        if user is None:
            return Reply(401, error_body(401, 20003, "Authenticate"))
        match = messages or account
        assert match is not None
        if match.group(1) != self.account_sid:
            return Reply(403, error_body(403, 20003, "Authenticate"), auth_user=user)
        if account:
            reply = Reply(200, account_resource(self.account_sid, self.auth_token, self._created))
        elif method == "POST":
            reply = self._create(form)
        else:
            reply = self._list(user, path, query)
        reply.auth_user = user
        return reply

    def _create(self, form: dict[str, str]) -> Reply:
        error = rejection(form)
        if error is not None:
            return Reply(error["status"], error)
        resource = message_resource(self.account_sid, form, self.now())
        self.messages.add(resource)
        self.webhooks.message_created(form, resource)
        return Reply(201, resource)

    def _list(self, user: str, path: str, query: str) -> Reply:
        if not self._may_list(user):
            return Reply(
                403, error_body(403, 20403, "Permission Denied: this API key may not read Messages")
            )
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        try:
            return Reply(200, self.messages.page(path, params))
        except InvalidQuery as invalid:
            return Reply(400, invalid.reply)

    def pause(self, seconds: float) -> bool:
        """Sleep unless the stand-in stops first; True when it is stopping."""
        return self._stopping.wait(seconds)


def serve(
    port: int,
    account_sid: str = DEFAULT_ACCOUNT_SID,
    auth_token: str = DEFAULT_AUTH_TOKEN,
    host: str = "127.0.0.1",
    *,
    on_ready: Callable[[TwilioStandIn], None] | None = None,
    on_request: Callable[[ReceivedRequest], None] | None = None,
) -> None:
    """Run a stand-in until SIGINT; `on_ready` gets it once it listens (e.g. to print `url`),
    `on_request` each request it answered."""
    standin = TwilioStandIn(account_sid, auth_token, host, port, on_request=on_request)
    standin._bind()
    if on_ready is not None:
        on_ready(standin)
    standin.serve_forever()
