"""What both demos share: a narrator with a stopwatch, and the local engine and Twilio stand-in
they run on, started, stopped and their failures told the same way."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from worker.dev.local_engine import (
    CAMUNDA,
    JAR_NAME,
    EngineFlavour,
    LocalEngine,
    LocalEngineError,
    default_project_dir,
)
from worker.dev.twilio_standin import TwilioStandIn

EXIT_NO_ENGINE, EXIT_INTERRUPTED = 2, 130


class Narrator:
    """Prints each step with the seconds since the demo began."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.started = out, time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def say(self, text: str) -> None:
        print(f"[{self.elapsed():5.1f}s] {text}", file=self.out, flush=True)


def missing_tools(project: Path, flavour: EngineFlavour = CAMUNDA) -> str | None:
    """Why the engine cannot run here, in words a first-time user can act on; None if it can."""
    if shutil.which("java") is None:
        return (
            f"the demo runs a real {flavour.title} engine, which needs Java 17 or newer: no 'java' "
            "on PATH. Install a JDK (e.g. 'apt-get install openjdk-17-jdk-headless' or "
            "'brew install openjdk@17'), or run 'docker compose up' instead."
        )
    jar = project / "target" / JAR_NAME
    if not jar.is_file() and shutil.which("mvn") is None:
        return (
            f"the engine is built once with Maven, and 'mvn' is not on PATH ({jar} does not "
            "exist yet). Install Maven 3.8+ (e.g. 'apt-get install maven' or 'brew install "
            "maven'), or run 'docker compose up' instead."
        )
    return None


def on_local_parts(
    narrator: Narrator,
    demo: Callable[[LocalEngine, TwilioStandIn], int],
    *,
    engine: LocalEngine | None = None,
    flavour: EngineFlavour = CAMUNDA,
    engine_factory: Callable[[EngineFlavour], LocalEngine] = lambda f: LocalEngine(flavour=f),
) -> int:
    """Run `demo` on an engine and a stand-in; returns its exit code, or EXIT_NO_ENGINE /
    EXIT_INTERRUPTED. `engine`: one already running, kept running (for tests); otherwise one
    is built if needed, started, and stopped at the end, also on Ctrl-C."""
    owned: LocalEngine | None = None
    standin: TwilioStandIn | None = None
    try:
        if engine is None:
            project = default_project_dir(flavour)
            problem = missing_tools(project, flavour)
            if problem:
                narrator.say(f"error: {problem}")
                return EXIT_NO_ENGINE
            LocalEngine.build(project, flavour=flavour, progress=narrator.say)
            narrator.say(f"starting {flavour.title} (20 s to a minute, depending on the machine)")
            owned = engine_factory(flavour)
            engine = owned.start()
        narrator.say(f"engine up: {engine.url}")
        standin = TwilioStandIn().start()
        narrator.say(f"Twilio stand-in: {standin.url}  (no real SMS leaves this machine)")
        return demo(engine, standin)
    except LocalEngineError as exc:
        narrator.say(f"error: {exc}")
        return EXIT_NO_ENGINE
    except KeyboardInterrupt:
        narrator.say("interrupted")
        return EXIT_INTERRUPTED
    finally:
        if standin is not None:
            standin.stop()
        if owned is not None:
            narrator.say("stopping the engine...")
            owned.stop()
