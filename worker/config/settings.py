"""The one frozen Settings object, and the environment variable behind each of its fields."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, fields

from worker import template
from worker.base_urls import url_warnings
from worker.config.slices import (
    EngineSettings,
    LeaseSettings,
    LogFormat,
    LogLevel,
    OpsSettings,
    ReportSettings,
    TwilioSettings,
    UncaughtErrors,
    WebhookSettings,
    secret,
)
from worker.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    twilio_account: str
    twilio_token: str = secret()
    twilio_api_key: str = ""
    twilio_api_secret: str = secret()
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
    camunda_password: str = secret()
    camunda_token: str = secret()
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
    twilio_webhook_token: str = secret()
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


# Environment variable -> the Settings field it sets. Order is the order problems are reported
# in, and the order of the README's configuration table.
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


def _check_environment_table() -> None:
    # Keeps ENVIRONMENT and Settings in step: a field without a variable is a setting nobody
    # can set.
    missing = {f.name for f in fields(Settings)} - set(ENVIRONMENT.values())
    if missing:
        raise RuntimeError(f"settings without an environment variable: {sorted(missing)}")


_check_environment_table()
