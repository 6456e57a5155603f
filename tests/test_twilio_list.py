"""TwilioClient's side of reconciliation against the stand-in: the Messages list page by page,
Twilio's clock from its Date header, and the read-access probe."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from tests.twilio_fixtures import GOOD_FROM, settings_for
from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ErrorCode, TwilioRejected
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
