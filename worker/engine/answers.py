"""The one place where the engine's answers become errors: every failure of an engine REST
call leaves the engine layer as an EngineError subclass made here, whether the library raised
it, requests did, or the engine answered with an error status."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import requests
import urllib3

from worker.config import EngineSettings
from worker.errors import (
    EngineError,
    EngineUnreachable,
    LockLost,
    LostRace,
    TaskGone,
    UnreachableCause,
)
from worker.http_session import pooled_session

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
# "Another node got there first": Camunda's OptimisticLockingException ("ENGINE-03005 Execution
# of 'UPDATE ExternalTaskEntity[...]' failed. Entity was updated by another transaction
# concurrently."), answered as a 500 (or a 400 when wrapped) with that type in the JSON body.
_CONCURRENT_CHANGE = re.compile(
    r"OptimisticLockingException|by another transaction concurrently", re.IGNORECASE
)


def refused_error(action: str, response: requests.Response) -> EngineError | None:
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
    if status in (400, 500) and _CONCURRENT_CHANGE.search(says):
        return LostRace(message, status)
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


def engine_session(settings: EngineSettings, pool_size: int, node_url: str) -> requests.Session:
    """A pooled session to one engine node that sends the credentials (Basic or bearer)."""
    session = pooled_session(node_url, pool_size)
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
