"""Contender (c): completes every task without sending anything: the engine's ceiling.

It does the engine-side work of a real worker (fetch the same variables, complete with an
`smsResult` Json variable) and as little else as it can: several threads each long-polling with
a large maxTasks over their own keep-alive connection, no proxy lookups, no logging.

Usage: python -m bench.contenders.noop URL TOPIC [THREADS] [MAX_TASKS]
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import requests
from requests.adapters import HTTPAdapter

from worker.sms.inputs import INPUT_NAMES

RESULT = {"smsResult": {"type": "Json", "value": json.dumps({"SM0": "+14155552671"})}}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # skips the per-request proxy/netrc environment lookups
    session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=1))
    return session


def drain(url: str, topic: str, worker_id: str, max_tasks: int) -> None:
    session = _session()
    fetch = {
        "workerId": worker_id,
        "maxTasks": max_tasks,
        "asyncResponseTimeout": 30_000,
        "topics": [
            {
                "topicName": topic,
                "lockDuration": 60_000,
                "variables": list(INPUT_NAMES),
                "deserializeValues": False,
            }
        ],
    }
    complete = {"workerId": worker_id, "variables": RESULT}
    base = f"{url}/external-task"
    while True:
        try:
            tasks = session.post(f"{base}/fetchAndLock", json=fetch, timeout=40).json()
            if not isinstance(tasks, list):  # an engine error answer: try again shortly
                time.sleep(0.5)
                continue
            for task in tasks:
                session.post(f"{base}/{task['id']}/complete", json=complete, timeout=30)
        except requests.RequestException:
            time.sleep(0.5)


def main(argv: list[str]) -> int:
    url, topic = argv[0], argv[1]
    threads = int(argv[2]) if len(argv) > 2 else int(os.environ.get("BENCH_NOOP_THREADS", "8"))
    max_tasks = int(argv[3]) if len(argv) > 3 else int(os.environ.get("BENCH_NOOP_MAX_TASKS", "25"))
    workers = [
        threading.Thread(target=drain, args=(url, topic, f"noop-{topic}", max_tasks), daemon=True)
        for _ in range(threads)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
