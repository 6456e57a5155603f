"""Reading the environment into Settings: each value parsed and checked, every problem named."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import TypeVar

import phonenumbers

from worker import template
from worker.base_urls import (
    BaseUrl,
    parse_base_url,
    parse_base_url_list,
    take_url_credentials,
    url_passwords,
)
from worker.config.settings import ENVIRONMENT, Settings
from worker.config.slices import LogFormat, LogLevel, Switch, UncaughtErrors
from worker.errors import ConfigError

_T = TypeVar("_T")

_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_API_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")


_INT_RANGES: dict[str, tuple[int, int]] = {
    "twilio_connect_timeout_ms": (100, 120_000),
    "twilio_read_timeout_ms": (100, 300_000),
    "twilio_retry_429_budget_ms": (0, 600_000),
    "max_concurrency": (1, 1_000),
    "lock_duration_ms": (5_000, 86_400_000),
    # The engine caps long polling at 30 minutes.
    "poll_timeout_ms": (0, 1_800_000),
    "task_retries": (0, 1_000),
    "retry_timeout_ms": (0, 86_400_000),
    "shutdown_grace_ms": (0, 3_600_000),
    "metrics_port": (0, 65_535),
    "webhook_port": (1, 65_535),
    "webhook_threads": (1, 256),
}


def _parse_int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{name}={value} is out of range ({low}..{high})")
    return value


def _parse_url(name: str, raw: str) -> BaseUrl:
    try:
        return parse_base_url(raw)
    except ValueError as exc:
        # Not echoed: a URL may hold a password.
        raise ValueError(f"{name} {exc}") from None


def _parse_url_list(name: str, raw: str) -> tuple[BaseUrl, ...]:
    try:
        return parse_base_url_list(raw)
    except ValueError as exc:
        # Not echoed: a URL may hold a password.
        raise ValueError(f"{name} {exc}") from None


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _BOOLEANS:
        raise ValueError(f"{name}={raw!r} must be true or false")
    return _BOOLEANS[value]


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _parse_region(name: str, raw: str) -> str | None:
    region = raw.strip().upper()
    if not region:
        return None
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{name}={raw!r} is not an ISO 3166 region code known to phonenumbers")
    return region


def _parse_choice(enum: Callable[[str], _T], name: str, raw: str, choices: str) -> _T:
    try:
        return enum(raw.strip().lower())
    except ValueError:
        raise ValueError(f"{name}={raw!r} must be one of: {choices}") from None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise ConfigError naming each bad one."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    problems: list[str] = []
    for var, name in ENVIRONMENT.items():
        raw = env.get(var)
        if raw is None or raw.strip() == "":
            continue
        try:
            values[name] = _parse_value(var, name, raw)
        except ValueError as exc:
            problems.append(str(exc))

    account = values.get("twilio_account")
    if not account:
        problems.append("TWILIO_ACCOUNT is required (your Account SID, AC...)")
    elif not _ACCOUNT_SID.fullmatch(str(account)):
        # A common slip is pasting the auth token here; say so without echoing the value.
        problems.append("TWILIO_ACCOUNT must be an Account SID: 'AC' followed by 32 hex digits")
    api_key = values.get("twilio_api_key")
    if api_key and not _API_KEY_SID.fullmatch(str(api_key)):
        problems.append("TWILIO_API_KEY must be an API key SID: 'SK' followed by 32 hex digits")
    if values.get("twilio_api_key"):
        if not values.get("twilio_api_secret"):
            problems.append("TWILIO_API_SECRET is required when TWILIO_API_KEY is set")
    elif not values.get("twilio_token"):
        problems.append("TWILIO_TOKEN is required (or TWILIO_API_KEY and TWILIO_API_SECRET)")
    if values.get("camunda_token") and values.get("camunda_user"):
        problems.append("set either CAMUNDA_USER/CAMUNDA_PASSWORD or CAMUNDA_TOKEN, not both")
    problems += take_url_credentials(values)
    if problems:
        raise ConfigError(problems)
    return Settings(**values)  # type: ignore[arg-type]


def load_log_settings(env: Mapping[str, str] | None = None) -> tuple[LogFormat, LogLevel | None]:
    """Only the logging settings: every command logs, but not every command needs the
    credentials that `load_settings` insists on."""
    env = os.environ if env is None else env
    found: dict[str, object] = {"log_format": LogFormat.HUMAN, "log_level": None}
    problems: list[str] = []
    for var in ("SMS_LOG_FORMAT", "SMS_LOG_LEVEL"):
        raw = env.get(var)
        if raw is None or raw.strip() == "":
            continue
        try:
            found[ENVIRONMENT[var]] = _parse_value(var, ENVIRONMENT[var], raw)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError(problems)
    log_format, log_level = found["log_format"], found["log_level"]
    assert isinstance(log_format, LogFormat)
    assert log_level is None or isinstance(log_level, LogLevel)
    return log_format, log_level


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """The values of every secret setting that is set (the fields kept out of repr), for the
    log redaction filter."""
    env = os.environ if env is None else env
    hidden = {f.name for f in fields(Settings) if not f.repr}
    found = [
        env[var].strip() for var, name in ENVIRONMENT.items() if name in hidden and env.get(var)
    ]
    for var in ("CAMUNDA_URL", "TWILIO_API_URL"):
        found += url_passwords(env.get(var) or "")
    return found


def _parse_value(var: str, name: str, raw: str) -> object:
    if name in _INT_RANGES:
        return _parse_int(var, raw, *_INT_RANGES[name])
    if name == "twilio_api_url":
        return _parse_url(var, raw)
    if name == "camunda_url":
        return _parse_url_list(var, raw)
    if name == "public_url":
        return _parse_public_url(var, raw)
    if name == "twilio_allow_insecure_http":
        return _parse_bool(var, raw)
    if name == "default_region":
        return _parse_region(var, raw)
    if name == "template_locale":
        try:
            return template.check_locale(raw.strip())
        except ValueError as exc:
            raise ValueError(f"{var}={raw!r}: {exc} (a CLDR locale such as de_DE)") from None
    if name == "template_time_zone":
        try:
            return template.check_time_zone(raw.strip())
        except ValueError as exc:
            raise ValueError(f"{var}={raw!r}: {exc} (an IANA zone such as Europe/Berlin)") from None
    if name == "uncaught_errors":
        return _parse_choice(UncaughtErrors, var, raw, "incident, bpmn-error")
    if name == "reconcile":
        return _parse_choice(Switch, var, raw, "on, off") is Switch.ON
    if name == "log_format":
        return _parse_choice(LogFormat, var, raw, "human, json")
    if name == "log_level":
        return _parse_choice(LogLevel, var, raw, "debug, info, warning, error")
    return raw.strip()


def _parse_public_url(name: str, raw: str) -> str:
    url = _parse_url(name, raw)
    if url.has_credentials:
        # The value is not echoed: it would print the credentials.
        raise ValueError(f"{name} must not contain credentials")
    if "_" in url.host:
        # Twilio refuses StatusCallback URLs whose host name has an underscore.
        raise ValueError(f"{name}={raw!r}: Twilio rejects host names with an underscore")
    return url.url
