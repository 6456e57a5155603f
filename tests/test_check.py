"""`twilio-sms-worker check`: one line per check and exit 0/1, against the real engine and the
Twilio stand-in; nothing is ever sent."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from worker.cli import main
from worker.config import ENVIRONMENT
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, standin: TwilioStandIn) -> pytest.MonkeyPatch:
    """Good Twilio settings for the stand-in and nothing else from the caller's environment."""
    for var in ENVIRONMENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT", DEFAULT_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_TOKEN", DEFAULT_AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_API_URL", standin.url)
    return monkeypatch


def _refused_url() -> str:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return f"http://127.0.0.1:{probe.getsockname()[1]}/engine-rest"


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, str]]:
    code = main(["check"])
    lines = capsys.readouterr().out.splitlines()
    return code, {line.split()[1].rstrip(":"): line for line in lines}


@pytest.mark.engine
def test_a_working_setup_passes_every_check(
    engine: LocalEngine,
    standin: TwilioStandIn,
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    env.setenv("CAMUNDA_URL", engine.url)
    code, lines = _check(capsys)
    assert code == 0
    assert list(lines) == ["configuration", "engine", "twilio", "messages"]
    assert all(line.startswith("ok") for line in lines.values())
    assert f"REST API version {engine.version()}" in lines["engine"]
    assert standin.delivered == {}


@pytest.mark.engine
def test_a_wrong_twilio_token_fails_the_twilio_check_only(
    engine: LocalEngine, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("CAMUNDA_URL", engine.url)
    env.setenv("TWILIO_TOKEN", "0" * 32)
    code, lines = _check(capsys)
    assert code == 1
    assert lines["engine"].startswith("ok")
    assert lines["twilio"].startswith("FAIL")
    assert "HTTP 401" in lines["twilio"]
    assert "TWILIO_TOKEN" in lines["twilio"]


def test_an_unreachable_engine_fails_the_engine_check(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("CAMUNDA_URL", _refused_url())
    code, lines = _check(capsys)
    assert code == 1
    assert lines["engine"].startswith("FAIL")
    assert "CAMUNDA_URL" in lines["engine"]
    assert lines["twilio"].startswith("ok")


@pytest.mark.engine
def test_each_node_of_a_cluster_is_checked_on_its_own(
    engine: LocalEngine, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    dead = _refused_url()
    env.setenv("CAMUNDA_URL", f"{engine.url},{dead}")
    code, lines = _check(capsys)
    assert code == 1
    assert lines["engine"].startswith("FAIL")
    assert f"REST API version {engine.version()} at {engine.url}" in lines["engine"]
    assert f"{dead} failed: version: connection refused" in lines["engine"]


def test_a_refused_connection_asks_whether_the_engine_runs(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("CAMUNDA_URL", _refused_url())
    engine_line = _check(capsys)[1]["engine"]
    assert "version: connection refused" in engine_line
    assert "is the engine running on CAMUNDA_URL's host and port?" in engine_line


def test_an_unknown_host_is_named_as_such(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # .invalid never resolves (RFC 6761).
    env.setenv("CAMUNDA_URL", "http://camunda.invalid:8080/engine-rest")
    engine_line = _check(capsys)[1]["engine"]
    assert "version: host not found" in engine_line
    assert "check the host in CAMUNDA_URL" in engine_line


def test_a_404_on_version_asks_for_the_engine_rest_path(
    env: pytest.MonkeyPatch, standin: TwilioStandIn, capsys: pytest.CaptureFixture[str]
):
    # Any web server that is not the engine's REST API: here the stand-in, which answers 404.
    env.setenv("CAMUNDA_URL", f"{standin.url}/camunda")
    engine_line = _check(capsys)[1]["engine"]
    assert "HTTP 404" in engine_line
    assert "is the URL's path /engine-rest?" in engine_line


def test_the_auth_token_in_the_account_resource_is_never_printed(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("CAMUNDA_URL", _refused_url())
    main(["check"])
    captured = capsys.readouterr()
    assert DEFAULT_AUTH_TOKEN not in captured.out + captured.err


def test_invalid_settings_fail_one_line_each_and_skip_the_rest(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("SMS_METRICS_PORT", "70000")
    env.setenv("SMS_MAX_CONCURRENCY", "lots")
    code = main(["check"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert [line.split()[:2] for line in lines] == [
        ["FAIL", "configuration:"],
        ["FAIL", "configuration:"],
        ["skip", "engine:"],
        ["skip", "twilio:"],
    ]
    assert "SMS_MAX_CONCURRENCY" in lines[0]
    assert "SMS_METRICS_PORT=70000 is out of range" in lines[1]


def test_run_refuses_to_start_naming_each_bad_setting(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("SMS_METRICS_PORT", "-1")
    env.setenv("SMS_LOG_LEVEL", "loud")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "SMS_METRICS_PORT=-1 is out of range" in err
    assert "SMS_LOG_LEVEL='loud' must be one of" in err


def test_credentials_in_the_engine_url_are_never_printed(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("CAMUNDA_URL", _refused_url().replace("http://", "http://operator:hunter2-pw@"))
    code, lines = _check(capsys)
    captured = "\n".join(lines.values())
    assert code == 1
    assert lines["engine"].startswith("FAIL")
    assert "hunter2-pw" not in captured
    assert "operator" not in captured


def test_credentials_in_the_twilio_url_fail_the_configuration_without_being_printed(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("TWILIO_API_URL", "https://AC1:hunter2-pw@api.twilio.com")
    code, lines = _check(capsys)
    assert code == 1
    assert "must not hold credentials" in lines["configuration"]
    assert "hunter2-pw" not in "\n".join(lines.values())


def test_a_warning_about_plain_http_is_shown_with_the_configuration(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    env.setenv("CAMUNDA_URL", "http://camunda.invalid:8080/engine-rest")
    env.setenv("CAMUNDA_TOKEN", "bearer-t0ken")
    _, lines = _check(capsys)
    assert lines["configuration"].startswith("ok")
    assert "warning: CAMUNDA_URL is plain http:// to camunda.invalid" in lines["configuration"]
    assert "bearer-t0ken" not in "\n".join(lines.values())


RESTRICTED_KEY = ("SK" + "5e" * 16, "restricted-secret")


def _run_worker() -> subprocess.CompletedProcess[str]:
    """`run` as a child process with the test's environment (it must refuse to start)."""
    return subprocess.run(
        [sys.executable, "-m", "worker", "run"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def restricted(standin: TwilioStandIn, env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Credentials of an API key that may send but not list Messages; no engine."""
    standin.add_api_key(*RESTRICTED_KEY, read_messages=False)
    env.setenv("TWILIO_API_KEY", RESTRICTED_KEY[0])
    env.setenv("TWILIO_API_SECRET", RESTRICTED_KEY[1])
    env.setenv("CAMUNDA_URL", _refused_url())
    return env


def test_an_api_key_that_may_not_read_messages_fails_the_messages_check(
    standin: TwilioStandIn, restricted: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    code, lines = _check(capsys)
    assert code == 1
    assert lines["twilio"].startswith("ok")
    assert lines["messages"].startswith("FAIL")
    assert "read access to Messages" in lines["messages"]
    assert "SMS_RECONCILE=off" in lines["messages"]
    assert standin.delivered == {}


def test_without_reconciliation_messages_need_not_be_readable(
    restricted: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    restricted.setenv("SMS_RECONCILE", "off")
    _, lines = _check(capsys)
    assert "messages" not in lines


def test_run_refuses_to_start_with_a_key_that_may_not_read_messages(
    restricted: pytest.MonkeyPatch,
):
    finished = _run_worker()
    assert finished.returncode == 2
    assert "Twilio refused to list Messages" in finished.stderr
    assert "SMS_RECONCILE=off" in finished.stderr
    assert RESTRICTED_KEY[1] not in finished.stderr


def test_run_refuses_to_start_with_credentials_twilio_refuses(env: pytest.MonkeyPatch):
    env.setenv("TWILIO_TOKEN", "0" * 32)
    env.setenv("CAMUNDA_URL", _refused_url())
    finished = _run_worker()
    assert finished.returncode == 2
    assert "Twilio refused the credentials" in finished.stderr
    assert "0" * 32 not in finished.stderr
