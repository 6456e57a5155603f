"""Logging for every command: readable lines by default, JSON lines for log collectors.

Whatever the format, each record passes a redaction filter first (`worker.redaction`: secrets
and URL credentials replaced, phone numbers masked), whichever code (ours or a library's)
logged them. Code must still never log a secret; the filter is the safety net, not the rule.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from worker.config import LogFormat
from worker.redaction import Redactor

HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Passed with `extra=`; JSON lines carry each one that is known, the human format only the text.
TASK_FIELDS = ("task_id", "process_instance_id", "outcome", "error_code", "duration_ms")
# The same for the `webhooks` command (process_instance_id and duration_ms as above).
WEBHOOK_FIELDS = ("webhook", "result", "message_sid")
_HANDLER_NAME = "twilio-sms-worker"


def task_log(
    logger: logging.Logger, task_id: str, process_instance_id: str | None
) -> logging.LoggerAdapter[logging.Logger]:
    """`logger`, with the task's ids attached to every record it makes."""
    return logging.LoggerAdapter(
        logger, {"task_id": task_id, "process_instance_id": process_instance_id}
    )


class Redaction(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._redactor = Redactor(secrets)

    def clean(self, text: str) -> str:
        return self._redactor.text(text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # Arguments that do not fit the format: the handler's error report would print
            # them raw, so the record says what was logged instead, and is cleaned below.
            message = f"unformattable log call: {record.msg!r} % {record.args!r}"
            record.msg, record.args = message, None
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the cleaned traceback is printed.
            record.exc_text = _plain.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


_plain = logging.Formatter()


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the task fields known."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in (*TASK_FIELDS, *WEBHOOK_FIELDS):
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class _Stderr(logging.Handler):
    # Looks sys.stderr up for each record instead of keeping the stream it started with, so
    # a stderr replaced later (by a test harness, say) is the one written to.
    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def configure_logging(
    log_format: LogFormat, level: int, *, secrets: Iterable[str] = ()
) -> logging.Handler:
    """Send every logger's records to stderr in `log_format`; calling it again replaces the
    handler it installed before, and leaves other handlers alone."""
    handler = _Stderr()
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(Redaction(secrets))
    formatter = JsonLines() if log_format is LogFormat.JSON else logging.Formatter(HUMAN_FORMAT)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


@contextmanager
def logging_to_stderr(
    log_format: LogFormat, level: int, *, secrets: Iterable[str] = ()
) -> Iterator[logging.Handler]:
    """`configure_logging` for the length of one command; the root logger is restored after,
    so a command run in-process (as tests do) leaves no handler behind."""
    root = logging.getLogger()
    before = root.level
    handler = configure_logging(log_format, level, secrets=secrets)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(before)
