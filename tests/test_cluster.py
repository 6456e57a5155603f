"""The production topology: two Camunda 7.24 nodes sharing one PostgreSQL database, three
worker processes whose CAMUNDA_URL names both. Every message the stand-in accepted is counted
(as in tests/test_exactly_once.py): none lost, none twice, while the nodes compete for the same
tasks and while one of them is killed and comes back.

SMS_CLUSTER_TASKS sets the size of each run (tasks of two recipients; default and CI: 1000, the
issue's number). The two nodes start once for the module (about a minute on a busy machine).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.test_delivery_guarantees import (
    _assert_logs_clean,
    _deploy,
    _report,
    _results,
    _start_all,
    _wait_all_ended,
)
from tests.worker_process import start_worker, stop_worker
from worker.dev.local_cluster import LocalCluster
from worker.dev.local_engine import LocalEngine
from worker.dev.postgres import PostgresError
from worker.dev.twilio_standin import TwilioStandIn

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(1200)]

TASKS = int(os.environ.get("SMS_CLUSTER_TASKS", "1000"))
WORKERS = 3
NODE_DOWN_S = 20.0
WORKER_ENV = {"SMS_LOCK_DURATION_MS": "10000", "SMS_MAX_CONCURRENCY": "8"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Fails, never skips, without Java, Maven or PostgreSQL: CI installs them."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"cluster tests need {' and '.join(missing)} on PATH", pytrace=False)
    LocalEngine.build()
    try:
        started = LocalCluster(nodes=2).start()
    except PostgresError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield started
    started.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Workers:
    """Worker processes on the cluster, each serving /readyz and /metrics on its own port."""

    def __init__(self, cluster: LocalCluster, standin: TwilioStandIn, topic: str, logs: Path):
        self.ports = [_free_port() for _ in range(WORKERS)]
        self.logs = [logs / f"worker-{index}.log" for index in range(WORKERS)]
        self.processes = []
        for port, path in zip(self.ports, self.logs, strict=True):
            with path.open("w") as log:
                self.processes.append(
                    start_worker(
                        cluster.camunda_url,
                        standin,
                        topic,
                        log=log,
                        SMS_METRICS_PORT=str(port),
                        SMS_METRICS_HOST="127.0.0.1",
                        **WORKER_ENV,
                    )
                )

    def readiness(self) -> list[int]:
        """Each worker's /readyz status (0: no answer)."""
        found = []
        for port in self.ports:
            try:
                # Generous: a slow answer on a busy machine is not a worker that is not ready.
                answer = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=15)
                found.append(answer.status_code)
            except requests.RequestException:
                found.append(0)
        return found

    def metric(self, name: str) -> list[float]:
        """One unlabelled sample (or the sum of a labelled one's) from each worker."""
        values = []
        for port in self.ports:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            samples = [
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith(name) and line[len(name) : len(name) + 1] in ("{", " ")
            ]
            values.append(sum(samples))
        return values

    def alive(self) -> bool:
        return all(process.poll() is None for process in self.processes)

    def stop(self) -> list[str]:
        for process in self.processes:
            stop_worker(process)
        return [path.read_text(errors="replace") for path in self.logs]


def _assert_exactly_once(label: str, node: LocalEngine, key: str, standin: TwilioStandIn) -> None:
    lost, duplicates = _report(label, standin, TASKS, 2)
    assert (lost, duplicates) == (0, 0)
    results = _results(node, key)
    assert len(results) == TASKS
    assert all(len(result) == 2 for result in results)
    assert node.call("GET", "/incident/count")["count"] == 0


def test_three_workers_polling_both_nodes_send_every_message_exactly_once(
    cluster: LocalCluster, standin: TwilioStandIn, tmp_path: Path
) -> None:
    first, second = cluster.nodes
    key, topic = _deploy(first, "cluster")
    workers = Workers(cluster, standin, topic, tmp_path)
    try:
        # Started through one node, finished through the other: a task is the database's.
        _start_all(first, key, TASKS, 2)
        _wait_all_ended(second, key, TASKS)
        alive = workers.alive()
        lost_races = sum(workers.metric("sms_worker_engine_lost_races_total"))
    finally:
        outputs = workers.stop()
    assert alive
    _assert_exactly_once("two nodes, three workers", second, key, standin)
    print(f"'another node got there first' answers: {lost_races:.0f}")
    for output in outputs:
        _assert_logs_clean(output)


def test_a_node_killed_mid_run_and_back_20_s_later_loses_and_repeats_nothing(
    cluster: LocalCluster, standin: TwilioStandIn, tmp_path: Path
) -> None:
    survivor, victim = cluster.nodes
    key, topic = _deploy(survivor, "cluster_kill")
    standin.faults.set_latency(20)
    workers = Workers(cluster, standin, topic, tmp_path)
    not_ready: list[list[int]] = []
    watching = threading.Event()

    def watch_readiness() -> None:
        while watching.is_set():
            statuses = workers.readiness()
            if any(status != 200 for status in statuses):
                not_ready.append(statuses)
            time.sleep(0.5)

    watcher = threading.Thread(target=watch_readiness, daemon=True)
    try:
        _start_all(survivor, key, TASKS, 2)
        survivor.wait_until(lambda: workers.readiness() == [200] * WORKERS, 60, 0.2, "ready")
        survivor.wait_until(lambda: sum(standin.delivered.values()) >= TASKS // 4, 600, 0.05)
        watching.set()
        watcher.start()
        victim.kill()
        killed_at = sum(standin.delivered.values())
        survivor.wait_until(
            lambda: workers.metric("sms_worker_engine_nodes_up") == [1.0] * WORKERS,
            30,
            0.2,
            "every worker sees the node down",
        )
        time.sleep(NODE_DOWN_S)
        victim.start(victim.port)
        # Back: each worker's calls reach it again.
        survivor.wait_until(
            lambda: workers.metric("sms_worker_engine_nodes_up") == [2.0] * WORKERS,
            60,
            0.2,
            "every worker back on both nodes",
        )
        watching.clear()
        watcher.join()
        _wait_all_ended(survivor, key, TASKS)
        alive = workers.alive()
    finally:
        watching.clear()
        outputs = workers.stop()
    assert alive
    assert killed_at < TASKS * 2, "the run was over before the node was killed"
    _assert_exactly_once("one node killed and restarted", survivor, key, standin)
    assert not_ready == [], "a worker was not ready while one node was up"
    for output in outputs:
        _assert_logs_clean(output)
