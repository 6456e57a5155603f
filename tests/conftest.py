"""Shared fixtures. Engines: one real Camunda 7.24 engine per test session for every test marked
engine, and one Operaton engine for the core cases that also run on it (marked operaton).

`SMS_TEST_ENGINE=operaton` runs the whole engine suite on Operaton instead of Camunda 7.24.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator

import pytest

from worker.dev.local_engine import CAMUNDA, FLAVOURS, OPERATON, EngineFlavour, LocalEngine

pytest_plugins = ["tests.twilio_fixtures"]

# Where the engine tests spend their time, measured on a 2-core machine (see the README).
_EXPECTED = (
    "engine tests: {main} for the whole suite, Operaton 1.0 for the core cases (-m operaton).\n"
    "The first run builds each engine with Maven (1-2 min each with an empty Maven repository);\n"
    "each of the session's 5 engine starts takes 20 s on a quiet machine, 90 s on a busy one.\n"
    "The whole suite: about 7 min on a quiet 2-core machine, over 20 min on a busy one."
)


def pytest_report_header(config: pytest.Config) -> str:
    return _EXPECTED.format(main=_main_flavour().title)


def _main_flavour() -> EngineFlavour:
    name = os.environ.get("SMS_TEST_ENGINE", CAMUNDA.name)
    if name not in FLAVOURS:
        raise pytest.UsageError(f"SMS_TEST_ENGINE={name!r}: one of {', '.join(FLAVOURS)}")
    return FLAVOURS[name]


def _say(config: pytest.Config) -> Callable[[str], None]:
    """Print to the terminal now, past output capturing: builds and starts take long."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def say(text: str) -> None:
        if reporter is None:
            return
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line(f"[engine] {text}")

    return say


def _started(flavour: EngineFlavour, config: pytest.Config, **start: bool) -> LocalEngine:
    """Build (if needed) and start one engine, saying what happens: fails, never skips, when
    Java or Maven is missing, so that CI notices."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"engine tests need {' and '.join(missing)} on PATH", pytrace=False)
    say = _say(config)
    LocalEngine.build(flavour=flavour, progress=say)
    began = time.monotonic()
    say(f"starting {flavour.title}...")
    engine = LocalEngine(flavour=flavour).start(**start)
    say(f"{flavour.title} up in {time.monotonic() - began:.0f} s at {engine.url}")
    return engine


@pytest.fixture(scope="session")
def engine_flavour() -> EngineFlavour:
    """The flavour of `engine` (Camunda 7.24 unless SMS_TEST_ENGINE says otherwise)."""
    return _main_flavour()


@pytest.fixture(scope="session")
def engine(engine_flavour: EngineFlavour, pytestconfig: pytest.Config) -> Iterator[LocalEngine]:
    """A running engine on a free port (no auth), built with Maven on first use."""
    with _started(engine_flavour, pytestconfig) as started:
        yield started


@pytest.fixture(scope="session")
def auth_engine(
    engine_flavour: EngineFlavour, pytestconfig: pytest.Config
) -> Iterator[LocalEngine]:
    """A second engine whose REST API requires HTTP Basic auth (demo/demo), shared by the
    tests that need one: each engine start costs 20-60 s."""
    with _started(engine_flavour, pytestconfig, basic_auth=True) as started:
        yield started


@pytest.fixture(scope="session")
def operaton_engine(pytestconfig: pytest.Config) -> Iterator[LocalEngine]:
    with _started(OPERATON, pytestconfig) as started:
        yield started


@pytest.fixture(
    params=[CAMUNDA.name, pytest.param(OPERATON.name, marks=pytest.mark.operaton)],
)
def each_engine(request: pytest.FixtureRequest, engine_flavour: EngineFlavour) -> LocalEngine:
    """The core cases run on both engines: the session's engine, then Operaton."""
    if request.param == OPERATON.name and engine_flavour is not OPERATON:
        return request.getfixturevalue("operaton_engine")  # type: ignore[no-any-return]
    return request.getfixturevalue("engine")  # type: ignore[no-any-return]
