"""Throughput on a two-node cluster beside one node, in one run (issue 19).

Two Camunda 7.24 nodes on one throwaway PostgreSQL database (`worker.dev.local_cluster`), the
Twilio stand-in, and three `python -m worker run` processes (default settings but the worker
count). Each round creates a backlog of `--tasks` instances (two recipients each) before the
workers start, then measures the drain: tasks/s between 10% and 90% of the instances ended, and
the CPU the engine JVMs and the workers spent per task over the whole drain.
"one node": CAMUNDA_URL names the first node only (the second idles, as it would beside a
worker pointed at one node); "two nodes": both. The order alternates per round so drift on a
shared machine falls on both; a warm-up drain through both nodes goes first, uncounted. Compare
the ratio, not absolute rates.

    python -m bench.cluster                  # 1000 tasks, 2 rounds (5-10 minutes)
    python -m bench.cluster --tasks 300 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import procstats
from worker.dev.bpmn_models import sms_process
from worker.dev.local_cluster import LocalCluster
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 3
SENDER = "+15005550006"


def _numbers(task: int) -> list[str]:
    return [f"+1415{task * 2 + r:07d}" for r in range(2)]


def _backlog(node: LocalEngine, key: str, tasks: int) -> None:
    def start(task: int) -> None:
        node.start_process(
            key,
            {
                "smsFrom": {"type": "String", "value": SENDER},
                "smsTo": {"type": "Json", "value": json.dumps(_numbers(task))},
                "smsBody": {"type": "String", "value": "Your code is ${code}"},
                "metadata": {"type": "Json", "value": json.dumps({"code": task})},
            },
        )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(start, range(tasks)))


def _ended(node: LocalEngine, key: str) -> int:
    params = {"processDefinitionKey": key, "finished": "true"}
    return int(node.call("GET", "/history/process-instance/count", params=params)["count"])


def _drain(
    cluster: LocalCluster, standin: TwilioStandIn, label: str, url: str, *, tasks: int, tag: str
) -> float:
    """tasks/s between 10% and 90% ended; checks every message went out exactly once."""
    node = cluster.nodes[0]
    key, topic = f"bench_cluster_{tag}", f"BENCH_CLUSTER_{tag}"
    node.deploy((f"{key}.bpmn", sms_process(key, topic=topic)))
    standin.reset()
    _backlog(node, key, tasks)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CAMUNDA_URL": url,
        "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
        "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
        "TWILIO_API_URL": standin.url,
        "SMS_TOPIC": topic,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "worker", "run"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(WORKERS)
    ]
    engines = [procstats.find_java_on_port(node.port) for node in cluster.nodes]
    engine_pids = [pid for pid in engines if pid is not None]
    engine_cpu_s = sum(procstats.cpu_seconds(pid) for pid in engine_pids)
    low, high = tasks // 10, tasks - tasks // 10
    low_at = high_at = 0.0
    try:
        while (done := _ended(node, key)) < tasks:
            now = time.monotonic()
            if done >= low and not low_at:
                low_at = now
            if done >= high and not high_at:
                high_at = now
            time.sleep(0.1)
        engine_cpu_s = sum(procstats.cpu_seconds(pid) for pid in engine_pids) - engine_cpu_s
        worker_cpu_s = sum(procstats.cpu_seconds(worker.pid) for worker in workers)
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    delivered = standin.delivered
    expected = {number for task in range(tasks) for number in _numbers(task)}
    lost = len(expected - set(delivered))
    duplicates = sum(count - 1 for count in delivered.values())
    rate = (high - low) / (high_at - low_at)
    print(
        f"  {label:9}  {rate:7.1f} tasks/s   CPU ms/task: engines {engine_cpu_s * 1000 / tasks:.0f}"
        f", workers {worker_cpu_s * 1000 / tasks:.0f}   lost {lost}, duplicates {duplicates}",
        flush=True,
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup-tasks", type=int, default=300)
    args = parser.parse_args()
    LocalEngine.build(progress=print)
    rates: dict[str, list[float]] = {"one node": [], "two nodes": []}
    with LocalCluster(nodes=2) as cluster, TwilioStandIn() as standin:
        urls = {"one node": cluster.nodes[0].url, "two nodes": cluster.camunda_url}
        # Both JVMs compile the hot paths first: a cold node would count against two nodes.
        print(f"warm-up: {args.warmup_tasks} tasks through both nodes (not counted)", flush=True)
        _drain(cluster, standin, "warm-up", urls["two nodes"], tasks=args.warmup_tasks, tag="w")
        print(f"{WORKERS} workers, {args.tasks} tasks x 2 recipients per drain")
        for round_number in range(args.rounds):
            order = list(urls) if round_number % 2 == 0 else list(reversed(urls))
            print(f"round {round_number + 1}", flush=True)
            for label in order:
                tag = f"{round_number}_{label.split()[0]}"
                rate = _drain(cluster, standin, label, urls[label], tasks=args.tasks, tag=tag)
                rates[label].append(rate)
    one, two = (sum(rates[k]) / len(rates[k]) for k in ("one node", "two nodes"))
    print(f"mean: one node {one:.1f} tasks/s, two nodes {two:.1f} tasks/s, ratio {two / one:.2f}")


if __name__ == "__main__":
    main()
