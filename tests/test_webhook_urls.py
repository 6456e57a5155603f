"""The status callback URL given to Twilio with each message names the process instance."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from worker.twilio.webhook_urls import status_callback_url


def test_the_status_callback_url_names_the_process_instance_in_its_query():
    url = status_callback_url("https://hooks.example:8443", "pi-1 &2")
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://hooks.example:8443/twilio/status"
    )
    assert parse_qs(parts.query) == {"processInstanceId": ["pi-1 &2"]}
