"""The settings' parts: choices, and the slice each component gets (never the whole object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


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


def secret() -> str:
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
    password: str = secret()
    token: str = secret()
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
class WebhookSettings:
    """What the `webhooks` command needs besides the engine: where to listen, and how to
    recognise Twilio's requests (the public URL Twilio signs, and the key it signs with)."""

    host: str
    port: int
    threads: int
    public_url: str
    signing_token: str = field(repr=False)
