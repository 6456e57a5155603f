"""Settings: one frozen object, read from the environment once at start-up and validated."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import TypeVar

import phonenumbers

from worker import template
from worker.base_urls import (
    BaseUrl,
    parse_base_url,
    parse_base_url_list,
    take_url_credentials,
    url_passwords,
    url_warnings,
)
from worker.errors import ConfigError

__all__ = ["ConfigError", "Settings", "load_settings"]

_T = TypeVar("_T")

_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_API_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")


class UncaughtErrors(str, Enum):
    """What to do with a BPMN error that nothing in the process would catch."""

    INCIDENT = "incident"
    BPMN_ERROR = "bpmn-error"


class Switch(str, Enum):
    ON = "on"
    OFF = "off"


class LogFormat(str, Enum):
    HUMAN = "human"
    JSON = "json"


class LogLevel(str, Enum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


def _secret() -> str:
    # `repr=False` keeps credentials out of logs and tracebacks that print the settings.
    return field(default="", repr=False)


# Each component gets the slice of the settings it needs, never the whole object.


@dataclass(frozen=True)
class TwilioSettings:
    account: str
    api_url: str
    auth: tuple[str, str] = field(repr=False)
    connect_timeout_ms: int
    read_timeout_ms: int
    retry_429_budget_ms: int

    @property
    def worst_send_s(self) -> float:
        """The longest one message can take: connecting, waiting for the answer, 429 retries."""
        return (self.connect_timeout_ms + self.read_timeout_ms + self.retry_429_budget_ms) / 1000


@dataclass(frozen=True)
class EngineSettings:
    urls: tuple[str, ...]  # the nodes of one cluster (or one URL: a node, a load balancer)
    worker_id: str
    topic: str
    lock_duration_ms: int
    poll_timeout_ms: int
    # The most tasks one fetchAndLock asks for (the worker asks for its free slots).
    max_tasks: int
    # The failure report's defaults (the camunda library's `retries`, `retryTimeout`).
    task_retries: int
    retry_timeout_ms: int
    user: str = ""
    password: str = _secret()
    token: str = _secret()
    # Every call but the long poll, whose read waits its own timeout plus a grace.
    http_timeout_ms: int = 30_000

    @property
    def url(self) -> str:
        """As CAMUNDA_URL gave them, for messages: the nodes' URLs, comma-separated."""
        return ",".join(self.urls)


@dataclass(frozen=True)
class LeaseSettings:
    lock_duration_ms: int
    # Extend the lock while there is still time for one more send and the extension itself.
    worst_send_s: float


@dataclass(frozen=True)
class ReportSettings:
    task_retries: int
    retry_timeout_ms: int
    uncaught_errors: UncaughtErrors


@dataclass(frozen=True)
class OpsSettings:
    host: str
    port: int  # 0: serve nothing


@dataclass(frozen=True)
class Settings:
    twilio_account: str
    twilio_token: str = _secret()
    twilio_api_key: str = ""
    twilio_api_secret: str = _secret()
    twilio_api_url: str = "https://api.twilio.com"
    # Plain http:// to a host other than this machine is refused unless this says otherwise.
    twilio_allow_insecure_http: bool = False
    twilio_connect_timeout_ms: int = 5_000
    twilio_read_timeout_ms: int = 15_000
    twilio_retry_429_budget_ms: int = 30_000
    default_region: str | None = None
    # Numbers in templates are formatted for this locale until a <#setting locale=...>.
    template_locale: str = template.DEFAULT_LOCALE
    # ... and datetimes without an offset are read, and all printed, in this IANA time zone.
    template_time_zone: str = template.DEFAULT_TIME_ZONE

    # One URL, or several comma-separated: the nodes of one cluster (without credentials).
    camunda_url: str = "http://localhost:8080/engine-rest"
    camunda_user: str = ""
    camunda_password: str = _secret()
    camunda_token: str = _secret()
    topic: str = "SEND_SMS"
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    max_concurrency: int = 64
    lock_duration_ms: int = 60_000
    poll_timeout_ms: int = 30_000
    task_retries: int = 3
    retry_timeout_ms: int = 60_000
    uncaught_errors: UncaughtErrors = UncaughtErrors.INCIDENT
    # Kubernetes waits 30 s after SIGTERM before it kills: leave room to report and exit.
    shutdown_grace_ms: int = 25_000
    # Ask Twilio before re-sending a message a crashed attempt may have sent (exactly once).
    reconcile: bool = True

    # 0 serves nothing: metrics and probes are opt-in (the container image sets 9464).
    metrics_port: int = 0
    # All interfaces, so Kubernetes probes and Prometheus can reach the pod.
    metrics_host: str = "0.0.0.0"  # noqa: S104
    log_format: LogFormat = LogFormat.HUMAN
    # None: each command's own default (info for `run`, warning for the others).
    log_level: LogLevel | None = None

    # --- two-way SMS: the `webhooks` command, and StatusCallback for `run` -------------------
    # The base URL under which Twilio reaches the webhooks service ("" : no StatusCallback).
    public_url: str = ""
    # The account's auth token, for checking webhook signatures when sending with an API key.
    twilio_webhook_token: str = _secret()
    # All interfaces: Twilio reaches it through a load balancer or a tunnel.
    webhook_host: str = "0.0.0.0"  # noqa: S104
    webhook_port: int = 8082
    webhook_threads: int = 8

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value that is set, for `worker.redaction.Redactor`."""
        hidden = (f.name for f in fields(self) if not f.repr)
        return tuple(value for value in (getattr(self, name) for name in hidden) if value)

    @property
    def warnings(self) -> list[str]:
        """Settings that work but deserve an operator's second look (logged by `run`, shown
        by `check`)."""
        engine_credentials = bool(self.camunda_password or self.camunda_token)
        return url_warnings(self.camunda_url, engine_credentials, self.twilio_api_url)

    @property
    def twilio_auth(self) -> tuple[str, str]:
        """Basic-auth pair: an API key when configured, else the account SID and auth token."""
        if self.twilio_api_key:
            return (self.twilio_api_key, self.twilio_api_secret)
        return (self.twilio_account, self.twilio_token)

    @property
    def twilio(self) -> TwilioSettings:
        return TwilioSettings(
            account=self.twilio_account,
            api_url=self.twilio_api_url,
            auth=self.twilio_auth,
            connect_timeout_ms=self.twilio_connect_timeout_ms,
            read_timeout_ms=self.twilio_read_timeout_ms,
            retry_429_budget_ms=self.twilio_retry_429_budget_ms,
        )

    @property
    def engine(self) -> EngineSettings:
        return EngineSettings(
            urls=tuple(self.camunda_url.split(",")),
            worker_id=self.worker_id,
            topic=self.topic,
            lock_duration_ms=self.lock_duration_ms,
            poll_timeout_ms=self.poll_timeout_ms,
            max_tasks=self.max_concurrency,
            task_retries=self.task_retries,
            retry_timeout_ms=self.retry_timeout_ms,
            user=self.camunda_user,
            password=self.camunda_password,
            token=self.camunda_token,
        )

    @property
    def lease(self) -> LeaseSettings:
        return LeaseSettings(self.lock_duration_ms, self.twilio.worst_send_s)

    @property
    def reporting(self) -> ReportSettings:
        return ReportSettings(self.task_retries, self.retry_timeout_ms, self.uncaught_errors)

    @property
    def ops(self) -> OpsSettings:
        return OpsSettings(self.metrics_host, self.metrics_port)


# Environment variable -> (field name, parser). Order is the order problems are reported in.
ENVIRONMENT: dict[str, str] = {
    "TWILIO_ACCOUNT": "twilio_account",
    "TWILIO_TOKEN": "twilio_token",
    "TWILIO_API_KEY": "twilio_api_key",
    "TWILIO_API_SECRET": "twilio_api_secret",
    "TWILIO_API_URL": "twilio_api_url",
    "TWILIO_ALLOW_INSECURE_HTTP": "twilio_allow_insecure_http",
    "TWILIO_CONNECT_TIMEOUT_MS": "twilio_connect_timeout_ms",
    "TWILIO_READ_TIMEOUT_MS": "twilio_read_timeout_ms",
    "TWILIO_RETRY_429_BUDGET_MS": "twilio_retry_429_budget_ms",
    "SMS_DEFAULT_REGION": "default_region",
    "SMS_TEMPLATE_LOCALE": "template_locale",
    "SMS_TEMPLATE_TIME_ZONE": "template_time_zone",
    "CAMUNDA_URL": "camunda_url",
    "CAMUNDA_USER": "camunda_user",
    "CAMUNDA_PASSWORD": "camunda_password",
    "CAMUNDA_TOKEN": "camunda_token",
    "SMS_TOPIC": "topic",
    "SMS_WORKER_ID": "worker_id",
    "SMS_MAX_CONCURRENCY": "max_concurrency",
    "SMS_LOCK_DURATION_MS": "lock_duration_ms",
    "SMS_POLL_TIMEOUT_MS": "poll_timeout_ms",
    "SMS_TASK_RETRIES": "task_retries",
    "SMS_RETRY_TIMEOUT_MS": "retry_timeout_ms",
    "SMS_UNCAUGHT_ERRORS": "uncaught_errors",
    "SMS_SHUTDOWN_GRACE_MS": "shutdown_grace_ms",
    "SMS_RECONCILE": "reconcile",
    "SMS_METRICS_PORT": "metrics_port",
    "SMS_METRICS_HOST": "metrics_host",
    "SMS_LOG_FORMAT": "log_format",
    "SMS_LOG_LEVEL": "log_level",
    # two-way SMS
    "SMS_PUBLIC_URL": "public_url",
    "TWILIO_WEBHOOK_TOKEN": "twilio_webhook_token",
    "SMS_WEBHOOK_HOST": "webhook_host",
    "SMS_WEBHOOK_PORT": "webhook_port",
    "SMS_WEBHOOK_THREADS": "webhook_threads",
}

_INT_RANGES: dict[str, tuple[int, int]] = {
    "twilio_connect_timeout_ms": (100, 120_000),
    "twilio_read_timeout_ms": (100, 300_000),
    "twilio_retry_429_budget_ms": (0, 600_000),
    "max_concurrency": (1, 1_000),
    "lock_duration_ms": (5_000, 86_400_000),
    # The engine caps long polling at 30 minutes.
    "poll_timeout_ms": (0, 1_800_000),
    "task_retries": (0, 1_000),
    "retry_timeout_ms": (0, 86_400_000),
    "shutdown_grace_ms": (0, 3_600_000),
    "metrics_port": (0, 65_535),
    "webhook_port": (1, 65_535),
    "webhook_threads": (1, 256),
}


def _parse_int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{name}={value} is out of range ({low}..{high})")
    return value


def _parse_url(name: str, raw: str) -> BaseUrl:
    try:
        return parse_base_url(raw)
    except ValueError as exc:
        # Not echoed: a URL may hold a password.
        raise ValueError(f"{name} {exc}") from None


def _parse_url_list(name: str, raw: str) -> tuple[BaseUrl, ...]:
    try:
        return parse_base_url_list(raw)
    except ValueError as exc:
        # Not echoed: a URL may hold a password.
        raise ValueError(f"{name} {exc}") from None


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _BOOLEANS:
        raise ValueError(f"{name}={raw!r} must be true or false")
    return _BOOLEANS[value]


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _parse_region(name: str, raw: str) -> str | None:
    region = raw.strip().upper()
    if not region:
        return None
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{name}={raw!r} is not an ISO 3166 region code known to phonenumbers")
    return region


def _parse_choice(enum: Callable[[str], _T], name: str, raw: str, choices: str) -> _T:
    try:
        return enum(raw.strip().lower())
    except ValueError:
        raise ValueError(f"{name}={raw!r} must be one of: {choices}") from None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise ConfigError naming each bad one."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    problems: list[str] = []
    for var, name in ENVIRONMENT.items():
        raw = env.get(var)
        if raw is None or raw.strip() == "":
            continue
        try:
            values[name] = _parse_value(var, name, raw)
        except ValueError as exc:
            problems.append(str(exc))

    account = values.get("twilio_account")
    if not account:
        problems.append("TWILIO_ACCOUNT is required (your Account SID, AC...)")
    elif not _ACCOUNT_SID.fullmatch(str(account)):
        # A common slip is pasting the auth token here; say so without echoing the value.
        problems.append("TWILIO_ACCOUNT must be an Account SID: 'AC' followed by 32 hex digits")
    api_key = values.get("twilio_api_key")
    if api_key and not _API_KEY_SID.fullmatch(str(api_key)):
        problems.append("TWILIO_API_KEY must be an API key SID: 'SK' followed by 32 hex digits")
    if values.get("twilio_api_key"):
        if not values.get("twilio_api_secret"):
            problems.append("TWILIO_API_SECRET is required when TWILIO_API_KEY is set")
    elif not values.get("twilio_token"):
        problems.append("TWILIO_TOKEN is required (or TWILIO_API_KEY and TWILIO_API_SECRET)")
    if values.get("camunda_token") and values.get("camunda_user"):
        problems.append("set either CAMUNDA_USER/CAMUNDA_PASSWORD or CAMUNDA_TOKEN, not both")
    problems += take_url_credentials(values)
    if problems:
        raise ConfigError(problems)
    return Settings(**values)  # type: ignore[arg-type]


def load_log_settings(env: Mapping[str, str] | None = None) -> tuple[LogFormat, LogLevel | None]:
    """Only the logging settings: every command logs, but not every command needs the
    credentials that `load_settings` insists on."""
    env = os.environ if env is None else env
    found: dict[str, object] = {"log_format": LogFormat.HUMAN, "log_level": None}
    problems: list[str] = []
    for var in ("SMS_LOG_FORMAT", "SMS_LOG_LEVEL"):
        raw = env.get(var)
        if raw is None or raw.strip() == "":
            continue
        try:
            found[ENVIRONMENT[var]] = _parse_value(var, ENVIRONMENT[var], raw)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError(problems)
    log_format, log_level = found["log_format"], found["log_level"]
    assert isinstance(log_format, LogFormat)
    assert log_level is None or isinstance(log_level, LogLevel)
    return log_format, log_level


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """The values of every secret setting that is set (the fields kept out of repr), for the
    log redaction filter."""
    env = os.environ if env is None else env
    hidden = {f.name for f in fields(Settings) if not f.repr}
    found = [
        env[var].strip() for var, name in ENVIRONMENT.items() if name in hidden and env.get(var)
    ]
    for var in ("CAMUNDA_URL", "TWILIO_API_URL"):
        found += url_passwords(env.get(var) or "")
    return found


def _parse_value(var: str, name: str, raw: str) -> object:
    if name in _INT_RANGES:
        return _parse_int(var, raw, *_INT_RANGES[name])
    if name == "twilio_api_url":
        return _parse_url(var, raw)
    if name == "camunda_url":
        return _parse_url_list(var, raw)
    if name == "public_url":
        return _parse_public_url(var, raw)
    if name == "twilio_allow_insecure_http":
        return _parse_bool(var, raw)
    if name == "default_region":
        return _parse_region(var, raw)
    if name == "template_locale":
        try:
            return template.check_locale(raw.strip())
        except ValueError as exc:
            raise ValueError(f"{var}={raw!r}: {exc} (a CLDR locale such as de_DE)") from None
    if name == "template_time_zone":
        try:
            return template.check_time_zone(raw.strip())
        except ValueError as exc:
            raise ValueError(f"{var}={raw!r}: {exc} (an IANA zone such as Europe/Berlin)") from None
    if name == "uncaught_errors":
        return _parse_choice(UncaughtErrors, var, raw, "incident, bpmn-error")
    if name == "reconcile":
        return _parse_choice(Switch, var, raw, "on, off") is Switch.ON
    if name == "log_format":
        return _parse_choice(LogFormat, var, raw, "human, json")
    if name == "log_level":
        return _parse_choice(LogLevel, var, raw, "debug, info, warning, error")
    return raw.strip()


# --- two-way SMS ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookSettings:
    """What the `webhooks` command needs besides the engine: where to listen, and how to
    recognise Twilio's requests (the public URL Twilio signs, and the key it signs with)."""

    host: str
    port: int
    threads: int
    public_url: str
    signing_token: str = field(repr=False)


def webhook_settings(settings: Settings) -> WebhookSettings:
    """The webhooks slice; ConfigError when a webhook could not be authenticated."""
    problems = []
    if not settings.public_url:
        problems.append(
            "SMS_PUBLIC_URL is required for `webhooks`: the base URL under which Twilio "
            "reaches this service (e.g. https://sms.example.com); Twilio signs that URL"
        )
    # Twilio signs webhooks with the account's auth token, never with an API key's secret.
    token = settings.twilio_webhook_token or settings.twilio_token
    if not token:
        problems.append(
            "TWILIO_WEBHOOK_TOKEN is required for `webhooks` when sending with an API key: "
            "Twilio signs webhooks with the account's auth token"
        )
    if problems:
        raise ConfigError(problems)
    return WebhookSettings(
        host=settings.webhook_host,
        port=settings.webhook_port,
        threads=settings.webhook_threads,
        public_url=settings.public_url,
        signing_token=token,
    )


def _parse_public_url(name: str, raw: str) -> str:
    url = _parse_url(name, raw)
    if url.has_credentials:
        # The value is not echoed: it would print the credentials.
        raise ValueError(f"{name} must not contain credentials")
    if "_" in url.host:
        # Twilio refuses StatusCallback URLs whose host name has an underscore.
        raise ValueError(f"{name}={raw!r}: Twilio rejects host names with an underscore")
    return url.url


def _check_environment_table() -> None:
    # Keeps ENVIRONMENT and Settings in step: a field without a variable is a setting nobody
    # can set.
    missing = {f.name for f in fields(Settings)} - set(ENVIRONMENT.values())
    if missing:
        raise RuntimeError(f"settings without an environment variable: {sorted(missing)}")


_check_environment_table()
