"""OutcomeReporter: one engine call per outcome, retried while the engine is unreachable and
the lock holds, and a refused completion turned into an incident with progress recorded."""

from __future__ import annotations

import json
import logging

import pytest

from tests.runtime.fake_engine import FakeClock, FakeEngine, json_value, task
from worker.config import ReportSettings, UncaughtErrors
from worker.engine.task import ExternalTask
from worker.errors import (
    EngineError,
    EngineUnreachable,
    ErrorCode,
    LockLost,
    LostRace,
    TaskGone,
)
from worker.redaction import Redactor
from worker.runtime.reporter import MAX_ERROR_MESSAGE_CHARS, OutcomeReporter, WouldCatch
from worker.sms.outcome import (
    Abandoned,
    BusinessError,
    Completed,
    Crashed,
    Postponed,
    RecipientFailure,
)

SETTINGS = ReportSettings(
    task_retries=3, retry_timeout_ms=60_000, uncaught_errors=UncaughtErrors.INCIDENT
)


SENT = {"SM1": "+14155550101"}


LOCK_S = 60.0


TOKEN = "feedface-auth-token"


def _caught(_task: ExternalTask, _code: str) -> bool | None:
    return True


def _uncaught(_task: ExternalTask, _code: str) -> bool | None:
    return False


def _unknown(_task: ExternalTask, _code: str) -> bool | None:
    return None


def _reporter(
    engine: FakeEngine,
    clock: FakeClock,
    would_catch: WouldCatch = _caught,
    settings: ReportSettings = SETTINGS,
) -> OutcomeReporter:
    return OutcomeReporter(
        engine,
        settings,
        would_catch,
        redactor=Redactor([TOKEN]),
        sleep=clock.sleep,
        clock=clock,
        jitter=lambda: 0.5,
    )


def _error(code: ErrorCode = ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR) -> BusinessError:
    failure = RecipientFailure("+14155550102", code, "Twilio answered HTTP 400", 21211)
    return BusinessError(code, "invalid number", sms_result=SENT, failures=(failure,))


def _report(reporter: OutcomeReporter, clock: FakeClock, outcome: object, **fields: int) -> str:
    return reporter.report(task(**fields), outcome, retry_until=clock() + LOCK_S)  # type: ignore[arg-type]


def test_a_completed_task_is_completed_with_its_result_as_json():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock), clock, Completed(SENT)) == "completed"
    (task_id, variables) = engine.last("complete").args
    assert task_id == "task-1"
    assert json_value(variables["smsResult"]) == SENT
    assert engine.names() == ["complete"]


def test_a_caught_error_is_thrown_with_result_and_error_variables():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock), clock, _error()) == "bpmn-error"
    _, code, message, variables = engine.last("bpmn_error").args
    assert (code, message) == ("INVALID_TO_PHONE_NUMBER_ERROR", "invalid number")
    assert json_value(variables["smsResult"]) == SENT
    sms_error = json_value(variables["smsError"])
    assert sms_error["errorCode"] == "INVALID_TO_PHONE_NUMBER_ERROR"
    assert sms_error["failures"][0]["twilioCode"] == 21211


def test_an_error_nothing_catches_becomes_an_incident_naming_the_code():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock, _uncaught), clock, _error()) == "incident"
    _, message, details, retries, _timeout = engine.last("failure").args
    assert retries == 0
    assert message.startswith("INVALID_TO_PHONE_NUMBER_ERROR: invalid number")
    assert "nothing in the process catches" in message
    assert '"smsResult"' in details
    assert "bpmn_error" not in engine.names()


def test_an_error_whose_catching_cannot_be_told_is_thrown():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock, _unknown), clock, _error()) == "bpmn-error"


def test_bpmn_error_mode_throws_without_asking_whether_it_is_caught():
    asked: list[str] = []

    def would_catch(_task: ExternalTask, code: str) -> bool | None:
        asked.append(code)
        return False

    engine, clock = FakeEngine(), FakeClock()
    settings = ReportSettings(3, 60_000, UncaughtErrors.BPMN_ERROR)
    assert _report(_reporter(engine, clock, would_catch, settings), clock, _error()) == "bpmn-error"
    assert asked == []


def test_a_first_crash_is_a_failure_with_the_configured_retries_less_one():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock), clock, Crashed("boom", "trace")) == "failure"
    _, message, details, retries, timeout = engine.last("failure").args
    assert (message, details, retries, timeout) == ("boom", "trace", 2, 60_000)


def test_a_crash_on_the_last_retry_is_an_incident():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock), clock, Crashed("boom"), retries=1) == "incident"
    assert engine.last("failure").args[3] == 0


def test_a_postponed_task_is_a_failure_with_retries_so_the_engine_hands_it_out_later():
    engine, clock = FakeEngine(), FakeClock()
    postponed = Postponed("could not ask Twilio", sms_result={"SM1": "+14155550101"})
    assert _report(_reporter(engine, clock), clock, postponed) == "failure"
    _, message, details, retries, timeout = engine.last("failure").args
    assert (message, retries, timeout) == ("could not ask Twilio", 2, 60_000)
    assert json.loads(details) == {"smsResult": {"SM1": "+14155550101"}}


def test_a_task_postponed_on_its_last_retry_is_an_incident():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock), clock, Postponed("x"), retries=1) == "incident"
    assert engine.last("failure").args[3] == 0


def test_a_long_failure_message_is_cut_to_what_the_engine_keeps():
    engine, clock = FakeEngine(), FakeClock()
    _report(_reporter(engine, clock), clock, Crashed("x" * 1000))
    _, message, details, _, _ = engine.last("failure").args
    assert len(message) == MAX_ERROR_MESSAGE_CHARS
    assert details == "x" * 1000  # the whole text stays in the details


def test_an_abandoned_task_is_not_reported():
    engine, clock = FakeEngine(), FakeClock()
    assert _report(_reporter(engine, clock), clock, Abandoned("lock lost")) == "abandoned"
    assert engine.calls == []


def test_an_unreachable_engine_is_retried_until_it_answers():
    engine = FakeEngine(failures={"complete": [EngineUnreachable("down")] * 3})
    clock = FakeClock()
    assert _report(_reporter(engine, clock), clock, Completed(SENT)) == "completed"
    assert engine.names() == ["complete"] * 4
    assert len(clock.slept) == 3


def test_reports_stop_when_the_lock_runs_out_and_the_task_comes_back():
    engine = FakeEngine(failures={"complete": [EngineUnreachable("down")] * 1000})
    clock = FakeClock()
    started = clock()
    assert _report(_reporter(engine, clock), clock, Completed(SENT)) == "unreported"
    # No retry starts after the lock's end: the engine hands the task out again then.
    assert clock() <= started + LOCK_S
    assert "failure" not in engine.names()


@pytest.mark.parametrize("gone", [TaskGone("gone", 404), LockLost("locked", 400)])
def test_a_task_no_longer_ours_is_not_retried_nor_turned_into_an_incident(gone: EngineError):
    engine = FakeEngine(failures={"complete": [gone]})
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, Completed(SENT))
    assert engine.names() == ["complete"]


def test_another_node_first_is_neither_retried_nor_an_incident_and_logged_at_debug_only(
    caplog: pytest.LogCaptureFixture,
):
    concurrent = LostRace("complete: HTTP 500 (OptimisticLockingException: ...)", 500)
    engine = FakeEngine(failures={"complete": [concurrent]})
    clock = FakeClock()
    with caplog.at_level(logging.DEBUG, logger="worker.runtime.reporter"):
        _report(_reporter(engine, clock), clock, Completed(SENT))
    assert engine.names() == ["complete"]
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert [r.getMessage() for r in caplog.records] == [
        "task task-1: complete: another node got there first "
        "(complete: HTTP 500 (OptimisticLockingException: ...))"
    ]


def test_a_refused_completion_becomes_an_incident_with_progress_recorded():
    refusal = EngineError("complete: HTTP 500", 500)
    engine = FakeEngine(failures={"complete": [refusal] * 3})
    clock = FakeClock()
    assert _report(_reporter(engine, clock), clock, Completed(SENT)) == "incident"
    assert engine.names() == ["complete"] * 3 + ["set_local_variable", "failure"]
    execution, name, typed = engine.last("set_local_variable").args
    assert (execution, name) == ("exec-1", "smsProgress")
    assert json_value(typed) == {"taskId": "task-1", "sent": {"+14155550101": "SM1"}}
    _, message, details, retries, _ = engine.last("failure").args
    assert retries == 0
    assert "refused complete" in message
    assert '"SM1"' in details


def test_a_refused_bpmn_error_becomes_an_incident():
    engine = FakeEngine(failures={"bpmn_error": [EngineError("bpmnError: HTTP 500", 500)] * 3})
    clock = FakeClock()
    assert _report(_reporter(engine, clock), clock, _error()) == "incident"
    assert engine.names()[-1] == "failure"


def test_a_refusal_with_nothing_sent_records_no_progress():
    engine = FakeEngine(failures={"bpmn_error": [EngineError("bpmnError: HTTP 500", 500)] * 3})
    clock = FakeClock()
    nothing_sent = BusinessError(ErrorCode.INVALID_INPUT, "bad input")
    assert _report(_reporter(engine, clock), clock, nothing_sent) == "incident"
    assert "set_local_variable" not in engine.names()


def test_an_engine_error_that_clears_is_not_a_refusal():
    engine = FakeEngine(failures={"complete": [EngineError("complete: HTTP 500", 500)]})
    clock = FakeClock()
    assert _report(_reporter(engine, clock), clock, Completed(SENT)) == "completed"
    assert engine.names() == ["complete", "complete"]


def test_a_report_still_failing_when_the_lock_ends_during_retries_is_unreported():
    engine = FakeEngine(failures={"complete": [EngineUnreachable("down")] * 1000})
    clock = FakeClock()
    # Each answer takes 20 s: the third retry would start after the 60 s lock.
    engine.on_call = lambda _name: clock.sleep(20.0)
    assert _report(_reporter(engine, clock), clock, Completed(SENT)) == "unreported"
    assert engine.names().count("complete") < 4


def test_a_completion_refused_with_a_400_is_an_incident_without_retrying():
    refusal = EngineError("complete: HTTP 400 (RestException: Unsupported value type 'X')", 400)
    engine = FakeEngine(failures={"complete": [refusal]})
    clock = FakeClock()
    assert _report(_reporter(engine, clock), clock, Completed(SENT)) == "incident"
    assert engine.names() == ["complete", "set_local_variable", "failure"]
    _, message, _, retries, _ = engine.last("failure").args
    assert retries == 0
    assert "Unsupported value type 'X'" in message


def test_a_bpmn_error_refused_with_a_400_is_an_incident_with_progress_recorded():
    refusal = EngineError("bpmnError: HTTP 400 (InvalidRequestException: ...)", 400)
    engine = FakeEngine(failures={"bpmn_error": [refusal]})
    clock = FakeClock()
    assert _report(_reporter(engine, clock), clock, _error()) == "incident"
    assert engine.names() == ["bpmn_error", "set_local_variable", "failure"]
    assert json_value(engine.last("set_local_variable").args[2])["sent"] == {"+14155550101": "SM1"}


def test_a_refusal_quoting_a_number_reaches_the_incident_masked():
    refusal = EngineError("complete: HTTP 400 (Cannot convert value '+14155550101')", 400)
    engine = FakeEngine(failures={"complete": [refusal]})
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, Completed(SENT))
    message = engine.last("failure").args[1]
    assert "'+1415***0101'" in message
    assert "+14155550101" not in message


def _unreachable(name: str) -> FakeEngine:
    return FakeEngine(failures={name: [EngineUnreachable("down")] * 1000})


@pytest.mark.parametrize(
    ("outcome", "call"),
    [
        (_error(), "bpmn_error"),
        (Crashed("boom"), "failure"),
        (_error(), "failure"),  # an uncaught error's incident
    ],
    ids=["bpmn-error", "crash", "incident"],
)
def test_every_report_stops_retrying_when_the_lock_runs_out(outcome: object, call: str):
    engine, clock = _unreachable(call), FakeClock()
    would_catch = _uncaught if call == "failure" else _caught
    _report(_reporter(engine, clock, would_catch), clock, outcome)
    # No retry starts after the lock's end (1000 answers of "down" would take far longer).
    assert clock() <= 1000.0 + LOCK_S


@pytest.mark.parametrize("unreachable", ["set_local_variable", "failure"])
@pytest.mark.parametrize(
    ("outcome", "refused"),
    [(Completed(SENT), "complete"), (_error(), "bpmn_error")],
    ids=["complete", "bpmn-error"],
)
def test_the_calls_after_a_refusal_stop_retrying_when_the_lock_runs_out(
    outcome: object, refused: str, unreachable: str
):
    engine = FakeEngine(
        failures={
            refused: [EngineError("refused: HTTP 400", 400)],
            unreachable: [EngineUnreachable("down")] * 1000,
        }
    )
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, outcome)
    assert clock() <= 1000.0 + LOCK_S


def test_anything_but_an_outcome_is_a_bug():
    engine, clock = FakeEngine(), FakeClock()
    with pytest.raises(TypeError) as caught:
        _report(_reporter(engine, clock), clock, "sent")
    assert str(caught.value) == "not an outcome: 'sent'"


def test_an_uncaught_errors_incident_says_why_it_is_one():
    engine, clock = FakeEngine(), FakeClock()
    _report(_reporter(engine, clock, _uncaught), clock, _error())
    assert engine.last("failure").args[1] == (
        "INVALID_TO_PHONE_NUMBER_ERROR: invalid number -- nothing in the process catches BPMN "
        "error INVALID_TO_PHONE_NUMBER_ERROR, so it was raised as an incident instead of "
        "letting the process go on as if the SMS was sent"
    )


def test_a_refused_completion_keeps_the_result_in_the_incident_details():
    engine = FakeEngine(failures={"complete": [EngineError("complete: HTTP 400", 400)]})
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, Completed(SENT))
    assert json.loads(engine.last("failure").args[2]) == {"smsResult": SENT}


def test_a_refused_bpmn_error_names_the_call_in_the_incident():
    engine = FakeEngine(failures={"bpmn_error": [EngineError("bpmnError: HTTP 400", 400)]})
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, _error())
    assert (
        engine.last("failure")
        .args[1]
        .startswith("the engine refused bpmnError after the SMS step finished: bpmnError: HTTP 400")
    )


def test_an_incidents_details_are_indented_json_keeping_non_ascii_text():
    engine, clock = FakeEngine(), FakeClock()
    outcome = BusinessError(ErrorCode.INVALID_INPUT, "Grüße: bad input")
    _report(_reporter(engine, clock, _uncaught), clock, outcome)
    assert engine.last("failure").args[2] == (
        "{\n"
        '  "errorCode": "INVALID_INPUT",\n'
        '  "errorMessage": "Grüße: bad input",\n'
        '  "failures": [],\n'
        '  "smsResult": {}\n'
        "}"
    )


def test_a_failure_message_of_exactly_what_the_engine_keeps_is_not_cut():
    engine, clock = FakeEngine(), FakeClock()
    _report(_reporter(engine, clock), clock, Crashed("x" * MAX_ERROR_MESSAGE_CHARS))
    assert engine.last("failure").args[1] == "x" * MAX_ERROR_MESSAGE_CHARS


def test_whether_an_error_is_caught_is_asked_for_the_task_and_its_code():
    asked: list[tuple[str, str]] = []

    def would_catch(asked_task: ExternalTask, code: str) -> bool | None:
        asked.append((asked_task.id, code))
        return True

    engine, clock = FakeEngine(), FakeClock()
    _report(_reporter(engine, clock, would_catch), clock, _error())
    assert asked == [("task-1", "INVALID_TO_PHONE_NUMBER_ERROR")]


def _messages(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records]


def test_each_retry_of_a_report_is_logged(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"complete": [EngineUnreachable("down")]})
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, Completed(SENT))
    assert _messages(caplog) == [
        (logging.WARNING, "task task-1: complete failed (down), retrying in 0.2s")
    ]


def test_a_task_no_longer_ours_is_logged(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"bpmn_error": [TaskGone("gone", 404)]})
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, _error())
    assert _messages(caplog) == [
        (logging.WARNING, "task task-1: bpmnError refused, task no longer ours (gone)")
    ]


def test_a_report_the_lock_ran_out_on_is_logged(caplog: pytest.LogCaptureFixture):
    engine, clock = _unreachable("failure"), FakeClock()
    with caplog.at_level(logging.ERROR):
        _report(_reporter(engine, clock), clock, Crashed("boom"))
    assert _messages(caplog) == [
        (
            logging.ERROR,
            "task task-1: failure failed until the lock ran out (down); the engine will hand "
            "the task out again",
        )
    ]


def test_a_refusal_is_logged(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(failures={"complete": [EngineError("complete: HTTP 400", 400)]})
    clock = FakeClock()
    with caplog.at_level(logging.ERROR):
        _report(_reporter(engine, clock), clock, Completed(SENT))
    assert _messages(caplog) == [
        (logging.ERROR, "task task-1: complete refused by the engine (complete: HTTP 400)")
    ]


def test_an_abandoned_task_is_logged(caplog: pytest.LogCaptureFixture):
    engine, clock = FakeEngine(), FakeClock()
    with caplog.at_level(logging.INFO):
        _report(_reporter(engine, clock), clock, Abandoned("lock lost"))
    assert _messages(caplog) == [(logging.INFO, "task task-1 abandoned: lock lost")]


def test_an_unreachable_progress_record_is_logged_by_its_name(caplog: pytest.LogCaptureFixture):
    engine = FakeEngine(
        failures={
            "complete": [EngineError("complete: HTTP 400", 400)],
            "set_local_variable": [EngineUnreachable("down")],
        }
    )
    clock = FakeClock()
    _report(_reporter(engine, clock), clock, Completed(SENT))
    assert (
        logging.WARNING,
        "task task-1: record progress failed (down), retrying in 0.2s",
    ) in _messages(caplog)


def _echoing_error() -> BusinessError:
    """What a Twilio answer that quotes numbers and our token becomes."""
    said = f"The 'To' number 1 (415) 555-0102 is not valid; token {TOKEN}"
    failure = RecipientFailure("+14155550102", ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR, said)
    return BusinessError(
        ErrorCode.INVALID_TO_PHONE_NUMBER_ERROR,
        f"{said} (to +14155550102); 1 of 3 sent",
        sms_result=SENT,
        failures=(failure,),
        details={"notAttempted": ["+14155550103"]},
    )


def test_a_bpmn_error_masks_numbers_and_secrets_in_every_free_text():
    engine, clock = FakeEngine(), FakeClock()
    _report(_reporter(engine, clock), clock, _echoing_error())
    _, _, message, variables = engine.last("bpmn_error").args
    sms_error = json_value(variables["smsError"])
    texts = [message, sms_error["errorMessage"], sms_error["failures"][0]["errorMessage"]]
    for text in texts:
        assert TOKEN not in text
        assert "5550102" not in text.replace(" ", "").replace("-", "")
    assert message.startswith("The 'To' number 1415***0102 is not valid; token ***")


def test_a_bpmn_error_keeps_the_recipient_fields_whole_for_the_process():
    engine, clock = FakeEngine(), FakeClock()
    _report(_reporter(engine, clock), clock, _echoing_error())
    _, _, _, variables = engine.last("bpmn_error").args
    sms_error = json_value(variables["smsError"])
    assert sms_error["failures"][0]["number"] == "+14155550102"
    assert sms_error["notAttempted"] == ["+14155550103"]
    assert json_value(variables["smsResult"]) == SENT


def test_an_incident_masks_its_message_and_keeps_recipients_in_its_details():
    engine, clock = FakeEngine(), FakeClock()
    _report(_reporter(engine, clock, _uncaught), clock, _echoing_error())
    _, message, details, _, _ = engine.last("failure").args
    assert TOKEN not in message + details
    assert "+1415***0102" in message
    assert '"number": "+14155550102"' in details
    assert '"SM1": "+14155550101"' in details


def test_a_crash_report_is_redacted_too():
    engine, clock = FakeEngine(), FakeClock()
    crash = Crashed(f"ValueError: +14155550102 {TOKEN}", f"Traceback ... {TOKEN} +14155550102")
    _report(_reporter(engine, clock), clock, crash)
    _, message, details, _, _ = engine.last("failure").args
    assert message == "ValueError: +1415***0102 ***"
    assert details == "Traceback ... *** +1415***0102"
