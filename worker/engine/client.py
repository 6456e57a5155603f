"""The engine's REST API: camunda-external-task-client-python3 builds the calls it offers, and
every call, its and ours, goes over one pooled keep-alive requests.Session per node that follows
no redirect. Every failure leaves here as an EngineError subclass, made in
`worker.engine.answers` alone.

CAMUNDA_URL may name several nodes of one cluster (`worker.engine.nodes`): long polls go to
each in turn, every other call to whichever node answers.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

import requests

from worker.config import EngineSettings
from worker.engine.answers import engine_error, engine_session, refused_error, translated_errors
from worker.engine.nodes import Nodes
from worker.engine.task import ExternalTask
from worker.engine.task_client import PooledTaskClient
from worker.errors import EngineError, LostRace
from worker.metrics import Metrics, status_label

__all__ = ["FETCH_GRACE_MS", "EngineClient", "engine_error", "engine_session", "translated_errors"]

# The long poll's HTTP read waits this much longer than the poll itself.
FETCH_GRACE_MS = 5_000
MAX_FILE_BYTES = 1024 * 1024

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _counted(
    call: Callable[Concatenate[EngineClient, _P], _R],
) -> Callable[Concatenate[EngineClient, _P], _R]:
    """Counts the call's failures, and notes when the engine last did what was asked (for
    readiness: any call will do, so a worker busy with long tasks still counts as ready)."""

    @functools.wraps(call)
    def counted(client: EngineClient, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            result = call(client, *args, **kwargs)
        except LostRace:
            # Not a failure: the cluster at work. Counted apart, and the engine did answer.
            client._metrics.engine_lost_races.labels(call=call.__name__).inc()
            client.last_success = time.monotonic()
            raise
        except EngineError as exc:
            labels = {"call": call.__name__, "status": status_label(exc.status)}
            client._metrics.engine_request_errors.labels(**labels).inc()
            raise
        client.last_success = time.monotonic()
        return result

    return counted


@dataclass(frozen=True)
class _Node:
    url: str
    tasks: PooledTaskClient  # the library's calls, to this node, over `session`
    session: requests.Session


class EngineClient:
    def __init__(
        self, settings: EngineSettings, *, pool_size: int = 4, metrics: Metrics | None = None
    ) -> None:
        self._metrics = metrics or Metrics()
        # time.monotonic() of the last call that succeeded; None before the first.
        self.last_success: float | None = None
        # The library's own configuration, so that its start-up line ("Created External Task
        # client with config: ...") shows what this worker really does. Credentials are not in
        # it: the session sends them.
        config: dict[str, Any] = {
            "maxTasks": settings.max_tasks,
            "lockDuration": settings.lock_duration_ms,
            "asyncResponseTimeout": settings.poll_timeout_ms,
            "retries": settings.task_retries,
            "retryTimeout": settings.retry_timeout_ms,
            "httpTimeoutMillis": settings.http_timeout_ms,
            "timeoutDeltaMillis": FETCH_GRACE_MS,
            "deserializeValues": False,
            "includeExtensionProperties": False,
            "usePriority": True,
        }
        nodes = []
        for url in settings.urls:
            session = engine_session(settings, pool_size, url)
            tasks = PooledTaskClient(settings.worker_id, url, dict(config), session, refused_error)
            nodes.append(_Node(url, tasks, session))
        self._nodes = Nodes(nodes)
        self._metrics.engine_nodes_up.set_function(lambda: self._nodes.up)
        self._worker_id = settings.worker_id
        self._topic = settings.topic
        self._timeout_s = settings.http_timeout_ms / 1000

    @property
    def nodes_up(self) -> int:
        """How many of the configured nodes are thought to answer."""
        return self._nodes.up

    # -- calls the library offers ----------------------------------------------------------

    @_counted
    def fetch_and_lock(self, max_tasks: int, variables: Sequence[str]) -> list[ExternalTask]:
        def fetch(node: _Node) -> Any:
            # Only the fetcher thread calls this, so adjusting the library's config is safe.
            node.tasks.config["maxTasks"] = max_tasks
            with translated_errors("fetchAndLock"):
                return node.tasks.fetch_and_lock(self._topic, variables=list(variables))

        answer = self._nodes.call(fetch)
        if not isinstance(answer, list):
            raise EngineError("fetchAndLock: unexpected answer")
        return [ExternalTask.from_json(item) for item in answer]

    @_counted
    def complete(self, task: ExternalTask, variables: dict[str, Any]) -> None:
        def complete(node: _Node) -> None:
            with translated_errors("complete"):
                node.tasks.complete(task.id, variables)

        self._nodes.call(complete)

    @_counted
    def bpmn_error(
        self, task: ExternalTask, code: str, message: str, variables: dict[str, Any]
    ) -> None:
        def bpmn_error(node: _Node) -> None:
            with translated_errors("bpmnError"):
                node.tasks.bpmn_failure(task.id, code, message, variables)

        self._nodes.call(bpmn_error)

    @_counted
    def failure(
        self, task: ExternalTask, message: str, details: str, retries: int, retry_timeout_ms: int
    ) -> None:
        def failure(node: _Node) -> None:
            with translated_errors("failure"):
                node.tasks.failure(task.id, message, details, retries, retry_timeout_ms)

        self._nodes.call(failure)

    # -- calls it lacks --------------------------------------------------------------------

    @_counted
    def extend_lock(self, task: ExternalTask, new_duration_ms: int) -> None:
        self._post(
            f"/external-task/{task.id}/extendLock",
            {"workerId": self._worker_id, "newDuration": new_duration_ms},
            "extendLock",
        )

    @_counted
    def set_local_variable(self, execution_id: str, name: str, typed: dict[str, Any]) -> None:
        def put(node: _Node) -> None:
            with translated_errors(f"set {name}"):
                response = node.session.put(
                    f"{node.url}/execution/{execution_id}/localVariables/{name}",
                    json=typed,
                    timeout=self._timeout_s,
                )
            if (error := refused_error(f"set {name}", response)) is not None:
                raise error

        self._nodes.call(put)

    @_counted
    def unlock(self, task: ExternalTask) -> None:
        self._post(f"/external-task/{task.id}/unlock", None, "unlock")

    @_counted
    def process_definition_xml(self, definition_id: str) -> str:
        body = self._get_json(f"/process-definition/{definition_id}/xml", "definition XML")
        xml = body.get("bpmn20Xml") if isinstance(body, dict) else None
        if not isinstance(xml, str):
            raise EngineError("definition XML: no bpmn20Xml in the answer")
        return xml

    @_counted
    def super_process_instance(self, instance_id: str) -> dict[str, Any] | None:
        """The process instance that called `instance_id` through a call activity, if any."""
        found = self._get_json(
            "/process-instance", "super process", params={"subProcessInstance": instance_id}
        )
        return found[0] if isinstance(found, list) and found else None

    @_counted
    def calling_activity_id(self, super_instance_id: str, sub_instance_id: str) -> str | None:
        """The call activity in the super instance that started `sub_instance_id`."""
        found = self._get_json(
            "/history/activity-instance",
            "call activity",
            params={"processInstanceId": super_instance_id, "activityType": "callActivity"},
        )
        for item in found if isinstance(found, list) else []:
            if isinstance(item, dict) and item.get("calledProcessInstanceId") == sub_instance_id:
                return str(item.get("activityId"))
        return None

    @_counted
    def download_variable(self, task: ExternalTask, name: str) -> bytes:
        # The variable is either local to the task's execution (input mapping) or inherited
        # from the process instance; the execution endpoint only serves local ones.
        def download(node: _Node) -> bytes:
            for path in (
                f"/execution/{task.execution_id}/localVariables/{name}/data",
                f"/process-instance/{task.process_instance_id}/variables/{name}/data",
            ):
                with translated_errors(f"download {name}"):
                    response = node.session.get(
                        node.url + path, timeout=self._timeout_s, stream=True
                    )
                if response.status_code == 404:
                    continue
                if (error := refused_error(f"download {name}", response)) is not None:
                    response.close()
                    raise error
                data = response.raw.read(MAX_FILE_BYTES + 1, decode_content=True)
                response.close()
                return bytes(data)
            # Not TaskGone: the task may well exist without this variable.
            raise EngineError(f"download {name}: not found", 404)

        return self._nodes.call(download)

    @_counted
    def version(self) -> str:
        """The engine's version, from `/version`: the cheapest call that proves it answers."""
        body = self._get_json("/version", "version")
        version = body.get("version") if isinstance(body, dict) else None
        if not isinstance(version, str):
            raise EngineError("version: no version in the answer")
        return version

    def close(self) -> None:
        for node in self._nodes.nodes:
            node.session.close()

    def _post(self, path: str, body: dict[str, Any] | None, action: str) -> None:
        def post(node: _Node) -> None:
            with translated_errors(action):
                response = node.session.post(node.url + path, json=body, timeout=self._timeout_s)
            if (error := refused_error(action, response)) is not None:
                raise error

        self._nodes.call(post)

    def _get_json(self, path: str, action: str, params: dict[str, str] | None = None) -> Any:
        def get(node: _Node) -> Any:
            with translated_errors(action):
                response = node.session.get(node.url + path, params=params, timeout=self._timeout_s)
            if (error := refused_error(action, response)) is not None:
                raise error
            try:
                return response.json()
            except ValueError as exc:
                raise EngineError(f"{action}: answer is not JSON", response.status_code) from exc

        return self._nodes.call(get)
