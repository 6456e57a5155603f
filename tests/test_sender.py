"""smsFrom: phone numbers, alphanumeric sender IDs, short codes and Messaging Service SIDs."""

from __future__ import annotations

import pytest

from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ErrorCode, InputError
from worker.sms.action import send_sms
from worker.sms.outcome import BusinessError, Completed
from worker.sms.sender import Sender, SenderKind, parse_sender
from worker.twilio.client import TwilioClient

SERVICE_SID = "MG" + "0123456789abcdef" * 2
UK_MOBILE = "+447700900123"
US_NUMBER = "+14155552671"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1 (415) 555-2671", Sender("+14155552671", SenderKind.PHONE_NUMBER)),
        ("0041 79 123 45 67", Sender("+41791234567", SenderKind.PHONE_NUMBER)),
        ("MyShop", Sender("MyShop", SenderKind.ALPHANUMERIC_ID)),
        ("My Shop 24", Sender("My Shop 24", SenderKind.ALPHANUMERIC_ID)),
        ("A", Sender("A", SenderKind.ALPHANUMERIC_ID)),
        ("ABCDEFGHIJK", Sender("ABCDEFGHIJK", SenderKind.ALPHANUMERIC_ID)),
        ("12345", Sender("12345", SenderKind.SHORT_CODE)),
        ("123456", Sender("123456", SenderKind.SHORT_CODE)),
        (SERVICE_SID, Sender(SERVICE_SID, SenderKind.MESSAGING_SERVICE)),
    ],
)
def test_each_kind_of_sender_is_recognised(text: str, expected: Sender):
    assert parse_sender(text, None) == expected


def test_only_a_messaging_service_goes_as_messaging_service_sid():
    kinds = {kind: Sender("x", kind).is_messaging_service for kind in SenderKind}
    assert [kind for kind, as_service in kinds.items() if as_service] == [
        SenderKind.MESSAGING_SERVICE
    ]


def test_five_or_six_bare_digits_are_a_short_code_even_with_a_default_region():
    # The documented rule for the ambiguity: a national number that short needs its +country.
    assert parse_sender("12345", "SH").kind is SenderKind.SHORT_CODE
    assert parse_sender("+290 12345", None) == Sender("+29012345", SenderKind.PHONE_NUMBER)


def test_a_national_number_is_a_phone_number_with_a_default_region():
    assert parse_sender("415 555 0100", "US") == Sender("+14155550100", SenderKind.PHONE_NUMBER)


def _rejected(text: str, region: str | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_sender(text, region)
    error = caught.value
    assert error.code is ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR
    assert error.variables == ("smsFrom",)
    return error


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "My Company Ltd",
            'smsFrom: "My Company Ltd" has 14 characters: an alphanumeric sender ID has at most 11',
        ),
        (
            "Café",
            'smsFrom: "Café" contains "é": an alphanumeric sender ID may only hold the letters '
            "A-Z and a-z, the digits 0-9 and spaces",
        ),
        (
            "Shop-24",
            'smsFrom: "Shop-24" contains "-": an alphanumeric sender ID may only hold the letters '
            "A-Z and a-z, the digits 0-9 and spaces",
        ),
        (
            "1234",
            'smsFrom: "1234" has 4 digits: a short code is 5 or 6 digits with nothing else, and a '
            "phone number needs more (write it with + and the country code)",
        ),
        (
            "123 45",
            'smsFrom: "12* 45" has 5 digits: a short code is 5 or 6 digits with nothing else, and '
            "a phone number needs more (write it with + and the country code)",
        ),
    ],
    ids=["too-long", "non-ascii", "punctuation", "four-digits", "spaced-short-code"],
)
def test_the_message_says_which_rule_failed(text: str, message: str):
    assert _rejected(text).message == message


def test_a_short_text_starting_with_mg_is_a_sender_id():
    assert parse_sender("MG Motors", None) == Sender("MG Motors", SenderKind.ALPHANUMERIC_ID)


def test_a_truncated_messaging_service_sid_is_not_taken_for_a_sender_id():
    message = _rejected("MG0123456789abcdef").message
    assert "is not a Messaging Service SID ('MG' followed by 32 hex digits)" in message
    assert "too long for an alphanumeric sender ID (at most 11 characters)" in message


def test_an_impossible_number_names_every_kind_it_is_not():
    message = _rejected("+1 415 555").message
    assert message.startswith('smsFrom: "+1 4** *55" is not a possible phone number')
    assert "nor is it a short code (5 or 6 digits), an alphanumeric sender ID" in message


def test_a_number_without_country_code_is_masked_in_the_message():
    message = _rejected("0791234567").message
    assert "0791234567" not in message
    assert message.startswith('smsFrom: "07******67" has no valid country code')


def test_a_huge_sender_is_rejected_without_being_echoed():
    error = _rejected("A" * 100_000)
    assert error.message.startswith("smsFrom: 100000 characters is longer than any sender")
    assert "AAAA" not in error.message


def test_an_alphanumeric_sender_goes_out_as_from(standin: TwilioStandIn, twilio: TwilioClient):
    outcome = send_sms({"smsFrom": "MyShop", "smsTo": UK_MOBILE, "smsBody": "Hi"}, twilio)
    assert isinstance(outcome, Completed)
    assert standin.received[0].form == {"To": UK_MOBILE, "From": "MyShop", "Body": "Hi"}


def test_a_short_code_goes_out_as_from(standin: TwilioStandIn, twilio: TwilioClient):
    outcome = send_sms({"smsFrom": "12345", "smsTo": US_NUMBER, "smsBody": "Hi"}, twilio)
    assert isinstance(outcome, Completed)
    assert standin.received[0].form["From"] == "12345"


def test_a_sender_id_twilio_cannot_deliver_to_one_country_spares_the_others(
    standin: TwilioStandIn, twilio: TwilioClient
):
    # Alphanumeric sender IDs do not reach North America: Twilio answers 21612 for that number.
    values = {"smsFrom": "MyShop", "smsTo": [US_NUMBER, UK_MOBILE], "smsBody": "Hi"}
    outcome = send_sms(values, twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR
    assert list(outcome.sms_result.values()) == [UK_MOBILE]
    assert outcome.sms_error["failures"][0]["twilioCode"] == 21612


def test_an_invalid_sender_sends_nothing(standin: TwilioStandIn, twilio: TwilioClient):
    outcome = send_sms({"smsFrom": "My Company Ltd", "smsTo": UK_MOBILE, "smsBody": "Hi"}, twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR
    assert standin.received == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "555 0100",
            'smsFrom: "55* **00" has no valid country code (write it with +country code); '
            "nor is it a short code (5 or 6 digits), an alphanumeric sender ID (with a letter) "
            "or a Messaging Service SID",
        ),
        (
            "+1234",
            'smsFrom: "+1234" is not a possible phone number (wrong length); nor is it a short '
            "code (5 or 6 digits), an alphanumeric sender ID (with a letter) or a Messaging "
            "Service SID",
        ),
        (
            "0012",
            'smsFrom: "0012" is not a phone number; nor is it a short code (5 or 6 digits), an '
            "alphanumeric sender ID (with a letter) or a Messaging Service SID",
        ),
        (
            "+1 800 FLOWERS",
            'smsFrom: "+1 800 FLOWERS" is not a phone number; nor is it a short code (5 or 6 '
            "digits), an alphanumeric sender ID (with a letter) or a Messaging Service SID",
        ),
        (
            "A" * 64,
            'smsFrom: "' + "A" * 40 + '..." has 64 characters: an alphanumeric sender ID has '
            "at most 11",
        ),
        (
            "A" * 65,
            "smsFrom: 65 characters is longer than any sender: a phone number, a short code, an "
            "alphanumeric sender ID (at most 11) or a Messaging Service SID (MG + 32 hex digits)",
        ),
        (
            "MG0123456789abcdef",
            "smsFrom: \"MG01******89abcdef\" is not a Messaging Service SID ('MG' followed by 32 "
            "hex digits), and too long for an alphanumeric sender ID (at most 11 characters)",
        ),
    ],
    ids=[
        "seven-digits-is-a-number",
        "plus-and-few-digits-is-a-number",
        "00-and-few-digits-is-a-number",
        "plus-and-letters-is-a-number",
        "64-characters-are-looked-at",
        "65-characters-are-not",
        "truncated-service-sid",
    ],
)
def test_the_rule_boundaries_pick_the_right_message(text: str, message: str):
    assert _rejected(text).message == message


def test_an_eleven_character_sender_id_may_start_with_mg():
    assert parse_sender("MG Motors 1", None) == Sender("MG Motors 1", SenderKind.ALPHANUMERIC_ID)
