import base64
import json

import pytest

from worker.engine.variables import (
    MAX_STRING_VARIABLE_CHARS,
    json_text_variable,
    json_variable,
    unwrap,
)
from worker.errors import ConnectorError, ErrorCode
from worker.runtime.task_handler import read_inputs


def _no_file(name: str) -> bytes:
    raise AssertionError("no download expected")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"type": "String", "value": "+1415"}, "+1415"),
        ({"type": "Json", "value": '["a", "b"]'}, ["a", "b"]),
        ({"type": "Json", "value": '{"a": {"b": 1}}'}, {"a": {"b": 1}}),
        (
            {
                "type": "Object",
                "value": '["a"]',
                "valueInfo": {"serializationDataFormat": "application/json"},
            },
            ["a"],
        ),
        ({"type": "Integer", "value": 5}, 5),
        ({"type": "Null", "value": None}, None),
        (None, None),
    ],
    ids=["string", "json-list", "json-object", "object-json", "integer", "null", "absent"],
)
def test_typed_values_become_python_values(typed: dict[str, object] | None, expected: object):
    assert unwrap("smsTo", typed, _no_file) == expected


def test_broken_json_is_invalid_input_naming_the_variable():
    with pytest.raises(ConnectorError) as caught:
        unwrap("metadata", {"type": "Json", "value": "{oops"}, _no_file)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.message.startswith("metadata:")


def test_java_serialized_objects_are_invalid_input():
    typed = {
        "type": "Object",
        "value": base64.b64encode(b"\xac\xed").decode(),
        "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"},
    }
    with pytest.raises(ConnectorError) as caught:
        unwrap("smsTo", typed, _no_file)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert "Json or String variable" in caught.value.message


def test_a_file_is_downloaded_where_files_are_allowed():
    typed = {"type": "File", "value": None}
    assert unwrap("smsBody", typed, lambda name: b"Hi", file_allowed=True) == b"Hi"


def test_a_file_body_is_downloaded():
    inputs = read_inputs({"smsBody": {"type": "File", "value": None}}, lambda name: b"Hi")
    assert inputs["smsBody"] == b"Hi"


def test_a_failed_download_is_a_template_read_error():
    def broken(name: str) -> bytes:
        raise OSError("engine gone")

    with pytest.raises(ConnectorError) as caught:
        read_inputs({"smsBody": {"type": "File", "value": None}}, broken)
    assert caught.value.code is ErrorCode.TEMPLATE_READ_ERROR


def test_a_file_is_not_accepted_for_other_inputs():
    with pytest.raises(ConnectorError) as caught:
        unwrap("smsTo", {"type": "File", "value": None}, lambda name: b"x")
    assert caught.value.code is ErrorCode.INVALID_INPUT


def test_unsupported_types_are_invalid_input():
    with pytest.raises(ConnectorError) as caught:
        unwrap("smsFrom", {"type": "Xml", "value": "<a/>"}, _no_file)
    assert caught.value.code is ErrorCode.INVALID_INPUT


def test_json_variable_is_typed_json_text():
    assert json_variable({"SMa": "+1"}) == {"type": "Json", "value": json.dumps({"SMa": "+1"})}


def test_a_short_record_is_json_text_in_a_string_variable():
    typed = json_text_variable({"taskId": "t-1", "sent": {"+14155552671": "SMa"}})
    assert typed["type"] == "String"
    assert json.loads(typed["value"]) == {"taskId": "t-1", "sent": {"+14155552671": "SMa"}}


def test_a_record_longer_than_the_engines_text_column_is_a_json_variable():
    sent = {f"+1415555{n:04d}": f"SM{n:032d}" for n in range(100)}
    typed = json_text_variable({"taskId": "t-1", "sent": sent})
    assert len(typed["value"]) > MAX_STRING_VARIABLE_CHARS
    assert typed["type"] == "Json"
    assert json.loads(typed["value"])["sent"] == sent
