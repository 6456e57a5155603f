"""Reconciliation: the intent recorded before the first message, and a re-run task asking
Twilio (the stand-in over real HTTP, listing what it accepted) before it sends again."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone

import pytest

from tests.twilio_fixtures import GOOD_FROM
from worker.config import Settings
from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ErrorCode, ReconcileUndecided
from worker.sms.action import send_sms
from worker.sms.outcome import Abandoned, BusinessError, Completed, Postponed
from worker.sms.reconcile import (
    CLOCK_MARGIN,
    Intent,
    Reconciler,
    SentText,
    body_fingerprint,
    comparable_body,
)
from worker.sms.sender import Sender, SenderKind
from worker.twilio.client import TwilioClient

A, B = "+14155552671", "+12125550100"
SERVICE = "MG" + "0123456789abcdef" * 2


class RecordingProgress:
    """A task's progress as the lease keeps it, with every call in order."""

    def __init__(
        self,
        earlier: Mapping[str, str] | None = None,
        intent: Intent | None = None,
        declarable: bool = True,
        lock_checks: int = 100,
    ) -> None:
        self.earlier, self.intent, self.declarable = dict(earlier or {}), intent, declarable
        self.lock_checks = lock_checks
        self.events: list[tuple[str, ...]] = []
        self.records: list[tuple[str, str, bool, bool]] = []

    def already_sent(self) -> Mapping[str, str]:
        return self.earlier

    def earlier_intent(self) -> Intent | None:
        return self.intent

    def declare(self, intent: Intent) -> bool:
        self.events.append(("declare",))
        self.intent = intent
        return self.declarable

    def may_continue(self) -> bool:
        self.lock_checks -= 1
        return self.lock_checks >= 0

    def record(
        self, number: str, sid: str, *, more_to_send: bool, found_at_twilio: bool = False
    ) -> None:
        self.events.append(("record", number, sid))
        self.records.append((number, sid, more_to_send, found_at_twilio))


@pytest.fixture
def client(twilio_settings: Settings) -> Iterator[TwilioClient]:
    twilio = TwilioClient(twilio_settings.twilio, sleep=lambda _s: None)
    yield twilio
    twilio.close()


def _send(
    client: TwilioClient, progress: RecordingProgress, *, to: list[str] | None = None, **values: str
) -> object:
    inputs = {"smsFrom": GOOD_FROM, "smsTo": to or [A, B], "smsBody": "Your code is 42", **values}
    return send_sms(inputs, client, progress=progress, reconciler=Reconciler(client))


def _crashed_attempt(
    client: TwilioClient, standin: TwilioStandIn, *, sender: str = GOOD_FROM, body: str = ""
) -> tuple[Intent, str]:
    """What a crashed first attempt leaves: its intent, and one message Twilio accepted."""
    reconciler = Reconciler(client)
    is_service = sender.startswith("MG")
    intent = reconciler.intent_for(
        None,
        Sender(sender, SenderKind.MESSAGING_SERVICE if is_service else SenderKind.PHONE_NUMBER),
        body or "Your code is 42",
    )
    sid = client.send_message(
        Sender(sender, SenderKind.MESSAGING_SERVICE if is_service else SenderKind.PHONE_NUMBER),
        A,
        body or "Your code is 42",
    )
    return intent, sid


def test_the_intent_is_recorded_once_before_the_first_message(
    client: TwilioClient, standin: TwilioStandIn
):
    progress = RecordingProgress()
    outcome = _send(client, progress)
    assert isinstance(outcome, Completed)
    assert [event[0] for event in progress.events] == ["declare", "record", "record"]
    assert progress.intent is not None
    assert progress.intent.texts == (SentText(GOOD_FROM, body_fingerprint("Your code is 42")),)
    # Only the clock was read (a one-message list), no number was looked up.
    assert [r.query for r in standin.received if r.method == "GET"] == ["PageSize=1"]


def test_without_a_reconciler_no_intent_is_recorded(client: TwilioClient):
    progress = RecordingProgress()
    outcome = send_sms(
        {"smsFrom": GOOD_FROM, "smsTo": [A], "smsBody": "Hi"}, client, progress=progress
    )
    assert isinstance(outcome, Completed)
    assert progress.events == [("record", A, next(iter(outcome.sms_result)))]


def test_an_intent_that_cannot_be_recorded_sends_nothing(
    client: TwilioClient, standin: TwilioStandIn
):
    outcome = _send(client, RecordingProgress(declarable=False))
    assert isinstance(outcome, Abandoned)
    assert standin.delivered == {}


def test_a_message_the_crashed_attempt_sent_is_adopted_not_sent_again(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, sid = _crashed_attempt(client, standin)
    progress = RecordingProgress(intent=intent)
    outcome = _send(client, progress)
    assert isinstance(outcome, Completed)
    assert outcome.sms_result[sid] == A
    assert standin.delivered == {A: 1, B: 1}
    assert ("declare",) not in progress.events, "the earlier intent still covers this text"
    assert progress.events[0] == ("record", A, sid)


def test_a_message_of_a_messaging_service_not_yet_given_a_sender_is_adopted(
    client: TwilioClient, standin: TwilioStandIn
):
    standin.messages.sending_delay_s = 60  # still `accepted`, `from` null
    intent, sid = _crashed_attempt(client, standin, sender=SERVICE)
    outcome = _send(client, RecordingProgress(intent=intent), smsFrom=SERVICE)
    assert isinstance(outcome, Completed)
    assert outcome.sms_result[sid] == A
    assert standin.delivered == {A: 1, B: 1}
    lists = [r for r in standin.received if r.method == "GET" and "To=" in r.query]
    assert lists
    assert all("From=" not in r.query for r in lists)


@pytest.mark.parametrize("twilio_ahead_s", [-3600, 3600])
def test_twilio_s_clock_decides_the_window_whatever_ours_says(
    client: TwilioClient, standin: TwilioStandIn, twilio_ahead_s: int
):
    standin.clock_offset_s = twilio_ahead_s
    intent, sid = _crashed_attempt(client, standin)
    outcome = _send(client, RecordingProgress(intent=intent))
    assert isinstance(outcome, Completed)
    assert outcome.sms_result[sid] == A
    assert standin.delivered == {A: 1, B: 1}


def test_the_same_text_sent_before_the_intent_is_not_adopted(
    client: TwilioClient, standin: TwilioStandIn
):
    client.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), A, "Your code is 42")
    later = Intent(
        datetime.now(timezone.utc) + timedelta(minutes=1),
        (SentText(GOOD_FROM, body_fingerprint("Your code is 42")),),
    )
    outcome = _send(client, RecordingProgress(intent=later))
    assert isinstance(outcome, Completed)
    assert standin.delivered == {A: 2, B: 1}


def test_another_text_or_sender_to_the_number_is_not_adopted(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, _ = _crashed_attempt(client, standin, body="Your code is 41")
    client.send_message(Sender("+15005550010", SenderKind.PHONE_NUMBER), A, "Your code is 42")
    only_42 = Intent(intent.started_at, (SentText(GOOD_FROM, body_fingerprint("Your code is 42")),))
    outcome = _send(client, RecordingProgress(intent=only_42))
    assert isinstance(outcome, Completed)
    assert standin.delivered == {A: 3, B: 1}


def test_a_body_changed_between_attempts_keeps_the_old_text_and_start(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, sid = _crashed_attempt(client, standin, body="Your code is 41")
    progress = RecordingProgress(intent=intent)
    outcome = _send(client, progress)
    assert isinstance(outcome, Completed)
    assert outcome.sms_result[sid] == A, "the old text reached A: it is not sent again"
    assert progress.events[0] == ("declare",)
    assert progress.intent is not None
    assert progress.intent.started_at == intent.started_at
    assert len(progress.intent.texts) == 2


def test_a_lock_lost_while_twilio_was_asked_sends_nothing(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, _ = _crashed_attempt(client, standin, body="other")
    outcome = _send(client, RecordingProgress(intent=intent, lock_checks=1), to=[B])
    assert isinstance(outcome, Abandoned)
    assert B not in standin.delivered


def test_twilio_unable_to_list_postpones_the_task_and_sends_nothing(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, _ = _crashed_attempt(client, standin)
    standin.faults.fail_next(503, 20503, "Service Unavailable", method="GET")
    outcome = _send(client, RecordingProgress(intent=intent))
    assert isinstance(outcome, Postponed)
    assert "nothing was sent" in outcome.message
    # Written in full here; masked where it leaves for the engine (worker.redaction).
    assert A in outcome.message
    assert standin.delivered == {A: 1}


def test_a_history_too_long_to_read_postpones_the_task(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, _ = _crashed_attempt(client, standin, body="other")
    for n in range(4):
        client.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), A, f"older {n}")
    inputs = {"smsFrom": GOOD_FROM, "smsTo": [A], "smsBody": "Your code is 42"}
    reconciler = Reconciler(client, page_size=2, max_pages=2)
    outcome = send_sms(
        inputs, client, progress=RecordingProgress(intent=intent), reconciler=reconciler
    )
    assert isinstance(outcome, Postponed)
    assert "more than 4 messages" in outcome.message


def test_recipient_errors_keep_their_codes_with_reconciliation(
    client: TwilioClient, standin: TwilioStandIn
):
    outcome = _send(client, RecordingProgress(), to=["+15005550001", A])
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR
    assert standin.delivered == {A: 1}


def test_bodies_compare_as_twilio_may_have_rewritten_them():
    assert comparable_body("\u201cHi\u201d \u2014 it\u2019s 5\u2026  \r\n") == '"Hi" - it\'s 5...'
    assert body_fingerprint("Caf\u0065\u0301 ") == body_fingerprint("Caf\u00e9")
    assert body_fingerprint("Hi Ann") != body_fingerprint("Hi Anne")


def test_an_intent_survives_its_json_form_and_garbage_reads_as_none():
    intent = Intent(
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), (SentText(GOOD_FROM, "ab" * 32),)
    )
    assert Intent.from_json(intent.to_json()) == intent
    assert Intent.from_json({"startedAt": "2026-01-02T03:04:05", "texts": []}) is None
    assert Intent.from_json({"startedAt": "yesterday", "texts": [{"from": "x"}]}) is None
    assert Intent.from_json(None) is None


_RETRIED_LATER = (
    "; nothing was sent that an earlier attempt may have sent already, the task is retried later"
)


def test_twilio_s_clock_unreadable_postpones_a_fresh_task_with_the_reason(
    client: TwilioClient, standin: TwilioStandIn
):
    standin.faults.fail_next(503, 20503, "Service Unavailable", method="GET")
    progress = RecordingProgress()
    outcome = _send(client, progress)
    assert isinstance(outcome, Postponed)
    assert outcome.message.startswith("Twilio's clock could not be read (")
    assert "Service Unavailable" in outcome.message
    assert outcome.message.endswith(")" + _RETRIED_LATER)
    assert outcome.sms_result == {}
    assert progress.events == []
    assert standin.delivered == {}


def test_a_postponed_lookup_keeps_what_earlier_attempts_sent(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, sid = _crashed_attempt(client, standin)
    standin.faults.fail_next(503, 20503, "Service Unavailable", method="GET")
    outcome = _send(client, RecordingProgress(earlier={A: sid}, intent=intent))
    assert isinstance(outcome, Postponed)
    assert outcome.message.startswith(f"could not ask Twilio about {B} (")
    assert outcome.message.endswith(")" + _RETRIED_LATER)
    assert outcome.sms_result == {sid: A}


def test_an_unrecorded_intent_abandons_the_task_saying_why(
    client: TwilioClient, standin: TwilioStandIn
):
    outcome = _send(client, RecordingProgress(declarable=False))
    assert outcome == Abandoned("the intent to send could not be recorded", {})


def test_a_lock_lost_during_the_lookup_abandons_saying_why_and_keeps_the_sent(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, sid = _crashed_attempt(client, standin, body="other")
    outcome = _send(client, RecordingProgress(earlier={A: sid}, intent=intent, lock_checks=1))
    assert outcome == Abandoned("the task is no longer locked by this worker", {sid: A})


def test_an_adopted_message_is_recorded_as_found_at_twilio(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, sid = _crashed_attempt(client, standin)
    progress = RecordingProgress(intent=intent)
    outcome = _send(client, progress)
    assert isinstance(outcome, Completed)
    assert progress.records[0] == (A, sid, True, True)
    number, _sid, more_to_send, found_at_twilio = progress.records[1]
    assert (number, more_to_send, found_at_twilio) == (B, False, False)


def test_an_adopted_last_message_has_nothing_more_to_send(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, sid = _crashed_attempt(client, standin)
    progress = RecordingProgress(intent=intent)
    assert isinstance(_send(client, progress, to=[A]), Completed)
    assert progress.records == [(A, sid, False, True)]


def test_a_one_shot_send_with_a_reconciler_needs_no_progress(
    client: TwilioClient, standin: TwilioStandIn
):
    inputs = {"smsFrom": GOOD_FROM, "smsTo": [A], "smsBody": "Hi"}
    outcome = send_sms(inputs, client, reconciler=Reconciler(client))
    assert isinstance(outcome, Completed)
    assert standin.delivered == {A: 1}


def test_the_status_callback_reaches_twilio_with_each_message(
    client: TwilioClient, standin: TwilioStandIn
):
    inputs = {"smsFrom": GOOD_FROM, "smsTo": [A, B], "smsBody": "Hi"}
    callback = "http://127.0.0.1:9/sms-status"
    assert isinstance(send_sms(inputs, client, status_callback=callback), Completed)
    posts = [r for r in standin.received if r.method == "POST"]
    assert [r.form.get("StatusCallback") for r in posts] == [callback, callback]


def test_a_template_that_builds_a_lone_surrogate_is_invalid_input_naming_smsbody(
    client: TwilioClient, standin: TwilioStandIn
):
    inputs = {"smsFrom": GOOD_FROM, "smsTo": [A], "smsBody": '${"\\xD83D"}'}
    outcome = send_sms(inputs, client)
    assert isinstance(outcome, BusinessError)
    assert outcome.code is ErrorCode.INVALID_INPUT
    assert outcome.message == (
        "smsBody: the rendered message holds an unpaired UTF-16 surrogate (such as a "
        "\\xD83D escape without its pair), which is not Unicode text"
    )
    assert outcome.details == {"variable": "smsBody"}
    assert standin.delivered == {}


_LISTED_AT = datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc)


def _listed(**fields: object) -> dict[str, object]:
    """One Message resource as Twilio lists it: to A from GOOD_FROM, "Hi", at _LISTED_AT."""
    item: dict[str, object] = {
        "sid": "SM" + "ab" * 16,
        "to": A,
        "from": GOOD_FROM,
        "messaging_service_sid": None,
        "body": "Hi",
        "direction": "outbound-api",
        "date_created": "Wed, 02 Dec 2026 04:00:00 +0000",
    }
    return {**item, **fields}


@pytest.mark.parametrize(
    ("fields", "adopted"),
    [
        ({}, True),
        ({"direction": "inbound"}, False),
        ({"to": B}, False),
        ({"from": "+15005550010"}, False),
        ({"body": "Hello"}, False),
        ({"date_created": "Wed, 02 Dec 2026 03:59:59 +0000"}, False),
    ],
    ids=["same", "inbound", "other-number", "other-sender", "other-text", "before-the-window"],
)
def test_only_an_outbound_message_of_the_intent_to_the_number_is_adopted(
    client: TwilioClient, standin: TwilioStandIn, fields: dict[str, object], adopted: bool
):
    # The window opens CLOCK_MARGIN before the intent's start, to the second.
    intent = Intent(_LISTED_AT + CLOCK_MARGIN, (SentText(GOOD_FROM, body_fingerprint("Hi")),))
    standin.faults.answer_next(200, {"messages": [_listed(**fields)]})
    found = Reconciler(client).find(intent, A)
    assert found == ("SM" + "ab" * 16 if adopted else None)


def test_line_ends_compare_as_lf_wherever_they_are():
    assert comparable_body("a\r\nb\rc\nd") == "a\nb\nc\nd"


@pytest.mark.parametrize(
    "value",
    [
        {"startedAt": "2026-01-02T03:04:05+00:00", "texts": None},
        {"startedAt": None, "texts": [{"from": GOOD_FROM, "bodySha256": "ab"}]},
        {"startedAt": "2026-01-02T03:04:05+00:00", "texts": []},
        {"startedAt": "2026-01-02T03:04:05+00:00", "texts": [{"from": 5, "bodySha256": "ab"}]},
        {"startedAt": "2026-01-02T03:04:05+00:00", "texts": [{"bodySha256": "ab"}]},
        {"startedAt": "2026-01-02T03:04:05+00:00", "texts": [{"from": GOOD_FROM}]},
    ],
    ids=[
        "texts-not-a-list",
        "start-not-a-string",
        "no-texts",
        "from-not-a-string",
        "no-from",
        "no-fingerprint",
    ],
)
def test_an_intent_without_a_readable_start_and_text_reads_as_none(value: object):
    assert Intent.from_json(value) is None


def test_a_history_too_long_to_read_says_whose_and_how_many(
    client: TwilioClient, standin: TwilioStandIn
):
    intent, _ = _crashed_attempt(client, standin, body="other")
    for n in range(4):
        client.send_message(Sender(GOOD_FROM, SenderKind.PHONE_NUMBER), A, f"older {n}")
    with pytest.raises(ReconcileUndecided) as caught:
        Reconciler(client, page_size=2, max_pages=2).find(intent, A)
    assert str(caught.value) == (
        f"more than 4 messages to {A} from {GOOD_FROM}: cannot tell whether an earlier "
        "attempt sent this SMS"
    )
