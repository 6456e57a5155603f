"""X-Twilio-Signature against Twilio's published algorithm, with vectors computed by Twilio's own
Python library (`twilio.request_validator.RequestValidator`, a test-only dependency), never by
our code."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from worker.webhooks.signature import SignatureCheck, compute_signature, port_variants

TOKEN = "12345"
PUBLIC = "https://sms.example.com"
INBOUND = {
    "MessageSid": "SM" + "0123456789abcdef" * 2,
    "AccountSid": "AC" + "f" * 32,
    "From": "+14155552671",
    "To": "+15005550006",
    "Body": "Yes ✓ — à demain & 100% sûr? =+",
    "NumMedia": "0",
}
ORACLE = RequestValidator(TOKEN)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (f"{PUBLIC}/twilio/inbound", INBOUND),
        (f"{PUBLIC}/twilio/status?processInstanceId=5f2c-11f1", {"MessageStatus": "delivered"}),
        (f"{PUBLIC}/twilio/status", {}),
        ("https://mycompany.com/myapp.php?foo=1&bar=2", {"Digits": "1234", "To": "+18005551212"}),
        (f"{PUBLIC}/twilio/inbound", {"Body": "", "b": "2", "a": "1", "B": "3", "aa": "0"}),
    ],
    ids=["inbound-unicode", "query", "no-params", "twilio-docs-shape", "sort-order"],
)
def test_our_signature_is_the_one_twilios_library_computes(url: str, params: dict[str, str]):
    assert compute_signature(TOKEN, url, params.items()) == ORACLE.compute_signature(url, params)


def test_a_repeated_parameter_is_signed_like_twilios_library_signs_a_multidict():
    class MultiDict(dict[str, str]):
        def getall(self, name: str) -> list[str]:
            return ["b", "a", "b"] if name == "Media" else [self[name]]

    url = f"{PUBLIC}/twilio/inbound"
    expected = ORACLE.compute_signature(url, MultiDict(Media="x", To="+1"))
    assert compute_signature(TOKEN, url, [("Media", "b"), ("To", "+1"), ("Media", "a")]) == (
        expected
    )


def _signed(path: str, params: dict[str, str], url: str | None = None) -> str:
    return ORACLE.compute_signature(url or PUBLIC + path, params)


def test_a_request_twilio_signed_for_the_public_url_is_accepted():
    check = SignatureCheck(TOKEN, PUBLIC)
    signature = _signed("/twilio/inbound", INBOUND)
    assert check.is_valid("/twilio/inbound", list(INBOUND.items()), signature)
    # Twilio's library agrees that this request is valid, under the URL we reconstruct.
    assert ORACLE.validate(check.signed_url("/twilio/inbound"), INBOUND, signature)


def test_the_query_is_part_of_what_is_signed():
    check = SignatureCheck(TOKEN, PUBLIC)
    path = "/twilio/status?processInstanceId=abc"
    signature = _signed(path, {"MessageStatus": "delivered"})
    params = [("MessageStatus", "delivered")]
    assert check.is_valid(path, params, signature)
    assert not check.is_valid("/twilio/status?processInstanceId=xyz", params, signature)


def test_a_tampered_parameter_is_refused():
    check = SignatureCheck(TOKEN, PUBLIC)
    signature = _signed("/twilio/inbound", INBOUND)
    tampered = {**INBOUND, "Body": "No"}
    assert not check.is_valid("/twilio/inbound", list(tampered.items()), signature)
    added = [*INBOUND.items(), ("Extra", "1")]
    assert not check.is_valid("/twilio/inbound", added, signature)


def test_a_missing_or_foreign_signature_is_refused():
    check = SignatureCheck(TOKEN, PUBLIC)
    params = list(INBOUND.items())
    assert not check.is_valid("/twilio/inbound", params, None)
    assert not check.is_valid("/twilio/inbound", params, "")
    other_token = RequestValidator("54321").compute_signature(f"{PUBLIC}/twilio/inbound", INBOUND)
    assert not check.is_valid("/twilio/inbound", params, other_token)
    assert not check.is_valid("/twilio/inbound", params, "not base64 ✗")


def test_a_signature_over_the_local_address_is_refused():
    """Twilio signs the public URL; one made for the address we listen on proves nothing."""
    check = SignatureCheck(TOKEN, PUBLIC)
    local = _signed("/twilio/inbound", INBOUND, url="http://10.0.0.7:8082/twilio/inbound")
    assert not check.is_valid("/twilio/inbound", list(INBOUND.items()), local)


@pytest.mark.parametrize(
    ("public", "signed_as"),
    [
        ("https://sms.example.com", "https://sms.example.com:443"),
        ("https://sms.example.com:443", "https://sms.example.com"),
        ("http://sms.example.com", "http://sms.example.com:80"),
        ("https://sms.example.com:8443", "https://sms.example.com"),
    ],
)
def test_twilio_signing_with_or_without_the_port_is_accepted_like_its_library_does(
    public: str, signed_as: str
):
    check = SignatureCheck(TOKEN, public)
    signature = _signed("", INBOUND, url=f"{signed_as}/twilio/inbound")
    assert ORACLE.validate(f"{public}/twilio/inbound", INBOUND, signature)
    assert check.is_valid("/twilio/inbound", list(INBOUND.items()), signature)


def test_a_path_prefix_in_the_public_url_is_kept():
    """Behind a proxy that maps https://example.com/sms/ to this service's root."""
    check = SignatureCheck(TOKEN, "https://example.com/sms")
    signature = _signed("", INBOUND, url="https://example.com/sms/twilio/inbound")
    assert check.is_valid("/twilio/inbound", list(INBOUND.items()), signature)


def test_an_absolute_request_target_is_reduced_to_its_path_and_query():
    check = SignatureCheck(TOKEN, PUBLIC)
    signature = _signed("/twilio/status?processInstanceId=1", {})
    assert check.is_valid("http://10.0.0.7:8082/twilio/status?processInstanceId=1", [], signature)


def test_port_variants_cover_default_ports_and_ipv6_literals():
    assert port_variants("https://h/x") == ["https://h/x", "https://h:443/x"]
    assert port_variants("http://h:8080/x") == ["http://h:8080/x", "http://h/x"]
    assert port_variants("https://[::1]:8443/x") == ["https://[::1]:8443/x", "https://[::1]/x"]
