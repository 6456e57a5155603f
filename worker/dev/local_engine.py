"""A real engine on this machine, for integration tests, benchmarks and demos.

Two flavours share one Spring Boot application (REST API at ``/engine-rest``, Spin for Json
variables, H2 in memory, admin user demo/demo), each built with Maven into one jar: Camunda 7.24
from ``dev/engine`` (the reference) and Operaton 1.0 from ``dev/engine-operaton``::

    LocalEngine.build()                      # runs Maven only when the jar is missing or stale
    with LocalEngine().start() as engine:    # free port; waits for GET /version
        engine.deploy(Path("process.bpmn"))
        pid = engine.start_process("key", {"smsTo": {"type": "Json", "value": "[]"}})

    LocalEngine.build(flavour=OPERATON, progress=print)   # the same on Operaton, saying so
    with LocalEngine(flavour=OPERATON).start() as engine: ...

A cluster (several nodes on one PostgreSQL database) is ``worker.dev.local_cluster``'s.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

import requests

from worker.dev.engine_build import JAR_NAME, EngineBuildError, Progress, build_jar, jar_path

T = TypeVar("T")

__all__ = [
    "ADMIN",
    "CAMUNDA",
    "FLAVOURS",
    "JAR_NAME",
    "OPERATON",
    "EngineFlavour",
    "LocalEngine",
    "LocalEngineError",
    "default_project_dir",
]

ADMIN = ("demo", "demo")
START_TIMEOUT_S = 180.0
STOP_GRACE_S = 15.0
_REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class EngineFlavour:
    """One engine the worker is tested on: where its project is and what it calls itself."""

    name: str
    title: str
    project: str  # the Maven project's folder under dev/
    version_prefix: str  # what GET /version answers
    properties: str  # prefix of its Spring properties, e.g. for app_args


CAMUNDA = EngineFlavour("camunda", "Camunda 7.24", "engine", "7.24.", "camunda.bpm")
OPERATON = EngineFlavour("operaton", "Operaton 1.0", "engine-operaton", "1.0.", "operaton.bpm")
FLAVOURS = {flavour.name: flavour for flavour in (CAMUNDA, OPERATON)}


class LocalEngineError(RuntimeError):
    """The engine could not be built or started, or a REST call failed."""


def default_project_dir(flavour: EngineFlavour = CAMUNDA) -> Path:
    """The flavour's folder under ``dev/`` in the repository holding this package;
    ``$SMS_ENGINE_PROJECT`` replaces the Camunda one."""
    override = os.environ.get("SMS_ENGINE_PROJECT")
    if override and flavour is CAMUNDA:
        return Path(override).resolve()
    return _REPO / "dev" / flavour.project


def _tail(path: Path, lines: int = 50) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies (Linux), even through os._exit or SIGKILL.

    Note that Linux ties this to the thread that started the child: start engines from a
    thread that lives as long as the engine should (the main thread in pytest).
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalEngine:
    """One engine process. ``start()`` it (or use it as a context manager), then ``stop()``."""

    def __init__(
        self,
        jar: Path | None = None,
        *,
        log_path: Path | None = None,
        jvm_options: tuple[str, ...] = ("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"),
        app_args: tuple[str, ...] = (),
        flavour: EngineFlavour = CAMUNDA,
        env: dict[str, str] | None = None,
    ) -> None:
        """``app_args`` are Spring properties, e.g. ``("--camunda.bpm.history-level=audit",)``
        (``flavour.properties`` is the prefix: ``operaton.bpm`` on Operaton). ``env`` is added
        to the JVM's environment: ENGINE_JDBC_URL and friends choose its database."""
        self.flavour = flavour
        self.env = dict(env or {})
        self.jar = jar or jar_path(default_project_dir(flavour))
        self.jvm_options, self.app_args = jvm_options, app_args
        self._log_path = log_path
        self._log: IO[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.basic_auth = False
        self.session = requests.Session()

    # -- build --------------------------------------------------------------------------------
    @staticmethod
    def build(
        project_dir: Path | None = None,
        *,
        flavour: EngineFlavour = CAMUNDA,
        progress: Progress | None = None,
    ) -> Path:
        """Run Maven if the jar is missing or stale; `progress` hears what Maven is doing."""
        project = project_dir or default_project_dir(flavour)
        try:
            return build_jar(project, flavour.title, progress)
        except EngineBuildError as exc:
            raise LocalEngineError(str(exc)) from exc

    # -- process --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """REST base URL, e.g. ``http://127.0.0.1:8080/engine-rest``."""
        return f"http://127.0.0.1:{self.port}/engine-rest"

    @property
    def log_path(self) -> Path:
        """Where the JVM's output goes (default: ``logs/engine-PORT.log`` next to the jar)."""
        return self._log_path or self.jar.parent / "logs" / f"engine-{self.port}.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, port: int | None = None, basic_auth: bool = False) -> LocalEngine:
        """Start the JVM and wait until ``GET /version`` answers; returns self."""
        if self._proc is not None:
            raise LocalEngineError("engine already started")
        java = shutil.which("java")
        if java is None:
            raise LocalEngineError("Java ('java') is not on PATH: it is needed to run the engine")
        if not self.jar.is_file():
            raise LocalEngineError(f"{self.jar} does not exist: call LocalEngine.build() first")
        self.port, self.basic_auth = port or _free_port(), basic_auth
        self.session.auth = ADMIN if basic_auth else None
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        env = {**os.environ, **self.env, "ENGINE_BASIC_AUTH": "true" if basic_auth else "false"}
        cmd = [java, *self.jvm_options, "-jar", str(self.jar), f"--server.port={self.port}"]
        cmd += self.app_args
        self._proc = subprocess.Popen(  # noqa: S603 (fixed command line)
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (no threads started in between)
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self.stop()
                raise LocalEngineError(
                    f"engine exited with {code}; {self.log_path}:\n{_tail(self.log_path)}"
                )
            with contextlib.suppress(requests.RequestException):
                if self.session.get(f"{self.url}/version", timeout=2).status_code == 200:
                    return self
            time.sleep(0.25)
        self.stop()
        raise LocalEngineError(
            f"engine not up after {START_TIMEOUT_S:.0f} s:\n{_tail(self.log_path)}"
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s. Safe to call twice."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL, as when the machine under a node dies: no shutdown, connections cut. The
        port is kept, so ``start(engine.port)`` brings the same node back."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LocalEngine:
        return self if self.running else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- REST helpers ---------------------------------------------------------------------------
    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One REST call: the JSON answer (None if empty); LocalEngineError on HTTP >= 400."""
        kwargs.setdefault("timeout", 30)
        resp = self.session.request(method, f"{self.url}{path}", **kwargs)
        if resp.status_code >= 400:
            raise LocalEngineError(f"{method} {path} -> {resp.status_code}: {resp.text[:1000]}")
        return resp.json() if resp.content else None

    def version(self) -> str:
        return str(self.call("GET", "/version")["version"])

    def deploy(self, *bpmn: Path | tuple[str, str], name: str = "twilio-sms-worker") -> str:
        """Deploy BPMN files or (file name, XML) pairs; unchanged resources are not redeployed."""
        files: dict[str, tuple[str, bytes, str]] = {}
        for item in bpmn:
            file_name, data = (
                (item.name, item.read_bytes())
                if isinstance(item, Path)
                else (item[0], item[1].encode())
            )
            files[file_name] = (file_name, data, "application/octet-stream")
        form = {
            "deployment-name": name,
            "enable-duplicate-filtering": "true",
            "deploy-changed-only": "true",
            "deployment-source": "local-engine",
        }
        return str(self.call("POST", "/deployment/create", data=form, files=files)["id"])

    def start_process(
        self,
        key: str,
        variables: dict[str, dict[str, Any]] | None = None,
        business_key: str | None = None,
    ) -> str:
        """Start the latest version of ``key`` with typed variables; returns the instance id."""
        body: dict[str, Any] = {"variables": variables or {}}
        if business_key is not None:
            body["businessKey"] = business_key
        return str(self.call("POST", f"/process-definition/key/{key}/start", json=body)["id"])

    def process_variables(self, instance_id: str) -> dict[str, dict[str, Any]]:
        """Variables of an instance (running or ended) from history: name -> {type, value}.

        Process-level variables win over activity-local ones of the same name.
        """
        params = {"processInstanceId": instance_id, "deserializeValues": "false"}
        result: dict[str, dict[str, Any]] = {}
        for var in self.call("GET", "/history/variable-instance", params=params):
            if var["name"] not in result or var["activityInstanceId"] == instance_id:
                result[var["name"]] = {"type": var["type"], "value": var["value"]}
        return result

    def is_ended(self, instance_id: str) -> bool:
        return self.call("GET", f"/history/process-instance/{instance_id}")["endTime"] is not None

    def incidents(self, instance_id: str) -> list[dict[str, Any]]:
        """Open incidents of one process instance."""
        return list(self.call("GET", "/incident", params={"processInstanceId": instance_id}))

    def external_tasks(self, **query: Any) -> list[dict[str, Any]]:
        """``GET /external-task`` with query parameters, e.g. ``processInstanceId=...``."""
        params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()}
        return list(self.call("GET", "/external-task", params=params))

    @staticmethod
    def wait_until(
        predicate: Callable[[], T], timeout_s: float = 30.0, interval_s: float = 0.1, what: str = ""
    ) -> T:
        """Poll ``predicate`` until it returns something truthy, and return that."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"not true after {timeout_s} s: {what or predicate!r}")
            time.sleep(interval_s)
