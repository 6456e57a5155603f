"""camunda-external-task-client-python3's `ExternalTaskClient`, sending over our pooled session.

The library builds each call's URL, JSON body (its `Variables.format` for typed variables) and
headers, and then sends it with the module-level `requests.post`: a new TCP connection per call,
and redirects followed. `PooledTaskClient` runs the library's own four functions (fetchAndLock,
complete, failure, bpmnError) unchanged, except that the name `requests` in them refers to a
`SessionTransport`: the same request goes over the one keep-alive session, never following a
redirect. Nothing of the library is copied or patched; other users of it are unaffected.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import requests
from camunda.client.external_task_client import ExternalTaskClient

# The library's calls that go over the session, by the name of the engine's endpoint.
POOLED_CALLS = {
    "fetch_and_lock": "fetchAndLock",
    "complete": "complete",
    "failure": "failure",
    "bpmn_failure": "bpmnError",
}

Refusal = Callable[[str, requests.Response], Exception | None]


class SessionTransport:
    """Stands in for the `requests` module inside the library's functions: `post` only, which
    is all they use. A redirect answer becomes `refused(action, response)` at once: the library
    would take a 3xx for success (requests' `ok`), and the call was not carried out."""

    def __init__(self, session: requests.Session, refused: Refusal) -> None:
        self._session = session
        self._refused = refused

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        response = self._session.post(url, allow_redirects=False, **kwargs)
        if 300 <= response.status_code < 400:
            action = url.rsplit("/", 1)[-1]
            error = self._refused(action, response)
            if error is not None:
                raise error
        return response


def _over(function: Callable[..., Any], transport: SessionTransport) -> Callable[..., Any]:
    """`function` (one of the library's methods) with `requests` meaning `transport`."""
    if "requests" not in function.__code__.co_names:
        # A library version that sends some other way: fail at start-up, not silently.
        raise RuntimeError(
            f"camunda's ExternalTaskClient.{function.__name__} no longer uses requests"
        )
    namespace = {**function.__globals__, "requests": transport}
    return types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__, function.__closure__
    )


class PooledTaskClient(ExternalTaskClient):  # type: ignore[misc]
    """The library's client; its four engine calls go over `session` (see the module doc)."""

    def __init__(
        self,
        worker_id: str,
        engine_url: str,
        config: dict[str, Any],
        session: requests.Session,
        refused: Refusal,
    ) -> None:
        super().__init__(worker_id, engine_url, config)
        transport = SessionTransport(session, refused)
        for name in POOLED_CALLS:
            library_call = getattr(ExternalTaskClient, name)
            setattr(self, name, types.MethodType(_over(library_call, transport), self))
