"""The Twilio client never follows a redirect: a 3xx is TWILIO_CONNECTION_ERROR, the message
was not sent, and neither it nor the credentials went to where the redirect pointed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.twilio_fixtures import GOOD_FROM
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, TwilioStandIn
from worker.errors import ErrorCode, TwilioRejected
from worker.sms.action import send_sms
from worker.sms.outcome import BusinessError
from worker.sms.sender import Sender, SenderKind
from worker.twilio.client import TwilioClient

MESSAGES = f"/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json"


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[TwilioStandIn]:
    """Where the redirects point: another server on loopback that would accept anything."""
    with TwilioStandIn() as server:
        yield server


@pytest.mark.parametrize("status", [300, 301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_nothing_is_sent(
    standin: TwilioStandIn, twilio: TwilioClient, elsewhere: TwilioStandIn, status: int
):
    elsewhere.reset()
    target = elsewhere.url.replace("http://", "http://mallory:hunter2-pw@") + MESSAGES
    standin.faults.redirect_next(target, status=status)
    with pytest.raises(TwilioRejected) as caught:
        twilio.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), "+14155552671", "Hi")
    error = caught.value
    assert (error.code, error.http_status, error.possibly_sent) == (
        ErrorCode.TWILIO_CONNECTION_ERROR,
        status,
        False,
    )
    assert error.message == (
        f"Twilio answered HTTP {status}, a redirect to http://127.0.0.1, which is not followed "
        "(check TWILIO_API_URL); the SMS was not sent"
    )
    assert elsewhere.received == []
    assert standin.delivered == {}


def test_a_redirect_stops_the_task_instead_of_failing_each_recipient(
    standin: TwilioStandIn, twilio: TwilioClient
):
    standin.faults.redirect_next("https://elsewhere.example" + MESSAGES, status=301)
    values = {
        "smsFrom": GOOD_FROM,
        "smsTo": ["+14155552671", "+14155552672"],
        "smsBody": "Hi",
    }
    outcome = send_sms(values, twilio)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.TWILIO_CONNECTION_ERROR
    assert outcome.sms_error["notAttempted"] == ["+14155552672"]
    assert outcome.sms_error["failures"][0]["possiblySent"] is False
    assert len(standin.received) == 1


@pytest.mark.parametrize(
    ("location", "said"),
    [
        ("", "nowhere (no Location header)"),
        ("/elsewhere/Messages.json", "a relative address"),
        ("http://[::1/Messages.json", "an unreadable address"),
        ("http://" + "a" * 2041 + "[", "http://" + "a" * 2041),
    ],
    ids=["no-location", "relative", "unreadable", "only-2048-characters-read"],
)
def test_the_redirect_message_says_where_it_pointed_as_far_as_it_can(
    standin: TwilioStandIn, twilio: TwilioClient, location: str, said: str
):
    standin.faults.redirect_next(location, status=302)
    with pytest.raises(TwilioRejected) as caught:
        twilio.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), "+14155552671", "Hi")
    assert caught.value.message == (
        f"Twilio answered HTTP 302, a redirect to {said}, which is not followed "
        "(check TWILIO_API_URL); the SMS was not sent"
    )
    assert standin.delivered == {}
