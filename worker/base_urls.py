"""The base URLs the worker is configured with (the engine's, one per node of its cluster, and
Twilio's): read once at start-up, their credentials taken out, so no URL the worker holds,
prints or logs has any.

Plain HTTP: refused for Twilio off this machine unless TWILIO_ALLOW_INSECURE_HTTP says so (the
real API is HTTPS only; what answers on http:// elsewhere is a stand-in or a mistake, and the
account's master credentials would cross the network readable). Allowed for the engine, whose
REST API commonly runs on plain HTTP inside a cluster network, behind a mesh that encrypts, or
on the same host; when credentials would cross such a link, `url_warnings` says so at start.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit


@dataclass(frozen=True)
class BaseUrl:
    url: str  # without user-info, query, fragment or trailing slash
    scheme: str
    host: str
    user: str = ""
    password: str = field(default="", repr=False)

    @property
    def has_credentials(self) -> bool:
        return bool(self.user or self.password)

    @property
    def is_plain_http_off_host(self) -> bool:
        """Plain HTTP to anything but this machine: what goes over it can be read on the way."""
        return self.scheme == "http" and not is_loopback_host(self.host)


def parse_base_url(raw: str) -> BaseUrl:
    """Raise ValueError with a reason that never repeats the URL (it may hold a password)."""
    try:
        parts = urlsplit(raw.strip())
        port = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError("is not a URL") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("must start with http:// or https://")
    host = parts.hostname or ""
    if not host:
        raise ValueError("has no host")
    if parts.query or parts.fragment:
        raise ValueError("must not have a query (?...) or fragment (#...)")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    # requests reads percent-encoded user-info the same way (`get_auth_from_url`).
    return BaseUrl(
        url, parts.scheme, host, unquote(parts.username or ""), unquote(parts.password or "")
    )


MAX_ENGINE_NODES = 16


def parse_base_url_list(raw: str) -> tuple[BaseUrl, ...]:
    """The comma-separated URLs of one cluster's nodes (one URL: one node, or a load balancer).
    ValueError names the faulty entry by position, never repeating it. One cluster has one
    login: every URL must carry the same credentials, or none."""
    entries = raw.split(",", MAX_ENGINE_NODES)
    if len(entries) > MAX_ENGINE_NODES:
        raise ValueError(f"names more than {MAX_ENGINE_NODES} nodes")
    several = len(entries) > 1
    urls: list[BaseUrl] = []
    for position, entry in enumerate(entries, start=1):
        where = f"entry {position} " if several else ""
        if several and not entry.strip():
            raise ValueError(f"entry {position} is empty (a stray comma?)")
        try:
            url = parse_base_url(entry)
        except ValueError as exc:
            raise ValueError(f"{where}{exc}") from None
        if any(seen.url == url.url for seen in urls):
            raise ValueError(f"{where}repeats an earlier node")
        if urls and (url.user, url.password) != (urls[0].user, urls[0].password):
            raise ValueError(
                f"{where}has other credentials than entry 1: one cluster takes one login"
            )
        urls.append(url)
    return tuple(urls)


def is_loopback_host(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1, as written: no name is resolved to decide."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_passwords(raw: str) -> list[str]:
    """The password in a URL's user-info, as written (percent-encoded) and as used."""
    found: list[str] = []
    # CAMUNDA_URL may list several URLs: each may hold the password.
    for entry in raw.split(",", MAX_ENGINE_NODES):
        try:
            written = urlsplit(entry.strip()).password or ""
        except ValueError:
            continue
        found += [written, unquote(written)]
    return [p for p in dict.fromkeys(found) if p]


def take_url_credentials(values: dict[str, object]) -> list[str]:
    """Replace the parsed URLs in `values` by their text without credentials: the engine's
    become CAMUNDA_USER/CAMUNDA_PASSWORD, Twilio's are refused (they come from TWILIO_*).
    Plain HTTP to Twilio off this machine is refused unless explicitly allowed."""
    problems: list[str] = []
    twilio = values.pop("twilio_api_url", None)
    if isinstance(twilio, BaseUrl):
        values["twilio_api_url"] = twilio.url
        if twilio.has_credentials:
            problems.append(
                "TWILIO_API_URL must not hold credentials (user:password@); Twilio's come from "
                "TWILIO_ACCOUNT and TWILIO_TOKEN (or TWILIO_API_KEY/TWILIO_API_SECRET)"
            )
        elif twilio.is_plain_http_off_host and not values.get("twilio_allow_insecure_http"):
            problems.append(
                f"TWILIO_API_URL is plain http:// to {twilio.host}: the Twilio credentials and "
                "every message would cross the network unencrypted. Use https://, or set "
                "TWILIO_ALLOW_INSECURE_HTTP=true for a stand-in on a network you trust"
            )
    nodes = values.pop("camunda_url", None)
    if isinstance(nodes, tuple) and nodes and isinstance(nodes[0], BaseUrl):
        # Every node carries the same credentials (parse_base_url_list sees to it).
        engine = nodes[0]
        values["camunda_url"] = ",".join(node.url for node in nodes)
        if engine.has_credentials:
            if any(values.get(k) for k in ("camunda_user", "camunda_password", "camunda_token")):
                problems.append(
                    "CAMUNDA_URL holds credentials (user:password@) and CAMUNDA_USER, "
                    "CAMUNDA_PASSWORD or CAMUNDA_TOKEN are set too: give them one way"
                )
            else:
                values["camunda_user"], values["camunda_password"] = engine.user, engine.password
    return problems


def url_warnings(camunda_url: str, engine_credentials: bool, twilio_api_url: str) -> list[str]:
    found: list[str] = []
    for engine in parse_base_url_list(camunda_url):
        if engine.is_plain_http_off_host and engine_credentials:
            found.append(
                f"CAMUNDA_URL is plain http:// to {engine.host}: the engine credentials cross "
                "the network unencrypted; use https:// unless that network is trusted"
            )
    if parse_base_url(twilio_api_url).is_plain_http_off_host:
        found.append(
            "TWILIO_API_URL is plain http://, allowed by TWILIO_ALLOW_INSECURE_HTTP: the "
            "Twilio credentials cross the network unencrypted"
        )
    return found
