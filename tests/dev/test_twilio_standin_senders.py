"""The Twilio stand-in's rules for the sender (`From`): numbers, short codes, sender IDs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.twilio_spec import require_spec, validate_create_message_request
from worker.dev.twilio_standin import TwilioStandIn

UK_MOBILE = "+447700900123"
US_NUMBER = "+14155552671"


@pytest.fixture
def client(standin: TwilioStandIn) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.auth = (standin.account_sid, standin.auth_token)
        yield session


def _send(client: requests.Session, standin: TwilioStandIn, frm: str, to: str) -> requests.Response:
    url = f"{standin.url}/2010-04-01/Accounts/{standin.account_sid}/Messages.json"
    return client.post(url, data={"From": frm, "To": to, "Body": "hi"}, timeout=5)


@pytest.mark.parametrize(
    ("frm", "to"),
    [("MyShop", UK_MOBILE), ("My Shop 24", UK_MOBILE), ("12345", US_NUMBER), ("123456", US_NUMBER)],
)
def test_sender_ids_and_short_codes_are_accepted(
    standin: TwilioStandIn, client: requests.Session, frm: str, to: str
):
    response = _send(client, standin, frm, to)
    assert response.status_code == 201
    assert response.json()["from"] == frm


@pytest.mark.parametrize(
    "frm", ["My Company Ltd", "Shop-24", "1234", "12345678", "4155552671", "Café", "+1 415"]
)
def test_anything_else_is_21212(standin: TwilioStandIn, client: requests.Session, frm: str):
    response = _send(client, standin, frm, UK_MOBILE)
    assert (response.status_code, response.json()["code"]) == (400, 21212)
    assert standin.delivered == {}


def test_a_sender_id_cannot_reach_north_america(standin: TwilioStandIn, client: requests.Session):
    response = _send(client, standin, "MyShop", US_NUMBER)
    assert (response.status_code, response.json()["code"]) == (400, 21612)
    assert "MyShop" in response.json()["message"]


def test_a_short_code_reaches_only_its_own_country(
    standin: TwilioStandIn, client: requests.Session
):
    response = _send(client, standin, "12345", UK_MOBILE)
    assert (response.status_code, response.json()["code"]) == (400, 21659)


@pytest.mark.parametrize("frm", ["MyShop", "12345"])
def test_the_spec_accepts_these_senders_as_from(
    standin: TwilioStandIn, client: requests.Session, frm: str
):
    require_spec()
    _send(client, standin, frm, UK_MOBILE)
    sent = standin.received[-1]
    validate_create_message_request(standin.account_sid, sent.form, body=sent.body)
