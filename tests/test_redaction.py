"""The one rule for text that leaves the worker (worker.redaction): numbers masked in any
notation, secrets and URL credentials replaced, identifiers left readable, linear time."""

from __future__ import annotations

import pytest

from worker.redaction import Redactor, mask_number, mask_numbers, quote, redact_url_credentials

ARABIC_INDIC_ZERO, FULLWIDTH_ZERO = 0x0660, 0xFF10


def _script(text: str, zero: int) -> str:
    """`text` with its ASCII digits written in another script's digits."""
    return "".join(chr(zero + int(char)) if char.isdigit() else char for char in text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+14155552671", "+1415***2671"),
        ("14155550102", "1415***0102"),
        ("(415) 555-0103", "41***03"),
        ("+1 415 555 2671", "+1415***2671"),
        ("+1 (415) 555-2671", "+1415***2671"),
        ("415.555.0103", "41***03"),
        ("0044 20 7946 0958", "0044***0958"),
        ("+44 (0)20 7946 0958", "+4402***0958"),
        ("5550103", "55***03"),
        ("\u202b+1\u200e415\u200e555\u200e2671\u202c", "\u202b+1415***2671\u202c"),
        (_script("+14155552671", ARABIC_INDIC_ZERO), _script("+1415***2671", ARABIC_INDIC_ZERO)),
        (_script("4155550103", FULLWIDTH_ZERO), _script("41***03", FULLWIDTH_ZERO)),
    ],
    ids=[
        "e164",
        "digits-only",
        "us-national",
        "spaced-international",
        "brackets",
        "dots",
        "00-prefix",
        "trunk-zero-in-brackets",
        "seven-digits",
        "rtl-marks-inside",
        "arabic-indic-digits",
        "fullwidth-digits",
    ],
)
def test_a_phone_number_in_any_notation_is_masked(text: str, masked: str):
    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Twilio error 21211 at line 12, column 5",
        "task 5c7b0a1e-1234-5678-9abc-def012345678 done",
        "task 12345678-1234-5678-1234-123456789012 done",
        "message SM12345678901234567890123456789012 queued",
        "polling http://10.100.200.30:8080/engine-rest",
        "ships on 2024-01-05",
        "20,888,890 characters",
        "1, 2, 3, 4, 5, 6, 7",
    ],
    ids=["codes", "uuid", "digit-uuid", "sid", "ipv4", "iso-date", "grouped-count", "list"],
)
def test_identifiers_and_short_numbers_stay_readable(text: str):
    assert mask_numbers(text) == text


def test_a_number_inside_other_text_is_masked_and_the_text_kept():
    assert (
        mask_numbers("smsTo: 'abc4155550102x' and +1 415 555 2671 ext 5")
        == "smsTo: 'abc41***02x' and +1415***2671 ext 5"
    )


def test_quoted_input_shows_its_shape_but_at_most_four_digits():
    assert quote("+1 415 555 2671 ext 5") == '"+1 4** *** ***1 ext 5"'
    assert quote("4155550102a") == '"41******02a"'
    assert quote("x" * 50) == '"' + "x" * 40 + '..."'
    assert quote("\ud83d\u0000") == '"\ufffd\\u0000"'


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("http://user:pw@engine:8080/engine-rest", "http://***@engine:8080/engine-rest"),
        ("GET https://token@api.example failed", "GET https://***@api.example failed"),
        ("see http://host/a@b", "see http://host/a@b"),
        ("mail a@b.c, ://@x", "mail a@b.c, ://@x"),
    ],
)
def test_credentials_in_urls_are_replaced_wherever_they_appear(text: str, redacted: str):
    assert redact_url_credentials(text) == redacted


def test_configured_secrets_are_replaced_longest_first_and_short_ones_ignored():
    redactor = Redactor(["tok3n", "tok3n-and-more", "abc"])
    assert redactor.text("tok3n-and-more / tok3n / abc") == "*** / *** / abc"


def test_unpaired_surrogates_cannot_break_a_log_line_or_a_request():
    assert Redactor().text("a\ud83db") == "a\ufffdb"


def test_error_json_redacts_free_text_and_keeps_recipient_fields():
    sms_error = {
        "errorCode": "INVALID_TO_PHONE_NUMBER_ERROR",
        "errorMessage": "bad +14155550102 tok3n-secret",
        "expression": "+14155550102",
        "notAttempted": ["+14155550103"],
        "failures": [{"number": "+14155550102", "errorMessage": "no +14155550102"}],
        "smsResult": {"SM1": "+14155550101"},
        "line": 3,
    }
    assert Redactor(["tok3n-secret"]).error_json(sms_error) == {
        "errorCode": "INVALID_TO_PHONE_NUMBER_ERROR",
        "errorMessage": "bad +1415***0102 ***",
        "expression": "+1415***0102",
        "notAttempted": ["+14155550103"],
        "failures": [{"number": "+14155550102", "errorMessage": "no +1415***0102"}],
        "smsResult": {"SM1": "+14155550101"},
        "line": 3,
    }


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("1 " * 50_000, "1111***1111 "),
        ("1-" * 50_000 + "x", "1111***1111-x"),
        ("+(" * 50_000, "+(" * 50_000),
        ("A" * 100_000, "A" * 100_000),
        ("://" * 30_000 + "@", "://" * 30_000 + "@"),
        ("12345678-1234-" * 10_000, "1234***1234-"),
    ],
    ids=["spaced-digits", "dashes", "plus-brackets", "hex-letters", "schemes", "uuid-ish"],
)
def test_hostile_text_is_redacted_correctly(hostile: str, expected: str):
    # The scanner reads the text once, left to right, and its patterns have no nested
    # repetition; these inputs are the ones that would make a backtracking pattern explode.
    assert Redactor(["never-present"]).text(hostile) == expected


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("5550 - 103", "55***03"),
        ("5550----103", "5550----103"),
        ("\uff0b4155550103", "+41***03"),
        ("\uff0b((4155550103)", "\uff0b41***03)"),
        ("4155550103 (", "41***03 ("),
        ("4155550103 +", "41***03 +"),
        ("call 12 or 4155550103", "call 12 or 41***03"),
    ],
    ids=[
        "three-separators-join",
        "four-separators-split",
        "fullwidth-plus",
        "at-most-two-prefix-characters",
        "bracket-at-the-end",
        "plus-at-the-end",
        "short-number-first",
    ],
)
def test_number_boundaries_follow_the_separator_and_prefix_rule(text: str, masked: str):
    assert mask_numbers(text) == masked


def test_a_number_ends_where_an_identifier_begins():
    assert mask_numbers("4155550103 2020-01-01") == "41***03 2020-01-01"
    assert (
        mask_numbers("+14155550102 SM12345678901234567890123456789012")
        == "+1415***0102 SM12345678901234567890123456789012"
    )


def test_every_identifier_is_skipped_and_the_numbers_between_them_masked():
    text = "2020-01-01 2020-01-02 4155550103 2020-01-03 10.0.0.1 4155550104"
    assert mask_numbers(text) == "2020-01-01 2020-01-02 41***03 2020-01-03 10.0.0.1 41***04"


def test_a_masked_number_has_no_plus_unless_asked():
    assert mask_number("4155550103") == "41***03"
    assert mask_number("14155550102", plus=True) == "+1415***0102"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("://user:pw@host/x", "://***@host/x"),
        ("http://user", "http://user"),
        ("http://a@h1 and ftp://b:c@h2", "http://***@h1 and ftp://***@h2"),
        ("x://a@h1 y://h2 z://c@h3 w://d@h4", "x://***@h1 y://h2 z://***@h3 w://***@h4"),
    ],
    ids=["at-position-0", "authority-to-the-end", "two-urls", "several-urls"],
)
def test_url_credentials_edge_cases(text: str, redacted: str):
    assert redact_url_credentials(text) == redacted
