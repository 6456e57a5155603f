"""How each contender is started, and the child process it runs as."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import procstats

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Contender:
    name: str
    title: str
    module: str  # run as `python -m module ...`
    sends: bool  # False for the no-op completer: no Twilio request to time
    src: Path | None = None  # import `worker` from here instead of --worker-src
    env: tuple[tuple[str, str], ...] = ()  # settings of its own, e.g. SMS_RECONCILE=off
    recipients: int = 1  # numbers in each task's smsTo


def variant(spec: str) -> Contender:
    """`NAME=DIR`: our worker imported from DIR, e.g. a patched copy to measure a fix."""
    name, _, directory = spec.partition("=")
    path = Path(directory).resolve()
    if not name.isidentifier() or not (path / "worker" / "__init__.py").is_file():
        raise ValueError(f"--variant {spec!r}: want NAME=DIR with DIR/worker/__init__.py")
    return Contender(name, f"twilio-sms-worker from {path}", "worker", sends=True, src=path)


CONTENDERS: dict[str, Contender] = {
    c.name: c
    for c in (
        Contender("ours", "twilio-sms-worker (defaults)", "worker", sends=True),
        # What exactly-once delivery costs: the same worker without the intent write.
        Contender(
            "noreconcile",
            "twilio-sms-worker, SMS_RECONCILE=off",
            "worker",
            sends=True,
            env=(("SMS_RECONCILE", "off"),),
        ),
        # Messages per second when each task has ten numbers: per message, no slower.
        Contender(
            "ours_x10",
            "twilio-sms-worker (defaults), 10 recipients per task",
            "worker",
            sends=True,
            recipients=10,
        ),
        Contender("stock", "stock ExternalTaskWorker", "bench.contenders.stock", sends=True),
        Contender("noop", "no-op completer (ceiling)", "bench.contenders.noop", sends=False),
    )
}


def _die_with_parent() -> None:
    # A crashed harness must not leave workers polling the engine (Linux PR_SET_PDEATHSIG).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


class Child:
    """One contender process; its logs go to `log_path`."""

    def __init__(
        self,
        contender: Contender,
        engine_url: str,
        topic: str,
        *,
        twilio_env: dict[str, str],
        log_path: Path,
        worker_src: Path,
    ) -> None:
        args = ["run"] if contender.module == "worker" else [engine_url, topic]
        worker_src = contender.src or worker_src
        env = {
            **os.environ,
            **twilio_env,
            **dict(contender.env),
            "CAMUNDA_URL": engine_url,
            "SMS_TOPIC": topic,
            # `worker_src` first: a snapshot of the product can be measured while it is edited.
            "PYTHONPATH": os.pathsep.join(dict.fromkeys([str(worker_src), str(REPO)])),
        }
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
                [sys.executable, "-m", contender.module, *args],
                cwd=worker_src,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 (only a prctl call before exec)
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def cpu_s(self) -> float:
        return procstats.cpu_seconds(self.pid)

    def memory_kb(self) -> dict[str, int]:
        return procstats.memory_kb(self.pid)

    def stop(self) -> None:
        """SIGTERM (our worker finishes in-flight tasks), SIGKILL after 10 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
