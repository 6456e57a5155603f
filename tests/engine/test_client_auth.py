"""The worker against an engine whose REST API requires HTTP Basic auth."""

from __future__ import annotations

import json
import threading

import pytest

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.cli import main
from worker.config import ENVIRONMENT
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn
from worker.engine.client import EngineClient
from worker.errors import EngineError
from worker.runtime.daemon import Daemon

pytestmark = pytest.mark.engine


@pytest.fixture
def secured_engine(auth_engine: LocalEngine) -> LocalEngine:
    return auth_engine


def test_without_credentials_the_engine_refuses_the_worker(
    secured_engine: LocalEngine, standin: TwilioStandIn
):
    client = EngineClient(settings_for(standin, camunda_url=secured_engine.url).engine)
    with pytest.raises(EngineError) as caught:
        client.fetch_and_lock(1, ["smsTo"])
    assert caught.value.status == 401


def test_with_basic_auth_the_worker_completes_tasks(
    secured_engine: LocalEngine, standin: TwilioStandIn
):
    secured_engine.deploy(("auth.bpmn", sms_process("auth", topic="SEND_SMS_AUTH")))
    instance = secured_engine.start_process(
        "auth",
        {
            "smsFrom": {"type": "String", "value": GOOD_FROM},
            "smsTo": {"type": "String", "value": "+14155552671"},
            "smsBody": {"type": "String", "value": "Hi"},
        },
    )
    settings = settings_for(
        standin,
        camunda_url=secured_engine.url,
        camunda_user="demo",
        camunda_password="demo",
        topic="SEND_SMS_AUTH",
        poll_timeout_ms=500,
    )
    daemon = Daemon(settings)
    thread = threading.Thread(target=daemon.serve, daemon=True)
    thread.start()
    try:
        secured_engine.wait_until(lambda: secured_engine.is_ended(instance), 30)
    finally:
        daemon.stop()
        thread.join(30)
        daemon.close()
    result = json.loads(secured_engine.process_variables(instance)["smsResult"]["value"])
    assert list(result.values()) == ["+14155552671"]


def test_credentials_given_in_camunda_url_log_in_and_are_never_printed(
    secured_engine: LocalEngine,
    standin: TwilioStandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    for var in ENVIRONMENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT", DEFAULT_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_TOKEN", DEFAULT_AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_API_URL", standin.url)
    monkeypatch.setenv("CAMUNDA_URL", secured_engine.url.replace("://", "://demo:demo@"))
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert f"at {secured_engine.url}" in captured.out
    assert "demo:demo" not in captured.out + captured.err
