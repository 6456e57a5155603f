"""The log filter and the JSON format, record by record: what each adds, masks and keeps."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from worker.config import LogFormat
from worker.logs import JsonLines, Redaction, configure_logging, task_log

# 2026-01-01T00:00:00.123Z
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp() + 0.123


def _record(msg: str = "hello", *args: Any, **fields: Any) -> logging.LogRecord:
    record = logging.LogRecord("worker.test", logging.INFO, __file__, 1, msg, args, None)
    record.created = CREATED
    record.__dict__.update(fields)
    return record


def _json(record: logging.LogRecord) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(JsonLines().format(record))
    return entry


@pytest.fixture
def root_handlers() -> Iterator[list[logging.Handler]]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield before
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
    root.setLevel(level)


def test_json_time_is_utc_with_milliseconds_and_a_z():
    assert _json(_record())["time"] == "2026-01-01T00:00:00.123Z"


def test_json_keeps_non_ascii_text_as_it_is():
    line = JsonLines().format(_record("Grüße an %s", "Zoë"))
    assert '"message": "Grüße an Zoë"' in line


def test_json_writes_a_value_it_cannot_encode_as_its_text():
    assert _json(_record(duration_ms=Decimal("1.5")))["duration_ms"] == "1.5"


def test_json_formats_a_traceback_itself_when_nothing_did_before():
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record(exc_info=sys.exc_info())
    exception = _json(record)["exception"]
    assert exception.startswith("Traceback (most recent call last):")
    assert exception.endswith("ValueError: boom")


def test_json_carries_the_stack_when_asked_for():
    assert _json(_record(stack_info="Stack (most recent call last):\n  here"))["stack"] == (
        "Stack (most recent call last):\n  here"
    )


def test_a_secret_containing_another_is_replaced_whole():
    # "bcde" sorts after "abcdefgh" by text: only longest first replaces both whole.
    assert Redaction(["bcde", "abcdefgh"]).clean("x abcdefgh y bcde") == "x *** y ***"


def test_secrets_of_four_characters_are_replaced_and_shorter_ones_are_not():
    assert Redaction(["abcd", "xyz"]).clean("abcd xyz") == "*** xyz"


def test_the_stack_of_a_record_is_cleaned():
    record = _record(stack_info='  File "x.py", line 1, in send_to("+14155552671")')
    assert Redaction().filter(record)
    assert record.stack_info == '  File "x.py", line 1, in send_to("+1415***2671")'


def test_a_broken_logging_call_is_logged_cleaned_not_reported_raw():
    record = _record("sending to %d", "+14155552671")
    assert Redaction().filter(record)
    assert record.getMessage() == "unformattable log call: 'sending to %d' % ('+1415***2671',)"


def test_configuring_again_replaces_the_workers_handler_and_keeps_the_others(
    root_handlers: list[logging.Handler],
):
    first = configure_logging(LogFormat.HUMAN, logging.INFO)
    second = configure_logging(LogFormat.JSON, logging.WARNING)
    root = logging.getLogger()
    assert first not in root.handlers
    assert root.handlers == [*root_handlers, second]
    assert root.level == logging.WARNING


def test_a_task_log_names_the_task_and_its_process_instance_on_every_record(
    caplog: pytest.LogCaptureFixture,
):
    with caplog.at_level(logging.INFO):
        task_log(logging.getLogger("worker.test"), "task-1", "pi-1").info("sent")
    (record,) = caplog.records
    assert (record.__dict__["task_id"], record.__dict__["process_instance_id"]) == (
        "task-1",
        "pi-1",
    )
