"""`python -m worker run` as a child process, pointed at the test engine and stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn

ROOT = Path(__file__).resolve().parents[1]


def start_worker(
    engine_url: str,
    standin: TwilioStandIn,
    topic: str,
    *,
    log: IO[str] | int = subprocess.PIPE,
    **env: str,
) -> subprocess.Popen[str]:
    """Start a worker; `env` adds or overrides settings (e.g. SMS_MAX_CONCURRENCY="8")."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CAMUNDA_URL": engine_url,
        "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
        "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
        "TWILIO_API_URL": standin.url,
        "SMS_TOPIC": topic,
        "SMS_MAX_CONCURRENCY": "4",
        # Short polls: tasks whose lock expired are only seen by long-poll waiters every 30 s.
        "SMS_POLL_TIMEOUT_MS": "500",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "run"],
        env=environment,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(process: subprocess.Popen[str]) -> str:
    """Kill if still running; return what it printed (when captured)."""
    if process.poll() is None:
        process.kill()
    output, _ = process.communicate(timeout=30)
    return output or ""
