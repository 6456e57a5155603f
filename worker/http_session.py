"""The pooled HTTP session both edges (Twilio, the engine) use."""

from __future__ import annotations

import os
from typing import Any

import requests
from requests.adapters import HTTPAdapter


class _NoRedirects(requests.Session):
    """Hands 3xx answers back instead of following them, whatever the caller asks.

    Following would re-send a message POST elsewhere (307/308), or turn it into a GET (301,
    302, 303), with the session's credentials if the host stayed the same; Twilio's own SDK
    never follows. Callers treat a 3xx as an error that names where it pointed.
    """

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        # Even when not following, requests parses the Location (to offer `Response.next`),
        # and a malformed one ("http://[::1") raised ValueError out of the call instead of
        # the 3xx reaching the caller. Nothing here follows, so there is no target.
        return None


def pooled_session(base_url: str, pool_size: int) -> requests.Session:
    """A session with `pool_size` kept-alive connections to `base_url`'s host, that never
    follows redirects.

    The environment's proxy and CA-bundle settings are read once here and then frozen:
    with `trust_env` on, requests re-reads them (and ~/.netrc) on every call, which measured
    as about a seventh of the worker's CPU per SMS. TLS verification stays on.
    """
    session = _NoRedirects()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if ca_bundle:
        session.verify = ca_bundle
    session.trust_env = False
    return session
