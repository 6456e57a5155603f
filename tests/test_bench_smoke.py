"""The benchmark harness (bench/) end to end at a tiny size: it must produce a well-formed
result. No timing is asserted: the figures of a 20-task run on a shared machine mean nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.run import parser, run
from worker.dev.local_engine import LocalEngine

pytestmark = pytest.mark.engine

RUN_FIELDS = {
    "contender": str,
    "latency_ms": int,
    "recipients": int,
    "tasks_released": int,
    "tasks_done": int,
    "drained": bool,
    "drain_s": float,
    "latency_samples": int,
    "peak_rss_mb": float,
    "process_cpu_s": float,
}


@pytest.mark.timeout(360)  # five contenders on a shared 2-core machine
def test_a_tiny_run_writes_a_json_and_a_markdown_result(engine: LocalEngine, tmp_path: Path):
    args = parser().parse_args(
        [
            "--tasks=20",
            "--latencies=0",
            "--light-tasks=3",
            "--warmup-tasks=1",
            "--engine-warmup=0",
            "--max-drain-s=20",
            f"--out={tmp_path}",
        ]
    )
    run(args, engine_url=engine.url)

    result = json.loads((tmp_path / "result.json").read_text())
    assert result["settings"]["tasks"] == 20
    assert {"cpu", "cores", "python", "engine"} <= result["machine"].keys()
    assert [(r["contender"], r["latency_ms"]) for r in result["runs"]] == [
        ("ours", 0),
        ("noreconcile", 0),
        ("ours_x10", 0),
        ("stock", 0),
        ("noop", 0),
    ]
    for item in result["runs"]:
        for field, kind in RUN_FIELDS.items():
            assert isinstance(item[field], kind), (item["contender"], field, item[field])
        assert 0 <= item["tasks_done"] <= 20
        for field in ("tasks_per_s", "cpu_ms_per_task", "vs_stock", "vs_ceiling"):
            assert item[field] is None or isinstance(item[field], float)

    table = (tmp_path / "result.md").read_text()
    header = next(line for line in table.splitlines() if line.startswith("| Twilio latency"))
    rows = [line for line in table.splitlines() if line.startswith("| 0 ms |")]
    assert [row.split("|")[2].strip() for row in rows] == [
        "ours",
        "noreconcile",
        "ours_x10",
        "stock",
        "noop",
    ]
    assert all(row.count("|") == header.count("|") for row in rows)
