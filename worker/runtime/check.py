"""`twilio-sms-worker check`: is this worker set up to work? Sends nothing.

Three checks, each one line: the configuration is valid, the engine answers (`/version`),
and Twilio accepts the credentials (the account resource, fetched, never printed: it holds
the auth token); with reconciliation on (SMS_RECONCILE), a fourth: the credentials may read
the Messages list (one message listed, nothing changed). Every line passes `worker.redaction`
before it is printed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from worker.config import Settings, load_settings
from worker.engine.client import EngineClient
from worker.errors import (
    ConfigError,
    ConnectorError,
    DeliveryError,
    EngineError,
    EngineUnreachable,
    ErrorCode,
    UnreachableCause,
)
from worker.redaction import Redactor
from worker.twilio.client import TwilioClient

if TYPE_CHECKING:
    from worker.runtime.daemon import Daemon

_SKIPPED = "not tried: the configuration is invalid"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    skipped: bool = False

    def line(self) -> str:
        status = "skip" if self.skipped else "ok" if self.ok else "FAIL"
        return f"{status:<4}  {self.name}: {self.detail}"


def run_checks(env: Mapping[str, str] | None = None) -> list[CheckResult]:
    try:
        settings = load_settings(env)
    except ConfigError as exc:
        problems = [CheckResult("configuration", False, problem) for problem in exc.problems]
        return [
            *problems,
            CheckResult("engine", False, _SKIPPED, skipped=True),
            CheckResult("twilio", False, _SKIPPED, skipped=True),
        ]
    redactor = Redactor(settings.secrets)
    results = [check_configuration(settings), check_engine(settings), check_twilio(settings)]
    if settings.reconcile:
        results.append(check_message_read(settings))
    return [replace(result, detail=redactor.text(result.detail)) for result in results]


def check_configuration(settings: Settings) -> CheckResult:
    metrics = (
        f"metrics and probes on {settings.metrics_host}:{settings.metrics_port}"
        if settings.metrics_port
        else "metrics and probes off"
    )
    warnings = "".join(f"; warning: {warning}" for warning in settings.warnings)
    return CheckResult(
        "configuration",
        True,
        f"valid (topic {settings.topic}, up to {settings.max_concurrency} tasks at once, "
        f"{metrics}){warnings}",
    )


def check_engine(settings: Settings) -> CheckResult:
    # Each node of a cluster on its own: the worker would fail over a dead one silently.
    found = [_check_node(settings, url) for url in settings.engine.urls]
    return CheckResult("engine", all(ok for ok, _ in found), "; ".join(text for _, text in found))


def _check_node(settings: Settings, url: str) -> tuple[bool, str]:
    engine = EngineClient(replace(settings.engine, urls=(url,)), pool_size=1)
    try:
        version = engine.version()
    except EngineError as exc:
        return False, f"{url} failed: {exc}; {_advice(exc)}"
    finally:
        engine.close()
    return True, f"REST API version {version} at {url}"


def _advice(exc: EngineError) -> str:
    """What to fix, for the usual ways a first set-up goes wrong."""
    if isinstance(exc, EngineUnreachable):
        if exc.cause is UnreachableCause.REFUSED:
            return "nothing listens there: is the engine running on CAMUNDA_URL's host and port?"
        if exc.cause is UnreachableCause.HOST_NOT_FOUND:
            return "the host name does not resolve: check the host in CAMUNDA_URL"
        return "check CAMUNDA_URL and the network"
    if exc.status in (401, 403):
        return "check CAMUNDA_USER/CAMUNDA_PASSWORD or CAMUNDA_TOKEN"
    if exc.status == 404 or (exc.status is not None and exc.status < 300):
        # Something answered, but not the engine's REST API: usually the path is missing or
        # wrong (Camunda Run and the Spring Boot starter serve it at /engine-rest).
        return "something answered, but not the engine's REST API: is the URL's path /engine-rest?"
    return "check CAMUNDA_URL"


def check_twilio(settings: Settings) -> CheckResult:
    who = (
        f"API key {settings.twilio_api_key}"
        if settings.twilio_api_key
        else f"account {settings.twilio_account}"
    )
    twilio = TwilioClient(settings.twilio, pool_size=1)
    try:
        account = twilio.fetch_account()
    except ConnectorError as error:
        hint = ""
        if error.code in (ErrorCode.UNAUTHORIZED, ErrorCode.AUTHENTICATION_CONNECTION_ERROR):
            hint = "; check TWILIO_ACCOUNT and TWILIO_TOKEN (or TWILIO_API_KEY/_SECRET)"
        return CheckResult(
            "twilio",
            False,
            f"{who} at {settings.twilio_api_url} refused: {error.message}{hint}",
        )
    finally:
        twilio.close()
    # Only named, harmless fields are read: the account resource also holds the auth token.
    status = account.get("status")
    if status != "active":
        return CheckResult("twilio", False, f"{who} accepted, but the account is {status}")
    return CheckResult(
        "twilio", True, f"{who} accepted by {settings.twilio_api_url} (account active)"
    )


_READ_HINT = (
    "reconciliation (SMS_RECONCILE, on by default) lists Messages to tell whether a message "
    "was already sent: give the API key read access to Messages, or set SMS_RECONCILE=off"
)


def check_message_read(settings: Settings) -> CheckResult:
    twilio = TwilioClient(settings.twilio, pool_size=1)
    try:
        twilio.probe_message_read()
    except ConnectorError as error:
        return CheckResult(
            "messages",
            False,
            f"listing Messages failed: {error.message}"
            + (f"; {_READ_HINT}" if _is_refusal(error) else ""),
        )
    finally:
        twilio.close()
    return CheckResult("messages", True, "may be listed (for reconciliation)")


def message_read_refused(daemon: Daemon) -> str | None:
    """`run`'s start-up check: a message for an operator when Twilio refuses to list Messages
    with these credentials, else None. Twilio unreachable is no reason not to start (tasks
    are retried until it answers); it is logged."""
    try:
        daemon.probe_twilio()
    except DeliveryError as error:
        if error.http_status == 401:
            return (
                f"Twilio refused the credentials: {error.message}; check "
                "TWILIO_ACCOUNT and TWILIO_TOKEN (or TWILIO_API_KEY/_SECRET)"
            )
        if _is_refusal(error):
            return f"Twilio refused to list Messages: {error.message}; {_READ_HINT}"
        logging.getLogger(__name__).warning(
            "Twilio's message list could not be read at start-up (%s); tasks that need it "
            "are retried later",
            error.message,
        )
    return None


def _is_refusal(error: ConnectorError) -> bool:
    return isinstance(error, DeliveryError) and error.http_status in (401, 403)
