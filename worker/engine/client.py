"""The engine's REST API: camunda-external-task-client-python3 builds the calls it offers, and
every call, its and ours, goes over one pooled keep-alive requests.Session that follows no
redirect. Every failure leaves here as an EngineError subclass, translated in
`translated_errors` alone."""

from __future__ import annotations

import functools
import re
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import requests
import urllib3

from worker.config import EngineSettings
from worker.engine.task import ExternalTask
from worker.engine.task_client import PooledTaskClient
from worker.errors import EngineError, EngineUnreachable, LockLost, TaskGone, UnreachableCause
from worker.http_session import pooled_session
from worker.metrics import Metrics, status_label

# The library's bare exceptions read "received 400 : <type> : <message>".
_STATUS_IN_MESSAGE = re.compile(r"received (\d{3})(?: : (.*))?", re.DOTALL)
# Camunda 7.24 answers 400 both when the task is not ours and when it refuses the request itself
# (verified by tests/engine/test_engine_answers.py). Not ours: "External Task <id> cannot be
# completed by worker 'A'. It is locked by worker 'B'." ('null' once the lock was released), the
# same for bpmnError, failure and extendLock, and "Cannot extend a lock that expired". Refused:
# "Unsupported value type 'X'", "Cannot convert value ..." (a variable it cannot take). Only the
# message tells them apart: the type (RestException) and code are the same for both.
_NOT_OURS = re.compile(r"is locked by worker|lock that expired", re.IGNORECASE)
# How much of the engine's own explanation is kept in our message (it reaches logs, incidents).
_ENGINE_SAYS_CHARS = 300
# The long poll's HTTP read waits this much longer than the poll itself.
FETCH_GRACE_MS = 5_000
MAX_FILE_BYTES = 1024 * 1024

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _refused(action: str, response: requests.Response) -> EngineError | None:
    """The error for an answer that is not a success, else None. A 3xx is one: this client's
    session does not follow redirects (credentials must not go where a redirect points), and
    the call was not carried out."""
    status = response.status_code
    if 300 <= status < 400:
        return engine_error(action, status, "a redirect, not followed (check CAMUNDA_URL)")
    if not response.ok:
        return engine_error(action, status, _engine_says(response))
    return None


def engine_error(action: str, status: int | None, engine_says: str = "") -> EngineError:
    """The typed error for an engine answer with this status (None: no answer); `engine_says`
    is the engine's own explanation ("<type>: <message>" from its JSON body), if any."""
    says = " ".join(engine_says.split())
    message = f"{action}: HTTP {status}" + (f" ({says[:_ENGINE_SAYS_CHARS]})" if says else "")
    if status is None:
        return EngineUnreachable(message)
    if status == 404:
        return TaskGone(message, status)
    if status == 400 and _NOT_OURS.search(says):
        return LockLost(message, status)
    return EngineError(message, status)


def _engine_says(response: requests.Response | None) -> str:
    """ "<type>: <message>" from the engine's JSON error body; empty when there is none."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [body.get("type"), body.get("message")]
    return ": ".join(part for part in parts if isinstance(part, str) and part)


@contextmanager
def translated_errors(action: str) -> Iterator[None]:
    # The library raises bare Exception("received 400 : <type> : <message>") for most calls and
    # requests.HTTPError for bpmnError; both, and transport errors, become EngineErrors here.
    try:
        yield
    except EngineError:
        raise
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        raise engine_error(action, status, _engine_says(exc.response)) from exc
    except requests.RequestException as exc:
        cause = _unreachable_cause(exc)
        raise EngineUnreachable(f"{action}: {cause.value}", cause) from exc
    except Exception as exc:
        match = _STATUS_IN_MESSAGE.search(str(exc))
        if match is None:
            raise EngineUnreachable(f"{action}: {exc}") from exc
        says = (match.group(2) or "").replace(" : ", ": ", 1)
        raise engine_error(action, int(match.group(1)), says) from exc


def engine_session(settings: EngineSettings, pool_size: int) -> requests.Session:
    """A pooled session to the engine that sends its credentials (Basic or bearer)."""
    session = pooled_session(settings.url, pool_size)
    if settings.user:
        session.auth = (settings.user, settings.password)
    if settings.token:
        session.headers["Authorization"] = f"Bearer {settings.token}"
    return session


def _unreachable_cause(exc: requests.RequestException) -> UnreachableCause:
    """Why requests got no answer: the exception's chain (and urllib3's `reason`) holds the
    socket error; a refused connection and an unknown host are the common set-up slips."""
    if isinstance(exc, requests.exceptions.SSLError):
        return UnreachableCause.TLS
    if isinstance(exc, requests.Timeout):
        return UnreachableCause.TIMED_OUT
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ConnectionRefusedError):
            return UnreachableCause.REFUSED
        if isinstance(error, (socket.gaierror, urllib3.exceptions.NameResolutionError)):
            return UnreachableCause.HOST_NOT_FOUND
        reason = getattr(error, "reason", None)
        linked = [error.__cause__, error.__context__, reason, *error.args]
        pending += [e for e in linked if isinstance(e, BaseException)]
    return UnreachableCause.BROKEN


def _counted(
    call: Callable[Concatenate[EngineClient, _P], _R],
) -> Callable[Concatenate[EngineClient, _P], _R]:
    """Counts the call's failures, and notes when the engine last did what was asked (for
    readiness: any call will do, so a worker busy with long tasks still counts as ready)."""

    @functools.wraps(call)
    def counted(client: EngineClient, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            result = call(client, *args, **kwargs)
        except EngineError as exc:
            labels = {"call": call.__name__, "status": status_label(exc.status)}
            client._metrics.engine_request_errors.labels(**labels).inc()
            raise
        client.last_success = time.monotonic()
        return result

    return counted


class EngineClient:
    def __init__(
        self, settings: EngineSettings, *, pool_size: int = 4, metrics: Metrics | None = None
    ) -> None:
        self._url = settings.url
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
        self._session = engine_session(settings, pool_size)
        self._tasks = PooledTaskClient(
            settings.worker_id, self._url, config, self._session, _refused
        )
        self._topic = settings.topic
        self._timeout_s = settings.http_timeout_ms / 1000

    # -- calls the library offers ----------------------------------------------------------

    @_counted
    def fetch_and_lock(self, max_tasks: int, variables: Sequence[str]) -> list[ExternalTask]:
        # Only the fetcher thread calls this, so adjusting the library's config per call is safe.
        self._tasks.config["maxTasks"] = max_tasks
        with translated_errors("fetchAndLock"):
            answer = self._tasks.fetch_and_lock(self._topic, variables=list(variables))
        if not isinstance(answer, list):
            raise EngineError("fetchAndLock: unexpected answer")
        return [ExternalTask.from_json(item) for item in answer]

    @_counted
    def complete(self, task: ExternalTask, variables: dict[str, Any]) -> None:
        with translated_errors("complete"):
            self._tasks.complete(task.id, variables)

    @_counted
    def bpmn_error(
        self, task: ExternalTask, code: str, message: str, variables: dict[str, Any]
    ) -> None:
        with translated_errors("bpmnError"):
            self._tasks.bpmn_failure(task.id, code, message, variables)

    @_counted
    def failure(
        self, task: ExternalTask, message: str, details: str, retries: int, retry_timeout_ms: int
    ) -> None:
        with translated_errors("failure"):
            self._tasks.failure(task.id, message, details, retries, retry_timeout_ms)

    # -- calls it lacks --------------------------------------------------------------------

    @_counted
    def extend_lock(self, task: ExternalTask, new_duration_ms: int) -> None:
        self._post(
            f"/external-task/{task.id}/extendLock",
            {"workerId": self._tasks.worker_id, "newDuration": new_duration_ms},
            "extendLock",
        )

    @_counted
    def set_local_variable(self, execution_id: str, name: str, typed: dict[str, Any]) -> None:
        with translated_errors(f"set {name}"):
            response = self._session.put(
                f"{self._url}/execution/{execution_id}/localVariables/{name}",
                json=typed,
                timeout=self._timeout_s,
            )
        if (error := _refused(f"set {name}", response)) is not None:
            raise error

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
        for path in (
            f"/execution/{task.execution_id}/localVariables/{name}/data",
            f"/process-instance/{task.process_instance_id}/variables/{name}/data",
        ):
            with translated_errors(f"download {name}"):
                response = self._session.get(self._url + path, timeout=self._timeout_s, stream=True)
            if response.status_code == 404:
                continue
            if (error := _refused(f"download {name}", response)) is not None:
                response.close()
                raise error
            data = response.raw.read(MAX_FILE_BYTES + 1, decode_content=True)
            response.close()
            return bytes(data)
        # Not TaskGone: the task may well exist without this variable.
        raise EngineError(f"download {name}: not found", 404)

    @_counted
    def version(self) -> str:
        """The engine's version, from `/version`: the cheapest call that proves it answers."""
        body = self._get_json("/version", "version")
        version = body.get("version") if isinstance(body, dict) else None
        if not isinstance(version, str):
            raise EngineError("version: no version in the answer")
        return version

    def close(self) -> None:
        self._session.close()

    def _post(self, path: str, body: dict[str, Any] | None, action: str) -> None:
        with translated_errors(action):
            response = self._session.post(self._url + path, json=body, timeout=self._timeout_s)
        if (error := _refused(action, response)) is not None:
            raise error

    def _get_json(self, path: str, action: str, params: dict[str, str] | None = None) -> Any:
        with translated_errors(action):
            response = self._session.get(self._url + path, params=params, timeout=self._timeout_s)
        if (error := _refused(action, response)) is not None:
            raise error
        try:
            return response.json()
        except ValueError as exc:
            raise EngineError(f"{action}: answer is not JSON", response.status_code) from exc
