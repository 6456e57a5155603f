"""Hostile variables along every path a value comes in (String, Json, Object and File
variables as the engine sends them, the `send` and `render` commands): each ends in a
documented input error naming the variable, before anything is sent, within a memory bound."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from tests.twilio_fixtures import GOOD_FROM
from worker.cli import main
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn
from worker.errors import ConnectorError, ErrorCode
from worker.runtime.task_handler import read_inputs
from worker.sms.action import send_sms
from worker.sms.outcome import BusinessError
from worker.twilio.client import TwilioClient

# 19 MB of JSON: an object with many long values.
BIG_METADATA = json.dumps({f"k{i}": "v" * 90 for i in range(200_000)})
HUGE_INT = "1" * 4_301


def _string(value: object) -> dict[str, Any]:
    return {"type": "String", "value": value}


def _json(text: str) -> dict[str, Any]:
    return {"type": "Json", "value": text}


def _object(text: str) -> dict[str, Any]:
    return {
        "type": "Object",
        "value": text,
        "valueInfo": {
            "serializationDataFormat": "application/json",
            "objectTypeName": "java.util.HashMap",
        },
    }


def _file() -> dict[str, Any]:
    return {
        "type": "File",
        "value": None,
        "valueInfo": {"filename": "m.json", "mimeType": "application/json"},
    }


def _task_variables(**overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "smsFrom": _string(GOOD_FROM),
        "smsTo": _string("+14155552671"),
        "smsBody": _string("Hi ${name!}"),
        **overrides,
    }


def _outcome(
    variables: dict[str, dict[str, Any]],
    twilio: TwilioClient,
    download: Callable[[str], bytes] | None = None,
) -> BusinessError:
    """What the task handler does with a task's variables (see TaskHandler._outcome)."""

    def no_download(name: str) -> bytes:
        raise AssertionError(f"{name} must not be downloaded")

    try:
        values = read_inputs(variables, download or no_download)
    except ConnectorError as error:
        return BusinessError(error.code, error.message, details=error.details)
    outcome = send_sms(values, twilio)
    assert isinstance(outcome, BusinessError), outcome
    return outcome


@pytest.mark.parametrize(
    "typed",
    [_string(BIG_METADATA), _json(BIG_METADATA), _object(BIG_METADATA), _file()],
    ids=["String", "Json", "Object", "File"],
)
def test_a_19_mb_metadata_is_refused_by_its_size_before_it_is_parsed(
    standin: TwilioStandIn, twilio: TwilioClient, typed: dict[str, Any]
):
    tracemalloc.start()
    try:
        outcome = _outcome(_task_variables(metadata=typed), twilio)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.code is ErrorCode.INVALID_INPUT
    assert outcome.details == {"variable": "metadata"}
    # The text is held once, as the engine sent it; refusing it allocates next to nothing
    # (parsing it first cost ~88 MB here).
    assert peak < 1_000_000
    assert standin.received == []


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("metadata", _string('{"n": ' + HUGE_INT + "}")),
        ("metadata", _json('{"n": ' + HUGE_INT + "}")),
        ("metadata", _object('{"n": ' + HUGE_INT + "}")),
        ("smsTo", _string("[" + HUGE_INT + "]")),
        ("smsTo", _json("[" + HUGE_INT + "]")),
        ("metadata", _json('{"n": NaN}')),
        ("metadata", {"type": "Json", "value": {"n": float("inf")}}),
    ],
    ids=[
        "string-metadata",
        "json-metadata",
        "object-metadata",
        "string-smsto",
        "json-smsto",
        "nan",
        "predeserialised-infinity",
    ],
)
def test_numbers_python_or_json_cannot_hold_are_invalid_input(
    standin: TwilioStandIn, twilio: TwilioClient, name: str, typed: dict[str, Any]
):
    outcome = _outcome(_task_variables(**{name: typed}), twilio)
    assert (outcome.code, outcome.details) == (ErrorCode.INVALID_INPUT, {"variable": name})
    assert standin.received == []


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("smsBody", _string("Hi \ud83d")),
        ("smsBody", _json('"Hi \\ud83d"')),
        ("metadata", _json('{"name": "\\ud83d"}')),
        ("metadata", _string('{"name": "\\udc00"}')),
        ("smsTo", _json('["+14155552671", "\\ud83d"]')),
        ("smsFrom", _string("\ud83d")),
    ],
    ids=["string-body", "json-body", "json-metadata", "string-metadata", "smsto", "smsfrom"],
)
def test_a_lone_surrogate_never_reaches_twilio(
    standin: TwilioStandIn, twilio: TwilioClient, name: str, typed: dict[str, Any]
):
    outcome = _outcome(_task_variables(**{name: typed}), twilio)
    assert (outcome.code, outcome.details) == (ErrorCode.INVALID_INPUT, {"variable": name})
    assert standin.received == []


def test_a_surrogate_built_by_the_template_is_refused_before_sending(
    standin: TwilioStandIn, twilio: TwilioClient
):
    variables = _task_variables(
        smsTo=_string("+14155552671, +14155552672"), smsBody=_string('Hi ${"\\xD83D"}')
    )
    outcome = _outcome(variables, twilio)
    assert (outcome.code, outcome.details) == (ErrorCode.INVALID_INPUT, {"variable": "smsBody"})
    assert standin.received == []


def test_a_metadata_file_is_refused_without_downloading_it(
    standin: TwilioStandIn, twilio: TwilioClient
):
    outcome = _outcome(_task_variables(metadata=_file()), twilio)
    assert outcome.code is ErrorCode.INVALID_INPUT
    assert "File variable is not accepted" in outcome.message


def test_a_file_body_is_checked_like_a_string_body(standin: TwilioStandIn, twilio: TwilioClient):
    variables = _task_variables(smsBody=_file())
    outcome = _outcome(variables, twilio, download=lambda _name: b"\xed\xa0\xbd")  # surrogate
    assert outcome.code is ErrorCode.TEMPLATE_READ_ERROR
    assert standin.received == []


@pytest.mark.parametrize(
    "typed",
    [
        ["String", "+14155552671"],
        "+14155552671",
        {"type": 7, "value": "+14155552671"},
        {"type": "Object", "value": "[]", "valueInfo": "application/json"},
        {"type": "Object", "value": "[]", "valueInfo": {"serializationDataFormat": ["x"]}},
    ],
    ids=["list", "bare-string", "numeric-type", "valueinfo-text", "format-list"],
)
def test_shapes_the_engine_never_sends_are_invalid_input_not_a_crash(typed: object):
    with pytest.raises(ConnectorError) as caught:
        read_inputs({"smsTo": typed}, lambda _name: b"")  # type: ignore[dict-item]
    assert (caught.value.code, caught.value.details) == (
        ErrorCode.INVALID_INPUT,
        {"variable": "smsTo"},
    )


@pytest.fixture
def twilio_env(standin: TwilioStandIn, monkeypatch: pytest.MonkeyPatch) -> TwilioStandIn:
    monkeypatch.setenv("TWILIO_ACCOUNT", DEFAULT_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_TOKEN", DEFAULT_AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_API_URL", standin.url)
    return standin


def _error_line(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    err = capsys.readouterr().err
    return dict(json.loads(err.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    ("option", "value", "variable"),
    [
        # What Python makes of an argument that is not UTF-8 (surrogateescape).
        ("--body", "Hi \udcff", "smsBody"),
        ("--metadata", '{"n": ' + HUGE_INT + "}", "metadata"),
        ("--metadata", '{"n": "\\ud83d"}', "metadata"),
        ("--to", "+1415555267\udcff", "smsTo"),
    ],
    ids=["body-bytes", "metadata-huge-int", "metadata-surrogate", "to-bytes"],
)
def test_send_refuses_hostile_arguments_with_a_documented_error(
    twilio_env: TwilioStandIn,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    variable: str,
):
    argv = {"--from": GOOD_FROM, "--to": "+14155552671", "--body": "Hi", option: value}
    assert main(["send", *[part for pair in argv.items() for part in pair]]) == 1
    error = _error_line(capsys)
    assert (error["errorCode"], error["variable"]) == ("INVALID_INPUT", variable)
    assert twilio_env.received == []


@pytest.mark.parametrize(
    ("argv", "variable"),
    [
        (["--body", "Hi \udcff"], "smsBody"),
        (["--body", 'Hi ${"\\xD83D"}'], "smsBody"),
        (["--body", "Hi", "--metadata", '{"n": 1e999}'], "metadata"),
    ],
    ids=["body-bytes", "template-built", "metadata-beyond-double"],
)
def test_render_refuses_what_cannot_be_printed_with_a_documented_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], variable: str
):
    assert main(["render", *argv]) == 1
    error = _error_line(capsys)
    assert (error["errorCode"], error["variable"]) == ("INVALID_INPUT", variable)
