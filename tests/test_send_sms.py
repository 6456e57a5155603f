"""The SEND_SMS action end to end against the Twilio stand-in over real HTTP."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.twilio_fixtures import GOOD_FROM
from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ErrorCode
from worker.sms.action import send_sms
from worker.sms.outcome import Abandoned, BusinessError, Completed, RecipientFailure
from worker.twilio.client import TwilioClient

A, B, C = "+14155552671", "+12125550100", "+13105550123"
BAD_TO = "+15005550001"  # Twilio's magic number for error 21211
# Twilio's magic To numbers whose error concerns that one recipient (the README's list).
ONE_RECIPIENT = {
    21211: "+15005550001",  # invalid number
    21612: "+15005550002",  # not reachable from this sender
    21408: "+15005550003",  # region not enabled
    21610: "+15005550004",  # unsubscribed
    21614: "+15005550009",  # not a mobile number
}
# Magic From numbers: the sender is at fault, so every following request would fail too.
SENDER_AT_FAULT = {
    21212: "+15005550001",  # invalid From
    21606: "+15005550007",  # From not SMS-capable
    21611: "+15005550008",  # From's queue is full
}


def _values(**overrides: object) -> dict[str, object]:
    return {"smsFrom": GOOD_FROM, "smsTo": [A, B], "smsBody": "Hi", **overrides}


class RecordingProgress:
    def __init__(self, earlier: Mapping[str, str] | None = None, allowed: int = 100) -> None:
        self.earlier = dict(earlier or {})
        self.allowed = allowed
        self.recorded: list[tuple[str, str]] = []

    def already_sent(self) -> Mapping[str, str]:
        return self.earlier

    def may_continue(self) -> bool:
        self.allowed -= 1
        return self.allowed >= 0

    def record(
        self, number: str, sid: str, *, more_to_send: bool, found_at_twilio: bool = False
    ) -> None:
        self.recorded.append((number, sid))


def test_success_maps_each_sid_to_its_number(standin: TwilioStandIn, twilio: TwilioClient):
    outcome = send_sms(_values(), twilio)
    assert isinstance(outcome, Completed)
    assert sorted(outcome.sms_result.values()) == sorted([A, B])
    assert [r.form["To"] for r in standin.received] == [A, B]


def test_the_body_is_rendered_with_metadata(standin: TwilioStandIn, twilio: TwilioClient):
    values = _values(smsBody="Hi ${customer.name}!", metadata='{"customer": {"name": "Ann"}}')
    assert isinstance(send_sms(values, twilio), Completed)
    assert {r.form["Body"] for r in standin.received} == {"Hi Ann!"}


def test_the_body_is_rendered_for_the_worker_template_locale(
    standin: TwilioStandIn, twilio: TwilioClient
):
    values = _values(smsBody="Total ${t?string.currency}", metadata='{"t": 1234.5}')
    assert isinstance(send_sms(values, twilio, template_locale="de_DE"), Completed)
    assert {r.form["Body"] for r in standin.received} == {"Total 1.234,50\u00a0€"}


def test_the_body_is_rendered_for_en_us_in_utc_by_default(
    standin: TwilioStandIn, twilio: TwilioClient
):
    body = '${t?string.currency} at ${d?datetime.iso?string("HH:mm")}'
    metadata = '{"t": 1234.5, "d": "2024-01-05T15:04:05Z"}'
    assert isinstance(send_sms(_values(smsBody=body, metadata=metadata), twilio), Completed)
    assert {r.form["Body"] for r in standin.received} == {"$1,234.50 at 15:04"}


def test_the_body_is_rendered_in_the_worker_template_time_zone(
    standin: TwilioStandIn, twilio: TwilioClient
):
    body, metadata = '${t?datetime.iso?string("HH:mm")}', '{"t": "2024-01-05T15:04:05Z"}'
    values = _values(smsBody=body, metadata=metadata)
    assert isinstance(send_sms(values, twilio, template_time_zone="Europe/Berlin"), Completed)
    assert {r.form["Body"] for r in standin.received} == {"16:04"}


def test_a_file_body_is_decoded_as_utf8(standin: TwilioStandIn, twilio: TwilioClient):
    assert isinstance(send_sms(_values(smsBody="Grüße".encode()), twilio), Completed)
    assert standin.received[0].form["Body"] == "Grüße"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (_values(smsTo=[]), ErrorCode.MISSING_INPUT),
        (_values(metadata="[]"), ErrorCode.INVALID_INPUT),
        (_values(smsTo=[A, "not-a-number"]), ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR),
        (_values(smsFrom="no-pe"), ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR),
        (_values(smsBody="Hi ${missing}"), ErrorCode.TEMPLATE_METADATA_ERROR),
        (_values(smsBody="Hi <#if>"), ErrorCode.TEMPLATE_SYNTAX_ERROR),
        (_values(smsBody=b"\xff\xfe"), ErrorCode.TEMPLATE_READ_ERROR),
        (_values(smsBody="x" * 1601), ErrorCode.INVALID_INPUT),
        (_values(smsBody="${''}"), ErrorCode.INVALID_INPUT),
    ],
    ids=["missing", "invalid", "to", "from", "metadata", "syntax", "read", "too-long", "empty"],
)
def test_invalid_inputs_send_nothing(
    standin: TwilioStandIn, twilio: TwilioClient, values: dict[str, object], code: ErrorCode
):
    outcome = send_sms(values, twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is code
    assert standin.received == []


def test_a_body_of_exactly_1600_characters_is_sent(standin: TwilioStandIn, twilio: TwilioClient):
    assert isinstance(send_sms(_values(smsBody="x" * 1600), twilio), Completed)


def test_a_rendered_body_over_1600_characters_names_the_limit(
    standin: TwilioStandIn, twilio: TwilioClient
):
    outcome = send_sms(_values(smsBody="<#list 1..1601 as i>x</#list>"), twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.INVALID_INPUT
    assert outcome.message == (
        "smsBody: the rendered message has 1601 characters, more than Twilio's limit of 1600"
    )
    assert outcome.sms_error["variable"] == "smsBody"


@pytest.mark.parametrize(
    ("twilio_code", "bad_to"), ONE_RECIPIENT.items(), ids=[str(c) for c in ONE_RECIPIENT]
)
def test_a_failure_concerning_one_recipient_does_not_stop_the_others(
    standin: TwilioStandIn, twilio: TwilioClient, twilio_code: int, bad_to: str
):
    outcome = send_sms(_values(smsTo=[A, bad_to, B]), twilio)
    assert isinstance(outcome, BusinessError)
    assert [r.form["To"] for r in standin.received] == [A, bad_to, B]
    assert sorted(outcome.sms_result.values()) == sorted([A, B])
    assert [f.number for f in outcome.failures] == [bad_to]
    assert outcome.sms_error["failures"][0]["twilioCode"] == twilio_code
    assert outcome.sms_error["failures"][0]["possiblySent"] is False
    assert outcome.sms_error["notAttempted"] == []


@pytest.mark.parametrize(
    ("twilio_code", "bad_from"), SENDER_AT_FAULT.items(), ids=[str(c) for c in SENDER_AT_FAULT]
)
def test_a_failure_of_the_sender_stops_the_rest(
    standin: TwilioStandIn, twilio: TwilioClient, twilio_code: int, bad_from: str
):
    outcome = send_sms(_values(smsFrom=bad_from, smsTo=[A, B, C]), twilio)
    assert isinstance(outcome, BusinessError)
    assert len(standin.received) == 1
    assert outcome.sms_error["failures"][0]["twilioCode"] == twilio_code
    assert outcome.sms_error["notAttempted"] == [B, C]


def test_an_account_failure_stops_the_rest(standin: TwilioStandIn, twilio: TwilioClient):
    standin.faults.fail_next(status=401, code=20003, message="Authenticate")
    outcome = send_sms(_values(smsTo=[A, B, C]), twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.AUTHENTICATION_CONNECTION_ERROR
    assert outcome.sms_result == {}
    assert outcome.sms_error["notAttempted"] == [B, C]
    assert len(standin.received) == 1


def test_the_first_failure_decides_the_code(standin: TwilioStandIn, twilio: TwilioClient):
    standin.faults.fail_to(B, status=500, code=20500, message="boom")
    outcome = send_sms(_values(smsTo=[BAD_TO, A, B, C]), twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR
    assert [f.code for f in outcome.failures] == [
        ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
        ErrorCode.INTERNAL_SERVER_ERROR,
    ]
    assert outcome.failures[1].possibly_sent is True
    assert list(outcome.sms_result.values()) == [A]
    assert outcome.sms_error["notAttempted"] == [C]


def test_the_summary_names_the_first_failed_recipient_and_counts(
    standin: TwilioStandIn, twilio: TwilioClient
):
    # Written in full here; masked where it leaves the worker (tests/test_redaction.py).
    outcome = send_sms(_values(smsTo=[A, BAD_TO]), twilio)
    assert isinstance(outcome, BusinessError)
    assert f"(to {BAD_TO}); 1 of 2 sent, 1 failed" in outcome.message


def test_numbers_sent_by_an_earlier_attempt_are_skipped(
    standin: TwilioStandIn, twilio: TwilioClient
):
    progress = RecordingProgress(earlier={A: "SM" + "1" * 32})
    outcome = send_sms(_values(), twilio, progress=progress)
    assert isinstance(outcome, Completed)
    assert outcome.sms_result["SM" + "1" * 32] == A
    assert [r.form["To"] for r in standin.received] == [B]


def test_each_accepted_message_is_recorded(standin: TwilioStandIn, twilio: TwilioClient):
    progress = RecordingProgress()
    outcome = send_sms(_values(), twilio, progress=progress)
    assert isinstance(outcome, Completed)
    assert {sid: number for number, sid in progress.recorded} == outcome.sms_result


def test_a_lost_lock_stops_sending(standin: TwilioStandIn, twilio: TwilioClient):
    outcome = send_sms(_values(smsTo=[A, B, C]), twilio, progress=RecordingProgress(allowed=1))
    assert isinstance(outcome, Abandoned)
    assert list(outcome.sms_result.values()) == [A]
    assert len(standin.received) == 1


def test_national_numbers_use_the_default_region(standin: TwilioStandIn, twilio: TwilioClient):
    values = _values(smsTo="(415) 555-2671", smsFrom=GOOD_FROM)
    assert isinstance(send_sms(values, twilio, default_region="US"), Completed)
    assert [r.form["To"] for r in standin.received] == ["+14155552671"]


def test_an_empty_rendered_message_names_smsbody(standin: TwilioStandIn, twilio: TwilioClient):
    outcome = send_sms(_values(smsBody="${''}  "), twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.message == "smsBody: the rendered message is empty"


def test_a_lost_lock_says_why_the_task_was_abandoned(standin: TwilioStandIn, twilio: TwilioClient):
    outcome = send_sms(_values(), twilio, progress=RecordingProgress(allowed=0))
    assert outcome == Abandoned("the task is no longer locked by this worker", {})


def test_the_summary_counts_sent_failed_and_not_attempted(
    standin: TwilioStandIn, twilio: TwilioClient
):
    standin.faults.fail_to(B, status=401, code=20003, message="Authenticate")
    outcome = send_sms(_values(smsTo=[A, BAD_TO, B, C]), twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.message == (
        "Twilio answered HTTP 400 (Twilio error 21211: The 'To' number +15005550001 is not a "
        "valid phone number.) (to +15005550001); 1 of 4 sent, 2 failed, 1 not attempted"
    )


def test_one_recipients_failure_is_its_message(standin: TwilioStandIn, twilio: TwilioClient):
    # Written in full here; masked where it leaves for the engine (tests/runtime/test_reporter).
    outcome = send_sms(_values(smsTo=[BAD_TO]), twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.message == (
        "Twilio answered HTTP 400 (Twilio error 21211: The 'To' number +15005550001 is not a "
        "valid phone number.)"
    )


def test_a_recipient_failure_is_written_with_every_field():
    failure = RecipientFailure(
        "+14155552671", ErrorCode.SERVICE_UNAVAILABLE, "down", 20429, possibly_sent=True
    )
    assert failure.to_json() == {
        "number": "+14155552671",
        "errorCode": "SERVICE_UNAVAILABLE",
        "errorMessage": "down",
        "twilioCode": 20429,
        "possiblySent": True,
    }
