"""`send` and `render` as an operator runs them: exit codes, stdout, the JSON error line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.twilio_fixtures import GOOD_FROM
from tests.worker_process import start_worker, stop_worker
from worker import __version__
from worker.cli import main
from worker.config import ENVIRONMENT
from worker.dev.demo_two_way import free_port
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def twilio_env(standin: TwilioStandIn, monkeypatch: pytest.MonkeyPatch) -> TwilioStandIn:
    monkeypatch.setenv("TWILIO_ACCOUNT", DEFAULT_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_TOKEN", DEFAULT_AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_API_URL", standin.url)
    return standin


def _last_json_line(text: str) -> dict[str, object]:
    return dict(json.loads(text.strip().splitlines()[-1]))


def test_send_prints_smsresult_and_exits_0(
    twilio_env: TwilioStandIn, capsys: pytest.CaptureFixture[str]
):
    code = main(["send", "--from", GOOD_FROM, "--to", "+14155552671", "--body", "Hi"])
    out = capsys.readouterr().out
    assert code == 0
    assert list(json.loads(out).values()) == ["+14155552671"]


def test_send_renders_metadata(twilio_env: TwilioStandIn, capsys: pytest.CaptureFixture[str]):
    argv = [
        "send",
        "--from",
        GOOD_FROM,
        "--to",
        '["+14155552671"]',
        "--body",
        "Hi ${n}",
        "--metadata",
        '{"n": "Bo"}',
    ]
    assert main(argv) == 0
    assert twilio_env.received[0].form["Body"] == "Hi Bo"


def test_send_error_exits_1_with_a_json_last_line(
    twilio_env: TwilioStandIn, capsys: pytest.CaptureFixture[str]
):
    code = main(["send", "--from", GOOD_FROM, "--to", "not-a-number", "--body", "Hi"])
    err = _last_json_line(capsys.readouterr().err)
    assert code == 1
    assert err["errorCode"] == "INVALID_TO_PHONE_NUMBER_ERROR"
    assert err["errorMessage"] == 'smsTo: "not-a-number" is not a phone number'


def test_send_twilio_error_carries_the_partial_result(
    twilio_env: TwilioStandIn, capsys: pytest.CaptureFixture[str]
):
    code = main(["send", "--from", GOOD_FROM, "--to", "+14155552671,+15005550001", "--body", "x"])
    err = _last_json_line(capsys.readouterr().err)
    assert code == 1
    assert list(err["smsResult"].values()) == ["+14155552671"]  # type: ignore[union-attr]


def test_send_without_credentials_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("TWILIO_ACCOUNT", raising=False)
    monkeypatch.delenv("TWILIO_TOKEN", raising=False)
    assert main(["send", "--from", GOOD_FROM, "--to", "+14155552671", "--body", "x"]) == 2
    assert "TWILIO_ACCOUNT is required" in capsys.readouterr().err


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exited:
        main(["send", "--from", GOOD_FROM])
    assert exited.value.code == 2


def test_render_prints_exactly_the_text(capsys: pytest.CaptureFixture[str]):
    assert main(["render", "--body", "Dear ${p.name},\n", "--metadata", '{"p":{"name":"Al"}}']) == 0
    assert capsys.readouterr().out == "Dear Al,\n"


def test_render_reads_a_body_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    body = tmp_path / "body.ftl"
    body.write_text("Total: ${n}", encoding="utf-8")
    assert main(["render", "--body-file", str(body), "--metadata", '{"n": 1234567}']) == 0
    assert capsys.readouterr().out == "Total: 1,234,567"


def test_render_error_exits_1_with_a_json_last_line(capsys: pytest.CaptureFixture[str]):
    assert main(["render", "--body", "Hi ${who}"]) == 1
    assert _last_json_line(capsys.readouterr().err)["errorCode"] == "TEMPLATE_METADATA_ERROR"


def test_render_of_a_missing_file_is_a_read_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["render", "--body-file", str(tmp_path / "nope.ftl")]) == 1
    assert _last_json_line(capsys.readouterr().err)["errorCode"] == "TEMPLATE_READ_ERROR"


def test_render_with_bad_metadata_is_invalid_input(capsys: pytest.CaptureFixture[str]):
    assert main(["render", "--body", "x", "--metadata", "[1]"]) == 1
    assert _last_json_line(capsys.readouterr().err)["errorCode"] == "INVALID_INPUT"


def test_the_package_runs_as_python_dash_m():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "worker", "render", "--body", "ok"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "ok")


@contextmanager
def _spawned(*args: str, pipe: str, **env: str) -> Iterator[subprocess.Popen[str]]:
    """`python -m worker ARGS` with `pipe` ("stdout" or "stderr") readable; killed at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", *args],
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        **{pipe: subprocess.PIPE},
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@contextmanager
def _sandbox() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`sandbox` on a free port; yields the process and its introduction (up to the line that
    announces requests)."""
    with _spawned("sandbox", "--port", "0", pipe="stdout") as process:
        assert process.stdout is not None
        intro: list[str] = []
        while not intro or not intro[-1].startswith("Requests as they come"):
            line = process.stdout.readline()
            assert line, f"sandbox ended before its introduction: {intro}"
            intro.append(line.rstrip("\n"))
        yield process, intro


def test_sandbox_serves_the_stand_in_until_sigterm():
    with _sandbox() as (process, intro):
        url = intro[0].split()[3]
        account = f"{url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}.json"
        answer = requests.get(account, auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN), timeout=5)
        assert answer.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_sandbox_prints_the_credentials_it_accepts_and_how_to_use_them():
    with _sandbox() as (_process, intro):
        url = intro[0].split()[3]
    text = "\n".join(intro)
    assert f"Account SID  {DEFAULT_ACCOUNT_SID}" in text
    assert f"Auth token   {DEFAULT_AUTH_TOKEN}" in text
    exports = f"TWILIO_API_URL={url} TWILIO_ACCOUNT={DEFAULT_ACCOUNT_SID} "
    assert exports + f"TWILIO_TOKEN={DEFAULT_AUTH_TOKEN}" in text


def test_sandbox_prints_one_masked_line_per_message():
    with _sandbox() as (process, intro):
        url = intro[0].split()[3]
        requests.post(
            f"{url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json",
            data={"From": "MyShop", "To": "+447700900123", "Body": "hi"},
            auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN),
            timeout=5,
        )
        assert process.stdout is not None
        line = process.stdout.readline().strip()
    assert line.startswith("POST Messages From=MyShop To=+4477***0123 -> 201 SM")


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"twilio-sms-worker {__version__}\n"


@pytest.mark.parametrize("command", ["run", "check", "send", "render", "sandbox", "demo"])
def test_each_command_describes_itself_and_the_environment_it_reads(
    command: str, capsys: pytest.CaptureFixture[str]
):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    description = text.split("\n\n")[1]
    assert len(description) > 60
    assert "environment variables read" in text
    assert "SMS_LOG_LEVEL   " in text or "SMS_LOG_LEVEL  " in text


def test_run_lists_every_setting_with_its_default(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    listed = {
        line.split()[0]: line.split(maxsplit=1)[1]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("  ") and line.split()[0] in ENVIRONMENT
    }
    assert list(listed) == list(ENVIRONMENT)
    assert listed["TWILIO_ACCOUNT"] == "required"
    assert listed["SMS_MAX_CONCURRENCY"] == "default: 64"
    assert listed["SMS_UNCAUGHT_ERRORS"] == "default: incident"
    assert listed["TWILIO_TOKEN"] == "no default (a secret)"


def test_send_lists_only_what_sending_reads(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["send", "--help"])
    text = capsys.readouterr().out
    assert "TWILIO_API_URL" in text
    assert "SMS_DEFAULT_REGION" in text
    assert "CAMUNDA_URL" not in text


def test_options_show_their_defaults(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "port (default: 8081)" in text
    assert "interface (default: 127.0.0.1;" in text


def test_run_logs_its_start_line_at_info():
    env = {
        "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
        "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
        "CAMUNDA_URL": _refused_url(),
        "SMS_LOG_FORMAT": "json",
        "SMS_LOG_LEVEL": "info",
        # No start-up probe of Twilio's message list: its warning would come first.
        "SMS_RECONCILE": "off",
    }
    with _spawned("run", pipe="stderr", **env) as process:
        assert process.stderr is not None
        records = [json.loads(process.stderr.readline()) for _ in range(2)]
    # The camunda client library logs its configuration first, at INFO too.
    start = next(r for r in records if r["logger"] == "worker")
    assert start["level"] == "INFO"
    assert start["message"].startswith(f"worker {socket.gethostname()}-")
    assert "polling" in start["message"]


def _refused_url() -> str:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return f"http://127.0.0.1:{probe.getsockname()[1]}/engine-rest"


def test_the_product_never_imports_the_development_tools():
    # `-X importtime` lists every module imported; the stand-in, local engine and demo are
    # loaded only by the commands that use them.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "worker", "run", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "worker.cli" in imported
    assert [name for name in imported if name.startswith("worker.dev")] == []


def test_webhooks_without_a_public_url_is_a_configuration_error(
    twilio_env: TwilioStandIn, capsys: pytest.CaptureFixture[str]
):
    assert main(["webhooks"]) == 2
    assert "SMS_PUBLIC_URL is required" in capsys.readouterr().err


def test_webhooks_serves_and_refuses_unsigned_webhooks_until_sigterm():
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
        "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
        "CAMUNDA_URL": "http://127.0.0.1:9/engine-rest",
        "SMS_PUBLIC_URL": "https://sms.example.com",
        "SMS_WEBHOOK_HOST": "127.0.0.1",
        "SMS_WEBHOOK_PORT": str(port),
        "SMS_LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "webhooks"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stderr is not None
        started = json.loads(process.stderr.readline())
        assert f"127.0.0.1:{port}" in started["message"]
        url = f"http://127.0.0.1:{port}"
        assert requests.get(url + "/healthz", timeout=10).status_code == 200
        # The engine is unreachable here: not ready.
        assert requests.get(url + "/readyz", timeout=30).status_code == 503
        assert (
            requests.post(url + "/twilio/inbound", data={"x": "1"}, timeout=10).status_code == 403
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()
        if process.stderr is not None:
            process.stderr.close()


def test_run_never_logs_credentials_given_in_the_engine_url(standin: TwilioStandIn):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    url = f"http://operator:hunter2-pw@127.0.0.1:{port}/engine-rest"  # nothing listens there
    process = start_worker(url, standin, "SEND_SMS_CREDENTIALS", SMS_LOG_LEVEL="debug")
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if "engine unavailable" in line:  # it started, logged its settings and polled
            break
    process.send_signal(signal.SIGTERM)
    output = "".join(seen) + stop_worker(process)
    assert f"http://127.0.0.1:{port}/engine-rest" in output
    assert "hunter2-pw" not in output
    assert "operator" not in output
