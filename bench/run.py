"""`python -m bench.run`: start (or reuse) an engine and a Twilio stand-in, measure each
contender at each Twilio latency side by side, write JSON and Markdown to bench/results/."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.contenders.launch import CONTENDERS, REPO, variant
from bench.engine_load import BenchEngine
from bench.measure import Plan, measure
from bench.report import markdown, with_ratios
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn

RESULTS = Path(__file__).resolve().parent / "results"
# The engine keeps everything (runtime and full history) in H2 in memory: a default run leaves
# ~20,000 instances there. With the test engine's 512 MB heap it spends most of the second half
# of a run in full GCs, and the later measurements then measure the garbage collector.
ENGINE_JVM = ("-Xms1g", "-Xmx3g", "-XX:+UseSerialGC")


def _csv_ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _csv_names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in CONTENDERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown contender(s) {unknown}; known: {[*CONTENDERS]}")
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--tasks", type=int, default=2000, help="backlog per contender and latency")
    p.add_argument("--latencies", type=_csv_ints, default=[0, 50, 200], help="Twilio ms: 0,200")
    p.add_argument("--contenders", type=_csv_names, default=list(CONTENDERS), help="ours,noop")
    p.add_argument("--light-tasks", type=int, default=100, help="instances in the latency phase")
    p.add_argument("--light-interval-ms", type=int, default=100)
    p.add_argument("--warmup-tasks", type=int, default=10, help="per contender, not measured")
    p.add_argument(
        "--engine-warmup", type=int, default=500, help="tasks drained first, not measured"
    )
    p.add_argument("--max-drain-s", type=float, default=45.0, help="time bound of one drain")
    p.add_argument("--engine-url", help="use this running engine instead of starting one")
    p.add_argument("--worker-src", type=Path, default=REPO, help="where `worker` is imported from")
    p.add_argument("--out", type=Path, help="result directory (default bench/results/<time>)")
    p.add_argument("--profile", action="store_true", help="py-spy each drain (slows it down)")
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="also measure our worker imported from DIR (a patched copy), as contender NAME",
    )
    return p


def _machine(engine: BenchEngine) -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(pages / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "engine": engine.version(),
        "load_before": round(os.getloadavg()[0], 2),
    }


def _revision() -> str:
    # Read-only: which product code was measured, and whether it had uncommitted changes.
    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (" (modified)" if git("status", "--short") else "")


def run(args: argparse.Namespace, engine_url: str | None = None) -> dict[str, Any]:
    """The whole benchmark; `engine_url` overrides --engine-url (tests pass their engine)."""
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    out: Path = args.out or RESULTS / started.replace(":", "")
    began = time.monotonic()
    with ExitStack() as stack:
        url = engine_url or args.engine_url
        if url is None:
            LocalEngine.build()
            local = LocalEngine(log_path=out / "logs" / "engine.log", jvm_options=ENGINE_JVM)
            url = stack.enter_context(local.start()).url
        engine = BenchEngine(url)
        stack.callback(engine.close)
        standin = stack.enter_context(TwilioStandIn())
        machine = _machine(engine)
        plan = Plan(
            tasks=args.tasks,
            light_tasks=args.light_tasks,
            light_interval_s=args.light_interval_ms / 1000,
            warmup_tasks=args.warmup_tasks,
            max_drain_s=args.max_drain_s,
            logs=out / "logs",
            worker_src=args.worker_src.resolve(),
            tag=str(int(time.time())),
            profile=args.profile,
        )
        if args.engine_warmup:
            # A fresh engine is several times slower until the JIT has compiled its hot paths;
            # without this the first contender measured would pay for it.
            print(f"[{time.monotonic() - began:5.0f}s] engine warm-up", flush=True)
            warm = replace(
                plan, tasks=args.engine_warmup, light_tasks=0, profile=False, tag=f"{plan.tag}w"
            )
            print(f"        {_summary(measure(engine, standin, CONTENDERS['noop'], 0, warm))}")
        contenders = dict(CONTENDERS)
        contenders.update((c.name, c) for c in map(variant, args.variant))
        names = [*args.contenders, *(n for n in contenders if n not in CONTENDERS)]
        runs = []
        for turn, latency in enumerate(args.latencies):
            # Each contender goes first once in a while: drift (other load on the machine, the
            # engine's database growing) then spreads over all of them.
            shift = turn % len(names)
            for name in names[shift:] + names[:shift]:
                print(f"[{time.monotonic() - began:5.0f}s] {name} at {latency} ms", flush=True)
                runs.append(measure(engine, standin, contenders[name], latency, plan))
                print(f"        {_summary(runs[-1])}", flush=True)
        order = {name: i for i, name in enumerate(names)}
        runs.sort(key=lambda r: (r["latency_ms"], order[r["contender"]]))
    machine["load_after"] = round(os.getloadavg()[0], 2)
    result = {
        "started": started,
        "duration_s": round(time.monotonic() - began, 1),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "revision": _revision(),
        "machine": machine,
        "settings": {
            "tasks": args.tasks,
            "latencies_ms": args.latencies,
            "contenders": names,
            "variants": args.variant,
            "light_tasks": args.light_tasks,
            "light_interval_ms": args.light_interval_ms,
            "warmup_tasks": args.warmup_tasks,
            "engine_warmup": args.engine_warmup,
            "max_drain_s": args.max_drain_s,
        },
        "runs": with_ratios(runs),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "result.md").write_text(markdown(result))
    result["out"] = str(out)
    return result


def _summary(r: dict[str, Any]) -> str:
    return (
        f"{r.get('tasks_per_s')} tasks/s, p50 {r.get('latency_p50_ms')} ms, "
        f"CPU {r.get('cpu_ms_per_task')} ms/task, RSS {r.get('peak_rss_mb')} MB, "
        f"{r['tasks_done']}/{r['tasks_released']} in {r['drain_s']} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    result = run(parser().parse_args(argv))
    print(Path(result["out"], "result.md").read_text())
    print(f"written to {result['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
