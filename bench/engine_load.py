"""The harness's side of the engine: deploy, start instances, release a backlog, count tasks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from requests.adapters import HTTPAdapter

GOOD_FROM = "+15005550006"  # Twilio's test "From" that always succeeds
RECIPIENT = "+14155552671"
BODY = "Hi ${name}, your code is ${ref}"


def recipients(count: int) -> str:
    """`count` numbers as smsTo text: RECIPIENT, then the numbers after it."""
    first = int(RECIPIENT[1:])
    return ",".join(f"+{first + i}" for i in range(count))


def sms_variables(ref: str, recipient_count: int = 1) -> dict[str, dict[str, str]]:
    """A template with metadata, to one recipient by default: the common case. `ref` ends up
    in the body, which is how a request seen by the Twilio stand-in is matched to the
    instance."""
    return {
        "smsFrom": {"type": "String", "value": GOOD_FROM},
        "smsTo": {"type": "String", "value": recipients(recipient_count)},
        "smsBody": {"type": "String", "value": BODY},
        "metadata": {"type": "Json", "value": json.dumps({"name": "Ann", "ref": ref})},
    }


class BenchEngine:
    def __init__(self, url: str, *, auth: tuple[str, str] | None = None, threads: int = 4) -> None:
        self.url = url.rstrip("/")
        self._threads = threads
        self._local = threading.local()
        self._auth = auth
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        # One session per thread: requests.Session is not documented as thread-safe.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False
            session.auth = self._auth
            session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=2))
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 120)
        response = self.session.request(method, self.url + path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    def version(self) -> str:
        return str(self.call("GET", "/version")["version"])

    def deploy(self, name: str, files: dict[str, str]) -> None:
        form = {"deployment-name": name, "deployment-source": "sms-bench"}
        multipart = {n: (n, xml.encode(), "application/octet-stream") for n, xml in files.items()}
        self.call("POST", "/deployment/create", data=form, files=multipart)

    def start(self, key: str, variables: dict[str, Any]) -> str:
        body = {"variables": variables}
        return str(self.call("POST", f"/process-definition/key/{key}/start", json=body)["id"])

    def start_many(self, key: str, count: int, variables: Callable[[int], dict[str, Any]]) -> float:
        """Start `count` instances from a few threads; returns instances per second."""
        began = time.monotonic()
        with ThreadPoolExecutor(self._threads) as pool:
            for _ in pool.map(lambda i: self.start(key, variables(i)), range(count)):
                pass
        return count / max(time.monotonic() - began, 1e-9)

    def signal(self, name: str) -> None:
        self.call("POST", "/signal", json={"name": name})

    def open_tasks(self, topic: str) -> int:
        """External tasks of `topic` that still exist (fetched or not): not completed yet."""
        return int(self.call("GET", "/external-task/count", params={"topicName": topic})["count"])

    def wait_drained(self, topic: str, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.open_tasks(topic) == 0:
                return True
            time.sleep(0.1)
        return False
