"""Fuzz: 10,000 generated task variable sets (tests/hostile_variables.py: 4 x 500 drawn cases
of five sets each), each run through
the real task handler, the real reporter and the real Twilio client against the stand-in on
loopback, with the engine in memory. For every one:

- the engine is told exactly one outcome, with a documented code, never UNKNOWN_ERROR
  (Twilio is only made to answer with documented errors here);
- every request Twilio received is accounted for (a message in smsResult, or a failure in
  smsError): nothing is sent when the inputs are invalid;
- no secret and no drawn phone number, unmasked, is in any text the engine receives
  (errorMessage, smsError outside its recipient fields, incident message and details) or in
  any log line;
- the work is bounded: at most one phonenumbers parse per recipient, plus the sender.

No time is measured: the suite's cost is in the README (seconds of CPU on this machine).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from tests.hostile_variables import SECRETS, Case, Drawn, cases
from tests.runtime.fake_engine import FakeClock, FakeEngine, task
from tests.twilio_fixtures import settings_for
from worker.config import LeaseSettings, ReportSettings, UncaughtErrors
from worker.dev.twilio_standin import TwilioStandIn
from worker.errors import ErrorCode
from worker.logs import Redaction
from worker.metrics import Metrics
from worker.redaction import RECIPIENT_FIELDS, Redactor
from worker.runtime.reporter import OutcomeReporter
from worker.runtime.task_handler import TaskHandler
from worker.sms.inputs import MAX_RECIPIENTS
from worker.twilio.client import TwilioClient

# Each example is five variable sets (Case.variable_sets), in four tests: 10,000 sets.
EXAMPLES = int(os.environ.get("SMS_FUZZ_EXAMPLES", "500"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LEASE = LeaseSettings(lock_duration_ms=60_000, worst_send_s=20.0)
DOCUMENTED = {code.value for code in ErrorCode} - {ErrorCode.UNKNOWN_ERROR.value}
_SEPARATORS = set(" .-/()+\u00a0")


class _Captured(logging.Handler):
    """Log lines as the worker writes them: through its redaction filter."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.addFilter(Redaction(SECRETS))
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class _Run:
    """One generated task through the handler; what reached the engine, Twilio and the log."""

    def __init__(self, standin: TwilioStandIn, twilio: TwilioClient, log: _Captured) -> None:
        self.standin, self.twilio, self.log = standin, twilio, log
        self.metrics = Metrics(CollectorRegistry())
        self.parses = 0
        real = phonenumbers.parse

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.parses += 1
            return real(*args, **kwargs)

        self.counted_parse = counted

    def __call__(
        self,
        variables: dict[str, Any],
        drawn: Drawn,
        file_content: bytes,
        caught: bool,
        answer: str,
        region: str | None,
    ) -> None:
        self.standin.reset()
        self.log.lines.clear()
        self.parses = 0
        _arm(self.standin, answer)
        engine, clock = FakeEngine(files={"smsBody": file_content}), FakeClock()
        reporter = OutcomeReporter(
            engine,
            ReportSettings(3, 60_000, UncaughtErrors.INCIDENT),
            lambda _task, _code: caught,
            redactor=Redactor(SECRETS),
            sleep=clock.sleep,
            clock=clock,
        )
        handler = TaskHandler(
            engine,
            self.twilio,
            reporter,
            LEASE,
            default_region=region,
            aborted=threading.Event(),
            clock=clock,
            metrics=self.metrics,
        )
        reported = handler(task(**variables))
        self.standin.wait_idle()
        received = self.standin.received
        _check_outcome(engine, reported, len(received), [r.form for r in received])
        for text in _texts_for_the_engine(engine) + self.log.lines:
            _check_text(text, drawn)
        assert self.parses <= MAX_RECIPIENTS + 1


def _arm(standin: TwilioStandIn, answer: str) -> None:
    """How Twilio answers this task's first request: normally, or with a documented error
    whose message echoes numbers and our auth token, as a hostile or buggy endpoint might."""
    echo = f"'To' 1 (415) 555-0199 / +14155550199 rejected; token {SECRETS[0]}"
    if answer == "invalid-to":
        standin.faults.fail_next(status=400, code=21211, message=echo)
    elif answer == "server-error":
        standin.faults.fail_next(status=500, code=20500, message=echo)
    elif answer == "redirect":
        standin.faults.redirect_next(f"http://user:{SECRETS[1]}@elsewhere.invalid/", status=302)


def _check_outcome(
    engine: FakeEngine, reported: str, requests: int, forms: list[dict[str, str]]
) -> None:
    reports = [c for c in engine.calls if c.name in ("complete", "bpmn_error", "failure")]
    assert len(reports) == 1, engine.names()
    assert reported in ("completed", "bpmn-error", "incident"), reported
    report = reports[0]
    sent, failures = 0, 0
    if report.name == "complete":
        sent = len(json.loads(report.args[1]["smsResult"]["value"]))
    elif report.name == "bpmn_error":
        assert report.args[1] in DOCUMENTED
        sms_error = json.loads(report.args[3]["smsError"]["value"])
        sent = len(json.loads(report.args[3]["smsResult"]["value"]))
        failures = len(sms_error["failures"])
    else:
        message, details, retries = report.args[1], report.args[2], report.args[3]
        assert retries == 0, "a crash: " + message
        assert message.split(":", 1)[0] in DOCUMENTED, message
        payload = json.loads(details)
        sent, failures = len(payload["smsResult"]), len(payload["failures"])
    # Every request Twilio received is a message in smsResult or a failure in smsError; an
    # input error (no failures, nothing sent) therefore means no request at all.
    assert requests == sent + failures, (requests, sent, failures, forms)


def _texts_for_the_engine(engine: FakeEngine) -> list[str]:
    texts: list[str] = []
    for call in engine.calls:
        if call.name == "bpmn_error":
            texts.append(call.args[2])
            texts += _free_texts(json.loads(call.args[3]["smsError"]["value"]))
        elif call.name == "failure":
            texts.append(call.args[1])
            texts += _free_texts(json.loads(call.args[2]))
    return texts


def _free_texts(value: object) -> list[str]:
    """Every string in smsError's JSON outside the recipient fields."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [
            text
            for key, item in value.items()
            if key not in RECIPIENT_FIELDS
            for text in _free_texts(item)
        ]
    if isinstance(value, list):
        return [text for item in value for text in _free_texts(item)]
    return []


def _digits_view(text: str) -> str:
    """The text with every digit in ASCII and number formatting (and invisible characters)
    left out, so a number is found whatever notation it was written in."""
    return "".join(
        str(unicodedata.decimal(c))
        if c.isdecimal()
        else ""
        if c in _SEPARATORS or unicodedata.category(c) == "Cf"
        else c
        for c in text
    )


def _check_text(text: str, drawn: Drawn) -> None:
    text.encode("utf-8")  # no unpaired surrogate: it could not be logged or sent
    for secret in SECRETS:
        assert secret not in text, text
    view = _digits_view(text)
    for number in [*drawn.numbers, "14155550199"]:
        assert number not in view, (number, text)


@pytest.fixture(scope="module")
def run() -> Iterator[_Run]:
    # A stand-in of its own: every request it receives is one of these cases', never a late one
    # from another test. No timeout is under test here: a long read timeout keeps a slow answer
    # on a busy machine from being given up on and landing, late, in the next case's count.
    with TwilioStandIn() as standin:
        yield from _run_on(standin)


def _run_on(standin: TwilioStandIn) -> Iterator[_Run]:
    twilio_settings = settings_for(standin).twilio
    twilio = TwilioClient(replace(twilio_settings, read_timeout_ms=60_000), sleep=lambda _s: None)
    captured = _Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(captured)
    root.setLevel(logging.INFO)
    probe = _Run(standin, twilio, captured)
    patch = pytest.MonkeyPatch()
    patch.setattr(phonenumbers, "parse", probe.counted_parse)
    yield probe
    patch.undo()
    root.removeHandler(captured)
    root.setLevel(level)
    twilio.close()


# Whether the process catches the error, and the default region: one draw.
SITUATIONS = list(itertools.product([True, False], [None, None, "US", "CH"]))


# One test per way Twilio answers, each with its own share of the examples (and its own
# pytest timeout: on a busy machine the whole suite takes minutes of wall time).
@pytest.mark.parametrize("answer", ["normal", "invalid-to", "server-error", "redirect"])
@FUZZ
@given(case=cases(), first=st.integers(0, len(SITUATIONS) - 1))
def test_any_generated_task_ends_documented_accounted_for_and_redacted(
    run: _Run, answer: str, case: Case, first: int
):
    for offset, variables in enumerate(case.variable_sets()):
        caught, region = SITUATIONS[(first + offset) % len(SITUATIONS)]
        run(variables, case.drawn, case.file_content, caught, answer, region)
