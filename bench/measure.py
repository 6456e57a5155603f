"""One contender at one Twilio latency: a light-load latency phase, then a backlog drain."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import procstats
from bench.contenders.launch import Child, Contender
from bench.engine_load import BenchEngine, sms_variables
from bench.stats import Sample, percentile, steady_window
from worker.dev.bpmn_models import sms_process
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn

_SAMPLE_EVERY_S = 0.1
_WARMUP_TIMEOUT_S = 60.0
_LIGHT_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Plan:
    tasks: int
    light_tasks: int
    light_interval_s: float
    warmup_tasks: int
    max_drain_s: float
    logs: Path
    worker_src: Path
    tag: str
    profile: bool = False  # py-spy samples of each drain, for bench.hotspots


def twilio_env(standin: TwilioStandIn) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
        "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
        "TWILIO_API_URL": standin.url,
    }


def _own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


class Measurement:
    def __init__(
        self,
        engine: BenchEngine,
        standin: TwilioStandIn,
        contender: Contender,
        latency_ms: int,
        plan: Plan,
    ) -> None:
        self.engine, self.standin, self.contender = engine, standin, contender
        self.latency_ms, self.plan = latency_ms, plan
        # A topic and process definitions of its own keep every measurement apart.
        self.name = f"{contender.name}_{latency_ms}ms_{plan.tag}"
        self.topic, self.signal = f"bench-{self.name}", f"release-{self.name}"
        self.direct, self.gated = f"direct_{self.name}", f"gated_{self.name}"
        port = urlsplit(engine.url).port
        self.engine_pid = procstats.find_java_on_port(port) if port else None

    def _variables(self, ref: str) -> dict[str, dict[str, str]]:
        return sms_variables(ref, self.contender.recipients)

    def _engine_cpu_s(self) -> float:
        return procstats.cpu_seconds(self.engine_pid) if self.engine_pid else 0.0

    def run(self) -> dict[str, Any]:
        self.engine.deploy(
            self.name,
            {
                f"{self.direct}.bpmn": sms_process(self.direct, topic=self.topic),
                f"{self.gated}.bpmn": sms_process(
                    self.gated, topic=self.topic, gate_signal=self.signal
                ),
            },
        )
        create_rate = self.engine.start_many(
            self.gated, self.plan.tasks, lambda i: self._variables(f"{self.name}-b{i}")
        )
        self.standin.reset()
        self.standin.faults.set_latency(self.latency_ms)
        child = Child(
            self.contender,
            self.engine.url,
            self.topic,
            twilio_env=twilio_env(self.standin),
            log_path=self.plan.logs / f"{self.name}.log",
            worker_src=self.plan.worker_src,
        )
        try:
            self._warm_up(child)
            result = self._light_load()
            with self._profiled(child):
                result.update(self._drain(child))
            memory = child.memory_kb()
            result.update(
                peak_rss_mb=round(memory.get("VmHWM", 0) / 1024, 1),
                process_cpu_s=round(child.cpu_s(), 2),
            )
        finally:
            child.stop()
        rate = result.get("tasks_per_s")
        return {
            "contender": self.contender.name,
            "latency_ms": self.latency_ms,
            "recipients": self.contender.recipients,
            **result,
            "messages_per_s": (
                round(rate * self.contender.recipients, 1)
                if rate is not None and self.contender.sends
                else None
            ),
            "topic": self.topic,
            "backlog_create_per_s": round(create_rate, 1),
            "log": str(child.log_path),
        }

    def _warm_up(self, child: Child) -> None:
        # Imports, connection pools and the engine's JIT: neither phase should measure them.
        for i in range(self.plan.warmup_tasks):
            self.engine.start(self.direct, self._variables(f"{self.name}-w{i}"))
        if not self.engine.wait_drained(self.topic, _WARMUP_TIMEOUT_S):
            raise RuntimeError(f"{self.name}: warm-up not done in time; see {child.log_path}")

    @contextlib.contextmanager
    def _profiled(self, child: Child) -> Iterator[None]:
        spy = shutil.which("py-spy")
        if not self.plan.profile or spy is None:
            yield
            return
        output = self.plan.logs / f"{self.name}.pyspy.txt"
        # --gil: only samples holding the GIL, i.e. Python code on the CPU, not waiting on I/O.
        command = [spy, "record", "--pid", str(child.pid), "--gil", "--nolineno", "--rate", "250"]
        command += ["--format", "raw", "--output", str(output)]
        with (self.plan.logs / f"{self.name}.pyspy.log").open("wb") as log:
            spy_proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        time.sleep(0.5)  # attached before the backlog is released
        try:
            yield
        finally:
            spy_proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            spy_proc.wait(30)

    def _light_load(self) -> dict[str, Any]:
        """One instance every `light_interval_s` while the contender idles in its long poll;
        latency runs from the harness getting the start answer to the stand-in reading the
        headers of the task's first Twilio request."""
        if not self.contender.sends or self.plan.light_tasks == 0:
            return {"latency_samples": 0}
        self.standin.reset()
        self.standin.faults.set_latency(self.latency_ms)
        answered: dict[str, float] = {}
        began = time.monotonic()
        for i in range(self.plan.light_tasks):
            time.sleep(max(0.0, began + i * self.plan.light_interval_s - time.monotonic()))
            ref = f"{self.name}-l{i}"
            self.engine.start(self.direct, self._variables(ref))
            answered[ref] = time.time()
        self.engine.wait_drained(self.topic, _LIGHT_TIMEOUT_S)
        first: dict[str, float] = {}
        for request in self.standin.received:
            ref = request.form.get("Body", "").rpartition(" ")[2]
            if request.status == 201 and ref in answered:
                first[ref] = min(first.get(ref, request.received_at), request.received_at)
        latencies = [(at - answered[ref]) * 1000 for ref, at in first.items()]
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        return {
            "latency_samples": len(latencies),
            "latency_p50_ms": None if p50 is None else round(p50, 1),
            "latency_p99_ms": None if p99 is None else round(p99, 1),
        }

    def _drain(self, child: Child) -> dict[str, Any]:
        """Release the whole backlog at once and sample how fast it is completed."""
        tasks = self.plan.tasks
        samples: list[Sample] = []
        user0, sys0 = procstats.cpu_times(child.pid)
        switches0 = procstats.context_switches(child.pid)
        self.engine.signal(self.signal)
        released = time.monotonic()
        deadline = released + self.plan.max_drain_s
        while True:
            done = tasks - self.engine.open_tasks(self.topic)
            now = time.monotonic()
            samples.append(Sample(now, done, child.cpu_s(), _own_cpu_s(), self._engine_cpu_s()))
            if done >= tasks or now >= deadline or not child.alive():
                break
            time.sleep(_SAMPLE_EVERY_S)
        window = steady_window(samples)
        finished = samples[-1].done >= tasks
        user1, sys1 = procstats.cpu_times(child.pid)
        switches1 = procstats.context_switches(child.pid)
        per_task = 1000 / max(samples[-1].done, 1)
        result: dict[str, Any] = {
            "tasks_released": tasks,
            "tasks_done": samples[-1].done,
            "drained": finished,
            "drain_s": round(samples[-1].t - released, 2),
            "bounded_by_time": not finished and samples[-1].t >= deadline,
            "contender_died": not child.alive(),
            # Over the whole drain, to tell Python work (user) from system calls and switching.
            "drain_user_ms_per_task": round((user1 - user0) * per_task, 3),
            "drain_sys_ms_per_task": round((sys1 - sys0) * per_task, 3),
            "drain_switches_per_task": round(
                (sum(switches1.values()) - sum(switches0.values())) / 1000 * per_task, 1
            ),
        }
        if window is None:
            return {**result, "tasks_per_s": None, "cpu_ms_per_task": None}
        return {
            **result,
            "tasks_per_s": round(window.rate, 1),
            "window_tasks": window.tasks,
            "window_s": round(window.seconds, 2),
            "cpu_ms_per_task": round(window.cpu_s * 1000 / window.tasks, 3),
            "harness_cpu_ms_per_task": round(window.harness_cpu_s * 1000 / window.tasks, 3),
            # What the contender costs the engine: a worker that fetches one task per call and
            # opens a connection per request makes the engine work harder for the same tasks.
            "engine_cpu_ms_per_task": (
                round(window.engine_cpu_s * 1000 / window.tasks, 3) if self.engine_pid else None
            ),
        }


def measure(
    engine: BenchEngine, standin: TwilioStandIn, contender: Contender, latency_ms: int, plan: Plan
) -> dict[str, Any]:
    return Measurement(engine, standin, contender, latency_ms, plan).run()
