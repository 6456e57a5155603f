"""Log output: human lines or JSON lines, phone numbers masked, secrets never written."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.config import LogFormat, secret_values
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import DEFAULT_AUTH_TOKEN, TwilioStandIn
from worker.engine.client import EngineClient
from worker.logs import configure_logging
from worker.runtime.check import check_twilio
from worker.runtime.daemon import Daemon

log = logging.getLogger("worker.test")


@pytest.fixture
def installed() -> Iterator[None]:
    """Restores the root logger after a test installs the worker's handler."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@contextmanager
def _alone(handler: logging.Handler) -> Iterator[None]:
    """`handler` as the root logger's only one, as in production. pytest adds its own capture
    handlers for each test phase, and they format a record first, which caches its traceback
    text unmasked for every handler after them: that would hide whether ours masks it."""
    root = logging.getLogger()
    others = [h for h in root.handlers if h is not handler]
    for other in others:
        root.removeHandler(other)
    try:
        yield
    finally:
        for other in others:
            root.addHandler(other)


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_the_default_format_is_one_readable_line(
    installed: None, capsys: pytest.CaptureFixture[str]
):
    configure_logging(LogFormat.HUMAN, logging.INFO)
    log.info("polling %s", "SEND_SMS")
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.endswith(" INFO worker.test polling SEND_SMS")


def test_json_lines_carry_the_fields_passed_with_extra(
    installed: None, capsys: pytest.CaptureFixture[str]
):
    configure_logging(LogFormat.JSON, logging.INFO)
    log.info("done", extra={"task_id": "t-1", "outcome": "completed", "duration_ms": 12})
    entry = _json_lines(capsys.readouterr().err)[-1]
    assert set(entry) == {"time", "level", "logger", "message", "task_id", "outcome", "duration_ms"}
    assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "worker.test", "done")
    assert (entry["task_id"], entry["outcome"], entry["duration_ms"]) == ("t-1", "completed", 12)


def test_phone_numbers_are_masked_in_messages_and_tracebacks(
    installed: None, capsys: pytest.CaptureFixture[str]
):
    configure_logging(LogFormat.JSON, logging.INFO)
    try:
        raise ValueError("refused +14155552671")
    except ValueError:
        log.exception("sending to %s failed", "+12125550100")
    entry = _json_lines(capsys.readouterr().err)[-1]
    assert entry["message"] == "sending to +1212***0100 failed"
    assert "+1415***2671" in str(entry["exception"])
    assert "+14155552671" not in str(entry)


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_a_traceback_is_masked_by_a_handler_configured_as_in_production(
    installed: None, capsys: pytest.CaptureFixture[str], log_format: LogFormat
):
    handler = configure_logging(log_format, logging.INFO, secrets=["s3cr3t-token"])
    with _alone(handler):
        try:
            raise ValueError("refused +14155552671 with s3cr3t-token")
        except ValueError:
            log.exception("sending failed")
    err = capsys.readouterr().err
    assert "ValueError: refused +1415***2671 with ***" in err.replace("\\n", "\n")
    assert "+14155552671" not in err
    assert "s3cr3t-token" not in err


def test_numbers_in_any_notation_and_url_credentials_are_masked_in_log_lines(
    installed: None, capsys: pytest.CaptureFixture[str]
):
    configure_logging(LogFormat.HUMAN, logging.INFO)
    log.warning("to (415) 555-0103, 0044 20 7946 0958 via http://u:hunter2-pw@engine/rest")
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.endswith("to 41***03, 0044***0958 via http://***@engine/rest")


def test_configured_secrets_are_redacted_whoever_logs_them(
    installed: None, capsys: pytest.CaptureFixture[str]
):
    secrets = secret_values({"TWILIO_TOKEN": "s3cr3t-token", "CAMUNDA_PASSWORD": "pa55word"})
    configure_logging(LogFormat.HUMAN, logging.INFO, secrets=secrets)
    logging.getLogger("some.library").warning("config: %s", {"password": "pa55word"})
    log.info("token s3cr3t-token")
    err = capsys.readouterr().err
    assert "pa55word" not in err
    assert "s3cr3t-token" not in err
    assert err.count("***") == 2


def test_the_engine_client_never_logs_a_bearer_token(
    standin: TwilioStandIn, caplog: pytest.LogCaptureFixture
):
    # caplog sees records before any redaction: this is about what the code logs.
    settings = replace(settings_for(standin), camunda_token="bearer-t0ken-value")
    with caplog.at_level(logging.DEBUG):
        EngineClient(settings.engine).close()
    assert "Created External Task client" in caplog.text
    assert "bearer-t0ken-value" not in caplog.text


def test_checking_twilio_never_logs_the_auth_token_in_the_account(
    standin: TwilioStandIn, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.DEBUG):
        result = check_twilio(settings_for(standin))
    assert result.ok
    assert DEFAULT_AUTH_TOKEN not in caplog.text + result.line()


@pytest.mark.engine
def test_each_task_ends_with_one_json_line_naming_it(
    engine: LocalEngine, standin: TwilioStandIn, installed: None, capsys: pytest.CaptureFixture[str]
):
    key, topic = "logs_json", "SEND_SMS_LOGS"
    engine.deploy((f"{key}.bpmn", sms_process(key, topic=topic)))
    instance = engine.start_process(
        key,
        {
            "smsFrom": {"type": "String", "value": GOOD_FROM},
            "smsTo": {"type": "String", "value": "+14155552671"},
            "smsBody": {"type": "String", "value": "Hello"},
        },
    )
    configure_logging(LogFormat.JSON, logging.INFO)
    settings = settings_for(standin, camunda_url=engine.url, topic=topic, poll_timeout_ms=500)
    daemon = Daemon(settings)
    runner = threading.Thread(target=daemon.serve, daemon=True)
    runner.start()
    try:
        engine.wait_until(lambda: engine.is_ended(instance), 30, what="ended")
    finally:
        daemon.stop()
        runner.join(30)
        daemon.close()
    err = capsys.readouterr().err
    done = [e for e in _json_lines(err) if e.get("outcome")]
    assert len(done) == 1
    assert done[0]["process_instance_id"] == instance
    assert (done[0]["outcome"], done[0].get("error_code")) == ("completed", None)
    assert isinstance(done[0]["task_id"], str)
    assert isinstance(done[0]["duration_ms"], int)
    assert "+14155552671" not in err
