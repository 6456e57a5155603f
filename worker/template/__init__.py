"""FreeMarker templates for SMS bodies, rendered on jinja2's immutable sandbox.

The public API is `render`, `decode_template` and `read_template_file`, plus the limits.
This module is the one place where failures become `TemplateError`s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from worker.errors import ErrorCode, TemplateError

from .engine import CompiledTemplate, compile_template
from .failures import (
    MissingValueFailure,
    TemplateDataFailure,
    TemplateFailure,
    TemplateLimitFailure,
    TemplateReadFailure,
    TemplateSyntaxFailure,
)
from .limits import (
    MAX_LOOP_ITERATIONS,
    MAX_OUTPUT_CHARS,
    MAX_RANGE_SIZE,
    MAX_RENDER_SECONDS,
    MAX_TEMPLATE_BYTES,
    MAX_TEMPLATE_CHARS,
)
from .locales import DEFAULT_LOCALE, DEFAULT_TIME_ZONE, canonical, time_zone
from .source import decode_template_bytes, read_template_bytes

__all__ = [
    "DEFAULT_LOCALE",
    "DEFAULT_TIME_ZONE",
    "MAX_LOOP_ITERATIONS",
    "MAX_OUTPUT_CHARS",
    "MAX_RANGE_SIZE",
    "MAX_RENDER_SECONDS",
    "MAX_TEMPLATE_BYTES",
    "MAX_TEMPLATE_CHARS",
    "check_locale",
    "check_time_zone",
    "decode_template",
    "read_template_file",
    "render",
]

_CODES: tuple[tuple[type[TemplateFailure], ErrorCode], ...] = (
    (TemplateReadFailure, ErrorCode.TEMPLATE_READ_ERROR),
    (TemplateSyntaxFailure, ErrorCode.TEMPLATE_SYNTAX_ERROR),
    (TemplateDataFailure, ErrorCode.TEMPLATE_METADATA_ERROR),
    (TemplateLimitFailure, ErrorCode.INVALID_INPUT),
)


def render(
    source: str,
    metadata: Mapping[str, Any],
    *,
    clock: Callable[[], float] = time.monotonic,
    locale: str = DEFAULT_LOCALE,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> str:
    """Render a FreeMarker template with the metadata (a JSON object) as its data model.

    `clock` (seconds) measures the render against its time limit; tests pass a fake one.
    `locale` (checked with `check_locale`) is the one numbers and dates are formatted for
    until the template's `<#setting locale=...>`; `time_zone` (`check_time_zone`) the one
    datetimes are read and printed in."""
    compiled: CompiledTemplate | None = None
    with _translated(lambda: compiled):
        compiled = compile_template(source)
        return compiled.render(metadata, clock, locale, time_zone)
    raise AssertionError("unreachable")  # pragma: no cover - _translated always re-raises


def check_locale(name: str) -> str:
    """The locale as Java writes it (`de_DE`), or ValueError naming the problem (for the
    worker's SMS_TEMPLATE_LOCALE setting)."""
    try:
        return canonical(name)
    except TemplateFailure as failure:
        raise ValueError(failure.message) from None


def check_time_zone(name: str) -> str:
    """An IANA time zone name (`Europe/Berlin`), or ValueError (for SMS_TEMPLATE_TIME_ZONE)."""
    try:
        time_zone(name)
    except TemplateFailure as failure:
        raise ValueError(failure.message) from None
    return name


def decode_template(data: bytes) -> str:
    """A template received as bytes (a Camunda File variable, a file's content)."""
    with _translated(lambda: None):
        return decode_template_bytes(data)
    raise AssertionError("unreachable")  # pragma: no cover


def read_template_file(path: str) -> str:
    with _translated(lambda: None):
        return decode_template_bytes(read_template_bytes(path))
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def _translated(compiled: Any) -> Iterator[None]:
    """Every failure of the package, expected or not, leaves as a TemplateError."""
    try:
        yield
    except TemplateFailure as failure:
        raise _to_template_error(failure, compiled()) from failure
    except RecursionError as error:
        raise TemplateError(
            ErrorCode.TEMPLATE_SYNTAX_ERROR, "The template is nested too deeply"
        ) from error
    except MemoryError as error:
        raise TemplateError(
            ErrorCode.INVALID_INPUT, "The template needs too much memory"
        ) from error
    except Exception as error:  # nothing may escape untranslated
        raise TemplateError(
            ErrorCode.UNKNOWN_ERROR,
            f"Unexpected error in the template engine ({type(error).__name__})",
        ) from error


def _to_template_error(
    failure: TemplateFailure, compiled: CompiledTemplate | None
) -> TemplateError:
    code = next(code for kind, code in _CODES if isinstance(failure, kind))
    line, column, expression = failure.line, failure.column, None
    if failure.node_id is not None and compiled is not None:
        info = compiled.node_infos[failure.node_id]
        line, column, expression = info.line, info.column, info.text
    message = failure.message
    if isinstance(failure, MissingValueFailure):
        message = f"The template uses missing or null metadata: {expression}"
    elif expression is not None:
        message = f"{message} (in {_shorten(expression)})"
    if line is not None:
        message = f"{message}, at line {line}, column {column}"
    return TemplateError(code, message, line=line, column=column, expression=expression)


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
