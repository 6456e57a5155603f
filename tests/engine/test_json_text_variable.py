"""JSON records the worker keeps on the engine (smsProgress) are written as String variables
when short and as Json when not: both must be accepted and read back intact by the real engine."""

from __future__ import annotations

import json

import pytest

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.dev.bpmn_models import sms_process
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import TwilioStandIn
from worker.engine.client import EngineClient
from worker.engine.variables import MAX_STRING_VARIABLE_CHARS, json_text_variable

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("numbers", [1, 200], ids=["short-string", "long-json"])
def test_a_record_of_any_length_is_written_and_read_back(
    engine: LocalEngine, standin: TwilioStandIn, numbers: int
):
    engine.deploy(("records.bpmn", sms_process("records", topic="SEND_SMS_RECORDS")))
    instance = engine.start_process("records", {"smsFrom": {"type": "String", "value": GOOD_FROM}})
    record = {"taskId": "t-1", "sent": {f"+1415555{n:04d}": f"SM{n:032d}" for n in range(numbers)}}
    typed = json_text_variable(record)
    assert (len(typed["value"]) > MAX_STRING_VARIABLE_CHARS) == (numbers > 1)
    client = EngineClient(settings_for(standin, camunda_url=engine.url).engine)
    try:
        client.set_local_variable(instance, "smsProgress", typed)
    finally:
        client.close()
    stored = engine.process_variables(instance)["smsProgress"]
    assert stored["type"] == typed["type"]
    assert json.loads(stored["value"]) == record
