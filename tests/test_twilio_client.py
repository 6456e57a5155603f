"""The Twilio client against the stand-in over real HTTP: every documented code it can produce,
the 429 retry policy, and the request form checked against Twilio's OpenAPI spec."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from prometheus_client import CollectorRegistry

from tests import shared_files
from tests.fake_clock import FakeClock
from tests.twilio_fixtures import GOOD_FROM, settings_for
from tests.twilio_spec import require_spec, validate_create_message_request
from worker.config import Settings
from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ConnectorError, ErrorCode, TwilioUnreadable
from worker.metrics import Metrics
from worker.sms.sender import Sender, SenderKind, parse_sender
from worker.twilio.client import TwilioClient
from worker.twilio.translation import HTTP_STATUSES, TWILIO_CODES

FROM = Sender(GOOD_FROM, SenderKind.PHONE_NUMBER)


TO = "+14155552671"


Arrange = Callable[[TwilioStandIn], None]


def _send(client: TwilioClient, to: str = TO, sender: Sender = FROM) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        client.send_message(sender, to, "hello")
    return caught.value


def _fail(status: int, code: int) -> Arrange:
    return lambda s: s.faults.fail_next(status=status, code=code, message="injected")


# (name, how to arrange the stand-in, sender, recipient, the code the client must produce)
CASES: list[tuple[str, Arrange, str, str, ErrorCode]] = [
    (
        "magic To 21211",
        lambda s: None,
        GOOD_FROM,
        "+15005550001",
        ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
    ),
    (
        "magic To 21612",
        lambda s: None,
        GOOD_FROM,
        "+15005550002",
        ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
    ),
    (
        "magic To 21614",
        lambda s: None,
        GOOD_FROM,
        "+15005550009",
        ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
    ),
    ("21604", _fail(400, 21604), GOOD_FROM, TO, ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR),
    (
        "magic From 21212",
        lambda s: None,
        "+15005550001",
        TO,
        ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,
    ),
    (
        "magic From 21606",
        lambda s: None,
        "+15005550007",
        TO,
        ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,
    ),
    ("21659", _fail(400, 21659), GOOD_FROM, TO, ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR),
    (
        "short code to another country 21659",
        lambda s: None,
        "12345",
        "+4915112345678",
        ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR,
    ),
    (
        "alphanumeric sender to North America 21612",
        lambda s: None,
        "MyShop",
        TO,
        ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
    ),
    ("21657", _fail(400, 21657), "MyShop", TO, ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR),
    ("21660", _fail(400, 21660), GOOD_FROM, TO, ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR),
    ("21603", _fail(400, 21603), GOOD_FROM, TO, ErrorCode.INVALID_FROM_PHONE_NUMBER_ERROR),
    (
        "magic To 21408",
        lambda s: None,
        GOOD_FROM,
        "+15005550003",
        ErrorCode.INVALID_REGION_TO_PHONE_NUMBER_ERROR,
    ),
    ("20003", _fail(401, 20003), GOOD_FROM, TO, ErrorCode.AUTHENTICATION_CONNECTION_ERROR),
    ("20403", _fail(403, 20403), GOOD_FROM, TO, ErrorCode.PERMISSION_DENIED_ERROR),
    ("20005", _fail(403, 20005), GOOD_FROM, TO, ErrorCode.PERMISSION_DENIED_ERROR),
    ("20008", _fail(403, 20008), GOOD_FROM, TO, ErrorCode.PERMISSION_DENIED_ERROR),
    (
        "magic To 21610 has only the status row",
        lambda s: None,
        GOOD_FROM,
        "+15005550004",
        ErrorCode.BAD_REQUEST,
    ),
    (
        "magic From 21611 has only the status row",
        lambda s: None,
        "+15005550008",
        TO,
        ErrorCode.BAD_REQUEST,
    ),
    *[
        (f"HTTP {status}", _fail(status, 20001), GOOD_FROM, TO, code)
        for status, code in HTTP_STATUSES.items()
        if status != 429
    ],
    ("HTML 502 page", lambda s: s.faults.html_next(502), GOOD_FROM, TO, ErrorCode.BAD_GATEWAY),
    (
        "HTML 503 page",
        lambda s: s.faults.html_next(503),
        GOOD_FROM,
        TO,
        ErrorCode.SERVICE_UNAVAILABLE,
    ),
    (
        "429 beyond the retry budget",
        lambda s: s.faults.throttle_next(count=1000, retry_after=1),
        GOOD_FROM,
        TO,
        ErrorCode.SERVICE_UNAVAILABLE,
    ),
    (
        "connection reset",
        lambda s: s.faults.reset_next(),
        GOOD_FROM,
        TO,
        ErrorCode.TWILIO_CONNECTION_ERROR,
    ),
    (
        "read timeout",
        lambda s: s.faults.delay_next(1500),
        GOOD_FROM,
        TO,
        ErrorCode.TWILIO_CONNECTION_ERROR,
    ),
    ("an unlisted status", _fail(418, 20001), GOOD_FROM, TO, ErrorCode.UNKNOWN_ERROR),
    (
        "a redirect",
        lambda s: s.faults.redirect_next("https://elsewhere.example/x"),
        GOOD_FROM,
        TO,
        ErrorCode.TWILIO_CONNECTION_ERROR,
    ),
    (
        "a success answer without a SID",
        lambda s: s.faults.answer_without_sid_next(),
        GOOD_FROM,
        TO,
        ErrorCode.UNKNOWN_ERROR,
    ),
]


# Produced before any request is made; their tests live with the inputs and the template.
PRODUCED_ELSEWHERE = {
    ErrorCode.MISSING_INPUT,
    ErrorCode.INVALID_INPUT,
    ErrorCode.TEMPLATE_READ_ERROR,
    ErrorCode.TEMPLATE_METADATA_ERROR,
    ErrorCode.TEMPLATE_SYNTAX_ERROR,
}


@pytest.fixture
def fast_client(standin: TwilioStandIn) -> TwilioClient:
    settings = settings_for(standin, twilio_read_timeout_ms=500, twilio_retry_429_budget_ms=50)
    return TwilioClient(settings.twilio, sleep=lambda _s: None)


@pytest.mark.parametrize(
    ("arrange", "sender", "to", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_failure_maps_to_its_documented_code(
    standin: TwilioStandIn,
    fast_client: TwilioClient,
    arrange: Arrange,
    sender: str,
    to: str,
    expected: ErrorCode,
):
    arrange(standin)
    error = _send(fast_client, to, parse_sender(sender, None))
    assert error.code is expected


def test_the_catalogue_is_exactly_the_contracts_error_table():
    text = shared_files.require(shared_files.CONTRACT).read_text(encoding="utf-8")
    table = text.split("The possible errors", 1)[1]
    documented = set(re.findall(r"^([A-Z][A-Z_]+) ", table, flags=re.MULTILINE))
    assert documented == {code.value for code in ErrorCode}


def test_every_documented_code_has_a_path_that_produces_it():
    produced = {case[-1] for case in CASES} | PRODUCED_ELSEWHERE
    assert produced == set(ErrorCode)


def test_every_mapping_row_is_exercised():
    exercised_statuses = {case[0].removeprefix("HTTP ") for case in CASES}
    assert {str(s) for s in HTTP_STATUSES if s != 429} <= exercised_statuses
    names = " ".join(case[0] for case in CASES)
    for twilio_code in TWILIO_CODES:
        assert str(twilio_code) in names, twilio_code


def test_success_returns_the_message_sid(standin: TwilioStandIn, twilio: TwilioClient):
    sid = twilio.send_message(FROM, TO, "hello")
    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    assert standin.delivered == {TO: 1}


def test_plus_in_numbers_survives_form_encoding(standin: TwilioStandIn, twilio: TwilioClient):
    twilio.send_message(FROM, TO, "a+b c")
    received = standin.received[-1]
    assert received.form == {"To": TO, "From": GOOD_FROM, "Body": "a+b c"}
    assert b"To=%2B14155552671" in received.body


def test_messaging_service_sid_is_sent_instead_of_from(
    standin: TwilioStandIn, twilio: TwilioClient
):
    service = Sender("MG" + "a" * 32, SenderKind.MESSAGING_SERVICE)
    twilio.send_message(service, TO, "hello")
    form = standin.received[-1].form
    assert form["MessagingServiceSid"] == service.value
    assert "From" not in form


def test_the_request_form_matches_twilios_openapi_spec(
    standin: TwilioStandIn, twilio: TwilioClient, twilio_settings: Settings
):
    require_spec()
    twilio.send_message(FROM, TO, "Hello ${name} + ünïcode ✓")
    received = standin.received[-1]
    validate_create_message_request(
        twilio_settings.twilio_account,
        received.form,
        twilio_settings.twilio_auth,
        body=received.body,
    )


def test_a_status_callback_url_is_sent_as_statuscallback_and_matches_the_spec(
    standin: TwilioStandIn, twilio: TwilioClient, twilio_settings: Settings
):
    require_spec()
    # Port 9 (discard) on loopback: the stand-in's callbacks to it are refused at once.
    url = "http://127.0.0.1:9/twilio/status?processInstanceId=abc-123"
    twilio.send_message(FROM, TO, "hello", status_callback=url)
    received = standin.received[-1]
    assert received.form["StatusCallback"] == url
    validate_create_message_request(
        twilio_settings.twilio_account,
        received.form,
        twilio_settings.twilio_auth,
        body=received.body,
    )


def test_without_a_status_callback_url_none_is_sent(standin: TwilioStandIn, twilio: TwilioClient):
    twilio.send_message(FROM, TO, "hello")
    assert "StatusCallback" not in standin.received[-1].form


def test_api_key_authenticates_with_the_account_sid_in_the_path(standin: TwilioStandIn):
    key, secret = "SK" + "b" * 32, "key-secret"
    standin.add_api_key(key, secret)
    settings = settings_for(standin, twilio_api_key=key, twilio_api_secret=secret)
    TwilioClient(settings.twilio).send_message(FROM, TO, "hello")
    received = standin.received[-1]
    assert received.auth_user == key
    assert f"/Accounts/{settings.twilio_account}/" in received.path


def test_wrong_token_is_an_authentication_error(standin: TwilioStandIn):
    client = TwilioClient(settings_for(standin, twilio_token="wrong").twilio)
    error = _send(client)
    assert error.code is ErrorCode.AUTHENTICATION_CONNECTION_ERROR
    assert "wrong" not in error.message


def test_429_is_retried_transparently(standin: TwilioStandIn, twilio_settings: Settings):
    sleeps: list[float] = []
    client = TwilioClient(twilio_settings.twilio, sleep=sleeps.append, jitter=lambda: 0.5)
    standin.faults.throttle_next(count=3)
    client.send_message(FROM, TO, "hello")
    assert len(sleeps) == 3
    assert sleeps == sorted(sleeps)  # backoff grows
    assert standin.delivered == {TO: 1}


def test_429_honours_retry_after(standin: TwilioStandIn, twilio_settings: Settings):
    sleeps: list[float] = []
    settings = replace(twilio_settings, twilio_retry_429_budget_ms=10_000)
    client = TwilioClient(settings.twilio, sleep=sleeps.append, jitter=lambda: 0.0)
    standin.faults.throttle_next(count=1, retry_after=3)
    client.send_message(FROM, TO, "hello")
    assert sleeps == [3.0]


# 2026-10-21 07:28:00 UTC, as an HTTP date and as the wall clock's seconds.
HTTP_DATE = "Wed, 21 Oct 2026 07:28:00 GMT"


HTTP_DATE_S = datetime(2026, 10, 21, 7, 28, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("now", "expected"),
    [(HTTP_DATE_S - 7, [7.0]), (HTTP_DATE_S + 60, [0.0])],
    ids=["ahead", "past"],
)
def test_429_honours_retry_after_as_an_http_date(
    standin: TwilioStandIn, twilio_settings: Settings, now: float, expected: list[float]
):
    clock = FakeClock()
    settings = replace(twilio_settings, twilio_retry_429_budget_ms=10_000)
    client = TwilioClient(
        settings.twilio, sleep=clock.sleep, clock=clock, wall_clock=lambda: now, jitter=lambda: 0.0
    )
    standin.faults.throttle_next(count=1, retry_after=HTTP_DATE)
    client.send_message(FROM, TO, "hello")
    assert clock.slept == expected
    assert standin.delivered == {TO: 1}


def test_an_unreadable_retry_after_leaves_the_backoff(
    standin: TwilioStandIn, twilio_settings: Settings
):
    clock = FakeClock()
    client = TwilioClient(
        twilio_settings.twilio, sleep=clock.sleep, clock=clock, jitter=lambda: 0.5
    )
    standin.faults.throttle_next(count=1, retry_after="soon")
    client.send_message(FROM, TO, "hello")
    assert clock.slept == [0.125]  # half of the first backoff step, 0.25 s


def test_the_429_budget_counts_from_the_first_attempt(
    standin: TwilioStandIn, twilio_settings: Settings
):
    # Every answer asks for 1 s and the budget is 2 s: two retries fit (the second ends just as
    # the budget does), a third would end after it. A budget that restarted with each attempt
    # would retry for ever.
    clock = FakeClock()
    settings = replace(twilio_settings, twilio_retry_429_budget_ms=2_000)
    client = TwilioClient(settings.twilio, sleep=clock.sleep, clock=clock, jitter=lambda: 0.0)
    standin.faults.throttle_next(count=1000, retry_after=1)
    error = _send(client)
    assert error.code is ErrorCode.SERVICE_UNAVAILABLE
    assert clock.slept == [1.0, 1.0]
    assert len(standin.received) == 3


def test_5xx_is_never_retried_because_the_sms_may_exist(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.fail_next(status=500, code=20500)
    error = _send(fast_client)
    assert error.details["possiblySent"] is True
    assert len(standin.received) == 1


def test_read_timeout_says_the_sms_may_have_been_sent(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.delay_next(1500)
    error = _send(fast_client)
    assert error.code is ErrorCode.TWILIO_CONNECTION_ERROR
    assert error.details["possiblySent"] is True
    assert "may have been sent" in error.message
    assert len(standin.received) <= 1


def test_a_connection_reset_after_the_request_says_the_sms_may_have_been_sent(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.reset_next()
    error = _send(fast_client)
    assert error.code is ErrorCode.TWILIO_CONNECTION_ERROR
    assert error.details["possiblySent"] is True
    assert "may have been sent" in error.message
    assert len(standin.received) == 1  # never retried


def test_a_success_answer_without_a_message_sid_may_have_been_sent(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.answer_without_sid_next(status=201)
    error = _send(fast_client)
    assert isinstance(error, TwilioUnreadable)
    assert error.code is ErrorCode.UNKNOWN_ERROR
    assert error.details == {"httpStatus": 201, "possiblySent": True}
    assert "without a message SID" in error.message
    assert len(standin.received) == 1  # never retried


def test_connection_refused_says_the_sms_was_not_sent(standin: TwilioStandIn):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = TwilioClient(settings_for(standin, twilio_api_url=f"http://127.0.0.1:{port}").twilio)
    error = _send(client)
    assert error.code is ErrorCode.TWILIO_CONNECTION_ERROR
    assert "was not sent" in error.message
    assert error.details["possiblySent"] is False


def test_twilio_error_details_are_kept(standin: TwilioStandIn, twilio: TwilioClient):
    error = _send(twilio, "+15005550001")
    assert error.details["twilioCode"] == 21211
    assert error.details["moreInfo"].endswith("/21211")
    assert "21211" in error.message


def test_fetch_account_proves_credentials_without_sending(
    standin: TwilioStandIn, twilio: TwilioClient, twilio_settings: Settings
):
    account = twilio.fetch_account()
    assert account["sid"] == twilio_settings.twilio_account
    assert standin.delivered == {}


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A loopback port whose accept queue is full: a connection attempt there times out."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        try:
            yield port
        finally:
            for filler in fillers:
                filler.close()


def test_a_connect_timeout_says_the_sms_was_not_sent(standin: TwilioStandIn, unanswered_port: int):
    settings = settings_for(
        standin,
        twilio_api_url=f"http://127.0.0.1:{unanswered_port}",
        twilio_connect_timeout_ms=300,
    )
    error = _send(TwilioClient(settings.twilio))
    assert error.code is ErrorCode.TWILIO_CONNECTION_ERROR
    assert error.message == "timed out connecting to Twilio; the SMS was not sent"
    assert error.details == {"possiblySent": False}


def test_a_failed_tls_handshake_says_the_sms_was_not_sent(standin: TwilioStandIn):
    # TLS spoken to the plain-HTTP stand-in: the handshake fails before anything is sent.
    url = standin.url.replace("http://", "https://")
    error = _send(TwilioClient(settings_for(standin, twilio_api_url=url).twilio))
    assert error.code is ErrorCode.TWILIO_CONNECTION_ERROR
    assert error.message == "TLS handshake with Twilio failed; the SMS was not sent"
    assert error.details == {"possiblySent": False}
    assert standin.received == []


def test_a_refused_connection_names_its_cause(standin: TwilioStandIn):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = TwilioClient(settings_for(standin, twilio_api_url=f"http://127.0.0.1:{port}").twilio)
    assert _send(client).message == (
        "cannot connect to Twilio (ConnectionRefusedError); the SMS was not sent"
    )


def test_a_reset_connection_names_its_cause(standin: TwilioStandIn, fast_client: TwilioClient):
    standin.faults.reset_next()
    assert _send(fast_client).message == (
        "connection to Twilio broke (ConnectionResetError); the SMS may have been sent"
    )


def test_a_read_timeout_message_says_so(standin: TwilioStandIn, fast_client: TwilioClient):
    standin.faults.delay_next(1500)
    assert _send(fast_client).message == (
        "timed out waiting for Twilio's answer; the SMS may have been sent"
    )


def test_requests_name_the_client_and_ask_for_json(standin: TwilioStandIn, twilio: TwilioClient):
    twilio.send_message(FROM, TO, "hello")
    headers = standin.received[-1].headers
    assert (headers["user-agent"], headers["accept"]) == (
        "twilio-sms-worker/0.1",
        "application/json",
    )


def test_each_attempt_is_timed_by_status_and_each_429_retry_counted(
    standin: TwilioStandIn, twilio_settings: Settings
):
    clock, registry = FakeClock(), CollectorRegistry()
    client = TwilioClient(
        twilio_settings.twilio,
        sleep=clock.sleep,
        clock=clock,
        jitter=lambda: 0.0,
        metrics=Metrics(registry),
    )
    standin.faults.throttle_next(count=1)
    client.send_message(FROM, TO, "hello")
    duration = "sms_worker_twilio_request_duration_seconds"
    for status in ("429", "201"):
        assert registry.get_sample_value(f"{duration}_count", {"status": status}) == 1
        assert registry.get_sample_value(f"{duration}_sum", {"status": status}) == 0.0
    assert registry.get_sample_value("sms_worker_twilio_429_retries_total") == 1
    assert registry.get_sample_value("sms_worker_messages_sent_total") == 1


def test_a_request_with_no_answer_is_timed_as_none(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    registry = CollectorRegistry()
    settings = settings_for(standin, twilio_read_timeout_ms=500)
    client = TwilioClient(settings.twilio, metrics=Metrics(registry))
    standin.faults.reset_next()
    _send(client)
    count = "sms_worker_twilio_request_duration_seconds_count"
    assert registry.get_sample_value(count, {"status": "none"}) == 1


def test_a_retry_after_of_zero_retries_at_once(standin: TwilioStandIn, twilio_settings: Settings):
    clock = FakeClock()
    client = TwilioClient(
        twilio_settings.twilio, sleep=clock.sleep, clock=clock, jitter=lambda: 0.0
    )
    standin.faults.throttle_next(count=1, retry_after=0)
    client.send_message(FROM, TO, "hello")
    assert clock.slept == [0.0]


def test_an_answer_without_twilios_error_json_says_only_the_status(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.html_next(502)
    error = _send(fast_client)
    assert error.message == "Twilio answered HTTP 502"
    assert error.details == {"httpStatus": 502, "twilioCode": None, "possiblySent": True}


def test_twilios_error_is_quoted_with_its_code(standin: TwilioStandIn, fast_client: TwilioClient):
    standin.faults.fail_next(status=400, code=21611, message="queue is full")
    error = _send(fast_client)
    assert error.message == "Twilio answered HTTP 400 (Twilio error 21611: queue is full)"
    assert error.details == {
        "httpStatus": 400,
        "twilioCode": 21611,
        "possiblySent": False,
        "moreInfo": "https://www.twilio.com/docs/errors/21611",
    }


def test_a_success_answer_that_is_not_json_may_have_been_sent(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.html_next(201)
    error = _send(fast_client)
    assert isinstance(error, TwilioUnreadable)
    assert error.details == {"httpStatus": 201, "possiblySent": True}


def test_any_other_request_failure_is_unknown_and_may_have_been_sent(standin: TwilioStandIn):
    # Port 99999 does not exist: requests refuses the URL, a failure no row describes.
    settings = settings_for(standin, twilio_api_url="http://127.0.0.1:99999")
    error = _send(TwilioClient(settings.twilio))
    assert error.code is ErrorCode.UNKNOWN_ERROR
    assert error.message == "request to Twilio failed: InvalidURL"
    assert error.details == {"possiblySent": True}


def test_an_error_body_off_twilios_schema_is_read_by_its_status_only(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.answer_next(400, {"code": "21211", "message": 5, "more_info": 7})
    error = _send(fast_client)
    assert error.code is ErrorCode.BAD_REQUEST
    assert error.message == "Twilio answered HTTP 400"
    assert error.details == {"httpStatus": 400, "twilioCode": None, "possiblySent": False}


def test_an_error_message_that_is_not_text_is_left_out(
    standin: TwilioStandIn, fast_client: TwilioClient
):
    standin.faults.answer_next(400, {"code": 21211, "message": 5, "more_info": 7})
    error = _send(fast_client)
    assert error.code is ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR
    assert error.message == "Twilio answered HTTP 400 (Twilio error 21211: None)"
    assert "moreInfo" not in error.details


@pytest.mark.parametrize("status", [400, 201])
def test_an_answer_that_is_a_json_list_is_no_object(
    standin: TwilioStandIn, fast_client: TwilioClient, status: int
):
    standin.faults.answer_next(status, [1, 2])
    error = _send(fast_client)
    expected = ErrorCode.BAD_REQUEST if status == 400 else ErrorCode.UNKNOWN_ERROR
    assert error.code is expected


def test_a_sid_that_is_not_text_is_no_sid(standin: TwilioStandIn, fast_client: TwilioClient):
    standin.faults.answer_next(201, {"sid": 123})
    assert isinstance(_send(fast_client), TwilioUnreadable)


def test_an_empty_sid_is_no_sid(standin: TwilioStandIn, fast_client: TwilioClient):
    standin.faults.answer_next(201, {"sid": ""})
    assert isinstance(_send(fast_client), TwilioUnreadable)


def test_an_account_answer_that_is_no_object_reads_as_empty(
    standin: TwilioStandIn, twilio: TwilioClient
):
    standin.faults.answer_next(200, ["not", "an", "account"])
    assert twilio.fetch_account() == {}
