"""The stand-in lists the messages it accepted like Twilio's Messages list: filters, newest
first, paging by `next_page_uri`, the response shape of Twilio's OpenAPI spec, restricted API
keys, faults that hit only the list, and the hook called after each accepted create."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import pytest
import requests

from tests.twilio_spec import (
    require_spec,
    validate_list_messages_request,
    validate_list_messages_response,
)
from worker.dev.twilio_standin import ReceivedRequest, TwilioStandIn

OK_FROM = "+15005550006"
A, B = "+4915112345678", "+4915112345679"
SERVICE = "MG" + "ab" * 16


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


def _url(standin: TwilioStandIn) -> str:
    return f"{standin.url}/2010-04-01/Accounts/{standin.account_sid}/Messages.json"


def _send(client: requests.Session, standin: TwilioStandIn, **form: str) -> str:
    data = {"To": A, "From": OK_FROM, "Body": "hello"} | form
    response = client.post(_url(standin), data=data, timeout=5)
    assert response.status_code == 201
    return str(response.json()["sid"])


def _list(client: requests.Session, standin: TwilioStandIn, **query: str) -> requests.Response:
    return client.get(_url(standin), params=query, timeout=5)


def test_messages_are_listed_newest_first_filtered_by_to_and_from(client, standin):
    first = _send(client, standin)
    _send(client, standin, To=B)
    _send(client, standin, From="+15005550010")
    last = _send(client, standin, Body="again")
    answer = _list(client, standin, To=A, From=OK_FROM).json()
    assert [m["sid"] for m in answer["messages"]] == [last, first]
    assert answer["messages"][0]["body"] == "again"
    assert answer["next_page_uri"] is None


def test_pages_follow_next_page_uri_to_the_end(client, standin):
    sids = [_send(client, standin, Body=f"n{n}") for n in range(5)]
    seen: list[str] = []
    answer = _list(client, standin, To=A, PageSize="2").json()
    while True:
        seen += [m["sid"] for m in answer["messages"]]
        assert answer["page_size"] == 2
        if answer["next_page_uri"] is None:
            break
        assert answer["next_page_uri"].startswith(answer["first_page_uri"].split("?")[0] + "?")
        answer = client.get(standin.url + answer["next_page_uri"], timeout=5).json()
    assert seen == sids[::-1]


def test_a_message_is_queued_without_date_sent_then_sent(client, standin):
    standin.messages.sending_delay_s = 0.2
    _send(client, standin)
    _send(client, standin, From="", MessagingServiceSid=SERVICE)
    queued, accepted = _list(client, standin, To=A).json()["messages"][::-1]
    assert (queued["status"], queued["date_sent"]) == ("queued", None)
    assert (accepted["status"], accepted["from"]) == ("accepted", None)
    time.sleep(0.3)
    listed = _list(client, standin, To=A).json()["messages"]
    assert {m["status"] for m in listed} == {"sent"}
    assert all(m["date_sent"] and m["from"] for m in listed)


def test_date_sent_filters_compare_dates_and_leave_out_messages_not_sent(client, standin):
    standin.messages.sending_delay_s = 3600
    _send(client, standin)
    today = time.strftime("%Y-%m-%d", time.gmtime(standin.now()))
    assert _list(client, standin, To=A, **{"DateSent>": today}).json()["messages"] == []
    standin.messages.sending_delay_s = 0
    for name in ("DateSent", "DateSent>", "DateSent<"):
        assert len(_list(client, standin, To=A, **{name: today}).json()["messages"]) == 1
    assert _list(client, standin, **{"DateSent<": "2001-01-01"}).json()["messages"] == []
    assert _list(client, standin, **{"DateSent>": f"{today}T23:59:59Z"}).json()["messages"]


def test_a_bad_page_size_or_date_is_a_twilio_error(client, standin):
    assert _list(client, standin, PageSize="0").status_code == 400
    assert _list(client, standin, **{"DateSent>": "soon"}).json()["code"] == 20001


def test_the_clock_offset_moves_dates_and_the_date_header(client, standin):
    standin.clock_offset_s = -86_400
    _send(client, standin)
    response = _list(client, standin, To=A)
    created = email.utils.parsedate_to_datetime(response.json()["messages"][0]["date_created"])
    header = email.utils.parsedate_to_datetime(response.headers["Date"])
    assert abs(created.timestamp() - (time.time() - 86_400)) < 5
    assert abs(header.timestamp() - (time.time() - 86_400)) < 5


def test_an_api_key_without_read_access_may_send_but_not_list(client, standin):
    client.auth = ("SK" + "cd" * 16, "s")
    standin.add_api_key("SK" + "cd" * 16, "s", read_messages=False)
    assert client.post(_url(standin), data={"To": A, "From": OK_FROM, "Body": "x"}).ok
    refused = _list(client, standin, PageSize="1")
    assert (refused.status_code, refused.json()["code"]) == (403, 20403)


def test_a_fault_for_gets_leaves_creates_alone(client, standin):
    standin.faults.fail_next(503, 20503, "Service Unavailable", method="GET")
    _send(client, standin)
    assert _list(client, standin).status_code == 503
    assert _list(client, standin).status_code == 200


def test_the_hook_sees_each_accepted_create_after_its_answer(client, standin):
    seen: list[ReceivedRequest] = []
    standin.on_create = seen.append
    sid = _send(client, standin)
    client.post(_url(standin), data={"To": "+15005550001", "From": OK_FROM, "Body": "x"})
    _list(client, standin)
    assert [r.message_sid for r in seen] == [sid]


def test_list_requests_and_answers_match_twilio_s_spec(client, standin):
    require_spec()
    _send(client, standin)
    _send(client, standin, From="", MessagingServiceSid=SERVICE)
    query = {"To": A, "From": OK_FROM, "PageSize": "1", "DateSent>": "2020-01-01T00:00:00Z"}
    response = _list(client, standin, **query)
    sent_query = response.request.url.partition("?")[2]  # type: ignore[union-attr]
    validate_list_messages_request(standin.account_sid, sent_query)
    validate_list_messages_response(200, response.content, standin.account_sid)
    page = _list(client, standin, To=A, PageSize="1")
    validate_list_messages_response(200, page.content, standin.account_sid)
    following = client.get(standin.url + page.json()["next_page_uri"], timeout=5)
    validate_list_messages_response(200, following.content, standin.account_sid)
