"""X-Twilio-Signature, as Twilio computes it: base64 of HMAC-SHA1, keyed with the account's auth
token, over the full URL Twilio requested followed by each POST parameter's name and value,
sorted by name (and, for a repeated name, by value, as Twilio's own libraries do).

Twilio signs the URL it was given, which is the public one: behind TLS termination, a load
balancer or a tunnel, the address this process listens on has nothing to do with it. So the URL
is rebuilt from `SMS_PUBLIC_URL` and the request's own path and query, never from the Host or
X-Forwarded-* headers, which anyone can send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit, urlunsplit

SIGNATURE_HEADER = "X-Twilio-Signature"
_DEFAULT_PORTS = {"https": 443, "http": 80}


def compute_signature(token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature Twilio sends for a POST of `params` (name, value pairs) to `url`."""
    by_name: dict[str, set[str]] = {}
    for name, value in params:
        by_name.setdefault(name, set()).add(value)
    data = url + "".join(
        name + value for name in sorted(by_name) for value in sorted(by_name[name])
    )
    digest = hmac.new(token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def request_target(raw_uri: str) -> str:
    """Path and query of the request line's target, also when a client sent an absolute URL
    ("POST https://host/path?q HTTP/1.1") instead of a path."""
    if raw_uri.startswith("/"):
        return raw_uri
    parts = urlsplit(raw_uri)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def port_variants(url: str) -> list[str]:
    """The URL as given, and with the scheme's default port added or removed: Twilio's back end
    is known to sign either form, and its own validators accept both."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if parts.port is None:
        default = _DEFAULT_PORTS.get(parts.scheme)
        other = parts._replace(netloc=f"{host}:{default}") if default else None
    else:
        other = parts._replace(netloc=host)
    return [url] if other is None else [url, urlunsplit(other)]


class SignatureCheck:
    """Decides whether a request really comes from Twilio."""

    def __init__(self, token: str, public_url: str) -> None:
        if not token:
            raise ValueError("a signing token is required")
        self._token = token
        self._public_url = public_url.rstrip("/")

    def signed_url(self, raw_uri: str) -> str:
        """The URL Twilio signed for a request whose request line named `raw_uri`."""
        return self._public_url + request_target(raw_uri)

    def is_valid(
        self, raw_uri: str, params: Sequence[tuple[str, str]], signature: str | None
    ) -> bool:
        if not signature:
            return False
        offered = signature.strip().encode("utf-8", "replace")
        valid = False
        for url in port_variants(self.signed_url(raw_uri)):
            expected = compute_signature(self._token, url, params).encode("ascii")
            # Constant time, and every variant compared, so timing tells nothing either way.
            valid |= hmac.compare_digest(expected, offered)
        return valid
