"""`twilio-sms-worker demo` (worker/demo.py): the README's first command on a fresh machine."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from worker.cli import _parser
from worker.dev import demo, demo_parts
from worker.dev.local_engine import LocalEngine


def _cleanup(engine: LocalEngine) -> None:
    # The error-path run leaves its instance waiting in a user task on the shared engine.
    for instance in engine.call(
        "GET", "/process-instance", params={"processDefinitionKey": demo.PROCESS_KEY}
    ):
        engine.call("DELETE", f"/process-instance/{instance['id']}")


@pytest.mark.engine
def test_the_demo_sends_the_sample_sms_and_prints_the_result(engine: LocalEngine) -> None:
    out = io.StringIO()
    # poll_timeout_ms=0: the shared engine outlives this worker (see run_demo).
    code = demo.run_demo(engine=engine, out=out, poll_timeout_ms=0, to="+14155550111")
    text = out.getvalue()
    assert code == demo.EXIT_SENT, text
    assert "deployed send-sms.bpmn" in text
    assert "instance ended at 'Customer notified'" in text
    assert 'smsResult = {"SM' in text
    assert '"+14155550111"}' in text
    assert 'To=+14155550111 Body="Hi Ann, your order A-1042 is on its way."' in text
    assert "total time:" in text.splitlines()[-1]


@pytest.mark.engine
def test_the_demo_shows_the_error_path_and_exits_1(engine: LocalEngine) -> None:
    out = io.StringIO()
    try:
        code = demo.run_demo(engine=engine, out=out, poll_timeout_ms=0, to="+15005550001")
    finally:
        _cleanup(engine)
    text = out.getvalue()
    assert code == demo.EXIT_NOT_SENT, text
    assert "waits in user task 'Task_FixNumber'" in text
    assert "smsErrorCode = INVALID_TO_PHONE_NUMBER_ERROR" in text


def test_without_java_the_demo_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_parts.shutil, "which", lambda tool: None)

    def no_engine(flavour: object) -> LocalEngine:
        raise AssertionError("no engine may be started")

    out = io.StringIO()
    assert demo.run_demo(out=out, engine_factory=no_engine) == demo.EXIT_NO_ENGINE
    text = out.getvalue()
    assert "needs Java 17" in text
    assert "docker compose up" in text
    assert "total time:" in text


def test_a_missing_model_file_is_reported(tmp_path: Path) -> None:
    out = io.StringIO()
    code = demo.run_demo(bpmn=tmp_path / "nope.bpmn", out=out)
    assert code == demo.EXIT_NO_ENGINE
    assert "nope.bpmn not found" in out.getvalue()


class _InterruptedEngine:
    """Starts, then the user presses Ctrl-C while the model is being deployed."""

    url = "http://127.0.0.1:9/engine-rest"

    def __init__(self) -> None:
        self.stopped = 0

    def start(self) -> _InterruptedEngine:
        return self

    def deploy(self, *args: Any, **kwargs: Any) -> str:
        raise KeyboardInterrupt

    def stop(self) -> None:
        self.stopped += 1


def test_ctrl_c_stops_the_engine_and_prints_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    build = staticmethod(lambda project, **_kw: project)
    monkeypatch.setattr(demo_parts.LocalEngine, "build", build)
    monkeypatch.setattr(demo_parts, "missing_tools", lambda project, flavour: None)
    fake = _InterruptedEngine()
    out = io.StringIO()
    code = demo.run_demo(out=out, engine_factory=lambda _flavour: fake)  # type: ignore[arg-type,return-value]
    assert code == demo.EXIT_INTERRUPTED
    assert fake.stopped == 1
    lines = out.getvalue().splitlines()
    assert any(line.endswith("interrupted") for line in lines)
    assert any(line.endswith("stopping the engine...") for line in lines)
    assert lines[-1].startswith("total time:")


def test_the_cli_has_a_demo_command() -> None:
    args = _parser().parse_args(["demo", "--to", "+14155550100", "--timeout", "30"])
    assert args.command == "demo"
    assert args.to == "+14155550100"
    assert args.timeout == 30
