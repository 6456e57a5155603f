"""Fixtures for a Twilio stand-in on loopback and settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from worker.config import Settings, load_settings
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn
from worker.twilio.client import TwilioClient

GOOD_FROM = "+15005550006"


@pytest.fixture(scope="session")
def _standin_server() -> Iterator[TwilioStandIn]:
    with TwilioStandIn() as server:
        yield server


@pytest.fixture
def standin(_standin_server: TwilioStandIn) -> Iterator[TwilioStandIn]:
    """The shared stand-in, with records and faults cleared for each test."""
    _standin_server.reset()
    yield _standin_server
    # A request a client gave up on (read timeout) still delivers: let it land in this test.
    _standin_server.wait_idle()
    _standin_server.reset()


def settings_for(standin: TwilioStandIn, **overrides: Any) -> Settings:
    base = load_settings(
        {
            "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
            "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
            "TWILIO_API_URL": standin.url,
            "TWILIO_READ_TIMEOUT_MS": "2000",
            "TWILIO_RETRY_429_BUDGET_MS": "2000",
        }
    )
    return replace(base, **overrides)


@pytest.fixture
def twilio_settings(standin: TwilioStandIn) -> Settings:
    return settings_for(standin)


@pytest.fixture
def twilio(twilio_settings: Settings) -> Iterator[TwilioClient]:
    client = TwilioClient(twilio_settings.twilio, sleep=lambda _s: None)
    yield client
    client.close()
