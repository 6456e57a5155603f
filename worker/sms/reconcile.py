"""Exactly once: before re-sending, ask Twilio whether a crashed attempt already sent it.

A message Twilio accepted, whose SID never reached the engine (the worker died, or lost the
engine for longer than its lock, in between), would be sent again when the task comes back.
So before a task's first message an *intent* is recorded on the engine: when sending started
(by Twilio's clock) and which texts (sender, body fingerprint) it sends. A task that comes back
with an intent asks Twilio, for each number still without a SID, for a message to that number,
from that sender, with that body, created since the intent; one found is adopted (its SID
recorded, nothing sent).

What remains: a message with the same text, from the same sender, to the same number, created
after the intent by someone else (another task, another program) is taken for the crashed
attempt's own, and that number gets one message instead of two.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from worker.errors import ReconcileUndecided
from worker.sms.sender import Sender

# `date_created` and the clock reading in the intent both come from Twilio's clock, with a
# resolution of one second each (see TwilioClient.twilio_now): two seconds, and room for a
# proxy's delay.
CLOCK_MARGIN = timedelta(seconds=5)
# Messages listed per page and pages read per number before giving up. A sender/recipient pair
# with more history than this since forever cannot be decided (the list has no reliable date
# filter for messages not yet sent, see MessageLookup).
PAGE_SIZE = 200
MAX_PAGES = 25

# What Twilio's Smart Encoding may turn characters into, so a transliterated copy of a body
# still matches. Applied to both sides; only ever maps to characters it does not itself map.
_SMART_ENCODING = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u2060": "",
        "\ufeff": "",
    }
)


def comparable_body(body: str) -> str:
    """The body as compared with Twilio's copy: NFC, Smart Encoding's substitutions undone on
    both sides, line ends as LF, outer whitespace dropped (a carrier or Twilio trimming it
    must not make a sent message look unsent)."""
    text = unicodedata.normalize("NFC", body).translate(_SMART_ENCODING)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def body_fingerprint(body: str) -> str:
    return hashlib.sha256(comparable_body(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SentText:
    """What one attempt sends: the sender (E.164 or a Messaging Service SID) and the body's
    fingerprint (the body itself stays out of the engine's variables)."""

    sender: str
    body_sha256: str


@dataclass(frozen=True)
class Intent:
    """Recorded on the engine before a task's first message. `started_at` is Twilio's clock
    (UTC); `texts` holds every text any attempt of the task sends (more than one only when
    the task's inputs changed between attempts)."""

    started_at: datetime
    texts: tuple[SentText, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "startedAt": self.started_at.isoformat(),
            "texts": [{"from": t.sender, "bodySha256": t.body_sha256} for t in self.texts],
        }

    @classmethod
    def from_json(cls, value: object) -> Intent | None:
        """The intent in a progress record, or None when it has none (or an unreadable one)."""
        if not isinstance(value, dict):
            return None
        started, texts = value.get("startedAt"), value.get("texts")
        if not isinstance(started, str) or not isinstance(texts, list):
            return None
        try:
            started_at = datetime.fromisoformat(started)
        except ValueError:
            return None
        if started_at.tzinfo is None:
            return None
        found = tuple(
            SentText(t["from"], t["bodySha256"])
            for t in texts
            if isinstance(t, dict)
            and isinstance(t.get("from"), str)
            and isinstance(t.get("bodySha256"), str)
        )
        return cls(started_at, found) if found else None


@dataclass(frozen=True)
class ListedMessage:
    """The fields of a Message resource that reconciliation reads."""

    sid: str
    to: str
    sender: str | None  # `from`: None for a Messaging Service message not yet given a sender
    messaging_service_sid: str | None
    body: str
    date_created: datetime
    direction: str


class MessageLookup(Protocol):
    """Twilio's Messages list, as reconciliation needs it (`TwilioClient` implements it)."""

    def twilio_now(self) -> datetime:
        """Twilio's clock now (UTC), never ahead of it; raises DeliveryError."""
        ...

    def message_pages(
        self, to: str, sender: str, page_size: int
    ) -> Iterator[Sequence[ListedMessage]]:
        """Pages of the account's messages to `to` from `sender` (a From filter for a number;
        none for a Messaging Service SID, whose messages may have no sender yet), newest first,
        fetched lazily. No date filter: Twilio's `DateSent` filters by the date a message was
        sent, and a queued message has none. Raises DeliveryError."""
        ...


class Reconciler:
    def __init__(
        self, lookup: MessageLookup, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES
    ) -> None:
        self._lookup = lookup
        self._page_size, self._max_pages = page_size, max_pages

    def intent_for(self, earlier: Intent | None, sender: Sender, body: str) -> Intent:
        """The intent to record before sending `body` from `sender`: the earlier one when it
        already covers this text (its start stays, so its window still covers earlier sends),
        else one that adds it. Raises DeliveryError when Twilio's clock cannot be read."""
        text = SentText(sender.value, body_fingerprint(body))
        if earlier is None:
            return Intent(self._lookup.twilio_now(), (text,))
        if text in earlier.texts:
            return earlier
        return Intent(earlier.started_at, (*earlier.texts, text))

    def find(self, intent: Intent, number: str) -> str | None:
        """The SID of a message an earlier attempt sent to `number`, or None.

        Raises DeliveryError when Twilio cannot be asked, ReconcileUndecided when the history
        is too long to read: either way, sending now could duplicate.
        """
        since = intent.started_at - CLOCK_MARGIN
        bodies: dict[str, set[str]] = {}
        for text in intent.texts:
            bodies.setdefault(text.sender, set()).add(text.body_sha256)
        for sender, fingerprints in bodies.items():
            pages = self._lookup.message_pages(number, sender, self._page_size)
            for index, page in enumerate(pages):
                if index >= self._max_pages:
                    raise ReconcileUndecided(
                        f"more than {self._max_pages * self._page_size} messages to "
                        f"{number} from {sender}: cannot tell whether an earlier "
                        "attempt sent this SMS"
                    )
                for message in page:
                    if _matches(message, number, sender, fingerprints, since):
                        return message.sid
        return None


def _matches(
    message: ListedMessage, number: str, sender: str, fingerprints: set[str], since: datetime
) -> bool:
    if not message.direction.startswith("outbound") or message.to != number:
        return False
    if message.date_created < since:
        return False
    if sender not in (message.sender, message.messaging_service_sid):
        return False
    return body_fingerprint(message.body) in fingerprints
