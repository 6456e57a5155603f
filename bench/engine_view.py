"""`python -m bench.engine_view`: what each contender makes the engine do, seen from the engine.

Starts a Camunda 7.24 engine with Tomcat's access log on, then runs each contender through a
backlog (bench.measure, no light-load phase), recording each drain with JFR on the engine JVM
(`jcmd <pid> JFR.start`). Per contender it reports the REST calls per task counted in the
access log (the harness's own calls left out) and where the engine's samples went.

    python -m bench.engine_view --tasks 300 --variant before=/path/to/old/checkout
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.contenders.launch import CONTENDERS, REPO, Child, variant
from bench.engine_load import BenchEngine
from bench.measure import Measurement, Plan, measure
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn

RESULTS = Path(__file__).resolve().parent / "results"
# Calls the harness makes (deploy, start, signal, counting open tasks), not the contender.
_HARNESS = re.compile(
    r"/deployment/create|/process-definition/key/|/signal|/external-task/count|/version"
)
_ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f-]{27}")
_REQUEST = re.compile(r'"(GET|POST|PUT|DELETE) ([^ ?"]+)')


def _access_log_options(directory: Path) -> tuple[str, ...]:
    return (
        "-Dserver.tomcat.accesslog.enabled=true",
        f"-Dserver.tomcat.accesslog.directory={directory}",
        "-Dserver.tomcat.accesslog.prefix=access",
        "-Dserver.tomcat.accesslog.suffix=.log",
        "-Dserver.tomcat.accesslog.buffered=false",
        "-Dserver.tomcat.accesslog.rotate=false",
    )


def _access_lines(directory: Path) -> list[str]:
    return [
        line
        for path in sorted(directory.glob("access*.log"))
        for line in path.read_text().splitlines()
    ]


def count_calls(lines: list[str]) -> collections.Counter[str]:
    """Contender calls by method and path pattern (ids replaced by {id})."""
    counts: collections.Counter[str] = collections.Counter()
    for line in lines:
        match = _REQUEST.search(line)
        if match is None or _HARNESS.search(match.group(2)):
            continue
        counts[f"{match.group(1)} {_ID.sub('/{id}', match.group(2))}"] += 1
    return counts


# Where engine samples go, by the packages in their stacks (one sample may count in several).
_AREAS = {
    "database (H2)": "org.h2.",
    "MyBatis": "org.apache.ibatis.",
    "history events": "org.camunda.bpm.engine.impl.history.",
    "variable serializers": "org.camunda.bpm.engine.impl.variable.serializer.",
    "Spin (Json values)": "org.camunda.spin.",
    "Jackson": "com.fasterxml.jackson.",
}
_REST = "org.camunda.bpm.engine.rest."


def jfr_top(recording: Path, limit: int = 12) -> dict[str, Any]:
    """Execution samples of a JFR recording: share per REST resource method (the outermost
    org.camunda.bpm.engine.rest frame but the servlet filters), per area (package), and the
    hottest methods on top."""
    printed = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "jfr",
            "print",
            "--json",
            "--stack-depth",
            "512",
            "--events",
            "jdk.ExecutionSample",
            str(recording),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    events = json.loads(printed)["recording"]["events"]
    top: collections.Counter[str] = collections.Counter()
    rest: collections.Counter[str] = collections.Counter()
    areas: collections.Counter[str] = collections.Counter()
    for event in events:
        frames = event["values"]["stackTrace"]["frames"]
        names = [
            f"{f['method']['type']['name']}.{f['method']['name']}".replace("/", ".") for f in frames
        ]
        if names:
            top[names[0]] += 1
        outer = next(
            (n for n in reversed(names) if n.startswith(_REST) and ".filter." not in n),
            "(not in a REST call)",
        )
        rest[outer.removeprefix(_REST)] += 1
        for area, prefix in _AREAS.items():
            if any(n.startswith(prefix) for n in names):
                areas[area] += 1
    total = max(len(events), 1)

    def shares(counter: collections.Counter[str]) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in counter.most_common(limit)]

    return {
        "samples": len(events),
        "rest_call_pct": shares(rest),
        "area_pct": shares(areas),
        "self_pct": shares(top),
    }


def _jcmd(pid: int, *args: str) -> None:
    subprocess.run(["jcmd", str(pid), *args], capture_output=True, check=True)  # noqa: S603,S607


class _Recorded(Measurement):
    """A measurement whose drain (only) is recorded by JFR on the engine JVM."""

    def __init__(self, recording: Path, *args: Any) -> None:
        super().__init__(*args)
        self.recording = recording

    def _drain(self, child: Child) -> dict[str, Any]:
        assert self.engine_pid is not None
        name = self.recording.stem
        _jcmd(self.engine_pid, "JFR.start", f"name={name}", "settings=profile")
        try:
            return super()._drain(child)
        finally:
            _jcmd(self.engine_pid, "JFR.stop", f"name={name}", f"filename={self.recording}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.engine_view", description=__doc__)
    p.add_argument("--tasks", type=int, default=300)
    p.add_argument("--contenders", default="ours,noreconcile,noop")
    p.add_argument("--variant", action="append", default=[], metavar="NAME=DIR")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    out: Path = args.out or RESULTS / ("engine-view-" + time.strftime("%Y-%m-%dT%H%M%S"))
    access = out / "access"
    contenders = {n: CONTENDERS[n] for n in args.contenders.split(",")}
    contenders.update((c.name, c) for c in map(variant, args.variant))
    report: dict[str, Any] = {}
    with ExitStack() as stack:
        LocalEngine.build()
        # Deep stacks: the REST resource method sits ~100 frames below the database calls.
        jfr = "-XX:FlightRecorderOptions:stackdepth=512"
        options = ("-Xms1g", "-Xmx3g", "-XX:+UseSerialGC", jfr, *_access_log_options(access))
        local = LocalEngine(log_path=out / "logs" / "engine.log", jvm_options=options)
        engine = BenchEngine(stack.enter_context(local.start()).url)
        stack.callback(engine.close)
        standin = stack.enter_context(TwilioStandIn())
        plan = Plan(args.tasks, 0, 0.1, 10, 120.0, out / "logs", REPO, str(int(time.time())))
        warm = Plan(500, 0, 0.1, 10, 120.0, out / "logs", REPO, f"{plan.tag}w")
        measure(engine, standin, CONTENDERS["noop"], 0, warm)  # JIT warm-up, not reported
        for name, contender in contenders.items():
            before = len(_access_lines(access))
            recording = out / f"{name}.jfr"
            run = _Recorded(recording, engine, standin, contender, 0, plan).run()
            calls = count_calls(_access_lines(access)[before:])
            tasks = args.tasks + plan.warmup_tasks
            report[name] = {
                "tasks": tasks,
                "calls_per_task": round(sum(calls.values()) / tasks, 3),
                "calls": {k: round(v / tasks, 3) for k, v in calls.most_common()},
                "engine_cpu_ms_per_task": run.get("engine_cpu_ms_per_task"),
                "tasks_per_s": run.get("tasks_per_s"),
                "jfr": jfr_top(recording),
            }
            print(name, json.dumps(report[name], indent=1), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine_view.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
