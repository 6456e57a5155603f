import json
import sys

import phonenumbers
import pytest

from worker.errors import ConnectorError, ErrorCode
from worker.sms.inputs import MAX_RECIPIENTS, MAX_RECIPIENTS_TEXT_CHARS, parse_body, parse_inputs
from worker.sms.sender import Sender, SenderKind
from worker.template import MAX_TEMPLATE_CHARS

SERVICE_SID = "MG" + "0123456789abcdef" * 2


VALID = {"smsFrom": "+15005550006", "smsTo": "+14155552671", "smsBody": "Hi"}


def _error(values: dict[str, object], region: str | None = None) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        parse_inputs(values, region)
    return caught.value


@pytest.mark.parametrize(
    "sms_to",
    [
        "+14155552671, +1 (212) 555-0100",
        "+14155552671;+12125550100",
        "+14155552671\n+12125550100\n",
        '["+14155552671", "+12125550100"]',
        ["+14155552671", "+1 212 555 0100"],
        ("+14155552671", "+12125550100"),
    ],
    ids=["commas", "semicolons", "lines", "json-string", "list", "tuple"],
)
def test_every_smsto_form_gives_the_same_recipients(sms_to: object):
    request = parse_inputs({**VALID, "smsTo": sms_to}, None)
    assert request.recipients == ("+14155552671", "+12125550100")


def test_duplicates_are_dropped_after_normalisation_keeping_first_order():
    request = parse_inputs(
        {**VALID, "smsTo": "+12125550100, +1 (415) 555-2671, +1.212.555.0100"}, None
    )
    assert request.recipients == ("+12125550100", "+14155552671")


def test_default_region_applies_to_national_numbers():
    request = parse_inputs({**VALID, "smsTo": "(415) 555-2671", "smsFrom": "415 555 0000"}, "US")
    assert request.recipients == ("+14155552671",)
    assert request.sender == Sender("+14155550000", SenderKind.PHONE_NUMBER)


def test_messaging_service_sid_is_accepted_as_sender():
    request = parse_inputs({**VALID, "smsFrom": SERVICE_SID}, None)
    assert request.sender == Sender(SERVICE_SID, SenderKind.MESSAGING_SERVICE)


@pytest.mark.parametrize("missing", ["smsFrom", "smsTo", "smsBody"])
@pytest.mark.parametrize("blank", [None, "", "   ", [], "absent"])
def test_missing_or_empty_required_input_is_missing_input(missing: str, blank: object):
    values = dict(VALID)
    if blank == "absent":
        del values[missing]
    else:
        values[missing] = blank
    error = _error(values)
    assert error.code is ErrorCode.MISSING_INPUT
    assert missing in error.message


def test_all_missing_inputs_are_named_at_once():
    error = _error({"smsBody": "Hi"})
    assert error.message == "smsFrom, smsTo: required but not given"


def test_a_list_of_blank_numbers_is_missing_input():
    assert _error({**VALID, "smsTo": ["", "  "]}).code is ErrorCode.MISSING_INPUT
    assert _error({**VALID, "smsTo": " , ;"}).code is ErrorCode.MISSING_INPUT


@pytest.mark.parametrize(
    ("values", "variable", "message"),
    [
        ({**VALID, "smsFrom": 15005550006}, "smsFrom", "smsFrom: expected text, got a number"),
        ({**VALID, "smsFrom": 1.5}, "smsFrom", "smsFrom: expected text, got a number"),
        (
            {**VALID, "smsTo": {"a": 1}},
            "smsTo",
            "smsTo: expected a list of phone numbers or text, got an object",
        ),
        (
            {**VALID, "smsTo": [14155552671]},
            "smsTo",
            "smsTo[0]: expected a phone number as text, got a number",
        ),
        (
            {**VALID, "smsTo": ["+14155552671", None]},
            "smsTo",
            "smsTo[1]: expected a phone number as text, got NoneType",
        ),
        ({**VALID, "smsTo": '["+14155552671",'}, "smsTo", "smsTo: not valid JSON"),
        ({**VALID, "smsBody": 42}, "smsBody", "smsBody: expected text, got a number"),
        ({**VALID, "smsBody": [1]}, "smsBody", "smsBody: expected text, got a list"),
        (
            {**VALID, "metadata": "{nope"},
            "metadata",
            "metadata: not valid JSON at line 1 column 2",
        ),
        (
            {**VALID, "metadata": "[1, 2]"},
            "metadata",
            "metadata: expected a JSON object, got a list",
        ),
        ({**VALID, "metadata": 7}, "metadata", "metadata: expected a JSON object, got a number"),
        (
            {**VALID, "metadata": True},
            "metadata",
            "metadata: expected a JSON object, got a boolean",
        ),
        (
            {**VALID, "metadata": {"when": object()}},
            "metadata",
            "metadata: holds an object, which is not JSON data",
        ),
        (
            {**VALID, "metadata": "[" * 100_000},
            "metadata",
            "metadata: not valid JSON: nested deeper than 32 levels",
        ),
        (
            {**VALID, "smsTo": "[" * 300_000},
            "smsTo",
            "smsTo: 300,000 characters, more than 1,000 numbers can take",
        ),
    ],
)
def test_wrong_types_and_bad_json_are_invalid_input_naming_the_variable(
    values: dict[str, object], variable: str, message: str
):
    error = _error(values)
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message.startswith(message)
    assert error.details == {"variable": variable}


def test_a_list_without_any_number_names_smsto():
    error = _error({**VALID, "smsTo": ["", " "]})
    assert error.message == "smsTo: no phone number given"
    assert error.details == {"variables": ["smsTo"]}


def test_a_file_body_of_only_white_space_is_missing():
    assert _error({**VALID, "smsBody": b" \n "}).code is ErrorCode.MISSING_INPUT


def test_a_file_body_with_text_is_not_missing():
    assert parse_inputs({**VALID, "smsBody": b" Hi "}, None).body_template == b" Hi "


def test_a_long_bad_number_is_quoted_shortened_to_40_characters():
    long_text = "Zoë-" + "x" * 40
    error = _error({**VALID, "smsTo": [long_text]})
    assert error.message == f'smsTo: "{long_text[:40]}..." is not a phone number'


def test_a_bad_number_of_41_characters_is_shortened():
    text = "y" * 41
    error = _error({**VALID, "smsTo": [text]})
    assert error.message == f'smsTo: "{text[:40]}..." is not a phone number'


def test_a_value_of_another_type_is_named_by_its_type():
    error = _error({**VALID, "smsFrom": b"+15005550006"})
    assert error.message == "smsFrom: expected text, got bytes"


def test_a_bad_number_of_exactly_40_characters_is_quoted_whole():
    text = "y" * 40
    assert _error({**VALID, "smsTo": [text]}).message == f'smsTo: "{text}" is not a phone number'


def test_five_bad_numbers_are_named_and_the_rest_counted():
    named = (
        'smsTo: "bad0" is not a phone number; "bad1" is not a phone number; '
        '"bad2" is not a phone number; "bad3" is not a phone number; '
        '"bad4" is not a phone number'
    )
    for count, more in [(5, ""), (6, "; and 1 more"), (7, "; and 2 more")]:
        error = _error({**VALID, "smsTo": [f"bad{n}" for n in range(count)]})
        assert error.message == named + more


def test_metadata_may_be_an_object_or_a_string_holding_one():
    assert parse_inputs({**VALID, "metadata": {"a": 1}}, None).metadata == {"a": 1}
    assert parse_inputs({**VALID, "metadata": '{"a": 1}'}, None).metadata == {"a": 1}
    assert parse_inputs({**VALID, "metadata": ""}, None).metadata == {}


def _nested(levels: int) -> dict[str, object]:
    """A JSON object `levels` deep: {"a": {"a": ... {"a": 1}}}."""
    nested: dict[str, object] = {"a": 1}
    for _ in range(levels - 1):
        nested = {"a": nested}
    return nested


def _metadata_of(chars: int) -> dict[str, str]:
    """An object whose compact JSON text is exactly `chars` characters long."""
    return {"x": "y" * (chars - len('{"x":""}'))}


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def test_metadata_32_levels_deep_is_accepted():
    assert parse_inputs({**VALID, "metadata": _nested(32)}, None).metadata == _nested(32)


def test_metadata_deeper_than_32_levels_is_invalid_input():
    error = _error({**VALID, "metadata": _nested(33)})
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message == "metadata: nested deeper than 32 levels"
    assert error.details == {"variable": "metadata"}


def test_lists_count_as_levels_of_metadata():
    nested: object = 1
    for _ in range(32):
        nested = [nested]
    assert _error({**VALID, "metadata": {"deep": nested}}).code is ErrorCode.INVALID_INPUT


@pytest.mark.parametrize("as_text", [False, True], ids=["object", "json-text"])
def test_metadata_of_256_kib_as_json_is_accepted(as_text: bool):
    metadata = _metadata_of(256 * 1024)
    value = _compact(metadata) if as_text else metadata
    assert parse_inputs({**VALID, "metadata": value}, None).metadata == metadata


@pytest.mark.parametrize("as_text", [False, True], ids=["object", "json-text"])
def test_metadata_over_256_kib_as_json_is_invalid_input(as_text: bool):
    metadata = _metadata_of(256 * 1024 + 1)
    value = _compact(metadata) if as_text else metadata
    error = _error({**VALID, "metadata": value})
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message.startswith("metadata: ")
    assert "more than 262,144" in error.message
    assert error.details == {"variable": "metadata"}


def test_1000_recipients_are_accepted():
    numbers = [f"+1415555{n:04d}" for n in range(1_000)]
    assert len(parse_inputs({**VALID, "smsTo": numbers}, None).recipients) == 1_000


def test_more_than_1000_recipients_are_invalid_input():
    numbers = [f"+1415555{n:04d}" for n in range(1_001)]
    error = _error({**VALID, "smsTo": numbers})
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message == "smsTo: more than 1,000 recipients in one task"
    assert error.details == {"variable": "smsTo"}


def test_duplicates_count_towards_the_1000_entries():
    # Entries are counted as given, before any is parsed: the work stays bounded.
    numbers = [f"+1415555{n:04d}" for n in range(500)] * 3
    assert _error({**VALID, "smsTo": numbers}).code is ErrorCode.INVALID_INPUT


def test_an_invalid_to_number_is_named_in_the_message():
    error = _error({**VALID, "smsTo": "+14155552671, not-a-number"})
    assert error.code is ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR
    assert error.message == 'smsTo: "not-a-number" is not a phone number'


def test_an_invalid_from_number_is_invalid_from():
    error = _error({**VALID, "smsFrom": "12"})
    assert error.code is ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR
    assert error.message.startswith('smsFrom: "12"')


def test_missing_input_wins_over_invalid_values():
    assert _error({"smsFrom": 5, "smsTo": "x"}).code is ErrorCode.MISSING_INPUT


def test_invalid_input_wins_over_invalid_numbers():
    error = _error({**VALID, "smsTo": "not-a-number", "metadata": "[]"})
    assert error.code is ErrorCode.INVALID_INPUT


def test_file_content_is_passed_on_as_bytes_for_the_template_step():
    request = parse_inputs({**VALID, "smsBody": b"Hello"}, None)
    assert request.body_template == b"Hello"


def test_control_characters_in_bad_numbers_are_escaped_in_messages():
    error = _error({**VALID, "smsTo": ["+1\u0000evil"]})
    assert "\\u0000" in error.message
    json.dumps(error.to_json())


HUGE_INT = "1" * 4_301  # one digit past Python's own int-from-text guard


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("metadata", '{"a": ' + HUGE_INT + "}"),
        ("metadata", '{"a": -' + HUGE_INT + "}"),
        ("metadata", '{"a": 1e400}'),
        ("metadata", '{"a": NaN}'),
        ("metadata", '{"a": -Infinity}'),
        ("smsTo", "[" + HUGE_INT + "]"),
    ],
    ids=["huge-int", "huge-negative", "beyond-double", "nan", "infinity", "smsto-huge-int"],
)
def test_numbers_json_cannot_carry_are_invalid_input_naming_the_variable(name: str, value: str):
    error = _error({**VALID, name: value})
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message.startswith(f"{name}: ")
    assert HUGE_INT not in error.message


def test_huge_integers_are_refused_even_with_pythons_own_guard_switched_off():
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # what some applications do; the bound must not rely on it
    try:
        error = _error({**VALID, "metadata": '{"a": ' + "9" * 200_000 + "}"})
    finally:
        sys.set_int_max_str_digits(before)
    assert error.code is ErrorCode.INVALID_INPUT
    assert "beyond the range of a double" in error.message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("smsBody", "Hi \ud83d"),
        ("smsFrom", "+1500555\udc000006"),
        ("smsTo", ["+14155552671", "+1415\ud83d5552672"]),
        ("smsTo", '["+14155552671\\ud83d"]'),
        ("metadata", '{"name": "Ann \\ud83d"}'),
        ("metadata", '{"\\udc00": 1}'),
        ("metadata", {"nested": [{"name": "\ud83d"}]}),
    ],
    ids=["body", "from", "to-list", "to-json", "metadata-value", "metadata-key", "metadata-dict"],
)
def test_a_lone_surrogate_is_invalid_input_naming_the_variable(name: str, value: object):
    error = _error({**VALID, name: value})
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message.startswith(f"{name}: ")
    assert "surrogate" in error.message
    json.dumps(error.to_json()).encode()  # the message itself is plain Unicode


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text phonenumbers is asked to parse (the real parser still runs)."""
    seen: list[str] = []
    real = phonenumbers.parse

    def counted(text: str, region: str | None = None, *args: object, **kw: object) -> object:
        seen.append(text)
        return real(text, region, *args, **kw)

    monkeypatch.setattr(phonenumbers, "parse", counted)
    return seen


@pytest.mark.parametrize(
    "form",
    ["list", "text", "json-text"],
)
def test_200000_recipients_are_refused_before_any_number_is_parsed(form: str, parses: list[str]):
    numbers = [f"+1415555{n % 10_000:04d}" for n in range(200_000)]
    value: object = {
        "list": numbers,
        "text": ", ".join(numbers),
        "json-text": json.dumps(numbers),
    }[form]
    error = _error({**VALID, "smsTo": value})
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.variables == ("smsTo",)
    assert parses == []


def test_recipients_are_counted_as_given_before_duplicates_are_dropped(parses: list[str]):
    error = _error({**VALID, "smsTo": ["+14155552671"] * (MAX_RECIPIENTS + 1)})
    assert error.message == "smsTo: more than 1,000 recipients in one task"
    assert parses == []


def test_a_full_task_costs_one_parse_per_recipient_and_one_for_the_sender(parses: list[str]):
    numbers = [f"+1415555{n:04d}" for n in range(MAX_RECIPIENTS)]
    request = parse_inputs({**VALID, "smsTo": numbers}, None)
    assert len(request.recipients) == MAX_RECIPIENTS
    assert len(parses) == MAX_RECIPIENTS + 1


def test_a_body_longer_than_a_template_may_be_is_refused_before_it_is_read():
    error = _error({**VALID, "smsBody": "x" * 19_000_000})
    assert error.code is ErrorCode.TEMPLATE_READ_ERROR
    assert error.message == ("smsBody: the template has 19,000,000 characters; the limit is 65,536")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"smsTo": "+1 415 555 2671 ext 5"},
            'smsTo: "+1 4** *** ***1 ext 5" is not a phone number',
        ),
        (
            {"smsTo": "(415) 555-0103"},
            'smsTo: "(41*) ***-**03" has no valid country code (write it with +country code)',
        ),
        (
            {"smsFrom": "4155550100"},
            'smsFrom: "41******00" has no valid country code (write it with +country code); '
            "nor is it a short code (5 or 6 digits), an alphanumeric sender ID (with a letter) "
            "or a Messaging Service SID",
        ),
    ],
    ids=["extension", "national-without-region", "from"],
)
def test_messages_quote_input_with_its_digits_hidden(values: dict[str, str], message: str):
    assert _error({**VALID, **values}).message == message


def test_a_lone_surrogate_message_says_what_is_wrong_and_names_the_variable():
    error = _error({**VALID, "smsTo": ["+1415\ud83d5552672"]})
    assert error.message == (
        "smsTo: holds an unpaired UTF-16 surrogate (such as \\ud83d without its pair), "
        "which is not Unicode text"
    )
    assert error.details == {"variable": "smsTo"}


def test_a_blank_entry_in_the_recipient_list_is_skipped_not_the_end():
    request = parse_inputs({**VALID, "smsTo": ["  ", "+14155552671"]}, None)
    assert request.recipients == ("+14155552671",)


def test_recipient_text_of_exactly_the_limit_is_read():
    text = "+14155552671".ljust(MAX_RECIPIENTS_TEXT_CHARS)
    assert parse_inputs({**VALID, "smsTo": text}, None).recipients == ("+14155552671",)


def test_a_template_of_exactly_the_limit_is_taken():
    body = "x" * MAX_TEMPLATE_CHARS
    assert parse_body(body) == body
