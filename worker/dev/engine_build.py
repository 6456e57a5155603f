"""Building a local engine's jar with Maven, saying what is going on while it runs.

The first build downloads the engine and Spring Boot (about 100 MB, one to two minutes with an
empty local Maven repository); later builds take seconds and unchanged ones are skipped. Maven's
own output is several hundred lines, mostly downloads: `progress` gets a trimmed version, one
line per build step and a download count every few seconds, and the whole output's tail goes
into the error when the build fails.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import hashlib
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

JAR_NAME = "sms-engine.jar"
BUILD_TIMEOUT_S = 1800.0
DOWNLOAD_REPORT_EVERY_S = 5.0

Progress = Callable[[str], None]

# "[INFO] --- maven-compiler-plugin:3.14.0:compile (default-compile) @ sms-engine ---"
_STEP = re.compile(r"^\[INFO\] --- (?:maven-)?([\w.-]+?)(?:-maven)?-plugin:[^:]+:(\w[\w-]*)")
_DOWNLOADED = "[INFO] Downloaded from "


class EngineBuildError(RuntimeError):
    """Maven is missing or the build failed; the message holds the end of Maven's output."""


def jar_path(project: Path) -> Path:
    return project / "target" / JAR_NAME


def build_jar(project: Path, title: str, progress: Progress | None = None) -> Path:
    """Run Maven if the jar is missing or older than the pom or any file under src/."""
    project = project.resolve()
    pom, jar = project / "pom.xml", jar_path(project)
    if not pom.is_file():
        raise EngineBuildError(
            f"no Maven project at {project}: run from a checkout of the repository "
            "(or set SMS_ENGINE_PROJECT)"
        )
    say = progress or (lambda _text: None)
    with _build_lock(project, say):
        sources = [pom, *(p for p in project.rglob("*") if p.is_file() and _is_source(project, p))]
        if jar.is_file() and jar.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
            return jar
        mvn = shutil.which("mvn")
        if mvn is None:
            raise EngineBuildError("Maven ('mvn') is not on PATH: it is needed to build the engine")
        say(
            f"building {title} with Maven ({project}): one to two minutes the first time, "
            "while Maven downloads the engine and Spring Boot; seconds afterwards"
        )
        _run_maven([mvn, "-B", "-f", str(pom), "package", "-DskipTests"], say)
    if not jar.is_file():
        raise EngineBuildError(f"Maven finished, but {jar} is missing")
    return jar


def _is_source(project: Path, path: Path) -> bool:
    # Everything but Maven's output counts: the pom, src/ and any POMs kept beside them.
    return path.relative_to(project).parts[0] != "target"


@contextlib.contextmanager
def _build_lock(project: Path, say: Progress) -> Iterator[None]:
    """One build per project at a time (parallel test runs, the benchmark, a demo)."""
    digest = hashlib.sha256(str(project).encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"sms-engine-build-{digest}.lock"
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another build of {project} to finish (lock {lock_path})")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run_maven(cmd: list[str], say: Progress) -> None:
    started = time.monotonic()
    tail: collections.deque[str] = collections.deque(maxlen=80)
    with subprocess.Popen(  # noqa: S603 (a fixed command line)
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as process:
        # A hung Maven must not hang the caller: kill it after the timeout.
        watchdog = threading.Timer(BUILD_TIMEOUT_S, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None
            _report(process.stdout, tail, say, started)
            code = process.wait()
        finally:
            watchdog.cancel()
    elapsed = time.monotonic() - started
    if code != 0:
        output = "\n".join(tail)
        raise EngineBuildError(f"{' '.join(cmd)} failed ({code}) after {elapsed:.0f} s:\n{output}")
    say(f"maven: built in {elapsed:.0f} s")


def _report(
    lines: Iterable[str],
    tail: collections.deque[str],
    say: Progress,
    started: float,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Trim Maven's output to one line per build step, a download count now and then, and
    its warnings and errors."""
    downloads, reported_at = 0, clock()
    for raw in lines:
        line = raw.rstrip()
        tail.append(line)
        if line.startswith(_DOWNLOADED):
            downloads += 1
            if clock() - reported_at >= DOWNLOAD_REPORT_EVERY_S:
                reported_at = clock()
                elapsed = reported_at - started
                say(f"maven: {_files(downloads)} downloaded so far ({elapsed:.0f} s)")
            continue
        step = _STEP.match(line)
        if step:
            say(f"maven: {step.group(1)}:{step.group(2)}")
        elif line.startswith(("[WARNING]", "[ERROR]")):
            say(f"maven: {line}")
    if downloads:
        say(f"maven: {_files(downloads)} downloaded in all")


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"
