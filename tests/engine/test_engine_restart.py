"""The worker outlives its engine: stopped, then started again on the same address."""

from __future__ import annotations

import json
import threading

import pytest

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import EngineFlavour, LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.runtime.daemon import Daemon

pytestmark = pytest.mark.engine


def _send_one(engine: LocalEngine, number: str) -> str:
    engine.deploy(("restart.bpmn", sms_process("restart", topic="SEND_SMS_RESTART")))
    return engine.start_process(
        "restart",
        {
            "smsFrom": {"type": "String", "value": GOOD_FROM},
            "smsTo": {"type": "String", "value": number},
            "smsBody": {"type": "String", "value": "Hi"},
        },
    )


def test_the_worker_resumes_after_the_engine_restarts(
    standin: TwilioStandIn, engine_flavour: EngineFlavour
):
    LocalEngine.build(flavour=engine_flavour)
    first = LocalEngine(flavour=engine_flavour).start()
    port = first.port
    settings = settings_for(
        standin, camunda_url=first.url, topic="SEND_SMS_RESTART", poll_timeout_ms=2_000
    )
    daemon = Daemon(settings)
    thread = threading.Thread(target=daemon.serve, daemon=True)
    thread.start()
    second = LocalEngine(flavour=engine_flavour)
    try:
        before = _send_one(first, "+14155552671")
        first.wait_until(lambda: first.is_ended(before), 30)
        first.stop()
        polls = daemon.loop.polls
        second.start(port=port)  # in-memory database: a new, empty engine at the same URL
        after = _send_one(second, "+12125550100")
        second.wait_until(lambda: second.is_ended(after), 60)
        result = json.loads(second.process_variables(after)["smsResult"]["value"])
    finally:
        daemon.stop()
        thread.join(30)
        daemon.close()
        first.stop()
        second.stop()
    assert thread.is_alive() is False
    assert daemon.loop.polls > polls
    assert list(result.values()) == ["+12125550100"]
    assert standin.delivered == {"+14155552671": 1, "+12125550100": 1}
