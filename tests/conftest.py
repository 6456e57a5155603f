"""Shared fixtures. Engine: one real Camunda 7.24 engine per test session (tests marked engine)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from worker.dev.local_engine import LocalEngine

pytest_plugins = ["tests.twilio_fixtures"]


@pytest.fixture(scope="session")
def engine() -> Iterator[LocalEngine]:
    """A running engine on a free port (no auth), built with Maven on first use.

    Fails, never skips, when Java or Maven is missing: CI must notice.
    """
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"engine tests need {' and '.join(missing)} on PATH", pytrace=False)
    LocalEngine.build()
    with LocalEngine().start() as started:
        yield started
