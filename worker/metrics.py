"""The worker's Prometheus metrics, all in one registry of their own.

Every instrumented object takes a `Metrics`; a fresh registry per instance keeps tests (and
several workers in one process) from counting into each other, and the process never touches
prometheus_client's global registry. Only `run` with `SMS_METRICS_PORT` serves them.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

PREFIX = "sms_worker"

# Twilio answers in tens to hundreds of milliseconds; the tail covers read timeouts.
_TWILIO_BUCKETS_S = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A task is one message or up to a thousand; a long one keeps extending its lock.
_TASK_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)

NO_ANSWER = "none"


class Metrics:
    def __init__(
        self, registry: CollectorRegistry | None = None, *, process_stats: bool = False
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        if process_stats:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
        self.tasks = Counter(
            f"{PREFIX}_tasks",
            "Tasks handled, by what the engine was told (completed, bpmn-error, failure, "
            "incident, abandoned, unreported) and the documented error code ('' for none).",
            ["outcome", "error_code"],
            registry=self.registry,
        )
        self.task_duration = Histogram(
            f"{PREFIX}_task_duration_seconds",
            "Time from fetching a task to reporting its outcome.",
            buckets=_TASK_BUCKETS_S,
            registry=self.registry,
        )
        self.tasks_in_flight = Gauge(
            f"{PREFIX}_tasks_in_flight",
            "Tasks being handled right now.",
            registry=self.registry,
        )
        self.messages_sent = Counter(
            f"{PREFIX}_messages_sent",
            "Messages Twilio accepted.",
            registry=self.registry,
        )
        self.messages_found = Counter(
            f"{PREFIX}_messages_found",
            "Messages an earlier, crashed attempt had sent, found at Twilio by reconciliation "
            "instead of being sent again.",
            registry=self.registry,
        )
        self.twilio_request_duration = Histogram(
            f"{PREFIX}_twilio_request_duration_seconds",
            "Duration of each Twilio HTTP request, retries included one by one, by HTTP "
            f"status ('{NO_ANSWER}' when no answer came back).",
            ["status"],
            buckets=_TWILIO_BUCKETS_S,
            registry=self.registry,
        )
        self.twilio_429_retries = Counter(
            f"{PREFIX}_twilio_429_retries",
            "Twilio requests retried after a 429 (Too Many Requests).",
            registry=self.registry,
        )
        self.engine_request_errors = Counter(
            f"{PREFIX}_engine_request_errors",
            "Engine REST calls that failed, by call and HTTP status "
            f"('{NO_ANSWER}' when the engine did not answer).",
            ["call", "status"],
            registry=self.registry,
        )
        self.engine_nodes_up = Gauge(
            f"{PREFIX}_engine_nodes_up",
            "Engine nodes (of those CAMUNDA_URL names) whose last call got an answer.",
            registry=self.registry,
        )
        self.engine_lost_races = Counter(
            f"{PREFIX}_engine_lost_races",
            "Engine calls answered with 'another node got there first' (optimistic locking, a "
            "task completed or locked by a call that failed over), by call: the normal life "
            "of a cluster, never an incident.",
            ["call"],
            registry=self.registry,
        )
        self.lock_extensions = Counter(
            f"{PREFIX}_lock_extensions",
            "Attempts to extend a task's lock during a long send, by result (extended; lost: "
            "the task is gone or another worker holds it; failed: the engine did not agree).",
            ["result"],
            registry=self.registry,
        )
        # --- two-way SMS (the `webhooks` command) ---
        self.webhooks = Counter(
            f"{PREFIX}_webhooks",
            "Twilio webhooks answered, by kind (status, inbound) and result (correlated, "
            "correlated-late, started, stored, unmatched, ignored, gone, duplicate, forbidden, "
            "invalid, engine-unavailable, error).",
            ["kind", "result"],
            registry=self.registry,
        )


def status_label(status: int | None) -> str:
    return NO_ANSWER if status is None else str(status)
