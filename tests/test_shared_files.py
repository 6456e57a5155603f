"""Finding the shared folder (the contract and Twilio's spec) from any checkout, and `.ci/run`
stopping when it is missing, so contract tests can never skip in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import shared_files

ROOT = Path(__file__).resolve().parents[1]


def _shared(folder: Path) -> Path:
    for relative in (shared_files.CONTRACT, shared_files.TWILIO_SPEC):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text("{}", encoding="utf-8")
    return folder


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _repository(path: Path) -> Path:
    """A git repository holding `.ci/run` and the resolver, as the real one does."""
    (path / ".ci").mkdir(parents=True)
    (path / "tests").mkdir()
    shutil.copy(ROOT / ".ci" / "run", path / ".ci" / "run")
    shutil.copy(ROOT / "tests" / "shared_files.py", path / "tests" / "shared_files.py")
    _git("init", "-q", cwd=path)
    _git("add", "-A", cwd=path)
    commit = ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x"]
    _git(*commit, cwd=path)
    return path


def _clone(origin: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _git("clone", "-q", str(origin), str(path), cwd=path.parent)
    return path


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"CI", shared_files.ENV_VAR}}


def test_the_variable_names_the_folder(tmp_path: Path):
    folder = _shared(tmp_path / "elsewhere")
    environ = {shared_files.ENV_VAR: str(folder)}
    assert shared_files.find(tmp_path / "repo", environ) == folder


def test_a_variable_naming_a_folder_without_the_files_finds_nothing(tmp_path: Path):
    _shared(tmp_path / "shared")  # beside the checkout, but the variable wins
    environ = {shared_files.ENV_VAR: str(tmp_path / "empty")}
    assert shared_files.find(tmp_path / "repo", environ) is None


def test_the_folder_beside_the_checkout_is_found(tmp_path: Path):
    shared = _shared(tmp_path / "shared")
    repo = _repository(tmp_path / "repo")
    assert shared_files.find(repo, {}) == shared


def test_the_folder_beside_the_origin_of_a_clone_is_found(tmp_path: Path):
    shared = _shared(tmp_path / "work" / "shared")
    origin = _repository(tmp_path / "work" / "main")
    clone = _clone(origin, tmp_path / "ci" / "somewhere" / "clone")
    assert shared_files.find(clone, {}) == shared


def test_a_folder_with_one_file_only_is_not_enough(tmp_path: Path):
    shared = _shared(tmp_path / "shared")
    (shared / shared_files.TWILIO_SPEC).unlink()
    assert shared_files.find(_repository(tmp_path / "repo"), {}) is None


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"CI": "true"}, True),
        ({"CI": "1"}, True),
        ({"CI": "false"}, False),
        ({shared_files.ENV_VAR: "/somewhere"}, True),
    ],
)
def test_the_files_must_exist_in_ci_or_once_the_folder_is_named(
    environ: dict[str, str], expected: bool
):
    assert shared_files.must_exist(environ) is expected


def test_ci_run_finds_the_folder_beside_the_origin_of_a_clean_clone(tmp_path: Path):
    shared = _shared(tmp_path / "work" / "shared")
    clone = _clone(_repository(tmp_path / "work" / "main"), tmp_path / "ci" / "clone")
    done = subprocess.run(
        ["bash", ".ci/run", "--check-shared"],
        cwd=clone,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"shared folder: {shared}"


def test_ci_run_stops_loudly_without_the_folder(tmp_path: Path):
    clone = _clone(_repository(tmp_path / "work" / "main"), tmp_path / "ci" / "clone")
    done = subprocess.run(
        ["bash", ".ci/run"],
        cwd=clone,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "the shared folder" in done.stderr
    assert str(tmp_path / "work" / "shared") in done.stderr  # where it looked
    assert done.stdout == ""  # nothing was installed or run
