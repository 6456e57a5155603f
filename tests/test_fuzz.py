"""Property-based: whatever values and types arrive for the four inputs, the outcome is a
success or a documented error, never an exception. Twilio is the stand-in over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ConnectorError, ErrorCode
from worker.runtime.task_handler import read_inputs
from worker.sms.action import send_sms
from worker.sms.inputs import INPUT_NAMES
from worker.sms.outcome import BusinessError, Completed
from worker.twilio.client import TwilioClient

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
numbers = st.sampled_from(
    ["+14155552671", "+15005550001", "+15005550003", "+15005550004", GOOD_FROM, "MG" + "a" * 32]
) | st.text(alphabet='+0123456789 ()-.,;\n[]"', max_size=40)
templates = st.sampled_from(
    [
        "Hi ${name}",
        "${a.b!'x'} ${(a.b.c)!} <#if a??>${a?size}</#if>",
        "<#list xs as x>${x?upper_case}<#sep>, </#list>",
        "${n?string['0.00']} ${flag?c}",
        "${x.__class__} ${''.__class__.__mro__}",
        "<#list 1..100000 as i>${i}</#list>",
    ]
) | st.text(alphabet="${}<#>/!?.abcnx()\"' =+-_[]0123456789", max_size=60)
raw_values = json_values | numbers | templates | st.binary(max_size=24)
inputs = st.fixed_dictionaries(
    {},
    optional={
        "smsFrom": raw_values,
        "smsTo": raw_values,
        "smsBody": raw_values,
        "metadata": raw_values,
    },
)
typed_variables = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["String", "Json", "Object", "Integer", "Boolean", "Null", "File", "Bytes", "Xml", ""]
        ),
        "value": raw_values,
    },
    optional={
        "valueInfo": st.dictionaries(
            st.sampled_from(["serializationDataFormat", "objectTypeName"]),
            st.sampled_from(["application/json", "application/x-java-serialized-object", "x"]),
        )
    },
)
task_variables = st.dictionaries(st.sampled_from(INPUT_NAMES), typed_variables)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def twilio(_standin_server: TwilioStandIn) -> Iterator[TwilioClient]:
    client = TwilioClient(settings_for(_standin_server).twilio, sleep=lambda _s: None)
    yield client
    client.close()


def _assert_documented(outcome: Any) -> None:
    assert isinstance(outcome, (Completed, BusinessError))
    if isinstance(outcome, BusinessError):
        assert isinstance(outcome.code, ErrorCode)


@FUZZ
@given(values=inputs)
def test_any_plain_values_give_success_or_a_documented_code(
    twilio: TwilioClient, values: dict[str, object]
):
    _assert_documented(send_sms(values, twilio))


@FUZZ
@given(variables=task_variables)
def test_any_typed_engine_variables_give_success_or_a_documented_code(
    twilio: TwilioClient, variables: dict[str, dict[str, Any]]
):
    try:
        values = read_inputs(variables, lambda name: b"Hello ${x!}")
    except ConnectorError:
        return  # carries a documented code by construction; anything else would propagate
    _assert_documented(send_sms(values, twilio))
