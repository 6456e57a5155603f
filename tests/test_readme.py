"""The README stays true: its Quick start is what CI runs, and what it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from worker.config import ENVIRONMENT
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_quick_start_is_two_commands_the_main_job_and_the_tests():
    demo, tests = _quick_start()
    assert demo.endswith("-m worker demo")
    assert tests.endswith("-m pytest")


def test_both_commands_install_into_a_virtual_environment_never_the_system_python():
    # Debian's and Ubuntu's Python refuse `pip install` outside one (PEP 668).
    for command in _quick_start():
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'")
        assert "python3 -m pip" not in command
        assert re.search(r"(?<!\.venv/bin/)\bpython3? -m (worker|pytest)", command) is None


def test_ci_runs_the_readmes_test_command_as_written():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _quick_start()[1] in ci_lines


def test_the_prerequisites_name_everything_the_commands_need():
    prerequisites = README.split("## Quick start", 1)[1].split("```sh", 1)[0]
    for needed in ("Python ≥ 3.10", "python3-venv", "Java 17", "Maven", "Node.js", "npm"):
        assert needed in prerequisites


def test_the_sandbox_credentials_are_stated():
    assert DEFAULT_ACCOUNT_SID in README
    assert DEFAULT_AUTH_TOKEN in README


def test_the_configuration_table_lists_exactly_the_settings():
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    listed = [name for row in rows for name in re.findall(r"`([A-Z0-9_]+)`", row.split("|")[1])]
    assert listed == list(ENVIRONMENT)
