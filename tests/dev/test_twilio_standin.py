"""The Twilio stand-in behaves like Twilio's Messages API, over real HTTP on loopback."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.twilio_spec import (
    SpecMismatch,
    require_spec,
    spec_path,
    validate_account_response,
    validate_create_message_request,
    validate_message_response,
)
from worker.dev.twilio_faults import Fault, Kind
from worker.dev.twilio_standin import TwilioStandIn

REPO = Path(__file__).resolve().parents[2]
API_KEY = ("SK" + "ab" * 16, "key-secret")
OK_FROM = "+15005550006"
TO = "+4915112345678"


@pytest.fixture(scope="module")
def server() -> Iterator[TwilioStandIn]:
    with TwilioStandIn() as standin:
        yield standin


@pytest.fixture
def standin(server: TwilioStandIn) -> TwilioStandIn:
    server.reset()
    return server


@pytest.fixture
def client(standin: TwilioStandIn) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.auth = (standin.account_sid, standin.auth_token)
        yield session


def messages_url(standin: TwilioStandIn, account_sid: str | None = None) -> str:
    return f"{standin.url}/2010-04-01/Accounts/{account_sid or standin.account_sid}/Messages.json"


def account_url(standin: TwilioStandIn) -> str:
    return f"{standin.url}/2010-04-01/Accounts/{standin.account_sid}.json"


def send(
    client: requests.Session, standin: TwilioStandIn, timeout: float = 5, **form: str
) -> requests.Response:
    data = {"To": TO, "From": OK_FROM, "Body": "hello"} | form
    return client.post(messages_url(standin), data=data, timeout=timeout)


def assert_twilio_error(response: requests.Response, status: int, code: int) -> dict[str, object]:
    assert response.status_code == status
    body: dict[str, object] = response.json()
    assert body == {
        "code": code,
        "message": body["message"],
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    assert isinstance(body["message"], str)
    assert body["message"]
    return body


# --- the created message and the spec ---------------------------------------------------------


def test_created_message_validates_against_the_spec(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    require_spec()
    response = send(client, standin)
    assert response.status_code == 201
    validate_message_response(201, response.content)


def test_created_message_has_twilio_fields_and_types(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    message = send(client, standin, Body="hi").json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", message["sid"])
    assert message["account_sid"] == standin.account_sid
    assert (message["to"], message["from"], message["body"]) == (TO, OK_FROM, "hi")
    assert (message["status"], message["direction"]) == ("queued", "outbound-api")
    assert (message["num_segments"], message["num_media"]) == ("1", "0")
    assert (message["price"], message["price_unit"], message["date_sent"]) == (None, "USD", None)
    assert (message["error_code"], message["error_message"]) == (None, None)
    assert message["messaging_service_sid"] is None
    assert message["api_version"] == "2010-04-01"
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000", message["date_created"])
    assert message["uri"].endswith(f"/Messages/{message['sid']}.json")
    assert message["subresource_uris"]["media"].endswith(f"/Messages/{message['sid']}/Media.json")


def test_validator_rejects_a_message_with_a_malformed_sid(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    require_spec()
    message = send(client, standin).json()
    broken = json.dumps(message | {"sid": "SM-not-a-sid"}).encode()
    with pytest.raises(SpecMismatch):
        validate_message_response(201, broken)


def test_validator_rejects_a_message_with_an_unknown_status(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    require_spec()
    message = send(client, standin).json()
    with pytest.raises(SpecMismatch):
        validate_message_response(201, json.dumps(message | {"status": "teleported"}).encode())


def test_request_validator_accepts_what_requests_sent_and_rejects_a_form_without_to(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    require_spec()
    send(client, standin)
    sent = standin.received[-1]
    validate_create_message_request(standin.account_sid, sent.form, body=sent.body)
    with pytest.raises(SpecMismatch):
        validate_create_message_request(standin.account_sid, {"From": OK_FROM, "Body": "x"})


def test_request_validator_rejects_a_request_without_credentials() -> None:
    require_spec()
    with pytest.raises(SpecMismatch):
        validate_create_message_request("AC" + "0" * 32, {"To": TO, "Body": "x"}, auth=None)


def test_messaging_service_message_is_accepted_without_from(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    service = "MG" + "cd" * 16
    data = {"To": TO, "MessagingServiceSid": service, "Body": "hi"}
    response = client.post(messages_url(standin), data=data, timeout=5)
    message = response.json()
    assert response.status_code == 201
    assert (message["status"], message["from"], message["messaging_service_sid"]) == (
        "accepted",
        None,
        service,
    )
    if spec_path() is not None:
        validate_message_response(201, response.content)


@pytest.mark.parametrize(
    ("body", "segments"),
    [("a" * 160, "1"), ("a" * 161, "2"), ("€" * 80, "1"), ("é" * 160, "1"), ("ł" * 71, "2")],
)
def test_num_segments_follows_gsm7_and_ucs2_limits(
    standin: TwilioStandIn, client: requests.Session, body: str, segments: str
) -> None:
    assert send(client, standin, Body=body).json()["num_segments"] == segments


# --- Twilio's own rejections --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("+15005550001", 21211),
        ("+15005550002", 21612),
        ("+15005550003", 21408),
        ("+15005550004", 21610),
        ("+15005550009", 21614),
    ],
)
def test_magic_to_number_gives_its_error(
    standin: TwilioStandIn, client: requests.Session, to: str, code: int
) -> None:
    assert_twilio_error(send(client, standin, To=to), 400, code)
    assert standin.delivered == {}


@pytest.mark.parametrize(
    ("frm", "code"), [("+15005550001", 21212), ("+15005550007", 21606), ("+15005550008", 21611)]
)
def test_magic_from_number_gives_its_error(
    standin: TwilioStandIn, client: requests.Session, frm: str, code: int
) -> None:
    assert_twilio_error(send(client, standin, From=frm), 400, code)


def test_invalid_to_message_names_the_number(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    body = assert_twilio_error(send(client, standin, To="+15005550001"), 400, 21211)
    assert body["message"] == "The 'To' number +15005550001 is not a valid phone number."


def test_any_other_numbers_succeed(standin: TwilioStandIn, client: requests.Session) -> None:
    assert send(client, standin, To="+15005550005", From="+441234567890").status_code == 201


@pytest.mark.parametrize(
    ("drop", "code"), [("To", 21604), ("From", 21603), ("Body", 21602)], ids=["to", "from", "body"]
)
def test_missing_parameter_gives_its_error(
    standin: TwilioStandIn, client: requests.Session, drop: str, code: int
) -> None:
    data = {"To": TO, "From": OK_FROM, "Body": "hello"}
    del data[drop]
    assert_twilio_error(client.post(messages_url(standin), data=data, timeout=5), 400, code)


def test_body_over_1600_characters_gives_21617(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    assert send(client, standin, Body="x" * 1600).status_code == 201
    assert_twilio_error(send(client, standin, Body="x" * 1601), 400, 21617)


def test_json_body_is_not_read_as_parameters(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    payload = {"To": TO, "From": OK_FROM, "Body": "hi"}
    response = client.post(messages_url(standin), json=payload, timeout=5)
    assert_twilio_error(response, 400, 21604)


def test_plus_survives_form_encoding(standin: TwilioStandIn, client: requests.Session) -> None:
    send(client, standin, To="+15005550006")
    assert standin.received[-1].body.startswith(b"To=%2B15005550006")
    assert standin.received[-1].form["To"] == "+15005550006"


def test_unencoded_plus_becomes_a_space_and_fails_like_twilio(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    raw = f"To=+15005550006&From={OK_FROM}&Body=hi"
    response = client.post(messages_url(standin), data=raw, headers=headers, timeout=5)
    assert_twilio_error(response, 400, 21211)
    assert standin.received[-1].form["To"] == " 15005550006"


# --- authentication ------------------------------------------------------------------------------


def test_missing_credentials_give_401_authenticate(standin: TwilioStandIn) -> None:
    response = requests.post(messages_url(standin), data={"To": TO}, timeout=5)
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def test_wrong_token_gives_401(standin: TwilioStandIn, client: requests.Session) -> None:
    client.auth = (standin.account_sid, "wrong")
    assert_twilio_error(send(client, standin), 401, 20003)
    assert standin.received[-1].auth_user is None


def test_registered_api_key_authenticates(standin: TwilioStandIn, client: requests.Session) -> None:
    standin.add_api_key(*API_KEY)
    client.auth = API_KEY
    assert send(client, standin).status_code == 201
    assert standin.received[-1].auth_user == API_KEY[0]


def test_unregistered_api_key_gives_401(standin: TwilioStandIn, client: requests.Session) -> None:
    client.auth = ("SK" + "ef" * 16, "secret")
    assert_twilio_error(send(client, standin), 401, 20003)


def test_other_account_in_path_gives_403(standin: TwilioStandIn, client: requests.Session) -> None:
    other = "AC" + "12" * 16
    response = client.post(messages_url(standin, other), data={"To": TO}, timeout=5)
    assert_twilio_error(response, 403, 20003)


def test_account_fetch_checks_credentials_and_validates(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    response = client.get(account_url(standin), timeout=5)
    assert response.status_code == 200
    assert (response.json()["sid"], response.json()["status"]) == (standin.account_sid, "active")
    if spec_path() is not None:
        validate_account_response(200, response.content, standin.account_sid)
    assert_twilio_error(requests.get(account_url(standin), timeout=5), 401, 20003)


def test_unknown_path_gives_404(standin: TwilioStandIn, client: requests.Session) -> None:
    assert_twilio_error(client.get(f"{standin.url}/2010-04-01/Nope.json", timeout=5), 404, 20404)


# --- faults --------------------------------------------------------------------------------------


def test_fail_next_fails_exactly_count_requests(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.fail_next(status=503, code=20503, message="Service Unavailable", count=2)
    assert_twilio_error(send(client, standin), 503, 20503)
    assert_twilio_error(send(client, standin), 503, 20503)
    assert send(client, standin).status_code == 201
    assert standin.delivered == {TO: 1}


def test_fail_to_fails_only_that_number_until_cleared(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.fail_to("+15550000001", status=400, code=21610, message="unsubscribed")
    for _ in range(2):
        body = assert_twilio_error(send(client, standin, To="+15550000001"), 400, 21610)
        assert body["message"] == "unsubscribed"
    assert send(client, standin, To="+15550000002").status_code == 201
    standin.faults.clear()
    assert send(client, standin, To="+15550000001").status_code == 201


def test_fail_to_uses_twilios_text_for_a_known_code(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.fail_to("+15550000001")
    body = assert_twilio_error(send(client, standin, To="+15550000001"), 400, 21211)
    assert body["message"] == "The 'To' number +15550000001 is not a valid phone number."


def test_a_fault_of_any_kind_can_target_one_number(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.add(Fault(Kind.RESET, count=None, to="+15550000001"))
    assert send(client, standin, To="+15550000002").status_code == 201
    with pytest.raises(requests.ConnectionError):
        send(client, standin, To="+15550000001")
    assert standin.delivered == {"+15550000002": 1}


def test_throttle_gives_429_20429_with_retry_after(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.throttle_next(count=3, retry_after=2)
    responses = [send(client, standin) for _ in range(4)]
    for response in responses[:3]:
        assert_twilio_error(response, 429, 20429)
        assert response.headers["Retry-After"] == "2"
    assert responses[3].status_code == 201


def test_throttle_can_send_retry_after_as_an_http_date(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.throttle_next(retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
    assert send(client, standin).headers["Retry-After"] == "Wed, 21 Oct 2026 07:28:00 GMT"


def test_a_success_without_a_sid_is_json_lacking_the_sid(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.answer_without_sid_next(status=200)
    response = send(client, standin)
    assert response.status_code == 200
    assert "sid" not in response.json()
    assert send(client, standin).json()["sid"].startswith("SM")


def test_throttle_without_retry_after_sends_no_header(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.throttle_next()
    assert "Retry-After" not in send(client, standin).headers


def test_reset_closes_the_connection_without_a_response(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.reset_next()
    with pytest.raises(requests.ConnectionError):
        send(client, standin)
    assert standin.received[-1].status is None
    assert send(client, standin).status_code == 201


def test_html_error_page_is_not_json(standin: TwilioStandIn, client: requests.Session) -> None:
    standin.faults.html_next(status=502)
    response = send(client, standin)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<html>")
    assert send(client, standin).status_code == 201


def test_delay_longer_than_read_timeout_times_out(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.delay_next(ms=600)
    with pytest.raises(requests.ReadTimeout):
        send(client, standin, timeout=0.2)
    assert send(client, standin).status_code == 201
    # Like Twilio, the stand-in finishes the abandoned request: wait for it, so its delivery
    # is counted here and not in the next test.
    deadline = time.monotonic() + 5
    while len(standin.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sum(standin.delivered.values()) == 2


def test_latency_is_added_to_every_request(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.set_latency(60)
    started = time.monotonic()
    send(client, standin)
    client.get(account_url(standin), timeout=5)
    assert time.monotonic() - started >= 0.12
    standin.faults.set_latency(0)


def test_untargeted_fault_hits_the_next_request_of_any_kind(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.fail_next(status=500, code=20500)
    assert_twilio_error(client.get(account_url(standin), timeout=5), 500, 20500)


def test_a_delay_and_an_error_combine_on_one_request(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.add(Fault(Kind.DELAY, delay_ms=50))
    standin.faults.add(Fault(Kind.ERROR, status=500, code=20500))
    started = time.monotonic()
    assert_twilio_error(send(client, standin), 500, 20500)
    assert time.monotonic() - started >= 0.05
    assert standin.faults.pending == []


def test_faults_are_consumed_exactly_once_under_concurrency(standin: TwilioStandIn) -> None:
    standin.faults.fail_next(count=5)
    auth = (standin.account_sid, standin.auth_token)
    data = {"To": TO, "From": OK_FROM, "Body": "x"}
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(
            pool.map(
                lambda _: requests.post(messages_url(standin), data=data, auth=auth, timeout=5),
                range(40),
            )
        )
    codes = sorted(r.status_code for r in statuses)
    assert codes == [201] * 35 + [500] * 5
    assert standin.delivered == {TO: 35}
    assert len(standin.received) == 40


def test_stop_wakes_a_delayed_request() -> None:
    # Delayed by an hour, with a client that waits ten minutes for the answer: only a stop that
    # wakes the delayed handler lets it return, and ends the call with a closed connection
    # rather than a read timeout, within the (generous) minute given to each.
    with TwilioStandIn() as standin:
        standin.faults.delay_next(ms=3_600_000)
        auth = (standin.account_sid, standin.auth_token)
        errors: list[Exception] = []

        def call() -> None:
            try:
                requests.post(messages_url(standin), data={"To": TO}, auth=auth, timeout=(10, 600))
            except requests.RequestException as exc:
                errors.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 60
        while standin.wait_idle(0) and time.monotonic() < deadline:
            time.sleep(0.01)  # until the request is being delayed
        assert not standin.wait_idle(0)
    assert standin.wait_idle(60)  # the delayed handler itself has returned
    caller.join(60)
    assert not caller.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], requests.ConnectionError)
    assert not isinstance(errors[0], requests.Timeout)


# --- records ------------------------------------------------------------------------------------


def test_received_request_records_what_came_in(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    sid = send(client, standin, Body="hi").json()["sid"]
    (request,) = standin.received
    assert (request.method, request.status, request.message_sid) == ("POST", 201, sid)
    assert request.path == f"/2010-04-01/Accounts/{standin.account_sid}/Messages.json"
    assert request.form == {"To": TO, "From": OK_FROM, "Body": "hi"}
    assert request.auth_user == standin.account_sid
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_delivered_counts_only_created_messages_per_number(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    send(client, standin, To="+15550000001")
    send(client, standin, To="+15550000001")
    send(client, standin, To="+15550000002")
    send(client, standin, To="+15005550001")
    assert standin.delivered == {"+15550000001": 2, "+15550000002": 1}
    standin.reset()
    assert (standin.delivered, standin.received) == ({}, [])


def test_nothing_is_logged_per_request(
    standin: TwilioStandIn, client: requests.Session, capfd: pytest.CaptureFixture[str]
) -> None:
    standin.faults.reset_next()
    with pytest.raises(requests.ConnectionError):
        send(client, standin)
    standin.faults.delay_next(ms=300)
    with pytest.raises(requests.ReadTimeout):
        send(client, standin, timeout=0.1)
    for _ in range(20):
        send(client, standin)
    time.sleep(0.3)  # let the abandoned delayed reply hit its closed socket
    assert capfd.readouterr().err == ""


# --- lifecycle ----------------------------------------------------------------------------------


def test_url_needs_a_started_stand_in() -> None:
    with pytest.raises(RuntimeError):
        _ = TwilioStandIn().url


def test_rejects_an_account_sid_the_spec_would_reject() -> None:
    with pytest.raises(ValueError, match="account_sid"):
        TwilioStandIn(account_sid="AC123")


def test_stopped_stand_in_refuses_connections() -> None:
    with TwilioStandIn() as standin:
        url = account_url(standin)
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_serve_runs_until_sigint() -> None:
    code = (
        # A shell starting the suite in the background makes children ignore SIGINT.
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from worker.dev.twilio_standin import serve\n"
        "serve(0, on_ready=lambda s: print(s.url, flush=True))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        standin = TwilioStandIn()
        response = requests.get(f"{url}/2010-04-01/Accounts/{standin.account_sid}.json", timeout=5)
        assert response.status_code == 401
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_answer_next_sends_exactly_the_json_given(
    standin: TwilioStandIn, client: requests.Session
) -> None:
    standin.faults.answer_next(400, [1, "two"])
    response = send(client, standin)
    assert (response.status_code, response.json()) == (400, [1, "two"])
    assert send(client, standin).status_code == 201
