"""The result as Markdown: one table per Twilio latency, ratios against stock and ceiling."""

from __future__ import annotations

from typing import Any


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.0f}x"


def with_ratios(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds `vs_stock` and `vs_ceiling` to each run, against runs at the same latency."""
    by_key = {(r["contender"], r["latency_ms"]): r for r in runs}
    for run in runs:
        rate = run.get("tasks_per_s")
        for name, field in (("stock", "vs_stock"), ("noop", "vs_ceiling")):
            other = by_key.get((name, run["latency_ms"]), {}).get("tasks_per_s")
            run[field] = round(rate / other, 3) if rate and other else None
    return runs


def markdown(result: dict[str, Any]) -> str:
    machine, settings = result["machine"], result["settings"]
    lines = [
        f"Run {result['started']} on {machine['cpu']} ({machine['cores']} cores, "
        f"{machine['memory_gb']} GB), Python {machine['python']}, Camunda {machine['engine']}, "
        f"load average {machine['load_before']} before / {machine['load_after']} after.",
        f"Backlog {settings['tasks']} tasks per contender and latency; latency from "
        f"{settings['light_tasks']} instances, one every {settings['light_interval_ms']} ms; "
        f"drains stop after {settings['max_drain_s']} s. Took {result['duration_s']:.0f} s.",
        "",
        "| Twilio latency | contender | recipients | tasks/s | messages/s | vs stock | vs ceiling "
        "| p50 ms | p99 ms | CPU ms/task | engine CPU ms/task | peak RSS MB | done |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in result["runs"]:
        done = f"{run['tasks_done']}/{run['tasks_released']}"
        if run.get("bounded_by_time"):
            done += f" in {run['drain_s']:.0f} s (time bound)"
        lines.append(
            f"| {run['latency_ms']} ms | {run['contender']} | {run.get('recipients', 1)} "
            f"| {_fmt(run.get('tasks_per_s'))} | {_fmt(run.get('messages_per_s'))} "
            f"| {_ratio(run.get('vs_stock'))} | {_ratio(run.get('vs_ceiling'))} "
            f"| {_fmt(run.get('latency_p50_ms'))} | {_fmt(run.get('latency_p99_ms'))} "
            f"| {_fmt(run.get('cpu_ms_per_task'), 2)} "
            f"| {_fmt(run.get('engine_cpu_ms_per_task'), 2)} "
            f"| {_fmt(run.get('peak_rss_mb'))} | {done} |"
        )
    lines += ["", *_notes(result)]
    return "\n".join(lines) + "\n"


def _notes(result: dict[str, Any]) -> list[str]:
    return [
        "tasks/s: completions per second between 10% and 90% of the drained backlog (for a "
        "time-bounded drain, of what was done); messages/s: tasks/s times recipients. "
        "CPU ms/task: the contender process's user+sys CPU over that same window; engine CPU "
        "ms/task: the engine JVM's, same window (what the contender's way of calling the "
        "engine costs it). Peak RSS: VmHWM of the process over its whole life. p50/p99: from "
        "the harness getting the start answer to the Twilio stand-in reading the task's first "
        "request (the no-op completer sends nothing).",
    ]
