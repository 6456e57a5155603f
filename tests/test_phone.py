import pytest

from worker.sms.phone import MAX_NUMBER_CHARS, InvalidNumber, is_messaging_service_sid, normalise


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+14155552671", None, "+14155552671"),
        ("+1 (415) 555-2671", None, "+14155552671"),
        ("+1.415.555.2671", None, "+14155552671"),
        ("0041 44 668 18 00", None, "+41446681800"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("044 668 18 00", "CH", "+41446681800"),
        ("  +15005550006 ", None, "+15005550006"),
    ],
)
def test_spellings_of_a_number_normalise_to_e164(raw: str, region: str | None, expected: str):
    assert normalise(raw, region) == expected


@pytest.mark.parametrize(
    "raw",
    ["not-a-number", "+1 415 555 2671 ext 3", "1-800-FLOWERS", "call +14155552671", "+", ""],
)
def test_text_that_is_not_a_number_is_rejected(raw: str):
    with pytest.raises(InvalidNumber, match="is not a phone number"):
        normalise(raw, None)


def test_a_national_number_without_region_asks_for_the_country_code():
    with pytest.raises(InvalidNumber, match=r"\+country code"):
        normalise("4155552671", None)


def test_a_number_of_impossible_length_is_rejected():
    with pytest.raises(InvalidNumber, match="not a possible phone number"):
        normalise("+1415555267100000", None)


def test_messaging_service_sid_is_recognised():
    assert is_messaging_service_sid("MG" + "0123456789abcdef" * 2)
    assert not is_messaging_service_sid("MG123")


@pytest.mark.parametrize(
    ("raw", "region", "message"),
    [
        ("not-a-number", None, "is not a phone number"),
        ("+1", None, "is not a phone number"),  # looks like one, but phonenumbers refuses it
        ("4155552671", None, "has no valid country code (write it with +country code)"),
        ("+999 123 4567", "US", "has no valid country code"),
        ("+1415555267100000", None, "is not a possible phone number (wrong length)"),
    ],
)
def test_each_rejection_says_exactly_what_is_wrong(raw: str, region: str | None, message: str):
    with pytest.raises(InvalidNumber) as caught:
        normalise(raw, region)
    assert str(caught.value) == message


def test_text_longer_than_any_written_number_is_refused_before_it_is_parsed():
    with pytest.raises(InvalidNumber, match="longer than 64 characters"):
        normalise("+1" + " " * MAX_NUMBER_CHARS + "4155552671", None)


def test_text_of_exactly_the_limit_is_still_read():
    assert normalise("+14155552671".ljust(MAX_NUMBER_CHARS), None) == "+14155552671"
    assert is_messaging_service_sid(("MG" + "0123456789abcdef" * 2).ljust(MAX_NUMBER_CHARS))
