"""The SEND_SMS action: task variables in, an outcome out.

Nothing here talks to the engine, and Twilio is reached only through the `MessageSender` it
is given, so the whole behaviour can be driven by the `send` command, by tests against the
Twilio stand-in, and by the daemon alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from worker import template
from worker.errors import (
    ConnectorError,
    DeliveryError,
    ErrorCode,
    InputError,
    ReconcileUndecided,
)
from worker.redaction import has_surrogate
from worker.sms.inputs import SMS_BODY, SmsRequest, parse_inputs
from worker.sms.outcome import (
    Abandoned,
    BusinessError,
    Completed,
    Outcome,
    Postponed,
    RecipientFailure,
)
from worker.sms.reconcile import Intent, Reconciler
from worker.sms.sender import Sender

MAX_BODY_CHARS = 1600  # Twilio rejects longer bodies (error 21617)


class MessageSender(Protocol):
    def send_message(
        self, sender: Sender, to: str, body: str, *, status_callback: str | None = None
    ) -> str:
        """Send one message; return its SID, or raise DeliveryError. `status_callback` is
        the URL Twilio reports the message's delivery status to (None: no reports)."""
        ...


class Progress(Protocol):
    """Where a task's delivery progress lives, so a re-fetched task does not send twice."""

    def already_sent(self) -> Mapping[str, str]:
        """Number -> message SID of the messages sent by earlier attempts of this task."""
        ...

    def earlier_intent(self) -> Intent | None:
        """The intent an earlier attempt of this task recorded, if any."""
        ...

    def declare(self, intent: Intent) -> bool:
        """Record `intent` before the first message; False when it could not be recorded
        (then nothing may be sent: a crash would leave no trace to reconcile with)."""
        ...

    def may_continue(self) -> bool:
        """False once the task is no longer ours (lock lost, shutting down hard)."""
        ...

    def record(
        self, number: str, sid: str, *, more_to_send: bool, found_at_twilio: bool = False
    ) -> None:
        """Twilio accepted a message (`found_at_twilio`: an earlier attempt had sent it, and
        reconciliation found it). `more_to_send` is False for the task's last message, whose
        record the task's completion itself is."""
        ...


class NoProgress:
    """For one-shot sends (the `send` command): nothing earlier, nothing kept."""

    def already_sent(self) -> Mapping[str, str]:
        return {}

    def earlier_intent(self) -> Intent | None:
        return None

    def declare(self, intent: Intent) -> bool:
        return True

    def may_continue(self) -> bool:
        return True

    def record(
        self, number: str, sid: str, *, more_to_send: bool, found_at_twilio: bool = False
    ) -> None:
        return None


@dataclass(frozen=True)
class PreparedSms:
    request: SmsRequest
    body: str


def render_body(
    source: str | bytes,
    metadata: Mapping[str, object],
    locale: str = template.DEFAULT_LOCALE,
    time_zone: str = template.DEFAULT_TIME_ZONE,
) -> str:
    """The template step, kept behind one function so the engine behind it is one line."""
    text = template.decode_template(source) if isinstance(source, bytes) else source
    body = template.render(text, metadata, locale=locale, time_zone=time_zone)
    if has_surrogate(body):
        # Inputs hold none (they are checked), but a template can build one ("\xD83D"), and
        # Twilio's form encoding would fail on it after the task had begun sending.
        raise InputError(
            ErrorCode.INVALID_INPUT,
            f"{SMS_BODY}: the rendered message holds an unpaired UTF-16 surrogate (such as a "
            "\\xD83D escape without its pair), which is not Unicode text",
            variables=[SMS_BODY],
        )
    return body


def prepare(
    values: Mapping[str, object],
    default_region: str | None,
    template_locale: str = template.DEFAULT_LOCALE,
    template_time_zone: str = template.DEFAULT_TIME_ZONE,
) -> PreparedSms:
    """Check inputs and render the body; raise ConnectorError before anything is sent."""
    request = parse_inputs(values, default_region)
    body = render_body(request.body_template, request.metadata, template_locale, template_time_zone)
    if not body.strip():
        raise InputError(
            ErrorCode.INVALID_INPUT,
            f"{SMS_BODY}: the rendered message is empty",
            variables=[SMS_BODY],
        )
    if len(body) > MAX_BODY_CHARS:
        raise InputError(
            ErrorCode.INVALID_INPUT,
            f"{SMS_BODY}: the rendered message has {len(body)} characters, "
            f"more than Twilio's limit of {MAX_BODY_CHARS}",
            variables=[SMS_BODY],
        )
    return PreparedSms(request, body)


def send_sms(
    values: Mapping[str, object],
    twilio: MessageSender,
    *,
    default_region: str | None = None,
    template_locale: str = template.DEFAULT_LOCALE,
    template_time_zone: str = template.DEFAULT_TIME_ZONE,
    progress: Progress | None = None,
    status_callback: str | None = None,
    reconciler: Reconciler | None = None,
) -> Outcome:
    try:
        prepared = prepare(values, default_region, template_locale, template_time_zone)
    except ConnectorError as error:
        return BusinessError(error.code, error.message, details=error.details)
    return deliver(
        prepared,
        twilio,
        progress or NoProgress(),
        status_callback=status_callback,
        reconciler=reconciler,
    )


def deliver(
    prepared: PreparedSms,
    twilio: MessageSender,
    progress: Progress,
    *,
    status_callback: str | None = None,
    reconciler: Reconciler | None = None,
) -> Outcome:
    """Send to each recipient in order.

    A failure that concerns one recipient (invalid or unroutable number, unsubscribed) does
    not stop the others; any other failure (credentials, sender, outage) stops the rest,
    because every following request would fail the same way or might duplicate.

    With a `reconciler`, an intent is recorded before the first message, and when an earlier
    attempt left one, each number still without a SID is looked up at Twilio before it is
    sent (see `worker.sms.reconcile`).
    """
    recipients = prepared.request.recipients
    earlier = progress.already_sent()
    result: dict[str, str] = {}
    earlier_intent: Intent | None = None
    if reconciler is not None and any(number not in earlier for number in recipients):
        earlier_intent = progress.earlier_intent()
        try:
            intent = reconciler.intent_for(earlier_intent, prepared.request.sender, prepared.body)
        except DeliveryError as error:
            return _postponed("Twilio's clock could not be read", error, result)
        if intent != earlier_intent and not progress.declare(intent):
            return Abandoned("the intent to send could not be recorded", result)
    failures: list[RecipientFailure] = []
    stopped_at: int | None = None
    for index, number in enumerate(recipients):
        if number in earlier:
            result[earlier[number]] = number
            continue
        if not progress.may_continue():
            return Abandoned("the task is no longer locked by this worker", result)
        more_to_send = index + 1 < len(recipients)
        if earlier_intent is not None and reconciler is not None:
            try:
                found = reconciler.find(earlier_intent, number)
            except (DeliveryError, ReconcileUndecided) as error:
                return _postponed(f"could not ask Twilio about {number}", error, result)
            if found is not None:
                result[found] = number
                progress.record(number, found, more_to_send=more_to_send, found_at_twilio=True)
                continue
            # Reading a long history takes time: the lock must still outlast the send.
            if not progress.may_continue():
                return Abandoned("the task is no longer locked by this worker", result)
        try:
            sid = twilio.send_message(
                prepared.request.sender, number, prepared.body, status_callback=status_callback
            )
        except DeliveryError as error:
            failures.append(_failure(number, error))
            if not error.concerns_recipient:
                stopped_at = index + 1
                break
            continue
        result[sid] = number
        progress.record(number, sid, more_to_send=more_to_send)
    if not failures:
        return Completed(result)
    not_attempted = list(recipients[stopped_at:]) if stopped_at is not None else []
    return BusinessError(
        failures[0].code,
        _summary(failures, len(result), len(not_attempted), len(recipients)),
        sms_result=result,
        failures=tuple(failures),
        details={"notAttempted": not_attempted},
    )


def _postponed(what: str, error: Exception, sent: dict[str, str]) -> Postponed:
    reason = error.message if isinstance(error, ConnectorError) else str(error)
    return Postponed(
        f"{what} ({reason}); nothing was sent that an earlier attempt may have sent "
        "already, the task is retried later",
        sms_result=sent,
    )


def _failure(number: str, error: DeliveryError) -> RecipientFailure:
    return RecipientFailure(
        number=number,
        code=error.code,
        message=error.message,
        twilio_code=error.twilio_code,
        possibly_sent=error.possibly_sent,
    )


def _summary(failures: list[RecipientFailure], sent: int, skipped: int, total: int) -> str:
    # Written in full; the number is masked where the message leaves (worker.redaction).
    first = failures[0]
    if total == 1:
        return first.message
    text = f"{first.message} (to {first.number}); {sent} of {total} sent"
    text += f", {len(failures)} failed"
    if skipped:
        text += f", {skipped} not attempted"
    return text
