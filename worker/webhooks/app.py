"""The WSGI application Twilio talks to.

    POST /twilio/status    status callbacks (the URL `run` gives Twilio with each message)
    POST /twilio/inbound   "A message comes in" on the Twilio number
    GET  /healthz /readyz  probes, as on the ops port

Each webhook is read (bounded), authenticated (403 before anything else happens), checked,
handled once per idempotency token, and answered: 200 when Twilio must not retry, 503 when the
engine could not be reached so that Twilio retries, never 200 for a reply the engine did not
take. Bodies of messages are never logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from worker.errors import EngineError, EngineUnreachable
from worker.metrics import Metrics
from worker.redaction import mask_numbers
from worker.runtime.health import Probes
from worker.twilio.webhook_urls import INBOUND_PATH, STATUS_PATH
from worker.webhooks.dedupe import RecentTokens
from worker.webhooks.delivery import Delivered, Delivery, Result
from worker.webhooks.events import InvalidWebhook, inbound_sms, status_report
from worker.webhooks.signature import SignatureCheck

log = logging.getLogger(__name__)

# Twilio's forms are a few kilobytes: a 1,600-character body is at most ~19 KB form-encoded.
MAX_BODY_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
_FORM = "application/x-www-form-urlencoded"
_KINDS = {STATUS_PATH: "status", INBOUND_PATH: "inbound"}
# Logged at debug: the "count it, log it at debug" for statuses nobody waited for.
_QUIET_RESULTS = {Result.STORED, Result.IGNORED}

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    result: str = ""  # the metric's result label

    @property
    def final(self) -> bool:
        """Twilio will not retry it: keep it for the retries that come anyway."""
        return self.status < 500


_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class WebhookApp:
    def __init__(
        self,
        delivery: Delivery,
        signatures: SignatureCheck,
        probes: Probes,
        *,
        metrics: Metrics | None = None,
        tokens: RecentTokens[Answer] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._delivery, self._signatures, self._probes = delivery, signatures, probes
        self._metrics = metrics or Metrics()
        self._tokens = tokens if tokens is not None else RecentTokens(lambda a: a.final)
        self._clock = clock

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = self._route(environ)
        headers = [
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(answer.body))),
            ("Cache-Control", "no-store"),
        ]
        if answer.status == 405:
            headers.append(("Allow", "GET" if answer.result == "probe" else "POST"))
        start_response(f"{answer.status} {_REASONS.get(answer.status, '')}".strip(), headers)
        return [answer.body]

    def _route(self, environ: dict[str, Any]) -> Answer:
        path, method = environ.get("PATH_INFO") or "/", environ.get("REQUEST_METHOD", "GET")
        if path in ("/healthz", "/readyz"):
            if method not in ("GET", "HEAD"):
                return Answer(405, result="probe")
            probe = self._probes.alive() if path == "/healthz" else self._probes.ready()
            text = ("ok: " if probe.ok else "failing: ") + probe.reason + "\n"
            return Answer(200 if probe.ok else 503, text.encode())
        kind = _KINDS.get(path)
        if kind is None:
            return Answer(404, b"not found\n")
        if method != "POST":
            return Answer(405)
        started = self._clock()
        answer = self._webhook(kind, environ)
        self._metrics.webhooks.labels(kind=kind, result=answer.result).inc()
        if answer.result == "forbidden":
            log.warning(
                "%s webhook refused: missing or wrong X-Twilio-Signature (checked against %s; "
                "is SMS_PUBLIC_URL the URL Twilio calls, and the token the account's?)",
                kind,
                self._signatures.signed_url(_raw_uri(environ)),
                extra={"webhook": kind, "result": answer.result},
            )
        else:
            elapsed_ms = (self._clock() - started) * 1000
            log.debug("%s webhook answered %d in %.0f ms", kind, answer.status, elapsed_ms)
        return answer

    def _webhook(self, kind: str, environ: dict[str, Any]) -> Answer:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return Answer(400, b"bad Content-Length\n", result="invalid")
        if length > MAX_BODY_BYTES:
            return Answer(413, result="invalid")
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        is_form = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower() == _FORM
        try:
            params = _form(raw) if is_form else []
        except ValueError:
            params = None  # unreadable, so it cannot be authenticated either
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE")
        if params is None or not self._signatures.is_valid(_raw_uri(environ), params, signature):
            return Answer(403, b"forbidden\n", result="forbidden")
        if not is_form:
            return Answer(415, result="invalid")
        form: dict[str, str] = {}
        for name, value in params:
            form.setdefault(name, value)
        query = dict(parse_qsl(environ.get("QUERY_STRING") or "", max_num_fields=MAX_FORM_FIELDS))
        try:
            event = status_report(form, query) if kind == "status" else inbound_sms(form)
        except InvalidWebhook as exc:
            log.warning("%s webhook: %s", kind, exc, extra={"webhook": kind, "result": "invalid"})
            return Answer(400, f"{exc}\n".encode(), result="invalid")
        token = environ.get("HTTP_I_TWILIO_IDEMPOTENCY_TOKEN")
        answer, repeated = self._tokens.handle(token, lambda: self._deliver(kind, event))
        if repeated:
            log.info(
                "%s webhook %s: a retry, answered as before",
                kind,
                event.sid,
                extra={"webhook": kind, "result": "duplicate", "message_sid": event.sid},
            )
            return Answer(answer.status, answer.body, answer.content_type, "duplicate")
        return answer

    def _deliver(self, kind: str, event: Any) -> Answer:
        ok = Answer(200, EMPTY_TWIML, "text/xml") if kind == "inbound" else Answer(200)
        fields = {"webhook": kind, "message_sid": event.sid}
        try:
            done: Delivered = (
                self._delivery.status(event) if kind == "status" else self._delivery.reply(event)
            )
        except EngineUnreachable as exc:
            log.warning("%s webhook %s: engine unreachable (%s); 503", kind, event.sid, exc)
            return Answer(503, b"engine unavailable\n", result="engine-unavailable")
        except EngineError as exc:
            log.error("%s webhook %s: the engine refused (%s)", kind, event.sid, exc, extra=fields)
            return Answer(503, b"engine error\n", result="error")
        except Exception:
            log.exception("%s webhook %s: unexpected error", kind, event.sid, extra=fields)
            return Answer(500, b"internal error\n", result="error")
        level = logging.DEBUG if done.result in _QUIET_RESULTS else logging.INFO
        log.log(
            level,
            "%s webhook %s (%s): %s%s",
            kind,
            event.sid,
            _describe(kind, event),
            done.result.value,
            f", process instance {done.process_instance_id}" if done.process_instance_id else "",
            extra={
                **fields,
                "result": done.result.value,
                "process_instance_id": done.process_instance_id,
            },
        )
        return Answer(ok.status, ok.body, ok.content_type, done.result.value)


def _form(raw: bytes) -> list[tuple[str, str]]:
    # Strict UTF-8: Twilio sends UTF-8, and the signature is over exactly these characters.
    return parse_qsl(
        raw.decode("utf-8"),
        keep_blank_values=True,
        max_num_fields=MAX_FORM_FIELDS,
        errors="strict",
    )


def _raw_uri(environ: dict[str, Any]) -> str:
    # waitress passes the request line's target untouched; PATH_INFO is already decoded.
    raw = environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    query = environ.get("QUERY_STRING") or ""
    return str(environ.get("PATH_INFO") or "/") + (f"?{query}" if query else "")


def _describe(kind: str, event: Any) -> str:
    # Masked numbers, and never the body.
    if kind == "status":
        code = f", error {event.error_code}" if event.error_code else ""
        return f"{event.status} to {mask_numbers(event.to)}{code}"
    sender, to = mask_numbers(event.sender), mask_numbers(event.to)
    return f"from {sender} to {to}, {len(event.body)} characters"
