"""Building an engine jar: skipped when up to date, Maven's output trimmed to progress lines."""

from __future__ import annotations

import collections
import itertools
import os
from pathlib import Path

import pytest

from worker.dev.engine_build import EngineBuildError, _report, build_jar, jar_path

MAVEN_OUTPUT = """\
[INFO] Scanning for projects...
[INFO] Downloading from central: https://repo.maven.apache.org/maven2/a.pom
[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/a.pom (2 kB at 9 kB/s)
[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/b.jar (1 MB at 3 MB/s)
[WARNING] The POM for x:y:jar:1.0 is invalid
[INFO] --- maven-resources-plugin:3.3.1:resources (default-resources) @ sms-engine ---
[INFO] Copying 1 resource from src/main/resources to target/classes
[INFO] --- maven-compiler-plugin:3.14.0:compile (default-compile) @ sms-engine ---
[INFO] --- spring-boot-maven-plugin:3.5.5:repackage (repackage) @ sms-engine ---
[INFO] BUILD SUCCESS
"""


def _trimmed(output: str, seconds_per_line: float = 0.0) -> list[str]:
    said: list[str] = []
    ticks = itertools.count()
    _report(
        output.splitlines(),
        collections.deque(maxlen=10),
        said.append,
        started=0.0,
        clock=lambda: next(ticks) * seconds_per_line,
    )
    return said


def test_maven_output_is_trimmed_to_steps_warnings_and_a_download_count():
    assert _trimmed(MAVEN_OUTPUT) == [
        "maven: [WARNING] The POM for x:y:jar:1.0 is invalid",
        "maven: resources:resources",
        "maven: compiler:compile",
        "maven: spring-boot:repackage",
        "maven: 2 files downloaded in all",
    ]


def test_a_long_download_phase_reports_a_running_count():
    downloads = "".join(f"[INFO] Downloaded from central: f{n}.jar\n" for n in range(10))
    said = _trimmed(downloads, seconds_per_line=1.0)
    counts = [int(line.split()[1]) for line in said if "files downloaded so far" in line]
    assert len(counts) >= 2
    assert counts == sorted(set(counts))
    assert said[-1] == "maven: 10 files downloaded in all"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "pom.xml").write_text("<project/>")
    (tmp_path / "src" / "App.java").write_text("class App {}")
    return tmp_path


def test_an_up_to_date_jar_is_not_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project = _project(tmp_path)
    jar = jar_path(project)
    jar.parent.mkdir()
    jar.write_bytes(b"jar")
    newer = max(p.stat().st_mtime for p in project.rglob("*")) + 10
    os.utime(jar, (newer, newer))
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))  # Maven could not run
    said: list[str] = []
    assert build_jar(project, "Test engine", said.append) == jar
    assert said == []


def test_without_maven_a_stale_jar_is_an_error_that_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    project = _project(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    with pytest.raises(EngineBuildError, match=r"Maven \('mvn'\) is not on PATH"):
        build_jar(project, "Test engine")
