"""Twilio's webhook forms read as StatusReport / InboundSms; malformed ones are refused with a
message naming the parameter, never its value."""

from __future__ import annotations

import pytest

from worker.webhooks.events import InvalidWebhook, inbound_sms, status_report

SID = "SM" + "ab" * 16


def test_a_status_callback_becomes_a_report_for_its_instance():
    form = {"MessageSid": SID, "MessageStatus": "undelivered", "To": "+14155552671"}
    report = status_report({**form, "ErrorCode": "30003"}, {"processInstanceId": "p-1"})
    assert report.is_final
    assert report.process_instance_id == "p-1"
    assert report.to_json() == {
        "sid": SID,
        "to": "+14155552671",
        "status": "undelivered",
        "errorCode": 30003,
    }


@pytest.mark.parametrize("status", ["queued", "sent", "accepted", "sending"])
def test_statuses_before_the_last_are_not_final(status: str):
    assert not status_report({"MessageSid": SID, "MessageStatus": status}, {}).is_final


def test_an_inbound_sms_keeps_its_body_exactly():
    sms = inbound_sms({"MessageSid": SID, "From": "+14155552671", "To": "+1500", "Body": " Yes\n"})
    assert sms.to_json() == {"sid": SID, "from": "+14155552671", "to": "+1500", "body": " Yes\n"}


@pytest.mark.parametrize(
    ("form", "query", "named"),
    [
        ({"MessageStatus": "sent"}, {}, "MessageSid"),
        ({"MessageSid": "SM123", "MessageStatus": "sent"}, {}, "MessageSid"),
        ({"MessageSid": SID}, {}, "MessageStatus"),
        ({"MessageSid": SID, "MessageStatus": "sent", "ErrorCode": "x"}, {}, "ErrorCode"),
        ({"MessageSid": SID, "MessageStatus": "sent"}, {"processInstanceId": "../x?"}, "process"),
    ],
)
def test_a_malformed_status_callback_names_the_parameter(
    form: dict[str, str], query: dict[str, str], named: str
):
    with pytest.raises(InvalidWebhook, match=named):
        status_report(form, query)


def test_an_inbound_sms_without_a_sender_is_refused_without_echoing_values():
    with pytest.raises(InvalidWebhook, match="From") as caught:
        inbound_sms({"MessageSid": SID, "Body": "secret text"})
    assert "secret" not in str(caught.value)
    with pytest.raises(InvalidWebhook, match="From"):
        inbound_sms({"MessageSid": SID, "From": "+1" * 40})
