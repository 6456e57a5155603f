"""TwilioClient's side of reconciliation against the stand-in: the Messages list page by page,
Twilio's clock from its Date header, and the read-access probe."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

import pytest

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ErrorCode, TwilioRejected, TwilioUnreadable
from worker.sms.sender import Sender, SenderKind
from worker.twilio.client import TwilioClient

TO = "+14155552671"


def test_every_page_of_the_list_is_read_newest_first(twilio: TwilioClient, standin: TwilioStandIn):
    sids = [
        twilio.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), TO, f"n{n}")
        for n in range(5)
    ]
    twilio.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), "+14155550000", "elsewhere")
    pages = list(twilio.message_pages(TO, GOOD_FROM, page_size=2))
    assert [len(page) for page in pages] == [2, 2, 1]
    listed = [message for page in pages for message in page]
    assert [m.sid for m in listed] == sids[::-1]
    assert listed[0].body == "n4"
    assert (listed[0].to, listed[0].sender, listed[0].direction) == (TO, GOOD_FROM, "outbound-api")
    assert listed[0].date_created.tzinfo is not None


def test_pages_are_fetched_only_as_they_are_read(twilio: TwilioClient, standin: TwilioStandIn):
    for n in range(3):
        twilio.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), TO, f"n{n}")
    pages = twilio.message_pages(TO, GOOD_FROM, page_size=1)
    next(pages)
    assert sum(r.method == "GET" for r in standin.received) == 1


@pytest.mark.parametrize("twilio_ahead_s", [-86_400, 0, 86_400])
def test_twilio_s_clock_is_read_from_its_answers_never_ahead(
    twilio: TwilioClient, standin: TwilioStandIn, twilio_ahead_s: int
):
    standin.clock_offset_s = twilio_ahead_s
    now = twilio.twilio_now()
    expected = time.time() + twilio_ahead_s
    assert expected - 5 < now.timestamp() <= expected + 0.001
    assert now.tzinfo == timezone.utc
    assert isinstance(now, datetime)


def test_the_probe_fails_with_forbidden_for_a_key_that_may_not_read(standin: TwilioStandIn):
    key = ("SK" + "77" * 16, "no-read")
    standin.add_api_key(*key, read_messages=False)
    client = TwilioClient(replace(settings_for(standin).twilio, auth=key), sleep=lambda _s: None)
    try:
        with pytest.raises(TwilioRejected) as refused:
            client.probe_message_read()
    finally:
        client.close()
    assert refused.value.http_status == 403
    assert refused.value.code is ErrorCode.PERMISSION_DENIED_ERROR
    assert standin.delivered == {}


_CREATED = "Wed, 02 Dec 2026 04:00:00 +0000"
_UNREADABLE = "Twilio answered HTTP 200 with a message list that could not be read"


@pytest.mark.parametrize(
    "answer",
    [
        [],
        {"messages": "none"},
        {"messages": ["SM1"]},
        {"messages": [{"sid": "SM1", "to": 5, "date_created": _CREATED}]},
        {"messages": [{"sid": 5, "to": TO, "date_created": _CREATED}]},
        {"messages": [{"sid": "SM1", "to": TO, "date_created": 5}]},
        {"messages": [{"sid": "SM1", "to": TO, "date_created": "yesterday"}]},
        {"messages": [], "next_page_uri": 5},
        {"messages": [], "next_page_uri": "/2010-04-01/Accounts/AC1/Calls.json?Page=1"},
    ],
    ids=[
        "array",
        "messages-not-a-list",
        "item-not-an-object",
        "to-not-a-string",
        "sid-not-a-string",
        "date-not-a-string",
        "date-unreadable",
        "next-page-not-a-string",
        "next-page-elsewhere",
    ],
)
def test_a_list_page_not_shaped_like_twilio_s_is_unreadable_and_says_so(
    twilio: TwilioClient, standin: TwilioStandIn, answer: object
):
    standin.faults.answer_next(200, answer)
    with pytest.raises(TwilioUnreadable) as caught:
        list(twilio.message_pages(TO, GOOD_FROM, page_size=2))
    error = caught.value
    assert (error.code, error.message, error.http_status) == (
        ErrorCode.UNKNOWN_ERROR,
        _UNREADABLE,
        200,
    )
    assert error.possibly_sent is False


def test_listed_fields_that_are_absent_or_not_strings_read_as_empty(
    twilio: TwilioClient, standin: TwilioStandIn
):
    item = {
        "sid": "SM1",
        "to": TO,
        "date_created": _CREATED,
        "from": 5,
        "messaging_service_sid": 6,
        "body": None,
        "direction": None,
    }
    standin.faults.answer_next(200, {"messages": [item]})
    [[listed]] = list(twilio.message_pages(TO, GOOD_FROM, page_size=2))
    assert (listed.sender, listed.messaging_service_sid, listed.body, listed.direction) == (
        None,
        None,
        "",
        "",
    )


def test_a_listed_date_without_a_zone_is_utc_whatever_the_machine_s_zone(
    twilio: TwilioClient, standin: TwilioStandIn, monkeypatch: pytest.MonkeyPatch
):
    item = {"sid": "SM1", "to": TO, "date_created": "Wed, 02 Dec 2026 04:00:00 -0000"}
    standin.faults.answer_next(200, {"messages": [item]})
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        [[listed]] = list(twilio.message_pages(TO, GOOD_FROM, page_size=2))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert listed.date_created == datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc)
    assert listed.date_created.utcoffset() == timedelta(0)
    assert listed.date_created.tzname() == "UTC"


def test_the_list_is_asked_for_messages_from_the_sender_number_only(
    twilio: TwilioClient, standin: TwilioStandIn
):
    list(twilio.message_pages(TO, GOOD_FROM, page_size=2))
    [request] = [r for r in standin.received if r.method == "GET"]
    assert parse_qs(request.query) == {"To": [TO], "PageSize": ["2"], "From": [GOOD_FROM]}


def test_a_date_header_without_a_zone_is_utc_whatever_the_machine_s_zone(
    twilio: TwilioClient, standin: TwilioStandIn, monkeypatch: pytest.MonkeyPatch
):
    standin.dates_in_gmt = False  # "... -0000"
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        now = twilio.twilio_now()
    finally:
        monkeypatch.undo()
        time.tzset()
    expected = time.time()
    assert expected - 5 < now.timestamp() <= expected + 0.001
