"""BPMN messages and process variables over the engine's REST API: which executions wait for a
message, correlating or triggering it, reading and setting a process instance's variables.

Generic: message and variable names come from the caller. Every failure leaves as an
EngineError subclass; the engine's "nothing matches" and "several match" answers become
NothingToCorrelate and AmbiguousCorrelation, decided here and nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests

from worker.config import EngineSettings
from worker.engine.answers import engine_session, translated_errors
from worker.engine.nodes import Nodes
from worker.errors import AmbiguousCorrelation, EngineError, NothingToCorrelate
from worker.metrics import Metrics, status_label

TypedValue = dict[str, Any]

# The engine answers these calls in milliseconds; a caller answering a webhook must still have
# time to answer before Twilio gives up (15 s), so a hanging engine fails fast.
CONNECT_TIMEOUT_S, READ_TIMEOUT_S = 3.05, 5.0
# More executions than this waiting for one message in instances with the same variables is a
# modelling mistake, not a workload: the newest is picked among the first ones listed.
MAX_WAITING = 50
_NOT_SUBSCRIBED = "does not have a subscription"
_SEVERAL_MATCH = "ENGINE-13031"


@dataclass(frozen=True)
class Waiting:
    """An execution that waits for a message (a catch event, or behind an event gateway)."""

    execution_id: str
    process_instance_id: str
    since: datetime | None = None  # when the wait began, when it was asked for


@dataclass(frozen=True)
class Correlated:
    process_instance_id: str
    started: bool  # True: a message start event started this instance


class MessageClient:
    def __init__(
        self,
        settings: EngineSettings,
        *,
        pool_size: int = 8,
        metrics: Metrics | None = None,
    ) -> None:
        # Correlating a message twice would deliver it twice: only a node that refused the
        # connection is passed over for the next (see Nodes.call).
        self._nodes = Nodes(
            [(url, engine_session(settings, pool_size, url)) for url in settings.urls]
        )
        self._metrics = metrics or Metrics()
        self._timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        # time.monotonic() of the last call the engine answered; None before the first.
        self.last_answer: float | None = None

    # -- messages ------------------------------------------------------------------------------

    def newest_waiting(self, message: str, variables_equal: Mapping[str, str]) -> Waiting | None:
        """Of the executions waiting for `message` in process instances whose variables have
        these (String) values, the one whose wait began most recently; None if none waits."""
        query = {
            "messageEventSubscriptionName": message,
            "processVariables": [
                {"name": name, "operator": "eq", "value": value}
                for name, value in variables_equal.items()
            ],
        }
        found = self._call(
            "POST",
            "/execution",
            "waiting executions",
            json=query,
            params={"maxResults": MAX_WAITING},
        )
        waiting = [
            Waiting(str(item["id"]), str(item["processInstanceId"]))
            for item in _list(found)
            if isinstance(item, dict) and item.get("id") and item.get("processInstanceId")
        ]
        if len(waiting) <= 1:
            return waiting[0] if waiting else None
        dated = [self._with_since(w, message) for w in waiting]
        # Unknown dates sort first: an execution that stopped waiting meanwhile loses.
        return max(dated, key=lambda w: w.since or datetime.min.replace(tzinfo=timezone.utc))

    def trigger(self, waiting: Waiting, message: str, variables: Mapping[str, TypedValue]) -> None:
        """Deliver `message` to that one execution, setting `variables` in its process
        instance. NothingToCorrelate when it no longer waits."""
        path = (
            f"/execution/{quote(waiting.execution_id, safe='')}"
            f"/messageSubscriptions/{quote(message, safe='')}/trigger"
        )
        try:
            self._call("POST", path, "trigger message", json={"variables": dict(variables)})
        except EngineError as exc:
            # The engine answers 500 when the subscription is gone (the wait ended meanwhile).
            if exc.status is not None and _NOT_SUBSCRIBED in str(exc):
                raise NothingToCorrelate(f"{message}: the execution no longer waits") from exc
            raise

    def correlate(
        self,
        message: str,
        *,
        process_instance_id: str | None = None,
        correlation_keys: Mapping[str, TypedValue] | None = None,
        variables: Mapping[str, TypedValue] | None = None,
        every_match: bool = False,
    ) -> list[Correlated]:
        """`POST /message`: to the executions that wait for it in the instance given or with
        these correlation keys, else to a message start event (a new instance). With
        `every_match` all matching executions get it, and no match is an empty list;
        otherwise no match raises NothingToCorrelate and several AmbiguousCorrelation."""
        body: dict[str, Any] = {
            "messageName": message,
            "processVariables": dict(variables or {}),
            "resultEnabled": True,
            "all": every_match,
        }
        if process_instance_id is not None:
            body["processInstanceId"] = process_instance_id
        if correlation_keys:
            body["correlationKeys"] = dict(correlation_keys)
        try:
            answer = self._call("POST", "/message", "correlate message", json=body)
        except EngineError as exc:
            if exc.status == 400 and "MismatchingMessageCorrelationException" in str(exc):
                kind = AmbiguousCorrelation if _SEVERAL_MATCH in str(exc) else NothingToCorrelate
                raise kind(f"{message}: {_first_line(str(exc))}", exc.status) from exc
            raise
        return [_correlated(item) for item in _list(answer) if isinstance(item, dict)]

    # -- variables -------------------------------------------------------------------------------

    def instance_exists(self, instance_id: str) -> bool:
        try:
            self._call("GET", f"/process-instance/{quote(instance_id, safe='')}", "instance")
        except EngineError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def variable(self, instance_id: str, name: str) -> TypedValue | None:
        """A process instance's variable, serialized as stored; None when it has none."""
        path = f"/process-instance/{quote(instance_id, safe='')}/variables/{quote(name, safe='')}"
        try:
            found = self._call("GET", path, f"get {name}", params={"deserializeValue": "false"})
        except EngineError as exc:
            if exc.status == 404:
                return None
            raise
        return found if isinstance(found, dict) else None

    def set_variable(self, instance_id: str, name: str, typed: TypedValue) -> None:
        path = f"/process-instance/{quote(instance_id, safe='')}/variables/{quote(name, safe='')}"
        self._call("PUT", path, f"set {name}", json=typed)

    def ever_had(self, name: str, value: str) -> bool:
        """Whether any process instance, running or ended, ever had the String variable `name`
        with this value. Reads the history (level audit or full); without it, False."""
        found = self._call(
            "GET",
            "/history/variable-instance/count",
            f"history of {name}",
            params={"variableName": name, "variableValue": value},
        )
        return isinstance(found, dict) and int(found.get("count") or 0) > 0

    def version(self) -> str:
        found = self._call("GET", "/version", "version")
        version = found.get("version") if isinstance(found, dict) else None
        if not isinstance(version, str):
            raise EngineError("version: no version in the answer")
        return version

    def close(self) -> None:
        for _url, session in self._nodes.nodes:
            session.close()

    # -- plumbing --------------------------------------------------------------------------------

    def _with_since(self, waiting: Waiting, message: str) -> Waiting:
        found = self._call(
            "GET",
            "/event-subscription",
            "event subscription",
            params={
                "eventType": "message",
                "eventName": message,
                "executionId": waiting.execution_id,
            },
        )
        dates = [
            _parse_date(item.get("createdDate")) for item in _list(found) if isinstance(item, dict)
        ]
        known = [d for d in dates if d is not None]
        return Waiting(waiting.execution_id, waiting.process_instance_id, max(known, default=None))

    def _call(self, method: str, path: str, action: str, **kwargs: Any) -> Any:
        try:
            response = self._nodes.call(
                lambda node: self._request(node, method, path, action, **kwargs), repeatable=False
            )
            if not response.ok:
                raise _answer_error(action, response)
        except EngineError as exc:
            labels = {"call": action.replace(" ", "_"), "status": status_label(exc.status)}
            self._metrics.engine_request_errors.labels(**labels).inc()
            if exc.status is not None:
                self.last_answer = time.monotonic()
            raise
        self.last_answer = time.monotonic()
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise EngineError(f"{action}: answer is not JSON", response.status_code) from exc

    def _request(
        self, node: tuple[str, requests.Session], method: str, path: str, action: str, **kwargs: Any
    ) -> requests.Response:
        url, session = node
        with translated_errors(action):
            return session.request(method, url + path, timeout=self._timeout, **kwargs)


def _answer_error(action: str, response: requests.Response) -> EngineError:
    # The engine's message says what went wrong ("... does not have a subscription ..."); it
    # never holds credentials, and it is cut short since it can quote variable values.
    try:
        message = str(response.json().get("message") or "")
    except (ValueError, AttributeError):
        message = ""
    # A plain EngineError: a 404 or 400 here says nothing about an external task.
    text = f"{action}: HTTP {response.status_code} {message[:300]}".rstrip()
    return EngineError(text, response.status_code)


def _correlated(item: dict[str, Any]) -> Correlated:
    if item.get("resultType") == "ProcessDefinition":
        instance = item.get("processInstance") or {}
        return Correlated(str(instance.get("id") or ""), started=True)
    execution = item.get("execution") or {}
    return Correlated(str(execution.get("processInstanceId") or ""), started=False)


def _list(found: Any) -> list[Any]:
    return found if isinstance(found, list) else []


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


def _parse_date(raw: object) -> datetime | None:
    # The engine's format: 2026-12-01T23:32:04.584+0000
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None
