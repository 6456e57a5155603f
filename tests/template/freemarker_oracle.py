"""Apache FreeMarker as a reference oracle: the Maven project in `dev/freemarker`.

One JVM renders a whole batch (JSON lines in, JSON lines out), so a corpus of a thousand
templates costs one JVM start. `build()` runs Maven only when the jar is missing or older than
the pom or the sources, under a file lock so parallel test runs build once.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2] / "dev" / "freemarker"
JAR = PROJECT / "target" / "sms-freemarker.jar"
FREEMARKER_VERSION = "2.3.34"


class OracleUnavailable(RuntimeError):
    """Java or Maven is missing, or the build failed."""


@dataclass(frozen=True)
class Rendered:
    """FreeMarker's answer: `output`, or `error` = "parse" | "missing" | "other"."""

    output: str | None
    error: str | None = None
    exception: str = ""
    message: str = ""


def build() -> Path:
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise OracleUnavailable(f"the FreeMarker oracle needs {' and '.join(missing)} on PATH")
    lock_path = Path(tempfile.gettempdir()) / "sms-freemarker-oracle-build.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sources = [PROJECT / "pom.xml", *(p for p in (PROJECT / "src").rglob("*") if p.is_file())]
        if JAR.is_file() and JAR.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
            return JAR
        command = ["mvn", "-q", "-B", "-f", str(PROJECT / "pom.xml"), "package"]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
        if done.returncode != 0 or not JAR.is_file():
            output = (done.stdout + done.stderr)[-8000:]
            raise OracleUnavailable(f"{' '.join(command)} failed ({done.returncode}):\n{output}")
    return JAR


def render_batch(
    cases: Sequence[tuple[str, Mapping[str, Any]]],
    locales: Sequence[str | None] | None = None,
    time_zones: Sequence[str | None] | None = None,
) -> list[Rendered]:
    """Render every (template, metadata) with FreeMarker, in one JVM; `locales` and
    `time_zones` give each case's (None: the configuration's en_US and UTC)."""
    requests = []
    for i, (template, metadata) in enumerate(cases):
        request: dict[str, Any] = {"id": i, "template": template, "metadata": metadata}
        if locales is not None and locales[i] is not None:
            request["locale"] = locales[i]
        if time_zones is not None and time_zones[i] is not None:
            request["timeZone"] = time_zones[i]
        requests.append(json.dumps(request) + "\n")
    lines = "".join(requests)
    done = subprocess.run(
        ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", str(build())],
        input=lines.encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise OracleUnavailable(f"the oracle failed:\n{done.stderr.decode()[-4000:]}")
    # Lines end with "\n" only: str.splitlines would also split inside an answer holding
    # U+2028 or U+0085, which the oracle's JSON leaves unescaped.
    lines = done.stdout.decode().split("\n")
    answers = [json.loads(line) for line in lines if line.strip()]
    if [answer["id"] for answer in answers] != list(range(len(cases))):
        raise OracleUnavailable("the oracle's answers do not match the batch")
    return [
        Rendered(a.get("output"), a.get("error"), a.get("exception", ""), a.get("message", ""))
        for a in answers
    ]
