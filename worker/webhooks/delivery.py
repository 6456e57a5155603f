"""What a webhook does in the engine. The BPMN messages and variables of two-way SMS:

- SMS_STATUS, to the instance named in the status callback URL, with Json `smsStatus`
  (`sid`, `to`, `status`, `errorCode`), on a final status. When nothing waits, `smsStatus` is
  set on the instance all the same, so a process can look at it before it waits; and since the
  process may have looked just before the variable was set, in the very transaction that began
  its wait, the message is offered once more a moment later (`RECHECK_AFTER_S`).
- SMS_RECEIVED, to the execution that most recently began waiting for it in an instance whose
  `smsReplyFrom` is the sender, with Json `smsReply` (`sid`, `from`, `to`, `body`) and String
  `smsReplySid`. When none waits, a message start event SMS_RECEIVED starts a new instance.

Twilio retries webhooks, and a retry may reach another replica or a restarted one, whose memory
of tokens (`dedupe`) is empty. So the engine itself is asked first: a reply whose SID some
instance already holds in `smsReplySid`, or a status that the instance already holds in
`smsStatus`, was handled before. Engine errors propagate: the caller answers so that Twilio
retries.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from worker.engine.messages import Correlated, TypedValue, Waiting
from worker.engine.variables import json_variable
from worker.errors import AmbiguousCorrelation, EngineError, NothingToCorrelate
from worker.webhooks.events import InboundSms, StatusReport

log = logging.getLogger(__name__)

STATUS_MESSAGE, REPLY_MESSAGE = "SMS_STATUS", "SMS_RECEIVED"
STATUS_VARIABLE = "smsStatus"
REPLY_VARIABLE, REPLY_SID_VARIABLE, REPLY_FROM_VARIABLE = "smsReply", "smsReplySid", "smsReplyFrom"
# Long enough for the engine transaction that began a wait to commit, short enough that a
# process waiting for the status does not notice the delay.
RECHECK_AFTER_S = 1.0
# Each round looks for the newest wait, then delivers to it; a wait that ends in between (its
# timer fired) sends us round again. Rounds end when one delivery lands.
_ROUNDS = 3


class Result(str, Enum):
    CORRELATED = "correlated"  # a waiting execution got the message
    STARTED = "started"  # a message start event started an instance
    STORED = "stored"  # nothing waited: the variable was set on the instance
    UNMATCHED = "unmatched"  # nothing waited, and no process starts with the message
    IGNORED = "ignored"  # not final, or not sent for an instance: nothing to do
    GONE = "gone"  # the instance has ended
    DUPLICATE = "duplicate"  # handled before (a Twilio retry)
    LATE = "correlated-late"  # stored, then taken by a wait that began in that moment


@dataclass(frozen=True)
class Delivered:
    result: Result
    process_instance_id: str | None = None


class MessageEngine(Protocol):
    """The calls of `worker.engine.messages.MessageClient` that delivery makes."""

    def newest_waiting(self, message: str, variables_equal: dict[str, str]) -> Waiting | None: ...

    def trigger(self, waiting: Waiting, message: str, variables: dict[str, TypedValue]) -> None: ...

    def correlate(
        self,
        message: str,
        *,
        process_instance_id: str | None = None,
        correlation_keys: dict[str, TypedValue] | None = None,
        variables: dict[str, TypedValue] | None = None,
        every_match: bool = False,
    ) -> list[Correlated]: ...

    def instance_exists(self, instance_id: str) -> bool: ...

    def variable(self, instance_id: str, name: str) -> TypedValue | None: ...

    def set_variable(self, instance_id: str, name: str, typed: TypedValue) -> None: ...

    def ever_had(self, name: str, value: str) -> bool: ...


# Runs work in a while (`later.Later`); returns False when it cannot take more.
Schedule = Callable[[float, Callable[[], None]], bool]
# Told of each status correlated on the second try, for metrics and logs.
Observer = Callable[[StatusReport, Delivered], None]


class Delivery:
    def __init__(
        self,
        engine: MessageEngine,
        *,
        schedule: Schedule | None = None,
        on_late: Observer | None = None,
    ) -> None:
        self._engine = engine
        self._schedule = schedule
        self._on_late = on_late

    def status(self, report: StatusReport) -> Delivered:
        instance = report.process_instance_id
        if not report.is_final or instance is None:
            return Delivered(Result.IGNORED, instance)
        if not self._engine.instance_exists(instance):
            return Delivered(Result.GONE, instance)
        if _same_status(self._engine.variable(instance, STATUS_VARIABLE), report):
            return Delivered(Result.DUPLICATE, instance)
        value = json_variable(report.to_json())
        correlated = self._engine.correlate(
            STATUS_MESSAGE,
            process_instance_id=instance,
            variables={STATUS_VARIABLE: value},
            every_match=True,
        )
        if correlated:
            return Delivered(Result.CORRELATED, instance)
        # Twilio is often faster than the process: keep the status where the process can see
        # it before it waits.
        try:
            self._engine.set_variable(instance, STATUS_VARIABLE, value)
        except EngineError as exc:
            if exc.status is not None and not self._engine.instance_exists(instance):
                return Delivered(Result.GONE, instance)
            raise
        if self._schedule is not None:
            self._schedule(RECHECK_AFTER_S, lambda: self._recheck(report))
        return Delivered(Result.STORED, instance)

    def _recheck(self, report: StatusReport) -> None:
        """Offer a stored status again, if the instance still holds it (nothing took it or
        replaced it) and now waits for it."""
        instance = report.process_instance_id
        assert instance is not None
        try:
            if not _same_status(self._engine.variable(instance, STATUS_VARIABLE), report):
                return
            correlated = self._engine.correlate(
                STATUS_MESSAGE,
                process_instance_id=instance,
                variables={STATUS_VARIABLE: json_variable(report.to_json())},
                every_match=True,
            )
        except EngineError as exc:
            log.debug("status %s: second offer failed (%s)", report.sid, exc)
            return
        if correlated and self._on_late is not None:
            self._on_late(report, Delivered(Result.LATE, instance))

    def reply(self, sms: InboundSms) -> Delivered:
        if self._engine.ever_had(REPLY_SID_VARIABLE, sms.sid):
            return Delivered(Result.DUPLICATE)
        variables = {
            REPLY_VARIABLE: json_variable(sms.to_json()),
            REPLY_SID_VARIABLE: _string(sms.sid),
        }
        for _ in range(_ROUNDS):
            waiting = self._engine.newest_waiting(REPLY_MESSAGE, {REPLY_FROM_VARIABLE: sms.sender})
            if waiting is not None:
                try:
                    self._engine.trigger(waiting, REPLY_MESSAGE, variables)
                except NothingToCorrelate:
                    log.debug("reply %s: the wait ended meanwhile, looking again", sms.sid)
                    continue
                return Delivered(Result.CORRELATED, waiting.process_instance_id)
            try:
                # Nothing waits: the engine starts a process with a message start event. The
                # correlation key also catches a wait that began since we looked.
                found = self._engine.correlate(
                    REPLY_MESSAGE,
                    correlation_keys={REPLY_FROM_VARIABLE: _string(sms.sender)},
                    variables=variables,
                )
            except NothingToCorrelate:
                return Delivered(Result.UNMATCHED)
            except AmbiguousCorrelation:
                continue  # several waits began since we looked: pick the newest
            first = found[0] if found else Correlated("", started=False)
            result = Result.STARTED if first.started else Result.CORRELATED
            return Delivered(result, first.process_instance_id or None)
        raise EngineError(f"reply {sms.sid}: the waiting executions kept changing")


def _string(value: str) -> TypedValue:
    return {"type": "String", "value": value}


def _same_status(typed: TypedValue | None, report: StatusReport) -> bool:
    if not typed or typed.get("type") != "Json":
        return False
    try:
        seen: Any = json.loads(str(typed.get("value")))
    except ValueError:
        return False
    return (
        isinstance(seen, dict)
        and seen.get("sid") == report.sid
        and seen.get("status") == report.status
    )
